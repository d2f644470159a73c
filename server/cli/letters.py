"""``civicpanel invite-by-post``: the civic lottery by post from the command line — draw
addresses by ward from the council's address file and write the letters and the mailing file.

Registered on the ``civicpanel`` group in ``server/cli/main.py``; the same as the officer's page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from server.cli.consultations import _actor
from server.cli.support import require_migrated as _ready
from server.cli.support import run_async as _run
from server.platform.private_files import write_private_file


@click.command("invite-by-post")
@click.option("--panel", "slug", required=True, help="The panel's slug (in its address, /panels/SLUG).")
@click.option("--addresses", "addresses_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The address file (CSV: uprn, address_1..address_4, town, postcode, ward).")
@click.option("--letters", "letters", required=True, type=click.IntRange(1), help="How many letters to send.")
@click.option("--seed", required=True, help="The seed of the draw (recorded; the same seed and file draw the same addresses).")
@click.option("--weights", default="", help='Wards weighted more, like "Kilburn = 2, Gospel Oak = 1.5".')
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for letters.pdf and mailing.csv (made if missing).")
def invite_by_post_command(slug: str, addresses_path: Path, letters: int, seed: str, weights: str, out: Path) -> None:
    """Draw addresses by ward and write letters.pdf (a page per letter) and mailing.csv."""
    settings = _ready()
    from panels import store
    from panels.address_file import AddressFileError
    from panels.letter_draw import parse_ward_weights
    from panels.mailing import mailing_csv
    from panels.wards import BOROUGH_WARDS
    from server.app import create_app
    from server.services.invitation_letters import batch_letters_pdf, send_letters

    panel = _run(store.get_panel_by_slug(slug))
    if panel is None:
        raise click.ClickException(f"there is no panel {slug!r}")
    ward_weights, problems = parse_ward_weights(weights, wards=BOROUGH_WARDS)
    if problems:
        raise click.ClickException("; ".join(problems))
    if not seed.strip():
        raise click.ClickException("--seed must not be empty")
    try:
        sent = _run(send_letters(panel=panel, address_file=addresses_path.read_bytes(), letters=letters, seed=seed,
                                 weights=ward_weights, actor=_actor()))
    except AddressFileError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {addresses_path.name}; no letters drawn") from error
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    register_url = settings.site_url + create_app(settings).route_reverse("panel_public", slug=panel.slug)
    pdf = _run(batch_letters_pdf(panel=panel, letters=sent.letters, council=settings.council_name,
                                 register_url=register_url, today=date.today()))
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_private_file(out / "letters.pdf", pdf)
        write_private_file(out / "mailing.csv", mailing_csv(sent.letters))
    except OSError as error:
        raise click.ClickException(f"cannot write to {out}: {error.strerror}") from error
    click.echo(f"Drew {len(sent.letters)} addresses of {sent.address_count} for {panel.name} (batch {sent.batch_id}, "
               f"seed {seed!r}, address file sha256 {sent.fingerprint[:16]}…):")
    for ward in sent.draw.wards:
        weight = f" (weight {ward.weight:g})" if ward.weight != 1 else ""
        click.echo(f"  {ward.ward}: {ward.letters} of {ward.addresses}{weight}")
    click.echo(f"Wrote {out / 'letters.pdf'} and {out / 'mailing.csv'}")
