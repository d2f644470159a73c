"""Reviews against the charter over HTTP: an officer puts a case study under review, members rate
it through their private link, a facilitator enters a session's paper forms, nothing shows while
it is open, and once it ends the panel's view (counts per principle, reasons grouped) is published
on the case study with the council's reply beside it; no table or page joins a member to a rating."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from piccolo.columns import ForeignKey, Timestamp, Timestamptz
from piccolo.conf.apps import Finder

from analysis.tables import Charter, Principle
from common.clock import council_today
from common.tokens import hash_token
from panels.tables import Panel, PanelSession, Volunteer
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form, send

JOINED = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
MEMBERS = ("ALPHA1", "BRAVO2", "CHARL3", "DELTA4")
"""Confirmed members (ids 201 to 204); each one's private-link token is ``token-<reference>``."""


async def _setting() -> dict:
    panel = Panel(name="Resident Panel 2026", slug="panel-2026", year=2026, panel_size=4)
    await panel.save().run()
    session = PanelSession(panel=panel.id, title="Day two", held_on=date(2026, 5, 23), starts_at=time(10),
                           ends_at=time(16), place="Crowndale Centre")
    await session.save().run()
    await Volunteer.insert(*[Volunteer(id=201 + number, panel=panel.id, reference=f"RP-{ref}", full_name=f"Member {ref}",
                                       email=f"{ref.lower()}@example.com", token_hash=hash_token(f"token-{ref}"),
                                       status="confirmed", consent_at=JOINED, registered_at=JOINED, link_active_at=JOINED)
                             for number, ref in enumerate(MEMBERS)]).run()
    charter = Charter(slug="data-charter", name="Data Charter", organisation="Council", adopted_on=date(2022, 1, 19))
    await charter.save().run()
    first = Principle(charter=charter.id, number=1, title="Build trust through transparency")
    second = Principle(charter=charter.id, number=2, title="Provide accountability")
    await first.save().run()
    await second.save().run()
    study = await make_case_study("debt-early-help")
    return {"panel_id": int(panel.id), "session_id": int(session.id), "charter_id": int(charter.id),
            "p1": int(first.id), "p2": int(second.id), "study_id": study}


def _open_review(officer, setting: dict, **overrides) -> int:
    closes = council_today() + timedelta(days=7)
    form = {"charter": str(setting["charter_id"]), "case_study": str(setting["study_id"]), "title": "",
            "description": "", "closes_on-day": str(closes.day), "closes_on-month": str(closes.month),
            "closes_on-year": str(closes.year), **overrides}
    response = post_form(officer, f"/officer/panels/{setting['panel_id']}/reviews/", form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.search(r"/reviews/(\d+)", response.headers["location"]).group(1))


def _rate(client, review_id: int, reference: str, ratings: dict[int, str], reasons: dict[int, str] | None = None):
    pairs = [(f"p{pid}", rating) for pid, rating in ratings.items()]
    pairs += [(f"p{pid}-reason", text) for pid, text in (reasons or {}).items()]
    return send(client, f"/my-panel/token-{reference}/reviews/{review_id}", pairs)


@pytest.fixture
def reviewed(client, officer_client, staff_client):
    """A review of the case study: ALPHA1 and BRAVO2 rate online, CHARL3 hands in a paper form
    at the session, entered by a facilitator."""
    setting = run(_setting())
    review_id = _open_review(officer_client, setting)
    p1, p2 = setting["p1"], setting["p2"]
    assert _rate(client, review_id, "ALPHA1", {p1: "meets", p2: "partly"},
                 {p1: "The case study says plainly what data is used."}).status_code == 303
    assert _rate(client, review_id, "BRAVO2", {p1: "does_not_meet", p2: "cant_tell"},
                 {p1: "Nobody is told their record was matched."}).status_code == 303
    facilitator = staff_client("facilitator")
    response = send(facilitator, f"/facilitator/panels/{setting['panel_id']}/reviews/{review_id}", [
        ("session", str(setting["session_id"])), ("forms", "1"), ("members", "203"),
        (f"p{p1}-partly", "1"), (f"p{p1}-partly-reasons", "Letters explain it, the website does not."),
        (f"p{p2}-does_not_meet", "1")])
    assert response.status_code == 303, response.text
    return {**setting, "review_id": review_id, "facilitator": facilitator}


