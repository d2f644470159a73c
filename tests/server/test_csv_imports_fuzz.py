"""Hypothesis against the CSV imports: valid rows mixed with mutated ones (bad cells, wrong column
counts, a byte-order mark, formula prefixes, huge cells, NUL, bytes that are not UTF-8). Each
import either stores every row or none, names the row (and column) of a bad row, and never
answers 5xx or crashes the command.

Imports: consultation responses (officer upload and ``civicpanel import-responses``), a panel's
respondents (officer upload), and charter commitments (officer upload and
``civicpanel import-commitments``). Also: an upload over the size limit gets a clear 4xx.

The database is per test, not per example, so every example asserts on row counts before and after.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.charter.demo import DEMO_CHARTER_SLUG, load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.tables import Commitment, CommitmentUpdate
from common.emails import is_valid_email
from common.postcodes import POSTCODE as UK_POSTCODE
from panels.tables import Volunteer
from server.cli.main import cli
from surveys.consultations import get_questionnaire
from surveys.questionnaire import answers_as_raw, validate_answers
from surveys.tables import SurveyResponse
from tests.factories.panels import create_panel, import_pool, set_quotas
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import csrf_token

pytestmark = pytest.mark.slow  # hundreds of generated requests: seconds each

FUZZ = settings(max_examples=40,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
NOT_UTF8 = "\ue000"
"""Stands in a cell for bytes that are not UTF-8 (replaced after encoding)."""
OPEN_QUOTE = "\ue001"
"""Stands for a quote the writer must not escape (so that it opens a cell it never closes)."""
HUGE = 140_000
"""Longer than the csv module's default field limit (131,072), and than any column allows."""


@dataclass
class Spec:
    """One import's CSV shape: its header, a valid row, and which cells are checked strictly
    (a bad value there is certainly an error) or are free text (anything may be fine)."""

    header: list[str]
    row: callable
    bad_values: dict[str, list[str]]
    free_text: list[str]
    extra_cells_are_errors: bool = True


@dataclass
class CsvFile:
    content: bytes
    rows: int
    """Data rows (not blank) the file holds, as the csv module reads them."""
    bad_rows: list[int] = field(default_factory=list)
    """Spreadsheet row numbers (header = 1) certainly in error."""
    not_utf8: bool = False
    restructured: bool = False
    """A quote left open joins the rows after it into one cell, so the sure errors may move."""

    def names_a_bad_row(self, text: str) -> bool:
        """The error text names a row that is certainly bad (any row, once rows were joined)."""
        rows = [r"\d+"] if self.restructured else [str(row) for row in self.bad_rows]
        return any(re.search(rf"Row {row}\b|<td class=\"[^\"]*numeric\">{row}</td>", text, re.IGNORECASE) for row in rows)


MUTATIONS = ["bad_cell", "bad_cell", "noise", "formula", "extra_cells", "missing_cells", "huge", "nul", "not_utf8",
             "quote"]
noise = st.one_of(st.text(st.characters(codec="utf-8", exclude_characters=NOT_UTF8 + OPEN_QUOTE), max_size=30),
                  st.sampled_from(["", " ", "\r\n", "\"", "'", ",", ";", "\t", "\ufeff", "\u202e", "²", "@", "'=1"]))


