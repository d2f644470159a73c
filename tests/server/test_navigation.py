from __future__ import annotations

from server.web.navigation import PUBLIC_LINKS, current_link, staff_links


def test_only_the_closest_link_is_current():
    officer = staff_links("officer")
    assert current_link(officer, "/officer").label == "Officer home"
    assert current_link(officer, "/officer/panels/3/pool").label == "Resident panels"
    assert current_link(officer, "/officer/consultations/new").label == "Consultations"
    assert current_link(officer, "/officerx") is None
    assert current_link(PUBLIC_LINKS, "/").label == "Home"
    assert current_link(PUBLIC_LINKS, "/officer/panels") is None
    assert current_link(PUBLIC_LINKS, "/panels/2022-panel").label == "Resident Panel"
    assert current_link(PUBLIC_LINKS, "/panels").label == "Resident Panel"
    assert current_link(PUBLIC_LINKS, "/case-studies/debt-risk").label == "Consultations"
    assert current_link(PUBLIC_LINKS, "/charter/camden-data-charter/commitments").label == "Commitments"


def test_each_role_sees_only_its_links(client, officer_client, cabinet_client, admin_client):
    anonymous = client.get("/").text
    assert 'aria-label="Staff"' not in anonymous
    cabinet = cabinet_client.get("/cabinet").text
    assert 'href="/cabinet" aria-current="page"' in cabinet
    assert 'href="/officer"' not in cabinet and 'href="/admin/audit"' not in cabinet
    admin = admin_client.get("/admin").text
    assert 'href="/admin/audit"' in admin and 'href="/officer/panels"' not in admin
    officer = officer_client.get("/officer").text
    assert 'href="/officer/moderation"' in officer and 'href="/admin"' not in officer
