"""File-upload questions over HTTP: a resident sends a PDF or image (checked by its bytes and
size, named errors), it is kept outside the static files and served only to officers (audited,
as an attachment), and erasure and the retention purge delete it from the disk."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from server.tables import AuditEntry
from server.services.retention import purge_personal_data
from surveys.consultations import get_questionnaire
from surveys.questionnaire import Question, Questionnaire, Section
from surveys.tables import ResponseFile, SurveyResponse
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import csrf_token, send

BASE = "/consultations/housing-repairs"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _questionnaire() -> Questionnaire:
    return Questionnaire(sections=[
        Section(title="Your repair", questions=[
            Question(key="what", text="What needs repairing?", kind="text", required=True),
            Question(key="photo", text="A photo or letter about the repair", kind="file", required=True),
        ]),
        Section(title="Anything else", questions=[Question(key="more", text="Anything else?", kind="text")]),
    ])


def _files_dir() -> Path:
    return Path(os.environ["DATA_DIR"]) / "responses"


@pytest.fixture(autouse=True)
def _no_files_yet():
    """The data directory is shared by the tests of one process: each starts without files."""
    shutil.rmtree(_files_dir(), ignore_errors=True)


def _upload(client, fields: dict[str, str], file: tuple[str, bytes, str] | None, number: int = 1):
    files = {"photo": file} if file else {"photo": ("", b"", "application/octet-stream")}
    return client.post(f"{BASE}/questionnaire/{number}", data={**fields, "_csrf_token": csrf_token(client)},
                       files=files, follow_redirects=False)


def _answer_and_send(client, *, email: str = "") -> str:
    run(make_consultation("housing-repairs", questionnaire=_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    assert _upload(client, {"what": "Damp in the bedroom"}, ("damp.pdf", PDF, "application/pdf")).status_code == 303
    check = client.get(f"{BASE}/check").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)
    send(client, f"{BASE}/submit", [("idempotency_key", key), ("contact_email", email)])
    return run(SurveyResponse.select(SurveyResponse.reference).first().run())["reference"]


def test_a_resident_sends_a_file_checked_by_type_and_size_and_kept_out_of_the_static_files(client):
    run(make_consultation("housing-repairs", questionnaire=_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    page = client.get(f"{BASE}/questionnaire/1").text
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and 'accept=".pdf,.png,.jpg,.jpeg"' in page
    assert "A PDF, PNG or JPEG, smaller than 2 MB." in page

    missing = _upload(client, {"what": "Damp"}, None)
    assert missing.status_code == 422 and "Select a file for ‘A photo or letter about the repair’" in missing.text
    wrong = _upload(client, {"what": "Damp"}, ("notes.pdf", b"just some text", "application/pdf"))
    assert wrong.status_code == 422 and "The selected file must be a PDF, PNG or JPEG" in wrong.text
    assert 'href="#photo"' in wrong.text and "Damp" in wrong.text  # the summary links to it; what was typed is kept
    large = _upload(client, {"what": "Damp"}, ("big.pdf", PDF + b"0" * 2_000_000, "application/pdf"))
    assert large.status_code == 422 and "The selected file must be smaller than 2 MB" in large.text
    assert not _files_dir().exists() or not list(_files_dir().iterdir())  # nothing refused was kept

    # The file is kept when another answer on the page has a mistake: not asked for twice.
    held = _upload(client, {"what": ""}, ("damp photo.png", PNG, "image/png"))
    assert held.status_code == 422 and "You have sent damp photo.png." in held.text
    assert _upload(client, {"what": "Damp in the bedroom"}, None).headers["location"] == f"{BASE}/questionnaire/2"
    stored = list(_files_dir().iterdir())
    assert [path.read_bytes() for path in stored] == [PNG] and stored[0].suffix == ".png"
    assert run(ResponseFile.select(ResponseFile.response).first().run())["response"] is None  # pending until sent

    check = client.get(f"{BASE}/check").text
    assert "damp photo.png" in check and f"{BASE}/questionnaire/1" in check  # with its Change link
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check).group(1)
    send(client, f"{BASE}/submit", [("idempotency_key", key)])
    answers = json.loads(run(SurveyResponse.select(SurveyResponse.answers_json).first().run())["answers_json"])
    assert answers["photo"]["file_name"] == "damp photo.png" and answers["photo"]["content_type"] == "image/png"
    assert answers["photo"]["size_bytes"] == len(PNG) and answers["photo"]["file_key"] == stored[0].name
    assert run(ResponseFile.select(ResponseFile.response).first().run())["response"] is not None


def test_a_replaced_file_is_deleted_when_the_response_is_sent(client):
    run(make_consultation("housing-repairs", questionnaire=_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    _upload(client, {"what": "Damp"}, ("first.pdf", PDF, "application/pdf"))
    _upload(client, {"what": "Damp"}, ("second.png", PNG, "image/png"))
    assert len(list(_files_dir().iterdir())) == 2
    key = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(f"{BASE}/check").text).group(1)
    send(client, f"{BASE}/submit", [("idempotency_key", key)])
    assert [path.read_bytes() for path in _files_dir().iterdir()] == [PNG]


def test_only_officers_download_a_sent_file_as_an_attachment_and_it_is_audited(client, officer_client, staff_client):
    reference = _answer_and_send(client)
    found = officer_client.get(f"/officer/response-search/?reference={reference}").text
    link = re.search(r'href="(/officer/response-search/files/[^"]+)"', found).group(1)
    assert "Download damp.pdf" in found
    download = officer_client.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"].startswith("attachment")
    entry = run(AuditEntry.select().where(AuditEntry.action == "response_file_downloaded").first().run())
    assert entry["object_id"] == reference and "damp.pdf" in entry["detail"]
    assert client.get(link, follow_redirects=False).status_code in (302, 303)  # to sign in
    assert staff_client("cabinet").get(link, follow_redirects=False).status_code == 403
    assert officer_client.get("/officer/response-search/files/0123456789abcdef0123456789abcdef.pdf").status_code == 404
    assert "/static/" not in link and link not in client.get(f"{BASE}/confirmation").text


def test_a_pending_file_is_never_served(client, officer_client):
    run(make_consultation("housing-repairs", questionnaire=_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    _upload(client, {"what": "Damp"}, ("damp.pdf", PDF, "application/pdf"))
    file_key = run(ResponseFile.select(ResponseFile.file_key).first().run())["file_key"]
    assert officer_client.get(f"/officer/response-search/files/{file_key}").status_code == 404


def test_erasure_by_an_officer_deletes_the_file_from_the_disk(client, officer_client):
    reference = _answer_and_send(client, email="resident@example.com")
    assert len(list(_files_dir().iterdir())) == 1
    erased = officer_client.post("/officer/personal-data/erase", data={
        "email": "resident@example.com", "reason": "Request 42", "confirm": "yes", "_csrf_token": csrf_token(officer_client)})
    assert erased.status_code == 200
    assert list(_files_dir().iterdir()) == []
    assert run(ResponseFile.count().run()) == 0
    assert "/officer/response-search/files/" not in officer_client.get(f"/officer/response-search/?reference={reference}").text


def test_erasure_through_your_information_deletes_the_file_from_the_disk(client):
    _answer_and_send(client, email="resident@example.com")
    link = re.search(r'(https?://[^"<\s]*/your-data/[^"<\s/]+)', client.get(f"{BASE}/confirmation").text).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert len(list(_files_dir().iterdir())) == 1
    erased = client.post(f"{path}/erase", data={"confirm": "yes", "_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert erased.status_code in (200, 303)
    assert list(_files_dir().iterdir()) == []


def test_the_purge_deletes_pending_files_and_files_past_the_consultation_retention(client, settings):
    reference = _answer_and_send(client)
    client.cookies.clear()
    client.get(f"{BASE}/questionnaire")
    _upload(client, {"what": "Leaking tap"}, ("tap.pdf", PDF, "application/pdf"))  # never sent
    assert len(list(_files_dir().iterdir())) == 2
    now = datetime.now(timezone.utc)
    assert run(purge_personal_data(settings=settings, now=now)).response_files == 0  # still answering
    assert run(purge_personal_data(settings=settings, now=now + timedelta(days=2))).response_files == 1
    assert len(list(_files_dir().iterdir())) == 1 and reference
    years_later = now + timedelta(days=3 * 365)
    assert run(purge_personal_data(settings=settings, now=years_later, dry_run=True)).response_files == 1
    assert run(purge_personal_data(settings=settings, now=years_later)).response_files == 1
    assert list(_files_dir().iterdir()) == []


def test_the_officer_builds_a_file_question_and_paper_records_a_file_received_on_paper(client, officer_client):
    run(make_consultation("housing-repairs", questionnaire=_questionnaire()))
    officer = "/officer/consultations/housing-repairs"
    added = send(officer_client, f"{officer}/questionnaire/sections/1/questions",
                 [("text", "A copy of your tenancy agreement"), ("kind", "file"), ("file_type_pdf", "1")])
    assert added.status_code in (200, 303)
    questionnaire = run(get_questionnaire("housing-repairs"))
    assert questionnaire.question("a_copy_of_your").file_types == ["pdf"]
    builder = officer_client.get(f"{officer}/questionnaire").text
    assert "Types of file accepted (file upload)" in builder

    paper = client.get(f"{BASE}/paper").text
    assert "Send the file (a PDF, PNG or JPEG) with this form to" in paper and "Send the file (a PDF) with this form" in paper
    form = officer_client.get(f"{officer}/responses/new").text
    assert 'value="on_paper"' in form and 'type="file"' not in form
    entered = send(officer_client, f"{officer}/responses", [("channel", "paper"), ("what", "Broken window"),
                                                            ("photo", "on_paper")])
    assert entered.status_code == 303
    answers = json.loads(run(SurveyResponse.select(SurveyResponse.answers_json).first().run())["answers_json"])
    assert answers["photo"] == {"on_paper": True, "file_name": ""}
    assert run(ResponseFile.count().run()) == 0


def test_a_file_saved_for_later_is_kept_with_the_answers_and_erased_with_them(client, officer_client, settings):
    run(make_consultation("housing-repairs", questionnaire=_questionnaire()))
    client.get(f"{BASE}/questionnaire")
    saving = _upload(client, {"what": "Damp", "save_later": "1"}, ("damp.pdf", PDF, "application/pdf"))
    assert saving.headers["location"] == f"{BASE}/questionnaire/save"
    send(client, f"{BASE}/questionnaire/save", [("email", "saver@example.com")])
    now = datetime.now(timezone.utc)
    assert run(purge_personal_data(settings=settings, now=now + timedelta(days=2))).response_files == 0  # saved: kept
    assert len(list(_files_dir().iterdir())) == 1
    officer_client.post("/officer/personal-data/erase", data={
        "email": "saver@example.com", "reason": "Request 43", "confirm": "yes", "_csrf_token": csrf_token(officer_client)})
    assert list(_files_dir().iterdir()) == []
