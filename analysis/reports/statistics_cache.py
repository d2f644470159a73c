"""A consultation's report statistics kept in the database between builds, so that the draft
page, its downloads and every worker process reuse them until something they depend on changes.

The key (``statistics_key``) is a hash of everything the statistics are made from: the
responses (how many, the largest and the sum of their ids — an insert or a delete changes them
— and when any response's answers were last replaced), the questionnaire, the census the officer
chose (its name and the file's bytes), the disclosure threshold, the published versions (the
disclosure audit reads them), the language the words are written in, and the code that computes
them (the source of ``analysis.stats`` and of the report's statistics). A stored row whose key
differs is never served: it is rebuilt. The officer's words, themes, quotes and actions are not
in the key: they are put around the statistics on every build (``analysis.reports.build.assemble_report``).

The key is read *before* the inputs are loaded: a response that arrives in between is then in
the statistics but not in the key, so the next build sees a new key and rebuilds (never the
other way round, which would keep old figures under a new key).
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
from datetime import datetime
from pathlib import Path

from piccolo.query.functions.aggregate import Count, Max, Sum

from analysis.reports.build import Statistics
from analysis.tables import ReportDraft, ReportStatisticsCache, ReportVersion
from common.i18n import active_locale
from common.transactions import write_transaction
from surveys.tables import Consultation, SurveyResponse

_ANALYSIS = Path(__file__).resolve().parent.parent
_TEMPLATES = _ANALYSIS.parent / "templates"
CODE_FILES = (*sorted((_ANALYSIS / "stats").glob("*.py")), _ANALYSIS / "reports" / "you_said.py",
              _ANALYSIS / "reports" / "build.py", _ANALYSIS / "reports" / "render.py", Path(__file__),
              *sorted((_TEMPLATES / "reports").glob("_body*.html")), *sorted((_TEMPLATES / "components").glob("*.html")))
"""The source the statistics, word clouds and the draft's pieces are made by: a change to any of
them is a new key."""


@functools.cache
def code_version() -> str:
    digest = hashlib.sha256()
    for path in CODE_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _census_digest(census_file: str) -> str:
    """The shipped census file's bytes (a changed file is a new key); empty when none is chosen."""
    if not census_file:
        return ""
    from panels.census import CENSUS_DIR, shipped_census_files

    if census_file not in shipped_census_files():
        return "not shipped"
    return hashlib.sha256((CENSUS_DIR / census_file).read_bytes()).hexdigest()


async def statistics_key(consultation_id: int, *, threshold: int) -> str:
    """The version of the statistics the consultation's report would have now (see the module)."""
    consultation = await Consultation.select(Consultation.questionnaire_json).where(
        Consultation.id == consultation_id).first().run()
    responses = await SurveyResponse.select(
        Count(SurveyResponse.id).as_alias("count"), Max(SurveyResponse.id).as_alias("max_id"),
        Sum(SurveyResponse.id).as_alias("sum_id"), Max(SurveyResponse.answers_changed_at).as_alias("changed"),
    ).where(SurveyResponse.consultation == consultation_id).first().run()
    versions = await ReportVersion.select(
        Count(ReportVersion.id).as_alias("count"), Max(ReportVersion.id).as_alias("max_id"),
    ).where(ReportVersion.consultation == consultation_id).first().run()
    draft = await ReportDraft.select(ReportDraft.census_file).where(
        ReportDraft.consultation == consultation_id).first().run()
    census_file = (draft or {}).get("census_file") or ""
    questionnaire = (consultation or {}).get("questionnaire_json") or ""
    parts = {
        "responses": [int(responses["count"] or 0), int(responses["max_id"] or 0), int(responses["sum_id"] or 0),
                      str(responses["changed"] or "")],
        "versions": [int(versions["count"] or 0), int(versions["max_id"] or 0)],
        "questionnaire": hashlib.sha256(questionnaire.encode()).hexdigest(),
        "census": [census_file, _census_digest(census_file)],
        "threshold": threshold, "locale": active_locale.get(), "code": code_version(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


async def stored_payload(consultation_id: int, key: str) -> bytes | None:
    """The kept statistics' bytes under exactly this key, or None (give them to ``unpack``)."""
    row = await ReportStatisticsCache.select(ReportStatisticsCache.payload).where(
        ReportStatisticsCache.consultation == consultation_id, ReportStatisticsCache.key == key).first().run()
    return bytes(row["payload"]) if row else None


def pack(statistics: Statistics) -> bytes:
    return pickle.dumps(statistics, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(payload: bytes) -> Statistics | None:
    """The statistics, or None when the bytes cannot be read back (treated as not kept).

    Only this application writes the column; the key names the code version, so a payload from
    other code is never read."""
    try:
        statistics = pickle.loads(payload)  # noqa: S301 - our own rows, keyed to our code version
    except Exception:  # a payload that no longer unpickles is rebuilt, never an error page
        return None
    return statistics if isinstance(statistics, Statistics) else None


async def keep(consultation_id: int, key: str, payload: bytes, *, now: datetime) -> None:
    """Replace the consultation's kept statistics (one row: older keys are of no further use)."""
    async with write_transaction(ReportStatisticsCache._meta.db):
        await ReportStatisticsCache.delete().where(ReportStatisticsCache.consultation == consultation_id).run()
        await ReportStatisticsCache.insert(ReportStatisticsCache(
            consultation=consultation_id, key=key, payload=payload, built_at=now)).run()
