"""Links from consultations and case studies to charter principles (owned by analysis)."""

from __future__ import annotations

from urllib.parse import urlencode

from analysis.charter.links import load_demo_consultation_links, principle_choices, principles_for_case_study
from analysis.charter.demo import load_demo_charter
from surveys.tables import CaseStudy
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import csrf_token


def send(client, url, pairs):
    body = [*pairs, ("_csrf_token", csrf_token(client))]
    return client.post(url, content=urlencode(body), headers={"content-type": "application/x-www-form-urlencoded"},
                       follow_redirects=False)


def test_officer_links_a_case_study_to_principles_and_residents_see_them(officer_client, client):
    run(load_demo_charter())
    refs = run(principle_choices())
    assert len(refs) == 7
    form = officer_client.get("/officer/case-studies/new").text
    assert "The charter principles it touches" in form and refs[0].title in form
    bad = send(officer_client, "/officer/case-studies", [("title", ""), ("principles", str(refs[2].id))])
    assert bad.status_code == 422 and f'id="principle-{refs[2].id}" name="principles" type="checkbox" value="{refs[2].id}" checked' in bad.text
    good = send(officer_client, "/officer/case-studies", [("title", "Linked study"), ("principles", str(refs[0].id)),
                                                         ("principles", str(refs[5].id)), ("principles", "99999")])
    assert good.status_code == 303
    study_id = run(CaseStudy.select(CaseStudy.id).where(CaseStudy.slug == "linked-study").first().run())["id"]
    assert [ref.number for ref in run(principles_for_case_study(study_id))] == [1, 6]
    send(officer_client, "/officer/case-studies/linked-study/publish", [("publish", "1")])
    page = client.get("/case-studies/linked-study").text
    assert "Charter principles this touches" in page and f"principle 6: {refs[5].title}" in page.replace("&#39;", "'")
    edit = officer_client.get("/officer/case-studies/linked-study/edit").text
    assert f'value="{refs[0].id}" checked' in edit


def test_consultation_links_and_demo_links(officer_client, client):
    run(load_demo_charter())
    run(make_consultation("data-charter-questionnaire"))
    run(make_case_study("debt-early-help"))
    assert run(load_demo_consultation_links()) == ["charter links: 2 case studies and consultations linked to principles"]
    assert run(load_demo_consultation_links()) == ["charter links: already present"]
    page = client.get("/consultations/data-charter-questionnaire").text
    assert page.count("/charter/camden-data-charter") == 7
    refs = run(principle_choices())
    send(officer_client, "/officer/consultations/data-charter-questionnaire", [
        ("title", "Data Charter"), ("slug", "data-charter-questionnaire"), ("opens_on", "2026-01-01"),
        ("closes_on", "2026-02-01"), ("audience", "public"), ("principles", str(refs[1].id))])
    assert client.get("/consultations/data-charter-questionnaire").text.count("/charter/camden-data-charter") == 1
