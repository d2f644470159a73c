"""What a resident sees when a private link no longer works, wherever the link pointed (their
data, their panel place, their comment): how to get a new one by email."""

from __future__ import annotations

from litestar import Request
from litestar.response import Template
from litestar.status_codes import HTTP_404_NOT_FOUND


def link_not_working(request: Request) -> Template:
    """The page for a private link that is unknown, unused for too long, or leads to erased data."""
    return Template("your_data/link_not_working.html", status_code=HTTP_404_NOT_FOUND,
                    context={"idle_months": request.app.state.settings.private_link_idle_months})
