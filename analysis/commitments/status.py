"""The status of charter commitments as of a date, by the rules in DESIGN.md.

**Reproducibility.** The answer for a day D depends only on what the platform knew by
the end of D, in the council's time zone:

- an update counts when ``effective_on <= D`` *and* it was recorded on or before D
  (``recorded_at`` read in local time). An update entered later with a back-dated
  ``effective_on`` changes reports for days from its recording onwards, never a report
  for a day that had already passed when it was recorded;
- a commitment is listed from ``max(made_on, recorded_at)``;
- a panel session counts, as a deadline or as evidence, from the day it was recorded
  (announced), and as "held" only from the day it was held;
- a case study counts from the day it was published.

There is no clock here: for today or a future D every record already entered passes the
filter, so "is D in the past?" never needs asking. The guarantee holds as long as the
stored records are append-only (an edited commitment or a rescheduled session is the
storage layer's to version).

**Rules**, with T the resolved deadline:

- one-off: *met on time* (met on or before T), *met late* (after T, by N days),
  *overdue* (not met and D > T, by N days), *due soon* (not met, T − 30 days < D ≤ T),
  else *on track*. "Met" is the effective date of the first ``met`` update not
  withdrawn by a later ``not_met``. A deadline naming the next panel session resolves
  to the first known session strictly after ``made_on`` (a session on the day itself is
  the one the commitment was made at, not "the next"); with no session known yet the
  status is on track, awaiting the event date, and the deadline is null. With both a
  date and an event the deadline is whichever comes first.
- recurring: each period from the first is *met* (an officer's ``met`` update dated
  in it, or the platform evidence), *missed* (ended unmet) or *in progress* (the one
  containing D). Overall: *met on time* if the current period is met, else *missed* if
  the last completed period was missed, else *due soon*/*on track* against the end of
  the current period.
- ongoing: *stale* when nothing (no update, nor the commitment being made) happened in
  the 365 days up to D — i.e. the last activity was 365 or more days before D — else
  *ongoing*.
- metric: the latest published period's figure against the previous published period's,
  in the declared direction: *improving*, *worsening*, *no change*, or *not enough data*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, tzinfo

from analysis.commitments.model import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CommitmentUpdate,
    DeadlineEvent,
    EvidenceItem,
    EvidenceSource,
    MetricDirection,
    MetricTrend,
    PeriodKind,
    PeriodOutcome,
    PeriodResult,
    PlatformEvidence,
    ReportingPeriod,
    StatusValue,
    UpdateStatus,
)
from common.clock import COUNCIL_TIME_ZONE
from common.i18n import elapsed_in_words, format_count, format_day, gettext, lazy_gettext, ngettext

DUE_SOON_DAYS = 30
"""A deadline T is due soon on days D with T − 30 days < D ≤ T."""

STALE_AFTER_DAYS = 365
"""An ongoing commitment with no activity for this many days is stale."""

_NO_PERIOD = ReportingPeriod(date.min, date.min)

LONG_DELAY_DAYS = 60
"""From this many days late or overdue, a label says the time in words ("more than 4 years")
before the exact days: a reader takes in "4 years" faster than "1,599 days"."""

STATUS_NAMES = {
    StatusValue.OVERDUE: lazy_gettext("Overdue"),
    StatusValue.MISSED: lazy_gettext("Missed last period"),
    StatusValue.WORSENING: lazy_gettext("Worsening"),
    StatusValue.STALE: lazy_gettext("Stale"),
    StatusValue.DUE_SOON: lazy_gettext("Due soon"),
    StatusValue.ON_TRACK: lazy_gettext("On track"),
    StatusValue.ONGOING: lazy_gettext("Ongoing"),
    StatusValue.NOT_ENOUGH_DATA: lazy_gettext("Not enough data"),
    StatusValue.NO_CHANGE: lazy_gettext("No change"),
    StatusValue.IMPROVING: lazy_gettext("Improving"),
    StatusValue.MET_LATE: lazy_gettext("Met late"),
    StatusValue.MET_ON_TIME: lazy_gettext("Met on time"),
}
"""What a person reads for each status, in reports and on the tracker, most urgent first."""

STATUS_DEFINITIONS = {
    StatusValue.OVERDUE: lazy_gettext("The deadline has passed and the council has not done what it promised."),
    StatusValue.MISSED: lazy_gettext(
        "A promise the council repeats (every year, for example) was not kept in the last period. "
        "The current period is still open."),
    StatusValue.WORSENING: lazy_gettext(
        "A measure the council promised to move has gone the wrong way since the period before."),
    StatusValue.STALE: lazy_gettext(
        "A promise with no deadline that has had no news for %(days)s days or more.", days=STALE_AFTER_DAYS),
    StatusValue.DUE_SOON: lazy_gettext(
        "Not done yet, and the deadline is less than %(days)s days away.", days=DUE_SOON_DAYS),
    StatusValue.ON_TRACK: lazy_gettext(
        "Not done yet, and the deadline is %(days)s days or more away, or waits for an event with no date "
        "yet.", days=DUE_SOON_DAYS),
    StatusValue.ONGOING: lazy_gettext(
        "A promise with no deadline, such as a way of working, with news in the last %(days)s days.",
        days=STALE_AFTER_DAYS),
    StatusValue.NOT_ENOUGH_DATA: lazy_gettext(
        "A measure with fewer than two periods published, so there is nothing to compare yet."),
    StatusValue.NO_CHANGE: lazy_gettext("A measure that is the same as in the period before."),
    StatusValue.IMPROVING: lazy_gettext(
        "A measure the council promised to move has gone the right way since the period before."),
    StatusValue.MET_LATE: lazy_gettext("Done, but after the deadline."),
    StatusValue.MET_ON_TIME: lazy_gettext(
        "Done by the deadline. For a promise the council repeats, done in the current period."),
}
"""What each status means, in plain words, from the rules above (and their constants, so the
words cannot drift from the rules). The public tracker shows them as "What the statuses mean"."""


def status_definitions() -> list[tuple[str, str, str]]:
    """``(value, name, definition)`` for every status, most urgent first: the tracker's "What the
    statuses mean"."""
    return [(str(value), str(name), str(STATUS_DEFINITIONS[value])) for value, name in STATUS_NAMES.items()]


