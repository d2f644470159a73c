"""Theme suggestions for free-text answers: TF-IDF over the terms of each comment, factorised by
non-negative matrix factorisation (NMF), as scikit-learn implements both.

Each suggestion is one NMF component: its strongest terms name it, and the comments whose
strongest component it is are its members, for the officer to read, name and apply as a theme
(or ignore). The terms are ``analysis.stats.free_text.comment_terms``, the same ones as the
report's word counts, so "not build" stays apart from "build". ``init="nndsvda"`` makes the
factorisation deterministic: the same comments give the same suggestions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.stats.free_text import comment_terms

MIN_COMMENTS = 10
"""Fewer comments than this are read, not clustered."""
MAX_SUGGESTIONS = 8
TERMS_SHOWN = 5
MIN_MEMBERS = 2
MIN_SHARE = 0.5
"""A comment is a member of the component holding at least this share of its weight."""


@dataclass(frozen=True)
class ThemeSuggestion:
    """``terms``: the component's strongest terms; ``members``: positions (in the texts given) of
    the comments it describes best, strongest first."""

    terms: tuple[str, ...]
    members: tuple[int, ...]


def suggestion_count(comments: int, limit: int = MAX_SUGGESTIONS) -> int:
    """How many components to look for: about √(n/2) (a common rule of thumb), 2 to ``limit``."""
    return max(2, min(limit, round(math.sqrt(comments / 2))))


def suggest_themes(texts: Sequence[str], *, limit: int = MAX_SUGGESTIONS) -> list[ThemeSuggestion]:
    """Suggested themes for ``texts``, largest first; none when there are too few comments or
    too few shared terms to find structure in."""
    if sum(1 for text in texts if text and text.strip()) < MIN_COMMENTS:
        return []
    vectorizer = TfidfVectorizer(analyzer=comment_terms, min_df=2, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([text or "" for text in texts])
    except ValueError:  # no term is used by two comments
        return []
    terms = vectorizer.get_feature_names_out()
    components = min(suggestion_count(len(texts), limit), len(terms) - 1)
    if components < 2:
        return []
    model = NMF(n_components=components, init="nndsvda", max_iter=500, random_state=0)
    weights = model.fit_transform(matrix)
    strongest = weights.argmax(axis=1)
    totals = weights.sum(axis=1)
    # A comment belongs to the component that holds most of its weight; one spread over several
    # (or with no shared term at all) is left for the officer to read.
    described = (totals > 0) & (weights.max(axis=1) >= MIN_SHARE * np.where(totals > 0, totals, 1))
    suggestions = []
    for component in range(components):
        members = np.flatnonzero((strongest == component) & described)
        if len(members) < MIN_MEMBERS:
            continue
        order = members[np.argsort(-weights[members, component], kind="stable")]
        top = np.argsort(-model.components_[component], kind="stable")[:TERMS_SHOWN]
        suggestions.append(ThemeSuggestion(terms=tuple(str(terms[i]) for i in top if model.components_[component, i] > 0),
                                           members=tuple(int(i) for i in order)))
    return sorted(suggestions, key=lambda item: (-len(item.members), item.terms))
