"""Recommendations over HTTP, from the officer's draft to the council's answer on the public page:
drafting, merging with both histories, a vote with a threshold fixed before it opens, online and
paper ballots, the response and its commitment linked both ways, the members' view of it, the
open data API; and the ballot's secrecy: no table, page or export joins a member to a choice."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from piccolo.columns import ForeignKey, Timestamp, Timestamptz
from piccolo.conf.apps import Finder

from analysis.tables import Charter, Principle
from common.clock import council_today
from common.tokens import hash_token
from panels.tables import Panel, PanelSession, RecommendationVote, Volunteer
from tests.support.database import run
from tests.support.http import post_form, send

JOINED = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
MEMBERS = ("ALPHA1", "BRAVO2", "CHARL3", "DELTA4")
"""References of the confirmed members (ids 101 to 104, apart from every other id in these tests) (each one's private-link token is ``token-<reference>``)."""


async def _panel_with_members() -> int:
    panel = Panel(name="Resident Panel 2026", slug="panel-2026", year=2026, panel_size=4)
    await panel.save().run()
    await PanelSession(panel=panel.id, title="Day three", held_on=date(2026, 5, 30), starts_at=time(10),
                       ends_at=time(16), place="Crowndale Centre").save().run()
    await Volunteer.insert(*[Volunteer(id=101 + number, panel=panel.id, reference=f"RP-{ref}", full_name=f"Member {ref}",
                                       email=f"{ref.lower()}@example.com", token_hash=hash_token(f"token-{ref}"),
                                       status="confirmed", consent_at=JOINED, registered_at=JOINED, link_active_at=JOINED)
                             for number, ref in enumerate(MEMBERS)]).run()
    charter = Charter(slug="data-charter", name="Data Charter", organisation="Council", adopted_on=date(2022, 1, 19))
    await charter.save().run()
    await Principle.insert(Principle(charter=charter.id, number=1, title="Build trust through transparency"),
                           Principle(charter=charter.id, number=2, title="Provide accountability")).run()
    return int(panel.id)


def _volunteer_id(reference: str) -> int:
    return run(Volunteer.select(Volunteer.id).where(Volunteer.reference == f"RP-{reference}").first().run())["id"]


def _session_id() -> int:
    return run(PanelSession.select(PanelSession.id).first().run())["id"]


def _draft(officer, panel_id: int, title: str, text: str) -> None:
    response = post_form(officer, f"/officer/panels/{panel_id}/recommendations/",
                         {"title": title, "text": text, "note": "Tables 1 and 2"}, follow_redirects=False)
    assert response.status_code == 303, response.text


def _open_vote(officer, panel_id: int, ids: list[int], threshold: str = "80") -> int:
    closes = council_today() + timedelta(days=7)
    response = send(officer, f"/officer/panels/{panel_id}/recommendations/votes/new", [
        ("title", "Day three recommendations"), ("threshold", threshold), ("closes_on-day", str(closes.day)),
        ("closes_on-month", str(closes.month)), ("closes_on-year", str(closes.year)),
        *[("recommendations", str(rid)) for rid in ids]])
    assert response.status_code == 303, response.text
    return int(re.search(r"/votes/(\d+)", response.headers["location"]).group(1))


def _vote(client, vote_id: int, reference: str, grades: dict[int, str]):
    return send(client, f"/my-panel/token-{reference}/votes/{vote_id}", [(f"r{rid}", grade) for rid, grade in grades.items()])


@pytest.fixture
def voted(client, officer_client):
    """Three recommendations drafted (the third merged into the second), a vote on two of them:
    ALPHA1 strongly supports both online, BRAVO2 strongly opposes both online, CHARL3 and DELTA4
    hand in paper ballots at the session (R1: support and can live with it; R2: both oppose)."""
    panel_id = run(_panel_with_members())
    _draft(officer_client, panel_id, "Publish every data sharing agreement", "Publish all data sharing agreements.")
    _draft(officer_client, panel_id, "Tell residents about data use", "Write to residents about how data is used.")
    _draft(officer_client, panel_id, "Plain English notices", "Use plain English in privacy notices.")
    from panels.recommendations import list_recommendations

    first, second, third = (item.id for item in run(list_recommendations(panel_id)))
    merged = post_form(officer_client, f"/officer/panels/{panel_id}/recommendations/merge", {
        "keep": str(second), "merge": str(third), "title": "Explain data use in plain English",
        "text": "Write to residents, in plain English, about how their data is used."}, follow_redirects=False)
    assert merged.status_code == 303, merged.text
    vote_id = _open_vote(officer_client, panel_id, [first, second])
    assert _vote(client, vote_id, "ALPHA1", {first: "strongly_support", second: "strongly_support"}).status_code == 303
    assert _vote(client, vote_id, "BRAVO2", {first: "strongly_oppose", second: "strongly_oppose"}).status_code == 303
    paper = send(officer_client, f"/officer/panels/{panel_id}/recommendations/votes/{vote_id}/paper", [
        ("session", str(_session_id())), ("ballots", "2"), ("voters", str(_volunteer_id("CHARL3"))),
        ("voters", str(_volunteer_id("DELTA4"))), (f"r{first}-support", "1"), (f"r{first}-live_with", "1"),
        (f"r{second}-oppose", "2")])
    assert paper.status_code == 303, paper.text
    return {"panel_id": panel_id, "vote_id": vote_id, "first": first, "second": second, "third": third}


def test_from_draft_to_the_council_answer_on_the_public_page(client, officer_client, cabinet_client, voted):
    """With the form errors on the way, and cabinet's list of recommendations waiting for an answer."""
    panel_id, vote_id, first, second = voted["panel_id"], voted["vote_id"], voted["first"], voted["second"]
    base = f"/officer/panels/{panel_id}/recommendations"

    empty = post_form(officer_client, f"{base}/", {"title": "A title kept", "text": ""})
    assert empty.status_code == 422 and "There is a problem" in empty.text and "A title kept" in empty.text
    fixed = post_form(officer_client, f"{base}/{first}", {"title": "Changed", "text": "Changed"})
    assert fixed.status_code == 422 and "wording can no longer change" in fixed.text
    threshold = send(officer_client, f"{base}/votes/new", [("title", "Vote"), ("threshold", "30")])
    assert threshold.status_code == 422 and "from 50 to 100" in threshold.text
    assert send(client, f"/my-panel/token-ALPHA1/votes/{vote_id}", []).status_code == 422
    assert client.get(f"/my-panel/not-a-token/votes/{vote_id}").status_code == 404

    history = officer_client.get(f"{base}/{second}").text  # the merged one keeps both histories
    assert "Merged R2 and R3" in history and "Write to residents about how data is used." in history
    assert "Use plain English in privacy notices." in history and "R3: Tables 1 and 2" in history

    # A member votes once; the ballot cannot be changed; totals are hidden while the vote runs.
    again = _vote(client, vote_id, "ALPHA1", {first: "oppose", second: "oppose"})
    assert again.status_code == 422 and "already voted" in again.text
    running = officer_client.get(f"{base}/votes/{vote_id}").text
    assert "4 members have voted." in running and "totals are shown here once the vote has ended" in running
    assert "Strongly oppose</span>" not in running
    assert post_form(officer_client, f"{base}/votes/{vote_id}/close", follow_redirects=False).status_code == 303
    closed = officer_client.get(f"{base}/votes/{vote_id}").text
    assert "3 of 4 ballots in support (75%); 80% needed." in closed and "Not adopted" in closed
    assert "1 of 4 ballots in support (25%)" in closed
    assert _vote(client, vote_id, "DELTA4", {first: "support", second: "support"}).status_code == 422

    # Cabinet sees adopted recommendations without an answer some weeks after the vote: lower the
    # threshold to 75% (R1 is adopted, R2 still not) and end the vote ten weeks ago.
    ended = council_today() - timedelta(weeks=10)
    run(RecommendationVote.update({RecommendationVote.threshold_percent: 75, RecommendationVote.opened_on: ended,
                                   RecommendationVote.closed_on: ended}).where(RecommendationVote.id == vote_id).run())
    home = cabinet_client.get("/cabinet/").text
    assert "awaiting-answer" in home and "Publish every data sharing agreement" in home and "waiting 10 weeks" in home
    assert "Explain data use in plain English" not in home

    # The council's answer, a new commitment from it, and the members' view of the answer.
    saved = send(officer_client, f"{base}/{first}/response/", [
        ("outcome", "accepted"), ("reasons", "We will publish the register."), ("decision", "Cabinet, 19 January 2022"),
        ("decided_on-day", "19"), ("decided_on-month", "1"), ("decided_on-year", "2022"), ("owner", "Information Governance")])
    assert saved.status_code == 303, saved.text
    assert "awaiting-answer" not in cabinet_client.get("/cabinet/").text
    created = send(officer_client, f"{base}/{first}/response/commitments/new", [
        ("charter", "data-charter"), ("key", "9"), ("title", "Publish the data sharing register"),
        ("deadline_date-day", "30"), ("deadline_date-month", "6"), ("deadline_date-year", "2022"), ("principles", "1")])
    assert created.status_code == 303, created.text
    rated = send(client, f"/my-panel/token-ALPHA1/responses/{first}", [("rating", "partly"), ("comment", "Sooner, please.")])
    assert rated.status_code == 303
    assert "You have given your view" in client.get(f"/my-panel/token-ALPHA1/responses/{first}").text

    public = client.get("/panels/panel-2026/recommendations").text
    assert "What the Resident Panel recommended and what the council did" in public
    assert "We will publish the register." in public and "Cabinet, 19 January 2022" in public
    assert "Publish the data sharing register" in public and "1 member gave their view." in public
    assert "Sooner, please." not in public  # comments go to officers; counts are published
    assert all(f"/panels/panel-2026/recommendations/report.{kind}" in public for kind in ("pdf", "csv", "json"))
    assert "panel-recommendations-link" in client.get("/panels/panel-2026").text
    source = client.get("/charter/data-charter/commitments/9").text
    assert "Where this commitment came from" in source and "Publish every data sharing agreement" in source

    api = client.get(f"/api/panels/{panel_id}/recommendations").json()
    assert [item["number"] for item in api] == [1, 2]
    assert api[0]["votes"] == {"strongly_support": 1, "support": 1, "live_with": 1, "oppose": 0, "strongly_oppose": 1}
    assert api[0]["adopted"] is True and api[0]["support_percent"] == 75.0 and api[1]["adopted"] is False
    assert api[0]["response"]["outcome"] == "accepted" and api[0]["response"]["decided_on"] == "2022-01-19"
    assert api[0]["commitments"][0]["id"] == "9" and api[0]["commitments"][0]["status"] == "overdue"
    assert api[0]["panel_view_total"] == 1 and all(f["count"] is None for f in api[0]["panel_view"])
    assert client.get("/api/panels").json() == [{"id": panel_id, "slug": "panel-2026", "name": "Resident Panel 2026", "year": 2026}]
    schema = client.get("/api/schema/openapi.json").json()
    assert set(schema["paths"]) == {"/api/panels", "/api/panels/{panel_id}/recommendations"}

    # The panel's report as files: the same records as JSON, one CSV row each, the page printed.
    document = client.get("/panels/panel-2026/recommendations/report.json")
    assert "panel-2026-recommendations.json" in document.headers["content-disposition"]
    assert document.json()["recommendations"] == api and document.json()["panel"]["slug"] == "panel-2026"
    rows = list(csv.DictReader(io.StringIO(client.get("/panels/panel-2026/recommendations/report.csv").text)))
    assert [row["number"] for row in rows] == ["1", "2"] and rows[0]["adopted"] == "yes" and rows[1]["adopted"] == "no"
    assert rows[0]["response"] == "accepted" and rows[0]["commitments"] == "data-charter/9: overdue"
    assert rows[0]["panel_view_total"] == "1" and rows[0]["panel_view_partly"] == ""  # hidden, as on the page
    assert rows[0]["votes_live_with"] == "1" and rows[0]["support_percent"] == "75.0" and rows[1]["response"] == ""
    pdf = client.get("/panels/panel-2026/recommendations/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content)
    assert text is None or ("We will publish the register." in text and "Publish the data sharing register" in text
                            and "1 member gave their view." in text and "Follow" not in text)


MEMBER_KEYS = ("RP-ALPHA1", "alpha1@example.com", "Member ALPHA1", hash_token("token-ALPHA1"))


def test_no_table_page_or_export_joins_a_member_to_a_choice(client, officer_client, voted):
    """Every row of every table: a row that names or points to a member holds no grade or rating,
    and a row that holds a grade or rating has no member, no time finer than the day and no
    column pointing to a member. Then every page and export about ALPHA1 (who strongly supported
    both) reads the same as BRAVO2's (who strongly opposed both), once their names are swapped."""
    from server.app import ROUTE_HANDLERS  # noqa: F401  (every app's tables are imported)

    send(client, f"/my-panel/token-ALPHA1/votes/{voted['vote_id']}", [])  # nothing new: already voted
    choices = {"strongly_support", "support", "live_with", "oppose", "strongly_oppose"}
    member_ids = {_volunteer_id(ref) for ref in MEMBERS}
    joined = []
    for table in Finder().get_table_classes():
        points_to_member = [c._meta.name for c in table._meta.columns
                            if isinstance(c, ForeignKey) and c._foreign_key_meta.resolved_references is Volunteer]
        holds_choice = {"grade", "rating"} & {c._meta.name for c in table._meta.columns}
        if holds_choice:
            assert not points_to_member, table
            assert not [c for c in table._meta.columns if isinstance(c, (Timestamp, Timestamptz))], table
        for row in run(table.select().run()):
            texts = [str(value) for value in row.values()]
            names_member = any(key in text for key in MEMBER_KEYS for text in texts) or any(
                row[name] in member_ids for name in points_to_member)
            if names_member and (choices & set(texts)):
                joined.append((table._meta.tablename, row))
    assert joined == []

    vote_id, panel_id = voted["vote_id"], voted["panel_id"]
    alpha, bravo = _volunteer_id("ALPHA1"), _volunteer_id("BRAVO2")

    def about(reference: str, volunteer_id: int) -> str:
        pages = [client.get(f"/my-panel/token-{reference}").text,
                 client.get(f"/my-panel/token-{reference}/votes/{vote_id}").text,
                 client.get(f"/your-data/token-{reference}").text,
                 officer_client.get(f"/officer/panels/{panel_id}/volunteers/{volunteer_id}").text,
                 officer_client.get(f"/officer/panels/{panel_id}/recommendations/votes/{vote_id}").text]
        for path in ("/your-data/token-{ref}/download.csv", "/your-data/token-{ref}/download.json"):
            response = client.get(path.format(ref=reference))
            assert response.status_code == 200, path
            pages.append(response.text)
        text = "\n".join(pages).replace(reference, "REF").replace(reference.lower(), "ref")
        text = re.sub(rf'(/|value="){volunteer_id}(?=["/?])', r"\1ID", text)
        text = re.sub(r'"generated_at": "[^"]+"', "", text)
        return re.sub(r'name="_csrf_token" value="[^"]+"', "", text)

    import difflib
    first, second = about("ALPHA1", alpha), about("BRAVO2", bravo)
    assert first == second, "\n".join(difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="", n=0))

    # The panel's report (page, PDF, CSV, JSON) once the vote has ended: the totals, and nobody.
    closed = post_form(officer_client, f"/officer/panels/{panel_id}/recommendations/votes/{vote_id}/close",
                       follow_redirects=False)
    assert closed.status_code == 303
    exports = {"page": client.get("/panels/panel-2026/recommendations").text}
    for kind in ("csv", "json", "pdf"):
        response = client.get(f"/panels/panel-2026/recommendations/report.{kind}")
        assert response.status_code == 200, kind
        exports[kind] = response.text if kind != "pdf" else _pdf_text(response.content)
    assert "3 of 4 ballots in support" in exports["page"]
    assert exports["pdf"] is None or "3 of 4 ballots in support" in exports["pdf"]
    assert ",4,1,1,1,0,1,3,75.0,80,no," in exports["csv"]
    assert '"votes":{"strongly_support":1,"support":1,"live_with":1,"oppose":0,"strongly_oppose":1}' in exports["json"]
    identities = [key for ref in MEMBERS for key in (ref, ref.lower(), f"Member {ref}")]
    found = [(kind, key) for kind, text in exports.items() for key in identities if key in (text or "")]
    assert found == []
    assert not [kind for kind in ("csv", "json") for member_id in member_ids
                if re.search(rf"(?<![\d.]){member_id}(?![\d.])", exports[kind])]


def _pdf_text(pdf: bytes) -> str | None:
    """The PDF's text (None when poppler's pdftotext is not installed)."""
    import shutil
    import subprocess

    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
