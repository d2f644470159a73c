"""The demo data set: each package contributes its own part, and loading twice adds nothing.

To add demo data for a package, write an idempotent ``async def load_demo_…() -> list[str]``
in that package and list it in ``DEMO_LOADERS``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from analysis.charter.demo import load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.commitments.demo_panel_answer import load_demo_panel_answer
from panels.demo import load_demo_panels
from server.accounts.staff import ensure_staff_user
from surveys.demo import load_demo_surveys
from analysis.charter.links import load_demo_consultation_links

DEMO_STAFF = (
    # email, name, role, password (demo only: never load the demo into production)
    ("officer@camden.example", "Olu Officer", "officer", "officer-demo-pass"),
    ("cabinet@camden.example", "Cara Cabinet", "cabinet", "cabinet-demo-pass"),
    ("admin@camden.example", "Ada Admin", "admin", "admin-demo-pass1"),
)


async def load_demo_staff() -> list[str]:
    lines = []
    for email, name, role, password in DEMO_STAFF:
        created = await ensure_staff_user(email=email, display_name=name, role=role, password=password)
        lines.append(f"staff: {email} ({role}) {'created' if created else 'already present'}")
    return lines


DEMO_LOADERS: list[Callable[[], Awaitable[list[str]]]] = [
    load_demo_staff,
    load_demo_charter,
    load_demo_commitments,
    load_demo_surveys,
    load_demo_consultation_links,
    load_demo_panels,  # after the commitments: it extends their 2022 panel
    load_demo_panel_answer,  # after both: the 2021 panel's members vote, and answers link commitments
]


async def load_demo() -> list[str]:
    lines: list[str] = []
    for loader in DEMO_LOADERS:
        lines.extend(await loader())
    return lines
