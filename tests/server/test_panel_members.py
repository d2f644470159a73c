"""After the draw: drop-outs and released invitations with a reason, replacements that keep every
quota, session materials on members' private pages, the pool's feasibility fragment, and the
cabinet's aggregate page without personal data."""

from __future__ import annotations

import re

import pytest

from panels.membership import quota_fit
from panels.store import load_quotas
from server.tables import AuditEntry, OutboxEmail
from tests.factories.panels import create_panel, fill_pool, registration, send_invitations, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def _volunteers(panel_id: int) -> list[dict]:
    from panels.tables import Volunteer

    return run(Volunteer.select().where(Volunteer.panel == panel_id).order_by(Volunteer.id).run())


def _token_of(email_address: str, subject_start: str) -> str:
    email = run(OutboxEmail.select(OutboxEmail.body).where(OutboxEmail.to_address == email_address,
                                                          OutboxEmail.subject.like(f"{subject_start}%")).first().run())
    return re.search(r"/my-panel/(\S+)", email["body"]).group(1)


def _select_and_draw(officer_client, panel_id: int, *, kind: str, seed: str) -> None:
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": kind}, follow_redirects=False)
    assert started.status_code == 303
    run_url = started.headers["location"]
    page = officer_client.get(run_url)
    assert "Draw" in page.text, page.text[-2000:]
    drawn = post_form(officer_client, run_url + "/draw", {"seed": seed}, follow_redirects=False)
    assert drawn.status_code == 303, drawn.text[-2000:]
    send_invitations(officer_client, panel_id)


