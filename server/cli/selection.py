"""``civicpanel select`` and ``civicpanel verify-draw`` (registered in ``server/cli/main.py``).

``select`` works in two steps, like the web workflow: it reads the quota and respondent CSVs,
runs the selection engine with a progress bar on stderr, prints a summary and the lottery's
fingerprint, and writes the lottery (``--lottery-out``); later ``select --draw`` draws the
announced seed's ticket from that file and writes the JSON record (``--json``). ``verify-draw``
repeats the draw from a JSON record and checks the drawn panel against the recorded quotas.
Both exit non-zero with a one-line reason on failure; infeasible quotas print the conflict
and the proposed relaxation first. Warnings (no id column, a lottery too small for the
distribution) go to stderr.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import click

from common.text import whole_number
from panels.selection import (
    ALGORITHMS,
    OBJECTIVES,
    InfeasibleQuotasError,
    LotteryRecordError,
    Quota,
    SelectionInputError,
    SelectionInputWarning,
    SelectionProgress,
    SelectionResult,
    draw_lottery_record,
    load_problem,
    lottery_record,
    load_volunteers,
    quota_problems,
    select_panel,
    verify_draw,
)
from panels.selection.dropout import history_from_rows, learn_dropout_rates
from panels.selection.lottery import ticket_for_seed
from panels.selection.recent_service import (
    DEFAULT_FACTOR, RECENT_RULES, RecentServiceOutcome, RecentServiceRule, apply_recent_service,
)
from panels.selection.report import add_alternates_to_record, draw_alternates, repeat_alternates
from panels.selection.robust import RobustSettings, check_floor
from server.platform.private_files import write_private_file


class _ProgressBar:
    """A one-line text progress bar on stderr, redrawn in place."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, report: SelectionProgress) -> None:
        share = report.fixed_types / report.total_types if report.total_types else 1.0
        filled = int(round(30 * share))
        minimum = "" if report.min_probability is None else f" min p={report.min_probability:.4f}"
        click.echo(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {report.phase} it {report.iteration}{minimum} {report.message[:40]:<40}",
            err=True,
            nl=False,
        )
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)


#: What the robust lottery's time limit cut short (``RobustDistribution.time_limit_reached``), and what follows.
ROBUST_CUT_SHORT = {
    "scoring": "before LEXIMIN's panels were all scored: the lottery is LEXIMIN's, unchanged",
    "search": "before the search for sturdier panels finished: the lottery is the best found by then",
    "check": "before the lottery was checked on fresh drop-out scenarios",
}


def _robust_summary(figures: dict) -> str:
    """What the CLI says about a drop-out-robust lottery (``RobustDistribution.to_json``): the
    hold rates when they were measured within the time limit."""
    summary = (f"Drop-out-robust lottery, floor {figures['floor']:g} of each LEXIMIN chance (lowest reached "
               f"{figures['lowest_chance_ratio']:.3f})")
    if figures["fresh_hold"] is None:
        return summary + ": not checked on fresh drop-out scenarios within the time limit"
    return (summary + f": every quota can be restored in {100 * figures['fresh_hold']:.1f}% of "
            f"{figures['fresh_scenarios']} fresh drop-out scenarios (LEXIMIN {100 * figures['leximin_fresh_hold']:.1f}%); "
            f"{100 * figures['in_sample_hold']:.1f}% on the {figures['scenarios']} it was chosen on")


def _robust_time_warning(figures: dict) -> str:
    return (f"Warning: the robust lottery's time limit of {figures['time_limit']:g} s was reached "
            f"{ROBUST_CUT_SHORT[figures['time_limit_reached']]}; a run on a less busy machine may do better")


