"""Issue #16 item 6, selection in the web app: computing again after a draw, the drawn panel's
counts on "How we chose", the fingerprint and the seed's source published before the draw, quotas
from a file (every bad row named), any census dimension, and the one-click relaxation."""

from __future__ import annotations

import json
import re

from panels.tables import PanelQuota, SelectionRun, Volunteer
from server.tables import AuditEntry
from tests.factories.panels import create_panel, fill_pool, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form

OPENDLP_QUOTAS = ("category,name,suggest min,suggest max,Current #,min,max\n"
                  "gender,Female,,,,2,4\ngender,Male,,,,2,4\n"
                  "age_band,18-24,,,,0,6\nage_band,25-34,,,,0,6\nage_band,35-44,,,,0,6\nage_band,45-54,,,,0,6\n"
                  "age_band,55-64,,,,0,6\nage_band,65-74,,,,0,6\nage_band,75+,,,,0,6\n")


def audit(action: str) -> list[str]:
    return [row["detail"] for row in run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == action).run())]


def computed_run(client, officer_client) -> tuple[int, str]:
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    fill_pool(client, slug_of(panel_id))
    started = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    return panel_id, started.headers["location"]


def draw(officer_client, url: str, seed: str = "seed one") -> None:
    response = post_form(officer_client, url + "/draw", {"seed": seed, "alternates": "0"}, follow_redirects=False)
    assert response.status_code == 303, response.text[-2000:]


def upload_quotas(officer_client, panel_id: int, text: str, name: str = "categories.csv"):
    return officer_client.post(f"/officer/panels/{panel_id}/quotas/file",
                               data={"_csrf_token": officer_client.cookies.get("civicpanel_csrf")},
                               files={"quota_file": (name, text.encode(), "text/csv")}, follow_redirects=False)


def test_computing_again_after_a_draw_is_refused_with_a_reason_and_no_run_starts(client, officer_client):
    """It crashed with a KeyError in the engine: every seat was fixed, so nothing was left to draw."""
    panel_id, url = computed_run(client, officer_client)
    draw(officer_client, url)
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert "so the selection is not computed again" in pool and "Compute selection probabilities" not in pool
    again = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    assert again.status_code == 422 and 'id="run"' in again.text and "choose replacements" in again.text
    assert run(SelectionRun.count().run()) == 1


def test_a_new_run_is_a_proper_one_when_no_seat_is_held_any_more(client, officer_client):
    panel_id, url = computed_run(client, officer_client)
    draw(officer_client, url)
    run(Volunteer.update({Volunteer.status: "declined"}).where(Volunteer.status == "selected").run())
    again = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    assert again.status_code == 303
    second = run(SelectionRun.objects().order_by(SelectionRun.id, ascending=False).first().run())
    assert second.status == "done", second.error
    inputs, record = json.loads(second.inputs_json), json.loads(second.result_json)
    assert inputs["fixed_ids"] == [] and len(inputs["volunteers"]) == 24 - 6
    assert 0 < record["min_probability"] <= record["max_probability"] <= 1


def test_a_replacement_with_every_seat_held_is_refused(client, officer_client):
    panel_id, url = computed_run(client, officer_client)
    early = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"}, follow_redirects=False)
    assert early.status_code == 422 and "Draw the panel first" in early.text
    draw(officer_client, url)
    full = post_form(officer_client, f"/officer/panels/{panel_id}/runs", {"kind": "replacement"}, follow_redirects=False)
    assert full.status_code == 422 and "Every seat is held" in full.text


