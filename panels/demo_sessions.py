"""Demo data: what happened at the 2021 Resident Panel's three sessions — the agenda of each day,
the tables members sat at (seated by ``panels.session_tables`` to look like the panel), and on day
three what each table said: notes, and the points that became the panel's recommendations (linked
to them). Runs after the 2021 panel's recommendations exist; loading twice adds nothing.

The agendas, notes and points are written for the demo; the days are the 2021 panel's own."""

from __future__ import annotations

from datetime import datetime, timezone

from panels.demo import PANEL_2021_NAME, PANEL_2021_SLUG
from panels.session_tables import list_tables, save_agenda, seat_session
from panels.tables import Panel, PanelSession, Recommendation, SessionTable, TableRecord

TABLES = 4
RECORDED_AT = datetime(2021, 10, 23, 12, 0, tzinfo=timezone.utc)
"""Day three, when the tables made their points."""
RECORDED_BY = "demo-loader"
AGENDAS = (
    "10:00 Welcome, ground rules and how the day works\n"
    "10:30 What data does the council hold? A walk through one resident's year\n"
    "11:30 Tables: where would you want to be asked, and where told?\n"
    "13:00 Lunch\n"
    "13:45 Case studies: spotting households at risk of debt; one view of a resident\n"
    "15:00 Tables: first thoughts on the principles\n"
    "15:45 What happens next",
    "10:00 Welcome back and what we heard on day one\n"
    "10:20 Evidence: the council's data protection officer on consent and public task\n"
    "11:00 Evidence: a data ethics researcher on matching records and bias\n"
    "12:00 Tables: question the experts\n"
    "13:00 Lunch\n"
    "13:45 Rating the two case studies against the draft principles (paper forms)\n"
    "15:00 Tables: what would make you trust a data project?\n"
    "15:45 Close",
    "10:00 Welcome and the principles so far\n"
    "10:30 Tables: draft recommendations in our own words\n"
    "12:00 Tables swap drafts and suggest changes\n"
    "13:00 Lunch\n"
    "13:45 Merging drafts that say the same thing\n"
    "14:45 Voting on the recommendations (paper ballots, or online this week)\n"
    "15:30 Thanks, vouchers and what the council will do next",
)
DAY_THREE = {
    1: (("note", "Long discussion of whether 'public good' needs a definition. The table settled on asking for examples "
                 "in every case study rather than a definition."),
        ("point", "Adopt the charter as council policy", "Make the charter binding on every service, not a leaflet."),
        ("point", "Publish complaints and data breaches, and bring them down",
         "Tell us every year how many data breaches and complaints there were, and what was done about them.")),
    2: (("point", "Be open about every data project and every data share",
         "Keep one public list of every data project and every agreement to share data, with who, why and until when."),
        ("note", "Several people said they had never seen a privacy notice they understood."),
        ("point", "Explain data use in plain words, and bring the panel back every year",
         "Explain things in plain words with real examples, and bring a panel back each year to check.")),
    3: (("point", "Someone senior answers for how our data is used",
         "A named senior person should answer for data, and report to councillors in public."),
        ("point", "Ask partners to sign up to the charter",
         "Organisations the council shares data with should agree to the same principles.")),
    4: (("point", "Let residents opt out of all data sharing",
         "Residents should be able to opt out of any sharing that is not required by law."),
        ("note", "The table disagreed about opting out: two members thought it would stop help reaching people who need it."),),
}


async def load_demo_sessions() -> list[str]:
    panel = await Panel.select(Panel.id).where(Panel.slug == PANEL_2021_SLUG).first().run()
    if panel is None:
        return [f"sessions: no {PANEL_2021_NAME}"]
    sessions = await PanelSession.select(PanelSession.id).where(PanelSession.panel == panel["id"]).order_by(
        PanelSession.held_on).run()
    if not sessions or await SessionTable.exists().where(SessionTable.session == sessions[0]["id"]).run():
        return [f"sessions: {PANEL_2021_NAME} already has its agendas and tables"]
    recommendations = {row["title"]: row["id"] for row in await Recommendation.select(
        Recommendation.id, Recommendation.title).where(Recommendation.panel == panel["id"]).run()}
    records = 0
    for session, agenda in zip(sessions, AGENDAS):
        await save_agenda(session_id=session["id"], agenda=agenda)
        await seat_session(panel_id=panel["id"], session_id=session["id"], tables=TABLES)
    for table in await list_tables(sessions[-1]["id"]):
        rows = []
        for entry in DAY_THREE.get(table.number, ()):
            if entry[0] == "note":
                rows.append(TableRecord(table=table.id, kind="note", text=entry[1], recorded_by=RECORDED_BY,
                                        recorded_at=RECORDED_AT))
            else:
                rows.append(TableRecord(table=table.id, kind="point", text=entry[2], recorded_by=RECORDED_BY,
                                        recorded_at=RECORDED_AT, recommendation=recommendations.get(entry[1])))
        if rows:
            await TableRecord.insert(*rows).run()
            records += len(rows)
    return [f"sessions: {PANEL_2021_NAME} given agendas, {TABLES} tables a session and {records} notes and points"]
