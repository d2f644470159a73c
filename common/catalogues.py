"""Checks of a translated gettext catalogue against the English template: every message a
catalogue must carry is translated, and no translation drops, adds or breaks a placeholder.

A broken placeholder is worse than a missing message: ``"%(name)s"`` typed as ``"%(enw)s"`` or
``"%(name)"`` fails only when the page is drawn, as a server error. Jinja's new-style gettext
formats every message, so a lone ``%`` must be written ``%%`` in the translation exactly where
the English has it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%|%|\{(\w+)\}")
"""``%(name)s``, ``%(num)d``, ``%%``, a lone ``%`` (an error in a formatted message) and ``{name}``."""
COUNT = "num"
"""The count of a plural message, which a language may leave out of a form (Welsh "un", Arabic "صفر")."""


def placeholders(text: str) -> Counter[str]:
    """The placeholders of a message, ``%%`` and any lone ``%`` included, with how often each occurs."""
    found: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match.group(1):
            found[f"%({match.group(1)})"] += 1
        elif match.group(2):
            found[f"{{{match.group(2)}}}"] += 1
        else:
            found[match.group(0)] += 1
    return found


def message_key(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def translation_problem(message: Message) -> str | None:
    """Why a translated message would break on the page (None when its placeholders match)."""
    if isinstance(message.id, str):
        if isinstance(message.string, str) and message.string and set(placeholders(message.string)) != set(
                placeholders(message.id)):
            return _describe(message.id, message.string)
        return None
    wanted = set(placeholders(message.id[0])) | set(placeholders(message.id[1]))
    for form in message.string:
        if not form:
            continue
        got = set(placeholders(form))
        if not got <= wanted or not (wanted - {f"%({COUNT})"}) <= got or ("%" in got):
            return _describe(message.id[1], form)
    return None


def _describe(english: str, translated: str) -> str:
    return (f"placeholders differ: {english!r} has {sorted(placeholders(english))}, "
            f"{translated!r} has {sorted(placeholders(translated))}")


def is_translated(message: Message | None, plural_forms: int) -> bool:
    if message is None or message.fuzzy:
        return False
    if isinstance(message.string, str):
        return bool(message.string)
    return len(message.string) == plural_forms and all(message.string)


@dataclass(frozen=True)
class CatalogueCheck:
    """How far a catalogue covers the English, and what is wrong with it."""

    locale: str
    translated: int
    """Messages of the whole template translated (staff pages included)."""
    total: int
    required_translated: int
    required_total: int
    missing: tuple[str, ...]
    """Required messages (the resident set) not translated, fuzzy or with a plural form left empty."""
    broken: tuple[str, ...]
    """Translations whose placeholders do not match the English."""

    @property
    def complete(self) -> bool:
        return not self.missing and not self.broken


def check_catalogue(catalogue: Catalog, template: Catalog, required: Catalog) -> CatalogueCheck:
    """``catalogue`` (a locale's ``.po``) against the whole English ``template`` and the
    ``required`` messages it must translate in full."""
    plural_forms = catalogue.num_plurals
    translated = {message_key(message) for message in catalogue if message.id and is_translated(message, plural_forms)}
    wanted_all = {message_key(message) for message in template if message.id}
    wanted_required = [message_key(message) for message in required if message.id]
    missing = tuple(str(key) for key in wanted_required if key not in translated)
    broken = tuple(f"{message_key(message)!s}: {problem}" for message in catalogue
                   if message.id and (problem := translation_problem(message)))
    return CatalogueCheck(locale=str(catalogue.locale), translated=len(translated & wanted_all), total=len(wanted_all),
                          required_translated=len(wanted_required) - len(missing), required_total=len(wanted_required),
                          missing=missing, broken=broken)
