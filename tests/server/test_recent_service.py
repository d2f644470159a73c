"""Issue #21 item 6, across years: records of who served on a panel (kept after the purge, naming
nobody), and the selection form's rule for people who served on a recent panel — left out of the
pool (and of the alternates and replacements) or given a lower chance — shown on the run page."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from common.clock import council_today
from panels.demo import PANEL_2021_SLUG, _ensure_2021, _ensure_recruiting
from panels.recruitment import recruiting_panel
from panels.service_records import person_keys, recent_members, record_service, service_hasher
from panels.tables import Panel, SelectionRun, ServiceRecord, Volunteer
from server.services.demo import load_demo_service_records
from server.services.retention import purge_personal_data
from server.tables import AuditEntry, OutboxEmail
from tests.factories.panels import create_panel, fill_pool, send_invitations, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

SERVED = ("resident0@example.com", "resident3@example.com")
"""Two members of last year's panel who registered again (``fill_pool`` gives both panels the same people)."""


def two_panels(client, officer_client) -> tuple[int, int]:
    """Last year's panel, with two members who took a seat, and the one recruiting now with the same 24
    people. The new panel is next year's (as the demo's is in December): "recent" counts back from
    the day of the run, and the officer's and the residents' pages must say the same year."""
    past = create_panel(officer_client, name="Last year's panel", year=str(council_today().year - 1))
    set_quotas(officer_client, past)
    fill_pool(client, slug_of(past))
    run(Volunteer.update({Volunteer.status: "confirmed"}).where(Volunteer.panel == past,
                                                                 Volunteer.email.is_in(list(SERVED))).run())
    current = create_panel(officer_client, name="Next year's panel", year=str(council_today().year + 1))
    set_quotas(officer_client, current)
    fill_pool(client, slug_of(current))
    return past, current


def references(panel_id: int, emails) -> set[str]:
    return {row["reference"] for row in run(Volunteer.select(Volunteer.reference).where(
        Volunteer.panel == panel_id, Volunteer.email.is_in(list(emails))).run())}


def start(officer_client, panel_id: int, **fields: str):
    return post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection", **fields},
                     follow_redirects=False)


def latest_run() -> SelectionRun:
    return run(SelectionRun.objects().order_by(SelectionRun.id, ascending=False).first().run())


def test_a_record_names_nobody_and_matches_by_name_and_birth_or_by_email():
    hasher = service_hasher("k" * 40)
    keys = person_keys(hasher, full_name="Ann O'Neill", date_of_birth=date(1980, 2, 3), email="Ann@Example.com")
    assert person_keys(hasher, full_name="ann  oneill", date_of_birth=date(1980, 2, 3), email="").name_birth == keys.name_birth
    assert person_keys(hasher, full_name="Someone Else", date_of_birth=None, email="ann@example.com").email == keys.email
    assert person_keys(hasher, full_name="Ann O'Neill", date_of_birth=date(1980, 2, 4), email="").name_birth != keys.name_birth
    assert person_keys(hasher, full_name="Ann O'Neill", date_of_birth=None, email="").name_birth == ""
    assert person_keys(service_hasher("j" * 40), full_name="Ann O'Neill", date_of_birth=date(1980, 2, 3),
                       email="").name_birth != keys.name_birth  # another secret key: no match
    assert "ann" not in keys.name_birth + keys.email and len(keys.email) == 64


def test_exclude_leaves_recent_members_out_and_the_run_page_says_how_many(client, officer_client):
    _, current = two_panels(client, officer_client)
    started = start(officer_client, current, recent_rule="exclude", recent_years="3")
    assert started.status_code == 303, started.text[-2000:]
    stored = latest_run()
    assert stored.status == "done", stored.error
    assert (stored.recent_rule, stored.recent_years) == ("exclude", 3)
    inputs = json.loads(stored.inputs_json)
    excluded = references(current, SERVED)
    assert set(inputs["recent_service"]["excluded"]) == excluded and len(excluded) == 2
    assert not excluded & {volunteer["id"] for volunteer in inputs["volunteers"]}
    assert not excluded & set(json.loads(stored.result_json)["probabilities"])
    page = officer_client.get(started.headers["location"]).text
    assert (f"2 people who served on a panel of {council_today().year - 3} or later were left out of the pool."
            in page)
    detail = run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "selection_started").first().run())
    assert "exclude (since" in detail["detail"] and "2 left out" in detail["detail"]

    drawn = post_form(officer_client, started.headers["location"] + "/draw", {"seed": "seed", "alternates": "4"},
                      follow_redirects=False)
    assert drawn.status_code == 303, drawn.text[-2000:]
    plan = json.loads(latest_run().alternates_json)
    assert plan["alternates"]["ids"] and not excluded & set(plan["alternates"]["ids"])
    public = client.get(f"/panels/{slug_of(current)}/how-we-chose").text
    assert f"Left out: served on a panel in {council_today().year - 3} or later" in public
    assert "the LEXIMIN method of Flanigan" in public
    first_drawn = json.loads(latest_run().drawn_json)[0]
    run(Volunteer.update({Volunteer.status: "declined"}).where(Volunteer.reference == first_drawn).run())
    replacement = post_form(officer_client, f"/officer/panels/{current}/runs", {"kind": "replacement"},
                            follow_redirects=False)
    assert replacement.status_code == 303, replacement.text[-2000:]
    refill = latest_run()
    assert refill.kind == "replacement" and refill.recent_rule == "exclude"
    assert not excluded & {volunteer["id"] for volunteer in json.loads(refill.inputs_json)["volunteers"]}


