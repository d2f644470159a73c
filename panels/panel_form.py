"""The officer's "create a panel" form, checked as plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from common.clock import end_of_council_day
from panels.store import SessionInput

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


def _whole(raw: str, name: str, label: str, low: int, high: int, errors: dict[str, str]) -> int:
    if not raw:
        errors[name] = f"Enter the {label}"
        return 0
    if not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = f"The {label} must be a whole number from {low} to {high}"
        return 0
    return int(raw)


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
        errors["name"] = "Enter the panel's name"
    elif len(get("name")) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    year = _whole(get("year"), "year", "year", 2000, 2100, errors)
    panel_size = _whole(get("panel_size"), "panel_size", "panel size", 2, 500, errors)
    retention_days = _whole(get("retention_days"), "retention_days", "retention period", 0, 3650, errors)
    voucher_pence = 0
    if get("voucher"):
        if not re.fullmatch(r"£?\d{1,4}(\.\d{2})?", get("voucher")):
            errors["voucher"] = "Enter the voucher amount in pounds, like 30 or 30.00"
        else:
            voucher_pence = round(float(get("voucher").lstrip("£")) * 100)
    deadline = None
    if get("deadline"):
        try:
            day = date.fromisoformat(get("deadline"))
            deadline = end_of_council_day(day)
        except ValueError:
            errors["deadline"] = "Enter a real date for the registration deadline, like 2026-03-31"
    prefixes = " ".join(get("postcode_prefixes").upper().replace(",", " ").split())
    if prefixes and not all(re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]?", prefix) for prefix in prefixes.split()):
        errors["postcode_prefixes"] = "Enter postcode districts separated by spaces, like NW1 NW3 WC1"
    sessions: list[SessionInput] = []
    for number in range(1, SESSION_ROWS + 1):
        cells = {name: get(f"session_{number}_{name}") for name in SESSION_FIELDS}
        if not any(cells.values()):
            continue
        prefix = f"session_{number}_"
        if not cells["title"]:
            errors[prefix + "title"] = f"Enter a title for session {number}"
        try:
            held_on = date.fromisoformat(cells["date"])
        except ValueError:
            errors[prefix + "date"] = f"Enter a real date for session {number}, like 2026-05-16"
            held_on = None
        starts, ends = _time(cells["start"]), _time(cells["end"])
        if starts is None:
            errors[prefix + "start"] = f"Enter a start time for session {number}, like 10:00"
        if ends is None:
            errors[prefix + "end"] = f"Enter an end time for session {number}, like 16:00"
        elif starts is not None and ends <= starts:
            errors[prefix + "end"] = f"Session {number} must end after it starts"
        if not cells["place"]:
            errors[prefix + "place"] = f"Enter where session {number} takes place"
        if held_on and starts and ends and cells["title"] and cells["place"]:
            sessions.append(SessionInput(cells["title"][:200], held_on, starts, ends, cells["place"][:300]))
    if errors:
        return None, errors
    return PanelInput(name=get("name"), year=year, panel_size=panel_size, registration_deadline=deadline,
                      voucher_pence=voucher_pence, household_rule=get("household_rule") == "yes",
                      retention_days=retention_days, postcode_prefixes=prefixes,
                      prefer_not_to_say=get("prefer_not_to_say") == "yes", description=get("description")[:4000],
                      sessions=sessions), {}