def _summary(result: SelectionResult) -> str:
    if result.draws:
        algorithm = f"Algorithm: {result.algorithm} (probabilities are estimates from {result.draws} random draws)"
        probability = f"Selection probability, estimated from {result.draws} draws"
    else:
        algorithm, probability = f"Algorithm: {result.algorithm}", "Selection probability"
    lines = [
        algorithm,
        f"Pool size n = {result.n}, panel size k = {result.k}",
        f"{probability}: min {result.min_probability:.6f}, max {result.max_probability:.6f} (k/n = {result.k / result.n:.6f})",
        f"Panels in the distribution: {result.distribution_size}; lottery of {result.lottery.size} tickets, "
        f"max deviation {result.lottery.max_deviation:.6f}",
        *([f"Goldilocks limits: every chance between {result.chance_limits[0]:.6f} and {result.chance_limits[1]:.6f}"]
          if result.chance_limits else []),
        f"Runtime: {result.runtime_s:.2f} s",
        "",
        f"{'category':<20} {'value':<28} {'min':>4} {'max':>4}",
    ]
    for quota in result.quotas:
        lines.append(f"{quota.category[:20]:<20} {quota.name[:28]:<28} {quota.quota_min:>4} {quota.quota_max:>4}")
    return "\n".join(lines)


@click.command("select")
@click.option("--categories", "categories_path", default=None, type=click.Path(dir_okay=False), help="Quotas CSV.")
@click.option("--respondents", "respondents_path", default=None, type=click.Path(dir_okay=False), help="Pool CSV.")
@click.option("--k", "k", default=None, type=int, help="Panel size.")
@click.option("--household-columns", default="", help="Comma-separated columns identifying a household.")
@click.option("--id-column", default=None, help="Id column (default: id, unique_id or nationbuilder_id; else row index).")
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default="leximin", show_default=True)
@click.option("--objective", type=click.Choice(OBJECTIVES), default=None,
              help="The fairness objective: leximin (raise the smallest chances first, then the next) or goldilocks "
                   "(keep every chance between a lower and an upper limit around k/n, as close as possible). "
                   "Same as --algorithm.")
@click.option("--lottery-size", default=1000, show_default=True, type=click.IntRange(min=1), help="Tickets M.")
@click.option("--lottery-out", "lottery_out", default=None, type=click.Path(dir_okay=False),
              help="Write the lottery (and its fingerprint) here, to draw from later with --draw.")
@click.option("--draw", "draw", is_flag=True, help="Draw from a lottery already written (--lottery, --seed).")
@click.option("--lottery", "lottery_path", default=None, type=click.Path(dir_okay=False),
              help="With --draw: the lottery file written by --lottery-out.")
@click.option("--seed", default=None, help="With --draw: the publicly announced seed.")
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False),
              help="With --draw: write the drawn record (for verify-draw) here.")
@click.option("--alternates", "alternates", default="0", metavar="N|target",
              help="Choose this many ordered alternates for the drawn panel, or 'target' for as many as keep every "
                   "quota in 99% of simulated drop-out rounds (at most 100, or one per seat on a larger panel); added to the --draw JSON with how often "
                   "the quotas hold.")
@click.option("--dropout-history", "dropout_history", default=None, type=click.Path(exists=True, dir_okay=False),
              help="With --alternates or --robust-floor: CSV of past invitations (the quota columns and dropped yes/no); "
                   "without it the stated prior alone gives the drop-out rates.")
@click.option("--robust-floor", "robust_floor", default=None, type=float, metavar="Z",
              help="Replace the LEXIMIN lottery by one whose panels more often keep every quota after drop-outs, while "
                   "every volunteer keeps at least Z (between 0 and 1) times their LEXIMIN chance; drop-out rates "
                   "come from --dropout-history (or the stated prior). The lottery file records the floor and how "
                   "often the quotas can be restored, on the scoring and on fresh drop-out scenarios.")
@click.option("--served-column", "served_column", default=None,
              help="Pool CSV column marking people who served on a recent panel (yes/no, true/false, 1/0; "
                   "empty means no).")
@click.option("--recent-rule", "recent_rule", type=click.Choice(RECENT_RULES), default=None,
              help="With --served-column: include them as anyone else, exclude them from the pool, or lower "
                   "their chance (default: exclude).")
