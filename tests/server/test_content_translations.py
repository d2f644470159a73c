"""Content in several languages: officers translate a case study and a consultation with its
questionnaire; residents read them in Welsh, with English where a field is not translated (and a
notice, and lang="en" on it); answers given in Welsh pool with English ones; free text keeps its
language, which officers see in the CSV."""

from __future__ import annotations

import json
from datetime import date

from analysis.tables import ContentTranslation
from server.tables import AuditEntry, OutboxEmail
from surveys.tables import SurveyResponse
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import post_form

CONSULTATION = "data-charter"
WELSH_QUESTIONNAIRE = {
    "title": "Siarter Data", "summary": "Dywedwch wrthym beth yw eich barn",
    "section.0.title": "Eich barn", "question.used_services.text": "Ydych chi wedi defnyddio gwasanaethau gwybodaeth y cyngor?",
    "question.which_services.text": "Pa wasanaethau?", "question.which_services.option|Library": "Llyfrgell",
    "question.which_services.option|Website": "Gwefan", "question.which_services.option|Phone": "Ffôn",
    "question.open_data.text": "Dylai'r cyngor gyhoeddi mwy o ddata agored",
    "section.1.title": "Mwy", "question.contact.text": "Sut ydych chi'n cysylltu â ni?",
    "question.contact.option|Phone": "Ffôn", "question.contact.option|Email": "E-bost", "question.contact.option|=Other": "Arall",
}


def _translate(officer_client, kind: str, slug: str, texts: dict[str, str], locale: str = "cy"):
    return post_form(officer_client, f"/officer/translations/{kind}/{slug}/{locale}", texts, follow_redirects=False)


def test_an_officer_translates_a_case_study_and_each_save_is_audited(officer_client):
    run(make_case_study("parking"))
    assert 'href="/officer/translations/case_study/parking"' in officer_client.get("/officer/case-studies/parking/edit").text
    languages = officer_client.get("/officer/translations/case_study/parking/")
    assert languages.status_code == 200 and "Cymraeg" in languages.text and "Not started" in languages.text
    form = officer_client.get("/officer/translations/case_study/parking/cy")
    assert 'lang="en">Case study parking</span>' in form.text  # the English beside the box
    assert 'lang="cy"' in form.text and 'dir="rtl"' in officer_client.get("/officer/translations/case_study/parking/ar").text
    saved = _translate(officer_client, "case_study", "parking", {"title": "Trwyddedau parcio", "summary": ""})
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=cy")
    assert "Partly translated" in officer_client.get("/officer/translations/case_study/parking/").text
    rows = run(ContentTranslation.select(ContentTranslation.field, ContentTranslation.text, ContentTranslation.updated_by).run())
    assert [(row["field"], row["text"]) for row in rows] == [("title", "Trwyddedau parcio")]
    assert rows[0]["updated_by"].startswith("officer")
    audit = run(AuditEntry.select(AuditEntry.detail, AuditEntry.object_id).where(
        AuditEntry.action == "content_translation_saved").run())
    assert audit == [{"detail": "cy: 1 field(s) written, 0 cleared; now partly", "object_id": "parking"}]
    # emptying a box takes the translation away: the English shows again
    assert _translate(officer_client, "case_study", "parking", {"title": ""}).status_code == 303
    assert run(ContentTranslation.count().run()) == 0
    assert officer_client.get("/officer/translations/case_study/nothing-here/").status_code == 404
    assert officer_client.get("/officer/translations/case_study/parking/xx").status_code == 404
    assert officer_client.get("/officer/translations/case_study/parking/en_GB").status_code == 404


