"""A chosen quote is the resident's own words: shortened with an ellipsis at most, never
reworded, never with a word added, never with the commenter's name."""

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.reports.quotes import name_in_quote, quote_pieces, quote_problem

SOURCE = "I don't mind sharing my data with the NHS, but please tell me first. Signed, Maya"


def test_the_whole_answer_and_cuts_with_an_ellipsis_are_accepted():
    assert quote_problem(SOURCE, SOURCE) is None
    assert quote_problem("I don't mind sharing my data with the NHS … please tell me first.", SOURCE) is None
    assert quote_problem("…sharing my data with the NHS...", SOURCE) is None
    assert quote_problem("  i DON'T mind   sharing my data  ", SOURCE) is None  # spacing and case only


def test_added_changed_or_reordered_words_are_refused():
    assert quote_problem("I don't mind sharing my data with the NHS at all", SOURCE) is not None
    assert quote_problem("I do mind sharing my data with the NHS", SOURCE) is not None
    assert quote_problem("please tell me first … I don't mind sharing", SOURCE) is not None  # order kept
    assert quote_problem("The council is great", SOURCE) is not None
    message = quote_problem("I love sharing my data", SOURCE)
    assert "own words" in message and "I love sharing my data".casefold() in message


def test_a_cut_must_fall_between_words():
    # "I do… like it" cannot be cut from "I don't like it", nor "sha" from "sharing".
    assert quote_problem("I do… like it", "I don't like it") is not None
    assert quote_problem("sha… NHS", SOURCE) is not None
    assert quote_problem("I don… like it", "I don't like it") is not None


def test_an_empty_quote_is_refused():
    assert quote_problem("…", SOURCE) == "Enter the words to quote"
    assert quote_pieces(" ... … ") == []


def test_names_are_found_as_whole_words():
    assert name_in_quote("please tell me first. Signed, Maya", "Maya")
    assert name_in_quote("signed MAYA", "maya")
    assert not name_in_quote("Mayan ruins", "Maya")
    assert not name_in_quote("anything", "")


words = st.lists(st.sampled_from(["data", "council", "share", "please", "open", "NHS", "trust", "not"]),
                 min_size=3, max_size=15)


@settings(max_examples=200)
@given(words, st.data())
def test_any_cut_of_the_source_is_accepted(source_words, data):
    source = " ".join(source_words)
    keep = data.draw(st.lists(st.booleans(), min_size=len(source_words), max_size=len(source_words)))
    if not any(keep):
        keep[0] = True
    parts, run = [], []
    for word, kept in zip(source_words, keep):
        if kept:
            run.append(word)
        elif run:
            parts.append(" ".join(run))
            run = []
    if run:
        parts.append(" ".join(run))
    assert quote_problem(" … ".join(parts), source) is None


@settings(max_examples=200)
@given(words, st.sampled_from(["never", "always", "hate", "love"]), st.data())
def test_a_word_not_in_the_source_is_always_refused(source_words, added, data):
    source = " ".join(source_words)
    position = data.draw(st.integers(0, len(source_words)))
    quote = " ".join(source_words[:position] + [added] + source_words[position:])
    assert quote_problem(quote, source) is not None