@click.option("--recent-factor", "recent_factor", default=None, type=float,
              help=f"With --recent-rule lower: multiply their chance by this, between 0 and 1 "
                   f"(default {DEFAULT_FACTOR}).")
def select_command(
    categories_path: str | None,
    respondents_path: str | None,
    k: int | None,
    household_columns: str,
    id_column: str | None,
    algorithm: str,
    objective: str | None,
    lottery_size: int,
    lottery_out: str | None,
    draw: bool,
    lottery_path: str | None,
    seed: str | None,
    json_path: str | None,
    alternates: str,
    dropout_history: str | None,
    robust_floor: float | None,
    served_column: str | None,
    recent_rule: str | None,
    recent_factor: float | None,
) -> None:
    """Select a panel in two steps, as the web workflow does.

    First build the lottery and publish its fingerprint:
    select --categories C.csv --respondents R.csv --k K --lottery-out LOTTERY.json.
    Then, once the seed is announced: select --draw --lottery LOTTERY.json --seed TEXT.
    A seed is only ever drawn against a lottery already written, so nobody who knows the seed
    can try lottery sizes until a preferred ticket comes up."""
    alternates = alternates.strip().lower()
    if alternates != "target" and whole_number(alternates) is None:
        raise click.BadParameter("give a whole number of alternates, or 'target'", param_hint="--alternates")
    alternates = alternates if alternates == "target" else str(whole_number(alternates))
    if objective is not None:
        if algorithm not in ("leximin", objective):
            raise click.UsageError("give either --objective or --algorithm, not two different ones")
        algorithm = objective
    if draw:
        if (categories_path or respondents_path or k is not None or lottery_out or alternates != "0" or dropout_history
                or robust_floor is not None or served_column or recent_rule or recent_factor is not None):
            raise click.UsageError("--draw takes only --lottery, --seed and --json: the lottery (and the number of "
                                   "alternates) is already built")
        if lottery_path is None or seed is None:
            raise click.UsageError("--draw needs --lottery FILE (written by --lottery-out) and --seed TEXT")
        _draw(lottery_path, seed, json_path)
        return
    if seed is not None or lottery_path is not None:
        raise click.UsageError(
            "a seed is drawn only against a lottery already written: first run select ... --lottery-out FILE and "
            "publish its fingerprint, then select --draw --lottery FILE --seed TEXT")
    if json_path is not None:
        raise click.UsageError("--json writes a drawn record: use --lottery-out FILE to write the lottery")
    if categories_path is None or respondents_path is None or k is None:
        raise click.UsageError("building a lottery needs --categories, --respondents and --k")
    if robust_floor is not None:
        try:
            check_floor(robust_floor)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--robust-floor") from None
        if algorithm != "leximin":
            raise click.UsageError(f"--robust-floor starts from the leximin objective, not {algorithm}")
    columns = [column.strip() for column in household_columns.split(",") if column.strip()]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SelectionInputWarning)
            problem = load_problem(categories_path, respondents_path, k, id_column=id_column, household_columns=columns)
    except SelectionInputError as error:
        raise click.ClickException(str(error)) from None
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
    problem, recent = _recent_service(problem, served_column, recent_rule, recent_factor)
    if recent is not None and recent.lowered and algorithm != "leximin":
        raise click.UsageError(f"--recent-rule lower needs the leximin objective, not {algorithm}")
    rates = robust = None
    if alternates != "0" or robust_floor is not None:
        rates = learn_dropout_rates(_dropout_history(dropout_history, problem), problem.quotas)
    if robust_floor is not None:
        robust = RobustSettings(floor=robust_floor, dropout=rates.by_volunteer(problem.volunteers))
    bar = _ProgressBar()
    try:
        result = select_panel(problem, algorithm=algorithm, lottery_size=lottery_size, progress=bar, robust=robust)
    except InfeasibleQuotasError as error:
        bar.close()
        click.echo(error.infeasibility.describe(), err=True)
        raise click.ClickException("the quotas are infeasible for this pool (see the relaxation above)") from None
    except SelectionInputError as error:
        bar.close()
        raise click.ClickException(str(error)) from None
    bar.close()
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    record = lottery_record(result, problem)
    if recent is not None:
        record["recent_service"] = {"column": served_column, **recent.to_json()}
        touched = recent.excluded or recent.lowered
        click.echo(f"Recent panel members ({served_column}): {len(touched)} "
                   + ("left out of the pool" if recent.rule.rule == "exclude" else
                      f"with their chance lowered by a factor of {recent.rule.factor:g}"
                      if recent.rule.rule == "lower" else "included as anyone else"))
    if alternates != "0":
        add_alternates_to_record(record, problem, alternates if alternates == "target" else int(alternates), rates)
        chosen = "as many alternates as the 99% target needs" if alternates == "target" else f"{alternates} alternates"
        click.echo(f"Drop-out rate (overall, from {rates.overall.invited} past invitations and a Beta"
                   f"({rates.prior.alpha:g}, {rates.prior.beta:g}) prior): {rates.overall.rate:.3f}; "
                   f"{chosen} will be chosen at the draw.")
    elif dropout_history and robust_floor is None:
        raise click.UsageError("--dropout-history is used only with --alternates N or --robust-floor Z")
    if result.robustness is not None:
        click.echo(_robust_summary(result.robustness))
        if result.robustness.get("time_limit_reached") is not None:
            click.echo(_robust_time_warning(result.robustness), err=True)
    click.echo(_summary(result))
    click.echo("")
    click.echo(f"Lottery SHA-256 (publish before the seed is announced): {record['lottery_digest']}")
    if record.get("alternates_digest"):
        click.echo(f"Alternates settings SHA-256 (publish it with the lottery's): {record['alternates_digest']}")
    if lottery_out is None:
        click.echo("Nothing written: give --lottery-out FILE to keep this lottery for the draw.")
        return
    write_private_file(Path(lottery_out), json.dumps(record, indent=1, ensure_ascii=False))
    click.echo(f"Wrote {lottery_out}; draw with: civicpanel select --draw --lottery {lottery_out} --seed TEXT")


