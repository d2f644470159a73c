"""Content as a reader in a language sees it: the officers' translation laid over the English,
field by field (``common.content_translation.overlay``), read once per page."""

from __future__ import annotations

import copy
import dataclasses

from analysis.translations.store import translation_texts
from common.content_translation import Overlay, is_english, overlay
from panels.tables import Panel
from surveys.case_studies import STRUCTURED_FIELDS, CaseStudyView
from surveys.consultations import ConsultationView
from surveys.questionnaire import Questionnaire
from surveys.questionnaire_translation import ShownQuestionnaire, show_questionnaire, translatable_fields


async def _texts(kind: str, object_id: int, locale: str) -> dict[str, str]:
    return {} if is_english(locale) else await translation_texts(kind, object_id, locale)


async def shown_content(kind: str, object_id: int, english: dict[str, str], locale: str) -> Overlay:
    """``english`` (field to text) in ``locale`` where translated, English elsewhere."""
    return overlay(english, await _texts(kind, object_id, locale), locale)


async def shown_consultation(consultation: ConsultationView, questionnaire: Questionnaire,
                             locale: str) -> tuple[ConsultationView, ShownQuestionnaire]:
    """A consultation and its questionnaire in ``locale`` where translated, from one read of the
    translation (the questionnaire's pages, the paper copy). ``ShownQuestionnaire.overlay``
    covers the consultation's words and the questionnaire's: the pages' notice follows it."""
    texts = await _texts("consultation", consultation.id, locale)
    english = consultation_english(consultation)
    page = overlay(english, texts, locale)
    if page.translated:
        consultation = dataclasses.replace(consultation, **{name: page.text(name) for name in CONSULTATION_PAGE_FIELDS})
    shown = show_questionnaire(questionnaire, texts, locale)
    shown.overlay = overlay({**english, **translatable_fields(questionnaire)}, texts, locale)
    return consultation, shown


def case_study_english(study: CaseStudyView) -> dict[str, str]:
    """The case study's translatable fields (``analysis.translations.content``) in English."""
    return {"title": study.title, "summary": study.summary, "body": study.body,
            **{name: study.values.get(name, "") for name in STRUCTURED_FIELDS}}


async def shown_case_study(study: CaseStudyView, locale: str) -> tuple[CaseStudyView, Overlay]:
    """The case study with its words in ``locale`` where translated, and the overlay (which
    fields are still English, for the page's notice and ``lang`` attributes)."""
    shown = await shown_content("case_study", study.id, case_study_english(study), locale)
    if not shown.translated:
        return study, shown
    facts = [(heading, shown.text(name)) for name, heading in STRUCTURED_FIELDS.items() if study.values.get(name, "").strip()]
    return dataclasses.replace(study, title=shown.text("title"), summary=shown.text("summary"), body=shown.text("body"),
                               facts=facts), shown


def facts_in_english(study: CaseStudyView, shown: Overlay) -> list[bool]:
    """For each of ``study.facts`` in order: whether it is shown in English on a page in another language."""
    return [shown.in_english(name) for name in STRUCTURED_FIELDS if study.values.get(name, "").strip()]


CONSULTATION_PAGE_FIELDS = ("title", "summary", "body", "other_formats")
"""The consultation's own words (its questionnaire's are in ``surveys.questionnaire_translation``)."""


def consultation_english(consultation: ConsultationView) -> dict[str, str]:
    return {name: getattr(consultation, name) for name in CONSULTATION_PAGE_FIELDS}


async def shown_consultation_page(consultation: ConsultationView, locale: str) -> tuple[ConsultationView, Overlay]:
    """The consultation with its title, summary, description and other ways to respond in
    ``locale`` where translated."""
    shown = await shown_content("consultation", consultation.id, consultation_english(consultation), locale)
    if not shown.translated:
        return consultation, shown
    return dataclasses.replace(consultation, **{name: shown.text(name) for name in CONSULTATION_PAGE_FIELDS}), shown


async def shown_panel(panel: Panel, locale: str) -> tuple[Panel, Overlay]:
    """A panel's public name and description in ``locale`` where translated: a copy of the row
    (the row itself is never changed, so it cannot be saved with translated words)."""
    shown = await shown_content("panel", panel.id, {"name": panel.name, "description": panel.description}, locale)
    if not shown.translated:
        return panel, shown
    translated = copy.copy(panel)
    translated.name, translated.description = shown.text("name"), shown.text("description")
    return translated, shown


async def shown_report_summary(consultation_id: int, document: dict, locale: str) -> Overlay:
    """A published report's summary in ``locale``: "We asked" (``purpose``) and "You said"
    (``findings``, one a line) where officers translated them. The rest of the report — its
    numbers, charts and "We did" — is the English as published (``body``), so a reader in another
    language is always told that parts are in English."""
    findings = (document.get("summary") or {}).get("findings") or []
    english = {"purpose": str((document.get("we_asked") or {}).get("purpose", "")),
               "findings": "\n".join(str(finding) for finding in findings), "body": "the report as published"}
    return await shown_content("report", consultation_id, english, locale)
