"""The panels demo: fictional volunteers with a response bias, and loading twice adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone

import pytest

from panels.demo import PANEL_2021_SLUG, PANEL_2022_SLUG, fictional_registrations, load_demo_panels
from tests.support.database import run


def test_fictional_pool_is_biased_towards_older_owner_occupiers():
    people = fictional_registrations(400, seed=2022, today=date(2022, 6, 1))
    assert all(person.full_name.endswith("(demo)") and person.email.endswith("@example.com") for person in people)
    over_55 = sum(person.age >= 55 for person in people) / len(people)
    assert over_55 > 0.30  # Camden 2011 adults aged 55+: 23%
    owners = Counter(person.answers["tenure"] for person in people)
    assert (owners["Owned outright"] + owners["Owned with a mortgage or loan"]) / len(people) > 0.40  # census: 32%


@pytest.mark.slow
def test_demo_loads_both_panels_once(db):
    from panels.tables import Panel, PanelSession, SelectionRun, Volunteer, Voucher

    first = run(load_demo_panels())
    assert "400 fictional volunteers" in first[0] and "drawn selection of 20" in first[1]
    again = run(load_demo_panels())
    assert "already present" in again[0] and "already present" in again[1]
    panel_2022 = run(Panel.objects().where(Panel.slug == PANEL_2022_SLUG).first().run())
    panel_2021 = run(Panel.objects().where(Panel.slug == PANEL_2021_SLUG).first().run())
    assert run(PanelSession.count().where(PanelSession.panel == panel_2022.id).run()) == 3
    assert run(Volunteer.count().where(Volunteer.panel == panel_2022.id).run()) == 400
    assert run(SelectionRun.count().where(SelectionRun.panel == panel_2021.id, SelectionRun.status == "drawn").run()) == 1
    assert run(Voucher.count().run()) > 0


def test_demo_has_a_panel_recruiting_now_in_plain_words(db):
    from panels.demo import _ensure_recruiting
    from panels.recruitment import recruiting_panel
    from panels.tables import Panel, PanelQuota, PanelSession

    first = run(_ensure_recruiting())
    assert "recruiting until" in first
    assert "already recruiting" in run(_ensure_recruiting())
    assert run(Panel.count().run()) == 1
    panel = run(recruiting_panel(now=datetime.now(timezone.utc)))
    assert panel is not None and panel.status == "recruiting" and panel.first_day > date.today()
    sessions = run(PanelSession.select(PanelSession.title, PanelSession.place).run())
    texts = [panel.name, panel.description] + [row["title"] + row["place"] for row in sessions]
    assert len(sessions) == 3 and not any("demo" in text.lower() for text in texts)
    assert run(PanelQuota.count().run()) > 0


def test_the_recruiting_panel_sent_letters_and_residents_registered_with_their_codes(db):
    from panels.demo import DEMO_LETTERS, _ensure_recruiting
    from panels.letters import response_by_ward
    from panels.recruitment import recruiting_panel
    from panels.tables import Letter, Volunteer

    assert "120 letters sent, 20 registered with a letter's code" in run(_ensure_recruiting())
    panel = run(recruiting_panel(now=datetime.now(timezone.utc)))
    responses = run(response_by_ward(panel.id))
    assert sum(row.letters for row in responses) == DEMO_LETTERS and len(responses) == 20
    assert sum(row.registrations for row in responses) == 20
    kilburn = next(row for row in responses if row.ward == "Kilburn")
    assert kilburn.letters > DEMO_LETTERS / 20  # weighted twice
    assert run(Letter.select(Letter.used_count).where(Letter.used_count > 2).run()) == []
    assert run(Volunteer.count().where(Volunteer.panel == panel.id, Volunteer.letter.is_not_null()).run()) == 20


def test_the_demo_panels_stages(db):
    """The panel recruiting now opened on a date before today and is recruiting; the 2021 panel is
    archived (off the current list, among the past panels); the 2022 one has finished."""
    from panels.demo import RECRUITING_OPENED_DAYS, _ensure_2021, _ensure_2022, _ensure_recruiting
    from panels.lifecycle import panel_facts, stage
    from panels.recruitment import list_public_panels, recruiting_panel
    from panels.tables import Panel

    run(_ensure_2022())
    run(_ensure_2021())
    run(_ensure_recruiting())
    now = datetime.now(timezone.utc)
    stages = {row.slug: stage(run(panel_facts(row)), now=now) for row in run(Panel.objects().run())}
    recruiting = run(recruiting_panel(now=now))
    assert stages == {PANEL_2021_SLUG: "archived", PANEL_2022_SLUG: "finished", recruiting.slug: "recruiting"}
    opened = run(Panel.select(Panel.registration_opens_at).where(Panel.slug == recruiting.slug).first().run())
    assert (date.today() - opened["registration_opens_at"].date()).days == RECRUITING_OPENED_DAYS
    listed = {panel.slug: panel for panel in run(list_public_panels(now=now))}
    assert listed[PANEL_2021_SLUG].past and listed[PANEL_2022_SLUG].past and not listed[recruiting.slug].past
