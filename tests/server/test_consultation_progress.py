"""Officers see responses coming in while a consultation is open: by day and channel, and how
many of the people who started online sent their response."""

from __future__ import annotations

import re
from datetime import date

from common.clock import council_today
from surveys.progress import responses_by_day
from surveys.tables import QuestionnaireStart
from tests.factories.surveys import make_consultation
from tests.support.database import run
from tests.support.http import send

PUBLIC = "/consultations/data-charter"
OFFICER = "/officer/consultations/data-charter"


def test_responses_by_day_has_a_row_for_every_open_day_and_for_days_with_responses_outside():
    days = responses_by_day([(date(2027, 2, 3), "online"), (date(2027, 2, 3), "paper"), (date(2027, 2, 3), "online"),
                             (date(2027, 5, 7), "email"), (date(2027, 1, 2), "paper")],
                            first_day=date(2027, 2, 1), last_day=date(2027, 2, 5))
    assert [day.day for day in days] == [date(2027, 1, 2), *(date(2027, 2, n) for n in range(1, 6)), date(2027, 5, 7)]
    assert days[3].by_channel["online"] == 2 and days[3].by_channel["paper"] == 1 and days[3].total == 3
    assert [day.total for day in days] == [1, 0, 0, 3, 0, 0, 1]


def answer_first_page(client) -> None:
    client.get(f"{PUBLIC}/questionnaire")
    assert send(client, f"{PUBLIC}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")]).status_code == 303


def test_officer_sees_completion_rate_and_responses_by_day_and_channel(client, officer_client):
    run(make_consultation())
    assert "No one has answered a page of the questionnaire online yet" in officer_client.get(OFFICER).text

    answer_first_page(client)  # starts, answers a page, goes away
    client.cookies.clear()
    answer_first_page(client)  # starts and sends
    send(client, f"{PUBLIC}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])  # goes back: same start
    send(client, f"{PUBLIC}/questionnaire/2", [])
    send(client, f"{PUBLIC}/questionnaire/3", [])
    client.get(f"{PUBLIC}/check")
    assert send(client, f"{PUBLIC}/submit", []).status_code == 303
    assert send(officer_client, f"{OFFICER}/responses", [("channel", "paper"), ("used_services", "Yes"),
                                                          ("open_data", "Agree")]).status_code == 303
    assert sorted(row["furthest_section"] for row in run(QuestionnaireStart.select().run())) == [1, 3]

    page = officer_client.get(OFFICER).text
    assert "Responses coming in" in page
    assert "50% (1 of the 2 people who answered a page online sent their response)" in page
    stopped = page[page.index("Where people stopped"):]
    assert re.search(r"Section 1: Your views\s*</th>\s*<td[^>]*>1</td>", stopped)
    assert "Section 2: More" not in stopped[:stopped.index("</table>")]  # the one who reached it sent theirs
    assert "Responses received each day" in page
    table = page[page.index("Responses received each day"):]
    header = re.findall(r'<th scope="col"[^>]*>\s*([^<]+?)\s*</th>', table)
    assert header[:4] == ["Day", "Online", "Paper", "All channels"]
    today = council_today()
    rows = re.findall(r'<td class="govuk-table__cell">([^<]+)</td>(.*?)</tr>', table, re.S)
    assert len(rows) == 6  # every day from the opening day (5 days ago) to today
    assert rows[-1][0] == f"{today.day} {today:%B} {today.year}"
    assert re.findall(r">(\d+)<", rows[-1][1]) == ["1", "1", "2"]
    assert all(re.findall(r">(\d+)<", cells) == ["0", "0", "0"] for _, cells in rows[:-1])


def test_upcoming_consultation_without_responses_shows_no_progress(officer_client):
    run(make_consultation(status="upcoming"))
    assert "Responses coming in" not in officer_client.get(OFFICER).text
