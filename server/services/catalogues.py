"""The shipped interface catalogues: how far each covers the English, and whether a fluent
speaker has reviewed it (an officer says so; until then it "needs review by a fluent speaker")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from common.catalogues import CatalogueCheck, check_catalogue
from common.i18n import DEFAULT_LOCALE, catalogue_path, language_name
from server.audit import record_audit
from server.tables import CatalogueReview

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
TEMPLATE = "messages.pot"
RESIDENT_TEMPLATE = "resident.pot"
"""The resident-facing messages (``babel-resident.cfg``): every shipped catalogue translates them all."""


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as source:
        return read_po(source, locale=locale)


def shipped_locales(directory: Path = TRANSLATIONS_DIR) -> list[str]:
    return sorted(path.parent.parent.name for path in directory.glob("*/LC_MESSAGES/messages.po")
                  if path.parent.parent.name != DEFAULT_LOCALE)


@lru_cache(maxsize=16)
def check_shipped(locale: str, directory: Path = TRANSLATIONS_DIR) -> CatalogueCheck:
    """A shipped catalogue checked against the committed templates (read once: they change only
    with a release)."""
    return check_catalogue(read_catalogue(catalogue_path(directory, locale), locale),
                           read_catalogue(directory / TEMPLATE), read_catalogue(directory / RESIDENT_TEMPLATE))


@dataclass(frozen=True)
class CatalogueState:
    locale: str
    name: str
    check: CatalogueCheck
    reviewed_at: datetime | None
    reviewed_by: str


async def catalogue_states() -> list[CatalogueState]:
    reviews = {row["locale"]: row for row in await CatalogueReview.select().run()}
    return [CatalogueState(locale=locale, name=language_name(locale), check=check_shipped(locale),
                           reviewed_at=reviews[locale]["reviewed_at"] if locale in reviews else None,
                           reviewed_by=reviews[locale]["reviewed_by"] if locale in reviews else "")
            for locale in shipped_locales()]


async def mark_reviewed(locale: str, *, officer: str, reviewed: bool, ip_address: str = "",
                        now: datetime | None = None) -> bool:
    """Record (or withdraw) that a fluent speaker reviewed a shipped catalogue; False for a locale
    that is not shipped."""
    if locale not in shipped_locales():
        return False
    await CatalogueReview.delete().where(CatalogueReview.locale == locale).run()
    if reviewed:
        await CatalogueReview.insert(CatalogueReview(locale=locale, reviewed_by=officer,
                                                     reviewed_at=now or datetime.now(timezone.utc))).run()
    await record_audit(actor=officer, action="catalogue_reviewed" if reviewed else "catalogue_review_withdrawn",
                       object_type="catalogue", object_id=locale, ip_address=ip_address)
    return True
