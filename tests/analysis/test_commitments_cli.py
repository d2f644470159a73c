"""``civicpanel commitments`` and ``civicpanel import-commitments`` against a real database."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from analysis.charter.demo import load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.tables import Commitment, CommitmentUpdate
from server.audit import search_audit
from server.cli.main import cli
from tests.support.database import run

GOOD_CSV = ("record,key,title,kind,owner,made_on,deadline_date,principles,effective_on,status,evidence_url\n"
            "commitment,9,Publish an algorithm register,one_off,Chief Data Officer,2022-01-19,2022-06-01,1;6,,,\n"
            "update,9,,,,,,,2022-05-20,met,https://evidence.example.org/register\n"
            "update,7a,,,,,,,2022-06-15,met,\n")


@pytest.fixture
def demo(db):
    run(load_demo_charter())
    run(load_demo_commitments())


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_json_lists_every_commitment_with_the_published_fields(demo):
    result = invoke("commitments", "--as-of", "2022-07-01", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    rows = {row["id"]: row for row in document["commitments"]}
    assert len(rows) == 11
    assert rows["3"] == {**rows["3"], "kind": "one_off", "deadline": "2022-06-30", "status": "overdue",
                         "days_late": 1, "met_on": None, "principles": [1, 3, 7]}
    assert rows["4b"]["deadline"] is None and rows["4b"]["status"] == "improving"
    assert rows["2"]["evidence"][0]["url"].endswith("data-sharing-register")


def test_table_csv_and_pdf(demo, tmp_path):
    table = invoke("commitments", "--as-of", "2022-07-01")
    assert table.exit_code == 0 and "Commitments as of 1 July 2022" in table.output
    assert "Overdue by 1 day" in table.output
    rows = list(csv.DictReader(io.StringIO(invoke("commitments", "--as-of", "2022-07-01", "--format", "csv").output)))
    assert [row["id"] for row in rows][:3] == ["1", "2", "3"]
    out = tmp_path / "report.pdf"
    result = invoke("commitments", "--as-of", "2022-07-01", "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    assert "Wrote the pdf report of 11 commitments as of 2022-07-01" in result.output


def test_a_past_report_is_byte_identical_after_an_import(demo, tmp_path):
    before = {fmt: invoke("commitments", "--as-of", "2022-07-01", "--format", fmt).output for fmt in ("json", "csv")}
    path = tmp_path / "more.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    result = invoke("import-commitments", str(path))
    assert result.exit_code == 0
    assert result.output == "Imported 1 commitments and 2 updates into camden-data-charter from more.csv\n"
    after = {fmt: invoke("commitments", "--as-of", "2022-07-01", "--format", fmt).output for fmt in ("json", "csv")}
    assert after == before
    today = json.loads(invoke("commitments", "--format", "json").output)
    assert {row["id"]: row["status"] for row in today["commitments"]}["9"] == "met_on_time"
    assert run(search_audit(action="commitments_imported"))[0].actor.startswith("cli:")


def test_import_with_bad_rows_lists_every_row_and_imports_nothing(demo, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("record,key,title,kind,owner,made_on,deadline_date,effective_on,status\n"
                    "commitment,9,Fine,one_off,Chief Data Officer,2022-01-19,2022-06-01,,\n"
                    "commitment,10,No owner,one_off,,2022-01-19,2022-06-01,,\n"
                    "\n"
                    "update,11,,,,,,2022-06-01,met\n"
                    "update,3,,,,,,01/13/2022,met\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-commitments", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:-1] == [
        "bad.csv: row 3, owner: is required",
        "bad.csv: row 5, key: no commitment '11' in this file or already stored",
        "bad.csv: row 6, effective_on: '01/13/2022' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
    ]
    assert lines[-1] == "Error: 3 problem(s) in bad.csv; nothing was imported"
    assert run(Commitment.count().run()) == 11 and run(CommitmentUpdate.count().run()) == 12


def test_failures_are_one_line(demo, tmp_path):
    pdf = CliRunner().invoke(cli, ["commitments", "--format", "pdf"])
    assert pdf.exit_code == 1 and pdf.output == "Error: --format pdf needs --out FILE.pdf\n"
    unknown = CliRunner().invoke(cli, ["commitments", "--charter", "nope"])
    assert unknown.exit_code == 1 and unknown.output == "Error: no charter 'nope'\n"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("record,key,title\ncommitment,1,Café\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["import-commitments", str(latin)])
    assert result.exit_code == 1 and "is not UTF-8 text" in result.output
