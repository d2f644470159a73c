"""Email addresses: one validity rule and one normalised form for every package.

Validity is the ``email-validator`` library's syntax check (no DNS lookup: forms must answer
offline and quickly), with quoted local parts and domain literals refused, so every address that
passes is one Python's ``email`` package can put in a ``To:`` header and SMTP can deliver.

The normalised form (``normalise_email``) is how addresses are compared: surrounding space
removed, then case-folded and NFKC-normalised as a whole. ``Ann@Example.COM`` and
``ann@example.com`` are one person here. Every record that holds a resident's address holds its
normalised form in an ``email_key`` column beside it, and queries match only on that column —
never with SQL's ``lower``, which on SQLite folds only ASCII. Forms check an address and keep it
as typed, so the page can show it back; the confirmation sent while the person is there goes to
the address exactly as they gave it, and a link asked for later by email goes to the address held
on the record, never to the one typed in the request (``K`` and the Kelvin sign ``\u212a`` are
one key but two mailboxes).
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254
"""The longest address SMTP carries (RFC 5321's 256-octet path less the angle brackets)."""


def normalise_email(address: str) -> str:
    """The stored and compared form: stripped, case-folded and NFKC-normalised. Idempotent:
    normalising a normalised address gives it back unchanged."""
    text = unicodedata.normalize("NFKC", address.strip())
    for _ in range(4):  # case-folding can un-normalise a few characters; settle on a fixed point
        folded = unicodedata.normalize("NFKC", text.casefold()).strip()
        if folded == text:
            break
        text = folded
    return text


def is_valid_email(address: str) -> bool:
    """True when ``address`` (taken as given: strip it first) is a deliverable-looking address of
    at most ``MAX_EMAIL_LENGTH`` characters."""
    if not address or len(address) > MAX_EMAIL_LENGTH or address != address.strip():
        return False
    try:
        validate_email(address, check_deliverability=False, allow_quoted_local=False, allow_domain_literal=False,
                       allow_display_name=False, allow_empty_local=False)
    except EmailNotValidError:
        return False
    return True


def clean_email(address: str) -> str | None:
    """The normalised address when it is valid, else None. Validity is checked on the normalised
    form, because that is what is stored and what mail is sent to."""
    normalised = normalise_email(address)
    return normalised if is_valid_email(normalised) else None
