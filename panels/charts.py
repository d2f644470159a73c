"""Charts as PNG bytes (matplotlib, Agg, figure objects only so that worker threads can draw at
once). Callers run these off the event loop and always show the numbers as a table beside them.

The pool, quotas and selection pages show the same chart until their numbers change, so each
chart is ``remembered`` (``common.charts``)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from common.charts import remembered, use_writable_matplotlib_cache

use_writable_matplotlib_cache()

from matplotlib.figure import Figure  # noqa: E402

BRAND = "#00703c"
GREY = "#505a5f"
AMBER = "#f47738"
def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()


@remembered
def quota_chart(rows: Sequence[dict], *, k: int, pool_total: int | None = None) -> bytes:
    """One bar per category: quota range in seats (bar from min to max), the census target (tick),
    and, with ``pool_total``, the pool's share scaled to k seats (dot)."""
    labels = [f"{row['dimension']}: {row['category']}"[:48] for row in rows]
    height = max(2.5, 0.32 * len(rows) + 1)
    figure = Figure(figsize=(8, height))
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    axes.barh(positions, [row["quota_max"] - row["quota_min"] for row in rows],
              left=[row["quota_min"] for row in rows], color="#cce2d8", edgecolor=BRAND, label="quota range (seats)")
    axes.scatter([row["target"] for row in rows], positions, marker="|", s=200, color=GREY, label="census target")
    if pool_total:
        axes.scatter([k * row["pool"] / pool_total for row in rows], positions, marker="o", color=AMBER,
                     label="pool share × k")
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_xlabel("seats on the panel")
    axes.set_xlim(0, max([k / 2] + [row["quota_max"] + 1 for row in rows]))
    axes.legend(loc="lower right", fontsize=8)
    return _png(figure)


@remembered
def probability_chart(probabilities: Sequence[float], *, k: int) -> bytes:
    """Every volunteer's selection probability, sorted, with k/n (equal chances) for comparison."""
    values = sorted(probabilities)
    figure = Figure(figsize=(8, 3.2))
    axes = figure.add_subplot()
    axes.bar(range(len(values)), values, width=1.0, color=BRAND)
    if values:
        axes.axhline(k / len(values), color=AMBER, linestyle="--", label=f"k/n = {k / len(values):.3f}")
        axes.legend(loc="upper left", fontsize=8)
    axes.set_xlabel("volunteers, from lowest to highest probability")
    axes.set_ylabel("selection probability")
    axes.set_ylim(0, 1)
    return _png(figure)