def test_a_bad_translation_is_refused_with_what_was_typed_kept(officer_client):
    run(make_consultation(CONSULTATION))
    assert f'href="/officer/translations/consultation/{CONSULTATION}"' in officer_client.get(f"/officer/consultations/{CONSULTATION}").text
    typed = {"title": "Siarter Data", "question.contact.option|Phone": "Ffôn", "question.contact.option|Email": "ffôn",
             "body": "x" * 20_001}
    refused = _translate(officer_client, "consultation", CONSULTATION, typed)
    assert refused.status_code == 422 and "There is a problem" in refused.text
    assert "Two options of this question read ‘ffôn’" in refused.text
    assert "Shorten this translation to 20,000 characters or fewer" in refused.text
    assert 'value="Siarter Data"' in refused.text and 'value="Ffôn"' in refused.text  # nothing typed is lost
    assert 'href="#field-' in refused.text  # the summary links to the boxes
    assert run(ContentTranslation.count().run()) == 0
    assert run(AuditEntry.count().where(AuditEntry.action == "content_translation_saved").run()) == 0


def test_a_resident_reads_a_case_study_in_welsh_with_english_where_it_is_not_translated(officer_client, client):
    run(make_case_study("parking"))
    client.cookies.set("lang", "cy")
    untranslated = client.get("/case-studies/parking").text
    assert "Nid yw'r dudalen hon ar gael yn yr iaith hon (Cymraeg) eto. Mae'n cael ei dangos yn Saesneg." in untranslated
    assert '<h1 class="govuk-heading-xl" lang="en">Case study parking</h1>' in untranslated
    _translate(officer_client, "case_study", "parking", {"title": "Trwyddedau parcio", "summary": "Crynodeb",
                                                         "body": "Testun **pwysig**", "purpose": "I helpu",
                                                         "data_used": "Cofnodion treth gyngor"})
    page = client.get("/case-studies/parking").text
    assert '<h1 class="govuk-heading-xl">Trwyddedau parcio</h1>' in page
    assert "<strong>pwysig</strong>" in page and "I helpu" in page
    assert "govuk-inset-text app-translation-notice" not in page  # complete: no notice
    client.cookies.set("lang", "en_GB")
    english = client.get("/case-studies/parking").text
    assert "Case study parking" in english and "Trwyddedau" not in english and "app-translation-notice" not in english


def test_a_partly_translated_consultation_says_so_and_marks_the_english(officer_client, client):
    run(make_consultation(CONSULTATION))
    _translate(officer_client, "consultation", CONSULTATION, {"title": "Siarter Data"})
    client.cookies.set("lang", "cy")
    page = client.get(f"/consultations/{CONSULTATION}").text
    assert '<h1 class="govuk-heading-xl">Siarter Data</h1>' in page
    assert '<p class="govuk-body-l" lang="en">A summary</p>' in page
    assert "Nid yw rhannau o'r dudalen hon ar gael yn yr iaith hon (Cymraeg) eto." in page


def _answer_questionnaire(client, contact: str, suggestion: str, email: str = "") -> None:
    client.get(f"/consultations/{CONSULTATION}/questionnaire")
    assert post_form(client, f"/consultations/{CONSULTATION}/questionnaire/1",
                     {"used_services": "No", "open_data": "Agree"}).status_code == 200
    assert post_form(client, f"/consultations/{CONSULTATION}/questionnaire/2",
                     {"contact": contact, "suggestions": suggestion, "visits": ""}).status_code == 200
    post_form(client, f"/consultations/{CONSULTATION}/questionnaire/3", {})
    check = client.get(f"/consultations/{CONSULTATION}/check")
    key = check.text.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    sent = post_form(client, f"/consultations/{CONSULTATION}/submit", {"idempotency_key": key, "contact_email": email})
    assert sent.status_code == 200


