"""Case studies: real examples of how the council uses data, with the structured facts residents
asked for. Services to save and publish them; queries to read them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from common.i18n import gettext
from common.text import slugify
from surveys.tables import CaseStudy

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

STRUCTURED_FIELDS: dict[str, str] = {
    "purpose": "Why the council does this",
    "data_used": "What data is used",
    "data_sources": "Where the data comes from",
    "legal_basis": "The legal basis",
    "who_can_see": "Who can see the data",
    "retention": "How long the data is kept",
    "decision_making": "Who makes decisions: people or computers",
}
"""Field → the heading residents see, in the order shown."""

TEXT_FIELDS = ("title", "slug", "summary", "body", *STRUCTURED_FIELDS)


@dataclass(frozen=True)
class CaseStudyView:
    id: int
    slug: str
    title: str
    summary: str
    body: str
    facts: list[tuple[str, str]]
    """(heading, text) for each structured field that has text."""
    published_at: datetime | None
    """When it was first made public (kept after a withdrawal)."""
    withdrawn_at: datetime | None
    comments_open: bool
    premoderated: bool
    values: dict[str, str]

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None


def _view(row: dict) -> CaseStudyView:
    return CaseStudyView(
        id=row["id"], slug=row["slug"], title=row["title"], summary=row["summary"], body=row["body"],
        facts=[(heading, row[name]) for name, heading in STRUCTURED_FIELDS.items() if row[name].strip()],
        published_at=row["published_at"], withdrawn_at=row["withdrawn_at"], comments_open=row["comments_open"], premoderated=row["premoderated"],
        values={name: row[name] for name in TEXT_FIELDS},
    )


def is_public():
    """A case study residents can see: published and not withdrawn."""
    return CaseStudy.published_at.is_not_null() & CaseStudy.withdrawn_at.is_null()


async def list_case_studies(*, published_only: bool) -> list[CaseStudyView]:
    query = CaseStudy.select().order_by(CaseStudy.published_at, ascending=False).order_by(CaseStudy.id)
    if published_only:
        query = query.where(is_public())
    return [_view(row) for row in await query.run()]


async def get_case_study(slug: str, *, published_only: bool) -> CaseStudyView | None:
    # Written as SQL: this runs for every comment posted, and Piccolo's query builder costs
    # several times what the query itself does (the same condition as ``is_public``).
    public = " AND published_at IS NOT NULL AND withdrawn_at IS NULL" if published_only else ""
    rows = await CaseStudy.raw(f"SELECT * FROM case_study WHERE slug = {{}}{public} LIMIT 1", slug).run()
    return _view(rows[0]) if rows else None


async def case_studies_published_between(start: datetime, end: datetime) -> int:
    """How many case studies were first made public in [start, end) (for the commitment tracker)."""
    return int(await CaseStudy.count().where(CaseStudy.published_at >= start, CaseStudy.published_at < end).run())


class CaseStudyError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_case_study_form(form: dict[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    values: dict[str, object] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = gettext("Enter a title")
    elif len(str(values["title"])) > 200:
        errors["title"] = gettext("The title must be 200 characters or fewer")
    values["slug"] = str(values["slug"]).lower() or slugify(str(values["title"]))
    if values["slug"] and not SLUG_PATTERN.match(str(values["slug"])):
        errors["slug"] = gettext("The web address name can use only a to z, 0 to 9 and single hyphens")
    for name in TEXT_FIELDS:
        if len(str(values[name])) > 50_000:
            errors[name] = gettext("This must be 50,000 characters or fewer")
    values["comments_open"] = str(form.get("comments_open", "")) in ("1", "on")
    values["premoderated"] = str(form.get("premoderated", "")) in ("1", "on")
    return values, errors


async def save_case_study(values: dict[str, object], *, existing_slug: str | None = None) -> str:
    clash = await CaseStudy.exists().where(CaseStudy.slug == values["slug"]).run()
    if clash and values["slug"] != existing_slug:
        raise CaseStudyError({"slug": gettext("Another case study already uses the web address name %(slug)s", slug=values["slug"])})
    if existing_slug is None:
        await CaseStudy.insert(CaseStudy(**values)).run()
    else:
        await CaseStudy.update({getattr(CaseStudy, name): value for name, value in values.items()}).where(
            CaseStudy.slug == existing_slug).run()
    return str(values["slug"])


async def publish_case_study(slug: str, *, publish: bool, now: datetime | None = None) -> bool:
    """Make public or withdraw. The first publication date is recorded once and kept through
    withdrawals and re-publishing (the commitment tracker counts a case study in the year it was
    first published). True when something changed."""
    row = await CaseStudy.select(CaseStudy.id, CaseStudy.published_at, CaseStudy.withdrawn_at).where(
        CaseStudy.slug == slug).first().run()
    if row is None:
        return False
    public = row["published_at"] is not None and row["withdrawn_at"] is None
    if public == publish:
        return False
    now = now or datetime.now(timezone.utc)
    if publish:
        changes = {CaseStudy.withdrawn_at: None, CaseStudy.published_at: row["published_at"] or now}
    else:
        changes = {CaseStudy.withdrawn_at: now}
    await CaseStudy.update(changes).where(CaseStudy.id == row["id"]).run()
    return True
