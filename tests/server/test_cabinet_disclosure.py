"""Cabinet's panel figures follow the reports' disclosure rules: a count of people under the
threshold is hidden, one more while only one in a dimension is, and the rest are rounded to 5,
so that one known person's registration does not show which group they are in (issue: the pool
count of one group went from 33 to 34 after a known registration)."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.disclosure import HIDDEN, PublishedCount, publish_count, publish_line, round_to_base
from panels.aggregates import panel_aggregates
from tests.factories.panels import create_panel, fill_pool, registration, set_quotas, slug_of
from tests.support.database import run
from tests.support.http import post_form


def test_counts_are_rounded_to_five_and_small_ones_hidden():
    assert [round_to_base(n) for n in (10, 12, 13, 33, 34, 37, 38)] == [10, 10, 15, 35, 35, 35, 40]
    assert publish_count(9, threshold=10) == PublishedCount(None, HIDDEN)
    assert publish_count(34, threshold=10) == PublishedCount(35)
    assert publish_line([12, 3, 15], threshold=10) == [PublishedCount(None, HIDDEN), PublishedCount(None, HIDDEN),
                                                       PublishedCount(15)]
    assert publish_line([12, 3, 4, 15], threshold=10) == [PublishedCount(10), PublishedCount(None, HIDDEN),
                                                          PublishedCount(None, HIDDEN), PublishedCount(15)]
    assert publish_line([0], threshold=10) == [PublishedCount(None, HIDDEN)]
    # the group hidden to protect another is chosen by rounded counts, so it stays put when one person joins
    assert publish_line([11, 11, 0], threshold=10) == publish_line([12, 11, 0], threshold=10) == [
        PublishedCount(None, HIDDEN), PublishedCount(10), PublishedCount(None, HIDDEN)]
    assert publish_line([], threshold=10) == []


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=8), st.integers(min_value=1, max_value=20))
def test_a_line_never_has_exactly_one_hidden_count_and_shows_only_rounded_counts_at_the_threshold(counts, threshold):
    published = publish_line(counts, threshold=threshold)
    hidden = [figure for figure in published if figure.value is None]
    assert len(hidden) != 1 or len(counts) == 1
    for count, figure in zip(counts, published):
        if figure.value is None:
            assert figure.suppression == HIDDEN  # one mark: "[c]" told which hidden groups were the bigger ones
        else:
            assert count >= threshold and figure.value % 5 == 0 and abs(figure.value - count) <= 2


def _figures(page: str) -> list[tuple[str, ...]]:
    """The rows of cabinet's table of groups, as cabinet reads them."""
    body = page[page.index("<tbody"):page.index("</tbody>")]
    return [tuple(re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_one_known_registration_does_not_show_in_cabinets_figures(client, officer_client, cabinet_client):
    panel_id = create_panel(officer_client, name="Differencing Panel")
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    fill_pool(client, slug, count=22)  # 11 men and 11 women
    before = cabinet_client.get("/cabinet/panels")
    assert before.status_code == 200
    rows_before = _figures(before.text)
    sex = {row[1]: row[4] for row in rows_before if row[0] == "Sex"}  # the dimension in words, not its key
    assert sex == {"Male": "[x]", "Female": "10", "Prefer not to say": "[x]"}  # 11 men, 11 women, none
    assert all(row[4] == "[x]" for row in rows_before if row[0] == "Age band (adults)")  # every band under 10

    known = post_form(client, f"/panels/{slug}/register", registration(500, "Male", 41), follow_redirects=False)
    assert known.status_code == 303
    exact = {row.category: row.pool for aggregate in run(panel_aggregates(today=date.today()))
             if aggregate.name == "Differencing Panel" for row in aggregate.categories if row.dimension == "sex"}
    assert exact == {"Male": 12, "Female": 11, "Prefer not to say": 0}  # the exact counts are still there for officers' pages

    after = cabinet_client.get("/cabinet/panels")
    assert _figures(after.text) == rows_before  # no group's figure moved: the registrant's group is not given away
    assert "Differencing Panel" in after.text and "12" not in [row[4] for row in _figures(after.text)]


def test_a_hidden_zero_is_not_left_alone_on_its_line():
    """Found by the property above: [0, 28] at a threshold of 20 hid the 0 alone, so the 28 gave it away."""
    assert [figure.value for figure in publish_line([0, 28], threshold=20)] == [None, None]
