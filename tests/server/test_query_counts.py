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
