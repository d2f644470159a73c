"""The public draw, its verification, and the published LEXIMIN minimum of example_small_20."""

import csv
import hashlib

import pytest

from panels.selection import (
    Quota,
    SelectionInputWarning,
    SelectionProblem,
    Volunteer,
    check_feasibility,
    load_problem,
    result_to_json,
    select_panel,
    select_replacements,
    ticket_for_seed,
    verify_draw,
)
from panels.selection.checks import panel_problems


def test_ticket_is_the_documented_sha256_formula():
    seed = "Premium Bonds draw, 1 May 2026"
    expected = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big") % 1000 + 1
    assert ticket_for_seed(seed, 1000) == expected
    assert ticket_for_seed("é", 7) == int(hashlib.sha256("é".encode()).hexdigest(), 16) % 7 + 1


def test_example_small_20_matches_published_leximin_minimum(instances):
    folder = instances / "example_small_20"
    with (folder / "example_small_20_prob_allocs_data.csv").open(encoding="utf-8") as handle:
        published = min(float(row["selection probability"]) for row in csv.DictReader(handle) if row["algorithm"] == "LexiMin")
    with pytest.warns(SelectionInputWarning):  # the replication files have no id column
        problem = load_problem(folder / "categories.csv", folder / "respondents.csv", 20)
    result = select_panel(problem, seed="x")
    assert abs(result.min_probability - published) < 1e-4
    assert abs(result.max_probability - 0.1) < 1e-6


@pytest.fixture
def opendlp_result(instances):
    folder = instances / "opendlp_monitoring_30"
    problem = load_problem(
        folder / "categories.csv", folder / "respondents.csv", 30, household_columns=["address_line_1"]
    )
    return problem, select_panel(problem, seed="council meeting 2026-05-01", lottery_size=200)


def test_json_record_verifies_and_detects_tampering(opendlp_result):
    problem, result = opendlp_result
    record = result_to_json(result)
    for key in ("algorithm", "n", "k", "seed", "min_probability", "probabilities", "panel", "quotas",
                "distribution_size", "lottery_size", "max_lottery_deviation", "runtime_s"):
        assert key in record
    assert record["lottery_size"] == 200 and record["n"] == 100 and record["k"] == 30
    assert sum(q["selected"] for q in record["quotas"] if q["category"] == "gender") == 30
    assert verify_draw(record)
    assert not verify_draw({**record, "seed": "another seed"}) or ticket_for_seed("another seed", 200) == record["ticket"]
    swapped = dict(record, panel=record["lottery"][record["ticket"] % 200])
    assert not verify_draw(swapped) or swapped["panel"] == record["panel"]
    assert not verify_draw({**record, "lottery_digest": "0" * 64})
    assert not verify_draw({**record, "lottery_size": 199})
    assert result.lottery.max_deviation < 5 / 200
    assert abs(result.min_probability - 27 / 91) < 1e-4  # the peer's LEXIMIN minimum on this pool


def test_replacements_keep_confirmed_members_quotas_and_households(opendlp_result):
    problem, result = opendlp_result
    panel = result.draw.panel

    def remaining_pool(withdrawn, confirmed):
        volunteers = tuple(v for v in problem.volunteers if v.id not in withdrawn)
        return SelectionProblem(volunteers, problem.quotas, 30, True, frozenset(confirmed))

    # The first three consecutive drawn members whose seats the rest of the pool can refill.
    for start in range(len(panel) - 2):
        withdrawn = panel[start : start + 3]
        confirmed = tuple(member for member in panel if member not in withdrawn)
        if check_feasibility(remaining_pool(withdrawn, confirmed)) is None:
            break
    refill = select_replacements(problem, confirmed_ids=confirmed, withdrawn_ids=withdrawn, seed="replacements")
    assert set(confirmed) <= set(refill.draw.panel)
    assert not set(withdrawn) & set(refill.draw.panel)
    remaining = remaining_pool(withdrawn, confirmed)
    assert not panel_problems(remaining, refill.draw.panel)
    assert all(refill.probabilities[c] == 1.0 for c in confirmed)
    assert abs(sum(refill.probabilities.values()) - 30) < 1e-6


def test_household_mates_of_fixed_members_are_excluded():
    volunteers = (
        Volunteer("a", {"g": "x"}, household="h1"),
        Volunteer("b", {"g": "x"}, household="h1"),
        Volunteer("c", {"g": "x"}, household=None),
        Volunteer("d", {"g": "y"}, household=None),
    )
    problem = SelectionProblem(volunteers, (Quota("g", "x", 1, 2), Quota("g", "y", 0, 1)), 2, True, frozenset({"a"}))
    result = select_panel(problem, seed="s", lottery_size=10)
    assert result.probabilities["b"] == 0.0
    assert result.probabilities["a"] == 1.0
    assert abs(result.probabilities["c"] - 0.5) < 1e-6 and abs(result.probabilities["d"] - 0.5) < 1e-6


def test_legacy_reports_draws_and_keeps_quotas(instances):
    folder = instances / "opendlp_monitoring_30"
    problem = load_problem(folder / "categories.csv", folder / "respondents.csv", 30, household_columns=["address_line_1"])
    result = select_panel(problem, algorithm="legacy", lottery_size=60, seed="s")
    assert result.draws == 60 and result.lottery.size == 60
    assert all(not panel_problems(problem, panel) for panel in set(result.lottery.panels))
    assert abs(sum(result.probabilities.values()) - 30) < 1e-9


def test_panel_problems_names_every_rule_a_panel_breaks():
    volunteers = (Volunteer(id="F1", features={"sex": "F"}, household="h"),
                  Volunteer(id="F2", features={"sex": "F"}, household="h"),
                  Volunteer(id="F3", features={"sex": "F"}),
                  Volunteer(id="M1", features={"sex": "M"}), Volunteer(id="M2", features={"sex": "M"}))
    problem = SelectionProblem(volunteers=volunteers, k=2, enforce_households=True, fixed_ids=frozenset({"M2"}),
                               quotas=(Quota("sex", "F", 1, 1), Quota("sex", "M", 1, 1)))
    assert panel_problems(problem, ["F3", "M2"]) == []
    assert panel_problems(problem, ["F1", "F2"]) == [
        "drops fixed members ['M2']", "has 2 for sex=F, outside [1, 1]", "has 0 for sex=M, outside [1, 1]",
        "seats 1 households more than once"]
    assert panel_problems(problem, ["M2", "M2", "F3"]) == ["has 3 members, not 2", "repeats a member",
                                                           "has 2 for sex=M, outside [1, 1]"]
    assert panel_problems(problem, ["M2", "X9"]) == ["has ids not in the pool: ['X9']"]
