"""The "We asked, You said, We did" report over HTTP: every officer form (good and bad input),
publishing immutable versions, public and cabinet pages without personal data, downloads, and
the commitments report linking back to reports that cite a commitment."""

from __future__ import annotations

import json

from analysis.tables import ReportTheme
from server.tables import AuditEntry
from surveys.tables import SurveyResponse
from tests.factories.reports import BASE, NAME, SLUG, first_answer_id, publish, seed
from tests.support.database import run
from tests.support.http import send


async def add_response(consultation_id: int, number: int = 1) -> None:
    await SurveyResponse(consultation=consultation_id, reference=f"R-LATE-{number:04d}", channel="email",
                         answers_json=json.dumps({"open_data": "Disagree", "contact": "Phone"})).save().run()


def audit_actions() -> list[str]:
    return [row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())]


def test_draft_form_good_and_bad(officer_client):
    run(seed())
    page = officer_client.get(BASE)
    assert page.status_code == 200 and "We asked" in page.text and "95% CI" in page.text
    bad = send(officer_client, BASE, [("purpose", ""), ("census_file", "nowhere.csv")])
    assert bad.status_code == 422 and "There is a problem" in bad.text
    assert "Enter why the council consulted" in bad.text and "Select a census file from the list" in bad.text
    good = send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("channels_note", "Two focus groups"),
                                       ("census_file", "camden-2021.csv")])
    assert good.status_code == 303
    page = officer_client.get(BASE).text
    assert "To write our Data Charter" in page and "Design effect" in page and "effective sample size" in page
    assert "report_draft_saved" in audit_actions()


def test_action_form_good_and_bad(officer_client):
    run(seed())
    bad = send(officer_client, f"{BASE}/actions", [("action", ""), ("due_on-day", "31"), ("due_on-month", "2"),
                                                   ("due_on-year", "2026"), ("owner", ""), ("commitments", "nope/X9")])
    assert bad.status_code == 422
    assert 'name="due_on-day" type="text" value="31"' in bad.text  # the boxes keep what was typed
    for message in ("Enter what the council did or will do", "The date must be a real date",
                    "Enter the team or role responsible", "Select commitments from the list"):
        assert message in bad.text
    good = send(officer_client, f"{BASE}/actions", [("action", "Publish parking open data"), ("due_on-day", "30"),
                                                    ("due_on-month", "6"), ("due_on-year", "2026"), ("owner", "Data team")])
    assert good.status_code == 303
    draft = officer_client.get(BASE).text
    assert "Publish parking open data" in draft and "30 June 2026" in draft
    assert "report_action_added" in audit_actions()


def test_theme_tag_and_quote_forms(officer_client):
    run(seed())
    assert send(officer_client, f"{BASE}/themes", [("name", "")]).status_code == 422
    assert send(officer_client, f"{BASE}/themes", [("name", "Parking")]).status_code == 303
    duplicate = send(officer_client, f"{BASE}/themes", [("name", "parking")])
    assert duplicate.status_code == 422 and "There is already a theme with this name" in duplicate.text
    comments = officer_client.get(f"{BASE}/comments")
    assert comments.status_code == 200 and "More open data on parking" in comments.text
    response_id = run(first_answer_id("More open data"))
    theme_id = run(ReportTheme.select().first().run())["id"]
    tagged = send(officer_client, f"{BASE}/tags", [("response_id", response_id), ("question_key", "suggestions"),
                                                   ("theme_id", theme_id), ("tagged", "yes")])
    assert tagged.status_code == 303
    assert "Parking: 1 comment</li>" in officer_client.get(BASE).text
    assert send(officer_client, f"{BASE}/tags", [("response_id", response_id), ("question_key", "contact"),
                                                 ("theme_id", theme_id)]).status_code == 404
    named = run(first_answer_id("Publish the parking"))
    bad = send(officer_client, f"{BASE}/quotes", [("response_id", named), ("question_key", "suggestions"),
                                                  ("text", f"Publish the parking data please, signed {NAME}")])
    assert bad.status_code == 422 and "Confirm the quote has no names" in bad.text and NAME in bad.text
    empty = send(officer_client, f"{BASE}/quotes", [("response_id", named), ("question_key", "suggestions"),
                                                    ("text", ""), ("checked", "yes")])
    assert empty.status_code == 422 and "Enter the words to quote" in empty.text
    good = send(officer_client, f"{BASE}/quotes", [("response_id", named), ("question_key", "suggestions"),
                                                   ("text", "Publish the parking data please"), ("checked", "yes")])
    assert good.status_code == 303
    assert {"report_theme_added", "report_comment_tagged", "report_quote_chosen"} <= set(audit_actions())



