"""Free text: folding identical and near-identical comments, terms, and the word cloud."""

import numpy as np

from analysis.stats.free_text import (FoldedComment, TermCount, fold_comments, near_duplicate_groups, normalise,
                                summarise_free_text, top_terms)
from analysis.stats.wordcloud_image import alt_text, render_word_cloud


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise(["  Fix the ROADS!! ", "fix   the roads", "Don't"]) == ["fix the roads", "fix the roads", "dont"]


def test_identical_and_near_identical_are_folded_with_counts():
    comments = [
        "Please keep the library on Queen's Crescent open on Saturdays, it matters to families.",
        "Please keep the library on Queens Crescent open on Saturdays, it matters to families",
        "please keep the library on Queen's Crescent open on saturdays it matters to our families.",
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
