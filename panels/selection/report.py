"""The JSON record of a selection run (CLI ``--json``), from which anyone can verify the draw.

Keys required by issue #3: ``algorithm, n, k, seed, min_probability, probabilities,
panel, quotas, distribution_size, lottery_size, max_lottery_deviation, runtime_s``.
Added so the record is self-verifying: ``ticket`` (1-based), ``lottery`` (the M panels,
ticket i is ``lottery[i-1]``), ``lottery_digest``, ``draw_formula``, ``max_probability``,
``iterations``, ``draws`` (legacy), ``fixed_ids``, ``warnings``. ``panel`` is in natural
order (v2 before v10).

``quota_problems`` checks a record's drawn panel against its recorded quotas: against the
respondents' answers when given, else against the recorded ``selected`` counts.

The draw is committed before its seed, as in the web workflow: ``lottery_record`` is the record
of a run *without* a draw (``seed``, ``ticket`` null, ``panel`` empty) whose ``lottery_digest``
— the fingerprint — is published first; ``draw_lottery_record`` later draws against exactly that
lottery with the announced seed, refusing a record whose lottery no longer matches its
fingerprint or that has been drawn already. Nobody can try lottery sizes for a known seed: the
lottery is fixed, and its fingerprint public, before the seed exists. The undrawn record also
holds ``answers`` (each lottery member's value in every quota category, so the drawn panel's
counts can be recorded); the drawn record leaves them out.

Alternates are chosen after the draw, from settings the lottery file keeps (every pool member's
answers, households, drop-out rates, how many): ``alternates_digest`` fingerprints them, to be
published with the lottery's, so that they cannot be changed once the seed is known without the
draw and ``verify-draw --lottery`` saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from panels.selection.lottery import canonical_hash, draw_from_lottery, lottery_digest
from panels.selection.alternates import (
    checked_alternates, choose_alternates, program_sample_counts, sampling_seed, target_limit,
)
from panels.selection.dropout import DropoutRates
from panels.selection.model import Lottery, Quota, SelectionProblem, SelectionResult, Volunteer


class LotteryRecordError(ValueError):
    """A lottery file that cannot be drawn: malformed, changed since written, or drawn already."""


def natural_order(ids: Iterable[str]) -> list[str]:
    """Ids sorted with runs of digits compared as numbers: 0, 12, 107 (not 0, 107, 12)."""

    def key(text: str) -> tuple:
        return tuple((0, int(part), "") if part.isdecimal() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)

    return sorted(ids, key=lambda text: (key(text), text))


def quota_problems(record: Mapping[str, Any], answers: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """What is wrong with the drawn panel of ``record`` against its recorded quotas.

    ``answers`` maps volunteer id to {category: value} (from the respondents file). Without
    it, only the recorded ``selected`` counts can be checked: each within its quota, and
    each category's counts adding up to the panel size.
    """
    panel = [str(member) for member in record.get("panel") or []]
    problems = []
    if len(set(panel)) != len(panel):
        problems.append("the drawn panel lists a member twice")
    if record.get("k") is not None and len(panel) != int(record["k"]):
        problems.append(f"the drawn panel has {len(panel)} members, not k = {record['k']}")
    if answers is not None:
        unknown = [member for member in panel if member not in answers]
        if unknown:
            problems.append(f"drawn ids not in the respondents file: {', '.join(unknown[:5])}")
    per_category: dict[str, int] = {}
    for quota in record.get("quotas") or []:
        category, name = str(quota["category"]), str(quota["name"])
        recorded = quota.get("selected")
        if answers is not None:
            count = sum(1 for member in panel if answers.get(member, {}).get(category) == name)
            if recorded is not None and int(recorded) != count:
                problems.append(f"{category}={name}: the record says {recorded} drawn, the respondents file gives {count}")
        elif recorded is None:
            problems.append(f"{category}={name}: no count of drawn members recorded")
            continue
        else:
            count = int(recorded)
        per_category[category] = per_category.get(category, 0) + count
        if not int(quota["min"]) <= count <= int(quota["max"]):
            problems.append(f"{category}={name}: {count} drawn, outside the quota [{quota['min']}, {quota['max']}]")
    if answers is None:
        for category, total in per_category.items():
            if total != len(panel):
                problems.append(f"the recorded counts for '{category}' add up to {total}, not the panel's {len(panel)}")
    return problems


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
        "panel": natural_order(draw.panel) if draw else [],
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
        "warnings": list(result.warnings),
        "chance_limits": list(result.chance_limits) if result.chance_limits else None,
        **({"robust": dict(result.robustness)} if result.robustness is not None else {}),
        "lottery_digest": draw.lottery_digest if draw else None,
        "draw_formula": DRAW_FORMULA,
        "lottery": [list(panel) for panel in result.lottery.panels],
    }


def lottery_record(result: SelectionResult, problem: SelectionProblem) -> dict[str, Any]:
    """The record of an undrawn run, to be written before any seed is announced: the lottery,
    its fingerprint (``lottery_digest``) and the quota answers of the lottery's members."""
    if result.draw is not None:
        raise ValueError("a lottery record is written before the draw: select without a seed")
    record = result_to_json(result)
    record["lottery_digest"] = lottery_digest(result.lottery.panels)
    members = {member for panel in result.lottery.panels for member in panel}
    categories = sorted({quota.category for quota in problem.quotas})
    record["answers"] = {volunteer.id: {category: volunteer.features.get(category) for category in categories}
                         for volunteer in problem.volunteers if volunteer.id in members}
    return record


