"""A panel's stage, the checks on the officer's actions, the task list's states, the rules for
changing a panel's details, and census keys in words: pure rules over plain data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest

from panels.lifecycle import (
    LifecycleError, PanelFacts, check_archive, check_close, check_delete, check_open, stage,
)
from panels.panel_changes import EditContext, PanelChange, check_edit_form, refusals
from panels.panel_tasks import TaskFacts, task_states
from panels.plain_words import category_label, conflict_sentence, group_label, relaxation_sentence
from panels.recruitment import SessionDates, panel_status, registration_open
from panels.selection.model import Conflict, Relaxation

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
FIRST = SessionDates(date(2027, 2, 6), time(10, 0), time(16, 0))
LAST = SessionDates(date(2027, 2, 20), time(10, 0), time(16, 0))
DRAFT = PanelFacts(has_quotas=False, drawn=False, computed=False, registrations=0, letters=0, sessions=(FIRST, LAST),
                   deadline=NOW + timedelta(days=30), opens_at=None, switch="", archived=False)
RECRUITING = replace(DRAFT, has_quotas=True, registrations=12)


def at(session: SessionDates, hour: int) -> datetime:
    return datetime.combine(session.held_on, time(hour, 0), tzinfo=timezone.utc)


# --- stages -------------------------------------------------------------------------------------

def test_each_stage_from_the_facts():
    assert stage(DRAFT, now=NOW) == "draft"  # no quotas: the form could not ask its questions
    assert stage(replace(RECRUITING, opens_at=NOW + timedelta(days=3)), now=NOW) == "draft"  # opens later
    assert stage(RECRUITING, now=NOW) == "recruiting"
    assert stage(replace(RECRUITING, switch="closed"), now=NOW) == "selecting"
    assert stage(replace(RECRUITING, deadline=NOW - timedelta(minutes=1)), now=NOW) == "selecting"
    assert stage(replace(RECRUITING, drawn=True, computed=True), now=NOW) == "selecting"
    drawn = replace(RECRUITING, drawn=True, computed=True)
    assert stage(drawn, now=at(FIRST, 11)) == "running"
    assert stage(drawn, now=at(LAST, 17)) == "finished"
    assert stage(replace(drawn, archived=True), now=at(LAST, 17)) == "archived"


def test_the_switch_opens_before_the_opening_date_but_never_after_the_deadline_or_the_draw():
    later = NOW + timedelta(days=3)
    assert not registration_open(deadline=NOW + timedelta(days=9), drawn=False, sessions=(FIRST,), now=NOW, opens_at=later)
    assert registration_open(deadline=NOW + timedelta(days=9), drawn=False, sessions=(FIRST,), now=NOW, opens_at=later,
                             switch="open")
    assert not registration_open(deadline=NOW - timedelta(days=1), drawn=False, sessions=(FIRST,), now=NOW, switch="open")
    assert not registration_open(deadline=NOW + timedelta(days=9), drawn=True, sessions=(FIRST,), now=NOW, switch="open")
    assert not registration_open(deadline=NOW + timedelta(days=9), drawn=False, sessions=(FIRST,), now=NOW,
                                 switch="closed")


def test_public_status_of_a_panel_opening_later_or_closed_by_the_officer():
    soon = dict(deadline=NOW + timedelta(days=9), drawn=False, sessions=(FIRST,), now=NOW)
    assert panel_status(**soon, opens_at=NOW + timedelta(days=2)) == "upcoming"
    assert panel_status(**soon, switch="closed") == "closed"
    assert panel_status(**soon) == "recruiting"


# --- the officer's actions ------------------------------------------------------------------------

@pytest.mark.parametrize("facts, reason", [
    (DRAFT, "Set the quotas first"),
    (replace(RECRUITING, sessions=()), "Add at least one session first"),
    (replace(RECRUITING, drawn=True), "has been drawn"),
    (replace(RECRUITING, deadline=NOW - timedelta(hours=1), switch="closed"), "deadline has passed"),
    (RECRUITING, "already open"),
    (replace(RECRUITING, archived=True), "archived"),
])
def test_opening_registration_is_refused_with_a_reason(facts, reason):
    with pytest.raises(LifecycleError, match=reason):
        check_open(facts, now=NOW)


def test_opening_registration_again_after_the_officer_closed_it():
    check_open(replace(RECRUITING, switch="closed"), now=NOW)
    check_open(replace(RECRUITING, opens_at=NOW + timedelta(days=5)), now=NOW)  # before its opening date
    with pytest.raises(LifecycleError, match="not open"):
        check_close(replace(RECRUITING, switch="closed"), now=NOW)
    check_close(RECRUITING, now=NOW)


@pytest.mark.parametrize("facts, now, reason", [
    (RECRUITING, NOW, "Close registration before"),
    (replace(RECRUITING, drawn=True), NOW, "Members have been chosen"),
    (replace(RECRUITING, drawn=True), at(FIRST, 11), "meeting"),
    (replace(RECRUITING, archived=True), NOW, "already archived"),
])
def test_archiving_is_refused_while_the_panel_is_live(facts, now, reason):
    with pytest.raises(LifecycleError, match=reason):
        check_archive(facts, now=now)


def test_archiving_a_finished_panel_or_one_given_up_before_its_draw():
    check_archive(replace(RECRUITING, drawn=True), now=at(LAST, 17))
    check_archive(replace(RECRUITING, switch="closed"), now=NOW)
    check_archive(DRAFT, now=NOW)


def test_deleting_only_before_anyone_registered_and_before_letters():
    check_delete(DRAFT)
    with pytest.raises(LifecycleError, match="12 people have registered"):
        check_delete(RECRUITING)
    with pytest.raises(LifecycleError, match="letters"):
        check_delete(replace(DRAFT, letters=40))


# --- task list --------------------------------------------------------------------------------

def tasks(stage_facts: PanelFacts, now: datetime = NOW, **overrides) -> dict[str, str]:
    facts = TaskFacts(stage=stage_facts, details_complete=True, pool=0, run_pending=False, awaiting_reply=0,
                      confirmed=0, sessions_with_attendance=0, attended=0, paid=0, voucher_pence=3000)
    return task_states(replace(facts, **overrides), now=now)


def test_task_states_through_a_panel_s_life():
    new = tasks(replace(DRAFT, sessions=()), details_complete=False)
    assert new == {"details": "in_progress", "sessions": "not_started", "quotas": "not_started",
                   "recruitment": "cannot_start", "selection": "cannot_start", "invitations": "cannot_start",
                   "held": "cannot_start", "payments": "cannot_start"}
    recruiting = tasks(RECRUITING, pool=12)
    assert (recruiting["quotas"], recruiting["recruitment"], recruiting["selection"]) == ("completed", "in_progress",
                                                                                          "not_started")
    closed = tasks(replace(RECRUITING, switch="closed"), pool=12, run_pending=True)
    assert (closed["recruitment"], closed["selection"]) == ("completed", "in_progress")
    drawn = replace(RECRUITING, drawn=True, computed=True)
    assert tasks(drawn, pool=12, awaiting_reply=3)["invitations"] == "in_progress"
    assert tasks(drawn, pool=12)["invitations"] == "completed"
    assert tasks(drawn, pool=12)["held"] == "not_started"
    meeting = tasks(drawn, at(FIRST, 17), pool=12, confirmed=6, sessions_with_attendance=1, attended=6)
    assert (meeting["held"], meeting["payments"]) == ("in_progress", "not_started")
    done = tasks(drawn, at(LAST, 17), pool=12, confirmed=6, sessions_with_attendance=2, attended=6, paid=6)
    assert (done["held"], done["payments"]) == ("completed", "completed")
    assert tasks(drawn, at(LAST, 17), sessions_with_attendance=2, attended=6, paid=2)["payments"] == "in_progress"


# --- changing a panel's details ------------------------------------------------------------------

def context(facts: PanelFacts, **overrides) -> EditContext:
    return replace(EditContext(facts=facts, vouchers_issued=0, letters_promise=0, postcodes=()), **overrides)


def test_each_detail_changes_while_it_makes_sense_and_not_after():
    size = [PanelChange("panel_size", 20, 24)]
    assert refusals(size, context(RECRUITING), confirmed_postcodes=False) == {}
    assert "computed" in refusals(size, context(replace(RECRUITING, computed=True)), confirmed_postcodes=False)["panel_size"]
    answers = [PanelChange("prefer_not_to_say", True, False)]
    assert refusals(answers, context(DRAFT), confirmed_postcodes=False) == {}
    assert "registered" in refusals(answers, context(RECRUITING), confirmed_postcodes=False)["prefer_not_to_say"]
    deadline = [PanelChange("registration_deadline", NOW + timedelta(days=30), NOW + timedelta(days=20))]
    assert refusals(deadline, context(RECRUITING), confirmed_postcodes=False) == {}
    assert "later, not earlier" in refusals(deadline, context(RECRUITING, letters_promise=2),
                                            confirmed_postcodes=False)["deadline"]
    assert "drawn" in refusals(deadline, context(replace(RECRUITING, drawn=True)), confirmed_postcodes=False)["deadline"]
    voucher = [PanelChange("voucher_pence", 3000, 4000)]
    assert "issued" in refusals(voucher, context(RECRUITING, vouchers_issued=4), confirmed_postcodes=False)["voucher"]
    adults = [PanelChange("adults_per_letter", 3, 1)]
    assert "go up, not down" in refusals(adults, context(RECRUITING, letters_promise=3),
                                         confirmed_postcodes=False)["adults_per_letter"]
    name = [PanelChange("name", "Old", "New")]
    assert refusals(name, context(replace(RECRUITING, drawn=True, computed=True)), confirmed_postcodes=False) == {}
    assert "archived" in refusals(name, context(replace(RECRUITING, archived=True)), confirmed_postcodes=False)["name"]


def test_postcode_areas_change_after_registrations_only_when_the_officer_confirms():
    areas = [PanelChange("postcode_prefixes", "NW1, NW3", "NW1")]
    with_people = context(RECRUITING, postcodes=("NW1 2RU", "NW3 2QG", "NW3 4AB"))
    refused = refusals(areas, with_people, confirmed_postcodes=False)["postcode_prefixes"]
    assert "3 people have registered already" in refused and "(2 of them outside the new areas)" in refused
    assert refusals(areas, with_people, confirmed_postcodes=True) == {}
    assert refusals(areas, context(DRAFT), confirmed_postcodes=False) == {}


def test_the_edit_form_checks_its_dates():
    base = {"name": "Panel", "year": "2027", "panel_size": "20", "retention_days": "365", "adults_per_letter": "2",
            "deadline": "2027-03-31"}
    values, errors = check_edit_form({**base, "opens": "2027-03-01"})
    assert errors == {} and values["registration_opens_at"] < values["registration_deadline"]
    assert "before its deadline" in check_edit_form({**base, "opens": "2027-04-01"})[1]["opens"]
    assert "real date" in check_edit_form({**base, "opens": "2027-02-30"})[1]["opens"]
    assert "adults" in check_edit_form({**base, "adults_per_letter": "0"})[1]["adults_per_letter"]


# --- plain words ------------------------------------------------------------------------------

def test_census_keys_in_words():
    assert category_label("age_band", "75+") == "Aged 75 and over"
    assert category_label("age_band", "18-24") == "Aged 18 to 24"
    assert group_label("age_band", "75+") == "Aged 75 and over"
    assert group_label("sex", "Female") == "Sex: Female"
    assert group_label("housing_need", "High") == "Housing need: High"
    sentence = conflict_sentence(Conflict("too_few_volunteers", category="age_band", name="75+", number=1, available=0))
    assert sentence == "Aged 75 and over: the quota needs at least 1 member, but only 0 volunteers are in this group."
    assert "age_band" not in conflict_sentence(Conflict("minimums_over_seats", category="age_band", number=22, seats=20))
    together = conflict_sentence(Conflict("together", quotas=(("sex", "Female"), ("age_band", "18-24"))))
    assert together == "These quotas cannot all be met together by this pool: Sex: Female; Aged 18 to 24."
    assert relaxation_sentence(Relaxation("age_band", "75+", 2, 4, 1, 4)) == \
        "Aged 75 and over: from 2 to 4 seats to 1 to 4 seats"
