"""The consultation a report belongs to, for the officer's draft and the public versions alike."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException

from analysis.reports.store import ReportNotFound, find_consultation


async def consultation_or_404(slug: str) -> dict[str, Any]:
    try:
        return await find_consultation(slug)
    except ReportNotFound as error:
        raise NotFoundException() from error
