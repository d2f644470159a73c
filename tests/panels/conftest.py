"""Fixtures for the selection engine tests: paths of the benchmark instances in ``bench/``."""

from pathlib import Path

import pytest

INSTANCES = Path(__file__).resolve().parents[2] / "bench" / "instances"


@pytest.fixture
def instances() -> Path:
    return INSTANCES


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
