"""The "We asked, You said, We did" report drawn from its document: charts and word clouds
(PNG with a text alternative), the HTML fragment (one template, ``templates/reports/_body.html``,
for the draft, the published page and the command line), open-data CSV, and the PDF for cabinet.

Everything here is CPU work: call it from a worker thread in a web request. Charts use
matplotlib's object API on the Agg canvas (no pyplot state shared between threads); the PDF uses
ReportLab's ``invariant`` mode so the same document gives the same bytes.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

from analysis.commitments.report import iso_to_human
from common.i18n import gettext, install_in_jinja, lazy_gettext

from analysis.stats.disclosure import HIDDEN, HIDDEN_MARK, SECONDARY, SECONDARY_MARK
from analysis.stats.weighting import DIMENSION_LABELS
from analysis.reports.you_said import YouSaid, word_cloud_images
from common.charts import use_writable_matplotlib_cache
from common.formulas import safe_cell
from common.pdf import a4_document, escape
from templates import TEMPLATE_DIR

use_writable_matplotlib_cache()

BAR_COLOUR = "#1d70b8"
WEIGHTED_COLOUR = "#f47738"
CSV_HEADER = ["section", "question_key", "question", "group", "option", "count", "percent", "ci_low", "ci_high",
              "weighted_percent", "suppressed", "suppression", "value", "display"]
"""The open-data CSV's columns; each section's use of them is in ``docs/report-json.md``."""

Images = dict[str, tuple[bytes, str]]
"""image name → (PNG bytes, text alternative)."""

TEST_NAMES = {"chi_square": lazy_gettext("chi-square test"), "fisher_exact": lazy_gettext("Fisher's exact test")}
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


def _reached(channel: Mapping[str, Any]) -> str:
    if channel.get("reached") is None:
        return gettext("Not counted")
    how = channel.get("reach_how") or ""
    reached = f"{channel['reached']:,}"
    return gettext("%(reached)s (%(how)s)", reached=reached, how=how) if how else reached


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


# ---------------------------------------------------------------- charts

def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def channel_chart(document: Mapping[str, Any]) -> tuple[bytes, str] | None:
    channels = [channel for channel in document["we_asked"]["channels"] if channel["responses"]]
    if not channels:
        return None
    figure = _figure(7, 0.5 * len(channels) + 1.2)
    axes = figure.add_subplot()
    names = [c["name"] for c in channels][::-1]
    counts = [c["responses"] for c in channels][::-1]
    axes.barh(names, counts, color=BAR_COLOUR)
    for row, count in enumerate(counts):
        axes.text(count, row, f" {count:,}", va="center")
    axes.set_xlabel(gettext("Responses"))
    axes.spines[["top", "right"]].set_visible(False)
    alt = gettext("Bar chart of responses by channel: %(channels)s.",
                  channels="; ".join(f"{c['name']} {c['responses']:,}" for c in channels))
    return _png(figure), alt


def time_chart(document: Mapping[str, Any]) -> tuple[bytes, str] | None:
    weeks = document["responses_by_week"]
    if not weeks:
        return None
    figure = _figure(7, 2.6)
    axes = figure.add_subplot()
    axes.bar(range(len(weeks)), [w["count"] for w in weeks], color=BAR_COLOUR)
    step = max(1, len(weeks) // 8)
    axes.set_xticks(range(0, len(weeks), step), [iso_to_human(weeks[i]["week_start"]) for i in range(0, len(weeks), step)],
                    rotation=30, ha="right", fontsize=8)
    axes.set_ylabel(gettext("Responses in the week"))
    axes.spines[["top", "right"]].set_visible(False)
    peak = max(weeks, key=lambda w: w["count"])
    alt = gettext("Bar chart of responses per week from the week of %(first)s to the week of %(last)s; the busiest "
                  "week began %(peak)s with %(count)s responses. The table below gives every week.",
                  first=iso_to_human(weeks[0]["week_start"]), last=iso_to_human(weeks[-1]["week_start"]),
                  peak=iso_to_human(peak["week_start"]),
                  count=format(peak['count'], ","))
    return _png(figure), alt


def question_chart(question: Mapping[str, Any]) -> tuple[bytes, str] | None:
    options = question["options"]
    if not question["n_answered"]:
        return None
    figure = _figure(7, 0.42 * len(options) + 1.2)
    axes = figure.add_subplot()
    labels = [o["label"] for o in options][::-1]
    percents = [o["percent"] or 0 for o in options][::-1]
    rows = range(len(options))
    weighted = [o["weighted_percent"] for o in options][::-1]
    if any(value is not None for value in weighted):
        axes.barh([r + 0.2 for r in rows], percents, height=0.4, color=BAR_COLOUR, label=gettext("Respondents"))
        axes.barh([r - 0.2 for r in rows], [w or 0 for w in weighted], height=0.4, color=WEIGHTED_COLOUR,
                  hatch="//", label=gettext("Weighted to the borough"))
        axes.legend(loc="lower right", fontsize=8)
    else:
        axes.barh(list(rows), percents, color=BAR_COLOUR)
    axes.set_yticks(list(rows), labels, fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_xlabel(gettext("Percent of the %(answered)s who answered", answered=format(question["n_answered"], ",")))
    axes.spines[["top", "right"]].set_visible(False)
    alt = gettext("Bar chart for ‘%(question)s’: %(options)s. The table gives the counts.", question=question["text"],
                  options="; ".join(f"{o['label']} {_number(o['percent'])}" for o in options))
    return _png(figure), alt


def report_images(document: Mapping[str, Any], you_said: YouSaid | None = None) -> Images:
    """Every picture of the report, by name: ``channels``, ``weeks``, ``q-<key>``, ``cloud-<key>``.
    Word clouds need the ``YouSaid`` value (the document holds only the top terms)."""
    images: Images = {}
    for name, drawn in (("channels", channel_chart(document)), ("weeks", time_chart(document))):
        if drawn:
            images[name] = drawn
    for question in document["questions"]:
        drawn = question_chart(question)
        if drawn:
            images[f"q-{question['key']}"] = drawn
    if you_said is not None:
        for key, image in word_cloud_images(you_said).items():
            images[f"cloud-{key}"] = (image.png, image.alt_text)
    return images


# ---------------------------------------------------------------- HTML

def _environment() -> Environment:
    """The page templates' loader, GOV.UK Frontend's macros and gettext, as the web pages have them
    (server/web/templating.py), for the body drawn outside a request too (the command line)."""
    loader = ChoiceLoader([FileSystemLoader(TEMPLATE_DIR),
                           PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])
    environment = Environment(loader=loader, autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    install_in_jinja(environment)
    environment.globals["day"] = iso_to_human
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
    return environment


_ENVIRONMENT: Environment | None = None


def render_html(document: Mapping[str, Any], images: Mapping[str, tuple[bytes, str]],
                image_url: Callable[[str], str], *, commitment_link: Callable[[str], str] | None = None) -> str:
    """The report body (no page chrome), escaped. ``image_url(name)`` gives each image's address;
    ``commitment_link(charter_slug)`` the address of a charter's commitments tracker (the web
    passes it; without it, as in a file written by the command line, cited commitments are text)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _environment()
    alts = {name: alt for name, (_, alt) in images.items()}
    return _ENVIRONMENT.get_template("reports/_body.html").render(
        doc=document, alts=alts, image_url=image_url, commitment_link=commitment_link)


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

