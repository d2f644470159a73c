"""The status rules of DESIGN.md on a table of cases, and reproducibility of past reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.commitments import (
    Commitment,
    CommitmentKind,
    CommitmentUpdate,
    DeadlineEvent,
    EvidenceSource,
    MetricDirection,
    PanelSessionRecord,
    PeriodKind,
    PeriodOutcome,
    PlatformEvidence,
    Recurrence,
    ReportingPeriod,
    StatusValue,
    UpdateStatus,
    status_as_of,
    tracker_as_of,
)

MADE_ON = date(2022, 1, 10)
T = date(2022, 6, 30)
NO_EVIDENCE = PlatformEvidence()
MET, PROGRESS, NOT_MET = UpdateStatus.MET, UpdateStatus.PROGRESS, UpdateStatus.NOT_MET


def day(offset: int, base: date = T) -> date:
    return base + timedelta(days=offset)


def one_off(deadline_date: date | None = T, event: DeadlineEvent | None = None, key: str = "c1") -> Commitment:
    return Commitment(key=key, title="Publish the register", text="Publish the register.",
                      kind=CommitmentKind.ONE_OFF, principles=(1,), owner="Information Governance",
                      made_on=MADE_ON, deadline_date=deadline_date, deadline_event=event)


def update(effective_on: date, status: UpdateStatus = MET, recorded_at: datetime | None = None,
           key: str = "c1", **fields: object) -> CommitmentUpdate:
    recorded = recorded_at or datetime(effective_on.year, effective_on.month, effective_on.day, 12)
    return CommitmentUpdate(commitment_key=key, effective_on=effective_on, recorded_at=recorded,
                            status=status, **fields)  # type: ignore[arg-type]


def session(held_on: date, recorded_on: date = MADE_ON) -> PanelSessionRecord:
    return PanelSessionRecord(held_on=held_on, recorded_on=recorded_on)


ONE_OFF_CASES = [
    # (name, updates, as_of, status, days_late, days_to_deadline, met_on, label)
    ("met exactly on the deadline", [update(T)], day(40), StatusValue.MET_ON_TIME, None, None, T,
     "Met on time on 30 June 2022"),
    ("met the day before", [update(day(-1))], day(40), StatusValue.MET_ON_TIME, None, None, day(-1), None),
    ("met one day late", [update(day(1))], day(40), StatusValue.MET_LATE, 1, None, day(1), "Met late by 1 day"),
    ("met twelve days late", [update(day(12))], day(40), StatusValue.MET_LATE, 12, None, day(12),
     "Met late by 12 days"),
    ("not met, one day past", [], day(1), StatusValue.OVERDUE, 1, None, None, "Overdue by 1 day"),
    ("not met, 45 days past, progress only", [update(day(-5), PROGRESS)], day(45), StatusValue.OVERDUE, 45,
     None, None, "Overdue by 45 days"),
    ("long overdue reads in years beside the days", [], T + timedelta(days=1599), StatusValue.OVERDUE, 1599, None,
     None, "More than 4 years overdue (1,599 days)"),
    ("met months late reads in months", [update(day(75))], day(80), StatusValue.MET_LATE, 75, None, day(75),
     "Met more than 2 months late (75 days)"),
    ("not met, on the deadline day", [], T, StatusValue.DUE_SOON, None, 0, None, "Due soon: due today"),
    ("due-soon window opens at T-29", [], day(-29), StatusValue.DUE_SOON, None, 29, None,
     "Due soon: due in 29 days"),
    ("T-30 is still on track", [], day(-30), StatusValue.ON_TRACK, None, 30, None,
     "On track: due by 30 June 2022"),
    ("met early, seen before the deadline", [update(day(-60))], day(-50), StatusValue.MET_ON_TIME, None,
     None, day(-60), None),
    ("met then withdrawn", [update(day(-10)), update(day(-3), NOT_MET)], day(5), StatusValue.OVERDUE, 5,
     None, None, None),
    ("withdrawn then met again late", [update(day(-10)), update(day(-3), NOT_MET), update(day(3))], day(5),
     StatusValue.MET_LATE, 3, None, day(3), None),
    ("progress after met changes nothing", [update(day(-10)), update(day(-3), PROGRESS)], day(5),
     StatusValue.MET_ON_TIME, None, None, day(-10), None),
    ("update effective after the report date is unseen", [update(day(10), recorded_at=datetime(2022, 6, 1))],
     day(5), StatusValue.OVERDUE, 5, None, None, None),
    ("update recorded after the report date is unseen", [update(day(-1), recorded_at=datetime(2022, 7, 20))],
     day(5), StatusValue.OVERDUE, 5, None, None, None),
]


@pytest.mark.parametrize(("name", "updates", "as_of", "status", "days_late", "days_to_deadline", "met_on", "label"),
                         ONE_OFF_CASES, ids=[case[0] for case in ONE_OFF_CASES])
def test_one_off_with_a_date_deadline(name, updates, as_of, status, days_late, days_to_deadline, met_on, label):
    result = status_as_of(one_off(), updates, NO_EVIDENCE, as_of)
    assert result.status is status
    assert result.deadline == T
    assert result.days_late == days_late
    assert result.days_to_deadline == days_to_deadline
    assert result.met_on == met_on
    if label is not None:
        assert result.label == label


PANEL_DAY = date(2022, 5, 14)
EVENT_CASES = [
    # (name, sessions, deadline_date, updates, as_of, status, deadline)
    ("no session scheduled yet", [], None, [], day(0), StatusValue.ON_TRACK, None),
    ("scheduled session becomes the deadline", [session(PANEL_DAY)], None, [], date(2022, 5, 1),
     StatusValue.DUE_SOON, PANEL_DAY),
    ("a session on the day the commitment was made is not 'the next'", [session(MADE_ON)], None, [],
     date(2022, 3, 1), StatusValue.ON_TRACK, None),
    ("sessions before the commitment are ignored", [session(date(2021, 10, 9), date(2021, 9, 1))], None, [],
     date(2022, 3, 1), StatusValue.ON_TRACK, None),
    ("the first of several sessions counts", [session(date(2022, 9, 1)), session(PANEL_DAY)], None, [],
     date(2022, 3, 1), StatusValue.ON_TRACK, PANEL_DAY),
    ("a session announced after the report date is unknown", [session(PANEL_DAY, date(2022, 4, 2))], None, [],
     date(2022, 4, 1), StatusValue.ON_TRACK, None),
    ("overdue once the session has passed", [session(PANEL_DAY)], None, [], date(2022, 5, 20),
     StatusValue.OVERDUE, PANEL_DAY),
    ("met at the session itself is on time", [session(PANEL_DAY)], None, [update(PANEL_DAY)], date(2022, 6, 1),
     StatusValue.MET_ON_TIME, PANEL_DAY),
    ("met before any session is scheduled", [], None, [update(date(2022, 2, 1))], date(2022, 3, 1),
     StatusValue.MET_ON_TIME, None),
    ("date and event: the session comes first", [session(PANEL_DAY)], T, [], date(2022, 5, 20),
     StatusValue.OVERDUE, PANEL_DAY),
    ("date and event: the date comes first", [session(date(2022, 9, 1))], T, [], date(2022, 7, 2),
     StatusValue.OVERDUE, T),
    ("date and event: no session yet, so the date", [], T, [], date(2022, 6, 15), StatusValue.DUE_SOON, T),
]


@pytest.mark.parametrize(("name", "sessions", "deadline_date", "updates", "as_of", "status", "deadline"),
                         EVENT_CASES, ids=[case[0] for case in EVENT_CASES])
def test_one_off_with_an_event_deadline(name, sessions, deadline_date, updates, as_of, status, deadline):
    commitment = one_off(deadline_date=deadline_date, event=DeadlineEvent.NEXT_PANEL_SESSION)
    result = status_as_of(commitment, updates, PlatformEvidence(panel_sessions=tuple(sessions)), as_of)
    assert result.status is status
    assert result.deadline == deadline


def test_awaiting_the_event_says_so():
    result = status_as_of(one_off(None, DeadlineEvent.NEXT_PANEL_SESSION), [], NO_EVIDENCE, day(0))
    assert result.label == "On track – awaiting event date"
    assert result.days_to_deadline is None


@pytest.mark.parametrize(("recorded_at", "counts"), [
    (datetime(2022, 7, 1, 23, 59), True),  # naive: council local time
    (datetime(2022, 7, 2, 0, 0), False),
    (datetime(2022, 7, 1, 22, 59, tzinfo=timezone.utc), True),  # 23:59 BST
    (datetime(2022, 7, 1, 23, 0, tzinfo=timezone.utc), False),  # 00:00 BST on 2 July
])
def test_the_report_day_ends_at_local_midnight(recorded_at, counts):
    result = status_as_of(one_off(), [update(day(-1), recorded_at=recorded_at)], NO_EVIDENCE, date(2022, 7, 1))
    assert (result.status is StatusValue.MET_ON_TIME) is counts


def recurring(period: PeriodKind = PeriodKind.CALENDAR_YEAR, source: EvidenceSource | None = None,
              first_period_start: date | None = None) -> Commitment:
    return Commitment(key="c1", title="Hold a Resident Panel", text="Hold a Resident Panel annually.",
                      kind=CommitmentKind.RECURRING, principles=(2,), owner="Participation team",
                      made_on=MADE_ON, recurrence=Recurrence(period, source, first_period_start))


HELD = EvidenceSource.PANEL_SESSION_HELD
MORE_CASE_STUDIES = EvidenceSource.CASE_STUDIES_PUBLISHED_MORE_THAN_PREVIOUS
RECURRING_CASES = [
    # (name, source, sessions, case_studies, updates, as_of, status, outcomes)
    ("panel held this year", HELD, [session(date(2022, 3, 5))], [], [], date(2022, 4, 1),
     StatusValue.MET_ON_TIME, ["met"]),
    ("announced but not yet held", HELD, [session(date(2022, 5, 5))], [], [], date(2022, 4, 1),
     StatusValue.ON_TRACK, ["in_progress"]),
    ("within 30 days of the period end", HELD, [], [], [], date(2022, 12, 2), StatusValue.DUE_SOON,
     ["in_progress"]),
    ("last day of the period is still in progress", HELD, [], [], [], date(2022, 12, 31), StatusValue.DUE_SOON,
     ["in_progress"]),
    ("last year missed", HELD, [], [], [], date(2023, 1, 1), StatusValue.MISSED, ["missed", "in_progress"]),
    ("last year met, this year in progress", HELD, [session(date(2022, 3, 5))], [], [], date(2023, 2, 1),
     StatusValue.ON_TRACK, ["met", "in_progress"]),
    ("missed, then met this year", HELD, [session(date(2023, 3, 5))], [], [], date(2023, 4, 1),
     StatusValue.MET_ON_TIME, ["missed", "met"]),
    ("an officer's met update counts", None, [], [], [update(date(2022, 11, 3))], date(2023, 2, 1),
     StatusValue.ON_TRACK, ["met", "in_progress"]),
    ("more case studies than last year", MORE_CASE_STUDIES, [],
     [date(2021, 5, 1), date(2022, 2, 1), date(2022, 3, 1)], [], date(2022, 4, 1), StatusValue.MET_ON_TIME,
     ["met"]),
    ("as many as last year is not more", MORE_CASE_STUDIES, [], [date(2021, 5, 1), date(2022, 2, 1)], [],
     date(2023, 1, 5), StatusValue.MISSED, ["missed", "in_progress"]),
]


@pytest.mark.parametrize(("name", "source", "sessions", "case_studies", "updates", "as_of", "status", "outcomes"),
                         RECURRING_CASES, ids=[case[0] for case in RECURRING_CASES])
def test_recurring(name, source, sessions, case_studies, updates, as_of, status, outcomes):
    evidence = PlatformEvidence(panel_sessions=tuple(sessions), case_studies_published=tuple(case_studies))
    result = status_as_of(recurring(source=source), updates, evidence, as_of)
    assert result.status is status
    assert [str(period.outcome) for period in result.periods] == outcomes
    assert result.deadline == result.periods[-1].period.end


def test_recurring_case_studies_meet_the_period_on_the_publication_that_tips_it():
    evidence = PlatformEvidence(case_studies_published=(date(2021, 5, 1), date(2022, 2, 1), date(2022, 3, 1)))
    result = status_as_of(recurring(source=MORE_CASE_STUDIES), [], evidence, date(2022, 4, 1))
    assert result.met_on == date(2022, 3, 1)
    assert result.label == "Met for 2022 on 1 March 2022"
    assert [item.description for item in result.evidence] == ["2 case studies published in 2022 (1 in 2021)"]


def test_recurring_financial_years_start_in_april():
    commitment = recurring(period=PeriodKind.FINANCIAL_YEAR, source=HELD)
    evidence = PlatformEvidence(panel_sessions=(session(date(2022, 2, 1)),))
    result = status_as_of(commitment, [], evidence, date(2022, 4, 2))
    assert [(p.period.label, p.outcome) for p in result.periods] == [
        ("2021/22", PeriodOutcome.MET), ("2022/23", PeriodOutcome.IN_PROGRESS)]
    assert result.deadline == date(2023, 3, 31)


def test_recurring_before_its_first_period():
    result = status_as_of(recurring(first_period_start=date(2023, 1, 1)), [], NO_EVIDENCE, date(2022, 6, 1))
    assert result.status is StatusValue.ON_TRACK
    assert result.periods == ()
    assert result.deadline == date(2023, 12, 31)


def ongoing() -> Commitment:
    return Commitment(key="c1", title="Encourage partners", text="Encourage partners to pledge.",
                      kind=CommitmentKind.ONGOING, principles=(4,), owner="Chief Data Officer", made_on=MADE_ON)


D = date(2024, 3, 1)  # a year after a leap day: 365 days is not "the same date last year"


@pytest.mark.parametrize(("name", "updates", "status"), [
    ("update 364 days ago", [update(day(-364, D))], StatusValue.ONGOING),
    ("update exactly 365 days ago", [update(day(-365, D))], StatusValue.STALE),
    ("old update only", [update(date(2022, 2, 1), PROGRESS)], StatusValue.STALE),
    ("no update since made long ago", [], StatusValue.STALE),
])
def test_ongoing_and_stale(name, updates, status):
    assert status_as_of(ongoing(), updates, NO_EVIDENCE, D).status is status


@pytest.mark.parametrize(("made_days_ago", "status"), [(364, StatusValue.ONGOING), (365, StatusValue.STALE)])
def test_a_new_ongoing_commitment_is_not_stale_until_a_year_has_passed(made_days_ago, status):
    commitment = Commitment(key="c1", title="t", text="t", kind=CommitmentKind.ONGOING, principles=(),
                            owner="team", made_on=day(-made_days_ago, D))
    assert status_as_of(commitment, [], NO_EVIDENCE, D).status is status


def metric(direction: MetricDirection) -> Commitment:
    return Commitment(key="c1", title="Complaints", text="Reduce complaints.", kind=CommitmentKind.METRIC,
                      principles=(3,), owner="Information Governance", made_on=MADE_ON, direction=direction)


FY21, FY22 = ReportingPeriod(date(2021, 4, 1), date(2022, 3, 31)), ReportingPeriod(date(2022, 4, 1), date(2023, 3, 31))


def reading(value: float, period: ReportingPeriod, effective_on: date = date(2023, 5, 1)) -> CommitmentUpdate:
    return update(effective_on, PROGRESS, metric_value=value, metric_period=period)


@pytest.mark.parametrize(("name", "direction", "readings", "status"), [
    ("no figures", MetricDirection.REDUCE, [], StatusValue.NOT_ENOUGH_DATA),
    ("one figure", MetricDirection.REDUCE, [reading(11, FY21)], StatusValue.NOT_ENOUGH_DATA),
    ("reduce and it fell", MetricDirection.REDUCE, [reading(14, FY21), reading(11, FY22)], StatusValue.IMPROVING),
    ("reduce and it rose", MetricDirection.REDUCE, [reading(11, FY21), reading(14, FY22)], StatusValue.WORSENING),
    ("increase and it rose", MetricDirection.INCREASE, [reading(11, FY21), reading(14, FY22)],
     StatusValue.IMPROVING),
    ("no change", MetricDirection.REDUCE, [reading(11, FY21), reading(11, FY22)], StatusValue.NO_CHANGE),
    ("periods compared by date, not by recording order", MetricDirection.REDUCE,
     [reading(11, FY22, date(2023, 4, 2)), reading(14, FY21, date(2023, 5, 1))], StatusValue.IMPROVING),
    ("a later correction replaces a figure", MetricDirection.REDUCE,
     [reading(14, FY21), reading(11, FY22), reading(16, FY22, date(2023, 6, 1))], StatusValue.WORSENING),
])
def test_metric_trend(name, direction, readings, status):
    result = status_as_of(metric(direction), readings, NO_EVIDENCE, date(2023, 7, 1))
    assert result.status is status
    assert result.trend is not None and result.trend.direction is direction


def test_metric_label_gives_both_figures():
    result = status_as_of(metric(MetricDirection.REDUCE), [reading(14, FY21), reading(11, FY22)], NO_EVIDENCE,
                          date(2023, 7, 1))
    assert result.label == "Improving: 11 in 2022/23, down from 14 in 2021/22"


def test_no_status_before_the_commitment_was_made():
    with pytest.raises(ValueError, match="was made on"):
        status_as_of(one_off(), [], NO_EVIDENCE, date(2022, 1, 9))


def test_tracker_lists_only_commitments_known_on_the_day():
    later = Commitment(key="c2", title="t", text="t", kind=CommitmentKind.ONGOING, principles=(), owner="team",
                       made_on=date(2022, 1, 1), recorded_at=datetime(2022, 8, 1, 9))
    future = Commitment(key="c3", title="t", text="t", kind=CommitmentKind.ONGOING, principles=(), owner="team",
                        made_on=date(2022, 9, 1))
    keys = [s.key for s in tracker_as_of([one_off(), later, future], [], NO_EVIDENCE, date(2022, 7, 1))]
    assert keys == ["c1"]
    assert [s.key for s in tracker_as_of([one_off(), later, future], [], NO_EVIDENCE, date(2022, 9, 1))] == [
        "c1", "c2", "c3"]


def test_updates_of_other_commitments_are_ignored():
    result = status_as_of(one_off(), [update(day(-1), key="other")], NO_EVIDENCE, day(1))
    assert result.status is StatusValue.OVERDUE


# --- reproducibility: what is added after D never changes the answer for D ---------------------------------

REPORT_DAY = date(2022, 9, 15)
days_around = st.dates(min_value=MADE_ON, max_value=date(2024, 12, 31))
days_up_to_report = st.dates(min_value=MADE_ON, max_value=REPORT_DAY)


@st.composite
def commitments(draw: st.DrawFn) -> Commitment:
    kind = draw(st.sampled_from(CommitmentKind))
    fields: dict[str, object] = {}
    if kind is CommitmentKind.ONE_OFF:
        fields["deadline_event"] = draw(st.sampled_from([None, DeadlineEvent.NEXT_PANEL_SESSION]))
        fields["deadline_date"] = draw(days_around if fields["deadline_event"] is None else st.none() | days_around)
    elif kind is CommitmentKind.RECURRING:
        source = draw(st.none() | st.sampled_from(EvidenceSource))
        fields["recurrence"] = Recurrence(draw(st.sampled_from(PeriodKind)), source)
    elif kind is CommitmentKind.METRIC:
        fields["direction"] = draw(st.sampled_from(MetricDirection))
    return Commitment(key="c1", title="t", text="t", kind=kind, principles=(1,), owner="team", made_on=MADE_ON,
                      **fields)  # type: ignore[arg-type]


def updates_recorded(recorded_days: st.SearchStrategy[date]) -> st.SearchStrategy[CommitmentUpdate]:
    periods = st.sampled_from([None, FY21, FY22])

    @st.composite
    def build(draw: st.DrawFn) -> CommitmentUpdate:
        recorded_on = draw(recorded_days)
        effective_on = draw(st.dates(min_value=MADE_ON, max_value=recorded_on))
        period = draw(periods)
        return CommitmentUpdate(
            commitment_key="c1", effective_on=effective_on,
            recorded_at=datetime(recorded_on.year, recorded_on.month, recorded_on.day, draw(st.integers(0, 23))),
            status=draw(st.sampled_from(UpdateStatus)),
            metric_value=None if period is None else draw(st.integers(0, 30)), metric_period=period)

    return build()


sessions_recorded = st.builds(PanelSessionRecord, held_on=days_around, recorded_on=days_up_to_report)
late_sessions = st.builds(PanelSessionRecord, held_on=days_around,
                          recorded_on=st.dates(min_value=REPORT_DAY + timedelta(days=1), max_value=date(2025, 1, 1)))


@pytest.mark.slow
@settings(max_examples=300)
@given(
    commitment=commitments(),
    known=st.lists(updates_recorded(days_up_to_report), max_size=6),
    later=st.lists(updates_recorded(st.dates(min_value=REPORT_DAY + timedelta(days=1), max_value=date(2025, 1, 1))),
                   min_size=1, max_size=6),
    sessions=st.lists(sessions_recorded, max_size=3),
    extra_sessions=st.lists(late_sessions, max_size=3),
    case_studies=st.lists(days_up_to_report, max_size=5),
    later_case_studies=st.lists(st.dates(min_value=REPORT_DAY + timedelta(days=1), max_value=date(2025, 1, 1)),
                                max_size=5),
)
def test_records_added_after_the_report_day_never_change_it(
    commitment, known, later, sessions, extra_sessions, case_studies, later_case_studies
):
    then = PlatformEvidence(panel_sessions=tuple(sessions), case_studies_published=tuple(case_studies))
    now = PlatformEvidence(panel_sessions=tuple(sessions + extra_sessions),
                           case_studies_published=tuple(case_studies + later_case_studies))
    report_then = status_as_of(commitment, known, then, REPORT_DAY)
    report_now = status_as_of(commitment, known + later, now, REPORT_DAY)
    assert report_now == report_then


@settings(max_examples=100)
@given(commitment=commitments(), known=st.lists(updates_recorded(days_up_to_report), max_size=6),
       data=st.data())
def test_the_order_updates_arrive_in_does_not_matter(commitment, known, data):
    shuffled = data.draw(st.permutations(known))
    assert status_as_of(commitment, shuffled, NO_EVIDENCE, REPORT_DAY) == status_as_of(
        commitment, known, NO_EVIDENCE, REPORT_DAY)
