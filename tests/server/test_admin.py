"""Administrators: staff accounts and the audit log."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from server.audit import record_audit, search_audit
from server.accounts.staff import list_staff
from tests.support.database import run
from tests.support.http import post_form


def test_admin_creates_an_account_and_it_is_audited(admin_client):
    response = post_form(admin_client, "/admin/users", {
        "email": "New.Officer@council.example", "display_name": "New Officer", "role": "officer",
    })
    assert response.status_code == 200 and "The account was created." in response.text
    assert ("new.officer@council.example", "officer") in [(u["email"], u["role"]) for u in run(list_staff())]
    assert any(entry.action == "staff_created" for entry in run(search_audit(action="staff_created")))


def test_bad_account_form_shows_errors_and_keeps_input(admin_client):
    response = post_form(admin_client, "/admin/users", {
        "email": "not-an-email", "display_name": "Kept Name", "role": "mayor",
    })
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html
    for field in ("email", "role"):
        assert f'href="#{field}"' in html
    assert 'value="Kept Name"' in html and 'value="not-an-email"' in html


def test_admin_changes_a_role(admin_client, cabinet_client):
    cabinet = next(u for u in run(list_staff()) if u["role"] == "cabinet")
    confirm = post_form(admin_client, f"/admin/users/{cabinet['id']}/role", {"role": "officer"})
    assert "Change the role of Test cabinet from Cabinet member to Engagement officer?" in confirm.text
    assert cabinet_client.get("/officer").status_code == 403  # not changed before confirming
    post_form(admin_client, f"/admin/users/{cabinet['id']}/role", {"role": "officer", "confirmed": "1"})
    assert cabinet_client.get("/officer").status_code == 200
    audited = run(search_audit(action="staff_role_changed"))
    assert [entry.detail for entry in audited] == ["role changed from cabinet to officer"]
    bad = post_form(admin_client, f"/admin/users/{cabinet['id']}/role", {"role": "owner"})
    assert bad.status_code == 422


def test_admin_cannot_disable_themselves(admin_client):
    me = next(u for u in run(list_staff()) if u["role"] == "admin")
    response = post_form(admin_client, f"/admin/users/{me['id']}/active", {"active": "0"})
    assert "You cannot disable your own account." in response.text
    assert admin_client.get("/admin").status_code == 200


def test_audit_log_search_and_htmx_partial(admin_client):
    run(record_audit(actor="officer@test.example", action="volunteer_viewed", object_type="volunteer", object_id=7))
    run(record_audit(actor="someone@test.example", action="pool_exported", object_type="panel", object_id=2))
    page = admin_client.get("/admin/audit", params={"action": "volunteer"})
    assert page.status_code == 200
    assert "volunteer_viewed" in page.text and "pool_exported" not in page.text
    partial = admin_client.get("/admin/audit", params={"actor": "someone"}, headers={"hx-request": "true"})
    assert partial.text.lstrip().startswith('<div id="audit-results">')
    assert "pool_exported" in partial.text and "<html" not in partial.text


def test_audit_log_rejects_bad_dates_without_error_page(admin_client):
    response = admin_client.get("/admin/audit", params={"since": "31/02/2026"})
    assert response.status_code == 422
    assert "Enter a real date" in response.text
    boxes = admin_client.get("/admin/audit", params={"since-day": "31", "since-month": "2", "since-year": "2026"})
    assert boxes.status_code == 422 and 'href="#since"' in boxes.text
    assert 'name="since-day" type="text" value="31"' in boxes.text  # what was typed is kept


def test_audit_log_searches_between_dates_typed_in_boxes(admin_client):
    run(record_audit(actor="officer@test.example", action="dated_entry"))
    today = datetime.now(timezone.utc).date()  # the search's days are UTC days, as the entries' times
    found = admin_client.get("/admin/audit", params={"since-day": today.day, "since-month": today.month,
                                                     "since-year": today.year, "action": "dated_entry"})
    assert found.status_code == 200 and "1 most recent matching entry" in found.text
    assert "since=" + today.isoformat() in found.text  # the CSV link carries the dates as one field each
    tomorrow = today + timedelta(days=1)
    none = admin_client.get("/admin/audit", params={"since-day": tomorrow.day, "since-month": tomorrow.month,
                                                    "since-year": tomorrow.year, "action": "dated_entry"})
    assert none.status_code == 200 and "0 most recent matching entries" in none.text


def test_audit_export_is_csv_safe_and_itself_audited(admin_client):
    run(record_audit(actor="officer@test.example", action="note", detail="=HYPERLINK(\"http://evil\")"))
    response = admin_client.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    detail = next(row["detail"] for row in rows if row["action"] == "note")
    assert detail.startswith("'=")
    assert any(entry.action == "audit_exported" for entry in run(search_audit(action="audit_exported")))