def test_an_answer_id_no_database_integer_holds_is_not_found_and_a_page_twice_is_a_page(officer_client):
    """Found by tests/server/test_forms_never_500.py: int() read 19 nines in the hidden field, and
    the query with it failed (a 500 on SQLite; 12 digits fail on PostgreSQL)."""
    run(seed())
    for too_long in ("9" * 19, "9" * 12, "²"):
        quote = [("response_id", too_long), ("question_key", "suggestions"), ("text", "Quoted"), ("checked", "yes")]
        assert send(officer_client, f"{BASE}/quotes", quote).status_code == 404
        tag = [("response_id", too_long), ("question_key", "suggestions"), ("theme_id", "1"), ("tagged", "yes")]
        assert send(officer_client, f"{BASE}/tags", tag).status_code == 404
        assert send(officer_client, f"{BASE}/comment-quotes", [("comment_id", too_long), ("text", "Quoted"),
                                                                ("checked", "yes")]).status_code == 404
    # a page number sent twice (int() of a list was a 500): the first page
    quote = [("response_id", run(first_answer_id("Publish the parking"))), ("question_key", "suggestions"), ("text", ""),
             ("page", "2"), ("page", "2")]
    assert send(officer_client, f"{BASE}/quotes", quote).status_code == 422


def test_the_draft_counts_by_its_count_in_every_language(officer_client):
    """Found by tests/server/test_forms_never_500.py: two plural sentences took their plural form
    from their first placeholder (a date, a theme's name) instead of the count, as Jinja does
    unless told: in English "1 comments", in Welsh or Arabic a 500 (a plural rule given a string)."""
    run(seed())
    assert send(officer_client, f"{BASE}/themes", [("name", "Parking")]).status_code == 303
    theme_id = run(ReportTheme.select().first().run())["id"]
    assert send(officer_client, f"{BASE}/tags", [("response_id", run(first_answer_id("More open data"))),
                                                 ("question_key", "suggestions"), ("theme_id", theme_id),
                                                 ("tagged", "yes")]).status_code == 303
    for language in ("cy", "ar", "en_GB"):
        assert officer_client.get(f"/language/{language}?next=/officer").status_code == 200
        page = officer_client.get(BASE)
        assert page.status_code == 200, language
    assert "Parking: 1 comment</li>" in page.text and "60 responses." in page.text


def test_published_version_never_changes(officer_client, client):
    consultation_id = run(seed())
    send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("census_file", "camden-2021.csv")])
    assert client.get(f"/consultations/{SLUG}/report").status_code == 404
    assert publish(officer_client) == f"/consultations/{SLUG}/report/v/1"
    first = {path: client.get(f"/consultations/{SLUG}/report/v/1{path}").content
             for path in ("", "/report.json", "/report.csv", "/report.pdf", "/images/q-open_data.png")}
    assert json.loads(first["/report.json"])["n_responses"] == 60
    run(add_response(consultation_id))
    send(officer_client, f"{BASE}/actions", [("action", "Something new"), ("owner", "Data team")])
    again = {path: client.get(f"/consultations/{SLUG}/report/v/1{path}").content for path in first}
    assert again == first
    # One late response: comparing two versions would give its answers away (issue #18).
    refused = send(officer_client, f"{BASE}/publish", [])
    assert refused.status_code == 409 and "Only 1 response has changed since the last version" in refused.text
    assert "wait until at least 10 responses have changed" in refused.text
    assert client.get(f"/consultations/{SLUG}/report/v/2").status_code == 404
    for number in range(2, 11):
        run(add_response(consultation_id, number))
    publish(officer_client)
    second = client.get(f"/consultations/{SLUG}/report/v/2/report.json").json()
    assert second["n_responses"] == 70 and second["actions"][0]["action"] == "Something new"
    latest = client.get(f"/consultations/{SLUG}/report")
    assert "Version 2" in latest.text and "/report/v/1" in latest.text
    assert "older version" in client.get(f"/consultations/{SLUG}/report/v/1").text
    assert client.get(f"/consultations/{SLUG}/report/v/9").status_code == 404
    assert f'href="/consultations/{SLUG}/report"' in client.get(f"/consultations/{SLUG}").text
    assert "report_published" in audit_actions()


def test_public_and_cabinet_pages_have_no_personal_data(officer_client, cabinet_client, client):
    run(seed())
    publish(officer_client)
    references = [row["reference"] for row in run(SurveyResponse.select(SurveyResponse.reference).run())]
    pages = [client.get(f"/consultations/{SLUG}/report").text,
             client.get(f"/consultations/{SLUG}/report/v/1/report.json").text,
             client.get(f"/consultations/{SLUG}/report/v/1/report.csv").text,
             cabinet_client.get("/cabinet/reports").text]
    for text in pages:
        assert NAME not in text and "officer@" not in text
        assert not any(reference in text for reference in references)
    assert "We asked, you said, we did" in pages[3]
    document = json.loads(pages[1])
    assert document["format"] == "civicpanel-you-said" and "themes" in document and "actions" in document
    about_you = {breakdown["group_key"] for breakdown in document["breakdowns"]}
    assert all(not option["suppressed"] for question in document["questions"] if question["key"] not in about_you
               for option in question["options"])
    hidden = [cell for b in document["breakdowns"] for g in b["groups"] for cell in g["cells"] if cell["suppressed"]]
    assert hidden and all(cell["count"] is None for cell in hidden)
    for cell in hidden:  # one label, whatever the reason: a reason would narrow the figure down
        assert cell["suppression"] == "hidden" and cell["display"] == "[x] hidden to protect privacy"


