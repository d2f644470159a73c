"""Charts are drawn once per set of numbers: the pool, quotas and selection pages show the same
chart until their numbers change."""

from __future__ import annotations

from common import charts as memory
from panels import charts


def test_a_chart_is_drawn_again_only_when_its_numbers_change(monkeypatch):
    drawn = []

    @memory.remembered
    def chart(rows, *, k):
        drawn.append((rows, k))
        return f"png of {rows} for {k}".encode()

    rows = [{"dimension": "sex", "category": "Female", "quota_min": 5, "pool": 40}]
    first = chart(rows, k=12)
    assert chart([dict(rows[0])], k=12) == first  # equal numbers, another list
    assert len(drawn) == 1
    assert chart([{**rows[0], "pool": 41}], k=12) != first  # a new volunteer
    assert chart(rows, k=13) != first
    assert len(drawn) == 3


def test_only_the_last_charts_are_kept(monkeypatch):
    monkeypatch.setattr(memory, "REMEMBERED", 2)
    drawn = []

    @memory.remembered
    def chart(number):
        drawn.append(number)
        return bytes([number])

    for number in (1, 2, 1, 3, 1, 2):
        chart(number)
    assert drawn == [1, 2, 3, 2]  # 1 was shown again before 3 came, so 2 was dropped


def test_the_quota_chart_is_a_png_and_remembered():
    rows = [{"dimension": "sex", "category": "Female", "quota_min": 4, "quota_max": 7, "target": 5.5, "pool": 30},
            {"dimension": "sex", "category": "Male", "quota_min": 4, "quota_max": 7, "target": 5.5, "pool": 20}]
    png = charts.quota_chart(rows, k=11, pool_total=50)
    assert png.startswith(b"\x89PNG") and charts.quota_chart(rows, k=11, pool_total=50) is png
