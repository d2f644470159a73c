"""GOV.UK Frontend as built for the council: its files, the page frame and our components."""

from __future__ import annotations

import json
import re
from pathlib import Path

from litestar.plugins.jinja import JinjaTemplateEngine

from server.web.middleware import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]
GOVUK = ROOT / "server" / "static" / "govuk"
CIVICPANEL_CSS = ROOT / "server" / "static" / "css" / "civicpanel.css"


def test_the_build_is_the_pinned_version_with_the_councils_font_and_no_other_files():
    pinned = json.loads((ROOT / "frontend" / "package.json").read_text())["devDependencies"]["govuk-frontend"]
    locked = json.loads((ROOT / "frontend" / "package-lock.json").read_text())["packages"]["node_modules/govuk-frontend"]["version"]
    css = (GOVUK / "govuk-frontend.min.css").read_text()
    script = (GOVUK / "govuk-frontend.min.js").read_text()
    assert pinned == locked == "6.3.0"
    assert css.lstrip("\ufeff").startswith(f"/* GOV.UK Frontend {pinned} ")
    assert "\ufeff" not in css[1:], "a byte-order mark inside the file would break the selector after it"
    assert script.startswith(f'const version="{pinned}"')
    assert "GDS Transport" not in css and "@font-face" not in css
    assert '"Helvetica Neue"' in css
    assert "url(" not in css, "static files are served under hashed names: the CSS may not point at other files"
    assert "sourceMappingURL" not in script
    assert re.search(r"export\{[^}]*\binitAll\b", script), "govuk-init.js imports initAll from the ES module"
    assert sorted(path.name for path in GOVUK.iterdir()) == ["govuk-frontend.min.css", "govuk-frontend.min.js"]


def test_every_page_loads_the_build_from_files_under_the_csp(client):
    response = client.get("/")
    page = response.text
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY and "unsafe-inline" not in policy
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert all(" src=" in tag for tag in scripts), "inline scripts are forbidden by the CSP"
    assert "<style" not in page and " style=" not in page
    init = next(tag for tag in scripts if "govuk-init" in tag)
    assert 'type="module"' in init
    bundle = re.search(r'data-govuk-frontend="([^"]+)"', init).group(1)
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/govuk/[^"]+)"', page).group(1)
    for url in (bundle, stylesheet, re.search(r'src="([^"]+govuk-init[^"]+)"', init).group(1)):
        served = client.get(url)
        assert served.status_code == 200 and "immutable" in served.headers["cache-control"], url
    assert 'class="govuk-template__body"' in page and 'id="main-content"' in page


def test_the_council_not_gov_uk_owns_the_frame(client, settings):
    page = client.get("/").text
    assert settings.council_name in page
    assert "GOV.UK" not in page and "crown" not in page.lower() and "govuk-logo" not in page
    assert 'class="govuk-skip-link"' in page and 'class="govuk-footer"' in page
    assert 'href="/privacy"' in page and 'href="/accessibility"' in page


def test_signing_out_is_a_post_button_with_its_csrf_field(officer_client):
    page = officer_client.get("/officer").text
    form = re.search(r'<form method="post" action="/logout".*?</form>', page, re.DOTALL).group(0)
    assert 'name="_csrf_token"' in form and "Sign out" in form and 'class="govuk-button app-link-button"' in form


def _render(app, source: str, **context) -> str:
    engine: JinjaTemplateEngine = app.template_engine
    return engine.engine.from_string(source).render(**context)


def test_status_tags_have_their_own_colours(app):
    """The old stylesheet defined .tag again after the status colours, so Overdue looked like Met on time."""
    tags = _render(app, '{% from "components/status_tag.html" import status_tag %}'
                        '{{ status_tag("overdue", "Overdue") }}|{{ status_tag("met_on_time", "Met on time") }}'
                        '|{{ status_tag("due_soon", "Due soon") }}|{{ status_tag("on_track", "On track") }}')
    overdue, met, soon, on_track = tags.split("|")
    assert "govuk-tag--red" in overdue and "Overdue" in overdue
    assert "govuk-tag--green" in met and "govuk-tag--yellow" in soon and "govuk-tag--grey" in on_track
    assert not re.search(r"^\.tag\b", CIVICPANEL_CSS.read_text(), re.MULTILINE)


def test_a_chart_comes_with_its_numbers_and_never_overflows(app):
    html = _render(app, '{% from "components/chart_with_table.html" import chart_with_table %}'
                        '{{ chart_with_table("Answers", ["Answer", "People"], rows, bars=bars) }}',
                   rows=[["Yes", {"text": "30", "format": "numeric"}], ["No", {"text": "10", "format": "numeric"}]],
                   bars=[{"label": "Yes", "value": 30}, {"label": "No", "value": 10}])
    assert html.count('<rect width="') == 2 and '<rect width="100.0"' in html and '<rect width="33.3' in html
    assert "govuk-details" in html and "govuk-table" in html and "Show the numbers" in html
    assert " style=" not in html  # the CSP forbids style attributes: bars are SVG widths
    css = CIVICPANEL_CSS.read_text()
    assert ".app-chart__picture svg, .app-chart__picture img { display: block; max-width: 100%;" in css


def test_form_macros_write_govuk_markup_with_errors_and_kept_input(app):
    html = _render(app, '{% from "_forms.html" import error_summary, text_input, choices, date_input %}'
                        '{{ error_summary(errors) }}{{ text_input("email", "Email", values, errors, type="email") }}'
                        '{{ choices("colour", "Colour", ["Red", "Blue"], ["Blue"], errors) }}'
                        '{{ date_input("deadline", "Deadline", values, errors) }}',
                   values={"email": "a@b", "deadline-year": "2027"}, errors={"email": "Enter a real email address"})
    assert 'data-module="govuk-error-summary"' in html and 'href="#email"' in html and "There is a problem" in html
    assert 'id="email-error"' in html and 'value="a@b"' in html and "govuk-input--error" in html
    assert 'id="colour-2"' in html and re.search(r'value="Blue" checked', html)
    assert 'name="deadline-year"' in html and 'value="2027"' in html
