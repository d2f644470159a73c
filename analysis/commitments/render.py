"""Pictures and print of the cabinet report: the timeline chart (PNG) and the PDF for the
cabinet papers, both drawn from the report document (``analysis.commitments.report``).

Both are CPU work of a few hundred milliseconds: call them from a worker thread in a web
request. The chart uses matplotlib's object API with the Agg canvas (no pyplot global state,
so threads do not share a figure); the PDF prints the cabinet page's own HTML
(``analysis.printing``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from analysis.commitments.report import STATUS_NAMES, iso_to_human
from analysis.commitments.model import StatusValue
from common.charts import remembered, use_writable_matplotlib_cache
from analysis.printing import print_pdf, template_environment
from common.i18n import active_locale, format_count, gettext

use_writable_matplotlib_cache()

MET_COLOUR = "#00703c"
LATE_COLOUR = "#d4351c"
OPEN_COLOUR = "#1d70b8"
DEADLINE_COLOUR = "#0b0c0c"


def timeline_description(document: Mapping[str, Any]) -> str:
    """The chart in words, for its text alternative."""
    entries = document["timeline"]
    if not entries:
        return gettext("No commitment has a deadline on this date, so there is no timeline.")
    met = sum(1 for e in entries if e["met_on"])
    late = sum(1 for e in entries if e["met_on"] and e["met_on"] > e["deadline"])
    overdue = sum(1 for e in entries if e["status"] == StatusValue.OVERDUE)
    return gettext("Timeline of %(count)d commitment deadlines from %(first)s to %(last)s, against the dates they "
                   "were met: %(met)d met (%(late)d of them late), %(overdue)d overdue. The table below gives every date.",
                   count=len(entries), first=iso_to_human(entries[0]["deadline"]),
                   last=iso_to_human(entries[-1]["deadline"]), met=met, late=late, overdue=overdue)


def timeline_png(document: Mapping[str, Any], *, dpi: int = 110) -> bytes:
    """Deadlines (open diamonds) against dates met (filled circles), one row per commitment,
    with the report date as a dashed line. Late and overdue spans are red, met on time green.
    Shapes as well as colours carry the meaning. Drawn once per document and language
    (``common.charts.remembered``)."""
    return _timeline_png(document, locale=active_locale.get(), dpi=dpi)


@remembered
def _timeline_png(document: Mapping[str, Any], *, locale: str, dpi: int) -> bytes:
    """``timeline_png`` in the language ``locale``, which the labels are in (the active one)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    entries = list(reversed(document["timeline"]))  # earliest deadline at the top
    height = max(2.2, 0.42 * len(entries) + 1.3)
    figure = Figure(figsize=(8.5, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    as_of = date.fromisoformat(document["as_of"]) if document.get("as_of") else None
    for row, entry in enumerate(entries):
        deadline = date.fromisoformat(entry["deadline"])
        met_on = date.fromisoformat(entry["met_on"]) if entry["met_on"] else None
        if met_on:
            colour = LATE_COLOUR if met_on > deadline else MET_COLOUR
            axes.plot([deadline, met_on], [row, row], color=colour, linewidth=2.5)
            axes.plot([met_on], [row], marker="o", markersize=8, color=colour, linestyle="none")
        elif as_of and entry["status"] == StatusValue.OVERDUE:
            axes.plot([deadline, as_of], [row, row], color=LATE_COLOUR, linewidth=2.5, linestyle=(0, (4, 2)))
        axes.plot([deadline], [row], marker="D", markersize=8, markerfacecolor="white",
                  markeredgecolor=DEADLINE_COLOUR, markeredgewidth=1.6, linestyle="none")
    if as_of:
        axes.axvline(as_of, color=OPEN_COLOUR, linestyle="--", linewidth=1.2)
    axes.set_yticks(range(len(entries)))
    axes.set_yticklabels([f"{e['id']}  {_shorten(e['title'], 38)}" for e in entries], fontsize=9)
    axes.set_ylim(-0.7, max(len(entries) - 0.3, 0.7))
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    axes.tick_params(axis="x", labelsize=9)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    legend = [
        Line2D([], [], marker="D", markerfacecolor="white", markeredgecolor=DEADLINE_COLOUR, linestyle="none",
               label=gettext("Deadline")),
        Line2D([], [], marker="o", color=MET_COLOUR, label=gettext("Met on time")),
        Line2D([], [], marker="o", color=LATE_COLOUR, label=gettext("Met late")),
        Line2D([], [], color=LATE_COLOUR, linestyle=(0, (4, 2)), label=gettext("Overdue")),
        Line2D([], [], color=OPEN_COLOUR, linestyle="--", label=gettext("Report date")),
    ]
    axes.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(entries) > 3 else -0.25),
                ncols=5, fontsize=8, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def report_pdf(document: Mapping[str, Any], *, chart_png: bytes | None = None, note: str = "") -> bytes:
    """The report for the cabinet papers (A4), printed from the cabinet page's own sections
    (``templates/commitments/_report_sections.html``): headline counts, overdue and due soon,
    what changed, the timeline chart with its table, and every commitment. ``note`` is printed
    under the title (e.g. "Saved report of 3 July 2022"); the report date is the PDF's date."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = template_environment()
        _ENVIRONMENT.globals.update(day=iso_to_human, status_name=status_name, count=format_count)
    body = _ENVIRONMENT.get_template("commitments/_report_sections.html").render(
        doc=document, description=timeline_description(document), timeline_src="timeline.png", citations={})
    title = document["title"] or gettext("Commitments")
    as_of = date.fromisoformat(document["as_of"]) if document.get("as_of") else None
    return print_pdf(body, title=title, council=document["charter"]["organisation"] or document["charter"]["name"],
                     note=note, created=as_of, images={"timeline": chart_png} if chart_png else {})


_ENVIRONMENT = None


def changes_sentence(document: Mapping[str, Any]) -> str:
    changes = document.get("changes")
    if changes is None:
        return gettext("There is no earlier saved report to compare with.")
    since = iso_to_human(changes["previous_as_of"])
    met = ", ".join(f"{c['id']} ({c['title']})" for c in changes["newly_met"]) or gettext("none")
    overdue = ", ".join(f"{c['id']} ({c['title']})" for c in changes["newly_overdue"]) or gettext("none")
    return gettext("Since the report of %(since)s: newly met: %(met)s. Newly overdue: %(overdue)s.",
                   since=since, met=met, overdue=overdue)


def status_name(value: str) -> str:
    return str(STATUS_NAMES[StatusValue(value)])


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"



