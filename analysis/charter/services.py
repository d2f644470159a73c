"""Write functions for charters and their principles."""

from __future__ import annotations

from datetime import date

from analysis.tables import Charter, Principle


async def ensure_charter(
    *,
    slug: str,
    name: str,
    organisation: str,
    adopted_on: date | None,
    url: str,
    summary: str,
    principles: list[tuple[str, str]],
) -> bool:
    """Create a charter with its numbered principles unless one with this slug exists.
    ``principles`` are (title, description) in order, numbered from 1. True when created."""
    if await Charter.exists().where(Charter.slug == slug).run():
        return False
    charter = Charter(slug=slug, name=name, organisation=organisation, adopted_on=adopted_on, url=url, summary=summary)
    await charter.save().run()
    await Principle.insert(
        *[
            Principle(charter=charter.id, number=number, title=title, description=description)
            for number, (title, description) in enumerate(principles, start=1)
        ]
    ).run()
    return True
