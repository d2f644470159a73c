"""Save and come back later: a resident part-way through a questionnaire leaves an email address
and gets a private link to carry on, from any device, for a set number of days.

Only the SHA-256 of the link's token is stored. The saved answers carry the idempotency key the
response will have, so carrying on twice (two tabs, two devices) still sends one response; sending
the response deletes them. They are personal data (an email, and answers that may be About you):
the resident sees and erases them through "Your information", and the retention purge deletes
them once ``expires_at`` has passed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.emails import normalise_email
from common.i18n import gettext, ngettext
from common.tokens import hash_token
from surveys.comments import EmailNotice
from surveys.questionnaire import display_answer, from_json
from surveys.tables import SavedAnswers

MAX_TOKEN_LENGTH = 100


def about_saved_answers(saved_id: int) -> str:
    """The ``about`` of the email carrying the link: erasing the saved answers deletes it."""
    return f"consultation_saved_answers:{int(saved_id)}"


@dataclass(frozen=True)
class SavedForLater:
    token: str
    expires_at: datetime
    email: EmailNotice


async def save_for_later(*, consultation_id: int, consultation_title: str, email: str, idempotency_key: str,
                         answers: dict[str, object], furthest_section: int, keep_days: int, now: datetime,
                         resume_link: Callable[[str], str]) -> SavedForLater:
    """Store the answers so far and write the email with the link (``resume_link(token)``, built
    by the web side on ``SITE_URL``). Saving again under the same idempotency key replaces the
    earlier save (and so its link): one saved copy per questionnaire in progress."""
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=keep_days)
    await SavedAnswers.delete().where(SavedAnswers.idempotency_key == idempotency_key).run()
    inserted = await SavedAnswers.insert(SavedAnswers(
        consultation=consultation_id, token_hash=hash_token(token), email=email.strip(),
        email_key=normalise_email(email), idempotency_key=idempotency_key,
        answers_json=json.dumps(answers, ensure_ascii=False), furthest_section=furthest_section,
        saved_at=now, expires_at=expires_at)).returning(SavedAnswers.id).run()
    notice = EmailNotice(
        to_address=email.strip(), about=about_saved_answers(inserted[0]["id"]),
        subject=gettext("Carry on with ‘%(title)s’", title=consultation_title),
        body=ngettext(
            "You saved your answers to ‘%(title)s’ to carry on later.\n\nUse this private link to carry on "
            "within %(num)d day (keep it to yourself: anyone with it can see your answers so far):\n%(link)s\n\n"
            "Your answers are not sent until you check them and choose ‘Accept and send’. If you did not ask for this, you "
            "can ignore this email and the answers will be deleted.",
            "You saved your answers to ‘%(title)s’ to carry on later.\n\nUse this private link to carry on "
            "within %(num)d days (keep it to yourself: anyone with it can see your answers so far):\n%(link)s\n\n"
            "Your answers are not sent until you check them and choose ‘Accept and send’. If you did not ask for this, you "
            "can ignore this email and the answers will be deleted.",
            keep_days, title=consultation_title, link=resume_link(token)))
    return SavedForLater(token=token, expires_at=expires_at, email=notice)


@dataclass(frozen=True)
class ResumedAnswers:
    idempotency_key: str
    answers: dict[str, object]
    furthest_section: int


async def resume_saved(*, consultation_id: int, token: str, now: datetime) -> ResumedAnswers | None:
    """The answers saved under this link for this consultation, or None for a link that is
    unknown, expired, already used to send the response, or for another consultation."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = await SavedAnswers.select(SavedAnswers.idempotency_key, SavedAnswers.answers_json,
                                    SavedAnswers.furthest_section).where(
        SavedAnswers.token_hash == hash_token(token), SavedAnswers.consultation == consultation_id,
        SavedAnswers.expires_at > now).first().run()
    if row is None:
        return None
    return ResumedAnswers(idempotency_key=row["idempotency_key"], answers=json.loads(row["answers_json"] or "{}"),
                          furthest_section=int(row["furthest_section"]))


async def forget_saved_after_submit(idempotency_key: str) -> None:
    """The response is sent: the saved copy (with its email) has done its job."""
    await SavedAnswers.delete().where(SavedAnswers.idempotency_key == idempotency_key).run()


# --- Personal data: "Your information", erasure and retention ----------------------------------------

@dataclass(frozen=True)
class SavedAnswersData:
    saved_id: int
    consultation_title: str
    email: str
    saved_at: datetime
    expires_at: datetime
    answers: dict[str, str]
    """Question text → the answer as shown to the resident."""

    def as_dict(self) -> dict[str, object]:
        return {"kind": "answers saved to carry on later", "consultation": self.consultation_title,
                "email": self.email, "saved_at": self.saved_at.isoformat(timespec="seconds"),
                "deleted_after": self.expires_at.isoformat(timespec="seconds"), "answers": self.answers,
                "used_for": "Letting you carry on with the questionnaire with the link we emailed you."}


async def saved_answers_for_email(email: str) -> list[SavedAnswersData]:
    if not email.strip():
        return []
    rows = await SavedAnswers.select(
        SavedAnswers.id, SavedAnswers.consultation.title, SavedAnswers.consultation.questionnaire_json,
        SavedAnswers.email, SavedAnswers.saved_at, SavedAnswers.expires_at, SavedAnswers.answers_json,
    ).where(SavedAnswers.email_key == normalise_email(email)).order_by(SavedAnswers.id).run()
    result = []
    for row in rows:
        questionnaire = from_json(row["consultation.questionnaire_json"] or "")
        texts = {question.key: question.text for question in questionnaire.questions()}
        answers = json.loads(row["answers_json"] or "{}")
        result.append(SavedAnswersData(
            saved_id=row["id"], consultation_title=row["consultation.title"], email=row["email"],
            saved_at=row["saved_at"], expires_at=row["expires_at"],
            answers={texts.get(key, key): display_answer(value, questionnaire.question(key) if questionnaire else None)
                     for key, value in answers.items()}))
    return result


async def erase_saved_answers(saved_ids: list[int]) -> int:
    if not saved_ids:
        return 0
    rows = await SavedAnswers.delete().where(SavedAnswers.id.is_in(list(saved_ids))).returning(SavedAnswers.id).run()
    return len(rows)


async def saved_answers_past_retention(*, now: datetime) -> list[int]:
    rows = await SavedAnswers.select(SavedAnswers.id).where(SavedAnswers.expires_at <= now).run()
    return [row["id"] for row in rows]

