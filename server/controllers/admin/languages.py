"""The interface's languages: each shipped catalogue, how much it covers and its review state."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.services.catalogues import catalogue_states, mark_reviewed
from server.web.forms import FormData
from server.web.guards import roles
from server.web.request_info import client_ip

CATALOGUE_REVIEWERS = ("officer", "admin")


class LanguagesController(Controller):
    path = "/officer/languages"
    opt = roles(CATALOGUE_REVIEWERS)

    @get("/", name="language_catalogues")
    async def catalogues(self, request: Request) -> Template:
        return Template("admin/languages.html", context={"catalogues": await catalogue_states(),
                                                         "notice": request.query_params.get("notice", "")})

    @post("/{locale:str}", name="language_catalogue_review")
    async def review(self, request: Request, locale: FromPath[str], data: FormData) -> Redirect:
        reviewed = data.get("reviewed") != "0"
        if not await mark_reviewed(locale, officer=request.user.email, reviewed=reviewed, ip_address=client_ip(request)):
            raise NotFoundException()
        return Redirect(path=request.app.route_reverse("language_catalogues") + "?notice=" + ("reviewed" if reviewed else "withdrawn"),
                        status_code=303)
