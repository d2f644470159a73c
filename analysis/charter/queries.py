"""Read functions for charters and their principles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analysis.tables import Charter, Principle


@dataclass(frozen=True)
class PrincipleView:
    number: int
    title: str
    description: str


@dataclass(frozen=True)
class CharterView:
    slug: str
    name: str
    organisation: str
    adopted_on: date | None
    url: str
    summary: str
    principles: list[PrincipleView]


async def list_charters() -> list[CharterView]:
    """Every charter with its principles in order; two queries whatever the number of charters."""
    charters = await Charter.select().order_by(Charter.adopted_on).order_by(Charter.id).run()
    principles = await Principle.select().order_by(Principle.number).run()
    by_charter: dict[int, list[PrincipleView]] = {}
    for row in principles:
        by_charter.setdefault(row["charter"], []).append(
            PrincipleView(number=row["number"], title=row["title"], description=row["description"])
        )
    return [
        CharterView(
            slug=row["slug"],
            name=row["name"],
            organisation=row["organisation"],
            adopted_on=row["adopted_on"],
            url=row["url"],
            summary=row["summary"],
            principles=by_charter.get(row["id"], []),
        )
        for row in charters
    ]


async def get_charter(slug: str) -> CharterView | None:
    for charter in await list_charters():
        if charter.slug == slug:
            return charter
    return None
