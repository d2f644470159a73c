"""Translation: gettext functions that answer in the language of the request being served.

The server sets ``active_locale`` for each request (``server/web/i18n.py``); everything else
— templates, Python code, emails — calls ``gettext``/``ngettext`` here, which look the message
up in that locale's catalogue. Strings defined at import time (menu labels, form labels in
module constants) use ``lazy_gettext``, which translates when the string is finally used, in
whatever locale is active then.

The source strings are British English, so English needs no catalogue: a locale without a
compiled ``.mo`` file falls back to the source strings (Babel's ``NullTranslations``)."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_date, format_datetime
from babel.support import LazyProxy, NullTranslations, Translations

if TYPE_CHECKING:
    from jinja2 import Environment

DEFAULT_LOCALE = "en_GB"
DOMAIN = "messages"

active_locale: ContextVar[str] = ContextVar("active_locale", default=DEFAULT_LOCALE)
"""The locale of the request being served; the default outside a request (CLI, workers)."""

_directory: Path | None = None


def use_catalogues(directory: Path) -> None:
    """Where the compiled catalogues live (``<directory>/<locale>/LC_MESSAGES/messages.mo``).
    Called once by the application that ships them; until then every locale speaks the source
    language."""
    global _directory
    _directory = directory
    translations_for.cache_clear()


@lru_cache(maxsize=16)
def translations_for(locale: str) -> NullTranslations:
    """The catalogue for a locale, loaded once; the source strings when there is none."""
    if _directory is None:
        return NullTranslations()
    return Translations.load(str(_directory), [locale], domain=DOMAIN)


def translate(message: str) -> str:
    """The bare catalogue look-up, with no placeholders filled (Jinja's new-style gettext fills
    them itself, after escaping)."""
    return translations_for(active_locale.get()).gettext(message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    """The bare plural look-up: the form the active locale's rules choose for ``count``."""
    return translations_for(active_locale.get()).ngettext(singular, plural, count)


def gettext(message: str, **variables: object) -> str:
    """The message in the active locale, with ``%(name)s`` placeholders filled from keywords."""
    translated = translate(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, count: int, **variables: object) -> str:
    """The singular or plural form the active locale's rules choose for ``count``; ``%(num)d``
    is the count itself, as in Jinja's ``{% trans count=... %}`` blocks."""
    translated = translate_plural(singular, plural, count)
    return translated % {"num": count, **variables}


def lazy_gettext(message: str, **variables: object) -> LazyProxy:
    """A string translated when used, not when defined: for module-level constants."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


def format_day(day: date) -> str:
    """``24 January 2022``, the form GOV.UK style uses in text, in the active locale's words."""
    return format_date(day, "d MMMM y", locale=active_locale.get())


def format_day_and_time(moment: datetime) -> str:
    """``24 January 2022, 14:05`` in the active locale's words (the time as given: convert it
    to the council's time zone first)."""
    return format_datetime(moment, "d MMMM y, HH:mm", locale=active_locale.get())


def install_in_jinja(env: Environment) -> None:
    """``{% trans %}``, ``_()``, ``gettext()`` and ``ngettext()`` in a Jinja environment,
    new-style: the placeholders are filled by keyword (``_("%(name)s's page", name=x)``) after
    escaping, and whitespace inside ``{% trans %}`` blocks is trimmed, as ``babel.cfg`` extracts
    it; and ``{% do %}``, for building the lists GOV.UK Frontend's macros take. The web pages
    and the report body rendered outside a request (analysis.reports.render) share it."""
    env.add_extension("jinja2.ext.i18n")
    env.add_extension("jinja2.ext.do")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(translate, translate_plural, newstyle=True)  # type: ignore[attr-defined]
