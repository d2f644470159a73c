"""Coding free-text answers with themes at speed: many answers at once, themes suggested by
clustering, and a double-coding check with Cohen's kappa.

- ``coding_page`` lists one free-text question's answers with their themes, filtered (all, not
  yet tagged, tagged with a theme, containing some words) and a page at a time.
- ``apply_theme`` tags (or untags) the chosen answers with one theme in one write.
- ``theme_suggestions`` clusters the question's answers (``analysis.stats.theme_suggestions``);
  ``create_theme_from`` makes a theme of a suggestion and tags its answers.
- ``draw_check_sample`` draws answers at random for a second officer to code without seeing the
  first coding; ``record_check`` keeps that coding; ``check_summary`` compares the two, theme by
  theme, with Cohen's kappa (``analysis.stats.agreement``).

Functions return what happened; the server writes the audit log.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.reports.store import (
    FreeTextAnswer,
    ReportFormError,
    ReportNotFound,
    find_consultation,
    free_text_questions,
    free_text_rows,
    list_themes,
)
from analysis.stats.agreement import Agreement, agreement
from analysis.stats.theme_suggestions import ThemeSuggestion, suggest_themes
from analysis.tables import ReportCodingCheck, ReportCodingSample, ReportTheme, ReportThemeTag
from common.i18n import gettext
from common.text import whole_number
from common.transactions import write_transaction

SHOW_ALL, SHOW_UNTAGGED = "all", "untagged"
MAX_SEARCH = 100
MIN_SAMPLE, MAX_SAMPLE, DEFAULT_SAMPLE = 10, 200, 30
"""A double-coding sample: enough comments for kappa to mean something, few enough to code in a sitting."""


async def _answers(consultation_id: int, question_key: str) -> list[tuple[int, str, str]]:
    """(response id, reference, text) of every non-empty answer to the question, oldest first."""
    return [(row.response_id, row.reference, row.text) for row in await free_text_rows(consultation_id, question_key)]


async def _tags(question_key: str, theme_ids: list[int]) -> dict[int, set[int]]:
    """Response id -> the themes it is tagged with, for one question."""
    if not theme_ids:
        return {}
    rows = await ReportThemeTag.select(ReportThemeTag.response, ReportThemeTag.theme).where(
        ReportThemeTag.question_key == question_key, ReportThemeTag.theme.is_in(theme_ids)).run()
    tags: dict[int, set[int]] = {}
    for row in rows:
        tags.setdefault(row["response"], set()).add(row["theme"])
    return tags


@dataclass(frozen=True)
class CodingPage:
    answers: list[FreeTextAnswer]
    total: int
    """Answers that pass the filter (all pages)."""
    answered: int
    """Every answer to the question."""
    untagged: int


async def _question(slug: str, question_key: str) -> tuple[dict[str, Any], str]:
    consultation = await find_consultation(slug)
    if question_key not in dict(free_text_questions(consultation)):
        raise ReportNotFound(f"no free-text question '{question_key}'")
    return consultation, question_key


async def coding_page(slug: str, question_key: str, *, show: str = SHOW_ALL, words: str = "", offset: int = 0,
                      limit: int = 50) -> CodingPage:
    """A page of answers passing the filter: ``show`` is "all", "untagged" or a theme id (as text);
    ``words`` keeps answers with a word starting with each of them, in any case ("park" finds
    "Parking", "plain" does not find "explain")."""
    consultation, _ = await _question(slug, question_key)
    themes = [theme["id"] for theme in await list_themes(consultation["id"])]
    answers = await _answers(consultation["id"], question_key)
    tags = await _tags(question_key, themes)
    wanted = [re.compile(r"(?<!\w)" + re.escape(word), re.IGNORECASE) for word in words.split()]
    kept = []
    for response_id, reference, text in answers:
        tagged = tags.get(response_id, set())
        if show == SHOW_UNTAGGED and tagged:
            continue
        if show not in (SHOW_ALL, SHOW_UNTAGGED) and whole_number(show) not in tagged:
            continue
        if not all(pattern.search(text) for pattern in wanted):
            continue
        kept.append(FreeTextAnswer(response_id=response_id, reference=reference, question_key=question_key, text=text,
                                   theme_ids=tuple(sorted(tagged))))
    untagged = sum(1 for response_id, _, _ in answers if not tags.get(response_id))
    return CodingPage(answers=kept[offset:offset + limit], total=len(kept), answered=len(answers), untagged=untagged)


async def _theme_of(consultation_id: int, theme_id: int) -> dict[str, Any]:
    theme = await ReportTheme.select().where(ReportTheme.id == theme_id, ReportTheme.consultation == consultation_id).first().run()
    if theme is None:
        raise ReportNotFound(f"no theme {theme_id}")
    return theme


async def apply_theme(*, slug: str, question_key: str, response_ids: Iterable[int], theme_id: int, tagged: bool,
                      by: str) -> int:
    """Tag (``tagged``) or untag the answers of ``response_ids`` with the theme; answers that do
    not exist are refused (``ReportNotFound``). Returns how many answers changed."""
    consultation, _ = await _question(slug, question_key)
    await _theme_of(consultation["id"], theme_id)
    wanted = set(response_ids)
    answered = {response_id for response_id, _, _ in await _answers(consultation["id"], question_key)}
    if not wanted or not wanted <= answered:
        raise ReportNotFound("an answer chosen is not an answer to this question")
    async with write_transaction(ReportThemeTag._meta.db):
        present = {row["response"] for row in await ReportThemeTag.select(ReportThemeTag.response).where(
            ReportThemeTag.theme == theme_id, ReportThemeTag.question_key == question_key,
            ReportThemeTag.response.is_in(sorted(wanted))).run()}
        if tagged:
            missing = sorted(wanted - present)
            if missing:
                await ReportThemeTag.insert(*(ReportThemeTag(theme=theme_id, response=response_id, question_key=question_key,
                                                             tagged_by=by) for response_id in missing)).run()
            return len(missing)
        if present:
            await ReportThemeTag.delete().where(ReportThemeTag.theme == theme_id, ReportThemeTag.question_key == question_key,
                                                ReportThemeTag.response.is_in(sorted(present))).run()
        return len(present)


@dataclass(frozen=True)
class Suggestion:
    """A suggested theme: its terms, the answers it describes (strongest first) and a few to read."""

    terms: tuple[str, ...]
    response_ids: tuple[int, ...]
    examples: tuple[str, ...]
    untagged: int


async def theme_suggestions(slug: str, question_key: str) -> list[Suggestion]:
    """Suggested themes for the question's answers (none when there are too few to cluster)."""
    consultation, _ = await _question(slug, question_key)
    answers = await _answers(consultation["id"], question_key)
    tags = await _tags(question_key, [theme["id"] for theme in await list_themes(consultation["id"])])
    # Clustering is CPU work: in a worker thread, so the server goes on answering meanwhile.
    found: list[ThemeSuggestion] = await asyncio.to_thread(suggest_themes, [text for _, _, text in answers])
    suggestions = []
    for item in found:
        members = [answers[position] for position in item.members]
        examples = tuple(dict.fromkeys(text for _, _, text in members))[:3]
        suggestions.append(Suggestion(terms=item.terms, response_ids=tuple(response_id for response_id, _, _ in members),
                                      examples=examples,
                                      untagged=sum(1 for response_id, _, _ in members if not tags.get(response_id))))
    return suggestions


