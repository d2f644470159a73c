"""Free-text answers: identical and near-identical comments folded together with a count, and
the most frequent meaningful terms.

Folding keeps different opinions apart. Two comments are folded only when they are

1. *identical* after normalisation (Unicode NFKC, curly apostrophes straightened, case-folded,
   punctuation to spaces, whitespace collapsed) — "Fix the roads!!" and "fix the roads" are one; or
2. *near-identical*: their normalised texts differ by at most ``MAX_EDIT_DISTANCE`` characters
   and at most ``MAX_EDIT_SHARE`` of the longer text (Levenshtein distance, whichever bound is
   smaller) — a typo, a missing comma — **and** they contain the same negation words
   (``NEGATION_WORDS``, "n't" contractions). "The council should build the new cycle lane" and
   "…should not build…" are 4 characters apart and differ in "not": they stay two opinions.

Candidates for (2) come from MinHash (Broder, 1997) over character 4-grams with
locality-sensitive hashing in ``BANDS`` bands — the bucket key includes the negation words, so
only texts with the same negations meet — and each candidate pair is then checked with a
bounded edit distance. No all-pairs comparison: 20,000 comments take about a second. A
group is a connected component of checked pairs (every pair in a chain has the same negations,
so a group never mixes a text with its negation).

Each folded group shows its most common original wording (the shortest on ties) and how many
comments it stands for. Term counts are the number of comments (not distinct groups) that use a
term at least once: English stop words (wordcloud's list plus a few survey fillers) and words
shorter than three letters are left out — except that a negation word keeps the words it
negates as one term ("not build", "never be built"), so "build" counts only comments that do not
negate it and the split of opinion shows in the terms.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections import Counter
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

SHINGLE_LENGTH = 4
SIGNATURE_SIZE = 32
BANDS = 8
MAX_EDIT_DISTANCE = 3
"""Near-identical texts differ by at most this many characters (insertions, deletions, substitutions)…"""
MAX_EDIT_SHARE = 0.05
"""…and by at most this share of the longer normalised text."""
NEGATION_WORDS = frozenset({"not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "nowhere",
                            "cannot", "without"})
"""Words that turn an opinion round. Contractions ending in "n't" count as "not"."""
MAX_NEGATED_PHRASE = 3
"""A negation term runs from the negation word to the first content word: at most this many words."""
MIN_TERM_LENGTH = 3
EXTRA_STOP_WORDS = frozenset({"also", "just", "really", "think", "would", "will", "much", "many", "get", "one",
                              "make", "need", "like", "well", "please", "thanks", "thank", "don", "doesn", "didn", "isn", "can't", "won't"})
_HASH_SEED = 20260306


@functools.cache
def stop_words() -> frozenset[str]:
    """wordcloud's English stop-word list, read from its data file without importing wordcloud
    (which imports matplotlib: a second of start-up), plus ``EXTRA_STOP_WORDS``."""
    spec = importlib.util.find_spec("wordcloud")
    words: set[str] = set()
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "stopwords"
        if path.exists():
            words = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    return frozenset(words) | EXTRA_STOP_WORDS


@dataclass(frozen=True)
class FoldedComment:
    text: str
    """The most common original wording in the group."""
    count: int
    variants: int
    """How many distinct normalised wordings were folded into it."""


@dataclass(frozen=True)
class TermCount:
    term: str
    comments: int


@dataclass(frozen=True)
class FreeTextSummary:
    question_key: str
    n_comments: int
    n_distinct: int
    """Groups after folding identical and near-identical comments."""
    folded: tuple[FoldedComment, ...]
    """Largest groups first (not published in the JSON: quotes are chosen by officers)."""
    top_terms: tuple[TermCount, ...]


_PUNCTUATION = re.compile(r"[^\w\s']|_")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


_CURLY_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _straight(text: str) -> str:
    return text.translate(_CURLY_APOSTROPHES)


def normalise_one(text: str) -> str:
    """NFKC, case-folded, punctuation removed (apostrophes dropped), whitespace collapsed."""
    text = _PUNCTUATION.sub(" ", _straight(unicodedata.normalize("NFKC", text)).casefold()).replace("'", "")
    return _SPACE.sub(" ", text).strip()


def normalise(texts: Iterable[str]) -> list[str]:
    # A comprehension over the distinct comments: pandas' string methods loop in Python as
    # well, and are several times slower here (no pyarrow).
    done: dict[str, str] = {}
    return [done[text] if text in done else done.setdefault(text, normalise_one(text)) for text in texts]


def _minhash_signatures(texts: list[str]) -> np.ndarray:
    """``len(texts) × SIGNATURE_SIZE`` MinHash values of each text's character 4-gram set."""
    count = len(texts)
    if count == 0:
        return np.zeros((0, SIGNATURE_SIZE), dtype=np.uint64)
    padded = [text.ljust(SHINGLE_LENGTH, "\x00") for text in texts]
    lengths = np.fromiter((len(text) for text in padded), dtype=np.int64, count=count)
    characters = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    shingles_per_text = lengths - SHINGLE_LENGTH + 1
    # Polynomial hash of every window; windows crossing a text boundary are dropped below.
    windows = characters.size - SHINGLE_LENGTH + 1
    shingle = np.zeros(windows, dtype=np.uint64)
    for offset in range(SHINGLE_LENGTH):
        shingle = shingle * np.uint64(1_000_003) + characters[offset:offset + windows]
    owner = np.repeat(np.arange(count), shingles_per_text)
    positions = np.concatenate([np.arange(start, start + size) for start, size in zip(starts, shingles_per_text)]) \
        if count < 64 else (np.arange(owner.size) - np.repeat(np.cumsum(shingles_per_text) - shingles_per_text,
                                                              shingles_per_text) + np.repeat(starts, shingles_per_text))
    shingle = shingle[positions]
    rng = np.random.default_rng(_HASH_SEED)
    multipliers = rng.integers(1, 2**63, SIGNATURE_SIZE, dtype=np.uint64) | np.uint64(1)
    offsets = rng.integers(0, 2**63, SIGNATURE_SIZE, dtype=np.uint64)
    boundaries = np.concatenate([[0], np.cumsum(shingles_per_text)[:-1]])
    signatures = np.empty((count, SIGNATURE_SIZE), dtype=np.uint64)
    for index in range(SIGNATURE_SIZE):
        hashed = (shingle * multipliers[index] + offsets[index]) >> np.uint64(32)  # multiply-shift, wraps mod 2^64
        signatures[:, index] = np.minimum.reduceat(hashed, boundaries)
    return signatures


