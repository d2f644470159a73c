"""The language of each request, and gettext installed in the Jinja environment.

A request is served in the language of its ``lang`` cookie when that is one we have (the
language switcher on every page sets it, ``server/controllers/site/language.py``), otherwise in
the best match for the browser's ``Accept-Language``, otherwise in British English. The page
cache asks ``choose_locale`` too, and keeps a page per language."""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from jinja2 import Environment
from litestar.types import ASGIApp, Receive, Scope, Send

from common.i18n import (DEFAULT_LOCALE, DOMAIN, active_locale, install_in_jinja, language_name, text_direction,
                         use_catalogues)

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def available_locales(directory: Path = TRANSLATIONS_DIR) -> tuple[str, ...]:
    """The source language and every locale with a catalogue."""
    shipped = sorted(path.parent.parent.name for path in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT_LOCALE, *(name for name in shipped if name != DEFAULT_LOCALE))


def negotiate_locale(accept_language: str, available: tuple[str, ...]) -> str:
    """The best of ``available`` for an Accept-Language header; the default when none fits."""
    preferred = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and tag != "*":
            preferred.append((weight, tag.replace("-", "_")))
    ranked = [tag for _, tag in sorted(preferred, key=lambda pair: -pair[0])]
    try:
        chosen = Locale.negotiate(ranked, list(available), sep="_")
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LOCALE
    return str(chosen) if chosen else DEFAULT_LOCALE


def cookie_locale(cookie_header: str, available: tuple[str, ...]) -> str | None:
    """The ``lang`` cookie's locale when it names one of ``available`` (the last such cookie, as
    browsers send the most specific path first), else None."""
    chosen = None
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANGUAGE_COOKIE:
            chosen = value.strip('"') if value.strip('"') in available else None
    return chosen


def choose_locale(scope: Scope, available: tuple[str, ...]) -> str:
    """The request's locale: its ``lang`` cookie, else its Accept-Language, else English."""
    if len(available) == 1:
        return available[0]
    cookie, accept = b"", b""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookie = cookie + b";" + value if cookie else value
        elif name == b"accept-language":
            accept = value
    return (cookie_locale(cookie.decode("latin-1"), available)
            or negotiate_locale(accept.decode("latin-1"), available))


class SpeakTheRequestsLanguage:
    """Wraps the whole application (``app.asgi_handler``), so that ``common.i18n.active_locale``
    is the request's language everywhere gettext runs: route handlers, and also the router's own
    answers (a 404 for an address no route matches), which no route middleware sees."""

    def __init__(self, app: ASGIApp, available: tuple[str, ...]):
        self.app = app
        self.available = available

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = active_locale.set(choose_locale(scope, self.available))
        try:
            await self.app(scope, receive, send)
        finally:
            active_locale.reset(token)


def install_gettext(env: Environment, directory: Path = TRANSLATIONS_DIR) -> None:
    """The web pages' gettext: the catalogues in ``directory``, Jinja's i18n as
    ``common.i18n.install_in_jinja`` sets it up, the page's ``lang`` and ``dir``, and the
    languages the switcher offers."""
    use_catalogues(directory)
    install_in_jinja(env)
    languages = tuple((locale, language_name(locale), html_lang(locale)) for locale in available_locales(directory))
    env.globals["html_lang"] = html_lang
    env.globals["html_dir"] = html_dir
    env.globals["languages"] = languages
    env.globals["language_name"] = language_name


def html_lang(locale: str | None = None) -> str:
    """A locale (the active one by default) as an HTML ``lang`` value: ``en_GB`` is ``en-GB``."""
    return (locale or active_locale.get()).replace("_", "-")


def html_dir() -> str:
    """The active locale's writing direction, for ``<html dir>``."""
    return text_direction(active_locale.get())
