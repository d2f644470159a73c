"""The "We asked, You said, We did" report drawn from its document: the HTML fragment (one
template, ``templates/reports/_body.html``, for the draft, the published page, the PDF and the
command line) with its charts as HTML bars from the tables' own numbers, word clouds (PNG with a
text alternative), open-data CSV, and the PDF printed from the same HTML (``analysis.printing``).

Everything here is CPU work: call it from a worker thread in a web request.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from analysis.commitments.report import iso_to_human
from analysis.printing import print_pdf, template_environment
from common.i18n import gettext, lazy_gettext

from analysis.stats.disclosure import HIDDEN, HIDDEN_MARK, SECONDARY, SECONDARY_MARK
from analysis.stats.weighting import DIMENSION_LABELS
from analysis.reports.first_screen import has_more_than_lead, lead_sentence
from analysis.reports.you_said import YouSaid, word_cloud_images
from common.formulas import safe_cell

CSV_HEADER = ["section", "question_key", "question", "group", "option", "count", "percent", "ci_low", "ci_high",
              "weighted_percent", "suppressed", "suppression", "value", "display"]
"""The open-data CSV's columns; each section's use of them is in ``docs/report-json.md``."""

Images = dict[str, tuple[bytes, str]]
"""image name → (PNG bytes, text alternative)."""

TEST_NAMES = {"chi_square": lazy_gettext("chi-square test"), "fisher_exact": lazy_gettext("Fisher's exact test"),
              "rao_scott": lazy_gettext("chi-square test with Rao and Scott's correction for weighting")}
"""What a reader sees for each test ``analysis.stats.crosstabs`` may run."""


def dimension_words(dimension: str) -> str:
    """``age_band`` reads "age band": the words for a breakdown's group, never its key."""
    return str(DIMENSION_LABELS.get(dimension, dimension.replace("_", " ")))


def statistical_test_words(test: str | None) -> str:
    """``chi_square`` reads "chi-square test"."""
    return str(TEST_NAMES.get(test or "", (test or "").replace("_", " ")))


def breakdown_caption(question_text: str, dimension: str) -> str:
    """"Answers to ‘I trust the council…fairly’ by ethnic group": the question quoted, so its own
    full stop or question mark never runs into the words after it."""
    return gettext("Answers to ‘%(question)s’ by %(dimension)s", question=question_text.strip().rstrip("."),
                   dimension=dimension_words(dimension))


def status_on(status_label: str | None, status_as_of: str | None) -> str:
    """A cited commitment's status with the day it was read: "Met on time on 19 January 2022
    (as of 5 December 2026)"."""
    status = status_label or gettext("status unknown")
    if not status_as_of:
        return status
    return gettext("%(status)s (as of %(day)s)", status=status, day=iso_to_human(status_as_of))


def _number(value: float | None, suffix: str = "%") -> str:
    return "" if value is None else f"{value:g}{suffix}"