def test_lower_gives_recent_members_a_smaller_chance(client, officer_client):
    _, current = two_panels(client, officer_client)
    started = start(officer_client, current, recent_rule="lower", recent_years="2", recent_factor="0.5")
    assert started.status_code == 303, started.text[-2000:]
    stored = latest_run()
    assert stored.status == "done", stored.error
    assert (stored.recent_rule, stored.recent_factor) == ("lower", 0.5)
    inputs = json.loads(stored.inputs_json)
    lowered = references(current, SERVED)
    assert set(inputs["recent_service"]["lowered"]) == lowered
    weights = {volunteer["id"]: volunteer.get("weight", 1.0) for volunteer in inputs["volunteers"]}
    assert {ref for ref, weight in weights.items() if weight == 0.5} == lowered
    probabilities = json.loads(stored.result_json)["probabilities"]
    features = {volunteer["id"]: volunteer["features"] for volunteer in inputs["volunteers"]}
    for member in lowered:
        alike = [ref for ref in features if ref not in lowered and features[ref] == features[member]]
        assert all(probabilities[member] <= probabilities[ref] + 1e-7 for ref in alike)
    page = officer_client.get(started.headers["location"]).text
    assert "2 people who served on a panel of" in page and "had their chance lowered by a factor of 0.5" in page
    assert post_form(officer_client, started.headers["location"] + "/draw", {"seed": "seed", "alternates": "0"},
                     follow_redirects=False).status_code == 303
    public = client.get(f"/panels/{slug_of(current)}/how-we-chose").text
    assert f"Chance multiplied by 0.5: served on a panel in {council_today().year - 2} or later" in public


def test_include_is_the_default_and_touches_nobody(client, officer_client):
    _, current = two_panels(client, officer_client)
    assert start(officer_client, current).status_code == 303
    stored = latest_run()
    assert stored.recent_rule == "include" and "recent_service" not in json.loads(stored.inputs_json)
    assert len(json.loads(stored.inputs_json)["volunteers"]) == 24
    assert "Included as anyone else." in officer_client.get(f"/officer/panels/{current}/runs/{stored.id}").text


