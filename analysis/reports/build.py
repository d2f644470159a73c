"""The whole "We asked, You said, We did" document for a consultation, from plain inputs.

``build_report(inputs, census=…)`` runs the statistics of ``analysis.reports.you_said`` on the
responses and adds what the officer wrote: the "We asked" section, themes with counts, chosen
quotes and the "We did" actions with the commitments they cite. The result is the published
JSON document (``docs/report-json.md``, version 1; the keys added here are additive) and the
``YouSaid`` value the images are drawn from. Pure: no database, no web.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.stats.disclosure import DEFAULT_THRESHOLD
from analysis.stats.published_tables import churn_between
from analysis.stats.frames import QuestionSpec, frame_from_records, specs_from_questionnaire
from analysis.reports.store import CHANNEL_LABELS, REACH_CHANNELS, ReportInputs, parse_reach, split_commitments
from analysis.reports.summary import summary_section
from analysis.reports.you_said import YouSaid, build_you_said
from common.i18n import lazy_gettext

CHANNEL_NAMES = CHANNEL_LABELS
KIND_NAMES = {"single": lazy_gettext("Choose one"), "multiple": lazy_gettext("Choose any"),
              "likert": lazy_gettext("Agree or disagree"), "yes_no": lazy_gettext("Yes, no or don't know"),
              "text": lazy_gettext("Free text"), "number": lazy_gettext("A number"),
              "date": lazy_gettext("A date"), "grid": lazy_gettext("Agree or disagree with each statement"),
              "ranking": lazy_gettext("Put in order"), "file": lazy_gettext("A file (PDF or image)")}


@dataclass(frozen=True)
class Statistics:
    """What the responses alone give the report (no officer's words): the statistics part of the
    document, the responses per week and, when drawn, the word clouds. The slow part of a report,
    kept between builds while its inputs are unchanged (``analysis.reports.statistics_cache``)."""

    document: dict[str, Any]
    """``YouSaid.to_json_dict()``: disclosure control applied."""
    responses_by_week: list[dict[str, Any]]
    you_said: YouSaid
    specs: tuple[QuestionSpec, ...]
    images: dict[str, tuple[bytes, str]] | None = None
    """Image name → (PNG, text alternative) (``analysis.reports.render.report_images``); None
    when not drawn."""
    draft_pieces: dict[str, str] | None = None
    """The body's parts drawn from the statistics alone, rendered for the draft page (pictures
    inline: ``analysis.reports.render.statistics_pieces``); None when not drawn."""


@dataclass(frozen=True)
class BuiltReport:
    document: dict[str, Any]
    you_said: YouSaid
    specs: tuple[QuestionSpec, ...]
    changed_since_published: int | None = None
    """How many responses at least were added, removed or changed since the latest published
    version, from the two documents' figures (``published_tables.churn_between``); None when
    nothing is published yet."""

    def too_close_to_publish(self) -> bool:
        """True when a new version would differ from the latest by fewer than the threshold's
        responses, but by some: comparing the two would give those few people's answers away (a
        version with the same responses — only the officer's words changed — may be published)."""
        changed = self.changed_since_published
        return changed is not None and 0 < changed < self.you_said.disclosure_threshold

    def unprotected(self) -> bool:
        """True when the audit, across this and the earlier versions, still finds hidden figures
        it could not protect by hiding more: such a version is not published."""
        return bool(self.you_said.still_narrow)

    images: dict[str, tuple[bytes, str]] | None = None
    """The pictures when they came with the statistics (None: draw them)."""
    draft_pieces: dict[str, str] | None = None
    """``Statistics.draft_pieces``, for the draft page's body."""