def status_as_of(
    commitment: Commitment,
    updates: Iterable[CommitmentUpdate],
    evidence: PlatformEvidence,
    as_of: date,
    *,
    time_zone: tzinfo = COUNCIL_TIME_ZONE,
) -> CommitmentStatus:
    """The status of one commitment on ``as_of``, from what was known by the end of that day.

    ``updates`` may hold other commitments' updates; only this commitment's count.
    Raises ValueError for a day before the commitment was made.
    """
    if as_of < commitment.made_on:
        raise ValueError(f"commitment {commitment.key!r} was made on {commitment.made_on}, after {as_of}")
    known = known_updates(commitment.key, updates, as_of, time_zone)
    facts = known_evidence(evidence, as_of)
    if commitment.kind is CommitmentKind.ONE_OFF:
        return _one_off_status(commitment, known, facts, as_of)
    if commitment.kind is CommitmentKind.RECURRING:
        return _recurring_status(commitment, known, facts, as_of)
    if commitment.kind is CommitmentKind.METRIC:
        return _metric_status(commitment, known, as_of)
    return _ongoing_status(commitment, known, as_of)


def tracker_as_of(
    commitments: Iterable[Commitment],
    updates: Iterable[CommitmentUpdate],
    evidence: PlatformEvidence,
    as_of: date,
    *,
    time_zone: tzinfo = COUNCIL_TIME_ZONE,
) -> list[CommitmentStatus]:
    """The status of every commitment known on ``as_of``, in the order given.

    Commitments made or recorded after ``as_of`` are left out, so a report for a past
    day lists what that day's report listed.
    """
    all_updates = tuple(updates)
    return [
        status_as_of(commitment, all_updates, evidence, as_of, time_zone=time_zone)
        for commitment in commitments
        if commitment.made_on <= as_of
        and (commitment.recorded_at is None or _local_day(commitment.recorded_at, time_zone) <= as_of)
    ]


def known_updates(
    key: str, updates: Iterable[CommitmentUpdate], as_of: date, time_zone: tzinfo = COUNCIL_TIME_ZONE
) -> list[CommitmentUpdate]:
    """The commitment's updates visible on ``as_of``, oldest first.

    Visible means effective on or before ``as_of`` and recorded by the end of it; order
    is by effective date, then by when recorded, so a correction beats what it corrects.
    Exact ties are broken by content (a ``not_met`` after a ``met``), so the order the
    caller passes updates in never changes a status.
    """
    visible = [
        update
        for update in updates
        if update.commitment_key == key
        and update.effective_on <= as_of
        and _local_day(update.recorded_at, time_zone) <= as_of
    ]
    return sorted(visible, key=lambda update: (
        update.effective_on, _aware(update.recorded_at, time_zone), str(update.status), update.note,
        update.evidence_url or "", update.metric_period or _NO_PERIOD, update.metric_value or 0.0,
    ))


