"""The forms of a review against a charter, checked without the database: the officer's form to
put a data use under review, a member's ratings, and a session's paper forms as a facilitator
enters them. Each returns the parsed input or the errors keyed by field, in the people's words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from analysis.charter.review_ratings import RATINGS
from common.i18n import gettext
from common.text import whole_number

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_REASON = 2000
MAX_REPLY = 10_000
MAX_PAPER_FORMS = 1000


@dataclass(frozen=True)
class ReviewInput:
    charter_id: int
    case_study_id: int | None
    title: str
    description: str
    closes_on: date


def check_review_form(values: Mapping[str, str], *, closes_on: date | None, today: date, charter_ids: set[int],
                      case_studies: Mapping[int, str]) -> tuple[ReviewInput | None, dict[str, str]]:
    """Validate the officer's form. ``case_studies`` maps the published case studies' ids to their
    titles; the title may be left empty for a case study (its own title is used)."""
    errors: dict[str, str] = {}
    charter_id = whole_number(values.get("charter", ""))
    if charter_id not in charter_ids:
        errors["charter"] = gettext("Choose the charter whose principles the panel rates it against")
    raw_study = str(values.get("case_study", ""))
    case_study_id = whole_number(raw_study)
    case_study_id = case_study_id if case_study_id in case_studies else None
    if raw_study and case_study_id is None:
        errors["case_study"] = gettext("Choose a published case study, or none to describe a project")
    title = str(values.get("title", "")).strip() or (case_studies.get(case_study_id, "") if case_study_id else "")
    description = str(values.get("description", "")).strip()
    if not title:
        errors["title"] = gettext("Enter the name of the data use, or choose a case study")
    elif len(title) > MAX_TITLE:
        errors["title"] = gettext("The name must be %(limit)s characters or fewer", limit=MAX_TITLE)
    if case_study_id is None and not description and "title" not in errors:
        errors["description"] = gettext("Describe the project for the panel: what data, used for what, by whom")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = gettext("The description must be %(limit)s characters or fewer",
                                        limit=format(MAX_DESCRIPTION, ","))
    if closes_on is None:
        errors["closes_on"] = gettext("Enter the last day of the review as a real date, for example 27 3 2027")
    elif closes_on < today:
        errors["closes_on"] = gettext("The last day of the review must be today or later")
    if errors:
        return None, errors
    return ReviewInput(charter_id=charter_id, case_study_id=case_study_id, title=title,
                       description=description, closes_on=closes_on), {}


@dataclass(frozen=True)
class MemberRatings:
    ratings: dict[int, str]
    """Principle id → rating."""
    reasons: dict[int, str]
    """Principle id → the member's reason (only those given)."""


def check_member_ratings(values: Mapping[str, str], principle_ids: Sequence[int]) -> tuple[MemberRatings | None, dict[str, str]]:
    """A rating for every principle (field ``p<id>``) and an optional reason (``p<id>-reason``)."""
    ratings, reasons, errors = {}, {}, {}
    for principle_id in principle_ids:
        rating = str(values.get(f"p{principle_id}", ""))
        if rating not in RATINGS:
            errors[f"p{principle_id}"] = gettext("Choose how well it meets this principle, or can't tell")
        else:
            ratings[principle_id] = rating
        reason = str(values.get(f"p{principle_id}-reason", "")).strip()
        if len(reason) > MAX_REASON:
            errors[f"p{principle_id}-reason"] = gettext("Your reason must be %(limit)s characters or fewer",
                                                        limit=format(MAX_REASON, ","))
        elif reason:
            reasons[principle_id] = reason
    if errors:
        return None, errors
    return MemberRatings(ratings=ratings, reasons=reasons), {}


@dataclass(frozen=True)
class PaperForms:
    session_id: int
    forms: int
    counts: dict[int, dict[str, int]]
    """Principle id → rating → how many forms gave it."""
    reasons: dict[int, dict[str, list[str]]]
    """Principle id → rating → the reasons written on the forms, one a line."""
    member_ids: tuple[int, ...]


def check_paper_forms(values: Mapping[str, object], *, principle_ids: Sequence[int], session_ids: set[int],
                      member_ids: set[int]) -> tuple[PaperForms | None, dict[str, str]]:
    """Validate a session's paper review forms: the members ticked off (``members``) number the
    forms; per principle, a count per rating (``p<id>-<rating>``) adding up to at most the forms;
    reasons per principle and rating (``p<id>-<rating>-reasons``), one a line."""
    errors: dict[str, str] = {}
    session_id = whole_number(values.get("session", ""))
    if session_id not in session_ids:
        errors["session"] = gettext("Choose the session the forms were filled in at")
    forms = whole_number(values.get("forms", ""))
    forms = forms if forms is not None and forms <= MAX_PAPER_FORMS else None
    if not forms:
        errors["forms"] = gettext("Enter the number of review forms handed in, as a whole number")
    ticked = values.get("members", [])
    ticked = [ticked] if isinstance(ticked, str) else list(ticked)
    members = tuple(sorted({number for number in map(whole_number, ticked) if number is not None}))
    if any(member not in member_ids for member in members):
        errors["members"] = gettext("Tick only members who have not rated it yet")
    elif forms and len(members) != forms:
        errors["members"] = gettext("Tick the %(count)s members who handed in a form", count=forms)
    counts: dict[int, dict[str, int]] = {}
    reasons: dict[int, dict[str, list[str]]] = {}
    for principle_id in principle_ids:
        first = f"p{principle_id}-{RATINGS[0]}"
        row: dict[str, int] = {}
        for rating in RATINGS:
            count = whole_number(str(values.get(f"p{principle_id}-{rating}", "")).strip() or "0")
            if count is None or count > MAX_PAPER_FORMS:
                errors.setdefault(first, gettext("Enter each count as a whole number, 0 or more"))
                break
            row[rating] = count
            lines = [line.strip() for line in str(values.get(f"p{principle_id}-{rating}-reasons", "")).splitlines()]
            lines = [line for line in lines if line]
            if any(len(line) > MAX_REASON for line in lines):
                errors.setdefault(first, gettext("Each reason must be %(limit)s characters or fewer",
                                                 limit=format(MAX_REASON, ",")))
            if len(lines) > row[rating]:
                errors.setdefault(first, gettext("Write no more reasons for a rating than the forms that gave it"))
            if lines:
                reasons.setdefault(principle_id, {})[rating] = lines
        else:
            if forms and sum(row.values()) > forms:
                errors.setdefault(first, gettext("The counts for a principle cannot add up to more than the forms"))
        counts[principle_id] = row
    if errors:
        return None, errors
    return PaperForms(session_id=session_id, forms=forms, counts=counts, reasons=reasons, member_ids=members), {}


def check_reply(values: Mapping[str, str], *, ended: bool) -> tuple[str | None, dict[str, str]]:
    """The council's reply; it answers the panel's view, so only once the review has ended."""
    reply = str(values.get("reply", "")).strip()
    if not ended:
        return None, {"reply": gettext("The council replies once the review has ended and the panel's view is known")}
    if not reply:
        return None, {"reply": gettext("Enter the council's reply to the panel's view")}
    if len(reply) > MAX_REPLY:
        return None, {"reply": gettext("The reply must be %(limit)s characters or fewer", limit=format(MAX_REPLY, ","))}
    return reply, {}