def test_an_officer_is_told_what_is_missing_and_keeps_what_was_typed(client, officer_client):
    setting = run(_setting())
    response = post_form(officer_client, f"/officer/panels/{setting['panel_id']}/reviews/", {
        "charter": str(setting["charter_id"]), "case_study": "", "title": "Parking permits by postcode",
        "description": "", "closes_on-day": "31", "closes_on-month": "2", "closes_on-year": "2027"})
    assert response.status_code == 422
    assert "Describe the project for the panel" in response.text and "real date" in response.text
    assert 'value="Parking permits by postcode"' in response.text


def test_members_rate_once_and_must_rate_every_principle(client, officer_client, reviewed):
    review_id, p1 = reviewed["review_id"], reviewed["p1"]
    page = client.get(f"/my-panel/token-DELTA4").text
    assert f"/my-panel/token-DELTA4/reviews/{review_id}" in page
    missing = _rate(client, review_id, "DELTA4", {p1: "meets"})
    assert missing.status_code == 422 and "Choose how well it meets this principle" in missing.text
    assert 'value="meets" checked' in missing.text
    again = _rate(client, review_id, "ALPHA1", {p1: "meets", reviewed["p2"]: "meets"})
    assert again.status_code == 422 and "already rated" in again.text
    paper = client.get(f"/my-panel/token-CHARL3/reviews/{review_id}").text
    assert 'id="already-rated"' in paper  # ticked off at the session: no second rating online


def test_nothing_is_shown_while_the_review_is_open(client, officer_client, reviewed):
    officer_page = officer_client.get(f"/officer/panels/{reviewed['panel_id']}/reviews/{reviewed['review_id']}").text
    assert "3 members have rated it." in officer_page
    assert "Ratings against principle" not in officer_page and "Nobody is told" not in officer_page
    assert "The Resident Panel's view" not in client.get("/case-studies/debt-early-help").text
    assert client.get(f"/panels/panel-2026/reviews/{reviewed['review_id']}").status_code == 404


def test_a_facilitator_enters_a_session_once_and_is_told_what_is_wrong(reviewed):
    facilitator, url = reviewed["facilitator"], f"/facilitator/panels/{reviewed['panel_id']}/reviews/{reviewed['review_id']}"
    page = facilitator.get(url).text
    assert "Member DELTA4 (RP-DELTA4)" in page and "Member CHARL3" not in page  # CHARL3 has rated
    assert "delta4@example.com" not in page
    wrong = send(facilitator, url, [("session", str(reviewed["session_id"])), ("forms", "2"), ("members", "204"),
                                    (f"p{reviewed['p1']}-meets", "3")])
    assert wrong.status_code == 422
    assert "Tick the 2 members who handed in a form" in wrong.text
    assert "cannot add up to more than the forms" in wrong.text
    twice = send(facilitator, url, [("session", str(reviewed["session_id"])), ("forms", "1"), ("members", "204")])
    assert twice.status_code == 422 and "already been entered" in twice.text


