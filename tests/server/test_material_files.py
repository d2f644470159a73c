"""Session materials as uploaded files: PDFs and images only (told by their bytes), under 2 MB,
kept in the data directory and served only to the panel's members and to session staff."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timezone
from pathlib import Path

from common.tokens import hash_token
from panels.tables import Panel, PanelSession, Volunteer
from tests.support.database import run
from tests.support.http import csrf_token

JOINED = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _panels() -> int:
    ids = []
    for year, reference in ((2026, "MEMBR1"), (2025, "OTHER1")):
        panel = Panel(name=f"Resident Panel {year}", slug=f"panel-{year}", year=year, panel_size=4)
        await panel.save().run()
        await PanelSession(panel=panel.id, title="Day one", held_on=date(year, 5, 16), starts_at=time(10),
                           ends_at=time(16), place="Crowndale Centre").save().run()
        await Volunteer(panel=panel.id, reference=f"RP-{reference}", full_name="A Member", email=f"{reference}@example.com",
                        token_hash=hash_token(f"token-{reference}"), status="confirmed", consent_at=JOINED,
                        registered_at=JOINED, link_active_at=JOINED).save().run()
        ids.append(int(panel.id))
    return ids[0]


def _upload(client, panel_id: int, content: bytes, name: str, title: str = "Briefing pack"):
    return client.post(f"/officer/panels/{panel_id}/materials/upload", files={"file": (name, content, "application/pdf")},
                       data={"title": title, "session": "panel", "_csrf_token": csrf_token(client)}, follow_redirects=False)


def test_a_pdf_is_served_to_members_and_session_staff_only(client, officer_client, staff_client):
    panel_id = run(_panels())
    assert _upload(officer_client, panel_id, PDF, "briefing.pdf").status_code == 303
    listing = officer_client.get(f"/officer/panels/{panel_id}/materials").text
    staff_url = re.search(r'href="(/facilitator/materials/\d+)"', listing).group(1)
    material_id = staff_url.rsplit("/", 1)[1]
    stored = list((Path(os.environ["DATA_DIR"]) / "materials").iterdir())
    assert any(path.read_bytes() == PDF for path in stored)

    response = officer_client.get(staff_url)
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["content-security-policy"] == "sandbox"
    assert staff_client("facilitator").get(staff_url).status_code == 200
    assert staff_client("cabinet").get(staff_url, follow_redirects=False).status_code == 403
    assert client.get(staff_url, follow_redirects=False).status_code == 303  # to sign in

    member_page = client.get("/my-panel/token-MEMBR1").text
    assert f"/my-panel/token-MEMBR1/materials/{material_id}" in member_page and "briefing.pdf" in member_page
    assert client.get(f"/my-panel/token-MEMBR1/materials/{material_id}").content == PDF
    assert client.get(f"/my-panel/token-OTHER1/materials/{material_id}").status_code == 404  # another panel
    assert PDF not in client.get(f"/my-panel/token-NOBODY/materials/{material_id}").content


def test_other_files_and_large_ones_are_refused_with_the_title_kept(officer_client):
    panel_id = run(_panels())
    program = _upload(officer_client, panel_id, b"MZ\x90\x00 not a pdf", "agenda.pdf")
    assert program.status_code == 422 and "must be a PDF, or an image saved as PNG or JPEG" in program.text
    assert 'value="Briefing pack"' in program.text
    large = _upload(officer_client, panel_id, b"%PDF-" + b"0" * 2_000_100, "big.pdf")
    assert large.status_code in (413, 422)
    none = officer_client.post(f"/officer/panels/{panel_id}/materials/upload",
                               files={"file": ("", b"", "application/octet-stream")},
                               data={"title": "Map", "session": "panel", "_csrf_token": csrf_token(officer_client)})
    assert none.status_code == 422 and "Choose a PDF or an image to upload" in none.text
    png = _upload(officer_client, panel_id, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "map.png", title="Map of the borough")
    assert png.status_code == 303