def test_draft_downloads_are_for_officers_only(officer_client, cabinet_client, client):
    run(seed())
    assert officer_client.get(f"{BASE}/report.pdf").content.startswith(b"%PDF")
    assert officer_client.get(f"{BASE}/report.csv").text.startswith("section,question_key")
    assert cabinet_client.get(BASE).status_code == 403
    assert client.get(BASE, follow_redirects=False).status_code in (302, 303, 401)


def test_commitments_report_links_to_citing_reports(officer_client, cabinet_client):
    from analysis.charter.demo import load_demo_charter
    from analysis.commitments.demo import load_demo_commitments

    run(load_demo_charter())
    run(load_demo_commitments())
    run(seed())
    from analysis.reports.store import commitment_choices

    choice = run(commitment_choices())[0]
    good = send(officer_client, f"{BASE}/actions", [("action", "Follow up the charter"), ("owner", "Data team"),
                                                    ("commitments", choice["value"])])
    assert good.status_code == 303
    publish(officer_client)
    report = cabinet_client.get(f"/cabinet/commitments/{choice['charter']}/").text
    assert f"/consultations/{SLUG}/report/v/1" in report


def test_a_published_pdf_is_drawn_once_per_version_and_again_when_its_content_changes(officer_client, client,
                                                                                       monkeypatch):
    """The public PDF was drawn again on every request (0.8 s of CPU each): anyone could keep the
    workers busy by asking for it."""
    from analysis.tables import ReportVersion
    from server.controllers.reports import public

    drawn = []
    real = public.report_pdf
    monkeypatch.setattr(public, "report_pdf", lambda *args, **kwargs: drawn.append(1) or real(*args, **kwargs))
    run(seed())
    send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("census_file", "camden-2021.csv")])
    publish(officer_client)
    url = f"/consultations/{SLUG}/report/v/1/report.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert [client.get(url).content for _ in range(3)] == [first.content] * 3
    assert len(drawn) == 1
    publish(officer_client)
    assert client.get(f"/consultations/{SLUG}/report/v/2/report.pdf").content.startswith(b"%PDF")
    assert len(drawn) == 2
    # A version whose stored content is corrected (a quote taken out on erasure) is drawn again.
    row = run(ReportVersion.select().where(ReportVersion.version == 1).first().run())
    corrected = row["html"].replace("To write our Data Charter", "Corrected purpose")
    assert corrected != row["html"]
    run(ReportVersion.update({ReportVersion.html: corrected}).where(ReportVersion.id == row["id"]).run())
    assert client.get(url).content.startswith(b"%PDF")
    assert len(drawn) == 3


def test_a_summary_too_long_for_a_phone_is_refused_at_publication_and_warned_on_the_draft(officer_client, client):
    run(seed())
    long_findings = "\n".join(["Most residents who answered want the council to publish every data sharing agreement "
                               "it signs, with the date it was last reviewed."] * 4)
    send(officer_client, BASE, [("purpose", "To hear residents. We then wrote the charter with the Resident Panel."),
                                ("findings", long_findings), ("census_file", "camden-2021.csv")])
    draft = officer_client.get(BASE).text
    assert "too long for the first screen of a phone" in draft
    refused = send(officer_client, f"{BASE}/publish", [])
    assert refused.status_code == 409 and "Shorten the first sentence of “We asked”" in refused.text
    assert client.get(f"/consultations/{SLUG}/report").status_code == 404
    send(officer_client, BASE, [("purpose", "To hear residents. We then wrote the charter with the Resident Panel."),
                                ("findings", long_findings.splitlines()[0]), ("census_file", "camden-2021.csv")])
    assert "too long for the first screen" not in officer_client.get(BASE).text
    publish(officer_client)
    page = client.get(f"/consultations/{SLUG}/report").text
    we_asked = page[page.index('id="we-asked"'):page.index('id="you-said"')]
    assert "To hear residents." in we_asked and "Resident Panel" not in we_asked
    why = page[page.index('id="why-we-asked"'):page.index('id="results"')]
    assert "To hear residents. We then wrote the charter with the Resident Panel." in why


def test_the_draft_pdf_is_drawn_once_per_content(officer_client, monkeypatch):
    """The draft's PDF was drawn on every request (two seconds at ten times the demo): it is now
    kept until the report's content changes, as published versions are."""
    from server.controllers.reports import officer

    drawn = []
    real = officer.report_pdf
    monkeypatch.setattr(officer, "report_pdf", lambda *args, **kwargs: drawn.append(1) or real(*args, **kwargs))
    run(seed())
    send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("census_file", "camden-2021.csv")])
    first = officer_client.get(f"{BASE}/report.pdf")
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert officer_client.get(f"{BASE}/report.pdf").content == first.content and len(drawn) == 1
    send(officer_client, BASE, [("purpose", "To write our Data Charter with residents"), ("census_file", "camden-2021.csv")])
    assert officer_client.get(f"{BASE}/report.pdf").content.startswith(b"%PDF") and len(drawn) == 2
