"""Free text: folding identical and near-identical comments, terms, and the word cloud."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.free_text import (FoldedComment, TermCount, edit_distance_at_most, fold_comments,
                                     near_duplicate_groups, near_identical, normalise, normalise_one,
                                     summarise_free_text, top_terms)
from analysis.stats.wordcloud_image import alt_text, render_word_cloud


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise(["  Fix the ROADS!! ", "fix   the roads", "Don't"]) == ["fix the roads", "fix the roads", "dont"]


def test_identical_and_near_identical_are_folded_with_counts():
    comments = [
        "Please keep the library on Queen's Crescent open on Saturdays, it matters to families.",
        "Please keep the library on Queens Crescent open on Saturdays, it matters to families",
        "please keep the library on Queen’s Crescent open on saturdays it matters to familes.",
        "More bins in the park",
        "more bins in the park!",
        "Stop the new car park",
        None, "   ",
    ]
    folded = fold_comments(comments)
    assert folded[0].count == 3 and folded[0].variants == 2
    assert folded[0].text.startswith("Please keep the library")
    assert folded[1] == FoldedComment(text="More bins in the park", count=2, variants=1)
    assert folded[2] == FoldedComment(text="Stop the new car park", count=1, variants=1)
    assert sum(group.count for group in folded) == 6


def test_different_comments_are_not_folded():
    labels = near_duplicate_groups(["more bins in the park", "fewer bins in the park please now",
                                    "cycle lanes on the high street", "no", "na"])
    assert len(set(labels.tolist())) == 5


def test_folding_scales_without_all_pairs():
    rng = np.random.default_rng(1)
    words = np.array("council parking roads parks library bins recycling traffic cycle lanes trees".split())
    base = [" ".join(rng.choice(words, 12)) for _ in range(3000)]
    comments = [base[index] for index in rng.integers(0, 3000, 6000)]
    folded = fold_comments(comments)
    assert sum(group.count for group in folded) == 6000
    assert len(folded) <= len(set(base))


def test_top_terms_count_comments_and_drop_stop_words():
    terms = top_terms(["Parking, parking, parking!", "The parking is awful", "Trees please", "and the of"])
    assert terms[0] == TermCount("parking", 2)
    assert {term.term for term in terms} == {"parking", "awful", "trees"}


def test_summary_counts():
    summary = summarise_free_text("why", ["Trees", "trees", None, "Parks"])
    assert (summary.n_comments, summary.n_distinct) == (3, 2)


def test_word_cloud_is_png_deterministic_with_alt_text():
    terms = [TermCount("parking", 40), TermCount("trees", 12), TermCount("library", 7)]
    first = render_word_cloud(terms, 50)
    second = render_word_cloud(terms, 50)
    assert first.png.startswith(b"\x89PNG") and first.png == second.png
    assert first.alt_text == ("Word cloud of the most used words in 50 comments: parking (40 comments); "
                              "trees (12 comments); library (7 comments).")
    assert render_word_cloud([], 3) is None
    assert alt_text([], 1).startswith("No word cloud")


CYCLE_LANE = "The council should build the new cycle lane on Royal College Street before next summer."
NO_CYCLE_LANE = "The council should not build the new cycle lane on Royal College Street before next summer."


def test_opposite_opinions_are_not_folded_together():
    # The old MinHash folding joined these (4-gram Jaccard 0.87) into one "×55".
    folded = fold_comments([CYCLE_LANE] * 30 + [NO_CYCLE_LANE] * 25)
    assert [(group.text, group.count) for group in folded] == [(CYCLE_LANE, 30), (NO_CYCLE_LANE, 25)]
    assert summarise_free_text("why", [CYCLE_LANE] * 30 + [NO_CYCLE_LANE] * 25).n_distinct == 2


def test_contracted_and_curly_negations_are_negations():
    for negated in ("The council shouldn't build the new cycle lane on Royal College Street before next summer.",
                    "The council shouldn’t build the new cycle lane on Royal College Street before next summer."):
        assert not near_identical(normalise_one(CYCLE_LANE), normalise_one(negated))
        assert near_identical(normalise_one(NO_CYCLE_LANE), normalise_one(negated))


def test_only_a_few_characters_apart_fold():
    base = normalise_one(CYCLE_LANE)  # 87 characters: at most 3 edits
    assert near_identical(base, base.replace("cycle", "cylce"))  # 2 substitutions
    assert not near_identical(base, base.replace("new ", ""))  # 4 deletions
    short = "more bins in the park"  # 21 characters: 5% is 1 edit
    assert near_identical(short, "more bins in the parks")
    assert not near_identical(short, "more bins on the parks")  # 2 edits


def test_edit_distance_bound():
    assert edit_distance_at_most("kitten", "sitting", 3)
    assert not edit_distance_at_most("kitten", "sitting", 2)
    assert edit_distance_at_most("", "abc", 3) and not edit_distance_at_most("", "abcd", 3)
    assert edit_distance_at_most("abcdef", "abcdef", 0)


_WORDS = st.sampled_from("council should could build open close the new cycle lane library park bins road "
                         "trees on in and before summer street we they it".split())


@pytest.mark.slow
@settings(max_examples=150)
@given(st.lists(_WORDS, min_size=1, max_size=14), st.data(),
       st.sampled_from(["not", "never", "no", "don't", "shouldn't", "can’t", "cannot"]))
def test_a_text_and_its_negation_never_fold_together(words, data, negation):
    position = data.draw(st.integers(0, len(words)))
    text = " ".join(words)
    negated = " ".join([*words[:position], negation, *words[position:]])
    repeats = data.draw(st.integers(1, 4))
    labels = near_duplicate_groups(sorted(set(normalise([text, negated, negated.replace(" ", "  ")]))))
    assert len(set(labels.tolist())) == 2
    folded = fold_comments([text, negated] * repeats)
    assert len(folded) == 2 and {group.count for group in folded} == {repeats}


def test_terms_keep_negations():
    terms = {term.term: term.comments for term in top_terms([CYCLE_LANE] * 3 + [NO_CYCLE_LANE] * 2
                                                              + ["We don't want it", "No more bins, please"])}
    assert terms["build"] == 3 and terms["not build"] == 2
    assert terms["not want"] == 1 and terms["no more bins"] == 1
    assert "bins" not in terms and "want" not in terms