def _lottery_file(lottery_path: str) -> dict:
    try:
        record = json.loads(Path(lottery_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{lottery_path}: not a readable lottery file ({error})") from None
    if not isinstance(record, dict):
        raise click.ClickException(f"{lottery_path}: not a lottery file written by select --lottery-out")
    return record


def _draw(lottery_path: str, seed: str, json_path: str | None) -> None:
    record = _lottery_file(lottery_path)
    try:
        drawn = draw_alternates(record, draw_lottery_record(record, seed))
    except LotteryRecordError as error:
        raise click.ClickException(f"{lottery_path}: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise click.ClickException(f"{lottery_path}: its alternates settings are malformed ({error})") from None
    lines = [
        f"Seed: {drawn['seed']!r} -> ticket {drawn['ticket']} of {drawn['lottery_size']}",
        f"Lottery SHA-256: {drawn['lottery_digest']}",
        f"Drawn panel ({len(drawn['panel'])}): {', '.join(drawn['panel'])}",
        "",
        f"{'category':<20} {'value':<28} {'min':>4} {'max':>4} {'drawn':>5}",
    ]
    for quota in drawn["quotas"]:
        lines.append(f"{str(quota['category'])[:20]:<20} {str(quota['name'])[:28]:<28} {quota['min']:>4} "
                     f"{quota['max']:>4} {quota['selected']:>5}")
    if drawn.get("alternates") is not None:
        report = drawn["alternates_report"]
        lines += ["", f"Alternates, in order ({len(drawn['alternates'])}): {', '.join(drawn['alternates'])}"]
        if drawn.get("alternates_digest"):
            lines.append(f"Alternates settings SHA-256: {drawn['alternates_digest']}")
        if report.get("fewer_reason") and report["method"] != "none":
            lines.append(f"Fewer than the {report['asked']} asked for: "
                         + ("nobody else in the pool can be an alternate" if report["fewer_reason"] == "pool" else
                            "the cover's simulated drop-outs needed no more"))
        if report["samples"]:
            lines.append(f"Chosen by the {report['method']} over the other list on {report['samples']} fresh drop-out "
                         f"patterns: expected misrepresentation {report['expected_misrepresentation']:.4f}, worst "
                         f"{report['worst_misrepresentation']:.4f}; every quota held in "
                         f"{100 * report['quota_hold_rate']:.0f}%")
        elif report["method"] == "none":
            lines.append("Nobody else in the pool can be an alternate")
        else:
            lines.append(f"Chosen by the {report['method']} (the only list: nothing to compare it with)")
        check = drawn["alternates_check"]
        lines.append(f"Checked on {check['holds']['rounds']} new drop-out rounds: expected misrepresentation "
                     f"{check['holds']['expected_misrepresentation']:.4f}, worst "
                     f"{check['holds']['worst_misrepresentation']:.4f}; every quota at once in "
                     f"{100 * check['holds']['every_quota']:.1f}%, the quota met least often in "
                     f"{100 * check['holds']['worst_quota']:.1f}%; with every volunteer left as an alternate "
                     f"{100 * check['ceiling']['every_quota']:.1f}% and {100 * check['ceiling']['worst_quota']:.1f}%; "
                     f"the group keeping least of its drawn seats keeps {check['holds']['lowest_ratio']:.2f} "
                     f"({check['ceiling']['lowest_ratio']:.2f} with everyone); targets (every quota in "
                     f"{100 * check['target']:.0f}% of rounds, every group {check['ratio_target']:.2f} of its seats) "
                     f"{'met' if check['target_met'] else 'not met'}")
    click.echo("\n".join(lines))
    if json_path is not None:
        write_private_file(Path(json_path), json.dumps(drawn, indent=1, ensure_ascii=False))
        click.echo(f"Wrote {json_path}")


SERVED_YES = ("yes", "y", "true", "1")
SERVED_NO = ("no", "n", "false", "0", "")


def _recent_service(problem, column: str | None, rule: str | None,
                    factor: float | None) -> tuple[object, RecentServiceOutcome | None]:
    """Apply ``--recent-rule`` to the volunteers the ``--served-column`` marks."""
    if column is None:
        if rule is not None or factor is not None:
            raise click.UsageError("--recent-rule and --recent-factor need --served-column COLUMN")
        return problem, None
    rule = rule or "exclude"
    if factor is not None and rule != "lower":
        raise click.UsageError("--recent-factor is used only with --recent-rule lower")
    try:
        chosen = RecentServiceRule(rule, DEFAULT_FACTOR if factor is None else factor)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    served = set()
    for volunteer in problem.volunteers:
        if column not in volunteer.extra:
            raise click.ClickException(f"the pool has no column '{column}' (--served-column)")
        value = volunteer.extra[column].strip().lower()
        if value in SERVED_YES:
            served.add(volunteer.id)
        elif value not in SERVED_NO:
            raise click.ClickException(f"volunteer {volunteer.id}: '{volunteer.extra[column]}' in column '{column}' "
                                       "is not yes or no")
    return apply_recent_service(problem, served, chosen)


def _dropout_history(path: str | None, problem) -> list:
    if path is None:
        return []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return history_from_rows(csv.DictReader(handle), problem.categories)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise click.ClickException(f"{path}: {error}") from None


@click.command("verify-draw")
@click.argument("record_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--respondents",
    "respondents_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Respondents CSV: check the drawn members' answers against the quotas (else the recorded counts).",
)
@click.option("--id-column", default=None, help="Id column of the respondents CSV (as for select).")
@click.option("--lottery", "lottery_path", default=None, type=click.Path(exists=True, dir_okay=False),
              help="The lottery file the record was drawn from: choose its alternates again and check they are "
                   "the same, in the same order.")
def verify_draw_command(record_path: str, respondents_path: str | None, id_column: str | None,
                        lottery_path: str | None) -> None:
    """Repeat the draw stored in a JSON record, say whether it matches, and check its quotas; with
    --lottery, repeat its alternates too."""
    try:
        record = json.loads(Path(record_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{record_path}: not a readable JSON record ({error})") from None
    if not isinstance(record, dict) or not record.get("lottery") or record.get("seed") is None:
        raise click.ClickException(f"{record_path}: the record has no lottery or no seed")
    lottery_size = len(record["lottery"])
    if "lottery_size" in record and record["lottery_size"] != lottery_size:
        raise click.ClickException(
            f"the record says lottery_size {record['lottery_size']} but its lottery has {lottery_size} tickets"
        )
    ticket = ticket_for_seed(str(record["seed"]), lottery_size)
    click.echo(f"Seed {record['seed']!r} picks ticket {ticket} of {lottery_size}.")
    if not verify_draw(record):
        raise click.ClickException("the draw does NOT match the stored panel, ticket or lottery digest")
    click.echo("The draw matches the stored panel.")
    if record.get("lottery_digest"):
        click.echo(f"Lottery SHA-256: {record['lottery_digest']} (check it is the fingerprint published before the "
                   "seed was announced: a record can be made to match any lottery)")
    else:
        click.echo("The record holds no lottery fingerprint: compare its lottery with the one published before the "
                   "seed was announced.")
    answers = None
    if respondents_path is not None:
        answers = _recorded_answers(record, respondents_path, id_column)
    problems = quota_problems(record, answers)
    if problems:
        raise click.ClickException("the drawn panel does NOT meet the recorded quotas: " + "; ".join(problems[:5]))
    source = respondents_path if respondents_path is not None else "the recorded counts"
    click.echo(f"The drawn panel meets every recorded quota (checked against {source}).")
    if lottery_path is not None:
        _verify_alternates(record, lottery_path)


def _verify_alternates(drawn: dict, lottery_path: str) -> None:
    try:
        again = repeat_alternates(_lottery_file(lottery_path), drawn)
    except LotteryRecordError as error:
        raise click.ClickException(f"{lottery_path}: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise click.ClickException(f"{lottery_path}: its alternates settings are malformed ({error})") from None
    if list(again) != [str(member) for member in drawn["alternates"]]:
        raise click.ClickException("the alternates do NOT repeat: chosen again from the lottery file they are "
                                   + ", ".join(again))
    proved = int((drawn.get("alternates_report") or {}).get("program_samples") or 0)
    how = (f"with the program proved over {proved} drop-out patterns, as at the draw" if proved
           else "with no program proved, as at the draw")
    click.echo(f"The {len(again)} alternates repeat, in the same order ({how}).")
    if drawn.get("alternates_digest"):
        click.echo(f"Alternates settings SHA-256: {drawn['alternates_digest']} (check it is the one published with "
                   "the lottery's)")


def _recorded_answers(record: dict, respondents_path: str, id_column: str | None) -> dict[str, dict[str, str]]:
    """Each respondent's answer in every recorded quota category."""
    try:
        quotas = tuple(
            Quota(str(quota["category"]), str(quota["name"]), int(quota["min"]), int(quota["max"]))
            for quota in record.get("quotas") or []
        )
    except (KeyError, TypeError, ValueError) as error:
        raise click.ClickException(f"the record's quotas are malformed ({error})") from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SelectionInputWarning)
            volunteers = load_volunteers(respondents_path, quotas, id_column=id_column)
    except SelectionInputError as error:
        raise click.ClickException(str(error)) from None
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
    return {volunteer.id: dict(volunteer.features) for volunteer in volunteers}
