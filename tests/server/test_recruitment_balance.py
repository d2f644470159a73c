"""The officer's panel page says who has registered against the borough's census, before selection."""

from __future__ import annotations

import re

from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.support.http import post_form


def test_the_panel_page_names_the_groups_recruitment_is_missing(client, officer_client):
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    slug = slug_of(panel_id)
    for number in range(8):  # eight women aged 30-44 register; no men, nobody younger
        assert post_form(client, f"/panels/{slug}/register", registration(number, "Female", 35),
                         follow_redirects=False).status_code == 303
    page = officer_client.get(f"/officer/panels/{panel_id}").text
    assert "Who has registered, against the borough" in page
    table = page[page.index("Registrations by group and the borough"):]
    table = table[:table.index("</table>")]
    assert re.search(r"Sex: Female</th>\s*<td[^>]*>\s*8\s*</td>\s*<td[^>]*>\s*0\s*</td>\s*<td[^>]*>\s*100%", table)
    assert re.search(r"Sex: Male</th>\s*<td[^>]*>\s*0\s*</td>", table) and "missing" in table
    warning = page[page.index("govuk-warning-text"):]
    assert "have registered at less than 80% of their share of the borough" in warning[:2000]
    assert "Sex: Male" in warning[:2000] and "Sex: Female" not in warning[:2000]