@pytest.mark.slow
def test_drop_out_and_no_reply_are_replaced_and_the_panel_still_meets_every_quota(client, officer_client,
                                                                                   cabinet_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    _select_and_draw(officer_client, panel_id, kind="selection", seed="first seed 1 2 3")
    invited = [row for row in _volunteers(panel_id) if row["status"] == "selected"]
    assert len(invited) == 6
    tokens = {row["id"]: _token_of(row["email"], "You have been chosen") for row in invited}
    decliner, dropper, silent = invited[0], invited[1], invited[5]
    post_form(client, f"/my-panel/{tokens[decliner['id']]}/respond", {"answer": "decline"})
    for row in invited[1:5]:
        post_form(client, f"/my-panel/{tokens[row['id']]}/respond", {"answer": "confirm"})

    members = officer_client.get(f"/officer/panels/{panel_id}/members")
    assert "Choose replacements for 1 seats" in members.text
    assert "People invited who have not replied yet keep their seat" in members.text
    withdraw_url = f"/officer/panels/{panel_id}/members/{dropper['id']}/withdraw"
    assert "Mark as dropped out" in officer_client.get(withdraw_url).text

    empty = post_form(officer_client, withdraw_url, {"reason": "   "})
    assert empty.status_code == 422
    assert "There is a problem" in empty.text and "Enter the reason" in empty.text
    too_long = post_form(officer_client, withdraw_url, {"reason": "x" * 501})
    assert too_long.status_code == 422 and "500 characters or fewer" in too_long.text and "x" * 501 in too_long.text
    done = post_form(officer_client, withdraw_url, {"reason": "Moved out of the borough"}, follow_redirects=False)
    assert done.status_code == 303
    again = post_form(officer_client, withdraw_url, {"reason": "twice"})
    assert again.status_code == 404  # no longer holds a seat
    declined_url = f"/officer/panels/{panel_id}/members/{decliner['id']}/withdraw"
    assert officer_client.get(declined_url).status_code == 404
    released = post_form(officer_client, f"/officer/panels/{panel_id}/members/{silent['id']}/withdraw",
                         {"reason": "No reply by the reply date"}, follow_redirects=False)
    assert released.status_code == 303
    assert cabinet_client.get(withdraw_url, follow_redirects=False).status_code == 403

    entries = run(AuditEntry.select(AuditEntry.action, AuditEntry.object_id, AuditEntry.reason).where(
        AuditEntry.action.like("member_%")).run())
    assert {(e["action"], e["object_id"], e["reason"]) for e in entries} == {
        ("member_dropped_out", dropper["reference"], "Moved out of the borough"),
        ("member_no_reply", silent["reference"], "No reply by the reply date")}
    assert "no longer a member" in client.get(f"/my-panel/{tokens[dropper['id']]}").text
    assert "invitation has closed" in client.get(f"/my-panel/{tokens[silent['id']]}").text
    assert post_form(client, f"/my-panel/{tokens[silent['id']]}/respond", {"answer": "confirm"}).status_code == 200
    members = officer_client.get(f"/officer/panels/{panel_id}/members?withdrawn={dropper['reference']}")
    assert "Choose replacements for 3 seats" in members.text and "Moved out of the borough" in members.text
    assert f"{dropper['reference']} no longer holds a seat" in members.text
    spoofed = officer_client.get(f"/officer/panels/{panel_id}/members?withdrawn=Everyone+has+left")
    assert "Everyone has left" not in spoofed.text

    _select_and_draw(officer_client, panel_id, kind="replacement", seed="replacement seed 9")
    after = {row["id"]: row for row in _volunteers(panel_id)}
    assert after[decliner["id"]]["status"] == "declined"
    assert after[dropper["id"]]["status"] == "dropped_out"
    assert after[silent["id"]]["status"] == "no_reply"  # never re-drawn, not even by the private link
    seated = [row for row in after.values() if row["status"] in ("selected", "confirmed")]
    assert len(seated) == 6
    assert sum(1 for row in seated if row["id"] not in {r["id"] for r in invited}) == 3
    import json
    fit = quota_fit(run(load_quotas(panel_id)), [json.loads(row["answers"]) for row in seated])
    assert fit and all(row.met for row in fit), [(r.category, r.seats, r.quota_min, r.quota_max) for r in fit]
    page = officer_client.get(f"/officer/panels/{panel_id}/members")
    table = page.text[page.text.index('id="quota-fit"'):]
    assert ">No</td>" not in table[:table.index("</table>")]
    assert "Choose replacements" not in page.text
    replacement_emails = run(OutboxEmail.count().where(OutboxEmail.subject.like("You have been chosen%")).run())
    assert replacement_emails == 9


def test_session_materials_are_checked_escaped_and_shown_to_confirmed_members(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    post_form(client, f"/panels/{slug}/register", registration(1, "Female", 40))
    post_form(client, f"/panels/{slug}/register", registration(2, "Male", 50))
    from panels.tables import PanelSession, Volunteer

    sessions = run(PanelSession.select(PanelSession.id).where(PanelSession.panel == panel_id).order_by(PanelSession.id).run())
    url = f"/officer/panels/{panel_id}/materials"
    assert officer_client.get(url).status_code == 200

    bad = post_form(officer_client, url, {"session": "panel", "title": "", "url": "javascript:alert(1)", "body": ""})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text and "Enter a title" in bad.text and "starting with https://" in bad.text
    assert 'value="javascript:alert(1)"' in bad.text  # input kept
    for link in ("ftp://example.org/x", "https:///nohost", "/relative/path", "https://exa mple.org"):
        response = post_form(officer_client, url, {"session": "panel", "title": "T", "url": link})
        assert response.status_code == 422, link
    neither = post_form(officer_client, url, {"session": "panel", "title": "Nothing", "url": "", "body": "  "})
    assert neither.status_code == 422 and "Enter a link or some text" in neither.text
    other_panel = create_panel(officer_client, name="Another panel")
    foreign = run(PanelSession.select(PanelSession.id).where(PanelSession.panel == other_panel).first().run())["id"]
    wrong = post_form(officer_client, url, {"session": str(foreign), "title": "T", "body": "text"})
    assert wrong.status_code == 422 and "Choose a session of this panel" in wrong.text

    assert post_form(officer_client, url, {"session": "panel", "title": "Read me <b>first</b>",
                                           "body": "<script>alert('x')</script>\nSecond line"},
                     follow_redirects=False).status_code == 303
    assert post_form(officer_client, url, {"session": str(sessions[0]["id"]), "title": "Day one pack",
                                           "url": "https://example.org/day-one.pdf"},
                     follow_redirects=False).status_code == 303
    assert post_form(officer_client, url, {"session": str(sessions[1]["id"]), "title": "Old draft", "body": "gone"},
                     follow_redirects=False).status_code == 303
    assert {"panel_material_added"} <= {row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())}

    first, second = _volunteers(panel_id)
    run(Volunteer.update({Volunteer.status: "confirmed"}).where(Volunteer.id == first["id"]).run())
    member_page = client.get(f"/my-panel/{_token_of(first['email'], 'Test Resident Panel')}").text
    assert "&lt;script&gt;alert(" in member_page and "<script>alert(" not in member_page
    assert "Read me &lt;b&gt;first&lt;/b&gt;" in member_page
    assert 'href="https://example.org/day-one.pdf"' in member_page and "Day one pack" in member_page
    assert "Old draft" in member_page
    pool_page = client.get(f"/my-panel/{_token_of(second['email'], 'Test Resident Panel')}").text
    assert "Day one pack" not in pool_page and "Read me" not in pool_page  # members only

    officer_page = officer_client.get(url).text
    old_id = re.search(r'/materials/(\d+)/remove"(?:(?!</form>).)*>\s*Remove<span class="govuk-visually-hidden"> “Old draft”',
                       officer_page, re.DOTALL).group(1)
    assert post_form(officer_client, f"{url}/{old_id}/remove", follow_redirects=False).status_code == 303
    assert post_form(officer_client, f"{url}/{old_id}/remove").status_code == 404
    assert "Old draft" not in client.get(f"/my-panel/{_token_of(first['email'], 'Test Resident Panel')}").text


def test_feasibility_is_an_htmx_fragment_and_a_page_without_javascript(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    fragment_url = f"/officer/panels/{panel_id}/pool/feasibility"
    few = officer_client.get(fragment_url, headers={"HX-Request": "true"})
    assert few.status_code == 200 and "<html" not in few.text and "fewer than the 6 seats" in few.text
    for number in range(8):  # numbers fill_pool does not use: one registration per email
        post_form(client, f"/panels/{slug}/register", registration(100 + number, "Male", 30 + number))
    infeasible = officer_client.get(fragment_url, headers={"HX-Request": "true"})
    assert 'id="feasibility"' in infeasible.text and "cannot all be met" in infeasible.text
    fill_pool(client, slug)
    fragment = officer_client.get(fragment_url, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="feasibility"') and "<strong>Yes.</strong>" in fragment.text
    assert f'hx-get="{fragment_url}"' in fragment.text
    page = officer_client.get(fragment_url)
    assert "<html" in page.text and "<strong>Yes.</strong>" in page.text and "Compute selection probabilities" in page.text
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool")
    assert f'hx-get="{fragment_url}"' in pool.text and "<strong>Yes.</strong>" in pool.text  # answer already there
    assert client.get(fragment_url, follow_redirects=False).status_code in (302, 303, 401)
    quotas = officer_client.get(f"/officer/panels/{panel_id}/quotas")
    assert f'hx-get="{fragment_url}" hx-trigger="load"' in quotas.text  # re-checked after quotas change
    assert f'<a class="govuk-link" href="{fragment_url}">See whether the pool can meet these quotas</a>' in quotas.text  # without JS


def test_cabinet_panel_page_shows_aggregates_without_personal_data(client, officer_client, cabinet_client):
    panel_id = create_panel(officer_client, name="Aggregate Panel")
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    page = cabinet_client.get("/cabinet/panels")
    assert page.status_code == 200
    text = page.text
    assert "Aggregate Panel" in text and "fewer than 10" in text
    assert re.search(r"<dt[^>]*>\s*Volunteers in the pool\s*</dt>\s*<dd[^>]*>\s*25\s*</dd>", text)  # 24, rounded to 5
    assert re.search(r"<dt[^>]*>\s*Sessions held\s*</dt>\s*<dd[^>]*>\s*\d of 2\s*</dd>", text)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">10</td>' in text  # 12 men and 12 women, rounded to 5
    for row in _volunteers(panel_id):
        for value in (row["full_name"], row["email"], row["postcode"], row["reference"], row["address"]):
            assert value not in text, value
    assert "RP-" not in text and "@example.com" not in text
    assert "/cabinet/panels" in cabinet_client.get("/cabinet").text
    assert officer_client.get("/cabinet/panels").status_code == 200
    assert client.get("/cabinet/panels", follow_redirects=False).status_code in (302, 303, 401)
