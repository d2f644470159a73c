"""Public read pages run a bounded number of queries, whatever the number of rows they show:
no query per comment, per consultation or per row."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from tests.factories.surveys import make_case_study_with_comments
from tests.support.database import run


def queries_for(client, counter, url: str) -> int:
    client.get(url)  # warm: first requests may load templates and settings
    before = counter.count
    response = client.get(url)
    assert response.status_code == 200, url
    return counter.count - before


def test_case_study_page_queries_do_not_grow_with_comments(client, query_counter):
    small = make_case_study_with_comments(10)
    large = make_case_study_with_comments(200)
    small_queries = queries_for(client, query_counter, f"/case-studies/{small}")
    large_queries = queries_for(client, query_counter, f"/case-studies/{large}")
    html = client.get(f"/case-studies/{large}").text
    assert html.count("Comment number") == 200
    assert large_queries == small_queries
    assert large_queries <= 8


def add_consultations(start: int, count: int, *, status: str = "open") -> list[str]:
    from surveys.tables import Consultation

    opens, closes = {"open": (date(2026, 1, 1), date(2099, 1, 1)),
                     "closed": (date(2020, 1, 1), date(2020, 3, 1))}[status]
    slugs = [f"{status}-consultation-{number}" for number in range(start, start + count)]
    run(Consultation.insert(*[
        Consultation(slug=slug, title=f"Consultation {slug}", summary="About it", opens_on=opens, closes_on=closes)
        for slug in slugs
    ]).run())
    return slugs


def add_case_studies(start: int, count: int) -> None:
    from surveys.tables import CaseStudy

    now = datetime.now(timezone.utc)
    run(CaseStudy.insert(*[
        CaseStudy(slug=f"study-{number}", title=f"Case study number {number}", summary="Summary",
                  published_at=now - timedelta(hours=number))
        for number in range(start, start + count)
    ]).run())


def publish_report(slug: str, *, versions: int = 1, responses: int = 0) -> None:
    """``versions`` published versions of a report for a closed consultation with ``responses``
    responses, stored as publishing stores them. The public page shows a version exactly as
    stored, so its content can be small."""
    from analysis.tables import ReportVersion
    from surveys.tables import Consultation, SurveyResponse

    consultation_id = run(Consultation.select(Consultation.id).where(Consultation.slug == slug).first().run())["id"]
    if responses:
        run(SurveyResponse.insert(*[
            SurveyResponse(consultation=consultation_id, reference=f"R-{consultation_id:04d}-{number:04d}",
                           answers_json='{"open_data": "Agree"}') for number in range(responses)
        ]).run())
    now = datetime.now(timezone.utc)
    run(ReportVersion.insert(*[
        ReportVersion(consultation=consultation_id, version=version, title=f"We asked, you said, we did: {slug}",
                      published_at=now - timedelta(days=versions - version), published_by="officer@test.example",
                      document_json=json.dumps({"n_responses": responses}), open_data_csv="section,question_key\r\n",
                      html=f"<section><h2>You said</h2><p>Report body of version {version}.</p></section>",
                      images_json=json.dumps({"q-open_data": {"png": "iVBORw0KGgo=", "alt": "A chart"}}))
        for version in range(1, versions + 1)
    ]).run())


def test_consultation_hub_and_home_queries_do_not_grow_with_consultations(client, query_counter):
    add_consultations(0, 3)
    for slug in add_consultations(0, 2, status="closed"):
        publish_report(slug)
    add_case_studies(0, 2)
    hub_few = queries_for(client, query_counter, "/consultations")
    home_few = queries_for(client, query_counter, "/")
    add_consultations(3, 60)
    for slug in add_consultations(2, 40, status="closed"):
        publish_report(slug, versions=2)
    add_case_studies(2, 50)
    hub_many = queries_for(client, query_counter, "/consultations")
    home_many = queries_for(client, query_counter, "/")
    hub = client.get("/consultations").text
    assert hub.count("We asked, you said, we did: read what happened next") == 42
    assert hub.count('href="/case-studies/study-') == 52
    assert hub.count('href="/consultations/open-consultation-') == 63
    assert hub_many == hub_few and hub_many <= 8
    assert home_many == home_few and home_many <= 6


def test_published_report_page_queries_do_not_grow_with_versions_or_responses(client, query_counter):
    small, large = add_consultations(0, 2, status="closed")
    publish_report(small, versions=1, responses=3)
    publish_report(large, versions=25, responses=400)
    small_queries = queries_for(client, query_counter, f"/consultations/{small}/report")
    large_queries = queries_for(client, query_counter, f"/consultations/{large}/report")
    older_queries = queries_for(client, query_counter, f"/consultations/{large}/report/v/3")
    latest = client.get(f"/consultations/{large}/report").text
    assert "Version 25, published" in latest and "Report body of version 25." in latest
    assert latest.count(f'href="/consultations/{large}/report/v/') == 25 + 3  # every version, and the open data links
    assert "This is an older version" in client.get(f"/consultations/{large}/report/v/3").text
    assert large_queries == small_queries == older_queries
    assert large_queries <= 6


# --- officers' and administrators' lists: one page from the database, whatever the list's length ---

def add_volunteers(panel_id: int, start: int, count: int) -> None:
    from panels.tables import Volunteer

    run(Volunteer.insert(*[
        Volunteer(panel=panel_id, reference=f"QC{number:05d}", full_name=f"Resident {number}",
                  email=f"resident{number}@example.com", email_key=f"resident{number}@example.com",
                  answers=json.dumps({"sex": ("Male", "Female")[number % 2], "age_band": "25-34"}),
                  household_key=f"household-{number}", status="withdrawn" if number % 7 == 0 else "pool")
        for number in range(start, start + count)
    ]).run())


def test_pool_page_queries_do_not_grow_with_volunteers(staff_client, query_counter):
    from tests.factories.panels import create_panel, set_quotas

    officer = staff_client("officer")
    panel_id = create_panel(officer)
    set_quotas(officer, panel_id)
    url = f"/officer/panels/{panel_id}/pool"
    add_volunteers(panel_id, 0, 5)
    few = queries_for(officer, query_counter, url)
    add_volunteers(panel_id, 5, 125)
    many = queries_for(officer, query_counter, url)
    assert many == few
    first = officer.get(url).text
    assert first.count(f'href="/officer/panels/{panel_id}/volunteers/') == 50
    assert "Showing 1 to 50 of 130" in first and f'href="{url}?page=3"' in first
    last = officer.get(f"{url}?page=3").text
    assert last.count(f'href="/officer/panels/{panel_id}/volunteers/') == 30 and "QC00129" in last
    assert queries_for(officer, query_counter, f"{url}?page=3") == few
    filtered = officer.get(f"{url}?status=withdrawn&page=2").text  # past its one page: shows the last
    assert "Showing 1 to 19 of 19" in filtered and "QC00007" in filtered and "QC00001" not in filtered
    assert officer.get(f"{url}?reference=QC0012&page=x").text.count(f'href="/officer/panels/{panel_id}/volunteers/') == 10


def add_pending_comments(slug: str, start: int, count: int) -> None:
    from surveys.tables import CaseStudy, Comment

    study = run(CaseStudy.select(CaseStudy.id).where(CaseStudy.slug == slug).first().run())["id"]
    now = datetime.now(timezone.utc)
    run(Comment.insert(*[
        Comment(case_study=study, display_name=f"Waiting {number}", body=f"Waiting comment {number:04d}", state="pending",
                created_at=now - timedelta(days=1) + timedelta(minutes=number), author_token_hash=f"qc-{slug}-{number}")
        for number in range(start, start + count)
    ]).run())


def test_moderation_queue_queries_do_not_grow_with_comments(staff_client, query_counter):
    from tests.factories.surveys import make_case_study

    officer = staff_client("officer")
    for slug in ("queue-one", "queue-two"):
        run(make_case_study(slug))
    add_pending_comments("queue-one", 0, 3)
    few = queries_for(officer, query_counter, "/officer/moderation")
    add_pending_comments("queue-one", 3, 40)
    add_pending_comments("queue-two", 0, 5)
    many = queries_for(officer, query_counter, "/officer/moderation")
    assert many == few
    page = officer.get("/officer/moderation").text
    assert "48 comments waiting" in page and page.count('action="/officer/moderation/') == 20
    assert "Waiting comment 0000" in page and 'href="/officer/moderation?page=3"' in page
    third = officer.get("/officer/moderation?page=3").text
    assert third.count('action="/officer/moderation/') == 8 and '<input type="hidden" name="page" value="3">' in third
    two = officer.get("/officer/moderation?case_study=queue-two").text
    assert "5 comments waiting" in two and two.count('action="/officer/moderation/') == 5
    assert queries_for(officer, query_counter, "/officer/moderation?case_study=queue-two&page=2") == few


def add_audit_entries(start: int, count: int) -> None:
    """Entries two by two at the same moment, newest first."""
    from server.tables import AuditEntry

    now = datetime.now(timezone.utc)
    run(AuditEntry.insert(*[
        AuditEntry(at=now - timedelta(days=2, minutes=number // 2), actor=f"officer{number % 3}@council.example",
                   action=("volunteer_viewed", "pool_exported")[number % 2], object_type="volunteer",
                   object_id=f"RP-{number:05d}") for number in range(start, start + count)
    ]).run())


def test_audit_log_pages_and_export_hold_every_entry(staff_client, query_counter, monkeypatch):
    admin = staff_client("admin")
    add_audit_entries(0, 3)
    few = queries_for(admin, query_counter, "/admin/audit?action=viewed")
    add_audit_entries(3, 217)
    assert queries_for(admin, query_counter, "/admin/audit?action=viewed") == few
    page = admin.get("/admin/audit?action=viewed&page=2").text
    assert "110 most recent matching entries" in page and "Showing 51 to 100 of 110" in page
    assert page.count("RP-") == 50 and "RP-00100" in page and "RP-00098" not in page
    assert 'href="/admin/audit?action=viewed&amp;page=3"' in page
    import common.batches

    monkeypatch.setattr(common.batches, "BATCH", 7)  # several batches, entries at one moment across a boundary
    export = admin.get("/admin/audit.csv?actor=officer")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("at,actor,action") and len(lines) == 221
    references = [line.split(",")[4] for line in lines[1:]]
    assert references == [f"RP-{number:05d}" for pair in range(110) for number in (2 * pair + 1, 2 * pair)]


def add_outbox_emails(start: int, count: int, *, failed: bool = False) -> None:
    from server.tables import OutboxEmail

    now = datetime.now(timezone.utc)
    run(OutboxEmail.insert(*[
        OutboxEmail(to_address=f"Resident{number}@Example.com", subject=f"Email {number:04d}", body="Hello",
                    created_at=now - timedelta(minutes=number), attempts=5 if failed else 0,
                    failed_at=now - timedelta(minutes=number) if failed else None, last_error="refused" if failed else "")
        for number in range(start, start + count)
    ]).run())


def test_outbox_pages_queries_do_not_grow_with_emails(staff_client, query_counter):
    officer, admin = staff_client("officer"), staff_client("admin")
    add_outbox_emails(0, 2)
    add_outbox_emails(1000, 2, failed=True)
    officer_few = queries_for(officer, query_counter, "/officer/outbox")
    admin_few = queries_for(admin, query_counter, "/admin/outbox")
    add_outbox_emails(2, 118)
    add_outbox_emails(1002, 58, failed=True)
    assert queries_for(officer, query_counter, "/officer/outbox") == officer_few
    assert queries_for(admin, query_counter, "/admin/outbox?page=2") == admin_few
    page = officer.get("/officer/outbox?page=3").text
    assert "Showing 101 to 180 of 180" not in page and "Showing 101 to 150 of 180" in page
    assert page.count('class="app-card outbox-email"') == 50
    found = officer.get("/officer/outbox?to=resident11").text  # any case, on both engines
    assert "Showing 1 to 11 of 11" in found and "Resident119@Example.com" in found
    failed = admin.get("/admin/outbox?page=2").text
    assert "Showing 51 to 60 of 60" in failed and failed.count("/retry") == 10


def add_responses(consultation_id: int, start: int, count: int) -> None:
    from surveys.tables import SurveyResponse

    now = datetime.now(timezone.utc)
    run(SurveyResponse.insert(*[
        SurveyResponse(consultation=consultation_id, reference=f"R-QC{number:02d}-{number:04d}",
                       channel=("online", "paper")[number % 2], submitted_at=now - timedelta(minutes=number),
                       answers_json='{"trust": "Agree"}') for number in range(start, start + count)
    ]).run())


def test_responses_list_queries_do_not_grow_with_responses(staff_client, query_counter):
    from surveys.tables import Consultation
    from tests.factories.surveys import make_consultation, sample_questionnaire

    officer = staff_client("officer")
    run(make_consultation("listed", questionnaire=sample_questionnaire()))
    consultation_id = run(Consultation.select(Consultation.id).where(Consultation.slug == "listed").first().run())["id"]
    url = "/officer/consultations/listed/responses"
    add_responses(consultation_id, 0, 4)
    few = queries_for(officer, query_counter, url)
    add_responses(consultation_id, 4, 116)
    assert queries_for(officer, query_counter, url) == few
    assert queries_for(officer, query_counter, f"{url}?channel=paper&page=2") == few
    page = officer.get(f"{url}?channel=paper&page=2").text
    assert "Showing 51 to 60 of 60" in page and page.count("/officer/response-search?reference=R-QC") == 10
    assert "R-QC101-0101" in page and "R-QC100-0100" not in page and "trust" not in page
    assert 'href="/officer/consultations/listed/responses?channel=paper"' in page  # page 1 keeps the filter
    found = officer.get(f"{url}?reference=r-qc11").text
    assert "Showing 1 to 11 of 11" in found
    assert 'href="/officer/consultations/listed/responses"' in officer.get("/officer/consultations/listed").text


def test_responses_and_comments_downloads_hold_every_row_when_streamed_in_batches(staff_client, monkeypatch):
    import common.batches
    from surveys.tables import Consultation, SurveyResponse
    from tests.factories.surveys import make_consultation, sample_questionnaire

    monkeypatch.setattr(common.batches, "BATCH", 4)
    officer = staff_client("officer")
    run(make_consultation("streamed", questionnaire=sample_questionnaire()))
    consultation_id = run(Consultation.select(Consultation.id).where(Consultation.slug == "streamed").first().run())["id"]
    add_responses(consultation_id, 0, 10)
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    run(SurveyResponse.update({SurveyResponse.submitted_at: moment}).where(SurveyResponse.consultation == consultation_id).run())
    lines = officer.get("/officer/consultations/streamed/responses.csv").text.strip().splitlines()
    assert len(lines) == 11 and sorted(line.split(",")[0] for line in lines[1:]) == sorted(
        f"R-QC{number:02d}-{number:04d}" for number in range(10))
    from tests.factories.surveys import make_case_study

    run(make_case_study("streamed-study"))
    add_pending_comments("streamed-study", 0, 9)
    comments = officer.get("/officer/comments.csv?case_study=streamed-study").text.strip().splitlines()
    assert len(comments) == 10 and [line.split(",")[4] for line in comments[1:]] == [
        f"Waiting comment {number:04d}" for number in range(9)]