def test_fingerprint_and_seed_source_are_published_before_the_draw_and_counts_after(client, officer_client):
    panel_id, url = computed_run(client, officer_client)
    slug = slug_of(panel_id)
    stored = run(SelectionRun.objects().first().run())
    public = client.get(f"/panels/{slug}/how-we-chose").text
    assert stored.lottery_digest not in public  # nothing is published until the officer says so
    page = officer_client.get(url).text
    assert 'name="seed_source"' in page and "Publish the fingerprint" in page
    empty = post_form(officer_client, url + "/announce", {"seed_source": "  "})
    assert empty.status_code == 422 and "Say where the seed will come from" in empty.text
    source = "the numbers of the National Lottery draw on 3 February 2027"
    done = post_form(officer_client, url + "/announce", {"seed_source": source}, follow_redirects=False)
    assert done.status_code == 303
    assert any(stored.lottery_digest in detail and source in detail for detail in audit("lottery_announced"))
    public = client.get(f"/panels/{slug}/how-we-chose").text
    assert stored.lottery_digest in public and source in public and "The coming draw" in public
    twice = post_form(officer_client, url + "/announce", {"seed_source": "another day"})
    assert twice.status_code == 422 and "announced or drawn already" in twice.text
    assert run(SelectionRun.select(SelectionRun.seed_source).first().run())["seed_source"] == source

    draw(officer_client, url, seed="12 19 23 31 44 57")
    public = client.get(f"/panels/{slug}/how-we-chose").text
    assert "The coming draw" not in public and source in public and "12 19 23 31 44 57" in public
    counts = json.loads(run(SelectionRun.select(SelectionRun.panel_counts_json).first().run())["panel_counts_json"])
    drawn = run(Volunteer.select(Volunteer.answers).where(Volunteer.status == "selected").run())
    females = sum(1 for row in drawn if json.loads(row["answers"])["sex"] == "Female")
    assert {"category": "sex", "name": "Female", "selected": females} in counts
    assert sum(row["selected"] for row in counts if row["category"] == "sex") == 6
    table = re.search(r"On the panel.*?</table>", public, re.S).group(0)
    assert "–" not in table  # every group has its count: "How we chose" showed "–" for each
    assert re.search(rf"<td[^>]*>Female</td>.*?<td[^>]*>{females}</td>", table, re.S)
    assert "Aged 18 to 24" in table and "18-24" not in table  # groups in words, as residents read them


def test_a_run_drawn_without_announcement_says_so(client, officer_client):
    panel_id, url = computed_run(client, officer_client)
    draw(officer_client, url)
    assert "the fingerprint was not published before the draw" in client.get(f"/panels/{slug_of(panel_id)}/how-we-chose").text


def test_every_census_dimension_of_the_file_can_be_a_quota(officer_client):
    panel_id = create_panel(officer_client, panel_size="20")
    page = officer_client.get(f"/officer/panels/{panel_id}/quotas").text
    assert 'value="economic_activity"' in page and 'value="ethnicity_detailed"' in page
    set_quotas(officer_client, panel_id, dimensions=("sex", "economic_activity"))
    categories = {row["dimension"] for row in run(PanelQuota.select(PanelQuota.dimension).run())}
    assert categories == {"sex", "economic_activity"}


def test_an_opendlp_quota_file_sets_the_quotas_and_its_categories_become_questions(client, officer_client):
    panel_id = create_panel(officer_client)
    response = upload_quotas(officer_client, panel_id, OPENDLP_QUOTAS)
    assert response.status_code == 303, response.text[-3000:]
    rows = run(PanelQuota.select().order_by(PanelQuota.position).run())
    assert [(r["dimension"], r["category"], r["quota_min"], r["quota_max"]) for r in rows[:2]] == [
        ("gender", "Female", 2, 4), ("gender", "Male", 2, 4)]
    assert any("categories.csv; 9 groups in 2 categories" in detail for detail in audit("quotas_uploaded"))
    form = client.get(f"/panels/{slug_of(panel_id)}").text
    assert 'name="gender"' in form and 'name="age_band"' not in form  # age bands come from the age given
    registered = post_form(client, f"/panels/{slug_of(panel_id)}/register", {
        "full_name": "Ann Smith", "email": "ann@example.com", "address": "1 Road", "postcode": "NW1 2RU", "age": "30",
        "gender": "Female", "consent": "yes"}, follow_redirects=False)
    assert registered.status_code == 303
    answers = json.loads(run(Volunteer.select(Volunteer.answers).first().run())["answers"])
    assert answers == {"gender": "Female", "age_band": "25-34"}


