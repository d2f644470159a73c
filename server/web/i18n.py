"""The language of each request, and gettext installed in the Jinja environment.

Only English exists today (the source strings), so every request is served in ``en_GB``; the
negotiation is here so that a catalogue added under ``server/translations/`` is used for the
people whose browsers ask for it, without touching any page. Cached public pages are stored
per path, not per language: a second language needs the locale in the page cache's key."""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from jinja2 import Environment
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from common.i18n import DEFAULT_LOCALE, active_locale, install_in_jinja, use_catalogues

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def available_locales(directory: Path = TRANSLATIONS_DIR) -> tuple[str, ...]:
    """The source language and every locale with a compiled catalogue."""
    compiled = sorted(path.parent.parent.name for path in directory.glob("*/LC_MESSAGES/messages.mo"))
    return (DEFAULT_LOCALE, *(name for name in compiled if name != DEFAULT_LOCALE))


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


class LocaleMiddleware(ASGIMiddleware):
    """Sets ``common.i18n.active_locale`` for the request, so gettext anywhere answers in it."""

    def __init__(self, available: tuple[str, ...]):
        self.available = available

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if len(self.available) == 1:
            await next_app(scope, receive, send)  # only the source language: nothing to choose
            return
        header = next((value for name, value in scope.get("headers", ()) if name == b"accept-language"), b"")
        token = active_locale.set(negotiate_locale(header.decode("latin-1"), self.available))
        try:
            await next_app(scope, receive, send)
        finally:
            active_locale.reset(token)


def install_gettext(env: Environment, directory: Path = TRANSLATIONS_DIR) -> None:
    """The web pages' gettext: the catalogues in ``directory``, Jinja's i18n as
    ``common.i18n.install_in_jinja`` sets it up, and the page's ``lang``."""
    use_catalogues(directory)
    install_in_jinja(env)
    env.globals["html_lang"] = html_lang


def html_lang() -> str:
    """The active locale as an HTML ``lang`` value: ``en_GB`` is ``en-GB``."""
    return active_locale.get().replace("_", "-")