def known_evidence(evidence: PlatformEvidence, as_of: date) -> PlatformEvidence:
    """The platform evidence known on ``as_of``: sessions announced by then (held or not)
    and case studies published by then."""
    return PlatformEvidence(
        panel_sessions=tuple(s for s in evidence.panel_sessions if s.recorded_on <= as_of),
        case_studies_published=tuple(d for d in evidence.case_studies_published if d <= as_of),
    )


def resolve_deadline(commitment: Commitment, evidence: PlatformEvidence) -> date | None:
    """The deadline date, or None while the event it waits for has no known date."""
    candidates = [commitment.deadline_date] if commitment.deadline_date else []
    if commitment.deadline_event is DeadlineEvent.NEXT_PANEL_SESSION:
        later = [s.held_on for s in evidence.panel_sessions if s.held_on > commitment.made_on]
        if later:
            candidates.append(min(later))
    return min(candidates) if candidates else None


def human_date(day: date) -> str:
    """``12 May 2022``: the form GOV.UK style uses in text, in the reader's language."""
    return format_day(day)


def _one_off_status(
    commitment: Commitment, known: list[CommitmentUpdate], facts: PlatformEvidence, as_of: date
) -> CommitmentStatus:
    deadline = resolve_deadline(commitment, facts)
    met_on = _met_on(known)
    base = _base(commitment, as_of, deadline=deadline, met_on=met_on, evidence=_update_evidence(known))
    if met_on is not None:
        if deadline is None or met_on <= deadline:
            return replace(base, status=StatusValue.MET_ON_TIME, label=gettext("Met on time on %(day)s", day=human_date(met_on)))
        days = (met_on - deadline).days
        return replace(base, status=StatusValue.MET_LATE, days_late=days, label=_late_label(deadline, met_on))
    if deadline is None:
        return replace(base, status=StatusValue.ON_TRACK, label=gettext("On track – awaiting event date"))
    return _against_deadline(base, deadline, as_of)


def _against_deadline(base: CommitmentStatus, deadline: date, as_of: date) -> CommitmentStatus:
    """Overdue, due soon or on track for something not (yet) met by ``deadline``."""
    if as_of > deadline:
        days = (as_of - deadline).days
        return replace(base, status=StatusValue.OVERDUE, days_late=days, label=_overdue_label(deadline, as_of))
    days_left = (deadline - as_of).days
    if days_left < DUE_SOON_DAYS:
        label = (gettext("Due soon: due today") if days_left == 0 else
                 ngettext("Due soon: due in %(num)d day", "Due soon: due in %(num)d days", days_left))
        return replace(base, status=StatusValue.DUE_SOON, days_to_deadline=days_left, label=label)
    return replace(base, status=StatusValue.ON_TRACK, days_to_deadline=days_left,
                   label=gettext("On track: due by %(day)s", day=human_date(deadline)))


def _overdue_label(deadline: date, as_of: date) -> str:
    """"Overdue by 12 days", or from ``LONG_DELAY_DAYS`` "More than 4 years overdue (1,599 days)"."""
    days = (as_of - deadline).days
    if days < LONG_DELAY_DAYS:
        return ngettext("Overdue by %(num)d day", "Overdue by %(num)d days", days)
    return gettext("%(elapsed)s overdue (%(days)s days)", elapsed=_capitalised(elapsed_in_words(deadline, as_of)),
                   days=format_count(days))


