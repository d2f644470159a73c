"""Importing commitments and updates from CSV: all or nothing, errors named by row and column."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis.commitments import (
    CommitmentCsvError,
    CommitmentKind,
    CsvRowError,
    DeadlineEvent,
    EvidenceSource,
    MetricDirection,
    PeriodKind,
    PlatformEvidence,
    ReportingPeriod,
    StatusValue,
    UpdateStatus,
    parse_commitments_csv,
    status_as_of,
)
from analysis.commitments.demo_content import DEMO_COMMITMENTS

IMPORTED_AT = datetime(2022, 7, 1, 9, 0)
HEADER = ("record,key,title,kind,principles,owner,made_on,deadline_date,deadline_event,repeats,evidence_source,"
          "direction,effective_on,recorded_at,status,note,evidence_url,metric_value,metric_period_start,"
          "metric_period_end")

GOOD = f"""{HEADER}
commitment,3,Publish all DPIAs,one_off,1;3;7,Information Governance,2022-01-19,2022-06-30,next_panel_session,,,,,,,,,,,
commitment,4b,Reduce complaints,metric,"3, 7",Information Governance,19/01/2022,,,,,reduce,,,,,,,,
commitment,7c,Hold a Resident Panel annually,recurring,2 4 5,Participation team,2022-01-19,,,calendar_year,panel_session_held,,,,,,,,,
update,3,,,,,,,,,,,2022-03-31,2022-04-01T10:00,progress,"DPIA template updated, with ethics",,,,
update,4b,,,,,,,,,,,2022-05-12,,progress,Complaints 2021/22,https://example.org/complaints,"1,011",2021-04-01,2022-03-31
update,3,,,,,,,,,,,2022-06-10,2022-06-10,met,All published,https://example.org/dpia,,,
"""


def parse(text: str, **options: object):
    return parse_commitments_csv(text, imported_at=IMPORTED_AT, **options)  # type: ignore[arg-type]


def errors_of(text: str, **options: object) -> list[CsvRowError]:
    with pytest.raises(CommitmentCsvError) as raised:
        parse(text, **options)
    return list(raised.value.errors)


def test_a_good_file_gives_commitments_and_updates_in_file_order():
    imported = parse(GOOD, principle_numbers=range(1, 8))
    dpia, complaints, panel = imported.commitments
    assert (dpia.key, dpia.kind, dpia.principles, dpia.deadline_date, dpia.deadline_event) == (
        "3", CommitmentKind.ONE_OFF, (1, 3, 7), date(2022, 6, 30), DeadlineEvent.NEXT_PANEL_SESSION)
    assert dpia.text == dpia.title
    assert (complaints.made_on, complaints.direction, complaints.principles) == (
        date(2022, 1, 19), MetricDirection.REDUCE, (3, 7))
    assert panel.recurrence is not None
    assert (panel.recurrence.period, panel.recurrence.evidence_source) == (
        PeriodKind.CALENDAR_YEAR, EvidenceSource.PANEL_SESSION_HELD)
    progress, reading, met = imported.updates
    assert progress.recorded_at == datetime(2022, 4, 1, 10, 0) and progress.status is UpdateStatus.PROGRESS
    assert progress.note == "DPIA template updated, with ethics"
    assert reading.recorded_at == IMPORTED_AT  # blank recorded_at: the time of the import
    assert reading.metric_value == 1011.0
    assert reading.metric_period == ReportingPeriod(date(2021, 4, 1), date(2022, 3, 31))
    assert met.recorded_at == datetime(2022, 6, 10) and met.evidence_url == "https://example.org/dpia"


def test_imported_records_feed_the_tracker():
    imported = parse(GOOD)
    result = status_as_of(imported.commitments[0], imported.updates, PlatformEvidence(), date(2022, 7, 1))
    assert result.status is StatusValue.MET_ON_TIME and result.met_on == date(2022, 6, 10)


def test_a_spreadsheet_byte_order_mark_and_crlf_line_ends_are_fine():
    assert len(parse("\ufeff" + GOOD.replace("\n", "\r\n")).commitments) == 3


def test_updates_may_refer_to_commitments_already_stored():
    existing = {c.key: c for c in DEMO_COMMITMENTS}
    imported = parse("record,key,effective_on,status,note\nupdate,7a,2022-06-20,met,Easy-read guide published\n",
                     existing=existing)
    assert imported.commitments == () and imported.updates[0].commitment_key == "7a"


BAD_ROWS = [
    # (name, rows after the header, expected (row, column) pairs)
    ("unknown kind", "commitment,9,T,someday,1,Team,2022-01-19,,,,,,,,,,,,,", [(2, "kind")]),
    ("missing title and owner", "commitment,9,,ongoing,1,,2022-01-19,,,,,,,,,,,,,", [(2, "owner"), (2, "title")]),
    ("impossible date", "commitment,9,T,ongoing,1,Team,2022-02-30,,,,,,,,,,,,,", [(2, "made_on")]),
    ("one-off without a deadline", "commitment,9,T,one_off,1,Team,2022-01-19,,,,,,,,,,,,,",
     [(2, "deadline_date")]),
    ("deadline on an ongoing commitment", "commitment,9,T,ongoing,1,Team,2022-01-19,2022-06-30,,,,,,,,,,,,",
     [(2, "deadline_date")]),
    ("recurring without repeats", "commitment,9,T,recurring,1,Team,2022-01-19,,,,,,,,,,,,,", [(2, "repeats")]),
    ("metric without direction", "commitment,9,T,metric,1,Team,2022-01-19,,,,,,,,,,,,,", [(2, "direction")]),
    ("principle not in the charter", "commitment,9,T,ongoing,1;8,Team,2022-01-19,,,,,,,,,,,,,",
     [(2, "principles")]),
    ("principles not numbers", "commitment,9,T,ongoing,one,Team,2022-01-19,,,,,,,,,,,,,", [(2, "principles")]),
    ("duplicate key: the second definition is the error", "commitment,3,Again,ongoing,1,Team,2022-01-19,,,,,,,,,,,,,",
     [(3, "key")]),
    ("record type misspelt", "commitmnet,9,T,ongoing,1,Team,2022-01-19,,,,,,,,,,,,,", [(2, "record")]),
    ("update of an unknown commitment", "update,99,,,,,,,,,,,2022-03-01,,met,,,,,", [(2, "key")]),
    ("update without status or date", "update,3,,,,,,,,,,,,,,,,,,", [(2, "effective_on"), (2, "status")]),
    ("update status misspelt", "update,3,,,,,,,,,,,2022-03-01,,done,,,,,", [(2, "status")]),
    ("update before the commitment was made", "update,3,,,,,,,,,,,2021-12-01,,met,,,,,", [(2, "effective_on")]),
    ("update effective after it was recorded", "update,3,,,,,,,,,,,2022-05-02,2022-05-01,met,,,,,",
     [(2, "effective_on")]),
    ("update recorded after the import", "update,3,,,,,,,,,,,2022-03-01,2022-07-02,met,,,,,", [(2, "recorded_at")]),
    ("evidence that is not a web address", "update,3,,,,,,,,,,,2022-03-01,,met,,file://x,,,", [(2, "evidence_url")]),
    ("metric value on a one-off", "update,3,,,,,,,,,,,2022-03-01,,progress,,,4,2021-04-01,2022-03-31",
     [(2, "metric_value")]),
    ("metric value without its period", "update,4b,,,,,,,,,,,2022-03-01,,progress,,,4,,",
     [(2, "metric_period_end"), (2, "metric_period_start")]),
    ("metric value not a number", "update,4b,,,,,,,,,,,2022-03-01,,progress,,,four,2021-04-01,2022-03-31",
     [(2, "metric_value")]),
    ("commitment column on an update row", "update,3,Title,,,,,,,,,,2022-03-01,,met,,,,,", [(2, "title")]),
    ("more cells than columns", "update,3,,,,,,,,,,,2022-03-01,,met,,,,,,extra", [(2, "record")]),
]


@pytest.mark.parametrize(("name", "rows", "expected"), BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
def test_bad_rows_are_named_by_row_and_column(name, rows, expected):
    good_dpia = "commitment,3,Publish all DPIAs,one_off,1,IG,2022-01-19,2022-06-30,,,,,,,,,,,,"
    good_metric = "commitment,4b,Reduce complaints,metric,3,IG,2022-01-19,,,,,reduce,,,,,,,,"
    text = f"{HEADER}\n{rows}\n{good_dpia}\n{good_metric}\n"
    errors = errors_of(text, principle_numbers=range(1, 8))
    assert [(error.row, error.column) for error in errors] == expected
    assert all(error.message for error in errors)


def test_every_bad_row_is_reported_and_nothing_is_imported():
    text = (f"{HEADER}\n"
            "commitment,1,Fine,ongoing,1,Team,2022-01-19,,,,,,,,,,,,,\n"
            "commitment,2,Bad date,ongoing,1,Team,next week,,,,,,,,,,,,,\n"
            "update,1,,,,,,,,,,,2022-03-01,,met,,,,,\n"
            "update,1,,,,,,,,,,,2022-03-01,,maybe,,,,,\n")
    errors = errors_of(text)
    assert errors == [
        CsvRowError(3, "made_on", "'next week' is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
        CsvRowError(5, "status", "'maybe' is not one of: met, progress, not_met"),
    ]


def test_rows_the_reader_refuses_are_reported_with_the_other_bad_rows():
    text = (f"{HEADER}\n"
            "commitment,1,Fine\x00,ongoing,1,Team,2022-01-19,,,,,,,,,,,,,\n"
            "commitment,2,Bad date,ongoing,1,Team,next week,,,,,,,,,,,,,\n")
    assert [(e.row, e.column) for e in errors_of(text)] == [(2, "title"), (3, "made_on")]


def test_row_numbers_count_records_as_a_spreadsheet_does():
    text = (f"{HEADER}\n"
            'commitment,1,"A title\nover two lines",ongoing,1,Team,2022-01-19,,,,,,,,,,,,,\n'
            "commitment,2,T,ongoing,1,Team,bad,,,,,,,,,,,,,\n")
    assert [(e.row, e.column) for e in errors_of(text)] == [(3, "made_on")]


def test_blank_lines_keep_the_row_numbers_a_spreadsheet_shows():
    text = (f"{HEADER}\n"
            "commitment,1,T,ongoing,1,Team,2022-01-19,,,,,,,,,,,,,\n"
            "\n"
            ",,,,,,,,,,,,,,,,,,,\n"
            "commitment,2,T,ongoing,1,Team,bad,,,,,,,,,,,,,\n")
    assert [(e.row, e.column) for e in errors_of(text)] == [(5, "made_on")]


def test_blank_trailing_columns_are_ignored_but_data_under_them_is_not():
    fine = "record,key,title,kind,owner,made_on,,\ncommitment,1,T,ongoing,Team,2022-01-19,,\n"
    assert parse(fine).commitments[0].key == "1"
    shifted = "record,key,title,kind,owner,made_on,\ncommitment,1,T,ongoing,Team,2022-01-19,oops\n"
    assert [(e.row, e.column) for e in errors_of(shifted)] == [(2, "record")]


def test_a_key_already_stored_cannot_be_defined_again():
    existing = {c.key: c for c in DEMO_COMMITMENTS}
    text = "record,key,title,kind,owner,made_on\ncommitment,5,Again,ongoing,Team,2022-01-19\n"
    assert [(e.row, e.column) for e in errors_of(text, existing=existing)] == [(2, "key")]


@pytest.mark.parametrize(("header", "expected"), [
    ("key,title", [(1, "record")]),
    ("record,key,efective_on", [(1, "efective_on")]),
    ("record,key,key", [(1, "key")]),
])
def test_header_problems_are_reported_on_row_1(header, expected):
    assert [(e.row, e.column) for e in errors_of(f"{header}\n")] == expected


def test_a_header_without_rows_is_an_error():
    assert [(e.row, e.column) for e in errors_of("record,key\n")] == [(1, "record")]


def test_the_error_message_names_rows():
    with pytest.raises(CommitmentCsvError, match=r"row 2, kind: 'someday' is not one of"):
        parse(f"{HEADER}\ncommitment,9,T,someday,1,Team,2022-01-19,,,,,,,,,,,,,\n")

