"""Officers translate content: from a case study's, consultation's, panel's or report's own page,
"Translations" lists the shipped languages with the state of each (not started, partly done,
complete); each language has a form showing the English beside every box. Saving is audited."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from analysis.translations.checks import check_translation_form
from analysis.translations.content import KIND_NAMES, KINDS, Content, find_content
from analysis.translations.store import save_translation, translation_texts, translations_by_locale
from common.i18n import DEFAULT_LOCALE, language_name, text_direction
from server.audit import record_audit
from server.web.forms import RepeatableFormData, last_values
from server.web.guards import OFFICER, roles
from server.web.i18n import available_locales
from server.web.request_info import client_ip

BACK_ROUTES = {"case_study": "officer_case_study_edit", "consultation": "officer_consultation",
               "panel": "panels_show", "report": "report_draft"}
"""The content's own officer page, where its "Translations" link is."""


def translatable_locales() -> list[str]:
    """Every shipped language but English, the language content is written in."""
    return [locale for locale in available_locales() if locale != DEFAULT_LOCALE]


def back_link(request: Request, content: Content) -> str:
    route = BACK_ROUTES[content.kind]
    if content.kind == "panel":
        return request.app.route_reverse(route, panel_id=content.object_id)
    return request.app.route_reverse(route, slug=content.slug)


async def _content_or_404(kind: str, slug: str) -> Content:
    content = await find_content(kind, slug) if kind in KINDS else None
    if content is None:
        raise NotFoundException()
    return content


def _locale_or_404(locale: str) -> str:
    if locale not in translatable_locales():
        raise NotFoundException()
    return locale


class TranslationsOfficerController(Controller):
    path = "/officer/translations/{kind:str}/{slug:str}"
    opt = roles(OFFICER)

    @get("/", name="officer_translations")
    async def languages(self, request: Request, kind: FromPath[str], slug: FromPath[str]) -> Template:
        content = await _content_or_404(kind, slug)
        done = await translations_by_locale(content.kind, content.object_id)
        rows = [{"locale": locale, "name": language_name(locale), "state": content.state(done.get(locale, {}))}
                for locale in translatable_locales()]
        return Template("translations/officer_languages.html", context={
            "content": content, "kind_name": KIND_NAMES[content.kind], "rows": rows, "back": back_link(request, content),
            "saved": request.query_params.get("saved", "")})

    def _form(self, request: Request, content: Content, locale: str, values: dict[str, str], errors: dict[str, str],
              *, status_code: int = 200) -> Template:
        ids = {name: f"field-{number}" for number, name in enumerate(content.english, start=1)}
        return Template("translations/officer_form.html", context={
            "content": content, "kind_name": KIND_NAMES[content.kind], "locale": locale,
            "language": language_name(locale), "direction": text_direction(locale), "ids": ids, "values": values,
            "errors": errors, "summary": {ids[name]: message for name, message in errors.items()},
            "back": request.app.route_reverse("officer_translations", kind=content.kind, slug=content.slug)},
            status_code=status_code)

    @get("/{locale:str}", name="officer_translation_form")
    async def form(self, request: Request, kind: FromPath[str], slug: FromPath[str], locale: FromPath[str]) -> Template:
        content = await _content_or_404(kind, slug)
        locale = _locale_or_404(locale)
        return self._form(request, content, locale, await translation_texts(content.kind, content.object_id, locale), {})

    @post("/{locale:str}", name="officer_translation_save")
    async def save(self, request: Request, kind: FromPath[str], slug: FromPath[str], locale: FromPath[str],
                   data: RepeatableFormData) -> Template | Redirect:
        content = await _content_or_404(kind, slug)
        locale = _locale_or_404(locale)
        form: dict[str, Any] = last_values(data, tuple(content.english))
        texts, errors = check_translation_form(content, form)
        if errors:
            return self._form(request, content, locale, texts, errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        saved = await save_translation(kind=content.kind, object_id=content.object_id, locale=locale, texts=texts,
                                       fields=list(content.english), updated_by=request.user.email)
        await record_audit(actor=request.user.email, action="content_translation_saved", object_type=content.kind,
                           object_id=content.slug,
                           detail=f"{locale}: {len(saved.changed)} field(s) written, {len(saved.cleared)} cleared; "
                                  f"now {content.state(texts)}",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("officer_translations", kind=content.kind, slug=content.slug)
                        + "?saved=" + locale, status_code=303)
