"""The content officers can translate, kind by kind: which fields each kind has, their English,
and how the officer's form groups them.

``case_study``: title, summary and body (Markdown), and the facts (why, what data, the legal
basis…). ``consultation``: title, summary,
description (Markdown) and other ways to respond, then its questionnaire (``surveys.questionnaire_translation``: every
section title, question, hint and option label). ``panel``: the public page's name and
description. ``report``: a consultation's published report summary — "We asked" (the purpose)
and "You said" (the findings, one a line) — of its latest version. Email templates are not here:
they are written in code and translated in the catalogues, officers do not edit them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from common.content_translation import translation_state
from common.i18n import gettext, lazy_gettext
from panels.tables import Panel
from surveys.case_studies import STRUCTURED_FIELDS, get_case_study
from surveys.questionnaire import from_json
from surveys.questionnaire_translation import question_fields, section_field
from surveys.tables import Consultation
from analysis.tables import ReportVersion

KINDS = ("case_study", "consultation", "panel", "report")

KIND_NAMES = {"case_study": lazy_gettext("case study"), "consultation": lazy_gettext("consultation"),
              "panel": lazy_gettext("panel page"), "report": lazy_gettext("report summary")}

MARKDOWN_FIELDS = frozenset({"body"})
"""Fields written in Markdown: rendered and cleaned (nh3) like the English."""

LONG_FIELDS = frozenset({"summary", "body", "description", "purpose", "findings", "other_formats"})
"""Fields given a text area, not a one-line box; hints are long too."""


@dataclass(frozen=True)
class FieldGroup:
    """Fields the form shows under one heading: (field, label, English)."""

    heading: str
    fields: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Content:
    kind: str
    object_id: int
    slug: str
    title: str
    groups: tuple[FieldGroup, ...] = field(default_factory=tuple)

    @property
    def english(self) -> dict[str, str]:
        """Every field's English, in the form's order."""
        return {name: text for group in self.groups for name, _, text in group.fields}

    def state(self, translation: dict[str, str]) -> str:
        return translation_state(self.english, translation)

    def is_long(self, name: str) -> bool:
        return name in LONG_FIELDS or name.endswith(".hint") or len(self.english.get(name, "")) > 120


async def find_content(kind: str, slug: str) -> Content | None:
    """The content of ``kind`` named ``slug`` (a consultation's slug for a report), or None."""
    if kind == "case_study":
        study = await get_case_study(slug, published_only=False)
        if study is None:
            return None
        return Content(kind=kind, object_id=study.id, slug=slug, title=study.title, groups=(FieldGroup(
            heading=gettext("The case study"),
            fields=(("title", gettext("Title"), study.title),
                    ("summary", gettext("Summary"), study.summary),
                    ("body", gettext("The case study"), study.body))),
            FieldGroup(heading=gettext("The facts"),
                       fields=tuple((name, heading, study.values.get(name, "")) for name, heading in STRUCTURED_FIELDS.items())),
        ))
    if kind == "consultation":
        return await _consultation(slug)
    if kind == "panel":
        row = await Panel.select(Panel.id, Panel.name, Panel.description).where(Panel.slug == slug).first().run()
        if row is None:
            return None
        return Content(kind=kind, object_id=row["id"], slug=slug, title=row["name"], groups=(FieldGroup(
            heading=gettext("The panel's page"),
            fields=(("name", gettext("Name"), row["name"]),
                    ("description", gettext("Description"), row["description"]))),))
    if kind == "report":
        return await _report(slug)
    return None


async def _consultation(slug: str) -> Content | None:
    row = await Consultation.select(Consultation.id, Consultation.title, Consultation.summary, Consultation.body,
                                    Consultation.other_formats, Consultation.questionnaire_json).where(Consultation.slug == slug).first().run()
    if row is None:
        return None
    groups = [FieldGroup(heading=gettext("The consultation"),
                         fields=(("title", gettext("Title"), row["title"]),
                                 ("summary", gettext("Summary"), row["summary"]),
                                 ("body", gettext("Description"), row["body"]),
                                 ("other_formats", gettext("Other ways to respond"), row["other_formats"])))]
    questionnaire = from_json(row["questionnaire_json"]) if row["questionnaire_json"] else None
    number = 0
    for index, section in enumerate(questionnaire.sections if questionnaire else []):
        fields: list[tuple[str, str, str]] = [(section_field(index), gettext("Title of section %(number)s", number=index + 1),
                                               section.title)]
        for question in section.questions:
            number += 1
            described = question_fields(question)
            fields.append((described.text[0], gettext("Question %(number)s", number=number), question.text))
            if described.hint:
                fields.append((described.hint[0], gettext("Hint to question %(number)s", number=number), question.help_text))
            fields.extend((name, gettext("Question %(number)s, option %(option)s", number=number, option=option), label)
                          for option, (name, label) in enumerate(described.options, start=1))
        groups.append(FieldGroup(heading=str(lazy_gettext("Section %(number)s of the questionnaire", number=index + 1)),
                                 fields=tuple(fields)))
    return Content(kind="consultation", object_id=row["id"], slug=slug, title=row["title"], groups=tuple(groups))


async def latest_report_summary(consultation_id: int) -> dict[str, str] | None:
    """The English "We asked" purpose and "You said" findings (one a line) of the consultation's
    latest published report, or None when none is published."""
    row = await ReportVersion.select(ReportVersion.document_json).where(
        ReportVersion.consultation == consultation_id).order_by(ReportVersion.version, ascending=False).first().run()
    if row is None:
        return None
    document = json.loads(row["document_json"])
    findings = (document.get("summary") or {}).get("findings") or []
    return {"purpose": str((document.get("we_asked") or {}).get("purpose", "")),
            "findings": "\n".join(str(finding) for finding in findings)}


async def _report(slug: str) -> Content | None:
    row = await Consultation.select(Consultation.id, Consultation.title).where(Consultation.slug == slug).first().run()
    if row is None:
        return None
    summary = await latest_report_summary(row["id"])
    if summary is None:
        return None
    return Content(kind="report", object_id=row["id"], slug=slug, title=row["title"], groups=(FieldGroup(
        heading=gettext("The report's summary"),
        fields=(("purpose", gettext("We asked: why we consulted"), summary["purpose"]),
                ("findings", gettext("You said: the main findings, one a line"), summary["findings"]))),))
