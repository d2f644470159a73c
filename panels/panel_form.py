"""The officer's "create a panel" form, checked as plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from common.clock import end_of_council_day
from common.i18n import gettext
from common.postcodes import format_areas, parse_areas
from common.text import whole_number
from panels.store import SessionInput

MAX_AREAS_LENGTH = 300
"""``Panel.postcode_prefixes`` holds at most this many characters."""
SESSION_ROWS = 3
SESSION_FIELDS = ("title", "date", "start", "end", "place")


@dataclass(frozen=True)
class PanelInput:
    name: str
    year: int
    panel_size: int
    registration_deadline: datetime | None
    voucher_pence: int
    household_rule: bool
    retention_days: int
    postcode_prefixes: str
    prefer_not_to_say: bool
    description: str
    sessions: list[SessionInput] = field(default_factory=list)


def _whole(raw: str, name: str, low: int, high: int, errors: dict[str, str], *, missing: str, out_of_range: str) -> int:
    """A whole number from ``low`` to ``high``; the messages are whole sentences, so each reads
    naturally once translated."""
    if not raw:
        errors[name] = missing
        return 0
    number = whole_number(raw)
    if number is None or not low <= number <= high:
        errors[name] = out_of_range
        return 0
    return number


def _time(raw: str) -> time | None:
    try:
        return time.fromisoformat(raw)
    except ValueError:
        return None


def check_panel_form(data: Mapping[str, str]) -> tuple[PanelInput | None, dict[str, str]]:
    value = {key: str(val).strip() for key, val in data.items()}
    get = lambda key: value.get(key, "")  # noqa: E731
    errors: dict[str, str] = {}
    if not get("name"):
        errors["name"] = gettext("Enter the panel's name")
    elif len(get("name")) > 200:
        errors["name"] = gettext("The name must be 200 characters or fewer")
    year = _whole(get("year"), "year", 2000, 2100, errors, missing=gettext("Enter the year"),
                  out_of_range=gettext("The year must be a whole number from %(low)d to %(high)d", low=2000, high=2100))
    panel_size = _whole(get("panel_size"), "panel_size", 2, 500, errors, missing=gettext("Enter the panel size"),
                        out_of_range=gettext("The panel size must be a whole number from %(low)d to %(high)d",
                                             low=2, high=500))
    retention_days = _whole(get("retention_days"), "retention_days", 0, 3650, errors,
                            missing=gettext("Enter the retention period"),
                            out_of_range=gettext("The retention period must be a whole number from %(low)d to %(high)d",
                                                 low=0, high=3650))
    voucher_pence = 0
    if get("voucher"):
        if not re.fullmatch(r"£?\d{1,4}(\.\d{2})?", get("voucher")):
            errors["voucher"] = gettext("Enter the voucher amount in pounds, like 30 or 30.00")
        else:
            voucher_pence = round(float(get("voucher").lstrip("£")) * 100)
    deadline = None
    if get("deadline"):
        try:
            day = date.fromisoformat(get("deadline"))
            deadline = end_of_council_day(day)
        except ValueError:
            errors["deadline"] = gettext("The registration deadline must be a real date, for example 31 3 2027")
    areas, not_areas = parse_areas(get("postcode_prefixes"))
    prefixes = format_areas(areas)
    if not_areas:
        errors["postcode_prefixes"] = gettext(
            "‘%(word)s’ is not a postcode district or sector: enter districts like NW1 WC1N, or sectors like WC1N 3",
            word=not_areas[0])
    elif len(prefixes) > MAX_AREAS_LENGTH:
        errors["postcode_prefixes"] = gettext("The list of postcode districts and sectors must be %(limit)d characters "
                                              "or fewer: name whole districts where you can", limit=MAX_AREAS_LENGTH)
    sessions: list[SessionInput] = []
    for number in range(1, SESSION_ROWS + 1):
        cells = {name: get(f"session_{number}_{name}") for name in SESSION_FIELDS}
        if not any(cells.values()):
            continue
        session, session_errors = check_session(cells, number=number)
        errors.update({f"session_{number}_{name}": message for name, message in session_errors.items()})
        if session is not None:
            sessions.append(session)
    if errors:
        return None, errors
    return PanelInput(name=get("name"), year=year, panel_size=panel_size, registration_deadline=deadline,
                      voucher_pence=voucher_pence, household_rule=get("household_rule") == "yes",
                      retention_days=retention_days, postcode_prefixes=prefixes,
                      prefer_not_to_say=get("prefer_not_to_say") == "yes", description=get("description")[:4000],
                      sessions=sessions), {}


def check_session(cells: Mapping[str, str], *, number: int | None = None) -> tuple[SessionInput | None, dict[str, str]]:
    """One session's title, date (ISO), start, end and place; errors keyed by those names. With
    ``number``, the messages name the session (the create form has several)."""
    cells = {name: str(cells.get(name, "")).strip() for name in SESSION_FIELDS}
    errors: dict[str, str] = {}
    if not cells["title"]:
        errors["title"] = (gettext("Enter a title for session %(number)d", number=number) if number
                           else gettext("Enter a title for the session"))
    try:
        held_on = date.fromisoformat(cells["date"])
    except ValueError:
        errors["date"] = (gettext("The date of session %(number)d must be a real date, for example 16 5 2027", number=number)
                          if number else gettext("The date of the session must be a real date, for example 16 5 2027"))
        held_on = None
    starts, ends = _time(cells["start"]), _time(cells["end"])
    if starts is None:
        errors["start"] = (gettext("Enter a start time for session %(number)d, like 10:00", number=number) if number
                           else gettext("Enter a start time for the session, like 10:00"))
    if ends is None:
        errors["end"] = (gettext("Enter an end time for session %(number)d, like 16:00", number=number) if number
                         else gettext("Enter an end time for the session, like 16:00"))
    elif starts is not None and ends <= starts:
        errors["end"] = (gettext("Session %(number)d must end after it starts", number=number) if number
                         else gettext("The session must end after it starts"))
    if not cells["place"]:
        errors["place"] = (gettext("Enter where session %(number)d takes place", number=number) if number
                           else gettext("Enter where the session takes place"))
    if errors:
        return None, errors
    return SessionInput(cells["title"][:200], held_on, starts, ends, cells["place"][:300]), {}
