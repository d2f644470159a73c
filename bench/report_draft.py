"""The officer's draft report page at 3,200 responses, in process: cold (the statistics and word
clouds built and kept, ``analysis.reports.statistics_cache``) and warm (nothing changed: kept
statistics reused), then after the officer saves the report's words (the statistics are still
reused), with ``/healthz`` asked every 20 ms while the cold page builds (the event loop must stay
free: every CPU step runs in a worker thread). Run by ``bench/report.py`` as its own process, because the database is chosen by
``DATABASE_URL`` when ``piccolo_conf`` is imported; prints JSON.

The consultation has the report benchmark's questionnaire (20 closed questions, 5 About-you
questions mapped to the census, a free-text question answered by one in five) and the Camden
2021 census chosen for weighting.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESPONSES = 3_200
WARM_RUNS = 7
SLUG = "bench-draft"


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="civicpanel-bench-draft-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite'}"
    os.environ["CIVICPANEL_ENV"] = "test"
    os.environ["DATA_DIR"] = str(scratch / "data")
    os.environ.setdefault("MPLCONFIGDIR", str(scratch / "matplotlib"))
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))

    import httpx

    import report as report_bench
    from analysis.tables import ReportDraft
    from server.accounts.passwords import use_fast_hashing_for_tests
    from server.app import create_app
    from server.platform.migrations_runner import apply_migrations
    from server.settings import Settings
    from surveys.questionnaire import to_json
    from surveys.tables import Consultation, SurveyResponse
    from tests.support.database import run
    from tests.support.http import TEST_PASSWORD, create_staff

    use_fast_hashing_for_tests()
    outcome = run(apply_migrations())
    if not outcome.success:
        print(json.dumps({"error": outcome.message}))
        return 1
    report_bench.N_RESPONSES = RESPONSES
    report_bench.ADULT_AGES = ("16-17", *report_bench.ADULT_AGES)  # a stored questionnaire offers every census age
    questionnaire, records = report_bench.synthetic()

    async def seed() -> None:
        today = date.today()
        consultation = Consultation(slug=SLUG, title="Parking and data", summary="", body="",
                                    opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=5),
                                    questionnaire_json=to_json(questionnaire))
        await consultation.save().run()
        rows = [SurveyResponse(consultation=consultation.id, reference=record.reference, channel=record.channel,
                               submitted_at=record.submitted_at, answers_json=json.dumps(record.answers))
                for record in records]
        for start in range(0, len(rows), 500):
            await SurveyResponse.insert(*rows[start:start + 500]).run()
        await ReportDraft.insert(ReportDraft(consultation=consultation.id, purpose="To hear residents on parking data",
                                             census_file="camden-2021.csv")).run()

    run(seed())
    page = f"/officer/consultations/{SLUG}/report/"
    email = create_staff("officer", "officer@bench.example")
    app = create_app(Settings.from_env())

    async def measure() -> dict[str, float]:
        # httpx straight on the app in this event loop, so that /healthz can be asked while the
        # cold page builds and the two requests really overlap.
        transport = httpx.ASGITransport(app=app)
        async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            await client.get("/login")
            await client.post("/login", data={"email": email, "password": TEST_PASSWORD,
                                              "_csrf_token": client.cookies.get("civicpanel_csrf")})

            async def timed() -> float:
                clock = time.perf_counter()
                answer = await client.get(page)
                elapsed = time.perf_counter() - clock
                if answer.status_code != 200 or "95% CI" not in answer.text:
                    raise SystemExit(f"draft page answered {answer.status_code}")
                return elapsed

            cold_task = asyncio.create_task(timed())
            health: list[float] = []
            while not cold_task.done():
                clock = time.perf_counter()
                answer = await client.get("/healthz")
                health.append(time.perf_counter() - clock)
                if answer.status_code != 200:
                    raise SystemExit(f"/healthz answered {answer.status_code}")
                await asyncio.sleep(0.02)
            cold = await cold_task
            warm = [await timed() for _ in range(WARM_RUNS)]
            csrf = client.cookies.get("civicpanel_csrf")
            saved = await client.post(page, data={"purpose": "To hear residents on parking and data", "channels_note": "",
                                                  "census_file": "camden-2021.csv", "findings": "", "_csrf_token": csrf})
            if saved.status_code != 303:
                raise SystemExit(f"saving the draft answered {saved.status_code}")
            after_save = await timed()
        return {"cold": cold, "warm_median": statistics.median(warm), "warm_max": max(warm), "after_save": after_save,
                "healthz_during_cold_median": statistics.median(health), "healthz_during_cold_max": max(health),
                "healthz_during_cold_p90": statistics.quantiles(health, n=10)[-1] if len(health) > 1 else health[0],
                "healthz_during_cold_count": len(health)}

    timings = asyncio.run(measure())
    print(json.dumps({"responses": RESPONSES, **timings}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
