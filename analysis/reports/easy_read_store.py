"""The Easy Read version in the database: the officer's points in the report's draft, copied into
each version as it is published, and added once to a version published without them (publishing a
whole new version only for its Easy Read would need enough changed responses to pass the audit).
A version's Easy Read, once set, is never changed."""

from __future__ import annotations

from datetime import datetime

from analysis.reports.easy_read import EasyReadPoint, parse_points, points_json
from analysis.reports.store import ReportNotFound, find_consultation
from analysis.tables import ReportDraft, ReportVersion


class EasyReadAlreadyPublished(ValueError):
    """The latest version already has its Easy Read: a version never changes."""


async def draft_points(consultation_id: int) -> list[EasyReadPoint]:
    row = await ReportDraft.select(ReportDraft.easy_read_json).where(
        ReportDraft.consultation == consultation_id).first().run()
    return parse_points(row["easy_read_json"] if row else "[]")


async def save_easy_read(*, slug: str, points: list[EasyReadPoint], now: datetime) -> None:
    """Keep the points in the draft (made if the officer has not saved any words yet)."""
    consultation = await find_consultation(slug)
    if await ReportDraft.exists().where(ReportDraft.consultation == consultation["id"]).run():
        await ReportDraft.update({ReportDraft.easy_read_json: points_json(points), ReportDraft.updated_at: now}).where(
            ReportDraft.consultation == consultation["id"]).run()
    else:
        await ReportDraft.insert(ReportDraft(consultation=consultation["id"], easy_read_json=points_json(points),
                                             updated_at=now)).run()


def version_points(version: dict) -> list[EasyReadPoint]:
    """A published version's Easy Read points (none for versions published without)."""
    return parse_points(version.get("easy_read_json"))


async def add_easy_read_to_latest(*, slug: str) -> int:
    """Copy the draft's points into the latest version when it has none; returns its number.
    Raises ``ReportNotFound`` (no version, or no points written) or ``EasyReadAlreadyPublished``."""
    consultation = await find_consultation(slug)
    points = await draft_points(consultation["id"])
    if not points:
        raise ReportNotFound("no Easy Read points written")
    latest = await ReportVersion.select(ReportVersion.id, ReportVersion.version, ReportVersion.easy_read_json).where(
        ReportVersion.consultation == consultation["id"]).order_by(ReportVersion.version, ascending=False).first().run()
    if latest is None:
        raise ReportNotFound("no published version")
    if parse_points(latest["easy_read_json"]):
        raise EasyReadAlreadyPublished(f"version {latest['version']} already has its Easy Read")
    # The condition in the update makes a second, simultaneous request change nothing.
    await ReportVersion.update({ReportVersion.easy_read_json: points_json(points)}).where(
        ReportVersion.id == latest["id"], ReportVersion.easy_read_json == latest["easy_read_json"]).run()
    return int(latest["version"])
