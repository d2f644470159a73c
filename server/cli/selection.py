"""``civicpanel select`` and ``civicpanel verify-draw`` (registered in ``server/cli/main.py``).

``select`` reads the quota and respondent CSVs, runs the selection engine with a progress
bar on stderr, prints a summary and optionally writes the JSON record; ``verify-draw``
repeats the draw from a JSON record and checks the drawn panel against the recorded quotas.
Both exit non-zero with a one-line reason on failure; infeasible quotas print the conflict
and the proposed relaxation first. Warnings (no id column, a lottery too small for the
distribution) go to stderr.
"""

from __future__ import annotations

import json
import secrets
import warnings
from pathlib import Path

import click

from panels.selection import (
    ALGORITHMS,
    InfeasibleQuotasError,
    Quota,
    SelectionInputError,
    SelectionInputWarning,
    SelectionProgress,
    SelectionResult,
    load_problem,
    load_volunteers,
    natural_order,
    quota_problems,
    result_to_json,
    select_panel,
    verify_draw,
)
from panels.selection.lottery import ticket_for_seed
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
        f"Runtime: {result.runtime_s:.2f} s",
        "",
        f"{'category':<20} {'value':<28} {'min':>4} {'max':>4} {'drawn':>5}",
    ]
    for quota in result.quotas:
        drawn = "-" if quota.selected is None else str(quota.selected)
        lines.append(f"{quota.category[:20]:<20} {quota.name[:28]:<28} {quota.quota_min:>4} {quota.quota_max:>4} {drawn:>5}")
    if result.draw is not None:
        lines += [
            "",
            f"Seed: {result.draw.seed!r} -> ticket {result.draw.ticket} of {result.lottery.size}",
            f"Lottery SHA-256: {result.draw.lottery_digest}",
            f"Drawn panel ({len(result.draw.panel)}): {', '.join(natural_order(result.draw.panel))}",
        ]
    return "\n".join(lines)


@click.command("select")
@click.option("--categories", "categories_path", required=True, type=click.Path(dir_okay=False), help="Quotas CSV.")
@click.option("--respondents", "respondents_path", required=True, type=click.Path(dir_okay=False), help="Pool CSV.")
@click.option("--k", "k", required=True, type=int, help="Panel size.")
@click.option("--household-columns", default="", help="Comma-separated columns identifying a household.")
@click.option("--id-column", default=None, help="Id column (default: id, unique_id or nationbuilder_id; else row index).")
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default="leximin", show_default=True)
@click.option("--seed", default=None, help="Publicly announced seed text; a random one is made if omitted.")
@click.option("--lottery-size", default=1000, show_default=True, type=click.IntRange(min=1), help="Tickets M.")
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False), help="Write the JSON record here.")
def select_command(
    categories_path: str,
    respondents_path: str,
    k: int,
    household_columns: str,
    id_column: str | None,
    algorithm: str,
    seed: str | None,
    lottery_size: int,
    json_path: str | None,
) -> None:
    """Select a panel that meets the quotas, as fairly as possible, and draw it from a seed."""
    columns = [column.strip() for column in household_columns.split(",") if column.strip()]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SelectionInputWarning)
            problem = load_problem(categories_path, respondents_path, k, id_column=id_column, household_columns=columns)
    except SelectionInputError as error:
        raise click.ClickException(str(error)) from None
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
    if seed is None:
        seed = secrets.token_hex(16)
        click.echo(f"No --seed given: using random seed {seed} (not publicly announced).", err=True)
    bar = _ProgressBar()
    try:
        result = select_panel(problem, algorithm=algorithm, seed=seed, lottery_size=lottery_size, progress=bar)
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
    click.echo(_summary(result))
    if json_path is not None:
        write_private_file(Path(json_path), json.dumps(result_to_json(result), indent=1, ensure_ascii=False))
        click.echo(f"Wrote {json_path}")


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
def verify_draw_command(record_path: str, respondents_path: str | None, id_column: str | None) -> None:
    """Repeat the draw stored in a JSON record, say whether it matches, and check its quotas."""
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
    answers = None
    if respondents_path is not None:
        answers = _recorded_answers(record, respondents_path, id_column)
    problems = quota_problems(record, answers)
    if problems:
        raise click.ClickException("the drawn panel does NOT meet the recorded quotas: " + "; ".join(problems[:5]))
    source = respondents_path if respondents_path is not None else "the recorded counts"
    click.echo(f"The drawn panel meets every recorded quota (checked against {source}).")


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
