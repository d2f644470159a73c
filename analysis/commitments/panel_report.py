"""The Resident Panel's report as files: the recommendations in the members' words with their
support, the council's response, the commitments each led to (status today) and the panel's
view of the response — the public page's own body printed as a PDF, and one CSV row per
recommendation (columns in ``docs/panel-report.md``).

Only totals leave here: the ballots are counted per grade, the panel's view under the reports'
disclosure rules (``responses.published_panel_view``), and nothing names a member.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from analysis.commitments.responses import RecommendationOutcome
from analysis.printing import print_pdf, template_environment
from common.formulas import safe_cell
from panels import ballots
from panels.response_ratings import RATINGS

CSV_HEADER = [
    "number", "title", "text", "vote", "ballots", *(f"votes_{grade}" for grade in ballots.GRADES), "supporting",
    "support_percent", "threshold_percent", "adopted", "response", "response_reasons", "decision", "decided_on",
    "owner", "commitments", "panel_view_total", *(f"panel_view_{rating}" for rating in RATINGS),
]
"""The CSV's columns, one row per recommendation whose vote has ended."""


def panel_report_csv(outcomes: Sequence[RecommendationOutcome]) -> str:
    """One row per recommendation (``CSV_HEADER``), every cell guarded against spreadsheet
    formulas. A panel's-view count hidden under the disclosure threshold is blank, as the page
    shows it hidden; ``commitments`` lists ``charter/key: status`` separated by ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for outcome in outcomes:
        item, result, response = outcome.recommendation, outcome.result, outcome.response
        percent = round(result.support_percent, 1) if result.support_percent is not None else None
        views = {figure.rating: figure.count for figure in outcome.panel_view}
        row = [item.number, item.title, item.text, outcome.vote_title, result.ballots,
               *(result.counts[grade] for grade in ballots.GRADES), result.supporting, percent,
               result.threshold_percent, "yes" if result.adopted else "no",
               response.outcome if response else "", response.reasons if response else "",
               response.decision if response else "",
               response.decided_on.isoformat() if response and response.decided_on else "",
               response.owner if response else "",
               "; ".join(f"{c.charter_slug}/{c.key}: {c.status}" for c in outcome.commitments),
               outcome.panel_view_total if response else "", *(views.get(rating) for rating in RATINGS)]
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


_ENVIRONMENT = None


def panel_report_body(outcomes: Sequence[RecommendationOutcome]) -> str:
    """The public page's report body (``templates/panels/public/_report_body.html``) without its
    links and forms, for print."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = template_environment()
    return _ENVIRONMENT.get_template("panels/public/_report_body.html").render(
        outcomes=outcomes, grades=ballots.GRADES, grade_labels=ballots.GRADE_LABELS, printing=True)


def panel_report_pdf(body_html: str, *, title: str, council: str, as_of: date, note: str = "",
                     language: str = "en-GB") -> bytes:
    """The report as a tagged A4 PDF (``analysis.printing``), dated the day it was read for (the
    commitments' status is today's). CPU work: call it from a worker thread in a request."""
    return print_pdf(body_html, title=title, council=council, note=note, created=as_of, language=language)
