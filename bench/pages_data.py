"""The pages benchmark's data set: the demo, grown to ten times its size (``BENCH_SCALE`` = 1).

Run on a database that holds the demo (``civicpanel migrate`` then ``load-demo``); the server's
database is chosen by ``DATABASE_URL``, so this runs as its own process:
``python -m bench.pages_data seed`` prints JSON with the counts reached. Running it again adds
nothing.

At scale 1 the database holds 5,000 volunteers over the demo's three panels, 50 case studies
with 200 comments each, 30 consultations with 100,000 responses in all, 2,000 commitment updates,
200,000 audit entries and 20,000 outbox emails. New rows copy the demo's own (a volunteer's
answers, a response's answers, a case study's text), so every page sees the data it would see in
a big council, with new references, addresses and times. Rows go in with multi-row inserts of
``CHUNK`` rows each.

A few private links get known tokens (``TOKENS``), so that the benchmark can open the pages
behind them: a panel member's page, a comment author's page, a resident's "your data" page and
saved answers to resume.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

VOLUNTEERS = 5_000
CASE_STUDIES = 50
COMMENTS_PER_CASE_STUDY = 200
CONSULTATIONS = 30
RESPONSES = 100_000
COMMITMENT_UPDATES = 2_000
AUDIT_ENTRIES = 200_000
OUTBOX_EMAILS = 20_000
CHUNK = 400

TOKENS = {
    "member": "bench-member-private-link-token",
    "comment_author": "bench-comment-author-token",
    "your_data": "bench-your-data-token",
    "resume": "bench-saved-answers-token",
}
"""Private-link tokens the seed stores the hashes of (a link's token is only ever stored hashed)."""

AUDIT_ACTIONS = ("volunteer.view", "pool.export", "comment.moderate", "consultation.edit", "response.view",
                 "report.save", "panel.quotas", "staff.sign_in", "responses.export", "commitment.update")


def scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1") or "1")


def scaled(count: int) -> int:
    return max(1, round(count * scale()))


async def insert_rows(table, rows: list[dict]) -> None:
    """Multi-row inserts, ``CHUNK`` rows a statement."""
    for start in range(0, len(rows), CHUNK):
        await table.insert(*[table(**row) for row in rows[start:start + CHUNK]]).run()


def without_id(row: dict) -> dict:
    return {key: value for key, value in row.items() if key != "id"}


async def grow_volunteers(now: datetime) -> int:
    from panels.tables import Panel, Volunteer

    have = await Volunteer.count().run()
    wanted = scaled(VOLUNTEERS)
    if have >= wanted:
        return have
    panels = await Panel.select(Panel.id).order_by(Panel.id).run()
    rng = random.Random(23)
    rows = []
    templates = await Volunteer.select().where(Volunteer.status.is_in(["pool", "selected", "member"])).run()
    for number in range(wanted - have):
        template = templates[number % len(templates)]
        panel = panels[number % len(panels)]["id"]
        reference = f"B{number:07d}"
        rows.append({**without_id(template), "panel": panel, "reference": reference,
                     "full_name": f"{template['full_name']} {number}", "email": f"volunteer{number}@resident.example",
                     "email_key": f"volunteer{number}@resident.example", "household_key": f"bench-{number}",
                     "address": f"{1 + number % 300} {template['address']}", "status": "pool",
                     "token_hash": None, "link_active_at": None, "duplicate_of": "",
                     "registered_at": now - timedelta(minutes=rng.randrange(60 * 24 * 200))})
    await insert_rows(Volunteer, rows)
    return wanted


async def grow_case_studies(now: datetime) -> int:
    from surveys.tables import CaseStudy, Comment

    studies = await CaseStudy.select().order_by(CaseStudy.id).run()
    templates = [study for study in studies if study["published_at"] is not None]
    new = [{**without_id(templates[number % len(templates)]), "slug": f"bench-case-study-{number}",
            "title": f"{templates[number % len(templates)]['title']} ({number + 1})",
            "published_at": now - timedelta(days=number)}
           for number in range(max(0, scaled(CASE_STUDIES) - len(studies)))]
    await insert_rows(CaseStudy, new)
    comment_templates = await Comment.select().where(Comment.parent.is_null()).run()
    rng = random.Random(5)
    rows = []
    for study in await CaseStudy.select(CaseStudy.id).where(CaseStudy.published_at.is_not_null()).run():
        have = await Comment.count().where(Comment.case_study == study["id"]).run()
        for number in range(have, COMMENTS_PER_CASE_STUDY):
            template = comment_templates[number % len(comment_templates)]
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 90))
            state = "pending" if number % 10 == 0 else "published"
            rows.append({**without_id(template), "case_study": study["id"], "parent": None, "state": state,
                         "display_name": f"Resident {number}", "email": "", "email_key": "",
                         "author_token_hash": f"bench-{study['id']}-{number}", "created_at": created,
                         "published_at": created if state == "published" else None, "moderated_at": None,
                         "ip_hash": f"{number % 97:064x}", "report_count": 0})
    await insert_rows(Comment, rows)
    return await Comment.count().run()


