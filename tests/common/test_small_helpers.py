import hashlib
import re
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, strategies as st

from common.clock import COUNCIL_TIME_ZONE, council_date, council_time, council_today, end_of_council_day
from common.i18n import elapsed_in_words, format_count
from common.text import SLUG_MAX_LENGTH, slugify
from common.tokens import hash_token

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_token_hashes_stay_what_was_stored():
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert hash_token("é") == hashlib.sha256("é".encode("utf-8")).hexdigest()


def test_slugs():
    assert slugify("Resident Panel 2026: Data!") == "resident-panel-2026-data"
    assert slugify("Straße") == "strasse"
    assert slugify("!!!") == ""
    assert slugify("a" * 79 + " b") == "a" * 79  # no hyphen left at the cut


@given(st.text(), st.integers(1, 120))
def test_a_slug_is_always_valid_or_empty(text, limit):
    slug = slugify(text, max_length=limit)
    assert slug == "" or (SLUG.match(slug) and len(slug) <= limit)
    assert slugify(slug, max_length=limit) == slug


def test_slugs_are_cut_at_the_documented_length():
    assert len(slugify("word " * 100)) <= SLUG_MAX_LENGTH


def test_london_dates_differ_from_utc_dates_late_on_a_summer_evening():
    late = datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc)
    assert council_date(late) == date(2026, 7, 2)
    assert council_time(datetime(2026, 1, 15, 12, 0)).hour == 12  # naive means UTC; winter is GMT
    assert council_time(late).tzinfo is COUNCIL_TIME_ZONE


def test_end_of_a_council_day():
    assert end_of_council_day(date(2026, 7, 1)) == datetime(2026, 7, 1, 22, 59, tzinfo=timezone.utc)
    assert end_of_council_day(date(2026, 1, 1)) == datetime(2026, 1, 1, 23, 59, tzinfo=timezone.utc)


def test_council_today_is_a_date():
    assert isinstance(council_today(), date)


def test_dates_in_text_are_written_in_the_readers_language():
    from datetime import date, datetime

    from common.i18n import active_locale, format_day, format_day_and_time

    assert format_day(date(2022, 1, 24)) == "24 January 2022"
    assert format_day_and_time(datetime(2022, 7, 1, 9, 5)) == "1 July 2022, 09:05"
    token = active_locale.set("cy_GB")
    try:
        assert format_day(date(2022, 1, 24)) == "24 Ionawr 2022"
    finally:
        active_locale.reset(token)


@pytest.mark.parametrize(("start", "end", "words"), [
    (date(2022, 6, 30), date(2026, 11, 15), "more than 4 years"),
    (date(2022, 6, 30), date(2026, 6, 30), "4 years"),
    (date(2022, 6, 30), date(2023, 6, 30), "1 year"),
    (date(2022, 1, 31), date(2022, 2, 28), "1 month"),
    (date(2022, 1, 10), date(2022, 4, 2), "more than 2 months"),
    (date(2022, 1, 1), date(2022, 1, 22), "3 weeks"),
    (date(2022, 1, 1), date(2022, 1, 16), "more than 2 weeks"),
    (date(2022, 1, 1), date(2022, 1, 2), "1 day"),
    (date(2022, 1, 10), date(2022, 1, 1), "9 days"),
])
def test_elapsed_in_words(start, end, words):
    assert elapsed_in_words(start, end) == words


def test_format_count_groups_thousands():
    assert format_count(1599) == "1,599" and format_count(12) == "12"
