"""The responses CSV: export layout, import checks naming row and column, and a round trip."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from surveys.response_csv import ResponseImportError, ResponseRecord, export_csv, header, parse_csv
from tests.surveys.helpers import sample_questionnaire

AT = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_header_has_one_column_per_multiple_choice_option():
    assert header(sample_questionnaire()) == [
        "reference", "channel", "submitted_at", "used_services", "which_services: Library", "which_services: Website",
        "which_services: Phone", "open_data", "contact", "suggestions", "visits", "sex"]


def test_export_then_parse_gives_the_same_answers():
    questionnaire = sample_questionnaire()
    records = [
        ResponseRecord("R-AAAA-BBBB", "paper", AT, {"used_services": "Yes", "which_services": ["Library", "Phone"],
                                                    "open_data": "Agree", "contact": "=Other", "suggestions": "-more, \"maps\"",
                                                    "visits": 3, "sex": "Female"}),
        ResponseRecord("R-CCCC-DDDD", "online", AT, {"used_services": "No", "open_data": "Disagree", "visits": 2.5}),
    ]
    text = export_csv(questionnaire, records)
    assert "'=Other" in text and "'-more" in text  # formulas neutralised
    parsed = parse_csv(questionnaire, text)
    assert [(row.reference, row.channel, row.submitted_at, row.answers) for row in parsed] == [
        (record.reference, record.channel, record.submitted_at, record.answers) for record in records]
    again = [ResponseRecord(row.reference, row.channel, row.submitted_at, row.answers) for row in parsed]
    assert export_csv(questionnaire, again) == text


def test_bad_rows_are_named_by_row_and_column():
    text = ("used_services,which_services: Library,which_services: Website,which_services: Phone,open_data,contact,"
            "suggestions,visits,sex,channel\n"
            "Yes,1,,,Agree,Phone,,4,Male,paper\n"
            "\n"
            "Perhaps,,,,Agree,,,,,\n"
            "No,1,,,Agree,,,200,,fax\n")
    with pytest.raises(ResponseImportError) as caught:
        parse_csv(sample_questionnaire(), text)
    assert caught.value.errors == [
        "Row 4, column used_services: ‘Perhaps’ is not one of the options: Yes; No; Don't know",
        "Row 5, column visits: Enter a number between 0 and 100",
        "Row 5, column which_services: answered, but the question is shown only when used_services is ‘Yes’",
        "Row 5, column channel: must be one of online, paper, email, focus_group",
    ]


def test_header_problems():
    with pytest.raises(ResponseImportError) as caught:
        parse_csv(sample_questionnaire(), "used_services,colour\nYes,blue\n")
    assert caught.value.errors[0].startswith("Row 1: unknown columns colour")
    assert caught.value.errors[1].startswith("Row 1: missing columns which_services: Library")
    with pytest.raises(ResponseImportError, match="empty"):
        parse_csv(sample_questionnaire(), "")
