"""Issue #16 item 4 (wards): a volunteer's ward comes from their letter, else from the postcode
directory the council uploaded (for the panel or the whole council), else "Not known"; ward can
be a quota category."""

from __future__ import annotations

import json

from panels.tables import Panel, PostcodeWard, Volunteer
from server.tables import AuditEntry
from tests.factories.addresses import address_file
from tests.factories.panels import create_panel, registration, slug_of
from tests.support.database import run
from tests.support.http import post_form

DIRECTORY = ("pcds,ward_code,ward_name\n"
             "NW1 2RU,E05013660,Regent's Park\n"
             "NW5 4LE,E05013654,Gospel Oak\n")
WARD_QUOTAS = ("category,name,min,max\nsex,Female,0,6\nsex,Male,0,6\n"
               "ward,Regent's Park,0,6\nward,Gospel Oak,0,6\nward,Kilburn,0,6\nward,Not known,0,6\n")


def upload(officer_client, url: str, field: str, text: str, **data: str):
    return officer_client.post(url, data={**data, "_csrf_token": officer_client.cookies.get("civicpanel_csrf")},
                               files={field: ("file.csv", text.encode(), "text/csv")}, follow_redirects=False)


def ward_panel(officer_client) -> int:
    panel_id = create_panel(officer_client)
    assert upload(officer_client, f"/officer/panels/{panel_id}/quotas/file", "quota_file", WARD_QUOTAS).status_code == 303
    return panel_id


def wards() -> list[tuple[str, str]]:
    rows = run(Volunteer.select(Volunteer.ward, Volunteer.answers).order_by(Volunteer.id).run())
    return [(row["ward"], json.loads(row["answers"]).get("ward")) for row in rows]


def test_open_registrations_take_the_ward_of_their_postcode_or_not_known(client, officer_client):
    panel_id = ward_panel(officer_client)
    slug = slug_of(panel_id)
    form = client.get(f"/panels/{slug}").text
    assert 'name="ward"' not in form  # nobody is asked their ward
    post_form(client, f"/panels/{slug}/register", registration(1, "Female", 30), follow_redirects=False)
    page = officer_client.get(f"/officer/panels/{panel_id}/wards")
    assert "This panel's own list: 0 postcodes" in page.text
    saved = upload(officer_client, f"/officer/panels/{panel_id}/wards", "directory", DIRECTORY, scope="panel")
    assert saved.status_code == 303
    assert "2 postcodes saved with their wards" in officer_client.get(saved.headers["location"]).text
    post_form(client, f"/panels/{slug}/register", registration(2, "Male", 40), follow_redirects=False)
    post_form(client, f"/panels/{slug}/register", {**registration(3, "Male", 50), "postcode": "WC1N 3AX"},
              follow_redirects=False)
    assert wards() == [("", "Not known"), ("Regent's Park", "Regent's Park"), ("", "Not known")]
    detail = run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "postcode_wards_uploaded").first().run())
    assert detail["detail"] == "file.csv; 2 postcodes"


def test_the_councils_list_serves_every_panel_without_its_own(client, officer_client):
    panel_id = ward_panel(officer_client)
    saved = upload(officer_client, f"/officer/panels/{panel_id}/wards", "directory", DIRECTORY, scope="council")
    assert saved.status_code == 303
    assert run(PostcodeWard.count().where(PostcodeWard.panel.is_null()).run()) == 2
    post_form(client, f"/panels/{slug_of(panel_id)}/register", {**registration(1, "Male", 40), "postcode": "NW5 4LE"},
              follow_redirects=False)
    assert wards() == [("Gospel Oak", "Gospel Oak")]
    own = upload(officer_client, f"/officer/panels/{panel_id}/wards", "directory",
                 "pcds,ward_code,ward_name\nNW1 2RU,E05013660,Regent's Park\n", scope="panel")
    assert own.status_code == 303  # the panel's own list now answers alone
    post_form(client, f"/panels/{slug_of(panel_id)}/register", {**registration(2, "Male", 40), "postcode": "NW5 4LE"},
              follow_redirects=False)
    assert wards()[1] == ("", "Not known")