def test_a_bad_quota_file_names_every_bad_row_and_changes_nothing(officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    before = run(PanelQuota.count().run())
    bad = ("category,name,min,max\n"
           "gender,Female,1,4\n"
           "gender,Male,5,3\n"            # row 3: min above max
           ",Other,0,1\n"                 # row 4: no category
           "gender,Female,1,2\n"          # row 5: listed twice
           "gender,Other,two,4\n"         # row 6: not a number
           "age_band,Young,0,2\n")        # not an age band the app works out
    response = upload_quotas(officer_client, panel_id, bad)
    assert response.status_code == 422
    text = response.text.replace("&#39;", "'")
    for expected in ("The quota file has 5 problems", "Row 6, column ‘min’", "Row 3, column ‘min’", "Row 4, column ‘category’",
                     "Row 5, column ‘name’", "listed twice (also row 2)", "Row 7: age_band: ‘Young’ is not an age band"):
        assert expected in text, expected
    assert run(PanelQuota.count().run()) == before
    wrong_header = upload_quotas(officer_client, panel_id, "group,min,max\nA,1,2\n")
    assert wrong_header.status_code == 422 and "expected" in wrong_header.text
    too_many = upload_quotas(officer_client, panel_id, "category,name,min,max\nsex,Female,5,5\nsex,Male,5,5\n")
    assert too_many.status_code == 422 and "the minimums add up to 10, more than the 6 seats" in too_many.text
    none_chosen = officer_client.post(f"/officer/panels/{panel_id}/quotas/file",
                                      data={"_csrf_token": officer_client.cookies.get("civicpanel_csrf")},
                                      files={"quota_file": ("", b"", "text/csv")})
    assert none_chosen.status_code == 422 and "Choose a quota file" in none_chosen.text


def test_the_suggested_relaxation_applies_in_one_click_and_is_audited(client, officer_client):
    panel_id = create_panel(officer_client)
    # Six seats; at least 5 women, but the pool has only 3: infeasible, fixed by lowering the minimum.
    assert upload_quotas(officer_client, panel_id, "category,name,min,max\nsex,Female,5,6\nsex,Male,0,6\n").status_code == 303
    slug = slug_of(panel_id)
    for number in range(8):
        post_form(client, f"/panels/{slug}/register", {
            "full_name": f"Person {number}", "email": f"p{number}@example.com", "address": f"{number} Road",
            "postcode": "NW1 2RU", "age": "40", "sex": "Female" if number < 3 else "Male", "consent": "yes"},
            follow_redirects=False)
    pool = officer_client.get(f"/officer/panels/{panel_id}/pool").text
    assert "Apply this change to the quotas" in pool
    proposal = re.search(r'name="proposal" value="([0-9a-f]+)"', pool).group(1)
    stale = post_form(officer_client, f"/officer/panels/{panel_id}/quotas/relax", {"proposal": "0" * 16})
    assert stale.status_code == 422 and "have changed since that change was proposed" in stale.text
    applied = post_form(officer_client, f"/officer/panels/{panel_id}/quotas/relax", {"proposal": proposal},
                        follow_redirects=False)
    assert applied.status_code == 303
    female = run(PanelQuota.select().where(PanelQuota.category == "Female").first().run())
    assert female["quota_min"] == 3
    assert audit("quotas_relaxed") == ["sex=Female: 5-6 to 3-6"]
    after = officer_client.get(applied.headers["location"]).text
    assert "The quotas were relaxed as proposed" in after and "Compute selection probabilities" in after
    again = post_form(officer_client, f"/officer/panels/{panel_id}/quotas/relax", {"proposal": proposal})
    assert again.status_code == 422 and len(audit("quotas_relaxed")) == 1
