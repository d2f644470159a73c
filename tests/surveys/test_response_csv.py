"""The responses CSV: export layout, import checks naming row and column, and a round trip."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from surveys.response_csv import ResponseImportError, ResponseRecord, export_csv, header, parse_csv
from tests.factories.surveys import sample_questionnaire

AT = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_header_has_one_column_per_multiple_choice_option():
    assert header(sample_questionnaire()) == [
        "reference", "channel", "submitted_at", "used_services", "which_services: Library", "which_services: Website",
        "which_services: Phone", "open_data", "contact", "suggestions", "visits", "sex", "response_language"]


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
        "Row 5, column channel: must be one of online, paper, email, focus_group, panel_session",
    ]


def test_header_problems():
    with pytest.raises(ResponseImportError) as caught:
        parse_csv(sample_questionnaire(), "used_services,colour\nYes,blue\n")
    assert caught.value.errors[0].startswith("Row 1: unknown columns colour")
    assert caught.value.errors[1].startswith("Row 1: missing columns which_services: Library")
    with pytest.raises(ResponseImportError, match="empty"):
        parse_csv(sample_questionnaire(), "")


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from surveys.questionnaire import LIKERT_LABELS, YES_NO_LABELS  # noqa: E402

free_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from(
    ["=", "+", "-", "@", "'", ",", '"', "\n"]), min_size=1, max_size=40).map(str.strip).filter(bool)


@st.composite
def answers(draw):
    """Answers a resident could give to the sample questionnaire (conditions respected)."""
    given_answers: dict[str, object] = {"used_services": draw(st.sampled_from(YES_NO_LABELS)),
                                        "open_data": draw(st.sampled_from(LIKERT_LABELS))}
    if given_answers["used_services"] == "Yes" and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(["Library", "Website", "Phone"]), min_size=1, max_size=2, unique=True))
        given_answers["which_services"] = [label for label in ["Library", "Website", "Phone"] if label in chosen]
    if draw(st.booleans()):
        given_answers["contact"] = draw(st.sampled_from(["Phone", "Email", "=Other"]))
    if draw(st.booleans()):
        given_answers["suggestions"] = draw(free_text.filter(lambda text: len(text) <= 50))
    if draw(st.booleans()):
        given_answers["visits"] = draw(st.integers(0, 100) | st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)))
    return given_answers


@settings(max_examples=150)
@given(st.lists(answers(), min_size=1, max_size=5))
def test_any_export_imports_back_unchanged(all_answers):
    questionnaire = sample_questionnaire()
    records = [ResponseRecord(f"R-{index:04d}", "paper", AT, given_answers) for index, given_answers in enumerate(all_answers)]
    text = export_csv(questionnaire, records)
    parsed = parse_csv(questionnaire, text)
    normalised = [{key: (int(value) if isinstance(value, float) and value.is_integer() else value)
                   for key, value in record.answers.items()} for record in records]
    assert [row.answers for row in parsed] == normalised
    assert export_csv(questionnaire, [ResponseRecord(row.reference, row.channel, row.submitted_at, row.answers) for row in parsed]) == text


def test_rows_the_reader_refuses_are_reported_with_the_other_bad_rows():
    questionnaire = sample_questionnaire()
    columns = header(questionnaire)

    def row(**cells: str) -> str:
        return ",".join(cells.get(column, "") for column in columns)

    text = "\r\n".join([",".join(columns), row(channel="paper\x00"), row(channel="carrier pigeon")]) + "\r\n"
    with pytest.raises(ResponseImportError) as raised:
        parse_csv(questionnaire, text)
    assert raised.value.errors[0].startswith("Row 2, column channel:") and "NUL" in raised.value.errors[0]
    assert any(error.startswith("Row 3, column channel:") for error in raised.value.errors)