async def create_theme_from(*, slug: str, question_key: str, values: dict[str, str], response_ids: Iterable[int],
                            by: str) -> tuple[int, int]:
    """A new theme (``values``: name and description, already checked) tagging ``response_ids``.
    Returns the theme's id and how many answers it tags."""
    consultation, _ = await _question(slug, question_key)
    wanted = sorted(set(response_ids))
    answered = {response_id for response_id, _, _ in await _answers(consultation["id"], question_key)}
    if not wanted or not set(wanted) <= answered:
        raise ReportNotFound("an answer chosen is not an answer to this question")
    async with write_transaction(ReportTheme._meta.db):
        theme = ReportTheme(consultation=consultation["id"], **values)
        await theme.save().run()
        await ReportThemeTag.insert(*(ReportThemeTag(theme=theme.id, response=response_id, question_key=question_key,
                                                     tagged_by=by) for response_id in wanted)).run()
    return int(theme.id), len(wanted)


# ---------------------------------------------------------------- double coding

def check_sample_size(raw: str, answered: int) -> int:
    """The sample size an officer typed, checked (``ReportFormError`` keyed ``size``)."""
    size = whole_number(raw)
    if size is None:
        raise ReportFormError({"size": gettext("Enter how many comments to draw, as a whole number like 30")})
    if size < MIN_SAMPLE or size > MAX_SAMPLE:
        raise ReportFormError({"size": gettext("Draw between %(low)s and %(high)s comments", low=MIN_SAMPLE, high=MAX_SAMPLE)})
    if size > answered:
        raise ReportFormError({"size": gettext("There are only %(count)s answers to draw from", count=answered)})
    return size


async def draw_check_sample(*, slug: str, question_key: str, size: int, by: str, now: datetime,
                            rng: random.Random | None = None) -> int:
    """Draw ``size`` answers at random for the check, replacing an earlier sample of the question
    (and its coding). Returns how many were drawn."""
    consultation, _ = await _question(slug, question_key)
    answers = await _answers(consultation["id"], question_key)
    chosen = (rng or random.SystemRandom()).sample([response_id for response_id, _, _ in answers], min(size, len(answers)))
    async with write_transaction(ReportCodingSample._meta.db):
        await ReportCodingSample.delete().where(ReportCodingSample.consultation == consultation["id"],
                                                ReportCodingSample.question_key == question_key).run()
        if chosen:
            await ReportCodingSample.insert(*(ReportCodingSample(
                consultation=consultation["id"], response=response_id, question_key=question_key, position=position,
                drawn_by=by, drawn_at=now) for position, response_id in enumerate(chosen, start=1))).run()
    return len(chosen)


