"""The demo's 2021 panel: its recommendations, their votes, Cabinet's response of 19 January 2022
with the commitments each became, and the panel's view of it; loading twice adds nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from analysis.charter.demo import load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from analysis.commitments.demo_panel_answer import load_demo_panel_answer
from analysis.commitments.responses import panel_outcomes
from panels.demo import PANEL_2021_SLUG
from panels.tables import BallotCast, Panel, PanelSession, Volunteer
from tests.support.database import run


async def _panel_2021() -> int:
    panel = Panel(name="Camden Data Charter Resident Panel 2021", slug=PANEL_2021_SLUG, year=2021, panel_size=20)
    await panel.save().run()
    await PanelSession(panel=panel.id, title="Day three", held_on=date(2021, 10, 23), starts_at=time(10),
                       ends_at=time(16)).save().run()
    await Volunteer.insert(*[Volunteer(panel=panel.id, reference=f"RP-DEMO{n:02d}", full_name="Member", email="m@example.com",
                                       status="confirmed", consent_at=datetime(2021, 9, 1, tzinfo=timezone.utc))
                             for n in range(20)]).run()
    await load_demo_charter()
    await load_demo_commitments()
    return int(panel.id)


def test_the_2021_panel_recommended_cabinet_answered_and_the_panel_gave_its_view(db):
    panel_id = run(_panel_2021())
    assert "7 recommendations voted on by 20 members" in run(load_demo_panel_answer())[0]
    assert "already has" in run(load_demo_panel_answer())[0]
    assert run(BallotCast.count().run()) == 20

    outcomes = run(panel_outcomes(panel_id, today=date(2022, 7, 1), threshold=10))
    assert [o.result.ballots for o in outcomes] == [20] * 7
    assert [o.result.adopted for o in outcomes] == [True] * 6 + [False]
    assert outcomes[5].result.support_percent == 80.0  # adopted at exactly the threshold
    assert all(o.response.decision == "Cabinet, 19 January 2022" for o in outcomes[:6]) and outcomes[6].response is None
    assert {c.key: c.status for c in outcomes[2].commitments} == {"4a": "met_late", "4b": "improving"}
    assert [c.key for o in outcomes for c in o.commitments] == ["1", "2", "3", "4a", "4b", "5", "6", "7a", "7b", "7c", "8"]
    assert outcomes[0].panel_view_total == 18
    assert [(f.rating, f.count) for f in outcomes[0].panel_view] == [("satisfied", 15), ("partly", None),
                                                                     ("not_satisfied", None)]
