"""The summary's "You said" sentences, drafted from the statistics: rounded for prose, small
numbers protected, About-you questions left out, and the officer's own words kept instead."""

from __future__ import annotations

from analysis.reports.summary import check_findings, drafted_findings, question_finding, summary_section


def _question(key: str, text: str, counts: dict[str, int]) -> dict:
    answered = sum(counts.values())
    return {"key": key, "text": text, "n_answered": answered,
            "options": [{"label": label, "count": count} for label, count in counts.items()]}


DOCUMENT = {
    "disclosure_threshold": 10,
    "questions": [
        _question("trust", "I trust the council with my data.", {"Agree": 149, "Disagree": 91}),
        _question("age", "Your age", {"18 to 34": 200, "35 and over": 40}),
        _question("open", "Should the council publish more data?", {"Yes": 225, "No": 15}),
        _question("few", "Which library do you use?", {"Kentish Town": 4, "Swiss Cottage": 3}),
        _question("split", "How often?", {"Daily": 9, "Weekly": 8, "Monthly": 8, "Never": 7}),
    ],
    "breakdowns": [{"group_key": "age"}],
    "themes": [{"name": "Plain English", "comments": 40}, {"name": "Parking", "comments": 3}],
}


def test_the_clearest_questions_are_drafted_in_order_with_rounded_shares_and_counts():
    findings = drafted_findings(DOCUMENT)
    assert findings == [
        "‘I trust the council with my data’: 62% chose ‘Agree’ (149 of 240 people).",
        "‘Should the council publish more data’: 94% chose ‘Yes’ (225 of 240 people).",
        "The theme raised most often in comments was ‘Plain English’ (40 comments).",
    ]  # the About-you question (age, 83%) is not a finding; 149/240 = 62.08% reads 62%


def test_small_numbers_are_protected():
    assert question_finding(DOCUMENT["questions"][3], 10) == "Fewer than 10 people answered ‘Which library do you use’."
    assert question_finding(DOCUMENT["questions"][4], 10) == (
        "‘How often’: 28% chose ‘Daily’ (fewer than 10 of 32 people).")
    assert question_finding({**DOCUMENT["questions"][0], "n_answered": 0}, 10) is None


def test_the_officers_findings_replace_the_drafted_ones_and_are_checked():
    assert summary_section(DOCUMENT, "  Most of you trust us.\n\nMost want more open data. ") == {
        "findings": ["Most of you trust us.", "Most want more open data."], "drafted": False}
    assert summary_section(DOCUMENT, " \n ")["drafted"] is True
    assert check_findings("One.\nTwo.") is None
    assert "12 findings or fewer" in check_findings("\n".join(["A finding."] * 13))
    assert "500 characters" in check_findings("x" * 501)
