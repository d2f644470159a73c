"""The published house rules for comments. A moderator's rejection or redaction names one of
these, and the author sees its wording on their private link."""

from __future__ import annotations

HOUSE_RULES: dict[str, str] = {
    "personal_information": "It includes personal information about you or someone else, such as a name, address, "
                            "phone number, email address or details of a case",
    "abusive": "It is abusive, offensive, threatening or discriminatory",
    "off_topic": "It is not about this case study",
    "advertising": "It advertises a product, service or campaign, or is spam",
    "unlawful": "It breaks the law, or encourages others to, or could harm an investigation or legal case",
    "impersonation": "It pretends to be from someone else",
}
"""Key → the rule as residents read it on the house rules page."""


def rule_text(key: str) -> str:
    return HOUSE_RULES.get(key, "")