def test_the_question_is_on_the_pool_page_and_its_refreshed_fragment(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    for page in (officer_client.get(f"/officer/panels/{panel_id}/pool").text,
                 officer_client.get(f"/officer/panels/{panel_id}/pool/feasibility", headers={"HX-Request": "true"}).text):
        assert "People who served on a recent panel" in page and 'name="recent_years"' in page
        assert 'id="recent_years" name="recent_years" type="text" value="5"' in page
        assert 'name="recent_rule" type="radio" value="include" checked' in page
        assert 'name="recent_factor" type="text" value="0.5"' in page


def test_bad_choices_are_explained_and_what_was_typed_is_kept(client, officer_client):
    _, current = two_panels(client, officer_client)
    years = start(officer_client, current, recent_rule="exclude", recent_years="eleven")
    assert years.status_code == 422
    assert "There is a problem" in years.text and "Enter a whole number of years from 1 to 10" in years.text
    assert 'value="eleven"' in years.text and 'href="#recent_years"' in years.text
    assert "are kept 10 years after each panel" in years.text
    factor = start(officer_client, current, recent_rule="lower", recent_years="2", recent_factor="1.5")
    assert factor.status_code == 422 and "Enter a number more than 0 and less than 1, like 0.5" in factor.text
    assert 'value="1.5"' in factor.text
    goldilocks = start(officer_client, current, objective="goldilocks", recent_rule="lower", recent_years="2",
                       recent_factor="0.5")
    assert goldilocks.status_code == 422 and "Lowering a chance works with LEXIMIN only" in goldilocks.text
    assert 'value="goldilocks" checked' in goldilocks.text
    assert run(SelectionRun.count().run()) == 0


def test_the_purge_keeps_the_records_of_service_and_they_still_match(client, officer_client, settings):
    past, current = two_panels(client, officer_client)
    far_future = datetime(2030, 1, 1, tzinfo=timezone.utc)  # both test panels' data is due by then
    done = run(purge_personal_data(settings=settings, now=far_future))
    assert done.volunteers == 48
    records = run(ServiceRecord.select().run())
    assert len(records) == 2 and {record["panel"] for record in records} == {past}
    assert not any("example.com" in json.dumps(record, default=str) for record in records)
    hasher = service_hasher(settings.secret_key)
    assert {record["email_key"] for record in records} == {hasher("email", email) for email in SERVED}
    # a resident registering again with the same address still matches, years later
    assert run(record_service(secret_key=settings.secret_key)) == 0
    again = create_panel(officer_client, name="A later panel")
    set_quotas(officer_client, again)
    fill_pool(client, slug_of(again), count=6)
    matched = run(recent_members(panel_id=again, secret_key=settings.secret_key, years=5, today=council_today()))
    assert matched == references(again, SERVED)
    assert run(recent_members(panel_id=again, secret_key=settings.secret_key, years=5,
                              today=date(council_today().year + 7, 1, 1))) == set()
    # last year's panel's records are kept ten years after its year, then deleted
    kept = run(purge_personal_data(settings=settings, now=datetime(council_today().year + 9, 6, 1, tzinfo=timezone.utc)))
    assert kept.service_records == 0 and run(ServiceRecord.count().run()) == 2
    gone = run(purge_personal_data(settings=settings, now=datetime(council_today().year + 10, 6, 1, tzinfo=timezone.utc)))
    assert gone.service_records == 2 and run(ServiceRecord.count().run()) == 0


def test_the_demo_records_who_served_in_2021_and_two_of_them_registered_again(db, settings):
    run(_ensure_2021())
    assert "2 members of the 2021 panel registered again" in run(_ensure_recruiting())
    assert "service records: 20 written" in run(load_demo_service_records())[0]
    assert run(load_demo_service_records()) == ["service records: already present"]
    past = run(Panel.select(Panel.id).where(Panel.slug == PANEL_2021_SLUG).first().run())["id"]
    assert run(ServiceRecord.count().where(ServiceRecord.panel == past, ServiceRecord.year == 2021).run()) == 20
    recruiting = run(recruiting_panel(now=datetime.now(timezone.utc)))
    matched = run(recent_members(panel_id=recruiting.id, secret_key=settings.secret_key,
                                 years=council_today().year - 2021, today=council_today()))
    assert len(matched) == 2


def test_a_record_is_written_when_a_seat_is_taken(client, officer_client, settings):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    started = start(officer_client, panel_id)
    assert post_form(officer_client, started.headers["location"] + "/draw", {"seed": "s", "alternates": "0"},
                     follow_redirects=False).status_code == 303
    send_invitations(officer_client, panel_id)
    invited = run(Volunteer.select().where(Volunteer.panel == panel_id, Volunteer.status == "selected").order_by(
        Volunteer.id).run())
    body = run(OutboxEmail.select(OutboxEmail.body).where(OutboxEmail.to_address == invited[0]["email"],
                                                         OutboxEmail.subject.like("You have been chosen%")).first().run())
    token = body["body"].split("/my-panel/", 1)[1].split()[0]
    assert run(ServiceRecord.count().run()) == 0
    post_form(client, f"/my-panel/{token}/respond", {"answer": "confirm"})
    hasher = service_hasher(settings.secret_key)
    assert [row["email_key"] for row in run(ServiceRecord.select().run())] == [hasher("email", invited[0]["email"])]
    replied = post_form(officer_client, f"/officer/panels/{panel_id}/members/{invited[1]['id']}/reply",
                        {"answer": "accept", "channel": "phone", "note": "Rang to say yes"}, follow_redirects=False)
    assert replied.status_code == 303, replied.text[-2000:]
    assert run(ServiceRecord.count().where(ServiceRecord.email_key == hasher("email", invited[1]["email"])).run()) == 1
