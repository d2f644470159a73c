"""Charts as PNG bytes (matplotlib, Agg, figure objects only so that worker threads can draw at
once). Callers run these off the event loop and always show the numbers as a table beside them.

The pool, quotas and selection pages show the same chart until their numbers change, so each
chart is ``remembered`` (``common.charts``)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from common.i18n import gettext
from panels.plain_words import group_label

from common.charts import remembered, use_writable_matplotlib_cache

use_writable_matplotlib_cache()

from matplotlib.figure import Figure  # noqa: E402

BRAND = "#00703c"
GREY = "#505a5f"
AMBER = "#f47738"
LABEL_WIDTH = 34
"""Characters per line of a group's label: longer labels wrap onto more lines, never cut off."""


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()


@remembered
def quota_chart(rows: Sequence[dict], *, k: int, pool_total: int | None = None) -> bytes:
    """One bar per category: quota range in seats (bar from min to max), the census target (tick),
    and, with ``pool_total``, the pool's share scaled to k seats (dot)."""
    labels = [textwrap.fill(group_label(row["dimension"], row["category"]), LABEL_WIDTH) for row in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    height = max(2.5, 0.2 * lines + 0.12 * len(rows) + 1)
    figure = Figure(figsize=(8, height))
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    axes.barh(positions, [row["quota_max"] - row["quota_min"] for row in rows],
              left=[row["quota_min"] for row in rows], color="#cce2d8", edgecolor=BRAND, label=gettext("quota range (seats)"))
    axes.scatter([row["target"] for row in rows], positions, marker="|", s=200, color=GREY, label=gettext("census target"))
    if pool_total:
        axes.scatter([k * row["pool"] / pool_total for row in rows], positions, marker="o", color=AMBER,
                     label=gettext("pool, scaled to the seats"))
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_xlabel(gettext("seats on the panel"))
    axes.set_xlim(0, max([k / 2] + [row["quota_max"] + 1 for row in rows]))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / (0.77 * height)), ncol=3, fontsize=8, frameon=False)
    return _png(figure)


@remembered
def probability_chart(probabilities: Sequence[float], *, k: int) -> bytes:
    """Every volunteer's selection probability, sorted, with k/n (equal chances) for comparison."""
    values = sorted(probabilities)
    figure = Figure(figsize=(8, 3.2))
    axes = figure.add_subplot()
    axes.bar(range(len(values)), values, width=1.0, color=BRAND)
    if values:
        axes.axhline(k / len(values), color=AMBER, linestyle="--", label=gettext("equal chances for all: %(chance).3f", chance=k / len(values)))
        axes.legend(loc="upper left", fontsize=8)
    axes.set_xlabel(gettext("volunteers, from lowest to highest chance"))
    axes.set_ylabel(gettext("chance of being selected"))
    axes.set_ylim(0, 1)
    return _png(figure)
