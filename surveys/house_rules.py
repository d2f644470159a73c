"""The published house rules for comments. A moderator's rejection or redaction names one of
these, and the author sees its wording on their private link."""

from __future__ import annotations

from common.i18n import lazy_gettext

HOUSE_RULES: dict[str, object] = {
    "personal_information": lazy_gettext("It includes personal information about you or someone else, such as a name, "
                                         "address, phone number, email address or details of a case"),
    "abusive": lazy_gettext("It is abusive, offensive, threatening or discriminatory"),
    "off_topic": lazy_gettext("It is not about this case study"),
    "advertising": lazy_gettext("It advertises a product, service or campaign, or is spam"),
    "unlawful": lazy_gettext("It breaks the law, or encourages others to, or could harm an investigation or legal case"),
    "impersonation": lazy_gettext("It pretends to be from someone else"),
}
"""Key → the rule as residents read it on the house rules page."""


def rule_text(key: str) -> str:
    """The rule's wording in the active language ("" for an unknown key)."""
    return str(HOUSE_RULES.get(key, ""))
