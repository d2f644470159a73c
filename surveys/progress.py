"""Responses coming in while a consultation is open: how many arrived each day by channel, how
many of the people who started the questionnaire online sent their response, and where the others
stopped.

A start is recorded when someone answers a page of the questionnaire (``record_progress``), not
when they open it: answering needs the form's CSRF token, so robots following links do not count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from common.clock import council_date
from common.transactions import is_unique_violation
from surveys.tables import CHANNELS, QuestionnaireStart, SurveyResponse


async def record_progress(*, consultation_id: int, idempotency_key: str, section_number: int) -> None:
    """Note that the response with this key has been started and has reached this section (from
    1). Once per key: a resident who goes back, or a panel member who changes their answers,
    starts nothing new, and going back never lowers the furthest section."""
    exists = await QuestionnaireStart.exists().where(QuestionnaireStart.idempotency_key == idempotency_key).run()
    if exists:
        await QuestionnaireStart.update({QuestionnaireStart.furthest_section: section_number}).where(
            QuestionnaireStart.idempotency_key == idempotency_key,
            QuestionnaireStart.furthest_section < section_number).run()
        return
    try:
        await QuestionnaireStart.insert(QuestionnaireStart(consultation=consultation_id, idempotency_key=idempotency_key,
                                                           furthest_section=section_number)).run()
    except Exception as error:  # the same key from two tabs at once: the first one counts
        if not is_unique_violation(error):
            raise


@dataclass(frozen=True)
class DayCounts:
    day: date
    by_channel: dict[str, int]
    """Responses received that day (London time), for every channel in ``CHANNELS``."""

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


@dataclass(frozen=True)
class Completion:
    started: int
    """People who answered the first page online."""
    completed: int
    """Of those, how many sent their response."""

    @property
    def rate(self) -> float | None:
        """``completed / started``, in [0, 1]; None before anyone has started."""
        return self.completed / self.started if self.started else None


@dataclass(frozen=True)
class ResponseProgress:
    days: list[DayCounts]
    """Every day from the opening day to today (the closing day once closed), and any other day
    with responses."""
    channels: list[str]
    """The channels that have any response, in ``CHANNELS`` order."""
    completion: Completion
    stopped_after: dict[int, int]
    """Section number (from 1) → people who answered it last and have not sent their response."""


def responses_by_day(submitted: list[tuple[date, str]], *, first_day: date, last_day: date) -> list[DayCounts]:
    """Counts per London day and channel: a row for every day from ``first_day`` to ``last_day``
    (days without responses included), and for any other day that has responses (a paper response
    typed in weeks after the closing date), in date order."""
    counts = Counter(submitted)
    in_range = {first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)}
    return [DayCounts(day=day, by_channel={channel: counts[(day, channel)] for channel in CHANNELS})
            for day in sorted(in_range | {day for day, _ in submitted})]


async def response_progress(*, consultation_id: int, opens_on: date, closes_on: date, today: date) -> ResponseProgress:
    rows = await SurveyResponse.select(SurveyResponse.submitted_at, SurveyResponse.channel).where(
        SurveyResponse.consultation == consultation_id).run()
    submitted = [(council_date(row["submitted_at"]), row["channel"]) for row in rows]
    days = responses_by_day(submitted, first_day=opens_on, last_day=max(opens_on, min(today, closes_on)))
    present = {channel for _, channel in submitted}
    started = int(await QuestionnaireStart.count().where(QuestionnaireStart.consultation == consultation_id).run())
    completed_rows = await QuestionnaireStart.raw(
        "SELECT COUNT(*) AS n FROM consultation_questionnaire_start AS s WHERE s.consultation = {} AND EXISTS "
        "(SELECT 1 FROM consultation_response AS r WHERE r.idempotency_key = s.idempotency_key)", consultation_id).run()
    stopped_rows = await QuestionnaireStart.raw(
        "SELECT s.furthest_section AS section, COUNT(*) AS n FROM consultation_questionnaire_start AS s "
        "WHERE s.consultation = {} AND NOT EXISTS "
        "(SELECT 1 FROM consultation_response AS r WHERE r.idempotency_key = s.idempotency_key) "
        "GROUP BY s.furthest_section ORDER BY s.furthest_section", consultation_id).run()
    return ResponseProgress(days=days, channels=[channel for channel in CHANNELS if channel in present],
                            completion=Completion(started=started, completed=int(completed_rows[0]["n"])),
                            stopped_after={int(row["section"]): int(row["n"]) for row in stopped_rows})
