"""Publishing a "We asked, You said, We did" report: build it from today's responses, draw its
word clouds, render its HTML with the links of this site, and store it as a new immutable
version. The officer's "Publish" button and the demo loader both publish through here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import anyio.to_thread

from analysis.reports.build import BuiltReport, assemble_report, statistics_from_inputs
from analysis.reports.render import Images, render_html, report_csv, report_images
from analysis.reports.statistics_cache import keep, pack, statistics_key, stored_payload, unpack
from analysis.reports.store import PublishedVersion, VersionContent, find_consultation, load_report_inputs, publish_version
from surveys.responses import response_records
from common.clock import council_today
from common.i18n import gettext


def report_title(consultation: dict[str, Any]) -> str:
    return gettext("We asked, you said, we did: %(title)s", title=consultation["title"])


def document_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


async def build_report_now(slug: str, threshold: int) -> BuiltReport:
    """The report from every response so far (raises ``ReportNotFound``). The statistics and word
    clouds are reused from the database while their key still matches
    (``analysis.reports.statistics_cache``), else rebuilt and kept; reading is on the event loop,
    every CPU step (statistics, pictures, pickling) in a worker thread."""
    consultation = await find_consultation(slug)
    key = await statistics_key(consultation["id"], threshold=threshold)  # before the inputs: see the module
    inputs = await load_report_inputs(slug, today=council_today(), records=False)
    payload = await stored_payload(consultation["id"], key)
    statistics = await anyio.to_thread.run_sync(unpack, payload) if payload is not None else None
    if statistics is None:
        inputs = replace(inputs, records=await response_records(consultation["id"]))
        statistics = await anyio.to_thread.run_sync(
            lambda: statistics_from_inputs(inputs, disclosure_threshold=threshold))
        await keep(consultation["id"], key, await anyio.to_thread.run_sync(pack, statistics), now=datetime.now(timezone.utc))
    return await anyio.to_thread.run_sync(assemble_report, inputs, statistics)


async def draw(built: BuiltReport) -> Images:
    if built.images is not None:
        return built.images
    return await anyio.to_thread.run_sync(report_images, built.document, built.you_said)


async def publish_report(*, slug: str, threshold: int, published_by: str, now: datetime,
                         image_url: Callable[[int, str], str], commitment_link: Callable[[str, str], str],
                         built: BuiltReport | None = None) -> tuple[PublishedVersion, BuiltReport]:
    """A new version of the report. ``image_url(version, name)`` and ``commitment_link(charter,
    key)`` are the site's addresses for a version's pictures and a commitment's own page."""
    consultation = await find_consultation(slug)
    built = built or await build_report_now(slug, threshold)
    images = await draw(built)

    async def content(number: int) -> VersionContent:
        # Called by the store once it holds the lock and knows the number, so the document,
        # the HTML's image addresses and the stored row always agree.
        document = {**built.document, "report": {"version": number, "published_at": now.isoformat(timespec="seconds")}}
        return await anyio.to_thread.run_sync(lambda: VersionContent(
            document_json=document_json(document), open_data_csv=report_csv(document),
            html=render_html(document, images, lambda name: image_url(number, name), commitment_link=commitment_link)))

    published = await publish_version(slug=slug, title=report_title(consultation), content=content, images=images,
                                      published_by=published_by, now=now)
    return published, built
