"""The officer's page of chances from letter to panel: with letters and a selection run, before
any run, without letters, and refused to anyone but officers."""

from __future__ import annotations

import re

from panels.tables import Panel
from tests.factories.addresses import address_file
from tests.factories.panels import create_panel, fill_pool, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def send_letters(panel_id: int, letters: int) -> list:
    from server.services.invitation_letters import send_letters as send

    panel = run(Panel.objects().where(Panel.id == panel_id).first().run())
    return run(send(panel=panel, address_file=address_file(1000).encode(), letters=letters, seed="seed", weights=None,
                    actor="test")).letters


def register_with_letters(client, slug: str, codes: list[str], sexes: list[str]) -> None:
    """Two adults per letter, the sexes in the order given; ages spread over the adult bands."""
    for number, sex in enumerate(sexes):
        response = post_form(client, f"/panels/{slug}/register",
                             {**registration(number, sex, 20 + (number * 7) % 60), "letter_code": codes[number // 2]},
                             follow_redirects=False)
        assert response.status_code == 303, response.text


def start_run(officer_client, panel_id: int) -> str:
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"},
                        follow_redirects=False)
    return started.headers["location"]


def test_the_officer_sees_each_groups_chance_from_letter_to_panel(client, officer_client, staff_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id, dimensions=("sex", "age_band"), tolerance="100")
    codes = [letter.code for letter in send_letters(panel_id, 200)]
    # Men register twice as often as women from the same letters.
    register_with_letters(client, slug_of(panel_id), codes, ["Male", "Male", "Female", "Male"] * 7 + ["Male", "Male"])
    before = officer_client.get(f"/officer/panels/{panel_id}/chances")
    assert before.status_code == 200
    assert "No selection has been computed yet" in before.text
    assert "200 letters to 1,000 addresses" in before.text and "Registers, given a letter" in before.text
    assert "Letter to panel ÷ equal chance" not in before.text

    run_url = start_run(officer_client, panel_id)
    assert "Chances from letter to panel" in officer_client.get(run_url).text
    page = officer_client.get(run_url + "/chances")
    assert page.status_code == 200
    text = page.text
    assert "Letter to panel ÷ equal chance" in text and "Selected, given registered" in text
    assert "Registered with a letter’s code" in text and "30: " in text
    assert re.search(r"Seats expected to go to them.*?6\.0 of 6", text, re.S)
    # 23 men and 7 women registered: women are too few to say, men are not under-represented.
    assert "Too few registrations by letter to say" in text and "Sex: Female (7)" in text
    assert "The process under-represents" not in text and 'id="none-under"' in text
    assert "Each person who registered with a letter" in text
    assert len(re.findall(r"RP-[A-Z0-9]{6}", text)) == 30
    assert "Neutralizing self-selection bias" in text
    panel_page = officer_client.get(f"/officer/panels/{panel_id}").text
    assert f"/officer/panels/{panel_id}/chances" in panel_page

    cabinet = staff_client("cabinet")
    assert cabinet.get(run_url + "/chances", follow_redirects=False).status_code == 403
    facilitator = staff_client("facilitator")
    assert facilitator.get(f"/officer/panels/{panel_id}/chances", follow_redirects=False).status_code == 403
    assert client.get(f"/officer/panels/{panel_id}/chances", follow_redirects=False).status_code in (302, 303, 401)
    assert officer_client.get(f"/officer/panels/{panel_id}/runs/999999/chances").status_code == 404


def test_a_group_registering_less_is_named_as_under_represented(client, officer_client):
    panel_id = create_panel(officer_client, panel_size="8")
    set_quotas(officer_client, panel_id, dimensions=("sex",), tolerance="100")
    codes = [letter.code for letter in send_letters(panel_id, 300)]
    register_with_letters(client, slug_of(panel_id), codes, ["Male", "Male", "Male", "Female"] * 10)
    run_url = start_run(officer_client, panel_id)
    text = officer_client.get(run_url + "/chances").text
    warning = re.search(r'<div class="govuk-warning-text">(.*?)</div>', text, re.S).group(1)
    assert "The process under-represents one group" in warning and "Sex: Female" in warning
    assert "Sex: Male" not in warning


def test_without_letters_the_page_shows_only_the_selection_stage(client, officer_client):
    panel_id = create_panel(officer_client)
    no_census = officer_client.get(f"/officer/panels/{panel_id}/chances").text
    assert "Set the census quotas" in no_census
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    run_url = start_run(officer_client, panel_id)
    page = officer_client.get(run_url + "/chances")
    assert page.status_code == 200
    assert "This panel sent no invitation letters" in page.text and "needs the letters’ figures" in page.text
    assert "Selected, given registered" in page.text and "In the pool" in page.text
    assert "Registers, given a letter" not in page.text and "Letter to panel ÷ equal chance" not in page.text
    assert "The process under-represents" not in page.text
