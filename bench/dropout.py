"""Drop-out benchmark: today's refill against alternates, over simulated drop-out rounds.

    python bench/dropout.py [--rounds 1000] [--refill-rounds 100] [--refill-seconds 60] [--tickets 10]
                            [--samples 100] [--time-limit 4] [--quick] [--skip-large]
                            [--robust-only] [--only sf_fixture_22,opendlp_30] [--floors 1,0.8,0.5]
                            [--robust-alternates everyone,target]

For each instance (the runnable shared pools in ``bench/instances/`` and the synthetic Camden pool
camden_500_40, ``bench/synthetic_pools.py``) the LEXIMIN lottery is built once. Drop-out rates are learnt
(``panels.selection.dropout``) from a synthetic history of 300 past invitations in which the
youngest quota group of the first category drops out at 35% and everyone else at 15%; the rounds
use the learnt rates. Each method runs ``rounds`` rounds: ``tickets`` tickets of the lottery,
``rounds / tickets`` drop-out rounds each (seed 2025).

* refill (today): the confirmed members stay and a fresh LEXIMIN selection over the rest of the
  pool fills the freed seats; a refilled person may decline too, and their seat is refilled once
  more; a round whose refill has no quota-meeting panel ends with the seats empty. Each refill is
  a whole LEXIMIN computation, so this method runs ``--refill-rounds`` rounds (100 by default),
  stopping early after ``--refill-seconds`` per instance (the rounds run are in the table), and a
  refill lottery is computed once per drop-out pattern and reused.
* alternates: ``panels.selection.alternates`` chooses the drawn panel's ordered alternates,
  1.5 × and 3 × the expected drop-outs (plus one), from ``--samples`` sampled drop-out sets with
  at most ``--time-limit`` seconds of HiGHS per ticket; alternates may decline too, at their own
  learnt rates, which the alternates program samples as well; replacements are the best subset of
  those available.
* alt (target): as many alternates as ``alternates_for_target`` finds for each ticket's panel (at
  most 100, or one per seat on a larger panel): nearly the fewest (within a tenth) after which every quota holds in 99% of ``--check-rounds`` checked rounds,
  and of as many rounds of the next seed, or that come within a point of the ceiling when 99% cannot be reached;
  ``--target-tickets`` tickets, as each is sized anew.
* everyone: every volunteer not on the panel (one per household) is an alternate. No choice of
  alternates keeps every quota at once more often, so this row is the ceiling of the pool: where
  it is below 99%, the target cannot be met there by any alternates, only by wider quotas or a
  larger pool. "everyone (5)" is the same ceiling on the alt (target) row's own tickets and rounds
  (the same seed draws the same tickets for the same number of tickets), the one to read that row
  against: a small group's one seat that nobody in the pool can give back on some ticket lowers
  the target row's min ratio, and the everyone row over other tickets would not show it.

Robust rows (``--skip-robust`` leaves them out): the drop-out-robust lottery (``panels.selection.robust``)
at floors z = 0.8, 0.5 and 0.25 beside LEXIMIN (z = 1), on the small file instances, and on camden_500_40
when ``--only`` names it; ``--floors`` and ``--robust-alternates`` choose the rows. Each is checked
on fresh rounds (seed 2025, not the scenarios the robust weights were chosen on) with every
volunteer as an alternate and with the alternates the app would choose (``alternates_for_target``);
columns: worst q, every q (share of final panels meeting every quota at once), min ratio, the lowest
lottery chance / LEXIMIN chance over volunteers, the robust LP's own fresh and in-sample hold rates
(every quota restorable with everyone as a replacement; "-" when its time limit passed before they were
measured), and the robust lottery's computing time; a line before the row says when that time limit
cut the robust lottery short, in which step.

Last, the time of selection with alternates (LEXIMIN, then the alternates of the drawn panel) on
a synthetic pool of n = 20,000, k = 150 with households (``synthetic_pools.LARGE``), against the
target of 10 s: first with 1.5 times the expected drop-outs, then with as many as the app's sizing
for the targets chooses (``alternates_for_target``, at most one per seat; the sizing's own checks
and ceiling are timed apart, as the app runs them after the draw, in the background).

Columns: violations (share of final panels missing some quota), worst q (the share of final
panels meeting the quota met least often), the lowest ratio over quota groups of (times on the
final panel) / (times drawn), the mean number of empty seats, the mean number of alternates, and
time per round. Targets of issue #21, for alternates: every quota holds in at least 99% of final
panels (worst q ≥ 0.99), lowest ratio ≥ 0.95.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from panels.selection import InfeasibleQuotasError, load_problem, select_panel, select_replacements  # noqa: E402
from panels.selection.alternates import (  # noqa: E402
    QuotaRows, alternates_for_target, choose_alternates, hold_rates, target_limit,
)
from panels.selection.dropout import PastInvitation, learn_dropout_rates  # noqa: E402
from panels.selection.final_chances import simulate_final_chances  # noqa: E402
from panels.selection.linear_program import LinearProgramError  # noqa: E402
from panels.selection.robust import RobustSettings  # noqa: E402

INSTANCES = ROOT / "bench" / "instances"
FILE_INSTANCES = (
    ("example_small_20", "example_small_20/categories.csv", "example_small_20/respondents.csv", 20, ()),
    ("sf_fixture_22", "sortition_algorithms_fixture_22/features.csv", "sortition_algorithms_fixture_22/candidates.csv",
     22, ("primary_address1", "primary_zip")),
    ("opendlp_30", "opendlp_monitoring_30/categories.csv", "opendlp_monitoring_30/respondents.csv", 30, ()),
)
SEED = 2025
TARGET_HOLD = 0.99
TARGET_RATIO = 0.95


def synthetic_history(problem, rng) -> list[PastInvitation]:
    category = problem.categories[0]
    first = next(quota.name for quota in problem.quotas if quota.category == category)
    history = []
    for _ in range(300):
        volunteer = problem.volunteers[int(rng.integers(len(problem.volunteers)))]
        rate = 0.35 if volunteer.features[category] == first else 0.15
        history.append(PastInvitation(dict(volunteer.features), dropped=bool(rng.random() < rate)))
    return history


def refill_rounds(problem, result, rates, tickets, per_ticket, rng, budget_s):
    rows = QuotaRows(problem)
    probability = rates.by_volunteer(problem.volunteers)
    drawn, ended = defaultdict(int), defaultdict(int)
    violations = empty = rounds = solver_failures = 0
    held_each = np.zeros(len(rows.quota_min))
    lotteries: dict[tuple[frozenset, frozenset], tuple | None] = {}  # one refill lottery per drop-out pattern
    started = time.perf_counter()
    for ticket in rng.choice(result.lottery.size, size=min(tickets, result.lottery.size), replace=False):
        panel = list(result.lottery.panels[int(ticket)])
        for _ in range(per_ticket):
            if time.perf_counter() - started > budget_s:
                break
            withdrawn = {m for m in panel if rng.random() < probability[m]}
            seated = [m for m in panel if m not in withdrawn]
            for _attempt in range(2):
                if len(seated) == problem.k:
                    break
                key = (frozenset(seated), frozenset(withdrawn))
                if key not in lotteries:
                    try:
                        lotteries[key] = select_replacements(problem, confirmed_ids=seated, withdrawn_ids=withdrawn,
                                                             lottery_size=100).lottery.panels
                    except InfeasibleQuotasError:
                        lotteries[key] = None
                    except LinearProgramError:  # the engine failed on this refill: counted, seats left empty
                        solver_failures += 1
                        lotteries[key] = None
                if lotteries[key] is None:
                    break
                refill_panel = lotteries[key][int(rng.integers(len(lotteries[key])))]
                # in the lottery panel's order: a set's order changes with each process's string hashes,
                # and so would which random number each newcomer gets
                already = set(seated)
                for member in [member for member in refill_panel if member not in already]:
                    if rng.random() < probability[member]:
                        withdrawn.add(member)
                    else:
                        seated.append(member)
            for member in panel:
                drawn[member] += 1
            for member in seated:
                ended[member] += 1
            counts = rows.counts(seated)
            ok = (counts >= rows.quota_min) & (counts <= rows.quota_max)
            held_each += ok
            violations += not ok.all()
            empty += problem.k - len(seated)
            rounds += 1
    ratios = []
    for quota in problem.quotas:
        members = [v.id for v in problem.volunteers if v.features.get(quota.category) == quota.name]
        times_drawn = sum(drawn[m] for m in members)
        if times_drawn:
            ratios.append(sum(ended[m] for m in members) / times_drawn)
    return violations / rounds, float(held_each.min()) / rounds, min(ratios), empty / rounds, rounds, solver_failures


def instances(quick: bool, workdir: Path, only: set[str]):
    """(name, problem) of the drop-out rounds' instances; with ``only``, just those named (the others
    are not loaded)."""
    def wanted(name: str) -> bool:
        return not only or name in only

    for name, quotas, people, k, households in FILE_INSTANCES:
        if wanted(name):
            yield name, load_problem(INSTANCES / quotas, INSTANCES / people, k, household_columns=list(households))
    if not quick:
        import synthetic_pools

        synthetic = synthetic_pools.INSTANCES[0]
        if wanted(synthetic.name):
            quotas, people = synthetic_pools.write_instance(synthetic, workdir / synthetic.name)
            yield f"{synthetic.name} (synthetic)", load_problem(quotas, people, synthetic.k, household_columns=["household"])
        if wanted("example_large_200"):
            quotas, people = (INSTANCES / "example_large_200/categories.csv", INSTANCES / "example_large_200/respondents.csv")
            yield "example_large_200", load_problem(quotas, people, 200)


def alternates_count(problem, rates, factor: float) -> int:
    """``factor`` times the expected number of drop-outs, plus one."""
    return math.ceil(factor * problem.k * rates.overall.rate) + 1


def large_selection(workdir: Path, check_rounds: int) -> None:
    """Time LEXIMIN plus the drawn panel's alternates on n = 20,000, k = 150 with households: 1.5 times
    the expected drop-outs, then as many as the app's sizing for the targets chooses."""
    import synthetic_pools

    instance = synthetic_pools.LARGE
    quotas, people = synthetic_pools.write_instance(instance, workdir / instance.name)
    problem = load_problem(quotas, people, instance.k, household_columns=["household"])
    rates = learn_dropout_rates(synthetic_history(problem, np.random.default_rng(SEED)), problem.quotas)
    count = alternates_count(problem, rates, 1.5)
    started = time.perf_counter()
    result = select_panel(problem, seed="bench", lottery_size=1000)
    selected = time.perf_counter() - started
    print(f"\n{instance.name} (synthetic, households): LEXIMIN and the draw {selected:.1f} s", flush=True)
    probability = rates.by_volunteer(problem.volunteers)
    try:
        alternates = choose_alternates(problem, result.draw.panel, probability, count, seed=SEED)
    except RuntimeError as error:
        print(f"{count} alternates: none chosen after {time.perf_counter() - started - selected:.1f} s ({error}); "
              f"target < 10 s: FAIL")
        return
    total = time.perf_counter() - started
    how = ("by the cover" if alternates.method == "cover"
           else f"by the sample-average program, HiGHS gap {alternates.mip_gap:.4f}")
    print(f"\nSelection with alternates, {instance.name} (synthetic, households): LEXIMIN {selected:.1f} s + "
          f"{len(alternates.ids)} alternates {total - selected:.1f} s ({how}) = "
          f"{total:.1f} s; target < 10 s: {'pass' if total < 10 else 'FAIL'}", flush=True)
    holds = hold_rates(problem, result.draw.panel, probability, alternates.ids, rounds=200, seed=SEED)
    print(f"Those alternates, checked on 200 drop-out rounds (not timed): every quota at once {holds.every_quota:.3f}, "
          f"worst quota {holds.worst_quota:.3f}, lowest ratio {holds.lowest_ratio:.3f}, "
          f"freed seats filled {holds.seats_filled:.3f}", flush=True)
    # What the app would choose for this panel: as many as the targets need (alternates_for_target).
    started = time.perf_counter()
    sized = alternates_for_target(problem, result.draw.panel, probability, limit=target_limit(problem.k), seed=SEED,
                                  rounds=check_rounds)
    sizing = time.perf_counter() - started
    started = time.perf_counter()
    again = choose_alternates(problem, result.draw.panel, probability, len(sized.alternates.ids), seed=SEED)
    choosing = time.perf_counter() - started
    total = selected + choosing
    print(f"Sized for the targets as the app does (alternates_for_target, at most {target_limit(problem.k)}, "
          f"{check_rounds} checked rounds per size; {sizing:.1f} s with the checks and the ceiling): "
          f"{len(sized.alternates.ids)} alternates, every quota at once {sized.holds.every_quota:.3f}, worst quota "
          f"{sized.holds.worst_quota:.3f}, lowest ratio {sized.holds.lowest_ratio:.3f} (every volunteer as an "
          f"alternate: {sized.ceiling.worst_quota:.3f} and {sized.ceiling.lowest_ratio:.3f}); "
          f"targets {'met' if sized.target_met else 'not met'}", flush=True)
    print(f"Selection with those {len(again.ids)} alternates: LEXIMIN {selected:.1f} s + choosing them {choosing:.1f} s = "
          f"{total:.1f} s; target < 10 s: {'pass' if total < 10 else 'FAIL'}", flush=True)