def test_the_panels_view_and_the_councils_reply_are_published_on_the_case_study(client, officer_client, reviewed):
    panel_id, review_id = reviewed["panel_id"], reviewed["review_id"]
    base = f"/officer/panels/{panel_id}/reviews/{review_id}"
    early = post_form(officer_client, f"{base}/reply", {"reply": "Too soon"}, follow_redirects=False)
    assert early.status_code == 422 and "once the review has ended" in early.text
    assert post_form(officer_client, f"{base}/close", {}, follow_redirects=False).status_code == 303
    assert post_form(officer_client, f"{base}/reply", {"reply": ""}, follow_redirects=False).status_code == 422
    reply = "We will write to every household whose record is matched, from April 2027."
    assert post_form(officer_client, f"{base}/reply", {"reply": reply}, follow_redirects=False).status_code == 303
    page = client.get("/case-studies/debt-early-help").text
    assert "The Resident Panel's view" in page
    assert "3 members of the Resident Panel 2026 rated this" in page
    view = page[page.index('id="panel-review-'):]
    first = view[view.index("Principle 1: Build trust through transparency"):view.index("Principle 2:")]
    numbers = re.findall(r'govuk-table__cell--numeric">\s*(\d+)', first)
    assert numbers == ["1", "1", "1", "0"]  # meets, partly, does not meet, can't tell
    assert first.index("Reasons given: Meets the principle") < first.index("The case study says plainly")
    assert first.index("Reasons given: Partly meets it") < first.index("Letters explain it, the website does not.")
    assert reply in page and "The council's reply" in page
    assert client.get(f"/panels/panel-2026/reviews/{review_id}").status_code == 200


def test_no_table_or_page_joins_a_member_to_a_rating(client, officer_client, reviewed):
    """A row that names or points to a member holds no rating, and a row with a rating has no
    member and no time; ALPHA1's pages read as BRAVO2's once their names are swapped."""
    from server.app import ROUTE_HANDLERS  # noqa: F401  (every app's tables are imported)

    ratings = {"meets", "partly", "does_not_meet", "cant_tell"}
    member_ids = {201, 202, 203, 204}
    keys = ("RP-ALPHA1", "alpha1@example.com", "Member ALPHA1", hash_token("token-ALPHA1"))
    joined = []
    for table in Finder().get_table_classes():
        points_to_member = [c._meta.name for c in table._meta.columns
                            if isinstance(c, ForeignKey) and c._foreign_key_meta.resolved_references is Volunteer]
        if "rating" in {c._meta.name for c in table._meta.columns}:
            assert not points_to_member, table
            assert not [c for c in table._meta.columns if isinstance(c, (Timestamp, Timestamptz))], table
        for row in run(table.select().run()):
            texts = [str(value) for value in row.values()]
            names_member = any(key in text for key in keys for text in texts) or any(
                row[name] in member_ids for name in points_to_member)
            if names_member and (ratings & set(texts)):
                joined.append((table._meta.tablename, row))
    assert joined == []
    post_form(officer_client, f"/officer/panels/{reviewed['panel_id']}/reviews/{reviewed['review_id']}/close", {})

    def about(reference: str, volunteer_id: int) -> str:
        pages = [client.get(f"/my-panel/token-{reference}").text,
                 client.get(f"/my-panel/token-{reference}/reviews/{reviewed['review_id']}").text,
                 client.get(f"/your-data/token-{reference}/download.json").text,
                 officer_client.get(f"/officer/panels/{reviewed['panel_id']}/volunteers/{volunteer_id}").text]
        text = "\n".join(pages).replace(reference, "REF").replace(reference.lower(), "ref")
        text = re.sub(rf'(/|value="){volunteer_id}(?=["/?])', r"\1ID", text)
        text = re.sub(r'"generated_at": "[^"]+"', "", text)
        return re.sub(r'name="_csrf_token" value="[^"]+"', "", text)

    assert about("ALPHA1", 201) == about("BRAVO2", 202)


def test_a_project_described_for_the_panel_gets_a_public_page_once_ended(client, officer_client):
    setting = run(_setting())
    review_id = _open_review(officer_client, setting, case_study="", title="Predicting rent arrears",
                             description="A model trained on five years of rent accounts flags tenants to call.")
    post_form(officer_client, f"/officer/panels/{setting['panel_id']}/reviews/{review_id}/close", {})
    listing = client.get("/panels/panel-2026/recommendations/").text
    assert f"/panels/panel-2026/reviews/{review_id}" in listing
    page = client.get(f"/panels/panel-2026/reviews/{review_id}").text
    assert "Predicting rent arrears" in page and "A model trained on five years" in page
    assert "0 members of the Resident Panel 2026 rated this" in page
