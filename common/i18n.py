"""Translation: gettext functions that answer in the language of the request being served.

The server sets ``active_locale`` for each request (``server/web/i18n.py``); everything else
— templates, Python code, emails — calls ``gettext``/``ngettext`` here, which look the message
up in that locale's catalogue. Strings defined at import time (menu labels, form labels in
module constants) use ``lazy_gettext``, which translates when the string is finally used, in
whatever locale is active then.

The source strings are British English, so English needs no catalogue: a locale without a
catalogue falls back to the source strings (Babel's ``NullTranslations``). Catalogues are kept as
``.po`` files only and compiled in memory the first time a locale is used, so a fresh clone, an
installed wheel and a running server all read the same file and no build step can be forgotten;
a message marked fuzzy or left empty is not used (the English stands in)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from io import BytesIO

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import LazyProxy, NullTranslations, Translations

if TYPE_CHECKING:
    from jinja2 import Environment

DEFAULT_LOCALE = "en_GB"
DOMAIN = "messages"

active_locale: ContextVar[str] = ContextVar("active_locale", default=DEFAULT_LOCALE)
"""The locale of the request being served; the default outside a request (CLI, workers)."""

_directory: Path | None = None


def use_catalogues(directory: Path) -> None:
    """Where the catalogues live (``<directory>/<locale>/LC_MESSAGES/messages.po``).
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
    source = catalogue_path(_directory, locale)
    if not source.is_file():
        return NullTranslations()
    with open(source, "rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def catalogue_path(directory: Path, locale: str) -> Path:
    """Where a locale's catalogue is kept under ``directory``."""
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def text_direction(locale: str) -> str:
    """``rtl`` for a language written right to left (Arabic, Urdu, Persian…), ``ltr`` otherwise:
    the CLDR's character order, as HTML's ``dir`` wants it."""
    return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"


def language_name(locale: str) -> str:
    """A language named in itself, as a language switcher lists it: "English", "Cymraeg", "العربية"."""
    name = Locale.parse(locale).get_language_name(locale) or locale
    return name[:1].upper() + name[1:]


@contextmanager
def speaking(locale: str | None) -> Iterator[None]:
    """Messages composed inside are in ``locale`` (the default when empty): an email composed in
    an officer's request to a resident who wrote in Welsh is written in Welsh."""
    token = active_locale.set(locale or DEFAULT_LOCALE)
    try:
        yield
    finally:
        active_locale.reset(token)


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


DAY_PATTERNS = {"es": "d 'de' MMMM 'de' y", "pt": "d 'de' MMMM 'de' y"}
"""Languages that join day, month and year with words: "3 de febrero de 2027", not "3 febrero 2027"."""


def _day_pattern(locale: str) -> str:
    return DAY_PATTERNS.get(locale.partition("_")[0], "d MMMM y")


def format_day(day: date) -> str:
    """``24 January 2022``, the form GOV.UK style uses in text, in the active locale's words."""
    locale = active_locale.get()
    return format_date(day, _day_pattern(locale), locale=locale)


def format_count(number: int) -> str:
    """``1,599``: a whole number as GOV.UK style writes it, with the locale's group separator."""
    return format_decimal(number, locale=active_locale.get())


def elapsed_in_words(start: date, end: date) -> str:
    """How long from ``start`` to ``end`` in the words a reader takes in at a glance: "more than
    4 years", "3 months", "more than 2 weeks", "5 days". Whole calendar years and months are
    counted (so "4 years" only when it is exactly four years to the day), then weeks from 14
    days; "more than" says a remainder was dropped. Give the exact days beside it."""
    if end < start:
        start, end = end, start
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if _add_months(start, months + 1) <= end:  # 31 January to 28 February is a month
        months += 1
    if months >= 12:
        years = months // 12
        exact = _add_months(start, 12 * years) == end
        return (ngettext("%(num)d year", "%(num)d years", years) if exact
                else ngettext("more than %(num)d year", "more than %(num)d years", years))
    if months >= 1:
        exact = _add_months(start, months) == end
        return (ngettext("%(num)d month", "%(num)d months", months) if exact
                else ngettext("more than %(num)d month", "more than %(num)d months", months))
    days = (end - start).days
    if days >= 14:
        weeks = days // 7
        return (ngettext("%(num)d week", "%(num)d weeks", weeks) if days % 7 == 0
                else ngettext("more than %(num)d week", "more than %(num)d weeks", weeks))
    return ngettext("%(num)d day", "%(num)d days", days)


def _add_months(day: date, months: int) -> date:
    """``day`` moved on by whole months, kept to the last day of a shorter month."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def format_day_and_time(moment: datetime) -> str:
    """``24 January 2022, 14:05`` in the active locale's words (the time as given: convert it
    to the council's time zone first)."""
    locale = active_locale.get()
    return format_datetime(moment, _day_pattern(locale) + ", HH:mm", locale=locale)


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
