"""Coding free-text answers at speed over HTTP: many at once (ticked, or every answer a filter
matches), themes suggested by clustering, and the double-coding check with Cohen's kappa."""

from __future__ import annotations

import json
import random

from analysis.tables import ReportCodingSample, ReportTheme, ReportThemeTag
from server.tables import AuditEntry
from surveys.tables import SurveyResponse
from tests.factories.reports import BASE, seed
from tests.support.database import run
from tests.support.http import send

CODING = f"{BASE}/coding"


def answers(prefix: str = "") -> list[int]:
    rows = run(SurveyResponse.select(SurveyResponse.id, SurveyResponse.answers_json).order_by(SurveyResponse.id).run())
    return [row["id"] for row in rows if json.loads(row["answers_json"]).get("suggestions", "").startswith(prefix)
            and json.loads(row["answers_json"]).get("suggestions")]


def add_theme(client, name: str) -> int:
    assert send(client, f"{BASE}/themes", [("name", name)]).status_code == 303
    return run(ReportTheme.select(ReportTheme.id).where(ReportTheme.name == name).first().run())["id"]


def tagged(theme_id: int) -> set[int]:
    return {row["response"] for row in run(ReportThemeTag.select(ReportThemeTag.response).where(
        ReportThemeTag.theme == theme_id).run())}


def audit_actions() -> list[str]:
    return [row["action"] for row in run(AuditEntry.select(AuditEntry.action).run())]


def test_many_answers_are_tagged_at_once_and_bad_choices_keep_what_was_ticked(officer_client):
    run(seed())
    parking = add_theme(officer_client, "Parking")
    page = officer_client.get(CODING)
    assert page.status_code == 200 and "20 answers, 20 not yet tagged." in page.text
    chosen = answers("More open data on parking")[:3]
    # No theme chosen: refused, and the boxes stay ticked.
    refused = send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag"),
                                                        *(("answer", i) for i in chosen)])
    assert refused.status_code == 422 and "Select a theme" in refused.text
    assert all(f'value="{i}" checked' in refused.text for i in chosen)
    nothing = send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag"), ("theme_id", parking)])
    assert nothing.status_code == 422 and "Select at least one answer" in nothing.text
    done = send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag"), ("theme_id", parking),
                                                     *(("answer", i) for i in chosen)])
    assert done.status_code == 303 and "changed=3" in done.headers["location"]
    assert tagged(parking) == set(chosen)
    assert "3 answers tagged as ‘Parking’" in officer_client.get(done.headers["location"]).text
    # Every answer a filter matches, on every page; answers already tagged are counted once.
    everything = send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag_all"),
                                                           ("theme_id", parking), ("words", "PARKING")])
    assert everything.status_code == 303
    assert tagged(parking) == set(answers("More open data on parking")) | set(answers("Publish the parking"))
    untagged = officer_client.get(f"{CODING}?question=suggestions&show=untagged").text
    assert "More open data on parking" not in untagged and "Plain English letters" in untagged
    only = officer_client.get(f"{CODING}?question=suggestions&show={parking}").text
    assert "Plain English letters" not in only and "More open data on parking" in only
    off = send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "untag"), ("theme_id", parking),
                                                    ("answer", chosen[0])])
    assert off.status_code == 303 and chosen[0] not in tagged(parking)
    # An answer to another consultation, or a made-up id, is not an answer the page offered.
    assert send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag"), ("theme_id", parking),
                                                     ("answer", 999_999)]).status_code == 404
    assert send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag"), ("theme_id", "x"),
                                                     ("answer", chosen[0])]).status_code == 404
    for too_long in ("9" * 19, "9" * 12):  # more digits than a database integer holds: refused before any query
        assert send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag"), ("theme_id", parking),
                                                         ("answer", too_long)]).status_code == 404
    assert {"report_comments_tagged", "report_comments_untagged"} <= set(audit_actions())


