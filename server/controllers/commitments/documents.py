"""What the commitment pages of every audience share: the report document for a date, its
date parsed from the query, the chart and PDF drawn in a worker thread, and download names."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import anyio.to_thread
from litestar.exceptions import ClientException, NotFoundException
from litestar.response import Response

from analysis.commitments.headline import default_since
from analysis.commitments.render import changes_sentence, report_pdf, status_name, timeline_png
from analysis.commitments.report import KIND_NAMES, iso_to_human
from analysis.commitments.store import CommitmentNotFound, find_charter, report_document
from common.clock import council_time, council_today
from common.i18n import active_locale, format_count, gettext
from server.web.rendered_files import RenderedFiles

TEMPLATE_HELPERS = {"day": iso_to_human, "status_name": status_name, "kind_names": KIND_NAMES,
                    "changes_sentence": changes_sentence, "local": council_time,
                    "count": format_count}


def parse_as_of(raw: str, errors: dict[str, str]) -> date:
    """The ``as_of`` date typed or linked (today in London when blank); a message in ``errors``
    when it is not a date."""
    if not raw:
        return council_today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors["as_of"] = gettext("Enter a real date, like 2022-07-01")
        return council_today()


def since_or_default(raw: str, as_of: date, errors: dict[str, str]) -> date:
    """The headline's earlier day: as typed or linked, else a month before ``as_of``; a message in
    ``errors`` when it is not a date or not before ``as_of``."""
    if not raw:
        return default_since(as_of)
    try:
        since = date.fromisoformat(raw)
    except ValueError:
        errors["since"] = gettext("Enter a real date for the changes, like 1 6 2022")
        return default_since(as_of)
    if since >= as_of:
        errors["since"] = gettext("The date for the changes must be before the report date")
        return default_since(as_of)
    return since


def as_of_or_400(raw: str) -> date:
    errors: dict[str, str] = {}
    day = parse_as_of(raw, errors)
    if errors:
        raise ClientException(detail=gettext("as_of must be a real date, like 2022-07-01"))
    return day


async def document_or_404(slug: str, as_of: date, since: date | None = None) -> dict[str, Any]:
    """``since``: the earlier day the headline's status changes are counted from (none: no headline)."""
    try:
        return await report_document(slug, as_of, since=since)
    except CommitmentNotFound as error:
        raise NotFoundException() from error


async def charter_or_404(slug: str):
    try:
        return await find_charter(slug)
    except CommitmentNotFound as error:
        raise NotFoundException() from error


async def report_pdf_bytes(document: dict[str, Any], note: str = "", *, files: RenderedFiles | None = None) -> bytes:
    """The cabinet PDF, with its timeline chart, drawn off the event loop; with ``files``, drawn
    once per content (the document, the note and the language) and kept."""
    def draw() -> bytes:
        chart = timeline_png(document) if document["timeline"] else None
        return report_pdf(document, chart_png=chart, note=note)

    if files is None:
        return await anyio.to_thread.run_sync(draw)
    content = json.dumps(document, sort_keys=True, default=str)
    return await files.get_or_render(files.key("commitments report pdf", content, note, active_locale.get()),
                                     lambda: anyio.to_thread.run_sync(draw))


async def timeline_response(document: dict[str, Any]) -> Response:
    if not document["timeline"]:
        raise NotFoundException()
    image = await anyio.to_thread.run_sync(timeline_png, document)
    return Response(content=image, media_type="image/png", headers={"cache-control": "private, max-age=300"})


def file_stem(document: dict[str, Any], saved_id: int | None = None) -> str:
    stem = f"{document['charter']['slug']}-commitments-{document['as_of'] or 'empty'}"
    return f"{stem}-saved-{saved_id}" if saved_id else stem
