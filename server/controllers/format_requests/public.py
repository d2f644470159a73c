""""Ask for another language or format": the form on consultation, case study and panel pages."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS

from common.emails import clean_email
from common.i18n import active_locale, gettext
from panels import store as panel_store
from server.services.format_requests import (PAGE_KINDS, check_format_request, make_format_request,
                                             too_many_requests)
from server.web.forms import FormData
from server.web.guards import public
from server.web.request_info import client_ip
from surveys.case_studies import get_case_study
from surveys.consultations import get_consultation

PAGE_ROUTES = {"consultation": "consultation_page", "case_study": "case_study_page", "panel": "panel_public"}


async def page_title(kind: str, slug: str) -> str | None:
    """The title of the public page a request is about, or None when there is no such page."""
    if kind == "consultation":
        found = await get_consultation(slug, date.today())
        return found.title if found else None
    if kind == "case_study":
        found = await get_case_study(slug, published_only=True)
        return found.title if found else None
    if kind == "panel":
        panel = await panel_store.get_panel_by_slug(slug)
        return panel.name if panel else None
    return None


class FormatRequestPublicController(Controller):
    path = "/ask-for-format"
    opt = public()

    async def _page(self, request: Request, kind: str, slug: str, *, status_code: int = 200, **context: object) -> Template:
        title = await page_title(kind, slug) if kind in PAGE_KINDS else None
        if title is None:
            raise NotFoundException()
        return Template("format_requests/page.html", context={
            "kind": kind, "slug": slug, "title": title,
            "page_url": request.app.route_reverse(PAGE_ROUTES[kind], slug=slug),
            "values": {}, "errors": {}, **context}, status_code=status_code)

    @get("/{kind:str}/{slug:str}", name="format_request_form")
    async def form(self, request: Request, kind: FromPath[str], slug: FromPath[str]) -> Template:
        return await self._page(request, kind, slug)

    @post("/{kind:str}/{slug:str}", name="format_request_send")
    async def send(self, request: Request, kind: FromPath[str], slug: FromPath[str], data: FormData) -> Template:
        values, errors = check_format_request(data)
        if errors:
            return await self._page(request, kind, slug, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        title = await page_title(kind, slug) if kind in PAGE_KINDS else None
        if title is None:
            raise NotFoundException()
        ip_address = client_ip(request)
        if await too_many_requests(ip_address):
            return await self._page(request, kind, slug, values=values, status_code=HTTP_429_TOO_MANY_REQUESTS, errors={
                "wanted": gettext("You have sent several requests in the last hour. Wait an hour, then try again.")})
        await make_format_request(page_kind=kind, page_slug=slug, page_title=title, values=values,
                                  locale=active_locale.get(), ip_address=ip_address)
        return await self._page(request, kind, slug, sent=True, email=clean_email(values["email"]))
