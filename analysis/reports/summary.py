"""The first screen of a report: "You said" as a few plain sentences with numbers.

``drafted_findings(document)`` drafts them from the statistics: for the closed questions with the
clearest answer, the largest answer's share with its count and base ("‘I trust the council…’:
62% chose ‘Agree’ (149 of 240 people)"), rounded for prose as ``analysis.stats.rounding`` does,
and the theme raised most often. Small numbers are protected: a question fewer than the
disclosure threshold answered gives no percentage, and an answer chosen by fewer than that many
says "fewer than 10" rather than its count. The officer may replace the sentences (one a line)
before publishing; ``summary_section`` keeps whichever was used, so a version says what it said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis.stats.rounding import percent_label
from common.i18n import gettext

MAX_DRAFTED = 2
"""Questions drafted into the summary: enough to say what people thought, few enough for a phone's
first screen beside "We asked" and "We did"; every question follows in full."""
MAX_FINDINGS = 12
MAX_FINDING_LENGTH = 500


def _about_you_keys(document: Mapping[str, Any]) -> set[str]:
    """Questions about the respondent (the groups of breakdowns, the weighting's dimensions): not findings."""
    keys = {breakdown["group_key"] for breakdown in document.get("breakdowns", [])}
    for dimension in (document.get("weighting") or {}).get("dimensions", []):
        keys.add(dimension["question_key"])
    return keys


def question_finding(question: Mapping[str, Any], threshold: int) -> str | None:
    """One sentence for a closed question's largest answer, or None when nobody answered."""
    answered = question["n_answered"]
    if not answered or not question["options"]:
        return None
    text = question["text"].strip().rstrip(".?")
    if answered < threshold:
        return gettext("Fewer than %(threshold)s people answered ‘%(question)s’.", threshold=threshold, question=text)
    top = max(question["options"], key=lambda option: option["count"])
    percent = percent_label(100 * top["count"] / answered)
    base = format(answered, ",")
    if top["count"] < threshold:
        return gettext("‘%(question)s’: %(percent)s chose ‘%(answer)s’ (fewer than %(threshold)s of %(base)s people).",
                       percent=percent, base=base, question=text, answer=top["label"], threshold=threshold)
    return gettext("‘%(question)s’: %(percent)s chose ‘%(answer)s’ (%(count)s of %(base)s people).",
                   percent=percent, base=base, question=text, answer=top["label"], count=format(top["count"], ","))


def drafted_findings(document: Mapping[str, Any], *, limit: int = MAX_DRAFTED) -> list[str]:
    """The sentences drafted from the statistics, in questionnaire order: the ``limit`` questions
    whose largest answer has the largest share, then the theme tagged most often."""
    threshold = document["disclosure_threshold"]
    about_you = _about_you_keys(document)
    candidates = [(position, question) for position, question in enumerate(document["questions"])
                  if question["key"] not in about_you and question["n_answered"] >= threshold and question["options"]]
    clearest = sorted(candidates, key=lambda item: -max(o["count"] for o in item[1]["options"]) / item[1]["n_answered"])
    chosen = sorted(clearest[:limit], key=lambda item: item[0])
    findings = [sentence for _, question in chosen if (sentence := question_finding(question, threshold))]
    themes = [theme for theme in document.get("themes", []) if theme["comments"] >= threshold]
    if themes:
        theme = max(themes, key=lambda item: item["comments"])
        findings.append(gettext("The theme raised most often in comments was ‘%(theme)s’ (%(count)s comments).",
                                theme=theme["name"], count=format(theme["comments"], ",")))
    return findings


def written_findings(text: str) -> list[str]:
    """The officer's findings: one a line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_findings(text: str) -> str | None:
    """A GOV.UK-style message when the officer's findings are too many or too long, else None."""
    lines = written_findings(text)
    if len(lines) > MAX_FINDINGS:
        return gettext("Write %(limit)s findings or fewer, one on each line", limit=MAX_FINDINGS)
    if any(len(line) > MAX_FINDING_LENGTH for line in lines):
        return gettext("Each finding must be %(limit)s characters or fewer", limit=MAX_FINDING_LENGTH)
    return None


def summary_section(document: Mapping[str, Any], written: str) -> dict[str, Any]:
    """The document's ``summary``: ``findings`` (the officer's when written, else drafted) and
    ``drafted`` (whether they were drafted from the statistics)."""
    own = written_findings(written)
    return {"findings": own or drafted_findings(document), "drafted": not own}
