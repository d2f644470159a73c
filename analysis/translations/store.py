"""The translations officers write: read a language's fields of one piece of content, save a
language's form, and the state of every language at once for the list of languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from analysis.tables import ContentTranslation
from common.transactions import write_transaction

MAX_FIELD_LENGTH = 20_000
"""Longest text kept for one field (a case study's body is the longest content)."""


async def translation_texts(kind: str, object_id: int, locale: str) -> dict[str, str]:
    """Field to text for one language of one piece of content (no row: no translation)."""
    rows = await ContentTranslation.select(ContentTranslation.field, ContentTranslation.text).where(
        (ContentTranslation.kind == kind) & (ContentTranslation.object_id == object_id)
        & (ContentTranslation.locale == locale)).run()
    return {row["field"]: row["text"] for row in rows}


async def translations_by_locale(kind: str, object_id: int) -> dict[str, dict[str, str]]:
    """Every language's fields of one piece of content."""
    rows = await ContentTranslation.select(ContentTranslation.locale, ContentTranslation.field,
                                           ContentTranslation.text).where(
        (ContentTranslation.kind == kind) & (ContentTranslation.object_id == object_id)).run()
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        found.setdefault(row["locale"], {})[row["field"]] = row["text"]
    return found


@dataclass(frozen=True)
class SavedTranslation:
    """What a save changed, for the audit log: the fields written, and those emptied."""

    changed: tuple[str, ...]
    cleared: tuple[str, ...]


async def save_translation(*, kind: str, object_id: int, locale: str, texts: dict[str, str], fields: list[str],
                           updated_by: str) -> SavedTranslation:
    """Replace the language's text of each of ``fields`` with ``texts`` (blank: no translation,
    the English shows). Fields not in ``fields`` are left alone; a field whose text is unchanged
    keeps its row and time."""
    now = datetime.now(timezone.utc)
    changed: list[str] = []
    cleared: list[str] = []
    async with write_transaction(ContentTranslation._meta.db):
        before = await translation_texts(kind, object_id, locale)
        for name in fields:
            text = (texts.get(name) or "").strip()
            if text == before.get(name, ""):
                continue
            where = ((ContentTranslation.kind == kind) & (ContentTranslation.object_id == object_id)
                     & (ContentTranslation.locale == locale) & (ContentTranslation.field == name))
            if not text:
                await ContentTranslation.delete().where(where).run()
                cleared.append(name)
            elif name in before:
                await ContentTranslation.update({ContentTranslation.text: text, ContentTranslation.updated_by: updated_by,
                                                 ContentTranslation.updated_at: now}).where(where).run()
                changed.append(name)
            else:
                await ContentTranslation.insert(ContentTranslation(
                    kind=kind, object_id=object_id, locale=locale, field=name, text=text, updated_by=updated_by,
                    updated_at=now)).run()
                changed.append(name)
    return SavedTranslation(changed=tuple(changed), cleared=tuple(cleared))
