"""Rounding of figures people read: half up, as readers and spreadsheets expect.

Python's ``round`` rounds half to even and works on the binary float, so 1 of 8 (12.5%) shows as
"12%" and 6.25 as "6.2". Published percentages round half up instead (12.5 → 13, 6.25 → 6.3). The
float is first read to 12 significant digits, so a value that is a half in decimal arithmetic but
a hair below it in binary (100 × 29 / 200 = 14.499999999999998) still rounds up.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np


def round_half_up(value: float, places: int = 0) -> float:
    """``value`` rounded to ``places`` decimal places, halves away from zero."""
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(format(float(value), ".12g")).quantize(exponent, rounding=ROUND_HALF_UP))


def percent_label(percent: float, places: int = 0) -> str:
    """``percent`` (0–100) as text: ``"13%"``, or ``"12.5%"`` with ``places=1`` (no trailing zeros)."""
    return f"{round_half_up(percent, places):g}%"


def share_label(share: float, places: int = 0) -> str:
    """A share (0–1) as a percentage: ``share_label(1 / 8) == "13%"``."""
    return percent_label(100 * share, places)


def rounding_changes_total(percents: Iterable[float | None], places: int = 0) -> bool:
    """Whether percentages of one whole, each rounded half up to ``places``, fail to add to 100
    (the reader then needs a note that the difference is rounding). Hidden (None) or non-finite
    figures make the total unknowable: no note."""
    values = list(percents)
    if not values or any(value is None or not np.isfinite(value) for value in values):
        return False
    total = sum(Decimal(format(round_half_up(value, places), f".{places}f")) for value in values)
    return total != 100