def draw_lottery_record(record: Mapping[str, Any], seed: str) -> dict[str, Any]:
    """Draw ``seed``'s ticket from an undrawn ``lottery_record`` and return the drawn record
    (seed, ticket, panel in natural order, each quota's drawn count; no ``answers``).

    Raises ``LotteryRecordError`` when the record has no lottery or fingerprint, when its
    lottery no longer matches its fingerprint, or when it has been drawn already."""
    seed = seed.strip()
    if not seed:
        raise LotteryRecordError("the seed is empty")
    if record.get("seed") is not None or record.get("panel"):
        raise LotteryRecordError("this lottery has already been drawn: a lottery is drawn once, with the seed "
                                 "announced after its fingerprint was published")
    try:
        panels = tuple(tuple(str(member) for member in panel) for panel in record["lottery"])
        fingerprint = str(record["lottery_digest"])
        answers = {str(member): dict(values) for member, values in record["answers"].items()}
        quotas = [dict(quota) for quota in record["quotas"]]
        deviation = float(record.get("max_lottery_deviation") or 0.0)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise LotteryRecordError("not a lottery file written by `civicpanel select --lottery-out`") from None
    if not panels:
        raise LotteryRecordError("the lottery file has no tickets")
    if lottery_digest(panels) != fingerprint:
        raise LotteryRecordError("the lottery no longer matches its fingerprint: the file was changed after it was "
                                 "written")
    draw = draw_from_lottery(seed, Lottery(panels=panels, max_deviation=deviation))
    drawn = {key: value for key, value in record.items() if key not in ("answers", "households")}
    drawn.update(seed=draw.seed, ticket=int(draw.ticket), panel=natural_order(draw.panel),
                 lottery_digest=draw.lottery_digest)
    for quota in quotas:
        quota["selected"] = sum(1 for member in draw.panel
                                if answers.get(member, {}).get(str(quota["category"])) == str(quota["name"]))
    drawn["quotas"] = quotas
    return drawn


def add_alternates_to_record(record: dict[str, Any], problem: SelectionProblem, count: int | str,
                             rates: DropoutRates) -> dict[str, Any]:
    """Make an undrawn ``lottery_record`` ready to choose ``count`` alternates (or ``"target"``: as
    many as ``alternates_for_target`` finds) at the draw: every pool
    member's answers (not only the lottery's), households when the rule is on, and the rates."""
    categories = sorted({quota.category for quota in problem.quotas})
    record["answers"] = {volunteer.id: {category: volunteer.features.get(category) for category in categories}
                         for volunteer in problem.volunteers}
    record["households"] = ({volunteer.id: volunteer.household for volunteer in problem.volunteers
                             if volunteer.household is not None} if problem.enforce_households else {})
    record["alternates_count"] = count if count == "target" else int(count)
    record["dropout_rates"] = rates.to_json()
    record["alternates_digest"] = alternates_digest(record)
    return record


