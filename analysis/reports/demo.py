"""Demo data: the officer's side of the Data Charter questionnaire's "We asked, You said, We did"
report — why the council asked, how many people each channel reached, and what the council did,
each action citing the charter commitment it serves, with an Easy Read version of the summary — so that the demo can publish a finished
report as Barnet published theirs. Loading twice adds nothing (the draft is kept if present)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from analysis.charter.demo import DEMO_CHARTER_SLUG
from analysis.reports.easy_read import EasyReadPoint
from analysis.reports.easy_read_store import draft_points, save_easy_read
from analysis.reports.store import add_action, find_consultation, get_draft, list_actions, save_draft

DEMO_REPORT_SLUG = "data-charter-questionnaire"
DEMO_PURPOSE = ("We asked how you want the council to collect, use and share information about residents. "
                "We are writing a Data Charter: the promises the council makes about the information it holds "
                "about you. We also asked which of the council's information services you use, and whether you "
                "have ever asked the council for the information it holds.")
DEMO_REACH = '{"focus_group": {"how": "two focus groups at Swiss Cottage and Kentish Town libraries", "reached": 26}, ' \
             '"paper": {"how": "questionnaires left in every library and housing office", "reached": 1200}}'
DEMO_ACTIONS = (
    # action, days from today to its date (negative: done), owner, cited commitment keys
    ("Publish every Data Privacy Impact Assessment on the council's website", 120, "Information Governance team", ("3",)),
    ("Publish the number of data protection complaints and breaches every quarter", -30, "Data Protection Officer",
     ("4a",)),
    ("Ask the Resident Panel to review how the council uses data every year", 200, "Data Charter programme team", ("7c",)),
)

DEMO_EASY_READ = (
    ("question", "We asked you how the council should look after information about you."),
    ("people", "People answered on paper, online and in 2 groups at libraries."),
    ("lock", "Most people want the council to keep their information safe."),
    ("share", "People want to know who the council shares information with."),
    ("document", "The council will put its checks on how it uses data on its website."),
    ("chart", "Every 3 months the council will say how many data complaints it had."),
    ("meeting", "Every year the Resident Panel will look at how the council uses data."),
    ("tick", "Thank you for telling us what you think."),
)
"""The Easy Read version of the summary: one short sentence a line, each with its picture."""


async def ensure_demo_report_draft(*, today: date) -> str:
    """The draft's words and actions, unless the officer (or an earlier load) already wrote them."""
    consultation = await find_consultation(DEMO_REPORT_SLUG)
    now = datetime.now(timezone.utc)
    draft = await get_draft(consultation["id"])
    if not draft.get("purpose"):
        await save_draft(slug=DEMO_REPORT_SLUG, now=now, values={
            "purpose": DEMO_PURPOSE, "channels_note": "", "census_file": "camden-2021.csv", "reach_json": DEMO_REACH,
            "findings": ""})
    if not await draft_points(consultation["id"]):
        await save_easy_read(slug=DEMO_REPORT_SLUG, now=now,
                             points=[EasyReadPoint(icon=icon, text=text) for icon, text in DEMO_EASY_READ])
    if await list_actions(consultation["id"]):
        return "report: draft of the Data Charter questionnaire's report already written"
    for action, days, owner, keys in DEMO_ACTIONS:
        await add_action(slug=DEMO_REPORT_SLUG, now=now, values={
            "action": action, "due_on": today + timedelta(days=days), "owner": owner, "done": days < 0,
            "commitments": ";".join(f"{DEMO_CHARTER_SLUG}/{key}" for key in keys)})
    return f"report: draft of the Data Charter questionnaire's report written with {len(DEMO_ACTIONS)} actions"