async def grow_consultations(now: datetime) -> int:
    from surveys.tables import Consultation, SurveyResponse

    consultations = await Consultation.select().order_by(Consultation.id).run()
    with_questions = [row for row in consultations if row["questionnaire_json"]]
    template = max(with_questions, key=lambda row: len(row["questionnaire_json"]))
    today = now.date()
    new = []
    for number in range(max(0, scaled(CONSULTATIONS) - len(consultations))):
        opens = today - timedelta(days=30 + 20 * number)
        new.append({**without_id(template), "slug": f"bench-consultation-{number}",
                    "title": f"{template['title']} ({number + 1})", "opens_on": opens,
                    "closes_on": opens + timedelta(days=28 if number % 3 else 400), "is_draft": False,
                    "published_at": now - timedelta(days=30 + 20 * number)})
    await insert_rows(Consultation, new)
    have = await SurveyResponse.count().run()
    wanted = scaled(RESPONSES)
    if have >= wanted:
        return have
    answers = [row["answers_json"] for row in await SurveyResponse.select(SurveyResponse.answers_json).run()]
    targets = await Consultation.select(Consultation.id).where(Consultation.slug.like("bench-consultation-%")).run()
    rng = random.Random(7)
    rows = []
    for number in range(wanted - have):
        consultation = targets[number % len(targets)]["id"]
        rows.append({"consultation": consultation, "reference": f"BR{number:08d}",
                     "channel": ("online", "online", "online", "paper", "email")[number % 5],
                     "submitted_at": now - timedelta(minutes=rng.randrange(60 * 24 * 300)),
                     "answers_json": answers[number % len(answers)], "entered_by": ""})
    await insert_rows(SurveyResponse, rows)
    return wanted


async def grow_commitment_updates(now: datetime) -> int:
    from analysis.tables import CommitmentUpdate

    have = await CommitmentUpdate.count().run()
    wanted = scaled(COMMITMENT_UPDATES)
    if have >= wanted:
        return have
    templates = await CommitmentUpdate.select().order_by(CommitmentUpdate.id).run()
    rows = []
    for number in range(wanted - have):
        template = templates[number % len(templates)]
        day = template["effective_on"] - timedelta(days=1 + number // len(templates))
        rows.append({**without_id(template), "effective_on": day,
                     "recorded_at": datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc),
                     "note": f"{template['note']} (progress note {number})".strip()})
    await insert_rows(CommitmentUpdate, rows)
    return wanted


async def grow_audit_log(now: datetime) -> int:
    from server.tables import AuditEntry

    have = await AuditEntry.count().run()
    wanted = scaled(AUDIT_ENTRIES)
    if have >= wanted:
        return have
    actors = ("officer@camden.example", "admin@camden.example", "cabinet@camden.example", "system")
    rows = [{"at": now - timedelta(seconds=300 * number), "actor": actors[number % len(actors)],
             "action": AUDIT_ACTIONS[number % len(AUDIT_ACTIONS)], "object_type": "volunteer",
             "object_id": f"B{number % 5000:07d}", "detail": f"Viewed record {number}", "reason": "",
             "ip_address": "127.0.0.1"} for number in range(wanted - have)]
    await insert_rows(AuditEntry, rows)
    return wanted