def test_a_letter_code_gives_the_ward_of_the_letters_address(client, officer_client):
    from server.services.invitation_letters import send_letters

    panel_id = ward_panel(officer_client)
    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    letters = run(send_letters(panel=panel, address_file=address_file(30).encode(), letters=3, seed="seed",
                               weights=None, actor="test")).letters
    letter = next(item for item in letters if item.ward == "Kilburn")
    response = post_form(client, f"/panels/{slug_of(panel_id)}/register",
                         {**registration(1, "Female", 30), "postcode": letter.postcode, "letter_code": letter.code},
                         follow_redirects=False)
    assert response.status_code == 303, response.text[-2000:]
    assert wards() == [("Kilburn", "Kilburn")]


def test_a_bad_directory_names_every_bad_row_and_saves_nothing(officer_client):
    panel_id = create_panel(officer_client)
    url = f"/officer/panels/{panel_id}/wards"
    bad = ("pcds,ward_code,ward_name\n"
           "NW1 2RU,E05013660,Regent's Park\n"
           "ZZ99 9ZZZ,E05013654,Gospel Oak\n"        # row 3: not a postcode
           "NW5 4LE,E05013654,\n"                    # row 4: no ward name
           "nw12ru,E05013654,Gospel Oak\n")          # row 5: the same postcode with another ward
    response = upload(officer_client, url, "directory", bad, scope="panel")
    assert response.status_code == 422
    text = response.text.replace("&#39;", "'")
    for expected in ("The file has 3 problems", "Row 3, column pcds", "Row 4, column ward_name",
                     "NW1 2RU is also on row 2 with another ward"):
        assert expected in text, expected
    assert run(PostcodeWard.count().run()) == 0
    header = upload(officer_client, url, "directory", "postcode,area\nNW1 2RU,x\n", scope="panel")
    assert header.status_code == 422 and "pcds, ward_code and ward_name" in header.text
    scope = upload(officer_client, url, "directory", DIRECTORY, scope="everywhere")
    assert scope.status_code == 422 and "Choose whether the list is for this panel" in scope.text


def test_a_ward_quota_set_after_people_registered_takes_their_ward(client, officer_client):
    from panels.runs import build_pool_problem
    from tests.factories.panels import set_quotas

    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id, dimensions=("sex", "age_band"))
    upload(officer_client, f"/officer/panels/{panel_id}/wards", "directory", DIRECTORY, scope="panel")
    slug = slug_of(panel_id)
    post_form(client, f"/panels/{slug}/register", registration(1, "Female", 30), follow_redirects=False)
    post_form(client, f"/panels/{slug}/register", {**registration(2, "Male", 70), "postcode": "WC1N 3AX"},
              follow_redirects=False)
    assert upload(officer_client, f"/officer/panels/{panel_id}/quotas/file", "quota_file", WARD_QUOTAS).status_code == 303
    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    pool = run(build_pool_problem(panel))
    assert pool.incomplete == 0
    assert [member.features["ward"] for member in pool.problem.volunteers] == ["Regent's Park", "Not known"]


def test_merging_two_registrations_with_one_letters_code_gives_the_place_back(client, officer_client):
    from panels.tables import Letter
    from server.services.invitation_letters import send_letters

    panel_id = ward_panel(officer_client)
    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    letter = run(send_letters(panel=panel, address_file=address_file(30).encode(), letters=1, seed="seed",
                              weights=None, actor="test")).letters[0]
    slug = slug_of(panel_id)
    for number, email in ((1, "first@example.com"), (1, "second@example.com")):
        post_form(client, f"/panels/{slug}/register", {**registration(number, "Female", 30), "email": email,
                                                       "postcode": letter.postcode, "letter_code": letter.code},
                  follow_redirects=False)
    assert run(Letter.select(Letter.used_count).first().run())["used_count"] == 2
    flagged = run(Volunteer.select(Volunteer.id).where(Volunteer.email == "second@example.com").first().run())
    merged = post_form(officer_client, f"/officer/panels/{panel_id}/volunteers/{flagged['id']}/merge",
                       {"keep": "earlier", **{field: "earlier" for field in ("full_name", "email", "phone", "address",
                                                                           "age", "answers")}}, follow_redirects=False)
    assert merged.status_code == 303
    assert run(Letter.select(Letter.used_count).first().run())["used_count"] == 1
    assert run(Volunteer.count().where(Volunteer.letter.is_not_null()).run()) == 1