@st.composite
def csv_files(draw, spec: Spec, prefix: str) -> CsvFile:
    count = draw(st.integers(min_value=1, max_value=6))
    rows = [[str(cell) for cell in spec.row(prefix, index)] for index in range(count)]
    bad_rows: set[int] = set()
    not_utf8 = restructured = False
    for index in sorted(draw(st.sets(st.integers(0, count - 1), max_size=3))):
        row, kind = rows[index], draw(st.sampled_from(MUTATIONS))
        column_of = {name: position for position, name in enumerate(spec.header)}
        if kind == "bad_cell":
            column = draw(st.sampled_from(sorted(spec.bad_values)))
            row[column_of[column]] = draw(st.sampled_from(spec.bad_values[column]))
            bad_rows.add(index + 2)
        elif kind == "noise":
            row[column_of[draw(st.sampled_from(spec.free_text))]] = draw(noise)
        elif kind == "formula":
            position = column_of[draw(st.sampled_from(spec.free_text))]
            row[position] = draw(st.sampled_from(["=", "+", "-", "@", "\t", "'="])) + row[position]
        elif kind == "extra_cells":
            row.extend(draw(st.lists(st.sampled_from(["x", "=1+1", "1"]), min_size=1, max_size=3)))
            if spec.extra_cells_are_errors:
                bad_rows.add(index + 2)
        elif kind == "missing_cells":
            del row[draw(st.integers(1, len(row) - 1)):]
        elif kind == "huge":
            row[column_of[draw(st.sampled_from(spec.free_text))]] = "x" * HUGE
            bad_rows.add(index + 2)
        elif kind == "nul":
            position = column_of[draw(st.sampled_from(spec.free_text))]
            row[position] = row[position][:2] + "\x00" + row[position][2:]
            bad_rows.add(index + 2)  # PostgreSQL cannot store NUL: refused on every database
        elif kind == "not_utf8":
            row[column_of[draw(st.sampled_from(spec.free_text))]] += NOT_UTF8
            not_utf8 = True
        elif kind == "quote":  # an opening quote never closed: the rest of the file is one cell
            row[column_of[draw(st.sampled_from(spec.free_text))]] = OPEN_QUOTE + "unclosed"
            restructured = True
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(spec.header)
    text = buffer.getvalue()
    for row in rows:
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(row)
        text += line.getvalue().replace(OPEN_QUOTE, '"')
    text += draw(st.sampled_from(["", "\n", "\n\n", ",,,\n"]))  # blank rows as spreadsheets save them
    if draw(st.booleans()):
        text = "\ufeff" + text
    content = text.encode("utf-8").replace(NOT_UTF8.encode("utf-8"), b"\xff\xfe")
    csv.field_size_limit(10_000_000)
    try:
        records = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    finally:
        csv.field_size_limit(131_072)
    data_rows = sum(1 for record in records[1:] if any(cell.strip() for cell in record))
    return CsvFile(content=content, rows=data_rows, bad_rows=sorted(bad_rows), not_utf8=not_utf8,
                   restructured=restructured)


prefixes = itertools.count(1)


def upload(client, url: str, field_name: str, content: bytes):
    return client.post(url, data={"_csrf_token": csrf_token(client)},
                       files={field_name: ("import.csv", content, "text/csv")}, follow_redirects=False)


def count(table) -> int:
    return int(run(table.count().run()))


# --- consultation responses --------------------------------------------------------------------

RESPONSES = Spec(
    header=["used_services", "which_services: Library", "which_services: Website", "which_services: Phone",
            "open_data", "contact", "suggestions", "visits", "sex", "channel"],
    row=lambda prefix, index: ["Yes" if index % 2 else "No", "1" if index % 2 else "", "", "", "Agree", "Phone",
                               f"Idea {prefix}-{index}", str(index), "Female", "paper"],
    bad_values={"used_services": ["Maybe", "yes please"], "visits": ["500", "-1", "many", "²"],
                "channel": ["carrier pigeon"], "open_data": ["Perhaps"], "which_services: Library": ["2", "x"]},
    free_text=["suggestions"],
)
SLUG = "data-charter"


@pytest.fixture
def consultation(client) -> None:
    run(make_consultation(SLUG))


def check_stored_responses(new: int) -> None:
    questionnaire = run(get_questionnaire(SLUG))
    rows = run(SurveyResponse.select().order_by(SurveyResponse.id, ascending=False).limit(new).run())
    for row in rows:
        answers = json.loads(row["answers_json"])
        checked, errors = validate_answers(questionnaire, answers_as_raw(answers))
        assert errors == {} and checked == answers, answers
        assert row["reference"] and row["channel"] == "paper" and row["submitted_at"] is not None


@FUZZ
@given(data=st.data())
def test_responses_upload_is_all_or_nothing(officer_client, consultation, data):
    file = data.draw(csv_files(RESPONSES, f"u{next(prefixes)}"))
    before = count(SurveyResponse)
    response = upload(officer_client, f"/officer/consultations/{SLUG}/import", "file", file.content)
    assert response.status_code < 500, response.text[-2000:]
    added = count(SurveyResponse) - before
    event(f"status {response.status_code}")
    if response.status_code == 303:
        assert added == file.rows and not file.bad_rows and not file.not_utf8
        assert response.headers["location"].endswith(f"?imported={file.rows}")
        check_stored_responses(added)
        return
    assert response.status_code == 422 and added == 0
    assert "The file was not imported" in response.text
    if file.not_utf8:
        assert "UTF-8" in response.text
    elif file.bad_rows:
        assert file.names_a_bad_row(response.text), response.text[-3000:]
        assert re.search(r"Row \d+(, column |: )", response.text)


