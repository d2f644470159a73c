"""The selection form's question about people who served on a recent panel: parse and check it.

Fields: ``recent_rule`` (include, exclude, lower), ``recent_years`` (N: served on a panel of this
year or the N years before) and ``recent_factor`` (X, with lower). Messages name what to type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.i18n import gettext
from common.text import whole_number
from panels.selection.recent_service import DEFAULT_FACTOR, RECENT_RULES, RecentServiceRule
from panels.service_records import SERVICE_RECORD_YEARS
from server.web.forms import last_value

DEFAULT_YEARS = 5
FIELDS = ("recent_rule", "recent_years", "recent_factor")


@dataclass(frozen=True)
class RecentServiceChoice:
    rule: RecentServiceRule
    years: int


def default_values() -> dict[str, str]:
    return {"recent_rule": "include", "recent_years": str(DEFAULT_YEARS), "recent_factor": str(DEFAULT_FACTOR)}


def parse_recent_service(data: Mapping[str, object], *, objective: str) -> tuple[RecentServiceChoice | None,
                                                                                 dict[str, str], dict[str, str]]:
    """(the choice, or None when there are errors; the values as typed; the errors by field)."""
    values = {**default_values(), **{name: last_value(data, name).strip() for name in FIELDS if name in data}}
    errors: dict[str, str] = {}
    rule = values["recent_rule"]
    if rule not in RECENT_RULES:
        errors["recent_rule"] = gettext("Choose what to do with people who served on a recent panel")
        return None, values, errors
    years = 0
    if rule != "include":
        typed = whole_number(values["recent_years"])
        if typed is None or not 1 <= typed <= SERVICE_RECORD_YEARS:
            errors["recent_years"] = gettext("Enter a whole number of years from 1 to %(most)d",
                                             most=SERVICE_RECORD_YEARS)
        else:
            years = typed
    factor = DEFAULT_FACTOR
    if rule == "lower":
        try:
            factor = float(values["recent_factor"].replace(",", "."))
        except ValueError:
            factor = -1.0
        if not 0.0 < factor < 1.0:
            errors["recent_factor"] = gettext("Enter a number more than 0 and less than 1, like 0.5")
        elif objective not in ("leximin", "robust"):  # a robust lottery starts from (weighted) LEXIMIN
            errors["recent_rule"] = gettext("Lowering a chance works with LEXIMIN only: choose LEXIMIN, or leave "
                                            "them out instead")
    if errors:
        return None, values, errors
    return RecentServiceChoice(rule=RecentServiceRule(rule, factor), years=years), values, {}
