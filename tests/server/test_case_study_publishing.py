"""Officers publish and withdraw case studies over HTTP: residents see only published ones, each
change is audited, and a bad request gets a clear 4xx."""

from __future__ import annotations

from server.tables import AuditEntry
from surveys.tables import CaseStudy
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form

PUBLISH = "/officer/case-studies/draft/publish"


def published_at(slug: str = "draft"):
    return run(CaseStudy.select(CaseStudy.published_at).where(CaseStudy.slug == slug).first().run())["published_at"]


def audit_actions() -> list[str]:
    return [row["action"] for row in run(AuditEntry.select(AuditEntry.action).where(
        AuditEntry.object_type == "case_study").order_by(AuditEntry.id).run())]


def test_publish_then_withdraw(client, officer_client):
    run(make_case_study("draft", published=False))
    assert client.get("/case-studies/draft").status_code == 404
    assert "Draft" in officer_client.get("/officer/case-studies").text

    published = post_form(officer_client, PUBLISH, {"publish": "1"}, follow_redirects=False)
    assert published.status_code == 303 and published.headers["location"] == "/officer/case-studies"
    assert client.get("/case-studies/draft").status_code == 200
    assert "Case study draft" in client.get("/consultations").text
    first_date = published_at()
    assert first_date is not None
    listing = officer_client.get("/officer/case-studies").text
    assert "Withdraw<span class=\"govuk-visually-hidden\"> Case study draft" in listing
    post_form(officer_client, PUBLISH, {"publish": "1"})  # pressed twice: nothing changes, nothing audited
    assert published_at() == first_date

    withdrawn = post_form(officer_client, PUBLISH, {"publish": "0"}, follow_redirects=False)
    assert withdrawn.status_code == 303
    assert client.get("/case-studies/draft").status_code == 404
    assert "Case study draft" not in client.get("/consultations").text
    assert "Publish<span class=\"govuk-visually-hidden\"> Case study draft" in officer_client.get("/officer/case-studies").text
    assert audit_actions() == ["case_study_published", "case_study_withdrawn"]


def test_bad_publish_requests_are_refused(client, officer_client, cabinet_client):
    run(make_case_study("draft", published=False))
    unknown_choice = post_form(officer_client, PUBLISH, {"publish": "yes please"})
    assert unknown_choice.status_code == 400 and "Choose whether to publish or withdraw the case study" in unknown_choice.text
    assert post_form(officer_client, PUBLISH, {}).status_code == 400
    missing = post_form(officer_client, "/officer/case-studies/no-such-study/publish", {"publish": "1"})
    assert missing.status_code == 404
    assert post_form(cabinet_client, PUBLISH, {"publish": "1"}, follow_redirects=False).status_code == 403
    assert post_form(client, PUBLISH, {"publish": "1"}, follow_redirects=False).status_code == 303  # to sign in
    assert published_at() is None and audit_actions() == []


def test_withdrawing_and_republishing_keeps_the_first_publication_date(client, officer_client):
    from datetime import datetime, timedelta, timezone

    from surveys.case_studies import case_studies_published_between

    run(make_case_study("draft", published=False))
    post_form(officer_client, PUBLISH, {"publish": "1"})
    first_date = published_at()
    post_form(officer_client, PUBLISH, {"publish": "0"})
    assert published_at() == first_date and client.get("/case-studies/draft").status_code == 404
    assert "Withdrawn (first published" in officer_client.get("/officer/case-studies").text
    earlier = first_date - timedelta(days=400)
    run(CaseStudy.update({CaseStudy.published_at: earlier}).where(CaseStudy.slug == "draft").run())  # a year ago
    post_form(officer_client, PUBLISH, {"publish": "1"})
    assert published_at() == earlier and client.get("/case-studies/draft").status_code == 200
    now = datetime.now(timezone.utc)
    assert run(case_studies_published_between(now - timedelta(days=30), now + timedelta(days=1))) == 0