@FUZZ
@given(data=st.data())
def test_import_responses_command_is_all_or_nothing(consultation, tmp_path_factory, data):
    file = data.draw(csv_files(RESPONSES, f"c{next(prefixes)}"))
    path = tmp_path_factory.mktemp("responses") / "responses.csv"
    path.write_bytes(file.content)
    before = count(SurveyResponse)
    result = CliRunner().invoke(cli, ["import-responses", "--consultation", SLUG, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    added = count(SurveyResponse) - before
    event(f"exit {result.exit_code}")
    if result.exit_code == 0:
        assert added == file.rows and not file.bad_rows and not file.not_utf8
        assert f"Imported {file.rows} responses" in result.output
        check_stored_responses(added)
        return
    assert result.exit_code == 1 and added == 0
    assert "nothing imported" in result.output or "not UTF-8" in result.output, result.output
    if file.bad_rows and not file.not_utf8:
        assert file.names_a_bad_row(result.output), result.output[-3000:]


# --- a panel's respondents ---------------------------------------------------------------------

POOL = Spec(
    header=["id", "first_name", "last_name", "email", "address", "postcode", "age", "sex"],
    row=lambda prefix, index: [f"{prefix}-{index}", "Ann", f"Smith {index}", f"ann.{prefix}.{index}@example.com",
                               f"{index} Test Road", "NW1 2RU", str(30 + index), "female" if index % 2 else "Male"],
    bad_values={"sex": ["Robot", "f"], "age": ["12", "200", "soon", "31/02/1990"], "postcode": ["XYZ", "12345"],
                "email": ["not-an-email", "a@b"]},
    free_text=["first_name", "last_name", "address"],
    extra_cells_are_errors=False,  # columns beyond the header are ignored, as the stratification app does
)


@pytest.fixture
def panel(officer_client) -> int:
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    return panel_id


@FUZZ
@given(data=st.data())
def test_pool_upload_is_all_or_nothing(officer_client, panel, data):
    file = data.draw(csv_files(POOL, f"p{next(prefixes)}"))
    before = count(Volunteer)
    response = import_pool(officer_client, panel, file.content)
    assert response.status_code < 500, response.text[-2000:]
    added = count(Volunteer) - before
    event(f"status {response.status_code}")
    if response.status_code == 200:
        assert added == file.rows and not file.bad_rows and not file.not_utf8
        assert ("1 respondent imported" if file.rows == 1 else f"{file.rows} respondents imported") in response.text
        for row in run(Volunteer.select().order_by(Volunteer.id, ascending=False).limit(added).run()):
            assert row["full_name"] and row["address"] and is_valid_email(row["email"]) and UK_POSTCODE.match(row["postcode"])
            assert json.loads(row["answers"])["sex"] in ("Male", "Female") and row["source"] == "import"
        return
    assert response.status_code == 422 and added == 0
    if file.not_utf8:
        assert "UTF-8" in response.text
    elif file.bad_rows:
        problem = re.search(r"Row (\d+)(?:, column ‘([^’]+)’)?", response.text)
        assert problem, response.text[-3000:]
        assert int(problem.group(1)) <= min(file.bad_rows)  # the first problem, at or before the first sure one
        assert (problem.group(2) or "longer than 131,072" in response.text or "no respondent rows" in response.text
                or file.restructured and "not valid CSV" in response.text)  # a quote left open: the row, no column


# --- commitments ------------------------------------------------------------------------------

COMMITMENTS_HEADER = ["record", "key", "title", "kind", "owner", "made_on", "deadline_date", "status", "effective_on",
                      "note"]


def commitment_row(prefix: str, index: int) -> list[str]:
    key = f"{prefix}-{index // 2}"
    if index % 2 == 0:
        return ["commitment", key, f"Publish register {key}", "one_off", "Chief Data Officer", "2022-01-19",
                "2022-06-01", "", "", ""]
    return ["update", key, "", "", "", "", "", "met", "2022-05-01", f"Done {key}"]


COMMITMENTS = Spec(
    header=COMMITMENTS_HEADER,
    row=commitment_row,
    bad_values={"record": ["commitmint", "UPDATE"], "made_on": ["2022-02-30", "soon"], "key": [""]},
    free_text=["title", "note"],
)
OFFICER_IMPORT = f"/officer/commitments/{DEMO_CHARTER_SLUG}/import"


@pytest.fixture
def charter(db) -> None:
    run(load_demo_charter())
    run(load_demo_commitments())


def commitment_counts() -> tuple[int, int]:
    return count(Commitment), count(CommitmentUpdate)


def file_counts(file: CsvFile) -> tuple[int, int]:
    text = file.content.decode("utf-8").removeprefix("\ufeff")
    csv.field_size_limit(10_000_000)
    try:
        records = [record for record in list(csv.reader(io.StringIO(text, newline="")))[1:]
                   if any(cell.strip() for cell in record)]
    finally:
        csv.field_size_limit(131_072)
    return (sum(1 for record in records if record[0] == "commitment"),
            sum(1 for record in records if record[0] == "update"))


@FUZZ
@given(data=st.data())
def test_commitments_upload_is_all_or_nothing(officer_client, charter, data):
    file = data.draw(csv_files(COMMITMENTS, f"k{next(prefixes)}"))
    before = commitment_counts()
    response = upload(officer_client, OFFICER_IMPORT, "file", file.content)
    assert response.status_code < 500, response.text[-2000:]
    after = commitment_counts()
    event(f"status {response.status_code}")
    if response.status_code == 303:
        assert not file.bad_rows and not file.not_utf8
        expected = file_counts(file)
        assert (after[0] - before[0], after[1] - before[1]) == expected
        assert response.headers["location"].endswith(f"?imported={expected[0]}-{expected[1]}")
        return
    assert response.status_code == 422 and after == before
    assert "nothing was imported" in response.text or "UTF-8" in response.text
    if file.not_utf8:
        assert "UTF-8" in response.text
    elif file.bad_rows:
        assert file.names_a_bad_row(response.text), response.text[-3000:]


@FUZZ
@given(data=st.data())
def test_import_commitments_command_is_all_or_nothing(charter, tmp_path_factory, data):
    file = data.draw(csv_files(COMMITMENTS, f"m{next(prefixes)}"))
    path = tmp_path_factory.mktemp("commitments") / "commitments.csv"
    path.write_bytes(file.content)
    before = commitment_counts()
    result = CliRunner().invoke(cli, ["import-commitments", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    after = commitment_counts()
    event(f"exit {result.exit_code}")
    if result.exit_code == 0:
        assert not file.bad_rows and not file.not_utf8
        expected = file_counts(file)
        assert (after[0] - before[0], after[1] - before[1]) == expected
        return
    assert result.exit_code == 1 and after == before
    if file.bad_rows and not file.not_utf8:
        assert file.names_a_bad_row(result.output), result.output


# --- size limits -------------------------------------------------------------------------------

def big_csv(header: str, row: str, size: int) -> bytes:
    return (header + row * (size // len(row) + 1)).encode("utf-8")[: size]


def test_a_respondents_file_over_2_mb_is_refused_clearly(officer_client, panel):
    content = big_csv("id,first_name,last_name,email,address,postcode,age,sex\n",
                      "1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,female\n", 2_000_001)
    response = import_pool(officer_client, panel, content)
    assert response.status_code == 422 and "smaller than 2 MB" in response.text
    assert count(Volunteer) == 0


def test_a_commitments_file_over_2_mb_is_refused_clearly(officer_client, charter):
    before = commitment_counts()
    content = big_csv(",".join(COMMITMENTS_HEADER) + "\n", ",".join(commitment_row("big", 1)) + "\n", 2 * 1024 * 1024 + 1)
    response = upload(officer_client, OFFICER_IMPORT, "file", content)
    assert response.status_code == 422 and "smaller than 2 MB" in response.text
    assert commitment_counts() == before


def test_a_responses_file_over_the_limit_is_refused_clearly(officer_client, consultation):
    """The app takes request bodies up to ``MAX_BODY_BYTES`` (Litestar's ``request_max_body_size``): a
    bigger upload is a 413 page that says the file is too large and what the limit is, and nothing is
    stored."""
    from server.web.request_limits import MAX_BODY_BYTES

    content = big_csv(",".join(RESPONSES.header) + "\n", "No,,,,Agree,Phone,Idea,1,Female,paper\n", MAX_BODY_BYTES + 500_000)
    response = upload(officer_client, f"/officer/consultations/{SLUG}/import", "file", content)
    assert response.status_code == 413, response.status_code
    assert "The file is too large" in response.text and "smaller than 2 MB" in response.text
    assert count(SurveyResponse) == 0
