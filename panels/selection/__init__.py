"""Panel selection engine: quotas, LEXIMIN-fair probabilities, a uniform lottery, a public draw.

Pure Python over plain data (no database, no web). Typical use::

    problem = load_problem("categories.csv", "respondents.csv", k=30, household_columns=["address"])
    result = select_panel(problem, seed="FTSE 100 close on 1 May 2026: 8,123.4")
    result.draw.panel        # the drawn ids
    result.probabilities     # id -> selection probability

Replacements: put confirmed members in ``SelectionProblem.fixed_ids`` and select again.
"""

from panels.selection.checks import SelectionCheckError, check_panels, check_probabilities
from panels.selection.csv_input import (
    SelectionInputError,
    SelectionInputWarning,
    load_problem,
    load_quotas,
    load_volunteers,
)
from panels.selection.engine import ALGORITHMS, OBJECTIVES, select_panel
from panels.selection.feasibility import InfeasibleQuotasError, check_feasibility
from panels.selection.lottery import draw_from_lottery, lottery_digest, ticket_for_seed, verify_draw
from panels.selection.model import (
    Draw,
    Infeasibility,
    Lottery,
    Quota,
    QuotaOutcome,
    Relaxation,
    SelectionProblem,
    SelectionProgress,
    SelectionResult,
    Volunteer,
)
from panels.selection.replacement import select_replacements
from panels.selection.robust import RobustSettings
from panels.selection.report import (
    LotteryRecordError,
    draw_lottery_record,
    lottery_record,
    natural_order,
    quota_problems,
    result_to_json,
)

__all__ = [
    "ALGORITHMS",
    "OBJECTIVES",
    "Draw",
    "InfeasibleQuotasError",
    "Infeasibility",
    "Lottery",
    "LotteryRecordError",
    "Quota",
    "QuotaOutcome",
    "Relaxation",
    "RobustSettings",
    "SelectionCheckError",
    "SelectionInputError",
    "SelectionInputWarning",
    "SelectionProblem",
    "SelectionProgress",
    "SelectionResult",
    "Volunteer",
    "check_feasibility",
    "check_panels",
    "check_probabilities",
    "draw_from_lottery",
    "draw_lottery_record",
    "load_problem",
    "load_quotas",
    "load_volunteers",
    "natural_order",
    "quota_problems",
    "lottery_digest",
    "lottery_record",
    "result_to_json",
    "select_panel",
    "select_replacements",
    "ticket_for_seed",
    "verify_draw",
]
