"""The expression-of-interest form, checked as plain data (no database, no web).

``check_registration`` takes the submitted fields and the panel's questions and returns the
cleaned registration or GOV.UK-style messages keyed by field name. The same function answers
htmx's inline check of one field, so the messages never differ between the two paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from common.emails import clean_email
from common.postcodes import in_areas, is_postcode, normalise_postcode, parse_areas
from common.i18n import gettext

ADULT_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
MIN_AGE = 18
MAX_AGE = 120
TEXT_FIELDS = ("full_name", "email", "phone", "address", "postcode", "age")


@dataclass(frozen=True)
class Question:
    """One question per quota dimension: its field name is the dimension."""

    dimension: str
    label: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Registration:
    full_name: str
    email: str
    phone: str
    address: str
    postcode: str
    age: int
    answers: dict[str, str] = field(default_factory=dict)
    date_of_birth: date | None = None
    """When the person gave a date of birth rather than an age."""


def age_band_for(age: int) -> str:
    for band in ADULT_AGE_BANDS:
        if band.endswith("+"):
            return band
        low, high = (int(part) for part in band.split("-"))
        if low <= age <= high:
            return band
    raise ValueError(f"no adult age band for {age}")


def parse_birth_date(raw: str, *, today: date) -> date | None:
    """The date of birth typed in the "age, or date of birth" box (``1980-04-01`` or
    ``01/04/1980``), or None for an age or anything else."""
    text = raw.strip()
    if text.isdecimal():
        return None
    born = None
    try:
        born = date.fromisoformat(text)
    except ValueError:
        parts = re.split(r"[/.\-\s]+", text)
        if len(parts) == 3 and all(part.isdecimal() for part in parts):
            try:
                born = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return born if born is not None and born <= today else None


def parse_age(raw: str, *, today: date) -> int | None:
    """An age in whole years, from ``42`` or a date of birth (``parse_birth_date``)."""
    text = raw.strip()
    if text.isdecimal():  # digits of any script, which int() reads; not "²", which it refuses
        return int(text) if len(text) <= 3 else None
    born = parse_birth_date(text, today=today)
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


CONTACT_FIELDS = ("full_name", "email", "phone", "address", "postcode")


def ascii_digits(text: str) -> str:
    """Digits typed on a Bengali or Arabic keyboard (``০৭৭০০``, ``٠٧٧٠٠``) as ``0``–``9``: a telephone
    number or postcode is kept as the council's staff and systems read it. (An age needs nothing:
    ``int`` reads any script's digits.)"""
    return "".join(str(int(character)) if character.isdecimal() else character for character in text)


def borough_areas(postcode_prefixes: str | Sequence[str]) -> list[str]:
    """The panel's districts and sectors, from its stored text (``NW1, WC1N 3``) or from that text
    split on spaces (a lone sector digit joins the district before it again)."""
    text = postcode_prefixes if isinstance(postcode_prefixes, str) else " ".join(postcode_prefixes)
    return parse_areas(text)[0]


def check_contact_details(data: Mapping[str, str], *,
                          postcode_prefixes: str | Sequence[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Name, email, telephone, address and postcode, cleaned (postcode normalised), with a message
    per bad field. Used by registration and by a volunteer correcting their details.
    ``postcode_prefixes``: the borough's districts and sectors (``borough_areas``); empty: any UK postcode."""
    values = {name: str(data.get(name, "")).strip() for name in CONTACT_FIELDS}
    values["phone"], values["postcode"] = ascii_digits(values["phone"]), ascii_digits(values["postcode"])
    errors: dict[str, str] = {}
    if not values["full_name"]:
        errors["full_name"] = gettext("Enter your full name")
    elif len(values["full_name"]) > 200:
        errors["full_name"] = gettext("Your name must be 200 characters or fewer")
    if not values["email"]:
        errors["email"] = gettext("Enter your email address")
    elif clean_email(values["email"]) is None:
        errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
    if values["phone"] and not re.fullmatch(r"\+?[0-9 ()\-]{7,20}", values["phone"]):
        errors["phone"] = gettext("Enter a telephone number, like 020 7974 4444 or 07700 900 982")
    if not values["address"]:
        errors["address"] = gettext("Enter the first line of your address")
    elif len(values["address"]) > 300:
        errors["address"] = gettext("The address must be 300 characters or fewer")
    postcode = normalise_postcode(values["postcode"])
    if not values["postcode"]:
        errors["postcode"] = gettext("Enter your postcode")
    elif not is_postcode(postcode):
        errors["postcode"] = gettext("Enter a real UK postcode, like NW1 2RU")
    elif not in_areas(postcode, borough_areas(postcode_prefixes)):
        errors["postcode"] = gettext("Enter a postcode in the borough: this panel is for residents only")
    values["postcode"] = postcode
    return values, errors


def check_registration(
    data: Mapping[str, str],
    *,
    questions: Sequence[Question],
    postcode_prefixes: str | Sequence[str] = (),
    today: date,
) -> tuple[Registration | None, dict[str, str]]:
    values, errors = check_contact_details(data, postcode_prefixes=postcode_prefixes)
    values["age"] = str(data.get("age", "")).strip()
    postcode = values["postcode"]
    age = parse_age(values["age"], today=today) if values["age"] else None
    if not values["age"]:
        errors["age"] = gettext("Enter your age or your date of birth")
    elif age is None:
        errors["age"] = gettext("Enter your age in years, like 42, or your date of birth, like 31/03/1980")
    elif age < MIN_AGE:
        errors["age"] = gettext("You must be %(age)d or over to join the panel", age=MIN_AGE)
    elif age > MAX_AGE:
        errors["age"] = gettext("Enter your age in years, like 42")
    answers: dict[str, str] = {}
    for question in questions:
        answer = str(data.get(question.dimension, "")).strip()
        if answer not in question.options:
            errors[question.dimension] = gettext("Select an answer for ‘%(question)s’", question=question.label)
        else:
            answers[question.dimension] = answer
    if str(data.get("consent", "")) != "yes":
        errors["consent"] = gettext("Confirm that you agree to how we will use your information")
    if errors or age is None:
        return None, errors
    return Registration(full_name=values["full_name"], email=values["email"], phone=values["phone"],
                        address=values["address"], postcode=postcode, age=age, answers=answers,
                        date_of_birth=parse_birth_date(values["age"], today=today)), {}