ROBUST_INSTANCES = ("example_small_20", "sf_fixture_22", "opendlp_30")
ROBUST_FLOORS = (1.0, 0.8, 0.5, 0.25)


def robust_rows(name, problem, rates, leximin, args) -> None:
    """The trade-off of the robust lottery (module docstring): one row per floor and alternates."""
    dropout = rates.by_volunteer(problem.volunteers)
    for floor in args.floors:
        started = time.perf_counter()
        if floor == 1.0:
            result, own = leximin, "-"
        else:
            result = select_panel(problem, lottery_size=1000, robust=RobustSettings(
                floor=floor, dropout=dropout, scenarios=args.robust_scenarios, rounds=args.robust_rounds))
            figures = result.robustness
            own = "/".join("-" if figures[key] is None else f"{figures[key]:.3f}" for key in ("fresh_hold", "in_sample_hold"))
            if figures["time_limit_reached"] is not None:
                print(f"{name}, z={floor:g}: the robust lottery's time limit of {figures['time_limit']:g} s was reached in "
                      f"its {figures['time_limit_reached']} step ({figures['rounds']} rounds, {figures['panels_scored']} "
                      "panels scored)", flush=True)
        computed = time.perf_counter() - started
        chances = Counter(member for panel in result.lottery.panels for member in panel)
        lowest = min((chances[member] / result.lottery.size / chance
                      for member, chance in leximin.probabilities.items() if chance > 1e-9), default=1.0)
        for alternates, tickets in (("everyone", args.tickets), ("target", args.target_tickets)):
            if alternates not in args.robust_alternates:
                continue
            simulated = simulate_final_chances(problem, result.lottery, leximin.probabilities, rates,
                                               alternates=alternates, seed=SEED, tickets=tickets,
                                               rounds_per_ticket=max(1, args.robust_rounds_fresh // tickets),
                                               samples=args.samples, time_limit=args.time_limit,
                                               check_rounds=args.check_rounds)
            worst, ratio = simulated.worst_quota_hold_rate, simulated.groups[0].ratio
            print(f"{name[:20]:<20} {'LEXIMIN' if floor == 1.0 else f'z={floor:g}':<8} {alternates:<9} "
                  f"{simulated.rounds:>6} {worst:>7.3f} {'pass' if worst >= TARGET_HOLD else 'FAIL':>6} "
                  f"{simulated.quota_hold_rate:>7.3f} {ratio:>9.3f} {'pass' if ratio >= TARGET_RATIO else 'FAIL':>6} "
                  f"{lowest:>9.3f} {own:>13} {computed:>7.1f}", flush=True)


def _floors(text: str) -> tuple[float, ...]:
    """``--floors``: robust floors in (0, 1], 1 meaning the LEXIMIN row."""
    floors = tuple(float(part) for part in text.split(",") if part.strip())
    if not floors or any(not 0.0 < floor <= 1.0 for floor in floors):
        raise argparse.ArgumentTypeError(f"floors must be numbers in (0, 1], not {text!r}")
    return floors


def _robust_alternates(text: str) -> tuple[str, ...]:
    """``--robust-alternates``: which alternates the robust rows are checked with."""
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    if not chosen or set(chosen) - {"everyone", "target"}:
        raise argparse.ArgumentTypeError(f"choose from everyone, target, not {text!r}")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--refill-rounds", type=int, default=100)
    parser.add_argument("--refill-seconds", type=float, default=60.0, help="stop the refill rounds of an instance after this")
    parser.add_argument("--tickets", type=int, default=10)
    parser.add_argument("--samples", type=int, default=100, help="drop-out samples of the alternates program")
    parser.add_argument("--time-limit", type=float, default=4.0, help="seconds HiGHS may spend per alternates program")
    parser.add_argument("--target-tickets", type=int, default=5, help="tickets of the alt (target) rows (each is sized anew)")
    parser.add_argument("--check-rounds", type=int, default=200, help="rounds on which alt (target) checks each size")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-robust", action="store_true", help="leave out the robust-lottery rows")
    parser.add_argument("--robust-only", action="store_true", help="only the robust-lottery rows")
    parser.add_argument("--robust-scenarios", type=int, default=300, help="drop-out scenarios the robust lottery scores")
    parser.add_argument("--robust-rounds", type=int, default=8, help="column-generation rounds of the robust lottery")
    parser.add_argument("--robust-rounds-fresh", type=int, default=500,
                        help="fresh drop-out rounds per robust row (spread over the tickets)")
    parser.add_argument("--only", default="", help="comma-separated instance names to run (default: all)")
    parser.add_argument("--floors", type=_floors, default=ROBUST_FLOORS,
                        help="comma-separated robust rows to run, 1 being LEXIMIN (default: 1,0.8,0.5,0.25)")
    parser.add_argument("--robust-alternates", type=_robust_alternates, default=("everyone", "target"),
                        help="comma-separated alternates of the robust rows: everyone, target (default: both)")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    per_ticket = max(1, args.rounds // args.tickets)
    refill_per_ticket = max(1, args.refill_rounds // args.tickets)
    if not args.skip_robust:
        robust_header = (f"{'instance':<20} {'lottery':<8} {'alts':<9} {'rounds':>6} {'worst q':>7} {'target':>6} "
                         f"{'every q':>7} {'min ratio':>9} {'target':>6} {'chance/LX':>9} {'LP fresh/in':>13} "
                         f"{'s':>7}")
        print(f"Robust lottery: floors {', '.join(f'{z:g}' for z in args.floors)} (1 = LEXIMIN), "
              f"{args.robust_scenarios} scoring scenarios (seed 0); fresh rounds seed {SEED}; alternates: everyone, "
              f"and as many as alternates_for_target finds ({args.target_tickets} tickets)")
        print(f"Targets: worst q >= {TARGET_HOLD:.0%}, min ratio >= {TARGET_RATIO}")
        print(robust_header)
        print("-" * len(robust_header))
        for name, quotas, people, k, households in FILE_INSTANCES:
            if name not in ROBUST_INSTANCES or (only and name not in only):
                continue
            problem = load_problem(INSTANCES / quotas, INSTANCES / people, k, household_columns=list(households))
            rates = learn_dropout_rates(synthetic_history(problem, np.random.default_rng(SEED)), problem.quotas)
            robust_rows(name, problem, rates, select_panel(problem, lottery_size=1000), args)
        import synthetic_pools

        synthetic = synthetic_pools.INSTANCES[0]
        if synthetic.name in only:  # the synthetic Camden pool only when named: its robust rows are slow
            with tempfile.TemporaryDirectory() as folder:
                quotas, people = synthetic_pools.write_instance(synthetic, Path(folder) / synthetic.name)
                problem = load_problem(quotas, people, synthetic.k, household_columns=["household"])
            rates = learn_dropout_rates(synthetic_history(problem, np.random.default_rng(SEED)), problem.quotas)
            robust_rows(synthetic.name, problem, rates, select_panel(problem, lottery_size=1000), args)
        if args.robust_only:
            return
        print()
    header = (f"{'instance':<28} {'method':<13} {'rounds':>6} {'violations':>10} {'worst q':>7} {'target':>6} "
              f"{'min ratio':>9} {'target':>6} {'empty':>6} {'alts':>6} {'s/round':>8}")
    print(f"Drop-out rounds: {args.tickets} tickets x {per_ticket} rounds (refill: x {refill_per_ticket}, at most "
          f"{args.refill_seconds:g} s), seed {SEED}; alternates program: {args.samples} samples, {args.time_limit:g} s; "
          f"alt (N, f): N alternates, f times the expected drop-outs")
    print(f"Targets for alternates: every quota holds in >= {TARGET_HOLD:.0%} of final panels (worst q), "
          f"min ratio >= {TARGET_RATIO}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        for name, problem in instances(args.quick, Path(folder), only):
            rng = np.random.default_rng(SEED)
            rates = learn_dropout_rates(synthetic_history(problem, rng), problem.quotas)
            result = select_panel(problem, lottery_size=1000)
            started = time.perf_counter()
            violations, worst, ratio, empty, rounds, failures = refill_rounds(problem, result, rates, args.tickets, refill_per_ticket, rng,
                                                             args.refill_seconds)
            refill_time = (time.perf_counter() - started) / rounds
            print(f"{name[:28]:<28} {'refill':<13} {rounds:>6} {violations:>10.3f} {worst:>7.3f} {'-':>6} "
                  f"{ratio:>9.3f} {'-':>6} {empty:>6.2f} {'-':>6} {refill_time:>8.3f}"
                  + (f"  ({failures} refills failed in the engine: LP infeasible)" if failures else ""), flush=True)
            methods = [(f"alt ({alternates_count(problem, rates, factor)}, {factor:g})",
                        alternates_count(problem, rates, factor), args.tickets) for factor in (1.5, 3.0)]
            methods += [("alt (target)", "target", args.target_tickets),
                        (f"everyone ({args.target_tickets})", "everyone", args.target_tickets),
                        ("everyone", "everyone", args.tickets)]
            for method, alternates, tickets in methods:
                started = time.perf_counter()
                chances = simulate_final_chances(problem, result.lottery, result.probabilities, rates,
                                                 alternates=alternates, seed=SEED, tickets=tickets,
                                                 rounds_per_ticket=max(1, args.rounds // tickets), samples=args.samples,
                                                 time_limit=args.time_limit, check_rounds=args.check_rounds)
                elapsed = (time.perf_counter() - started) / chances.rounds
                ratio = chances.groups[0].ratio
                judged = not method.startswith("everyone")
                print(f"{name[:28]:<28} {method:<13} {chances.rounds:>6} {1 - chances.quota_hold_rate:>10.3f} "
                      f"{chances.worst_quota_hold_rate:>7.3f} "
                      f"{('pass' if chances.worst_quota_hold_rate >= TARGET_HOLD else 'FAIL') if judged else '-':>6} "
                      f"{ratio:>9.3f} {('pass' if ratio >= TARGET_RATIO else 'FAIL') if judged else '-':>6} "
                      f"{problem.k - chances.expected_final_size:>6.2f} {chances.mean_alternates:>6.1f} {elapsed:>8.3f}",
                      flush=True)
        if not (args.quick or args.skip_large):
            large_selection(Path(folder), args.check_rounds)


if __name__ == "__main__":
    main()