_CONTRACTED_AUXILIARIES = frozenset({"do", "does", "did", "is", "are", "was", "were", "should", "would", "could",
                                     "ca", "wo", "has", "have", "had", "must", "need", "ai", "sha", "might", "dare"})


@functools.lru_cache(maxsize=1 << 16)
def negation_of(word: str) -> str | None:
    """``"not"`` for a "n't" contraction (with or without its apostrophe), the word itself for a
    negation word, else None."""
    if word in NEGATION_WORDS:
        return "not" if word == "cannot" else word
    if word.endswith("n't") or (word.endswith("nt") and word[:-2] in _CONTRACTED_AUXILIARIES):
        return "not"
    return None


def negations(normal_text: str) -> tuple[str, ...]:
    """The negation words of a normalised text, sorted: texts fold only when these are equal."""
    return tuple(sorted(negation for word in normal_text.split() if (negation := negation_of(word))))


def edit_distance_at_most(left: str, right: str, bound: int) -> bool:
    """Whether the Levenshtein distance of two strings is at most ``bound`` (banded dynamic
    programming: O(length × bound))."""
    if abs(len(left) - len(right)) > bound:
        return False
    if left == right:
        return True
    if bound <= 0:
        return False
    big = bound + 1
    previous = [index if index <= bound else big for index in range(len(right) + 1)]
    for row, character in enumerate(left, start=1):
        low, high = max(1, row - bound), min(len(right), row + bound)
        current = [big] * (len(right) + 1)
        current[0] = row if row <= bound else big
        for column in range(low, high + 1):
            cost = 0 if right[column - 1] == character else 1
            current[column] = min(previous[column - 1] + cost, previous[column] + 1, current[column - 1] + 1, big)
        if min(current[max(0, low - 1):high + 1]) > bound:
            return False
        previous = current
    return previous[len(right)] <= bound


def allowed_edits(left: str, right: str) -> int:
    """The largest edit distance at which two normalised texts count as near-identical."""
    return min(MAX_EDIT_DISTANCE, int(MAX_EDIT_SHARE * max(len(left), len(right))))


def near_identical(left: str, right: str) -> bool:
    """Two normalised texts are one opinion: a few characters apart, and the same negations."""
    return negations(left) == negations(right) and edit_distance_at_most(left, right, allowed_edits(left, right))


