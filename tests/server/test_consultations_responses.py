"""Officers type in responses, import and export CSV over HTTP and on the command line."""

from __future__ import annotations

import json
import stat

from click.testing import CliRunner

from server.cli.main import cli
from server.tables import AuditEntry
from surveys.tables import SurveyResponse
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import csrf_token

BASE = "/officer/consultations/data-charter"
GOOD_CSV = ("used_services,which_services: Library,which_services: Website,which_services: Phone,open_data,contact,"
            "suggestions,visits,sex,channel\n"
            "Yes,1,,1,Agree,Phone,Plain English please,4,Female,focus_group\n"
            "No,,,,Strongly disagree,,,,,\n")


def send(client, url, pairs):
    from urllib.parse import urlencode

    body = [*pairs, ("_csrf_token", csrf_token(client))]
    return client.post(url, content=urlencode(body), headers={"content-type": "application/x-www-form-urlencoded"},
                       follow_redirects=False)


def upload(client, url, content: bytes):
    return client.post(url, data={"_csrf_token": csrf_token(client)}, files={"file": ("responses.csv", content, "text/csv")},
                       follow_redirects=False)


def test_officer_types_in_a_paper_response(officer_client):
    run(make_consultation(status="closed"))  # paper responses that arrive late can still be entered
    assert "Type in a response" in officer_client.get(f"{BASE}/responses/new").text
    bad = send(officer_client, f"{BASE}/responses", [("channel", "carrier pigeon"), ("visits", "-1"), ("suggestions", "Keep me")])
    assert bad.status_code == 422 and "Select how the response was given" in bad.text
    assert "Enter a number between 0 and 100" in bad.text and "Keep me" in bad.text
    typed = [("channel", "email"), ("used_services", "Yes"), ("which_services", "Phone"), ("open_data", "Agree")]
    refused = send(officer_client, f"{BASE}/responses", typed)
    assert refused.status_code == 422 and run(SurveyResponse.count().run()) == 0
    assert "Confirm that responses should be added to this closed consultation" in refused.text
    assert "Enter why they are added after closing" in refused.text and 'value="Phone" checked' in refused.text
    good = send(officer_client, f"{BASE}/responses", [*typed, ("late_override", "yes"),
                                                      ("late_reason", "Posted on the closing date")])
    assert good.status_code == 303 and "entered=R-" in good.headers["location"]
    audit = run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "response_entered").first().run())
    assert audit["detail"].endswith("added after closing: Posted on the closing date")
    row = run(SurveyResponse.select().first().run())
    assert row["channel"] == "email" and row["entered_by"].startswith("officer")
    assert json.loads(row["answers_json"])["which_services"] == ["Phone"]


def test_paper_entry_warns_before_dropping_answers_to_questions_that_do_not_apply(officer_client):
    run(make_consultation())
    typed = [("channel", "paper"), ("used_services", "No"), ("which_services", "Library"), ("open_data", "Agree")]
    warned = send(officer_client, f"{BASE}/responses", typed)
    assert warned.status_code == 409 and run(SurveyResponse.count().run()) == 0
    assert "will not be saved" in warned.text and "‘Which services?’" in warned.text
    assert 'value="which_services" name="drop_confirmed"' in warned.text
    assert 'value="Library" checked' in warned.text  # what was typed is kept, to correct it instead

    corrected = send(officer_client, f"{BASE}/responses", [*typed[:1], ("used_services", "Yes"), *typed[2:]])
    assert corrected.status_code == 303
    confirmed = send(officer_client, f"{BASE}/responses", [*typed, ("drop_confirmed", "which_services")])
    assert confirmed.status_code == 303
    rows = run(SurveyResponse.select(SurveyResponse.answers_json).order_by(SurveyResponse.id).run())
    assert [json.loads(row["answers_json"]) for row in rows] == [
        {"used_services": "Yes", "which_services": ["Library"], "open_data": "Agree"},
        {"used_services": "No", "open_data": "Agree"}]
    # A confirmation given for other questions does not cover these.
    again = send(officer_client, f"{BASE}/responses", [*typed, ("drop_confirmed", "suggestions")])
    assert again.status_code == 409 and run(SurveyResponse.count().run()) == 2


