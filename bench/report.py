"""Benchmark: the "We asked, You said, We did" report on a large synthetic consultation.

100,000 responses, 20 closed questions, 5 About-you questions mapped to the Camden 2021 census
and 20,000 free-text comments: time and peak memory (``resource.getrusage``: the process's peak
resident set) to build the full report — statistics and JSON, every chart and the word cloud,
and the HTML. Target on the 2-core machine: under 10 s and 2 GiB.

Then our raking (``analysis.raking.rake``) against the ``balance`` package's ``rake`` on the
same complete cases (everyone answered every About-you question: our "Prefer not to say" rule
differs by design). ``balance`` lives only in ``.bench-venv-report/`` (created here, never in
``.venv``) and runs in a subprocess; weights are compared after scaling both to mean 1.

Run with ``make bench SECTION=report``. Prints a table; not a test.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_RESPONSES = 100_000
N_CLOSED = 20
N_COMMENTS = 20_000
BENCH_VENV = ROOT / ".bench-venv-report"
DIMENSIONS = ("sex", "age_band", "ethnicity", "disability", "ethnicity_detailed")
ADULT_AGES = ("18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
WORDS = ("parking", "library", "data", "council", "privacy", "open", "bins", "housing", "streets", "consent",
         "sharing", "app", "website", "letters", "plain", "english", "trust", "security", "cameras", "schools")


@dataclass(frozen=True)
class Record:
    reference: str
    channel: str
    submitted_at: datetime
    answers: dict


def census() -> dict[str, dict[str, int]]:
    from analysis.weighting import census_counts_from_csv
    from panels.census import CENSUS_DIR

    return census_counts_from_csv((CENSUS_DIR / "camden-2021.csv").read_text(encoding="utf-8"))


def synthetic(seed: int = 6):
    """Questionnaire, draft inputs and records (About-you answers skewed away from the census)."""
    from surveys.questionnaire import Question, Questionnaire, Section

    margins = census()
    rng = random.Random(seed)
    kinds = ("likert", "yes_no", "single", "multiple")
    closed = []
    for number in range(N_CLOSED):
        kind = kinds[number % 4]
        closed.append(Question(key=f"q{number + 1:02d}", text=f"Question {number + 1}", kind=kind,
                               options=["Option A", "Option B", "Option C", "Option D"] if kind in ("single", "multiple") else []))
    about = []
    for dimension in DIMENSIONS:
        categories = [c for c in margins[dimension] if dimension != "age_band" or c in ADULT_AGES]
        about.append(Question(key=f"about_{dimension}", text=f"Your {dimension.replace('_', ' ')}", kind="single",
                              options=[*categories, "Prefer not to say"], census_dimension=dimension))
    questionnaire = Questionnaire(sections=[
        Section(title="Your views", questions=[*closed, Question(key="comments", text="Anything else?", kind="text")]),
        Section(title="About you", about_you=True, questions=about)])
    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    records = []
    option_lists = {q.key: q.choices for q in closed}
    about_lists = {q.key: q.options for q in about}
    for number in range(N_RESPONSES):
        answers: dict[str, object] = {}
        for question in closed:
            choices = option_lists[question.key]
            if rng.random() < 0.05:
                continue
            if question.kind == "multiple":
                answers[question.key] = [c for c in choices if rng.random() < 0.4] or [choices[0]]
            else:
                answers[question.key] = choices[min(int(rng.random() ** 1.5 * len(choices)), len(choices) - 1)]
        for key, options in about_lists.items():
            answers[key] = options[min(int(rng.random() ** 1.3 * len(options)), len(options) - 1)]
        if number % 5 == 0:
            answers["comments"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) + "."
        records.append(Record(reference=f"R-{number:06d}", channel=rng.choice(("online", "online", "paper", "email")),
                              submitted_at=start + timedelta(minutes=number * 0.6), answers=answers))
    return questionnaire, records


def build_full_report(questionnaire, records) -> dict[str, float]:
    from analysis.report_build import build_report
    from analysis.report_render import render_html, report_csv, report_images
    from analysis.reports_store import ReportInputs

    inputs = ReportInputs(
        consultation={"slug": "bench", "title": "Benchmark consultation", "summary": "", "opens_on": date(2026, 1, 5),
                      "closes_on": date(2026, 3, 1), "questionnaire_json": ""},
        questionnaire=questionnaire, records=records, draft={"purpose": "Benchmark", "channels_note": ""},
        actions=[], themes=[], quotes=[])
    timings = {}
    clock = time.perf_counter()
    built = build_report(inputs, census=census())
    timings["statistics (frame, weights, tables, tests, free text)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    text = json.dumps(built.document)
    report_csv(built.document)
    timings["JSON and CSV"] = time.perf_counter() - clock
    clock = time.perf_counter()
    images = report_images(built.document, built.you_said)
    timings[f"{len(images)} images (charts and word cloud)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    html = render_html(built.document, images, lambda name: f"/images/{name}.png")
    timings["HTML"] = time.perf_counter() - clock
    timings["_sizes"] = (len(text), len(html), built.document["design_effect"], built.document["weighting"]["converged"])
    return timings


# ---------------------------------------------------------------- raking against balance

BALANCE_SCRIPT = r"""
import json, sys, time
import numpy as np, pandas as pd
from balance.weighting_methods.rake import rake
data = np.load(sys.argv[1])
codes = data["codes"]
margins = json.loads(open(sys.argv[2]).read())
sample = pd.DataFrame({f"d{d}": [f"c{c}" for c in codes[:, d]] for d in range(codes.shape[1])})
target_margins = {f"d{d}": {f"c{c}": share for c, share in enumerate(shares) if share > 0}
                  for d, shares in enumerate(margins)}
