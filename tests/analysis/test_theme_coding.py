"""Theme suggestions (TF-IDF and NMF) and double-coding agreement (Cohen's kappa)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from analysis.stats.agreement import agreement, kappa_words
from analysis.stats.theme_suggestions import MIN_COMMENTS, suggest_themes, suggestion_count

GROUPS = {
    "bins": ["The bins are collected late every week", "Bin collection is late on my street",
             "Collect the bins on time", "Bins left out for days after collection day"],
    "sharing": ["Publish every data sharing agreement", "Tell us who you share our data with",
                "Publish the data sharing agreements online", "List every agreement to share data"],
    "not sell": ["Do not sell my data", "Never sell personal data to companies", "Please do not sell data about us"],
}


def test_answers_about_the_same_thing_are_suggested_together():
    texts = [text for group in GROUPS.values() for text in group] * 2
    group_of = {text: name for name, group in GROUPS.items() for text in group}
    suggestions = suggest_themes(texts)
    assert suggestions, "eleven kinds of answer, each twice, give suggestions"
    for suggestion in suggestions:
        groups = {group_of[texts[position]] for position in suggestion.members}
        assert len(groups) == 1, f"{suggestion.terms} mixes {groups}"
        assert suggestion.terms and len(suggestion.members) >= 2
    together = {group_of[texts[suggestion.members[0]]] for suggestion in suggestions}
    assert {"bins", "sharing"} <= together
    # "not sell" stays one term (negation kept), so it never joins a group about selling.
    assert any("not sell" in suggestion.terms for suggestion in suggestions) or "not sell" not in together


def test_suggestions_are_the_same_each_time_and_need_enough_answers():
    texts = [text for group in GROUPS.values() for text in group] * 2
    assert suggest_themes(texts) == suggest_themes(list(texts))
    assert suggest_themes(texts[:MIN_COMMENTS - 1]) == []
    assert suggest_themes(["same words here"] * 20) == []  # one term shared by all: nothing to tell apart


def test_suggestion_count_grows_slowly_within_bounds():
    assert suggestion_count(10) == 2 and suggestion_count(200) == 8 and suggestion_count(10_000) == 8
    assert suggestion_count(50) == 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_kappa_matches_scikit_learn(pairs):
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    result = agreement(first, second)
    assert result.compared == len(pairs)
    assert result.both + result.first_only == sum(first) and result.both + result.second_only == sum(second)
    if result.kappa is None:
        assert len(set(first)) == 1 and first == second  # every decision the same, by both coders
    else:
        assert result.kappa == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


def test_kappa_by_hand_and_in_words():
    # 20 answers: both yes 6, first only 2, second only 1, both no 11: p_o = 0.85,
    # p_e = 0.4 × 0.35 + 0.6 × 0.65 = 0.53, kappa = 0.32 / 0.47.
    first = [True] * 8 + [False] * 12
    second = [True] * 6 + [False] * 2 + [True] + [False] * 11
    result = agreement(first, second)
    assert (result.both, result.first_only, result.second_only, result.neither) == (6, 2, 1, 11)
    assert result.kappa == pytest.approx(0.32 / 0.47)
    assert kappa_words(result.kappa) == "substantial"
    assert kappa_words(0.1) == "slight" and kappa_words(-0.2) == "poor" and kappa_words(0.95) == "almost perfect"
    assert kappa_words(0.4) == "fair" and kappa_words(0.41) == "moderate"
    assert "cannot be worked out" in kappa_words(None)
    with pytest.raises(ValueError):
        agreement([True], [True, False])


def test_random_coders_agree_about_as_chance_predicts():
    rng = random.Random(3)
    first = [rng.random() < 0.3 for _ in range(2_000)]
    second = [rng.random() < 0.3 for _ in range(2_000)]
    assert abs(agreement(first, second).kappa) < 0.1
