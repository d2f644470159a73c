"""Matplotlib set-up shared by every chart the platform draws (panels' quota and probability
charts, the commitments timeline, report charts and word clouds).

Matplotlib wants a writable cache directory (``MPLCONFIGDIR``); a service account's home may be
read-only, so one is made in the temporary directory, per user, unless the environment names
one. Call ``use_writable_matplotlib_cache()`` before matplotlib is first imported. Charts use the
object API on the Agg canvas (``matplotlib.figure.Figure``), never pyplot, so worker threads
never share a figure.

A chart takes matplotlib hundreds of milliseconds, and most pages show the same chart until their
numbers change, so a chart function can be ``remembered``: each process keeps the last
``REMEMBERED`` charts it drew, by their inputs."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable


def use_writable_matplotlib_cache() -> str:
    """The directory matplotlib will use, made if needed (cheap: matplotlib is not imported)."""
    directory = os.environ.get("MPLCONFIGDIR") or os.path.join(tempfile.gettempdir(), f"civicpanel-matplotlib-{os.getuid()}")
    os.makedirs(directory, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = directory
    return directory


def use_agg_backend() -> None:
    """Matplotlib's Agg backend, for libraries (wordcloud) that draw through matplotlib's state."""
    use_writable_matplotlib_cache()
    import matplotlib

    matplotlib.use("Agg")


REMEMBERED = 64
"""Charts each process keeps, the least recently shown dropped first."""


def remembered(draw: Callable[..., bytes]) -> Callable[..., bytes]:
    """``draw``, drawing again only for inputs not seen among the last ``REMEMBERED`` (the inputs,
    all plain numbers, strings and containers of them, are keyed by a digest of their ``repr``)."""
    kept: OrderedDict[str, bytes] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(draw)
    def drawing(*args, **kwargs) -> bytes:
        key = hashlib.sha256(repr((args, sorted(kwargs.items()))).encode("utf-8")).hexdigest()
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        png = draw(*args, **kwargs)
        with lock:
            kept[key] = png
            while len(kept) > REMEMBERED:
                kept.popitem(last=False)
        return png

    return drawing
