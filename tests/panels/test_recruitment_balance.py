"""Who has registered against the borough (panels.recruitment_balance): shares of those who
answered, the ratio to the census share, and the groups flagged as missing."""

from __future__ import annotations

import pytest

from panels.quotas import QuotaRow
from panels.recruitment_balance import UNDER_REPRESENTED, group_response


def quota(dimension: str, category: str, share: float | None) -> QuotaRow:
    return QuotaRow(dimension=dimension, category=category, census_share=share, target=0.0, quota_min=0, quota_max=10)


def test_shares_ratios_and_the_groups_missing():
    quotas = [quota("sex", "Female", 0.52), quota("sex", "Male", 0.48), quota("age_band", "16-29", 0.25),
              quota("age_band", "30+", 0.75), quota("sex", "Prefer not to say", None)]
    pool = ([({"sex": "Female", "age_band": "30+"}, True)] * 6 + [({"sex": "Male", "age_band": "30+"}, False)] * 3
            + [({"sex": "Male", "age_band": "16-29"}, True)] + [({"age_band": "30+"}, False)])  # one did not answer sex
    rows = {(row.dimension, row.category): row for row in group_response(pool, quotas)}
    female = rows[("sex", "Female")]
    assert (female.registered, female.by_letter) == (6, 6)
    assert female.pool_share == pytest.approx(6 / 10) and female.ratio == pytest.approx(0.6 / 0.52)
    young = rows[("age_band", "16-29")]
    assert young.pool_share == pytest.approx(1 / 11) and young.ratio == pytest.approx((1 / 11) / 0.25)
    assert young.under_represented and not female.under_represented
    assert rows[("sex", "Prefer not to say")].ratio is None and not rows[("sex", "Prefer not to say")].under_represented
    assert [row.category for row in group_response(pool, quotas)] == [q.category for q in quotas]  # the quotas' order
    assert UNDER_REPRESENTED == 0.8


def test_an_empty_pool_has_no_shares():
    rows = group_response([], [quota("sex", "Female", 0.5)])
    assert rows[0].registered == 0 and rows[0].pool_share is None and rows[0].ratio is None
