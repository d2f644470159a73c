"""Agreement between two coders (double coding): Cohen's kappa for each theme, over the comments
both coded, with the Landis and Koch words for its size.

Each theme is a yes/no decision per comment: κ = (p_o − p_e) / (1 − p_e), where p_o is the share
of comments on which the coders agree and p_e the agreement expected by chance from each
coder's own rate. κ is undefined when both coders gave every comment the same decision (p_e = 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from common.i18n import lazy_gettext


@dataclass(frozen=True)
class Agreement:
    """One theme's two-by-two table and its kappa (None when undefined)."""

    both: int
    first_only: int
    second_only: int
    neither: int
    kappa: float | None

    @property
    def compared(self) -> int:
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def agreed_share(self) -> float:
        return (self.both + self.neither) / self.compared if self.compared else 0.0


def agreement(first: Sequence[bool], second: Sequence[bool]) -> Agreement:
    """Cohen's kappa for two coders' yes/no decisions on the same comments, in the same order."""
    if len(first) != len(second):
        raise ValueError("both coders must code the same comments")
    both = sum(1 for a, b in zip(first, second) if a and b)
    first_only = sum(1 for a, b in zip(first, second) if a and not b)
    second_only = sum(1 for a, b in zip(first, second) if b and not a)
    neither = len(first) - both - first_only - second_only
    total = len(first)
    if not total:
        return Agreement(0, 0, 0, 0, None)
    observed = (both + neither) / total
    yes_first, yes_second = (both + first_only) / total, (both + second_only) / total
    expected = yes_first * yes_second + (1 - yes_first) * (1 - yes_second)
    kappa = None if expected >= 1 else (observed - expected) / (1 - expected)
    return Agreement(both, first_only, second_only, neither, kappa)


# Landis & Koch (1977), "The measurement of observer agreement for categorical data".
_WORDS = ((0.0, lazy_gettext("poor")), (0.2, lazy_gettext("slight")), (0.4, lazy_gettext("fair")),
          (0.6, lazy_gettext("moderate")), (0.8, lazy_gettext("substantial")), (1.0, lazy_gettext("almost perfect")))


def kappa_words(kappa: float | None) -> str:
    """The size of a kappa in words (Landis and Koch), or that it cannot be worked out."""
    if kappa is None:
        return str(lazy_gettext("cannot be worked out: both coders gave every comment the same answer"))
    if kappa < 0:
        return str(_WORDS[0][1])
    for upper, words in _WORDS[1:]:
        if kappa <= upper + 1e-12:
            return str(words)
    return str(_WORDS[-1][1])
