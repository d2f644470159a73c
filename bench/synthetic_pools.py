"""Synthetic Camden-like volunteer pools for the selection benchmark (labelled synthetic).

Marginals come from the 2011 Census for Camden (``panels/census_data/camden-2011.csv``, the app's copy):
sex, adult age bands (18+: ``0-15`` and ``16-17`` dropped), ethnicity (5 groups),
disability (3), tenure (persons in households, grouped into 4) and economic activity
(16–74, grouped into 4). Volunteers are drawn with a fixed numpy seed and a response bias
seen in resident panels — older residents and owner-occupiers over-represented, younger,
private renters and minority groups under-represented — plus a little realism (most over-65s
retired, more students among 18–24s). About 12% of volunteers share a household with another
(same tenure). Quotas are k × census share ± 20% (at least ±1 seat).
The ``sf_e``-like pool (n = 1727, k = 110) adds a 7th, synthetic category ``area`` (five
equal areas), as the paper's instance has 7 categories.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CENSUS = Path(__file__).resolve().parents[1] / "panels" / "census_data" / "camden-2011.csv"

TENURE_GROUPS = {
    "Owned": ("Owned outright", "Owned with a mortgage or loan", "Shared ownership"),
    "Social rented": ("Social rented",),
    "Private rented": ("Private rented",),
    "Rent free": ("Living rent free",),
}
ACTIVITY_GROUPS = {
    "Employed": ("Employee", "Self-employed"),
    "Unemployed": ("Unemployed",),
    "Student": ("student", "Student"),
    "Inactive": ("Retired", "Looking after", "Long-term sick", "inactive: Other"),
}
BIAS = {
    "age_band": {"18-24": 0.5, "25-34": 0.6, "35-44": 0.9, "45-54": 1.1, "55-64": 1.5, "65-74": 1.8, "75+": 1.3},
    "tenure": {"Owned": 1.8, "Social rented": 0.8, "Private rented": 0.6, "Rent free": 0.7},
    "ethnicity": {"White": 1.25},
}


@dataclass(frozen=True)
class SyntheticInstance:
    name: str
    n: int
    k: int
    with_area: bool = False


INSTANCES = (
    SyntheticInstance("camden_500_40", 500, 40),
    SyntheticInstance("camden_1000_60", 1000, 60),
    SyntheticInstance("camden_2000_80", 2000, 80),
    SyntheticInstance("camden_sfe_1727_110", 1727, 110, with_area=True),
    SyntheticInstance("camden_5000_100", 5000, 100),
)
#: The largest pool the engine is timed on (``bench/dropout.py``): n = 20,000, k = 150, households.
LARGE = SyntheticInstance("camden_20000_150", 20000, 150)


def census_shares() -> dict[str, dict[str, float]]:
    """Category shares per dimension on the right base (see module docstring)."""
    counts: dict[str, dict[str, float]] = {}
    with CENSUS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            counts.setdefault(row["dimension"], {})[row["category"]] = float(row["count"])
    age = {band: count for band, count in counts["age_band"].items() if band not in ("0-15", "16-17")}
    tenure = _group({c.removeprefix("persons: "): v for c, v in counts["tenure"].items() if c.startswith("persons: ")}, TENURE_GROUPS)
    activity = _group(counts["economic_activity"], ACTIVITY_GROUPS)
    shares = {
        "sex": counts["sex"],
        "age_band": age,
        "ethnicity": counts["ethnicity"],
        "disability": counts["disability"],
        "tenure": tenure,
        "economic_activity": activity,
    }
    return {dimension: {c: v / sum(values.values()) for c, v in values.items()} for dimension, values in shares.items()}


def _group(counts: dict[str, float], groups: dict[str, tuple[str, ...]]) -> dict[str, float]:
    grouped = {name: 0.0 for name in groups}
    for category, count in counts.items():
        name = next(name for name, keys in groups.items() if any(key in category for key in keys))
        grouped[name] += count
    return grouped


def generate(instance: SyntheticInstance, seed: int = 2011) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Return (quota rows ``category,name,min,max``, respondent rows with ``id`` and ``household``)."""
    shares = census_shares()
    if instance.with_area:
        shares["area"] = {f"Area {letter}": 0.2 for letter in "ABCDE"}
    rng = np.random.default_rng(seed + instance.n)
    people = []
    for index in range(instance.n):
        person = {}
        for dimension, values in shares.items():
            names = list(values)
            weights = np.array([values[name] * BIAS.get(dimension, {}).get(name, 0.8 if dimension == "ethnicity" else 1.0) for name in names])
            person[dimension] = names[rng.choice(len(names), p=weights / weights.sum())]
        if person["age_band"] in ("65-74", "75+") and rng.random() < 0.8:
            person["economic_activity"] = "Inactive"
        if person["age_band"] == "18-24" and rng.random() < 0.4:
            person["economic_activity"] = "Student"
        person["household"] = f"H{index:05d}"
        if index > 10 and rng.random() < 0.12:
            mate = people[int(rng.integers(0, index))]
            person["household"] = mate["household"]
            person["tenure"] = mate["tenure"]
        person["id"] = f"v{index:05d}"
        people.append(person)
    quotas = []
    for dimension, values in shares.items():
        for name, share in values.items():
            target = instance.k * share
            tolerance = max(1.0, 0.2 * target)
            quotas.append(
                {"category": dimension, "name": name, "min": str(max(0, math.floor(target - tolerance))), "max": str(math.ceil(target + tolerance))}
            )
    return quotas, people


def write_instance(instance: SyntheticInstance, folder: Path) -> tuple[Path, Path]:
    """Write ``categories.csv`` and ``respondents.csv`` for ``instance`` into ``folder``."""
    quotas, people = generate(instance)
    folder.mkdir(parents=True, exist_ok=True)
    categories_path, respondents_path = folder / "categories.csv", folder / "respondents.csv"
    with categories_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["category", "name", "min", "max"])
        writer.writeheader()
        writer.writerows(quotas)
    columns = ["id", *[key for key in people[0] if key not in ("id", "household")], "household"]
    with respondents_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(people)
    return categories_path, respondents_path
