"""The file-upload question as plain data: its types, how its answer (the stored file's record,
or a file that came on paper) is read, shown, exported and counted, and which edits are refused."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from analysis.reports.build import build_report
from analysis.reports.store import ReportInputs
from analysis.stats.frames import FILE_SENT, frame_from_records, frame_from_response_csv, specs_from_questionnaire
from common.uploads import UploadError
from surveys.questionnaire import (
    Question, Questionnaire, QuestionnaireError, Section, answers_as_raw, change_problems, display_answer, from_json,
    parse_answer, question_from_form, structure_problems, to_json,
)
from surveys.response_csv import ResponseRecord, export_csv, parse_csv
from surveys.response_files import check_response_file

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
STORED = {"file_name": "damp.pdf", "content_type": "application/pdf", "size_bytes": 15,
          "file_key": "0123456789abcdef0123456789abcdef.pdf"}
FILE = Question(key="photo", text="A photo of the repair", kind="file")
PDF_ONLY = Question(key="letter", text="The letter", kind="file", file_types=["pdf"])


def _questionnaire(*questions: Question) -> Questionnaire:
    return Questionnaire(sections=[Section(title="Repairs", questions=list(questions))])


def test_a_file_is_told_by_its_bytes_and_limited_in_size_and_type():
    assert check_response_file(FILE, PDF) == "application/pdf" and check_response_file(FILE, PNG) == "image/png"
    with pytest.raises(UploadError, match="The selected file must be a PDF, PNG or JPEG"):
        check_response_file(FILE, b"<html>not a picture</html>")
    with pytest.raises(UploadError, match="The selected file must be a PDF$"):
        check_response_file(PDF_ONLY, PNG)
    with pytest.raises(UploadError, match="The selected file must be smaller than 2 MB"):
        check_response_file(FILE, PDF + b"0" * 2_000_000)
    assert FILE.file_accept == ".pdf,.png,.jpg,.jpeg" and PDF_ONLY.file_accept == ".pdf"


def test_the_answer_is_the_stored_record_or_a_file_received_on_paper():
    raw = answers_as_raw({"photo": STORED})
    assert parse_answer(FILE, raw["photo"]) == (STORED, None)
    assert display_answer(STORED, FILE) == "damp.pdf" and FILE.file_name_in(raw["photo"]) == "damp.pdf"
    assert parse_answer(FILE, ["on_paper"]) == ({"on_paper": True, "file_name": ""}, None)
    assert display_answer({"on_paper": True, "file_name": ""}, FILE) == "Received on paper"
    assert parse_answer(FILE, []) == (None, None)
    forged = dict(STORED, file_key="../../etc/passwd")
    assert parse_answer(FILE, answers_as_raw({"photo": forged})["photo"])[1] == "The selected file must be a PDF, PNG or JPEG"
    png_record = dict(STORED, content_type="image/png")
    assert parse_answer(PDF_ONLY, answers_as_raw({"letter": png_record})["letter"])[0] is None


def test_the_officer_sets_the_types_in_the_builder_and_the_json_keeps_them():
    built = question_from_form({"text": "The letter", "kind": "file", "file_type_pdf": "1"}, Questionnaire())
    assert built.kind == "file" and built.file_types == ["pdf"] and built.file_types_label == "PDF"
    every = question_from_form({"text": "A photo", "kind": "file", "file_type_pdf": "1", "file_type_png": "1",
                                "file_type_jpeg": "1"}, Questionnaire())
    assert every.file_types == [] and every.file_types_label == "PDF, PNG or JPEG"
    questionnaire = _questionnaire(FILE, PDF_ONLY)
    assert from_json(to_json(questionnaire)) == questionnaire
    assert structure_problems(_questionnaire(Question(key="q", text="Q", kind="text", file_types=["pdf"])))
    assert structure_problems(_questionnaire(Question(key="q", text="Q", kind="file", file_types=["gif"])))
    with pytest.raises(QuestionnaireError, match="file_types"):
        from_json(to_json(questionnaire).replace('"pdf"', "1"))


def test_once_answered_a_file_question_cannot_accept_fewer_types():
    assert change_problems(_questionnaire(FILE), _questionnaire(Question(key="photo", text="A photo of the repair",
                                                                         kind="file", file_types=["png"])), 3)
    assert change_problems(_questionnaire(PDF_ONLY), _questionnaire(Question(key="letter", text="The letter", kind="file")), 3) == []


def test_the_csv_gives_the_file_name_and_the_report_counts_who_sent_one():
    questionnaire = _questionnaire(Question(key="what", text="What?", kind="text"), FILE)
    when = datetime(2026, 3, 1, tzinfo=timezone.utc)
    records = [ResponseRecord("R-AAAA-AAAA", "online", when, {"what": "Damp", "photo": STORED}),
               ResponseRecord("R-BBBB-BBBB", "paper", when, {"what": "Tap", "photo": {"on_paper": True, "file_name": ""}}),
               ResponseRecord("R-CCCC-CCCC", "online", when, {"what": "Roof"})]
    text = export_csv(questionnaire, records)
    assert "damp.pdf" in text and STORED["file_key"] not in text and "Received on paper" in text
    specs = specs_from_questionnaire(questionnaire)
    for frame in (frame_from_records(specs, records), frame_from_response_csv(specs, text)):
        assert (frame["photo"] == FILE_SENT).sum() == 2
    parsed = parse_csv(questionnaire, text)
    assert parsed[0].answers["photo"] == {"on_paper": True, "file_name": "damp.pdf"}  # a name, never a file


def test_the_report_counts_who_sent_a_file_and_names_the_kind():
    questionnaire = _questionnaire(FILE)
    when = datetime(2026, 3, 1, tzinfo=timezone.utc)
    records = [ResponseRecord(f"R-{number:04d}", "online", when, {"photo": STORED} if number % 3 else {})
               for number in range(30)]
    report = build_report(ReportInputs(
        consultation={"slug": "repairs", "title": "Repairs", "summary": "", "opens_on": when.date(), "closes_on": when.date()},
        questionnaire=questionnaire, records=records, draft={}, actions=[], themes=[], quotes=[]))
    assert report.document["we_asked"]["questions"][0]["kind"] == "A file (PDF or image)"
    text = json.dumps(report.document, default=str)
    assert "damp.pdf" not in text and STORED["file_key"] not in text
    counted = report.document["questions"][0]
    assert counted["key"] == "photo" and counted["n_answered"] == 20
    assert [(option["label"], option["count"]) for option in counted["options"]] == [(FILE_SENT, 20)]
