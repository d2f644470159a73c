"""Issue #16 item 5, clean pools: duplicates by name and date of birth (and, weaker, by name, age
band and postcode when one gave only an age), the side-by-side merge, and imports that record the
lawful basis and the wording people saw instead of a consent they never gave."""

from __future__ import annotations

import re

from panels.tables import ImportBatch, Panel, Volunteer
from server.tables import AuditEntry, OutboxEmail
from tests.factories.panels import IMPORT_TERMS, create_panel, import_pool, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

HEADER = "id,first_name,last_name,email,address,postcode,age,sex\n"


def volunteers(panel_id: int) -> list[dict]:
    return run(Volunteer.select().where(Volunteer.panel == panel_id).order_by(Volunteer.id).run())


def register(client, slug: str, number: int, **changes: str):
    response = post_form(client, f"/panels/{slug}/register", {**registration(number, "Female", 40), **changes},
                         follow_redirects=False)
    assert response.status_code == 303, response.text[-2000:]


def drawable(panel_id: int) -> set[str]:
    from panels.runs import build_pool_problem

    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    return {member.id for member in run(build_pool_problem(panel)).problem.volunteers}


def audit(action: str) -> list[str]:
    return [row["detail"] for row in run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == action).run())]


def test_the_same_name_and_date_of_birth_is_flagged_and_left_out(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    register(client, slug, 1, age="14/03/1986")
    register(client, slug, 2, full_name="TEST resident 1", age="1986-03-14", address="9 Moved Road", postcode="NW5 4LE")
    first, second = volunteers(panel_id)
    assert str(first["date_of_birth"]) == "1986-03-14"
    assert (second["duplicate_of"], second["duplicate_kind"]) == (first["reference"], "name_birth")
    assert drawable(panel_id) == {first["reference"]}
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert f"Same name and date of birth as {first['reference']}" in pool and "Compare and merge" in pool
    register(client, slug, 3, full_name="Test Resident 1", age="1990-01-01", address="5 Else Street")
    assert volunteers(panel_id)[2]["duplicate_of"] == ""  # the same name, born on another day: someone else


def test_an_age_alone_gives_a_weaker_possible_flag_that_stays_in_selection(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    register(client, slug, 1, age="41")
    register(client, slug, 2, full_name="Test Resident 1", age="17/05/1983", address="Flat 2, 1 Test Street")
    register(client, slug, 3, full_name="Test Resident 1", age="70", address="Flat 3, 1 Test Street")
    first, possible, older = volunteers(panel_id)
    assert (possible["duplicate_of"], possible["duplicate_kind"]) == (first["reference"], "possible")
    assert older["duplicate_of"] == ""  # another age band: not flagged
    assert possible["reference"] in drawable(panel_id)  # a possible duplicate is only shown, never left out
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert f"Possibly the same person as {first['reference']} (same name, age band and postcode; one gave only an age)" in pool


def test_an_import_flags_the_same_name_and_date_of_birth(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    register(client, slug_of(panel_id), 1, age="14/03/1986")
    imported = import_pool(officer_client, panel_id,
                           HEADER + "7,Test,Resident 1,t.r@example.org,4 Far Road,NW3 2QG,1986-03-14,Female\n")
    assert imported.status_code == 200 and "1 respondent imported" in imported.text
    first = volunteers(panel_id)[0]["reference"]
    assert re.search(rf"Row 2: RP-\w+ – Same name and date of birth as {first}", imported.text)


def test_the_merge_screen_keeps_the_chosen_fields_and_erases_the_other_record(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    register(client, slug, 1, age="14/03/1986", phone="020 7974 4444")
    register(client, slug, 2, full_name="Test Resident 1", age="14/03/1986", email="new.address@example.com",
             address="22 New Road", postcode="NW5 4LE")
    register(client, slug, 3, full_name="Test Resident 1", age="14/03/1986", email="third@example.com",
             address="23 New Road")
    earlier, flagged, third = volunteers(panel_id)
    assert third["duplicate_of"] == earlier["reference"]
    assert run(OutboxEmail.count().where(OutboxEmail.about == f"panel_volunteer:{flagged['id']}").run()) == 1
    url = f"/officer/panels/{panel_id}/volunteers/{flagged['id']}/merge"
    page = officer_client.get(url)
    assert page.status_code == 200
    for shown in (earlier["reference"], flagged["reference"], "new.address@example.com", "22 New Road, NW5 4LE",
                  "Born 14 March 1986"):
        assert shown in page.text, shown
    assert any(f"with {earlier['reference']}" in detail for detail in audit("volunteers_compared"))
    missing = post_form(officer_client, url, {"keep": "earlier", "full_name": "earlier"})
    assert missing.status_code == 422 and "Choose one of the two records" in missing.text
    choices = {"keep": "earlier", "full_name": "earlier", "email": "flagged", "phone": "earlier", "address": "flagged",
               "age": "earlier", "answers": "earlier"}
    merged = post_form(officer_client, url, choices, follow_redirects=False)
    assert merged.status_code == 303
    kept, gone, third = volunteers(panel_id)
    assert (kept["email"], kept["address"], kept["postcode"], kept["phone"]) == (
        "new.address@example.com", "22 New Road", "NW5 4LE", "020 7974 4444")
    assert kept["household_key"] == "22newroad|nw54le" and kept["duplicate_of"] == ""
    assert gone["status"] == "erased" and gone["merged_into"] == kept["reference"]
    assert (gone["full_name"], gone["email"], gone["address"], gone["date_of_birth"]) == ("", "", "", None)
    assert third["duplicate_of"] == kept["reference"]
    assert run(OutboxEmail.count().where(OutboxEmail.about == f"panel_volunteer:{gone['id']}").run()) == 0
    assert audit("volunteers_merged") == [f"{gone['reference']} merged into {kept['reference']} and erased; "
                                          f"fields from {gone['reference']}: email, address"]
    pool = officer_client.get(merged.headers["location"]).text
    assert f"{gone['reference']} was merged into {kept['reference']}" in pool
    assert officer_client.get(url).status_code == 404  # the flagged record is gone


def test_a_record_holding_a_seat_is_the_one_kept(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    register(client, slug, 1, age="14/03/1986")
    register(client, slug, 2, full_name="Test Resident 1", age="14/03/1986", address="2 Road")
    earlier, flagged = volunteers(panel_id)
    run(Volunteer.update({Volunteer.status: "selected"}).where(Volunteer.id == earlier["id"]).run())
    refused = post_form(officer_client, f"/officer/panels/{panel_id}/volunteers/{flagged['id']}/merge",
                        {"keep": "flagged", **{field: "flagged" for field in ("full_name", "email", "phone", "address",
                                                                              "age", "answers")}})
    assert refused.status_code == 422 and f"{earlier['reference']} is no longer just in the pool" in refused.text
    assert [row["status"] for row in volunteers(panel_id)] == ["selected", "pool"]


def test_an_import_records_its_lawful_basis_and_wording_never_a_consent_nobody_saw(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    text = HEADER + "1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,Female\n"
    missing = import_pool(officer_client, panel_id, text, lawful_basis="", notice_text="We will contact you.")
    assert missing.status_code == 422 and "Choose the lawful basis" in missing.text
    assert "We will contact you." in missing.text  # what was typed is kept
    unknown = import_pool(officer_client, panel_id, text, lawful_basis="because", notice_text="")
    assert unknown.status_code == 422 and "Choose the lawful basis" in unknown.text and "Enter the consent or privacy notice" in unknown.text
    assert volunteers(panel_id) == []
    done = import_pool(officer_client, panel_id, text, filename="library-signups.csv")
    assert done.status_code == 200
    batch = run(ImportBatch.select().first().run())
    assert (batch["lawful_basis"], batch["notice_text"], batch["file_name"], batch["imported"]) == (
        "public_task", IMPORT_TERMS["notice_text"], "library-signups.csv", 1)
    assert len(batch["file_fingerprint"]) == 64
    (ann,) = volunteers(panel_id)
    assert ann["import_batch"] == batch["id"] and ann["consent_version"] == "" and ann["consent_at"] is None
    record = officer_client.get(f"/officer/panels/{panel_id}/volunteers/{ann['id']}").text
    for shown in ("None recorded: imported from a file", "Public task (Article 6(1)(e))", IMPORT_TERMS["notice_text"],
                  "library-signups.csv, imported by"):
        assert shown in record, shown
    assert "text version" not in record
    registered = client.get(f"/officer/panels/{panel_id}/pool")  # residents cannot see it
    assert registered.status_code in (401, 403) or "/login" in str(registered.url)


def test_an_imported_volunteer_sees_how_the_council_came_to_hold_their_details(client, officer_client):
    from panels.personal_data import volunteer_data_for_email

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    import_pool(officer_client, panel_id, HEADER + "1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,Female\n",
                lawful_basis="consent", notice_text="Yes, the council may invite me to its Resident Panel.")
    (data,) = run(volunteer_data_for_email("ann@example.com"))
    assert data.consent_at is None and "I agree" not in data.consent_text
    assert "imported" in data.consent_text and "Consent (Article 6(1)(a))" in data.consent_text
    assert "Yes, the council may invite me to its Resident Panel." in data.consent_text


def test_a_volunteer_imported_before_import_terms_is_not_shown_as_having_agreed(officer_client):
    """Imports used to record the panel's consent text for people who never saw it."""
    from panels.personal_data import volunteer_data_for_email

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    import_pool(officer_client, panel_id, HEADER + "1,Ann,Smith,ann@example.com,1 Road,NW1 2RU,34,Female\n")
    (ann,) = volunteers(panel_id)
    run(Volunteer.update({Volunteer.import_batch: None, Volunteer.consent_version: "2026-1",
                          Volunteer.consent_at: ann["registered_at"]}).where(Volunteer.id == ann["id"]).run())
    (data,) = run(volunteer_data_for_email("ann@example.com"))
    assert data.consent_at is None and "you did not agree to this site's consent text" in data.consent_text
    record = officer_client.get(f"/officer/panels/{panel_id}/volunteers/{ann['id']}").text
    assert "the consent once shown here was never given" in record and "text version" not in record
