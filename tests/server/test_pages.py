"""The public pages, error pages, security headers and health check."""

from __future__ import annotations

from tests.support.database import run


def load_charter():
    from analysis.charter.demo import load_demo_charter

    run(load_demo_charter())


def test_home_lists_the_charter_and_has_the_base_layout(client):
    load_charter()
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert 'href="#main-content"' in html and "Skip to main content" in html
    assert "London Borough of Camden" in html
    assert 'href="/privacy"' in html and 'href="/accessibility"' in html
    assert 'href="/charter/camden-data-charter"' in html
    assert "Staff sign in" in html


def test_charter_page_shows_the_seven_principles_in_order(client):
    load_charter()
    html = client.get("/charter/camden-data-charter").text
    titles = [
        "Build trust through transparency",
        "Provide accountability and oversight",
        "Make sure data is secure, safe and ethical",
        "Make sure data is used for public good and be mindful of residents&#39; data",
        "Be beneficial for all by using an outcomes-based approach",
        "Be clear about how we use residents&#39; data",
        "Protect individuals&#39; rights and privacy",
    ]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)


def test_unknown_charter_and_unknown_page_get_the_friendly_404(client):
    for url in ("/charter/no-such-charter", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.text
        assert "Skip to main content" in response.text


def test_privacy_notice_states_retention_and_threshold_from_settings(client):
    html = client.get("/privacy").text
    assert "deleted 12 months after you posted" in html and "by default 12 months" in html
    assert "fewer than\n    10 people" in html or "fewer than 10 people" in html.replace("\n    ", " ")


def test_accessibility_statement_names_the_standard(client):
    html = client.get("/accessibility").text
    assert "WCAG" in html and "2.2" in html and "Enforcement procedure" in html


def test_security_headers_on_every_response(client):
    for url in ("/", "/login", "/no/such/page", "/static/css/civicpanel.css"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_no_inline_script_or_style_in_pages(client):
    load_charter()
    for url in ("/", "/login", "/privacy", "/accessibility", "/charter/camden-data-charter"):
        html = client.get(url).text
        assert "<script>" not in html and "<script >" not in html
        assert " style=" not in html and "<style" not in html
        assert " onclick=" not in html


def test_htmx_is_served_locally_and_pinned_to_2_0(client):
    import re

    html = client.get("/").text
    assert re.search(r'<script src="/static/js/htmx\.[0-9a-f]{12}\.min\.js" defer></script>', html)
    script = client.get("/static/js/htmx.min.js")
    assert script.status_code == 200
    assert 'version:"2.0.' in script.text


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unexpected_error_gives_friendly_500_without_details(client, monkeypatch):
    import analysis.charter.queries as charter_queries
    import server.controllers.site.public as public_controller

    async def broken():
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(public_controller, "list_charters", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret internal detail" not in response.text
    assert charter_queries  # the real module is untouched


def test_responses_are_compressed_when_asked(client):
    load_charter()
    response = client.get("/privacy", headers={"accept-encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"


def test_static_files_have_content_hashed_names_and_long_cache(client):
    import re

    html = client.get("/").text
    css_url = re.search(r'href="(/static/css/civicpanel\.[0-9a-f]{12}\.css)"', html).group(1)
    js_url = re.search(r'src="(/static/js/htmx\.min\.[0-9a-f]{12}\.js)"', html)
    assert js_url is None  # the digest goes before the first dot: htmx.<digest>.min.js
    js_url = re.search(r'src="(/static/js/htmx\.[0-9a-f]{12}\.min\.js)"', html).group(1)
    for url, content_type in ((css_url, "text/css"), (js_url, "text/javascript")):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(content_type)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = re.sub(r"\.[0-9a-f]{12}\.", ".000000000000.", css_url)
    assert client.get(stale).status_code == 404
    plain = client.get("/static/css/civicpanel.css")
    assert plain.status_code == 200 and "max-age=300" in plain.headers["cache-control"]
    assert client.get("/static/../server/settings.py").status_code == 404
    assert client.get("/static/%2e%2e/settings.py").status_code == 404