start = time.perf_counter()
result = rake(sample, pd.Series(np.ones(len(sample))), None, None, target_margins=target_margins,
              transformations=None, na_action="drop", max_iteration=10000, convergence_rate=1e-14, rate_tolerance=1e-16)
elapsed = time.perf_counter() - start
weights = result["weight"].to_numpy(dtype=float)
np.save(sys.argv[3], weights)
print(json.dumps({"seconds": elapsed}))
"""


def ensure_balance() -> tuple[Path | None, str]:
    python = BENCH_VENV / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", "import balance"], capture_output=True).returncode == 0:
        return python, ""
    made = subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], capture_output=True, text=True)
    if made.returncode:
        return None, f"cannot create {BENCH_VENV.name}: {made.stderr.strip().splitlines()[-1:]}"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "balance"], capture_output=True, text=True)
    if installed.returncode:
        lines = [line for line in installed.stderr.splitlines() if line.startswith("ERROR")]
        return None, (lines[-1] if lines else "pip install balance failed")
    return python, ""


def compare_raking(questionnaire, records) -> list[tuple[str, str, str]]:
    from analysis.frames import choice_codes, frame_from_records, specs_from_questionnaire
    from analysis.raking import rake

    specs = [spec for spec in specs_from_questionnaire(questionnaire) if spec.about_you]
    frame = frame_from_records(specs, records)
    margins = census()
    codes, shares = [], []
    for spec in specs:
        categories = [label for label in spec.options if label != "Prefer not to say"]
        column = choice_codes(frame, spec)
        column[column >= len(categories)] = -1  # Prefer not to say
        codes.append(column)
        counts = np.array([margins[spec.census_dimension][c] for c in categories], dtype=float)
        shares.append(counts / counts.sum())
    matrix = np.column_stack(codes)
    complete = (matrix >= 0).all(axis=1)
    matrix = matrix[complete]
    clock = time.perf_counter()
    ours = rake([matrix[:, d] for d in range(matrix.shape[1])], shares, tolerance=1e-12, max_iterations=10_000)
    our_seconds = time.perf_counter() - clock
    rows = [(f"our rake, {len(matrix):,} complete cases", f"{our_seconds:.3f} s",
             f"converged={ours.converged}, {ours.iterations} iterations")]
    python, reason = ensure_balance()
    if python is None:
        rows.append(("balance rake", "not available", reason))
        return rows
    with tempfile.TemporaryDirectory() as scratch:
        data, margins_file, out = Path(scratch) / "codes.npz", Path(scratch) / "margins.json", Path(scratch) / "w.npy"
        np.savez(data, codes=matrix)
        margins_file.write_text(json.dumps([list(s) for s in shares]))
        script = Path(scratch) / "run_balance.py"
        script.write_text(BALANCE_SCRIPT)
        ran = subprocess.run([str(python), str(script), str(data), str(margins_file), str(out)], capture_output=True, text=True)
        if ran.returncode:
            rows.append(("balance rake", "not available", (ran.stderr.strip().splitlines() or ["failed"])[-1][:120]))
            return rows
        seconds = json.loads(ran.stdout.strip().splitlines()[-1])["seconds"]
        theirs = np.load(out)
    ours_scaled, theirs_scaled = ours.weights / ours.weights.mean(), theirs / theirs.mean()
    difference = float(np.max(np.abs(ours_scaled - theirs_scaled)))
    rows.append(("balance rake (same data)", f"{seconds:.3f} s",
                 f"max |weight difference| {difference:.2e} ({'within' if difference <= 1e-6 else 'NOT within'} 1e-6); "
                 f"ours {seconds / our_seconds:.1f}x faster" if our_seconds <= seconds else
                 f"max |weight difference| {difference:.2e}; ours {our_seconds / seconds:.1f}x slower"))
    return rows


def main() -> int:
    clock = time.perf_counter()
    questionnaire, records = synthetic()
    generated = time.perf_counter() - clock
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clock = time.perf_counter()
    timings = build_full_report(questionnaire, records)
    total = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json_size, html_size, design_effect, converged = timings.pop("_sizes")
    rows = [("synthetic data (not timed in the total)", f"{generated:.2f} s", f"{N_RESPONSES:,} responses, {N_CLOSED} closed, "
             f"{len(DIMENSIONS)} About-you, {sum(1 for r in records if 'comments' in r.answers):,} comments")]
    rows += [(stage, f"{seconds:.2f} s", "") for stage, seconds in timings.items()]
    rows.append(("full report total", f"{total:.2f} s", f"target < 10 s: {'met' if total < 10 else 'NOT met'}"))
    rows.append(("peak memory (process RSS)", f"{peak:,.0f} MiB",
                 f"{peak - baseline:,.0f} MiB above the data; target < 2048 MiB: {'met' if peak < 2048 else 'NOT met'}"))
    rows.append(("report size", f"{json_size / 1e6:.2f} MB JSON", f"{html_size / 1e6:.2f} MB HTML; design effect {design_effect}, "
                 f"raking converged={converged}"))
    rows += compare_raking(questionnaire, records)
    width = max(len(row[0]) for row in rows)
    print(f"{'report benchmark':<{width}}  {'result':>14}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