def _late_label(deadline: date, met_on: date) -> str:
    """"Met late by 12 days", or from ``LONG_DELAY_DAYS`` "Met more than 2 months late (75 days)"."""
    days = (met_on - deadline).days
    if days < LONG_DELAY_DAYS:
        return ngettext("Met late by %(num)d day", "Met late by %(num)d days", days)
    return gettext("Met %(elapsed)s late (%(days)s days)", elapsed=elapsed_in_words(deadline, met_on),
                   days=format_count(days))


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def _recurring_status(
    commitment: Commitment, known: list[CommitmentUpdate], facts: PlatformEvidence, as_of: date
) -> CommitmentStatus:
    assert commitment.recurrence is not None  # guaranteed by Commitment.__post_init__
    kind = commitment.recurrence.period
    source = commitment.recurrence.evidence_source
    period = ReportingPeriod.containing(commitment.recurrence.first_period_start or commitment.made_on, kind)
    results: list[PeriodResult] = []
    evidence = _update_evidence(known)
    while period.start <= as_of:
        met_on = _met_on([u for u in known if u.effective_on in period])
        platform_met_on, platform_items = _platform_period_evidence(source, period, kind, facts, as_of)
        evidence.extend(platform_items)
        met_on = min((d for d in (met_on, platform_met_on) if d is not None), default=None)
        if met_on is not None:
            outcome = PeriodOutcome.MET
        else:
            outcome = PeriodOutcome.MISSED if period.end < as_of else PeriodOutcome.IN_PROGRESS
        results.append(PeriodResult(period=period, outcome=outcome, met_on=met_on))
        period = period.following(kind)
    base = _base(commitment, as_of, evidence=evidence, periods=results)
    if not results:
        return replace(base, status=StatusValue.ON_TRACK, deadline=period.end,
                       days_to_deadline=(period.end - as_of).days,
                       label=gettext("On track: first period %(period)s not started", period=period.label))
    current = results[-1]
    base = replace(base, deadline=current.period.end)
    if current.outcome is PeriodOutcome.MET:
        return replace(base, status=StatusValue.MET_ON_TIME, met_on=current.met_on,
                       label=gettext("Met for %(period)s on %(day)s", period=current.period.label,
                                     day=human_date(current.met_on)))
    if len(results) > 1 and results[-2].outcome is PeriodOutcome.MISSED:
        days_left = (current.period.end - as_of).days
        return replace(base, status=StatusValue.MISSED, days_to_deadline=days_left,
                       label=gettext("Missed in %(missed)s; %(period)s in progress", missed=results[-2].period.label,
                                     period=current.period.label))
    return _against_deadline(base, current.period.end, as_of)


def _platform_period_evidence(
    source: EvidenceSource | None, period: ReportingPeriod, kind: PeriodKind, facts: PlatformEvidence,
    as_of: date,
) -> tuple[date | None, list[EvidenceItem]]:
    """When the platform's own records met ``period`` (or None), and the items showing it.

    A session announced but not yet held on ``as_of`` is no evidence; case studies in
    ``facts`` are already only those published by ``as_of``.
    """
    if source is EvidenceSource.PANEL_SESSION_HELD:
        held = sorted({s.held_on for s in facts.panel_sessions if s.held_on in period and s.held_on <= as_of})
        items = [EvidenceItem(on=day, description="Resident Panel session held", source="platform")
                 for day in held]
        return (held[0] if held else None), items
    if source is EvidenceSource.CASE_STUDIES_PUBLISHED_MORE_THAN_PREVIOUS:
        previous = period.preceding(kind)
        before = sum(1 for day in facts.case_studies_published if day in previous)
        published = sorted(day for day in facts.case_studies_published if day in period)
        met_on = published[before] if len(published) > before else None
        if not published:
            return None, []
        description = ngettext("%(num)d case study published in %(period)s (%(before)d in %(previous)s)",
                               "%(num)d case studies published in %(period)s (%(before)d in %(previous)s)",
                               len(published), period=period.label, before=before, previous=previous.label)
        return met_on, [EvidenceItem(on=published[-1], description=description, source="platform")]
    return None, []


def _metric_status(commitment: Commitment, known: list[CommitmentUpdate], as_of: date) -> CommitmentStatus:
    assert commitment.direction is not None  # guaranteed by Commitment.__post_init__
    readings: dict[ReportingPeriod, float] = {}
    for update in known:  # oldest first, so a correction for a period replaces its figure
        if update.metric_period is not None and update.metric_value is not None:
            readings[update.metric_period] = update.metric_value
    periods = sorted(readings)
    base = _base(commitment, as_of, evidence=_update_evidence(known))
    if len(periods) < 2:
        trend = MetricTrend(direction=commitment.direction,
                            latest_period=periods[-1] if periods else None,
                            latest_value=readings[periods[-1]] if periods else None)
        label = (gettext("Not enough data: no period published") if not periods else
                 gettext("Not enough data: one period published"))
        return replace(base, status=StatusValue.NOT_ENOUGH_DATA, trend=trend, label=label)
    latest, previous = periods[-1], periods[-2]
    trend = MetricTrend(direction=commitment.direction, latest_period=latest, latest_value=readings[latest],
                        previous_period=previous, previous_value=readings[previous])
    change = readings[latest] - readings[previous]
    wanted = -1 if commitment.direction is MetricDirection.REDUCE else 1
    if change == 0:
        status = StatusValue.NO_CHANGE
    elif (change > 0) == (wanted > 0):
        status = StatusValue.IMPROVING
    else:
        status = StatusValue.WORSENING
    figures = {"latest": f"{readings[latest]:g}", "latest_period": latest.label,
               "previous": f"{readings[previous]:g}", "previous_period": previous.label}
    label = _metric_sentence(status, change, figures)
    return replace(base, status=status, trend=trend, label=label)


