"""The language switcher's links: each sets the ``lang`` cookie and goes back to the page."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from server.web.guards import public
from server.web.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, available_locales
from server.web.request_info import safe_next_path


class LanguageController(Controller):
    opt = public()

    @get("/language/{locale:str}", name="choose_language")
    async def choose_language(self, request: Request, locale: FromPath[str],
                              next_page: Annotated[str, QueryParameter(name="next")] = "") -> Redirect:
        """A plain link, so it works without JavaScript; it goes back only to a path on this site."""
        if locale not in available_locales():
            raise NotFoundException()
        settings = request.app.state.settings
        cookie = Cookie(key=LANGUAGE_COOKIE, value=locale, max_age=LANGUAGE_COOKIE_MAX_AGE, path="/",
                        samesite="lax", httponly=True, secure=settings.is_production)
        return Redirect(path=safe_next_path(next_page) or request.app.route_reverse("home"), cookies=[cookie])