def test_a_welsh_questionnaire_stores_english_keys_and_pools_with_english_answers(officer_client, client, app):
    from analysis.reports.build import build_from_inputs
    from analysis.reports.store import load_report_inputs

    run(make_consultation(CONSULTATION))
    assert _translate(officer_client, "consultation", CONSULTATION, WELSH_QUESTIONNAIRE).status_code == 303
    client.cookies.set("lang", "cy")
    client.get(f"/consultations/{CONSULTATION}/questionnaire")
    first = client.get(f"/consultations/{CONSULTATION}/questionnaire/1").text
    assert "Ydych chi wedi defnyddio gwasanaethau gwybodaeth y cyngor?" in first
    assert '<h1 class="govuk-heading-xl">Eich barn</h1>' in first
    second = client.get(f"/consultations/{CONSULTATION}/questionnaire/2").text
    assert 'value="Phone"' in second and "Ffôn" in second  # shown in Welsh, sent as the English key
    assert '<div lang="en">' in second and "Any suggestions?" in second  # not translated: marked English
    assert "app-translation-notice" in second
    paper = client.get(f"/consultations/{CONSULTATION}/paper").text  # the paper copy prints the translation
    assert "Sut ydych chi&#39;n cysylltu â ni?" in paper and "E-bost" in paper and "Any suggestions?" in paper
    _answer_questionnaire(client, "Phone", "Mwy o ddata agored am barcio", email="ann@example.org")
    copy = run(OutboxEmail.select(OutboxEmail.body).first().run())["body"]  # the copy of the answers, in Welsh words
    assert "Sut ydych chi'n cysylltu â ni?\n  Ffôn" in copy
    client.cookies.set("lang", "en_GB")
    _answer_questionnaire(client, "Phone", "More open data on parking")
    rows = run(SurveyResponse.select(SurveyResponse.locale, SurveyResponse.answers_json).order_by(SurveyResponse.id).run())
    assert [row["locale"] for row in rows] == ["cy", "en_GB"]
    assert [json.loads(row["answers_json"])["contact"] for row in rows] == ["Phone", "Phone"]
    assert json.loads(rows[0]["answers_json"])["suggestions"] == "Mwy o ddata agored am barcio"
    # the report counts the Welsh and the English answer together
    built = client.blocking_portal.call(lambda: load_report_inputs(CONSULTATION, today=date.today()))
    document = build_from_inputs(built).document
    contact = next(question for question in document["questions"] if question["key"] == "contact")
    phone = next(row for row in contact["options"] if row["label"] == "Phone")
    assert phone["count"] == 2
    # free text keeps its language, and the CSV says which
    exported = officer_client.get(f"/officer/consultations/{CONSULTATION}/responses.csv").text.splitlines()
    assert exported[0].endswith(",response_language")
    assert exported[1].endswith(",Mwy o ddata agored am barcio,,,cy") and exported[2].endswith(",en_GB")
    tagging = officer_client.get(f"/officer/consultations/{CONSULTATION}/report/comments?question=suggestions").text
    assert tagging.count("In Cymraeg") == 1 and '<p class="govuk-body app-answer__text" lang="cy">Mwy o ddata' in tagging
    reference = run(SurveyResponse.select(SurveyResponse.reference).where(SurveyResponse.locale == "cy").first().run())
    found = officer_client.get("/officer/response-search/", params={"reference": reference["reference"]}).text
    assert '<span lang="cy">Cymraeg</span>' in found


def test_the_demo_has_a_welsh_case_study_and_a_welsh_questionnaire(demo_loaded, client):
    from analysis.translations.demo import load_demo_translations

    client.cookies.set("lang", "cy")
    study = client.get("/case-studies/debt-early-help").text
    assert "Sylwi&#39;n gynnar ar aelwydydd sydd mewn perygl o ddyled" in study
    assert "Nid yw rhannau o&#39;r dudalen hon" in study or "Nid yw rhannau o'r dudalen hon" in study  # the facts are English
    client.get("/consultations/resident-panel-priorities/questionnaire")
    page = client.get("/consultations/resident-panel-priorities/questionnaire/1").text
    assert "Pa bynciau ddylai Panel Preswylwyr y flwyddyn nesaf eu trafod?" in page
    assert 'value="Sharing data with the NHS"' in page and "Rhannu data gyda&#39;r GIG" in page
    from analysis.translations.content import find_content
    from analysis.translations.store import translation_texts

    consultation = run(find_content("consultation", "resident-panel-priorities"))
    assert consultation.state(run(translation_texts("consultation", consultation.object_id, "cy"))) == "complete"
    before = run(ContentTranslation.count().run())
    assert all("already in Welsh" in line for line in run(load_demo_translations()))
    assert run(ContentTranslation.count().run()) == before


