"""The draft report's statistics are built once per change and kept in the database
(``analysis.reports.statistics_cache``): a second view reuses them; a new response, answers
replaced, another census or a published version is a new key, and the figures follow at once."""

from __future__ import annotations

import json

import pytest

from analysis.tables import ReportStatisticsCache
from surveys.responses import new_idempotency_key, submit_response
from surveys.tables import SurveyResponse
from tests.factories.reports import BASE, count_statistics_builds, publish, seed
from tests.support.database import run
from tests.support.http import send


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    return count_statistics_builds(monkeypatch)


def kept_rows() -> list[dict]:
    return run(ReportStatisticsCache.select(ReportStatisticsCache.consultation, ReportStatisticsCache.key).run())


def draft(client) -> dict:
    answer = client.get(f"{BASE}/report.json")
    assert answer.status_code == 200
    return answer.json()


def open_data_counts(document: dict) -> dict[str, int]:
    question = next(q for q in document["questions"] if q["key"] == "open_data")
    return {option["label"]: option["count"] for option in question["options"]}


def test_statistics_are_built_once_then_reused_by_every_view(officer_client, builds):
    consultation_id = run(seed())
    page = officer_client.get(BASE)
    assert page.status_code == 200 and "95% CI" in page.text
    assert builds == [60]
    assert [row["consultation"] for row in kept_rows()] == [consultation_id]
    assert officer_client.get(BASE).text.count("95% CI") == page.text.count("95% CI")
    assert draft(officer_client)["n_responses"] == 60
    assert officer_client.get(f"{BASE}/report.csv").status_code == 200
    assert builds == [60]  # the page again and both downloads: nothing rebuilt


def test_the_officers_words_change_without_a_rebuild(officer_client, builds):
    run(seed())
    officer_client.get(BASE)
    saved = send(officer_client, BASE, [("purpose", "To write our Data Charter"), ("channels_note", ""),
                                        ("census_file", ""), ("findings", "Most people want more open data")])
    assert saved.status_code == 303
    document = draft(officer_client)
    assert document["we_asked"]["purpose"] == "To write our Data Charter"
    assert "Most people want more open data" in json.dumps(document["summary"])
    assert builds == [60]


def test_a_new_response_changes_the_figures_at_once(officer_client, builds):
    consultation_id = run(seed())
    before = draft(officer_client)
    old_key = kept_rows()[0]["key"]
    run(SurveyResponse(consultation=consultation_id, reference="R-LATE-0001", channel="email",
                       answers_json=json.dumps({"open_data": "Disagree", "contact": "Phone"})).save().run())
    after = draft(officer_client)
    assert after["n_responses"] == before["n_responses"] + 1
    assert open_data_counts(after)["Disagree"] == open_data_counts(before)["Disagree"] + 1
    assert builds == [60, 61]
    assert len(kept_rows()) == 1 and kept_rows()[0]["key"] != old_key  # the old statistics are gone


def test_a_deleted_and_an_added_response_are_a_new_key_though_the_count_is_the_same(officer_client, builds):
    consultation_id = run(seed())
    before = draft(officer_client)
    first = run(SurveyResponse.select(SurveyResponse.id, SurveyResponse.answers_json).order_by(
        SurveyResponse.id).first().run())
    run(SurveyResponse.delete().where(SurveyResponse.id == first["id"]).run())
    answer = json.loads(first["answers_json"])["open_data"]
    other = next(label for label in ("Agree", "Strongly agree", "Disagree") if label != answer)
    run(SurveyResponse(consultation=consultation_id, reference="R-LATE-0002", channel="online",
                       answers_json=json.dumps({"open_data": other})).save().run())
    after = draft(officer_client)
    assert after["n_responses"] == before["n_responses"]
    assert open_data_counts(after)[answer] == open_data_counts(before)[answer] - 1
    assert open_data_counts(after)[other] == open_data_counts(before)[other] + 1
    assert len(builds) == 2


def test_answers_replaced_under_the_same_key_change_the_figures(officer_client, builds):
    consultation_id = run(seed())
    key = new_idempotency_key()
    run(submit_response(consultation_id=consultation_id, answers={"open_data": "Agree"}, idempotency_key=key))
    before = draft(officer_client)
    run(submit_response(consultation_id=consultation_id, answers={"open_data": "Disagree"}, idempotency_key=key,
                        replace=True))
    after = draft(officer_client)
    assert after["n_responses"] == before["n_responses"] == 61
    assert open_data_counts(after)["Agree"] == open_data_counts(before)["Agree"] - 1
    assert open_data_counts(after)["Disagree"] == open_data_counts(before)["Disagree"] + 1
    assert len(builds) == 2


def test_choosing_a_census_and_publishing_are_new_keys(officer_client, builds):
    run(seed())
    assert draft(officer_client)["design_effect"] is None
    send(officer_client, BASE, [("purpose", "Why"), ("census_file", "camden-2021.csv")])
    assert draft(officer_client)["design_effect"] is not None
    assert len(builds) == 2
    publish(officer_client)  # the disclosure audit of the next version reads this one
    draft(officer_client)
    assert len(builds) == 3


def test_a_payload_that_no_longer_reads_is_rebuilt(officer_client, builds):
    run(seed())
    draft(officer_client)
    run(ReportStatisticsCache.update({ReportStatisticsCache.payload: b"not a pickle"}, force=True).run())
    assert draft(officer_client)["n_responses"] == 60
    assert builds == [60, 60]