def _ongoing_status(commitment: Commitment, known: list[CommitmentUpdate], as_of: date) -> CommitmentStatus:
    base = _base(commitment, as_of, evidence=_update_evidence(known))
    last_update = known[-1].effective_on if known else None
    last_activity = max(commitment.made_on, last_update) if last_update else commitment.made_on
    if (as_of - last_activity).days >= STALE_AFTER_DAYS:
        label = (gettext("Stale: no update since %(day)s", day=human_date(last_update)) if last_update
                 else gettext("Stale: no update since it was made on %(day)s", day=human_date(commitment.made_on)))
        return replace(base, status=StatusValue.STALE, label=label)
    if last_update is None:
        return replace(base, status=StatusValue.ONGOING, label=gettext("Ongoing: no update yet"))
    return replace(base, status=StatusValue.ONGOING,
                   label=gettext("Ongoing: last update %(day)s", day=human_date(last_update)))


def _met_on(updates: Sequence[CommitmentUpdate]) -> date | None:
    """The day it became met and stayed met: the first ``met`` since the last ``not_met``."""
    met_on: date | None = None
    for update in updates:
        if update.status is UpdateStatus.MET and met_on is None:
            met_on = update.effective_on
        elif update.status is UpdateStatus.NOT_MET:
            met_on = None
    return met_on


_UPDATE_EVIDENCE_WORDS = {
    UpdateStatus.MET: lambda: gettext("Evidence that it was met"),
    UpdateStatus.PROGRESS: lambda: gettext("Evidence of progress"),
    UpdateStatus.NOT_MET: lambda: gettext("Evidence that it was not met after all"),
}
"""An update's evidence with no note is described in words, never by the update's key."""


def _update_evidence(updates: Iterable[CommitmentUpdate]) -> list[EvidenceItem]:
    return [
        EvidenceItem(on=u.effective_on, description=u.note or _UPDATE_EVIDENCE_WORDS[u.status](), url=u.evidence_url)
        for u in updates
        if u.evidence_url
    ]


def _base(
    commitment: Commitment,
    as_of: date,
    *,
    evidence: list[EvidenceItem],
    deadline: date | None = None,
    met_on: date | None = None,
    periods: Sequence[PeriodResult] = (),
) -> CommitmentStatus:
    """A status with the commitment's own fields filled in and a placeholder verdict."""
    ordered = tuple(sorted(evidence, key=lambda e: (e.on, e.source, e.description, e.url or "")))
    return CommitmentStatus(
        key=commitment.key, title=commitment.title, kind=commitment.kind, principles=commitment.principles,
        as_of=as_of, status=StatusValue.ON_TRACK, label="", deadline=deadline, met_on=met_on,
        periods=tuple(periods), evidence=ordered,
    )


def _metric_sentence(status: StatusValue, change: float, figures: dict[str, str]) -> str:
    """"Improving: 12 in 2024, down from 15 in 2023", one whole message per verdict and movement."""
    if status is StatusValue.NO_CHANGE:
        return gettext("No change: %(latest)s in %(latest_period)s, same as %(previous)s in %(previous_period)s",
                       **figures)
    if status is StatusValue.IMPROVING:
        if change > 0:
            return gettext("Improving: %(latest)s in %(latest_period)s, up from %(previous)s in %(previous_period)s",
                           **figures)
        return gettext("Improving: %(latest)s in %(latest_period)s, down from %(previous)s in %(previous_period)s",
                       **figures)
    if change > 0:
        return gettext("Worsening: %(latest)s in %(latest_period)s, up from %(previous)s in %(previous_period)s",
                       **figures)
    return gettext("Worsening: %(latest)s in %(latest_period)s, down from %(previous)s in %(previous_period)s",
                   **figures)


def _aware(moment: datetime, time_zone: tzinfo) -> datetime:
    """A naive instant read as local time, so naive and aware instants compare."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=time_zone)


def _local_day(moment: datetime, time_zone: tzinfo) -> date:
    """The council's calendar day on which ``moment`` fell."""
    return _aware(moment, time_zone).astimezone(time_zone).date()
