"""The selection form's floor for a drop-out-robust lottery: parse and check it.

Field: ``robust_floor``, a whole percentage from 1 to 100: every volunteer keeps at least that
share of their LEXIMIN chance (``panels.selection.robust``). Only read when the objective is
``robust``; the message names what to type.
"""

from __future__ import annotations

from collections.abc import Mapping

from common.i18n import gettext
from common.text import whole_number
from panels.runs import DEFAULT_ROBUST_FLOOR
from server.web.forms import last_value

FIELD = "robust_floor"


def default_value() -> str:
    return str(round(100 * DEFAULT_ROBUST_FLOOR))


def parse_robust_floor(data: Mapping[str, object]) -> tuple[float | None, str, dict[str, str]]:
    """(the floor as a share, or None when it is wrong; the value as typed; the error by field)."""
    typed = last_value(data, FIELD, default_value()).strip()
    number = whole_number(typed.removesuffix("%"))
    if number is not None and 1 <= number <= 100:
        return number / 100, typed, {}
    return None, typed, {FIELD: gettext("Enter a whole percentage from 1 to 100, like 80")}