def test_the_officers_preview_of_the_questionnaire_stays_in_english_words(officer_client):
    run(make_consultation(CONSULTATION, status="draft"))
    preview = officer_client.get(f"/officer/consultations/{CONSULTATION}/preview/questionnaire/2")  # the follow-up page
    assert preview.status_code == 200 and "Asked only of those who answer ‘Yes’" in preview.text


def test_a_panel_page_and_a_report_summary_in_welsh(officer_client, client):
    from tests.factories.panels import create_panel, set_quotas, slug_of
    from tests.factories.reports import BASE, SLUG, publish, seed
    from tests.support.http import send

    panel_id = create_panel(officer_client, description="Twenty residents meet to talk about data.")
    set_quotas(officer_client, panel_id)
    panel = slug_of(panel_id)
    assert 'href="/officer/translations/panel/' in officer_client.get(f"/officer/panels/{panel_id}").text
    _translate(officer_client, "panel", panel, {"name": "Panel Preswylwyr Prawf"})
    client.cookies.set("lang", "cy")
    page = client.get(f"/panels/{panel}").text
    assert '<h1 class="govuk-heading-xl">Panel Preswylwyr Prawf</h1>' in page
    assert '<p class="govuk-body-l" lang="en">Twenty residents meet to talk about data.</p>' in page

    run(seed())
    assert officer_client.get(f"/officer/translations/report/{SLUG}/").status_code == 404  # nothing published yet
    send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("census_file", "camden-2021.csv")])
    publish(officer_client)
    assert 'href="/officer/translations/report/data-charter"' in officer_client.get(BASE + "/").text
    form = officer_client.get(f"/officer/translations/report/{SLUG}/cy").text
    assert "We asked: why we consulted" in form
    assert _translate(officer_client, "report", SLUG, {"purpose": "I wybod beth mae preswylwyr yn ei feddwl am ddata.",
                                                       "findings": "Mae'r rhan fwyaf eisiau mwy o ddata agored.\nMae rhai yn poeni."}
                      ).status_code == 303
    report = client.get(f"/consultations/{SLUG}/report").text
    assert '<h2 class="govuk-heading-m" id="translated-summary">Gofynnon ni</h2>' in report
    assert "<li>Mae rhai yn poeni.</li>" in report and "Dywedoch chi" in report
    assert '<div class="app-report-body" lang="en">' in report  # the report as published, in English
    assert "Nid yw rhannau o'r dudalen hon ar gael" in report


def test_an_officer_records_the_language_of_a_paper_response(officer_client):
    from tests.support.http import send

    run(make_consultation(CONSULTATION))
    form = officer_client.get(f"/officer/consultations/{CONSULTATION}/responses/new").text
    assert '<option value="cy">Cymraeg</option>' in form and '<option value="en_GB" selected>English</option>' in form
    typed = [("channel", "paper"), ("used_services", "No"), ("open_data", "Agree"), ("suggestions", "Diolch")]
    refused = send(officer_client, f"/officer/consultations/{CONSULTATION}/responses", [*typed, ("language", "xx")])
    assert refused.status_code == 422 and "Select the language the response was given in" in refused.text
    assert 'value="Diolch"' in refused.text or ">Diolch<" in refused.text
    saved = send(officer_client, f"/officer/consultations/{CONSULTATION}/responses", [*typed, ("language", "cy")])
    assert saved.status_code == 303
    assert run(SurveyResponse.select(SurveyResponse.locale).first().run())["locale"] == "cy"
    detail = run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "response_entered").first().run())["detail"]
    assert detail.endswith("(paper, cy)")