@dataclass(frozen=True)
class SampleItem:
    sample_id: int
    position: int
    response_id: int
    text: str
    checked: bool


async def sample_items(slug: str, question_key: str) -> list[SampleItem]:
    """The question's sample in the order drawn."""
    consultation, _ = await _question(slug, question_key)
    rows = await ReportCodingSample.select().where(ReportCodingSample.consultation == consultation["id"],
                                                   ReportCodingSample.question_key == question_key).order_by(
        ReportCodingSample.position).run()
    texts = {response_id: text for response_id, _, text in await _answers(consultation["id"], question_key)}
    return [SampleItem(sample_id=row["id"], position=row["position"], response_id=row["response"],
                       text=texts.get(row["response"], ""), checked=row["checked_at"] is not None)
            for row in rows if row["response"] in texts]


async def first_coders(slug: str, question_key: str) -> set[str]:
    """Who tagged the sampled answers in the first coding (the check must be someone else's)."""
    consultation, _ = await _question(slug, question_key)
    sampled = [row["response"] for row in await ReportCodingSample.select(ReportCodingSample.response).where(
        ReportCodingSample.consultation == consultation["id"], ReportCodingSample.question_key == question_key).run()]
    if not sampled:
        return set()
    rows = await ReportThemeTag.select(ReportThemeTag.tagged_by).where(
        ReportThemeTag.question_key == question_key, ReportThemeTag.response.is_in(sampled)).run()
    return {row["tagged_by"] for row in rows if row["tagged_by"]}


async def record_check(*, slug: str, question_key: str, sample_id: int, theme_ids: Iterable[int], by: str,
                       now: datetime) -> None:
    """The second coder's themes for one sampled answer (none is an answer too); coding it again replaces them."""
    consultation, _ = await _question(slug, question_key)
    sample = await ReportCodingSample.select().where(ReportCodingSample.id == sample_id,
                                                     ReportCodingSample.consultation == consultation["id"],
                                                     ReportCodingSample.question_key == question_key).first().run()
    if sample is None:
        raise ReportNotFound(f"no sampled answer {sample_id}")
    known = {theme["id"] for theme in await list_themes(consultation["id"])}
    chosen = sorted(set(theme_ids))
    if not set(chosen) <= known:
        raise ReportNotFound("a theme chosen is not one of this consultation's")
    async with write_transaction(ReportCodingCheck._meta.db):
        await ReportCodingCheck.delete().where(ReportCodingCheck.sample == sample_id).run()
        if chosen:
            await ReportCodingCheck.insert(*(ReportCodingCheck(sample=sample_id, theme=theme_id) for theme_id in chosen)).run()
        await ReportCodingSample.update({ReportCodingSample.checked_by: by, ReportCodingSample.checked_at: now}).where(
            ReportCodingSample.id == sample_id).run()


@dataclass(frozen=True)
class ThemeAgreement:
    theme: dict[str, Any]
    agreement: Agreement


@dataclass(frozen=True)
class CheckSummary:
    drawn: int
    checked: int
    checked_by: tuple[str, ...]
    themes: list[ThemeAgreement]
    disagreements: list[tuple[SampleItem, tuple[str, ...], tuple[str, ...]]]
    """Sampled answers the coders coded differently: (item, first coder's themes, second coder's themes)."""


async def check_summary(slug: str, question_key: str) -> CheckSummary:
    """The two codings compared over the sampled answers the second officer has coded."""
    consultation, _ = await _question(slug, question_key)
    items = await sample_items(slug, question_key)
    checked = [item for item in items if item.checked]
    themes = await list_themes(consultation["id"])
    names = {theme["id"]: theme["name"] for theme in themes}
    first = await _tags(question_key, list(names))
    second: dict[int, set[int]] = {}
    if checked:
        for row in await ReportCodingCheck.select(ReportCodingCheck.sample, ReportCodingCheck.theme).where(
                ReportCodingCheck.sample.is_in([item.sample_id for item in checked])).run():
            second.setdefault(row["sample"], set()).add(row["theme"])
    coders = await ReportCodingSample.select(ReportCodingSample.checked_by).where(
        ReportCodingSample.consultation == consultation["id"], ReportCodingSample.question_key == question_key,
        ReportCodingSample.checked_by != "").run()
    per_theme = [ThemeAgreement(theme=theme, agreement=agreement(
        [theme["id"] in first.get(item.response_id, set()) for item in checked],
        [theme["id"] in second.get(item.sample_id, set()) for item in checked])) for theme in themes]
    disagreements = []
    for item in checked:
        mine, theirs = first.get(item.response_id, set()), second.get(item.sample_id, set())
        if mine != theirs:
            disagreements.append((item, tuple(sorted(names[t] for t in mine)), tuple(sorted(names[t] for t in theirs))))
    return CheckSummary(drawn=len(items), checked=len(checked), checked_by=tuple(sorted({row["checked_by"] for row in coders})),
                        themes=per_theme, disagreements=disagreements)