def report_pdf(document: Mapping[str, Any], images: Mapping[str, tuple[bytes, str]], *, note: str = "") -> bytes:
    """The report for cabinet papers: We asked, You said (tables and charts), We did."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    asked = document["we_asked"]
    heading = gettext("We asked, you said, we did: %(title)s", title=asked["title"])
    pdf = a4_document(title=heading, subject=asked["title"])
    styles, body, small = pdf.styles, pdf.body, pdf.small
    table = pdf.table

    def picture(name: str) -> list[Any]:
        if name not in images:
            return []
        png, alt = images[name]
        return [pdf.picture(png), Paragraph(escape(alt), small)]

    threshold = document["disclosure_threshold"]
    texts = {q["key"]: q["text"] for q in document["questions"]}

    def cross_table(breakdown: Mapping[str, Any], question: Mapping[str, Any]) -> list[Any]:
        """A breakdown as published: hidden figures as "fewer than N" or "[c]"."""
        labels = [cell["label"] for cell in breakdown["groups"][0]["cells"]] if breakdown["groups"] else []
        rows = [[group["label"], group["n_answered"] if group["n_answered"] is not None
                 else hidden_mark(group.get("suppression"), threshold)]
                + [cell["display"] if not cell["suppressed"] else hidden_mark(cell.get("suppression"), threshold)
                   for cell in group["cells"]] for group in breakdown["groups"]]
        share = 1.0 / (len(labels) + 2)
        caption = hidden_caption(breakdown_caption(question["text"], breakdown["dimension"]), threshold,
                                 breakdown["groups"])
        if breakdown["test"]:
            name, p = statistical_test_words(breakdown["test"]), breakdown["p_value_holm"]
            test = (gettext("%(test)s: Holm-adjusted p = %(p)s (significant).", test=name, p=p) if breakdown["significant"]
                    else gettext("%(test)s: Holm-adjusted p = %(p)s.", test=name, p=p))
            caption = gettext("%(caption)s %(test)s", caption=caption, test=test)
        return [Paragraph(escape(caption), small), table([gettext("Group"), gettext("Answered"), *labels], rows, [share] * (len(labels) + 2)),
                Spacer(1, 2 * mm)]

    story: list[Any] = [Paragraph(escape(heading), styles["Title"])]
    if note:
        story.append(Paragraph(escape(note), body))
    story += [Paragraph(gettext("We asked"), styles["Heading2"]), Paragraph(escape(asked["purpose"]), body),
              Paragraph(escape(gettext("Open from %(opens)s to %(closes)s.", opens=iso_to_human(asked["opens_on"]),
                                               closes=iso_to_human(asked["closes_on"]))), body)]
    if asked["channels_note"]:
        story.append(Paragraph(escape(asked["channels_note"]), body))
    story += [table([gettext("Channel"), gettext("People reached"), gettext("Responses")],
                    [[c["name"], _reached(c), c["responses"]] for c in asked["channels"]]
                    + [[gettext("Total"), "" if asked.get("reached_total") is None else f"{asked['reached_total']:,}",
                        document["n_responses"]]], [0.45, 0.35, 0.2])]
    story += picture("channels") + picture("weeks")
    if asked["questions"]:
        story += [Paragraph(gettext("The questions"), styles["Heading3"]),
                  table(["", gettext("Question"), gettext("Kind")], [[number, q["text"], q["kind"]]
                                                   for number, q in enumerate(asked["questions"], start=1)],
                        [0.06, 0.7, 0.24])]
    story += [Paragraph(gettext("You said"), styles["Heading2"])]
    if document["design_effect"] is not None:
        story.append(Paragraph(escape(gettext("Weighted to the census: design effect %(design_effect)s, effective "
                                               "sample size %(sample_size)s.", design_effect=document["design_effect"],
                                               sample_size=document["effective_sample_size"])), body))
    for note_text in (document["weighting"] or {}).get("notes", []):
        story.append(Paragraph(escape(note_text), small))
    for question in document["questions"]:
        story += [Paragraph(escape(question["text"]), styles["Heading3"]),
                  table([gettext("Answer"), gettext("Count"), gettext("Percent (95% CI)"), gettext("Weighted")],
                        [[o["label"], o["count"], option_sentence(o, question["n_answered"]),
                          _number(o["weighted_percent"]) or "–"] for o in question["options"]],
                        [0.34, 0.12, 0.38, 0.16])]
        story += picture(f"q-{question['key']}")
        for breakdown in (b for b in document["breakdowns"] if b["question_key"] == question["key"]):
            story += cross_table(breakdown, question)
    significant = [b for b in document["breakdowns"] if b["significant"]]
    if significant:
        story.append(Paragraph(gettext("Differences between groups (significant after Holm correction for "
                                       "%(count)d tests)", count=holm_test_count(document)), styles["Heading3"]))
        story.append(table([gettext("Question"), gettext("By"), gettext("Test"), gettext("Holm-adjusted p")],
                           [[texts.get(b["question_key"], ""), dimension_words(b["dimension"]), statistical_test_words(b["test"]),
                             b["p_value_holm"]] for b in significant],
                           [0.35, 0.25, 0.2, 0.2]))
    for free_text in document["free_text"]:
        story += [Paragraph(escape(free_text["text"]), styles["Heading3"]),
                  Paragraph(escape(gettext("%(comments)s comments (%(distinct)s distinct).",
                                           comments=free_text["n_comments"], distinct=free_text["n_distinct"])), body)]
        story += picture(f"cloud-{free_text['key']}")
    if document["themes"]:
        story += [Paragraph(gettext("Themes"), styles["Heading3"]),
                  table([gettext("Theme"), gettext("Comments")], [[t["name"], t["comments"]] for t in document["themes"]], [0.7, 0.3])]
    if document.get("quotes"):
        story.append(Paragraph(gettext("In residents' words"), styles["Heading3"]))
    for quote in document.get("quotes", []):
        story.append(Paragraph(escape(f"“{quote['text']}”"), body))
        story.append(Paragraph(escape(quote_source(quote, document)), small))
    story += [Spacer(1, 4 * mm), Paragraph(gettext("We did"), styles["Heading2"])]
    story.append(table([gettext("Action"), gettext("By when"), gettext("Who"), gettext("Commitments")],
                       [[a["action"], iso_to_human(a["due_on"]) or gettext("No date"), a["owner"],
                         "; ".join(f"{c['key']} {c['title']} ({status_on(c['status_label'], c.get('status_as_of'))})"
                                   for c in a["commitments"])] for a in document["actions"]],
                       [0.4, 0.13, 0.17, 0.3]) if document["actions"] else Paragraph(gettext("No actions recorded yet."), body))
    return pdf.finish(story)