def alternates_digest(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of what decides a lottery record's alternates besides the drawn panel and the
    seed: the panel size, the quotas, every pool member's answers, households, drop-out rates and
    how many alternates (``canonical_hash``)."""
    return canonical_hash({
        "k": record.get("k"),
        "quotas": [[str(q["category"]), str(q["name"]), int(q["min"]), int(q["max"])] for q in record["quotas"]],
        "answers": record.get("answers"), "households": record.get("households") or {},
        "dropout_rates": record.get("dropout_rates"), "alternates_count": record.get("alternates_count"),
    })


def _check_alternates_digest(record: Mapping[str, Any]) -> None:
    """Refuse alternates settings changed since the lottery file was written (files written before
    the fingerprint existed have none to check)."""
    if "alternates_digest" in record and record["alternates_digest"] != alternates_digest(record):
        raise LotteryRecordError("the alternates settings no longer match their fingerprint: the file was changed "
                                 "after it was written")


def draw_alternates(record: Mapping[str, Any], drawn: dict[str, Any]) -> dict[str, Any]:
    """Add ``alternates`` (ordered ids) and their report to a drawn record whose lottery record asked
    for them (``add_alternates_to_record``). The program's sampling seed comes from the public seed,
    so anyone can repeat the choice (``repeat_alternates``)."""
    count = record.get("alternates_count") or 0
    count = count if count == "target" else int(count)
    drawn.pop("households", None)
    if not count:
        return drawn
    _check_alternates_digest(record)
    problem, rates = _alternates_inputs(record)
    panel = list(drawn["panel"])
    targeted = checked_alternates(problem, panel, rates.by_volunteer(problem.volunteers),
                                  None if count == "target" else count, limit=target_limit(problem.k),
                                  seed=sampling_seed(str(drawn["seed"])))
    alternates = targeted.alternates
    drawn["alternates"] = list(alternates.ids)
    drawn["alternates_report"] = alternates.to_json()
    drawn["alternates_check"] = targeted.to_json(problem)
    drawn["dropout_rates"] = rates.to_json()
    return drawn


def repeat_alternates(record: Mapping[str, Any], drawn: Mapping[str, Any]) -> tuple[str, ...]:
    """The alternates of a drawn record chosen again from its lottery ``record``: as many asked for as
    at the draw (records written before the number asked was kept: as many as it lists), from the
    draw's seed, with its program proved over the same number of patterns (which, as it depends on how
    fast the machine was, the record keeps). Equal to ``drawn["alternates"]`` on any machine when
    neither file was changed; an empty list (nobody could be an alternate) is repeated too. Raises
    ``LotteryRecordError`` when the files do not belong together or say nothing of alternates."""
    if not isinstance(drawn.get("alternates"), list):
        raise LotteryRecordError("the drawn record lists no alternates")
    if not record.get("answers") or not record.get("dropout_rates"):
        raise LotteryRecordError("the lottery file holds no alternates settings (it was built without --alternates)")
    if record.get("lottery_digest") != drawn.get("lottery_digest"):
        raise LotteryRecordError("the drawn record is not from this lottery file (their fingerprints differ)")
    _check_alternates_digest(record)
    if record.get("alternates_digest") != drawn.get("alternates_digest"):
        raise LotteryRecordError("the drawn record's alternates settings are not this lottery file's (their "
                                 "fingerprints differ)")
    problem, rates = _alternates_inputs(record)
    report = drawn.get("alternates_report") or {}
    proved = int(report.get("program_samples") or 0)
    if proved not in program_sample_counts():
        raise LotteryRecordError(f"the drawn record says the alternates program was proved over {proved} drop-out "
                                 f"patterns, which no draw records (only {', '.join(map(str, program_sample_counts()))})")
    asked = int(report.get("asked") or len(drawn["alternates"]))
    return choose_alternates(problem, list(drawn["panel"]), rates.by_volunteer(problem.volunteers),
                             asked, seed=sampling_seed(str(drawn["seed"])),
                             program_samples=proved).ids


def _alternates_inputs(record: Mapping[str, Any]) -> tuple[SelectionProblem, DropoutRates]:
    """The whole pool (answers and households) and the drop-out rates a lottery record keeps for
    choosing alternates (``add_alternates_to_record``)."""
    quotas = tuple(Quota(str(q["category"]), str(q["name"]), int(q["min"]), int(q["max"])) for q in record["quotas"])
    households = record.get("households") or {}
    volunteers = tuple(Volunteer(id=str(member), features={str(c): str(v) for c, v in values.items()},
                                 household=households.get(member)) for member, values in record["answers"].items())
    problem = SelectionProblem(volunteers=volunteers, quotas=quotas, k=int(record["k"]),
                               enforce_households=bool(households))
    return problem, DropoutRates.from_json(record["dropout_rates"])
