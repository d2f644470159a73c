"""Checking an officer's translation form before it is saved: nothing too long to store, and no
two options of one question that would read the same in the translation (a resident could not
tell them apart, although their answers would be stored as different choices)."""

from __future__ import annotations

from common.i18n import format_count, gettext
from surveys.questionnaire_translation import OPTION_SEPARATOR

from analysis.translations.content import Content
from analysis.translations.store import MAX_FIELD_LENGTH


def check_translation_form(content: Content, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The texts typed for each of the content's fields (trimmed; blank for none) and the errors
    by field name."""
    texts = {name: str(form.get(name, "")).strip() for name in content.english}
    errors: dict[str, str] = {}
    for name, text in texts.items():
        if len(text) > MAX_FIELD_LENGTH:
            errors[name] = gettext("Shorten this translation to %(limit)s characters or fewer",
                                   limit=format_count(MAX_FIELD_LENGTH))
    seen: dict[tuple[str, str], str] = {}
    for name, text in texts.items():
        question, separator, _ = name.partition(OPTION_SEPARATOR)
        if not separator or not text:
            continue
        other = seen.get((question, text.casefold()))
        if other is not None and name not in errors:
            errors[name] = gettext("Two options of this question read ‘%(text)s’: give each option its own words",
                                   text=text)
        seen.setdefault((question, text.casefold()), name)
    return texts, errors