def responses_by_week(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Responses per week (weeks start on Monday, UTC dates), every week from first to last."""
    stamps = pd.to_datetime(frame["submitted_at"], utc=True).dropna() if len(frame) else pd.Series([], dtype="datetime64[ns, UTC]")
    if stamps.empty:
        return []
    days = stamps.dt.tz_convert(None).dt.normalize()
    weeks = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    counts = weeks.value_counts()
    every = pd.date_range(weeks.min(), weeks.max(), freq="7D")
    return [{"week_start": week.date().isoformat(), "count": int(counts.get(week, 0))} for week in every]


def _we_asked(inputs: ReportInputs, by_channel: Mapping[str, int]) -> dict[str, Any]:
    """Purpose, dates, the questions, and every channel that had responses or that the officer
    counted people reached by: ``responses`` beside ``reached`` (null when not counted) and
    ``reach_how``. Channels in ``REACH_CHANNELS`` order, then any other in name order."""
    consultation = inputs.consultation
    questions = [{"key": q.key, "text": q.text, "kind": str(KIND_NAMES.get(q.kind, q.kind))}
                 for q in (inputs.questionnaire.questions() if inputs.questionnaire else [])]
    reach = inputs.draft.get("reach")
    if reach is None:
        reach = parse_reach(inputs.draft.get("reach_json") or "{}")
    order = [*REACH_CHANNELS, *sorted(set(by_channel) - set(REACH_CHANNELS))]
    channels = [{"channel": channel, "name": str(CHANNEL_NAMES.get(channel, channel)),
                 "responses": int(by_channel.get(channel, 0)),
                 "reached": reach[channel]["reached"] if channel in reach else None,
                 "reach_how": reach[channel]["how"] if channel in reach else ""}
                for channel in order if by_channel.get(channel, 0) or channel in reach]
    counted = [channel["reached"] for channel in channels if channel["reached"] is not None]
    return {
        "slug": consultation["slug"], "title": consultation["title"], "summary": consultation["summary"],
        "purpose": inputs.draft.get("purpose", ""), "opens_on": consultation["opens_on"].isoformat(),
        "closes_on": consultation["closes_on"].isoformat(), "channels_note": inputs.draft.get("channels_note", ""),
        "channels": channels, "reached_total": sum(counted) if counted else None,
        "questions": questions,
    }


def _quotes(inputs: ReportInputs) -> list[dict[str, Any]]:
    """Quotes whose source still holds the words and is still published; never a name."""
    quotes = []
    for quote in inputs.quotes:
        if not quote.get("usable", True):
            continue
        case_study = quote.get("case_study")
        quotes.append({"source": quote.get("source", "answer"), "question_key": quote["question_key"] or None,
                       "case_study": case_study["slug"] if case_study else None,
                       "case_study_title": case_study["title"] if case_study else None, "text": quote["text"]})
    return quotes


def _actions(inputs: ReportInputs) -> list[dict[str, Any]]:
    actions = []
    for action in inputs.actions:
        cited = []
        for value in split_commitments(action["commitments"]):
            known = inputs.commitments.get(value)
            charter, _, key = value.partition("/")
            cited.append({"charter": charter, "key": key, "title": known["title"] if known else "",
                          "status": known.get("status") if known else None,
                          "status_label": known.get("status_label") if known else None,
                          "status_as_of": known.get("as_of") if known else None})
        actions.append({"action": action["action"], "due_on": action["due_on"].isoformat() if action["due_on"] else None,
                        "owner": action["owner"], "done": bool(action["done"]), "commitments": cited})
    return actions


def build_statistics(inputs: ReportInputs, *, census: Mapping[str, Mapping[str, int]] | None = None,
                     disclosure_threshold: int = DEFAULT_THRESHOLD, draw: bool = False) -> Statistics:
    """Every figure of the report from ``inputs.records`` (and the published versions, for the
    disclosure audit); with ``draw``, the word clouds too. CPU work: run it in a worker thread."""
    specs = tuple(specs_from_questionnaire(inputs.questionnaire)) if inputs.questionnaire else ()
    frame = frame_from_records(specs, inputs.records)
    you_said = build_you_said(specs, frame, census=census, disclosure_threshold=disclosure_threshold,
                              earlier=inputs.earlier_documents)
    document = you_said.to_json_dict()
    images = pieces = None
    if draw:
        from analysis.reports.render import inline_image_url, report_images, statistics_pieces

        images = report_images(document, you_said)
        pieces = statistics_pieces(document, images, inline_image_url(images))
    return Statistics(document=document, responses_by_week=responses_by_week(frame), you_said=you_said,
                      specs=specs, images=images, draft_pieces=pieces)


def assemble_report(inputs: ReportInputs, statistics: Statistics) -> BuiltReport:
    """The whole document: the statistics with the officer's words, themes, quotes and actions
    (quick: the statistics are the slow part). ``inputs.records`` is not read."""
    document = dict(statistics.document)
    document["we_asked"] = _we_asked(inputs, document["by_channel"])
    document["responses_by_week"] = statistics.responses_by_week
    document["themes"] = [{"name": theme["name"], "description": theme["description"], "comments": int(theme["count"])}
                          for theme in inputs.themes]
    document["quotes"] = _quotes(inputs)
    document["actions"] = _actions(inputs)
    document["summary"] = summary_section(document, inputs.draft.get("findings", ""))
    changed = (churn_between(json.loads(json.dumps(inputs.earlier_documents[-1], default=str)),
                             json.loads(json.dumps(document, default=str)))
               if inputs.earlier_documents else None)
    return BuiltReport(document=document, you_said=statistics.you_said, specs=statistics.specs,
                       changed_since_published=changed, images=statistics.images,
                       draft_pieces=statistics.draft_pieces)


def build_report(inputs: ReportInputs, *, census: Mapping[str, Mapping[str, int]] | None = None,
                 disclosure_threshold: int = DEFAULT_THRESHOLD) -> BuiltReport:
    return assemble_report(inputs, build_statistics(inputs, census=census, disclosure_threshold=disclosure_threshold))


def census_counts(census_file: str) -> dict[str, dict[str, int]] | None:
    """The margins of a census file shipped in ``panels/census_data``; None for an empty name."""
    if not census_file:
        return None
    from analysis.stats.weighting import census_counts_from_csv
    from panels.census import CENSUS_DIR, shipped_census_files

    if census_file not in shipped_census_files():
        return None
    return census_counts_from_csv((CENSUS_DIR / census_file).read_text(encoding="utf-8"))


def build_from_inputs(inputs: ReportInputs, *, disclosure_threshold: int = DEFAULT_THRESHOLD) -> BuiltReport:
    """``build_report`` with the census the officer chose in the draft (CPU work: run in a thread)."""
    return build_report(inputs, census=census_counts(inputs.draft.get("census_file", "")),
                        disclosure_threshold=disclosure_threshold)


def statistics_from_inputs(inputs: ReportInputs, *, disclosure_threshold: int = DEFAULT_THRESHOLD) -> Statistics:
    """``build_statistics`` with the census the officer chose, word clouds and the draft's pieces
    drawn (CPU work: run in a thread)."""
    return build_statistics(inputs, census=census_counts(inputs.draft.get("census_file", "")),
                            disclosure_threshold=disclosure_threshold, draw=True)
