"""``civicpanel report``: every format of the draft, a published version verbatim, and failures."""

from __future__ import annotations

import json

from click.testing import CliRunner

from server.cli.main import cli
from tests.factories.reports import SLUG, publish, seed
from tests.support.database import run


def test_report_formats(db, tmp_path):
    run(seed())
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--consultation", SLUG, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["n_responses"] == 60 and document["themes"] == [] and document["actions"] == []
    csv_result = runner.invoke(cli, ["report", "--consultation", SLUG, "--format", "csv"])
    assert csv_result.exit_code == 0 and csv_result.stdout.startswith("section,question_key")
    html_file, pdf_file = tmp_path / "r.html", tmp_path / "r.pdf"
    assert runner.invoke(cli, ["report", "--consultation", SLUG, "--format", "html", "--out", str(html_file)]).exit_code == 0
    assert "We asked" in html_file.read_text() and "data:image/png;base64," in html_file.read_text()
    assert runner.invoke(cli, ["report", "--consultation", SLUG, "--format", "pdf", "--out", str(pdf_file)]).exit_code == 0
    assert pdf_file.read_bytes().startswith(b"%PDF")


def test_report_failures(db):
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", "--consultation", "nowhere"])
    assert missing.exit_code == 1 and "no consultation called 'nowhere'" in missing.output
    run(seed())
    assert "needs --out" in runner.invoke(cli, ["report", "--consultation", SLUG, "--format", "pdf"]).output
    unpublished = runner.invoke(cli, ["report", "--consultation", SLUG, "--version", "1"])
    assert unpublished.exit_code == 1 and "no published report" in unpublished.output


def test_published_version_from_the_cli(officer_client):
    run(seed())
    publish(officer_client)
    from_cli = CliRunner().invoke(cli, ["report", "--consultation", SLUG, "--version", "1", "--format", "csv"])
    assert from_cli.exit_code == 0
    assert from_cli.stdout == officer_client.get(f"/consultations/{SLUG}/report/v/1/report.csv").text