def test_a_suggested_theme_becomes_a_theme_with_its_answers(officer_client):
    run(seed(90))
    page = officer_client.get(f"{CODING}/suggestions?question=suggestions")
    assert page.status_code == 200 and "Group 1" in page.text
    add_theme(officer_client, "Parking")
    duplicate = send(officer_client, f"{CODING}/suggestions", [("question", "suggestions"), ("suggestion", 1), ("name_1", "parking")])
    assert duplicate.status_code == 422 and "There is already a theme with this name" in duplicate.text
    assert 'value="parking"' in duplicate.text
    made = send(officer_client, f"{CODING}/suggestions", [("question", "suggestions"), ("suggestion", 1), ("name_1", "Grouped")])
    assert made.status_code == 303
    theme = run(ReportTheme.select(ReportTheme.id).where(ReportTheme.name == "Grouped").first().run())["id"]
    members = tagged(theme)
    texts = {json.loads(row["answers_json"])["suggestions"] for row in run(SurveyResponse.select().where(
        SurveyResponse.id.is_in(sorted(members))).run())}
    assert len(members) >= 2 and len(texts) == 1, "a group of identical answers"
    assert "added, and" in officer_client.get(made.headers["location"]).text
    assert send(officer_client, f"{CODING}/suggestions", [("question", "suggestions"), ("suggestion", 99),
                                                           ("name_99", "x")]).status_code == 404


def test_a_second_officer_codes_a_sample_blind_and_kappa_compares(officer_client, staff_client):
    run(seed(90))
    parking, plain = add_theme(officer_client, "Parking"), add_theme(officer_client, "Plain English")
    send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag_all"), ("theme_id", parking), ("words", "parking")])
    send(officer_client, f"{CODING}/apply", [("question", "suggestions"), ("action", "tag_all"), ("theme_id", plain), ("words", "plain")])
    for size, message in (("lots", "as a whole number"), ("5", "Draw between 10 and 200"), ("200", "There are only 30 answers")):
        bad = send(officer_client, f"{CODING}/check/sample", [("question", "suggestions"), ("size", size)])
        assert bad.status_code == 422 and message in bad.text and f'value="{size}"' in bad.text
    assert send(officer_client, f"{CODING}/check/sample", [("question", "suggestions"), ("size", "12")]).status_code == 303
    sample = run(ReportCodingSample.select().order_by(ReportCodingSample.position).run())
    assert len(sample) == 12
    # The officer who tagged them cannot check them.
    assert "your coding would not be a check" in officer_client.get(f"{CODING}/check").text
    refused = send(officer_client, f"{CODING}/check/code", [("question", "suggestions"), ("sample_id", sample[0]["id"])])
    assert refused.status_code == 403
    checker = staff_client("officer")
    page = checker.get(f"{CODING}/check?question=suggestions").text
    assert "Answer 1 of 12" in page and "Tagged:" not in page  # blind: the first coding is not shown
    texts = {row["id"]: json.loads(row["answers_json"]).get("suggestions", "") for row in run(SurveyResponse.select().run())}
    rng = random.Random(1)
    for row in sample:
        text = texts[row["response"]]
        themes = [parking] if "parking" in text.casefold() else []
        if "Plain English" in text and rng.random() < 0.5:
            themes.append(plain)  # the checker sees plain English only half the time
        assert send(checker, f"{CODING}/check/code", [("question", "suggestions"), ("sample_id", row["id"]),
                                                      *(("theme", t) for t in themes)]).status_code == 303
    done = checker.get(f"{CODING}/check?question=suggestions").text
    assert "Agreement over 12 of 12 answers coded twice" in done
    assert "Every answer in the sample has been coded for the check." in done
    parking_row = done[done.index("<td", done.index(">Parking<")):]
    parking_row = parking_row[:parking_row.index("</tr>")]
    sampled_parking = {"parking" in texts[row["response"]].casefold() for row in sample}
    if sampled_parking == {True, False}:  # the checker agreed on every answer: perfect agreement
        assert "1.00" in parking_row and "almost perfect" in parking_row
    else:  # a sample (about 1 in 1,600) with no parking answer, or only those: kappa is undefined
        assert "cannot be worked out" in parking_row
    assert {"report_coding_sample_drawn", "report_coding_checked"} <= set(audit_actions())


def test_the_words_filter_finds_words_by_their_start_in_any_case(officer_client):
    run(seed())
    add_theme(officer_client, "Parking")
    page = officer_client.get(f"{CODING}?question=suggestions&words=PARK+open").text
    assert "More open data on parking" in page and "Publish the parking data" not in page
    assert "Plain English letters" not in officer_client.get(f"{CODING}?question=suggestions&words=lain").text
