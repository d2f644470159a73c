"""The JSON record of a selection run (CLI ``--json``), from which anyone can verify the draw.

Keys required by issue #3: ``algorithm, n, k, seed, min_probability, probabilities,
panel, quotas, distribution_size, lottery_size, max_lottery_deviation, runtime_s``.
Added so the record is self-verifying: ``ticket`` (1-based), ``lottery`` (the M panels,
ticket i is ``lottery[i-1]``), ``lottery_digest``, ``draw_formula``, ``max_probability``,
``iterations``, ``draws`` (legacy), ``fixed_ids``.
"""

from __future__ import annotations

from typing import Any

from panels.selection.model import SelectionResult

DRAW_FORMULA = (
    "ticket = int.from_bytes(hashlib.sha256(seed.encode('utf-8')).digest(), 'big') % lottery_size + 1; "
    "panel = lottery[ticket - 1]"
)


def result_to_json(result: SelectionResult) -> dict[str, Any]:
    """A JSON-ready dict of builtins (no numpy scalars)."""
    draw = result.draw
    return {
        "algorithm": result.algorithm,
        "n": int(result.n),
        "k": int(result.k),
        "seed": draw.seed if draw else None,
        "ticket": int(draw.ticket) if draw else None,
        "min_probability": float(result.min_probability),
        "max_probability": float(result.max_probability),
        "probabilities": {str(key): float(value) for key, value in result.probabilities.items()},
        "panel": list(draw.panel) if draw else [],
        "quotas": [
            {
                "category": quota.category,
                "name": quota.name,
                "min": int(quota.quota_min),
                "max": int(quota.quota_max),
                "selected": quota.selected,
            }
            for quota in result.quotas
        ],
        "distribution_size": int(result.distribution_size),
        "lottery_size": int(result.lottery.size),
        "max_lottery_deviation": float(result.lottery.max_deviation),
        "runtime_s": round(float(result.runtime_s), 3),
        "iterations": int(result.iterations),
        "draws": result.draws,
        "fixed_ids": sorted(result.fixed_ids),
        "lottery_digest": draw.lottery_digest if draw else None,
        "draw_formula": DRAW_FORMULA,
        "lottery": [list(panel) for panel in result.lottery.panels],
    }
