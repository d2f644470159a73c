"""``civicpanel report --consultation SLUG --format json|csv|html|pdf [--out FILE] [--version N]``:
the "We asked, You said, We did" report from the command line — the current draft built from
every response so far, or a published version exactly as published.

Registered on the ``civicpanel`` group in ``server/cli/main.py``. Prints what it did; on failure, a
one-line reason and a non-zero exit."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import click

from common.clock import council_today
from server.cli.support import require_migrated as _ready
from server.cli.support import run_async as _run
from server.platform.private_files import write_private_file


async def _draft(slug: str, threshold: int):
    from analysis.reports.build import build_from_inputs
    from analysis.reports.store import load_report_inputs

    inputs = await load_report_inputs(slug, today=council_today())
    return build_from_inputs(inputs, disclosure_threshold=threshold)


@click.command("report")
@click.option("--consultation", "slug", required=True, help="The consultation's slug (see `civicpanel consultations`).")
@click.option("--format", "output_format", type=click.Choice(["json", "csv", "html", "pdf"]), default="json", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output (required for pdf).")
@click.option("--version", "version", type=int, default=0,
              help="A published version number (default: the current draft from every response so far).")
def report_command(slug: str, output_format: str, out: Path | None, version: int) -> None:
    """The "We asked, You said, We did" report of a consultation as JSON, CSV, HTML or PDF."""
    from analysis.reports.render import render_html, report_csv, report_images, report_pdf, standalone_html
    from analysis.reports.store import ReportNotFound, get_version
    from server.settings import Settings

    _ready()
    if output_format == "pdf" and out is None:
        raise click.ClickException("a PDF needs --out FILE")
    settings = Settings.from_env()
    threshold = settings.disclosure_threshold
    try:
        if version:
            row = _run(get_version(slug, version))
            document = json.loads(row["document_json"])
            images = {name: (base64.b64decode(image["png"]), image["alt"])
                      for name, image in json.loads(row["images_json"]).items()}
            you_said, what = None, f"version {version} of the report"
        else:
            built = _run(_draft(slug, threshold))
            document, you_said, images, what = built.document, built.you_said, None, "the draft report"
    except ReportNotFound as error:
        raise click.ClickException(str(error)) from error
    if output_format in ("html", "pdf") and images is None:
        images = report_images(document, you_said)
    if output_format == "json":
        content: str | bytes = row["document_json"] if version else json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    elif output_format == "csv":
        content = row["open_data_csv"] if version else report_csv(document)
    elif output_format == "html":
        content = standalone_html(document, images)
    else:
        # A published version prints the HTML it was published with; a draft, its body drawn now.
        body = row["html"] if version else render_html(document, images, lambda name: f"{name}.png")
        title = row["title"] if version else f"We asked, you said, we did: {document['we_asked']['title']}"
        content = report_pdf(body, images, title=title, council=settings.council_name,
                             note="" if version else "Draft: not published.",
                             published=row["published_at"] if version else None)
    if out is None:
        click.echo(content, nl=False)
        return
    write_private_file(out, content)
    click.echo(f"Wrote {what} for {slug} ({document['n_responses']} responses) as {output_format} to {out}", err=True)