def near_duplicate_groups(texts: list[str]) -> np.ndarray:
    """A group label per (distinct, normalised) text: texts that are ``near_identical`` —
    directly or through a chain of such pairs — share a label."""
    count = len(texts)
    if count < 2:
        return np.zeros(count, dtype=np.int64)
    signatures = _minhash_signatures(texts)
    negation_key = pd.factorize(pd.Series([" ".join(negations(text)) for text in texts], dtype=object))[0]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    rows_per_band = SIGNATURE_SIZE // BANDS
    candidate_pairs: set[tuple[int, int]] = set()
    for band in range(BANDS):
        block = np.column_stack([signatures[:, band * rows_per_band:(band + 1) * rows_per_band],
                                 negation_key.astype(np.uint64)])
        block = np.ascontiguousarray(block)
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * block.shape[1]))).reshape(-1)
        _, first, bucket = np.unique(keys, return_index=True, return_inverse=True)
        representative = first[bucket.reshape(-1)]
        left = np.flatnonzero(representative != np.arange(count))
        right = representative[left]
        # A pair further apart in length than its allowed edits cannot be near-identical.
        allowed = np.minimum(MAX_EDIT_DISTANCE, (MAX_EDIT_SHARE * np.maximum(lengths[left], lengths[right])).astype(int))
        close = np.abs(lengths[left] - lengths[right]) <= allowed
        candidate_pairs.update(zip(left[close].tolist(), right[close].tolist()))
    # Same bucket means same negations (they are part of the key): only the edits remain to check.
    pairs = [(left, right) for left, right in candidate_pairs
             if edit_distance_at_most(texts[left], texts[right], allowed_edits(texts[left], texts[right]))]
    source = np.array([left for left, _ in pairs], dtype=np.int64)
    target = np.array([right for _, right in pairs], dtype=np.int64)
    graph = coo_matrix((np.ones(source.size), (source, target)), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def fold_comments(texts: Iterable[str | None]) -> list[FoldedComment]:
    """Identical and near-identical comments as groups with counts, largest first."""
    original = [text.strip() for text in texts if isinstance(text, str) and text.strip()]
    if not original:
        return []
    normal_codes, distinct = pd.factorize(pd.Series(normalise(original), dtype=object), sort=True)
    near = near_duplicate_groups([str(text) for text in distinct])
    table = pd.DataFrame({"group": near[normal_codes], "normal": normal_codes, "text": original,
                          "length": np.fromiter((len(text) for text in original), dtype=np.int64,
                                                count=len(original))})
    wording = table.groupby(["group", "text"], sort=False).agg(uses=("length", "size"), length=("length", "first"))
    wording = wording.reset_index().sort_values(["group", "uses", "length", "text"],
                                                ascending=[True, False, True, True])
    best = wording.drop_duplicates("group").set_index("group")["text"]
    sizes = table.groupby("group").agg(count=("text", "size"), variants=("normal", "nunique"))
    sizes["text"] = best
    sizes = sizes.sort_values(["count", "text"], ascending=[False, True])
    return [FoldedComment(text=str(text), count=int(count), variants=int(variants))
            for text, count, variants in zip(sizes["text"], sizes["count"], sizes["variants"])]


@functools.lru_cache(maxsize=1 << 16)
def _content_word(word: str) -> bool:
    """``_is_content_word`` with the stop words, remembered per word (a comment set repeats its
    vocabulary many times over)."""
    return _is_content_word(word, stop_words())


def comment_terms(text: str) -> list[str]:
    """The terms of one comment: content words, and negated phrases in place of the words they
    negate ("we should not build it" → ["not build"]; "no more bins" → ["no more bins"])."""
    words = _WORD.findall(_straight(unicodedata.normalize("NFKC", text)).casefold())
    terms: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        negation = negation_of(word)
        if negation is not None:
            phrase = [negation]
            following = index + 1
            while following < len(words) and len(phrase) < MAX_NEGATED_PHRASE:
                phrase.append(words[following])
                following += 1
                if _content_word(words[following - 1]):
                    break
            if len(phrase) > 1 and _content_word(phrase[-1]):
                terms.append(" ".join(phrase))
                index = following
                continue
        elif _content_word(word):
            terms.append(word)
        index += 1
    return terms


def _is_content_word(word: str, stops: frozenset[str]) -> bool:
    return len(word) >= MIN_TERM_LENGTH and word not in stops and negation_of(word) is None


def top_terms(texts: Iterable[str | None], *, limit: int = 30) -> list[TermCount]:
    """The most used meaningful terms: how many comments use each (ties alphabetical)."""
    comments: Counter[str] = Counter()
    for text, uses in Counter(text for text in texts if isinstance(text, str)).items():  # each wording once
        for term in set(comment_terms(text)):  # a term counts once per comment
            comments[term] += uses
    ranked = sorted(comments.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [TermCount(term=term, comments=count) for term, count in ranked]


def summarise_free_text(question_key: str, texts: Iterable[str | None], *, term_limit: int = 30) -> FreeTextSummary:
    texts = [text for text in texts if text is not None and not pd.isna(text) and str(text).strip()]
    folded = fold_comments(texts)
    return FreeTextSummary(question_key=question_key, n_comments=len(texts), n_distinct=len(folded),
                           folded=tuple(folded), top_terms=tuple(top_terms(texts, limit=term_limit)))
