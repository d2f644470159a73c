"""Real Camden postcodes register; the borough is named by postcode district or sector."""

from __future__ import annotations

from panels.tables import Panel, Volunteer
from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def test_wc1n_3ax_registers_when_the_borough_names_its_district_or_sector(client, officer_client):
    """"WC1N 3AX" got "Enter a real UK postcode"; a list of whole districts shut out WC1A–WC1X."""
    panel_id = create_panel(officer_client, postcode_prefixes="nw1, wc1n 3 WC1R\nEC1M")
    set_quotas(officer_client, panel_id)
    stored = run(Panel.select(Panel.postcode_prefixes).where(Panel.id == panel_id).first().run())
    assert stored["postcode_prefixes"] == "NW1, WC1N 3, WC1R, EC1M"
    slug = slug_of(panel_id)
    for number, postcode in enumerate(("wc1n3ax", "WC1R 4HE", "EC1M 6BQ"), start=1):
        response = post_form(client, f"/panels/{slug}/register",
                             registration(number, "Female", 40) | {"postcode": postcode}, follow_redirects=False)
        assert response.status_code == 303, response.text
    postcodes = {row["postcode"] for row in run(Volunteer.select(Volunteer.postcode).run())}
    assert postcodes == {"WC1N 3AX", "WC1R 4HE", "EC1M 6BQ"}
    outside = post_form(client, f"/panels/{slug}/register", registration(9, "Male", 40) | {"postcode": "WC1N 1AA"})
    assert outside.status_code == 422 and "postcode in the borough" in outside.text  # another sector of WC1N
    malformed = post_form(client, f"/panels/{slug}/register", registration(9, "Male", 40) | {"postcode": "WC1C 1AA"})
    assert malformed.status_code == 422 and "Enter a real UK postcode" in malformed.text


def test_officer_is_told_which_word_is_not_a_district_or_sector(officer_client):
    response = post_form(officer_client, "/officer/panels/new",
                         {"name": "Postcode panel", "year": "2027", "panel_size": "20", "retention_days": "30",
                          "postcode_prefixes": "WC1N 33, NW1"})
    assert response.status_code == 422
    assert "‘33’ is not a postcode district or sector" in response.text
    assert 'value="WC1N 33, NW1"' in response.text