def quote_source(quote: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    """Where a quote comes from, without any name: the question or the case study."""
    if quote.get("source") == "comment":
        return gettext("A comment on the case study ‘%(case_study)s’",
                       case_study=quote.get("case_study_title") or quote.get("case_study"))
    texts = {item["key"]: item["text"] for item in [*document.get("questions", []), *document.get("free_text", [])]}
    question = texts.get(quote.get("question_key") or "")
    return gettext("An answer to ‘%(question)s’", question=question) if question else gettext("An answer to the questionnaire")


def option_sentence(option: Mapping[str, Any], n_answered: int) -> str:
    """``73% (16 of 22; 95% CI 52% to 87%)``; a hidden count (About you) says so."""
    if option["count"] is None:
        return gettext("%(mark)s hidden to protect privacy", mark=HIDDEN_MARK)
    if option["percent"] is None:
        return gettext("%(count)s of %(answered)s", count=option["count"], answered=n_answered)
    return gettext("%(percent)s%% (%(count)s of %(answered)s; 95%% CI %(low)s%% to %(high)s%%)",
                   percent=format(option['percent'], "g"), count=option["count"], answered=n_answered,
                   low=format(option['ci_low'], "g"), high=format(option['ci_high'], "g"))


# ---------------------------------------------------------------- pictures

def report_images(document: Mapping[str, Any], you_said: YouSaid | None = None) -> Images:
    """The report's pictures, by name: a word cloud ``cloud-<key>`` per free-text question with
    terms. Every other chart is HTML bars drawn from the table's own numbers
    (``components/chart_with_table.html``). Clouds need the ``YouSaid`` value (the document
    holds only the top terms)."""
    if you_said is None:
        return {}
    return {f"cloud-{key}": (image.png, image.alt_text) for key, image in word_cloud_images(you_said).items()}


# ---------------------------------------------------------------- HTML

def _environment() -> Environment:
    """The page templates with the report's helpers, for the body drawn outside a request too."""
    environment = template_environment()
    environment.globals["day"] = iso_to_human
    environment.globals["percent"] = _number
    environment.globals["option_sentence"] = option_sentence
    environment.globals["holm_test_count"] = holm_test_count
    environment.globals["hidden_mark"] = hidden_mark
    environment.globals["hidden_caption"] = hidden_caption
    environment.globals["uses_hidden_mark"] = uses_hidden_mark
    environment.globals["quote_source"] = quote_source
    environment.globals["SECONDARY_MARK"] = SECONDARY_MARK
    environment.globals["HIDDEN_MARK"] = HIDDEN_MARK
    environment.globals["dimension_words"] = dimension_words
    environment.globals["statistical_test_words"] = statistical_test_words
    environment.globals["breakdown_caption"] = breakdown_caption
    environment.globals["status_on"] = status_on
    environment.globals["lead_sentence"] = lead_sentence
    environment.globals["has_more_than_lead"] = has_more_than_lead
    environment.globals["number"] = thousands
    return environment


def thousands(value: int | float) -> str:
    """12,345: a count with thousands separated."""
    return "{:,}".format(value)


_ENVIRONMENT: Environment | None = None


def _environment_once() -> Environment:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _environment()
    return _ENVIRONMENT


PIECES = {"questions": "reports/_body_questions.html", "annex": "reports/_body_annex.html"}
"""The parts of the body drawn from the statistics alone (no officer's words): the results
question by question and the statistics annex, most of the body's size and rendering time."""


def statistics_pieces(document: Mapping[str, Any], images: Mapping[str, tuple[bytes, str]],
                      image_url: Callable[[str], str]) -> dict[str, str]:
    """``PIECES`` rendered, for ``render_html(pieces=…)``: rendered once per version of the
    statistics and kept with them (``analysis.reports.build.Statistics``)."""
    environment = _environment_once()
    alts = {name: alt for name, (_, alt) in images.items()}
    return {name: environment.get_template(template).render(doc=document, alts=alts, image_url=image_url)
            for name, template in PIECES.items()}


def inline_image_url(images: Mapping[str, tuple[bytes, str]]) -> Callable[[str], str]:
    """Each picture's address as a ``data:`` URL: the draft's pictures travel inside its page,
    so any worker can serve it and no process keeps images another would need."""
    return lambda name: "data:image/png;base64," + base64.b64encode(images[name][0]).decode("ascii")


def render_html(document: Mapping[str, Any], images: Mapping[str, tuple[bytes, str]],
                image_url: Callable[[str], str], *, commitment_link: Callable[[str, str], str] | None = None,
                pieces: Mapping[str, str] | None = None) -> str:
    """The report body (no page chrome), escaped. ``image_url(name)`` gives each image's address;
    ``commitment_link(charter_slug, key)`` the address of a commitment's own page (the web
    passes it; without it, as in a file written by the command line, cited commitments are text).
    ``pieces``: ``statistics_pieces`` of this document's statistics with the same ``image_url``,
    put in as they are instead of being rendered again."""
    alts = {name: alt for name, (_, alt) in images.items()}
    return _environment_once().get_template("reports/_body.html").render(
        doc=document, alts=alts, image_url=image_url, commitment_link=commitment_link,
        pieces={name: Markup(html) for name, html in pieces.items()} if pieces else None)


OFFICER_PARTS = ("summary", "themes_quotes", "who_took_part")
"""The blocks of ``reports/_body.html`` that hold the officer's words, themes, quotes and actions."""


def officer_parts(document: Mapping[str, Any], *, commitment_link: Callable[[str, str], str] | None = None) -> str:
    """Just the body's ``OFFICER_PARTS``, each marked as an htmx out-of-band swap of its place in
    the page: what an officer's edit changes in the preview, without the statistics around them."""
    template = _environment_once().get_template("reports/_body.html")
    context = template.new_context({"doc": document, "alts": {}, "image_url": None, "commitment_link": commitment_link,
                                    "pieces": None, "oob": True})
    return "".join("".join(template.blocks[name](context)) for name in OFFICER_PARTS)


def standalone_html(document: Mapping[str, Any], images: Mapping[str, tuple[bytes, str]]) -> str:
    """A single self-contained HTML file (images inline), for the command line."""
    inline = {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for name, (png, _) in images.items()}
    body = render_html(document, images, lambda name: inline[name])
    title = gettext("We asked, you said, we did: %(title)s", title=document["we_asked"]["title"])
    from html import escape

    return (f'<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><main><h1>{escape(title)}</h1>\n{body}</main></body></html>\n")


# ---------------------------------------------------------------- CSV

def holm_test_count(document: Mapping[str, Any]) -> int:
    """How many breakdowns had a test (a p-value): the family Holm's correction runs over."""
    return sum(1 for breakdown in document["breakdowns"]
               if breakdown["p_value"] is not None or breakdown.get("withheld"))


def hidden_mark(suppression: str | None, threshold: int) -> str:
    """A hidden figure in a table: "[x]" (``analysis.stats.disclosure.HIDDEN``: one mark for every
    hidden figure, whatever the reason). Versions published before then said "fewer than 10"
    (primary) or "[c]" (secondary), or had no ``suppression`` (they said "fewer than 10")."""
    if suppression == HIDDEN:
        return HIDDEN_MARK
    return SECONDARY_MARK if suppression == SECONDARY else gettext("fewer than %(threshold)s", threshold=threshold)


def uses_hidden_mark(document: Mapping[str, Any]) -> bool:
    """True when the document hides figures under the one "[x]" mark (not an older version)."""
    return any(figure.get("suppression") == HIDDEN for breakdown in document["breakdowns"]
               for group in breakdown["groups"] for figure in [group, *group["cells"]])


def hidden_caption(caption: str, threshold: int, groups: list[Mapping[str, Any]]) -> str:
    """A breakdown's caption with the words for the marks its hidden figures use."""
    reasons = {figure.get("suppression") for group in groups for figure in [group, *group["cells"]]
               if figure.get("suppressed")}
    if HIDDEN in reasons:
        return gettext("%(caption)s. %(mark)s: hidden to protect privacy.", caption=caption, mark=HIDDEN_MARK)
    if SECONDARY in reasons:
        return gettext("%(caption)s. Figures under %(threshold)s are shown as “fewer than %(threshold)s”; %(mark)s "
                       "marks figures hidden so that other hidden figures cannot be worked out.", caption=caption,
                       threshold=threshold, mark=SECONDARY_MARK)
    return gettext("%(caption)s. Figures under %(threshold)s are shown as “fewer than %(threshold)s”.",
                   caption=caption, threshold=threshold)


def report_csv(document: Mapping[str, Any]) -> str:
    """Open data, aggregates only, one row per figure (``CSV_HEADER``; sections documented in
    ``docs/report-json.md``): responses and people reached by channel, responses per week, the
    weighting summary and margins, overall results, breakdowns (suppression applied: hidden
    cells are blank with ``suppressed`` true and ``suppression`` primary or secondary), themes,
    quotes and "We did" actions."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    rows: list[list[object]] = []

    def row(section: str, *, question_key: str = "", question: str = "", group: str = "", option: str = "",
            count: object = "", percent: object = "", ci_low: object = "", ci_high: object = "",
            weighted_percent: object = "", suppressed: bool = False, suppression: object = "", value: object = "",
            display: object = "") -> None:
        rows.append([section, question_key, question, group, option, count, percent, ci_low, ci_high, weighted_percent,
                     suppressed, suppression, value, display])

    for channel, count in document["by_channel"].items():
        row("responses_by_channel", option=channel, count=count, display=count)
    for channel in document.get("we_asked", {}).get("channels", []):
        if channel.get("reached") is not None:
            row("people_reached", option=channel["channel"], count=channel["reached"], display=channel.get("reach_how", ""))
    for week in document.get("responses_by_week", []):
        row("responses_by_week", option=week["week_start"], count=week["count"], display=week["count"])
    weighting = document.get("weighting")
    if weighting is not None:
        row("weighting", option="applied", value=weighting["applied"])
        row("weighting", option="converged", value=weighting["converged"])
        row("weighting", option="iterations", value=weighting["iterations"])
        row("weighting", option="design_effect", value=document["design_effect"])
        row("weighting", option="effective_sample_size", value=document["effective_sample_size"])
        for dimension in weighting["dimensions"]:
            for category in dimension["categories"]:
                row(f"weighting:{dimension['dimension']}", question_key=dimension["question_key"],
                    option=category["category"], count=category["respondents"], percent=category["sample_percent"],
                    weighted_percent=category["weighted_percent"], value=category["census_percent"])
        for note in weighting["notes"]:
            row("weighting_note", display=note)
    texts = {q["key"]: q["text"] for q in document["questions"]}
    for question in document["questions"]:
        row("question", question_key=question["key"], question=question["text"], option="(answered)",
            count=question["n_answered"], display=question["n_answered"])
        for option in question["options"]:
            row("question", question_key=question["key"], question=question["text"], option=option["label"],
                count=option["count"], percent=option["percent"], ci_low=option["ci_low"], ci_high=option["ci_high"],
                weighted_percent=option["weighted_percent"], display=option_sentence(option, question["n_answered"]))
    for breakdown in document["breakdowns"]:
        section = f"breakdown:{breakdown['group_key']}"
        for group in breakdown["groups"]:
            row(section, question_key=breakdown["question_key"], question=texts.get(breakdown["question_key"], ""),
                group=group["label"], option="(answered)", count=group["n_answered"], suppressed=group["suppressed"],
                suppression=group.get("suppression") or "",
                display=group["n_answered"] if not group["suppressed"] else
                hidden_mark(group.get("suppression"), document["disclosure_threshold"]))
            for cell in group["cells"]:
                row(section, question_key=breakdown["question_key"], question=texts.get(breakdown["question_key"], ""),
                    group=group["label"], option=cell["label"], count=cell["count"], percent=cell["percent"],
                    suppressed=cell["suppressed"], suppression=cell.get("suppression") or "", display=cell["display"])
    for theme in document.get("themes", []):
        row("theme", option=theme["name"], count=theme["comments"], display=theme["comments"])
    for quote in document.get("quotes", []):
        row("quote", question_key=quote.get("question_key") or "", option=quote.get("case_study") or "",
            display=quote["text"])
    for action in document.get("actions", []):
        row("action", group=action["owner"], option=action["action"], value=action["due_on"] or "",
            display=gettext("done") if action["done"] else gettext("not done yet"))
        for cited in action["commitments"]:
            status = cited["status_label"] or gettext("status unknown")
            row("action_commitment", group=action["owner"], option=action["action"],
                value=f"{cited['charter']}/{cited['key']}",
                display=gettext("%(title)s (%(status)s on %(day)s)", title=cited["title"], status=status,
                                day=cited["status_as_of"]) if cited.get("status_as_of")
                else gettext("%(title)s (%(status)s)", title=cited["title"], status=status))
    for values in rows:
        writer.writerow([safe_cell(value) for value in values])
    return buffer.getvalue()


# ---------------------------------------------------------------- PDF

def report_pdf(body_html: str, images: Mapping[str, tuple[bytes, str]], *, title: str, council: str,
               note: str = "", published: datetime | None = None) -> bytes:
    """The report for cabinet papers and for download: the body as published (``render_html``),
    printed by ``analysis.printing`` — summary on page 1, then the questions and the annex."""
    return print_pdf(body_html, title=title, council=council, note=note, created=published,
                     images={name: png for name, (png, _) in images.items()})
