"""The officer's selection steps in a real browser, axe-core on every page visited: quotas from a
quota file (a bad one first, every bad row named), an import of volunteers with its lawful basis
and notice wording, a second registration compared side by side and merged, the proposed relaxation of quotas the pool cannot meet, applied in one click,
and the lottery's fingerprint published with the seed's future source before the draw."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BAD_QUOTAS = "category,name,min,max\nsex,Female,three,4\nsex,Male,5,1\n"
QUOTAS = "category,name,suggest min,suggest max,Current #,min,max\nsex,Female,,,,3,4\nsex,Male,,,,0,4\n"
POOL = ("id,first_name,last_name,email,address,postcode,age,sex\n"
        + "".join(f"{n},Pat,Quota{n},pat.quota{n}.e2e@example.com,{n} Quota Road,NW1 2RU,{30 + n},"
                  f"{'Female' if n < 2 else 'Male'}\n" for n in range(6))
        + "7,Pat,Quota5,pat.again.e2e@example.com,5 Quota Road,NW1 2RU,35,Male\n")  # a second registration


def test_officer_uploads_quotas_imports_a_pool_and_applies_the_relaxation(
        page, live_server, sign_in, assert_accessible, tmp_path):
    bad, good, pool = tmp_path / "bad.csv", tmp_path / "categories.csv", tmp_path / "pool.csv"
    bad.write_text(BAD_QUOTAS)
    good.write_text(QUOTAS)
    pool.write_text(POOL)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/officer/panels/new")
    page.get_by_label("Panel name").fill("Quota file panel (e2e)")
    page.get_by_label("Panel size (seats)").fill("4")
    # Registration closed already: this panel must not become the one the site invites residents to
    # join (other journeys on this server expect the demo's recruiting panel alone).
    for box, value in (("day", "2"), ("month", "1"), ("year", "2026")):
        page.locator(f"input[name='deadline-{box}']").fill(value)
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_url(re.compile(r"/quotas$"))

    page.get_by_label("Quota file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload the quotas").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    problems = page.locator("#quota-file-problems").inner_text()
    assert "Row 2, column ‘min’" in problems and "Row 3, column ‘min’" in problems
    assert_accessible(page)
    page.get_by_label("Quota file (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Upload the quotas").click()
    page.wait_for_url(re.compile(r"/quotas\?saved=1$"))
    assert_accessible(page)

    page.get_by_role("link", name="Pool", exact=True).click()
    page.get_by_label("Import respondents from CSV").set_input_files(str(pool))
    page.get_by_role("button", name="Import", exact=True).click()  # no lawful basis stated: refused, the wording kept
    expect(page.get_by_role("alert")).to_contain_text("Choose the lawful basis")
    assert_accessible(page)
    page.get_by_label("Import respondents from CSV").set_input_files(str(pool))
    page.get_by_role("radio", name=re.compile("Public task")).check()
    page.get_by_label("The consent or privacy notice wording these people were shown").fill(
        "The council may invite you to join its Resident Panel.")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("7 respondents imported.")).to_be_visible()
    expect(page.locator("#import-flagged")).to_contain_text("Same name and address as")
    feasibility = page.locator("#feasibility")
    assert "No — the quotas cannot all be met by this pool." in feasibility.inner_text()
    assert "Sex: Female: from 3 to 4 seats to 2 to 4 seats" in feasibility.inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Apply this change to the quotas").click()
    page.wait_for_url(re.compile(r"/pool\?relaxed=1$"))
    expect(page.get_by_text("The quotas were relaxed as proposed.")).to_be_visible()
    assert "Yes." in page.locator("#feasibility").inner_text()
    expect(page.get_by_role("button", name="Compute selection probabilities")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Compare and merge")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare and merge two registrations")
    expect(page.locator("main")).to_contain_text("pat.again.e2e@example.com")
    assert_accessible(page)
    page.get_by_role("group", name="Email").get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Merge the two registrations").click()
    expect(page.get_by_text(re.compile(r"RP-\w+ was merged into RP-\w+; its personal details were erased."))).to_be_visible()
    assert "Compare and merge" not in page.locator("main").inner_text()

    page.get_by_role("button", name="Compute selection probabilities").click()
    page.get_by_role("button", name="Publish the fingerprint").wait_for(timeout=120_000)
    fingerprint = re.search(r"[0-9a-f]{64}", page.locator("main").inner_text()).group(0)
    page.get_by_label("Where the seed will come from").fill("the numbers of the National Lottery draw on 3 February 2027")
    page.get_by_role("button", name="Publish the fingerprint").click()
    expect(page.locator("#announcement")).to_contain_text("the numbers of the National Lottery draw on 3 February 2027")
    assert_accessible(page)
    page.get_by_role("link", name="How we chose the panel").click()
    page.wait_for_load_state()  # the whole page, to read
    text = page.locator("main").inner_text()
    assert "The coming draw" in text and fingerprint in text and "National Lottery draw on 3 February 2027" in text
    assert_accessible(page)
