"""Matplotlib set-up shared by every chart the platform draws (panels' quota and probability
charts, the commitments timeline, report charts and word clouds).

Matplotlib wants a writable cache directory (``MPLCONFIGDIR``); a service account's home may be
read-only, so one is made in the temporary directory, per user, unless the environment names
one. Call ``use_writable_matplotlib_cache()`` before matplotlib is first imported. Charts use the
object API on the Agg canvas (``matplotlib.figure.Figure``), never pyplot, so worker threads
never share a figure."""

from __future__ import annotations

import os
import tempfile


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
