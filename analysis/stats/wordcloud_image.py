"""A word cloud of a free-text question's top terms, as PNG bytes, with its text alternative.

Deterministic: the same terms give the same bytes (fixed ``random_state``, fixed size, the
font wordcloud ships). wordcloud imports matplotlib for its colour maps; matplotlib wants a
writable ``MPLCONFIGDIR``, so one is made in the temporary directory when it is unset, and the
Agg backend is chosen (no display). Rendering takes about half a second: call it off the event
loop and cache the bytes.

Words are drawn in ``PALETTE`` on ``BACKGROUND``: GOV.UK colours each at 4.5:1 or more on white
(WCAG 2.2 text contrast, ``common.contrast``), so no word is as faint as viridis's yellow and lime.
A word's colour follows from the word (a CRC-32 of it), not from its size or rank: colour carries no
meaning, and the table of terms beside the cloud gives the numbers.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.stats.free_text import TermCount
from common.charts import use_agg_backend

WIDTH = 800
HEIGHT = 400
RANDOM_STATE = 6
ALT_TERMS = 15
BACKGROUND = "#ffffff"
PALETTE = ("#1d70b8", "#003078", "#00703c", "#4c2c92", "#942514", "#912b88", "#6f3000", "#0b0c0c")
"""Blue, dark blue, green, purple, dark red, magenta, brown and near-black from the GOV.UK palette."""


def word_colour(word: str, *_args: object, **_kwargs: object) -> str:
    """The colour a word is drawn in (wordcloud's ``color_func``); the same word, the same colour."""
    return PALETTE[zlib.crc32(word.encode("utf-8")) % len(PALETTE)]


@dataclass(frozen=True)
class WordCloudImage:
    png: bytes
    alt_text: str


def alt_text(terms: Sequence[TermCount], n_comments: int, *, limit: int = ALT_TERMS) -> str:
    """``Word cloud of the most used words in 120 comments: parking (40 comments), …``."""
    if not terms:
        return f"No word cloud: no meaningful words in {n_comments} comment{'s' if n_comments != 1 else ''}."
    listed = "; ".join(f"{term.term} ({term.comments} comment{'s' if term.comments != 1 else ''})"
                       for term in terms[:limit])
    return f"Word cloud of the most used words in {n_comments} comment{'s' if n_comments != 1 else ''}: {listed}."


def render_word_cloud(terms: Sequence[TermCount], n_comments: int) -> WordCloudImage | None:
    """The cloud (sized by the number of comments using each term), or None without terms."""
    if not terms:
        return None
    use_agg_backend()
    from wordcloud import WordCloud

    cloud = WordCloud(width=WIDTH, height=HEIGHT, background_color=BACKGROUND, random_state=RANDOM_STATE,
                      color_func=word_colour, prefer_horizontal=0.9, max_words=len(terms), collocations=False)
    cloud.generate_from_frequencies({term.term: term.comments for term in terms})
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG", optimize=False)
    return WordCloudImage(png=buffer.getvalue(), alt_text=alt_text(terms, n_comments))