def test_csv_upload_all_or_nothing_with_row_and_column(officer_client):
    run(make_consultation())
    bad = upload(officer_client, f"{BASE}/import", (GOOD_CSV + "Maybe,,,,Agree,,,,,\n").encode())
    assert bad.status_code == 422 and "Row 4, column used_services: ‘Maybe’ is not one of the options" in bad.text
    assert run(SurveyResponse.count().run()) == 0
    assert upload(officer_client, f"{BASE}/import", b"").status_code == 422
    good = upload(officer_client, f"{BASE}/import", ("\ufeff" + GOOD_CSV).encode())
    assert good.status_code == 303 and good.headers["location"] == f"{BASE}?imported=2"
    channels = sorted(row["channel"] for row in run(SurveyResponse.select(SurveyResponse.channel).run()))
    assert channels == ["focus_group", "paper"]
    exported = officer_client.get(f"{BASE}/responses.csv")
    assert exported.status_code == 200 and exported.text.startswith("reference,channel,submitted_at,used_services")
    assert "Plain English please" in exported.text
    assert run(AuditEntry.count().where(AuditEntry.action == "responses_exported").run()) == 1
    assert run(AuditEntry.count().where(AuditEntry.action == "responses_imported").run()) == 1
    assert "2 responses imported" in officer_client.get(f"{BASE}?imported=2").text


def test_importing_into_a_closed_consultation_needs_a_reason(officer_client, tmp_path):
    run(make_consultation(status="closed"))
    refused = upload(officer_client, f"{BASE}/import", GOOD_CSV.encode())
    assert refused.status_code == 422 and run(SurveyResponse.count().run()) == 0
    assert "Confirm that responses should be added to this closed consultation" in refused.text
    allowed = officer_client.post(f"{BASE}/import", data={"_csrf_token": csrf_token(officer_client), "late_override": "yes",
                                                          "late_reason": "Focus group notes typed up late"},
                                  files={"file": ("responses.csv", GOOD_CSV.encode(), "text/csv")}, follow_redirects=False)
    assert allowed.status_code == 303 and run(SurveyResponse.count().run()) == 2
    audit = run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "responses_imported").first().run())
    assert audit["detail"] == "2 responses; added after closing: Focus group notes typed up late"
    source = tmp_path / "in.csv"
    source.write_text(GOOD_CSV, encoding="utf-8")
    command = ["import-responses", "--consultation", "data-charter", str(source)]
    assert "give --after-close" in CliRunner().invoke(cli, command).output
    assert CliRunner().invoke(cli, [*command[:-1], "--after-close", "Late post", str(source)]).exit_code == 0
    assert run(SurveyResponse.count().run()) == 4


def test_command_line_lists_exports_and_imports(db, tmp_path):
    run(make_consultation())
    run(make_consultation("copy"))
    runner = CliRunner()
    source = tmp_path / "in.csv"
    source.write_text(GOOD_CSV, encoding="utf-8")
    imported = runner.invoke(cli, ["import-responses", "--consultation", "data-charter", str(source)])
    assert imported.exit_code == 0, imported.output
    assert "Imported 2 responses into data-charter" in imported.output
    listed = runner.invoke(cli, ["consultations"])
    assert listed.exit_code == 0 and "data-charter" in listed.output and "open" in listed.output
    assert [line.split()[2] for line in listed.output.splitlines() if line.startswith("data-charter")] == ["2"]
    out = tmp_path / "out.csv"
    exported = runner.invoke(cli, ["export-responses", "--consultation", "data-charter", "--out", str(out)])
    assert exported.exit_code == 0 and "Wrote 2 responses" in exported.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # an export of residents' answers is its owner's alone
    text = out.read_text(encoding="utf-8")
    assert "focus_group" in text and ",sex" in text.splitlines()[0]
    into_copy = runner.invoke(cli, ["import-responses", "--consultation", "copy", str(out)])
    assert into_copy.exit_code == 0, into_copy.output
    again = runner.invoke(cli, ["export-responses", "--consultation", "copy"])
    assert again.output == text  # an exported file imports back unchanged
    bad = tmp_path / "bad.csv"
    bad.write_text("used_services\nPerhaps\n", encoding="utf-8")
    failed = runner.invoke(cli, ["import-responses", "--consultation", "data-charter", str(bad)])
    assert failed.exit_code != 0 and "nothing imported" in failed.output
    missing = runner.invoke(cli, ["export-responses", "--consultation", "nope"])
    assert missing.exit_code != 0 and "there is no consultation 'nope'" in missing.output


def test_purge_command_forgets_old_redacted_originals(db):
    from datetime import datetime, timedelta, timezone

    from surveys.tables import Comment
    from tests.factories.surveys import make_case_study

    study_id = run(make_case_study())
    old = datetime.now(timezone.utc) - timedelta(days=400)
    run(Comment.insert(Comment(case_study=study_id, body="[removed]", original_body="Call 07700 900123", state="published",
                               redacted_at=old, author_token_hash="a" * 64)).run())
    result = CliRunner().invoke(cli, ["purge-comment-originals"])
    assert result.exit_code == 0 and "Purged the original text of 1 redacted comment older than 360 days" in result.output
    assert run(Comment.select(Comment.original_body).first().run())["original_body"] == ""
