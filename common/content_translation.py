"""Content in several languages: a translation laid over the English, field by field.

Officers write content (a case study, a consultation and its questionnaire, a panel's page, a
report's summary) in English, then may add its translation into any shipped language, one text
per field. A resident reading in that language sees each field translated where a translation
exists and the English where it does not; the page says which (``Overlay.missing``), and marks
the English parts ``lang="en"`` so a screen reader pronounces them as English.

Pure functions over plain dicts (field name to text): the stores and the pages are elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOT_STARTED, PARTLY, COMPLETE = "not_started", "partly", "complete"
"""The state of one language's translation of one piece of content."""


@dataclass(frozen=True)
class Overlay:
    """Content as a reader in ``locale`` sees it. ``fields``: every English field, translated
    where a translation exists; ``missing``: the fields shown in English although English is not
    the reader's language (empty for a complete translation and for English readers)."""

    fields: dict[str, str]
    locale: str
    missing: frozenset[str] = field(default_factory=frozenset)
    translated: bool = False
    """True when at least one field is shown translated."""

    def text(self, name: str) -> str:
        return self.fields.get(name, "")

    def in_english(self, name: str) -> bool:
        return name in self.missing

    @property
    def untranslated(self) -> bool:
        """Nothing is translated although the reader's language is not English: all in English."""
        return bool(self.missing) and not self.translated

    @property
    def partly(self) -> bool:
        """Some fields translated, some left in English."""
        return bool(self.missing) and self.translated


def is_english(locale: str) -> bool:
    return locale.partition("_")[0] == "en"


def needs_translation(text: str) -> bool:
    """Whether a text has words to translate: "16-17", "75+" or "2026" read the same in every
    language, so a translation without them is still complete and nothing is said to be English."""
    return any(character.isalpha() for character in text)


def overlay(english: dict[str, str], translation: dict[str, str], locale: str) -> Overlay:
    """``english`` with each field replaced by its translation where one is given (a blank
    translation counts as none). An English ``locale`` gets the English as it is. A field with
    no words in its English (empty, or a number such as "16-17") is never reported missing."""
    if is_english(locale):
        return Overlay(fields=dict(english), locale=locale)
    shown: dict[str, str] = {}
    missing: set[str] = set()
    translated = False
    for name, text in english.items():
        given = (translation.get(name) or "").strip()
        if given and text.strip():
            shown[name] = given
            translated = True
        else:
            shown[name] = text
            if needs_translation(text):
                missing.add(name)
    return Overlay(fields=shown, locale=locale, missing=frozenset(missing), translated=translated)


def translation_state(english: dict[str, str], translation: dict[str, str]) -> str:
    """``not_started``, ``partly`` or ``complete``: how many of the fields whose English has
    words have a translation. Content with nothing to translate is complete."""
    wanted = [name for name, text in english.items() if needs_translation(text)]
    done = [name for name in wanted if (translation.get(name) or "").strip()]
    if len(done) == len(wanted):
        return COMPLETE
    return PARTLY if done else NOT_STARTED
