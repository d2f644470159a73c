"""The demo data set: each package contributes its own part, and loading twice adds nothing.

To add demo data for a package, write an idempotent ``async def load_demo_…() -> list[str]``
in that package and list it in ``DEMO_LOADERS``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from analysis.charter.demo import load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.charter.demo_reviews import load_demo_reviews
from analysis.commitments.demo_panel_answer import load_demo_panel_answer
from panels.demo import load_demo_panels
from panels.demo_sessions import load_demo_sessions
from server.accounts.staff import ensure_staff_user
from surveys.demo import load_demo_surveys
from analysis.charter.links import load_demo_consultation_links
from analysis.translations.demo import load_demo_translations

DEMO_STAFF = (
    # email, name, role, password (demo only: never load the demo into production)
    ("officer@camden.example", "Olu Officer", "officer", "officer-demo-pass"),
    ("facilitator@camden.example", "Femi Facilitator", "facilitator", "facilitator-demo-pass"),
    ("cabinet@camden.example", "Cara Cabinet", "cabinet", "cabinet-demo-pass"),
    ("admin@camden.example", "Ada Admin", "admin", "admin-demo-pass1"),
)


async def load_demo_staff() -> list[str]:
    lines = []
    for email, name, role, password in DEMO_STAFF:
        created = await ensure_staff_user(email=email, display_name=name, role=role, password=password)
        lines.append(f"staff: {email} ({role}) {'created' if created else 'already present'}")
    return lines




async def load_demo_service_records() -> list[str]:
    """Records of who served on the demo's past panels (``panels.service_records``), under this
    machine's ``SECRET_KEY`` (the key the selection form matches them with)."""
    from panels.service_records import record_service
    from server.settings import Settings

    added = await record_service(secret_key=Settings.from_env().secret_key)
    return [f"service records: {added} written" if added else "service records: already present"]


async def load_demo_report() -> list[str]:
    """The Data Charter questionnaire's report, published with its "We did" actions citing the
    charter's commitments, so that a newcomer sees a finished report. Addresses in the published
    HTML come from the site's own routes."""
    from datetime import datetime, timezone

    from analysis.reports.demo import DEMO_REPORT_SLUG, ensure_demo_report_draft
    from analysis.reports.store import ReportNotFound, has_published_report
    from common.clock import council_today
    from server.app import create_app
    from server.services.reports import publish_report
    from server.settings import Settings

    if await has_published_report(DEMO_REPORT_SLUG):
        return [f"report: {DEMO_REPORT_SLUG} already published"]
    try:
        lines = [await ensure_demo_report_draft(today=council_today())]
    except ReportNotFound:
        return [f"report: no consultation {DEMO_REPORT_SLUG}, nothing published"]
    settings = Settings.from_env()
    app = create_app(settings)
    published, built = await publish_report(
        slug=DEMO_REPORT_SLUG, threshold=settings.disclosure_threshold, published_by="demo-loader",
        now=datetime.now(timezone.utc),
        image_url=lambda number, name: app.route_reverse("report_public_image", slug=DEMO_REPORT_SLUG, number=number,
                                                         image=f"{name}.png"),
        commitment_link=lambda charter, key: app.route_reverse("commitments_public_item", slug=charter, key=key))
    lines.append(f"report: {DEMO_REPORT_SLUG} version {published.version} published "
                 f"({built.document['n_responses']} responses)")
    return lines


DEMO_LOADERS: list[Callable[[], Awaitable[list[str]]]] = [
    load_demo_staff,
    load_demo_charter,
    load_demo_commitments,
    load_demo_surveys,
    load_demo_consultation_links,
    load_demo_panels,  # after the commitments: it extends their 2022 panel
    load_demo_service_records,  # after the panels: who served on the 2021 panel
    load_demo_panel_answer,  # after both: the 2021 panel's members vote, and answers link commitments
    load_demo_sessions,  # after the answer: day three's points link the recommendations they became
    load_demo_reviews,  # after the sessions and case studies: the 2021 panel's reviews and the replies
    load_demo_report,  # after the questionnaire's responses and the commitments its actions cite
    load_demo_translations,  # after the case studies and consultations it translates
]


async def load_demo() -> list[str]:
    lines: list[str] = []
    for loader in DEMO_LOADERS:
        lines.extend(await loader())
    return lines