async def grow_outbox(now: datetime) -> int:
    from server.tables import OutboxEmail

    have = await OutboxEmail.count().run()
    wanted = scaled(OUTBOX_EMAILS)
    if have >= wanted:
        return have
    rows = []
    for number in range(wanted - have):
        created = now - timedelta(seconds=600 * number)
        rows.append({"to_address": f"resident{number}@resident.example", "about": "follow",
                     "subject": "An update on the Data Charter commitments",
                     "body": "The council has updated a commitment you follow.", "created_at": created,
                     "sent_at": None if number % 50 == 0 else created + timedelta(minutes=1),
                     "attempts": 1, "failed_at": created if number % 200 == 0 else None,
                     "last_error": "mailbox unavailable" if number % 200 == 0 else ""})
    await insert_rows(OutboxEmail, rows)
    return wanted


async def private_links(now: datetime) -> None:
    """Known tokens for a member, a comment author, a resident's data and saved answers."""
    from common.tokens import hash_token
    from panels.tables import Volunteer
    from server.tables import PersonalDataLink
    from surveys.tables import Comment, Consultation, SavedAnswers

    member = await Volunteer.select(Volunteer.id).where(Volunteer.status == "member").order_by(Volunteer.id).first().run()
    if member:
        await Volunteer.update({Volunteer.token_hash: hash_token(TOKENS["member"]), Volunteer.link_active_at: now}).where(
            Volunteer.id == member["id"]).run()
    comment = await Comment.select(Comment.id).where(Comment.state == "published").order_by(Comment.id).first().run()
    await Comment.update({Comment.author_token_hash: hash_token(TOKENS["comment_author"]), Comment.link_active_at: now}).where(
        Comment.id == comment["id"]).run()
    email = "volunteer1@resident.example"
    if not await PersonalDataLink.exists().where(PersonalDataLink.token_hash == hash_token(TOKENS["your_data"])).run():
        await PersonalDataLink.insert(PersonalDataLink(token_hash=hash_token(TOKENS["your_data"]), email=email,
                                                       email_key=email, expires_at=now + timedelta(days=30))).run()
    consultation = await Consultation.select(Consultation.id).where(
        Consultation.slug.like("bench-consultation-%"), Consultation.closes_on > now.date()).first().run()
    if consultation and not await SavedAnswers.exists().where(SavedAnswers.token_hash == hash_token(TOKENS["resume"])).run():
        await SavedAnswers.insert(SavedAnswers(consultation=consultation["id"], token_hash=hash_token(TOKENS["resume"]),
                                               email=email, email_key=email, idempotency_key="bench-resume",
                                               answers_json="{}", furthest_section=1,
                                               expires_at=now + timedelta(days=30))).run()


async def seed() -> dict[str, int]:
    now = datetime.now(timezone.utc)
    counts = {
        "volunteers": await grow_volunteers(now),
        "comments": await grow_case_studies(now),
        "responses": await grow_consultations(now),
        "commitment_updates": await grow_commitment_updates(now),
        "audit_entries": await grow_audit_log(now),
        "outbox_emails": await grow_outbox(now),
    }
    await private_links(now)
    await analyse()
    return counts


async def analyse() -> None:
    """Fresh planner statistics on PostgreSQL, as autovacuum would gather after a bulk load
    (without them the planner guesses a table's size from before the load)."""
    from piccolo.engine.postgres import PostgresEngine
    from server.tables import AuditEntry

    if isinstance(AuditEntry._meta.db, PostgresEngine):
        await AuditEntry.raw("ANALYZE").run()


def main(argv: list[str]) -> int:
    if argv[:1] != ["seed"]:
        print("usage: python -m bench.pages_data seed", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(seed())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
