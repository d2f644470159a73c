"""Free-text answers: identical and near-identical comments folded together with a count, and
the most frequent meaningful terms.

Folding, in two vectorised passes:

1. *Identical*: text normalised (Unicode NFKC, case-folded, punctuation to spaces, whitespace
   collapsed) and grouped — "Fix the roads!!" and "fix the roads" are one.
2. *Near-identical*: MinHash (Broder, 1997) over character 4-grams of each distinct normalised
   text, ``SIGNATURE_SIZE`` hash functions of the multiply–shift family, and locality-sensitive
   hashing in ``BANDS`` bands. Texts sharing a band bucket are candidates; a candidate is joined
   to its bucket's first member when their estimated Jaccard similarity (share of equal MinHash
   values) is at least ``NEAR_DUPLICATE_SIMILARITY``; groups are the connected components. No
   all-pairs comparison: cost grows with the number of characters, so 20,000 comments take well
   under a second.

Each folded group shows its most common original wording (the shortest on ties) and how many
comments it stands for. Term counts are the number of comments (not distinct groups) that use a
term at least once: English stop words (wordcloud's list plus a few survey fillers) and words
shorter than three letters are left out.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
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
NEAR_DUPLICATE_SIMILARITY = 0.8
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


def normalise_one(text: str) -> str:
    """NFKC, case-folded, punctuation removed (apostrophes dropped), whitespace collapsed."""
    text = _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", text).casefold()).replace("'", "")
    return _SPACE.sub(" ", text).strip()


def normalise(texts: Iterable[str]) -> list[str]:
    # A comprehension over the comments: pandas' string methods loop in Python as well, and
    # are several times slower here (no pyarrow).
    return [normalise_one(text) for text in texts]


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


def near_duplicate_groups(texts: list[str]) -> np.ndarray:
    """A group label per text: texts whose estimated Jaccard similarity of character 4-grams is
    at least ``NEAR_DUPLICATE_SIMILARITY`` (directly or through a chain) share a label."""
    count = len(texts)
    if count < 2:
        return np.zeros(count, dtype=np.int64)
    signatures = _minhash_signatures(texts)
    rows_per_band = SIGNATURE_SIZE // BANDS
    sources, targets = [], []
    for band in range(BANDS):
        block = np.ascontiguousarray(signatures[:, band * rows_per_band:(band + 1) * rows_per_band])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows_per_band))).reshape(-1)
        _, first, bucket = np.unique(keys, return_index=True, return_inverse=True)
        representative = first[bucket.reshape(-1)]
        candidate = representative != np.arange(count)
        left, right = np.flatnonzero(candidate), representative[candidate]
        similarity = (signatures[left] == signatures[right]).mean(axis=1)
        keep = similarity >= NEAR_DUPLICATE_SIMILARITY
        sources.append(left[keep])
        targets.append(right[keep])
    source = np.concatenate(sources)
    target = np.concatenate(targets)
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


def top_terms(texts: Iterable[str | None], *, limit: int = 30) -> list[TermCount]:
    """The most used meaningful words: how many comments use each (ties alphabetical)."""
    texts = [text for text in texts if isinstance(text, str)]
    if not texts:
        return []
    words = [_WORD.findall(unicodedata.normalize("NFKC", text).casefold()) for text in texts]
    sizes = np.fromiter((len(found) for found in words), dtype=np.int64, count=len(words))
    flat = pd.Series(list(itertools.chain.from_iterable(words)), dtype=object)
    if flat.empty:
        return []
    comment = np.repeat(np.arange(len(words)), sizes)
    lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    keep = (lengths >= MIN_TERM_LENGTH) & ~flat.isin(stop_words()).to_numpy()
    pairs = pd.DataFrame({"comment": comment[keep], "term": flat.to_numpy()[keep]}).drop_duplicates()
    if pairs.empty:
        return []
    counts = pairs["term"].value_counts().rename_axis("term").reset_index(name="comments")  # once per comment
    counts = counts.sort_values(["comments", "term"], ascending=[False, True]).head(limit)
    return [TermCount(term=str(term), comments=int(comments)) for term, comments in zip(counts["term"], counts["comments"])]


def summarise_free_text(question_key: str, texts: Iterable[str | None], *, term_limit: int = 30) -> FreeTextSummary:
    texts = [text for text in texts if text is not None and not pd.isna(text) and str(text).strip()]
    folded = fold_comments(texts)
    return FreeTextSummary(question_key=question_key, n_comments=len(texts), n_distinct=len(folded),
                           folded=tuple(folded), top_terms=tuple(top_terms(texts, limit=term_limit)))
