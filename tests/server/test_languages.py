"""The interface in several languages: the shipped catalogues, the language of a request, the
switcher, kept pages per language, and the review state officers see."""

from __future__ import annotations

import dataclasses

import pytest
from babel.messages.catalog import Catalog
from litestar.testing import TestClient

from common.catalogues import check_catalogue, placeholders
from common.i18n import translations_for
from server.services.catalogues import check_shipped, shipped_locales
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import post_form

SHIPPED = ("ar", "bn", "cy", "es", "pt", "so", "sq", "tr")


# --- the catalogues (pure: no app, no database) -------------------------------------------------

@pytest.mark.parametrize("locale", SHIPPED)
def test_a_shipped_catalogue_translates_every_resident_message_with_its_placeholders(locale):
    assert locale in shipped_locales()
    check = check_shipped(locale)
    assert check.required_total > 500
    assert not check.missing, f"{locale}: {len(check.missing)} resident messages untranslated, e.g. {check.missing[:5]}"
    assert not check.broken, f"{locale}: " + "\n".join(check.broken[:5])


def test_only_reviewed_languages_are_shipped():
    """No partial, machine-looking catalogues: a language is added with every resident message."""
    assert tuple(shipped_locales()) == SHIPPED


def test_the_check_finds_a_missing_message_a_broken_placeholder_and_a_lone_percent():
    template = Catalog()
    for message in ("Home", "Hello %(name)s", "Up to 400%% bigger", "Sent {day}"):
        template.add(message)
    template.add(("%(num)d comment", "%(num)d comments"))
    required = Catalog()
    for message in ("Home", "Hello %(name)s", "Up to 400%% bigger"):
        required.add(message)
    catalogue = Catalog(locale="cy")
    catalogue.add("Hello %(name)s", "Helo %(enw)s")
    catalogue.add("Up to 400%% bigger", "Hyd at 400% yn fwy")
    catalogue.add("Sent {day}", "Anfonwyd {diwrnod}")
    catalogue.add(("%(num)d comment", "%(num)d comments"), ("dim sylwadau",) + ("%(num)d sylw",) * 5)
    check = check_catalogue(catalogue, template, required)
    assert check.missing == ("Home",)
    assert len(check.broken) == 3 and not check.complete
    assert check.required_translated == 2 and check.translated == 4
    assert placeholders("%(num)d of %(total)s, 5%%") == {"%(num)": 1, "%(total)": 1, "%%": 1}
    fixed = Catalog(locale="cy")
    fixed.add("Home", "Hafan")
    fixed.add("Hello %(name)s", "Helo %(name)s")
    fixed.add("Up to 400%% bigger", "Hyd at 400%% yn fwy")
    fixed.add(("%(num)d comment", "%(num)d comments"), ("dim sylwadau",) + ("%(num)d sylw",) * 5)  # the count may go
    assert check_catalogue(fixed, template, required).complete


# --- the language of a request ---------------------------------------------------------------------

def _lang_dir(page: str) -> str:
    return page.split("<html", 1)[1].split(">", 1)[0]


def test_the_cookie_then_the_browser_choose_the_language_and_arabic_reads_right_to_left(client):
    assert 'lang="en-GB" dir="ltr"' in _lang_dir(client.get("/").text)
    welsh = client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).text
    assert 'lang="cy" dir="ltr"' in _lang_dir(welsh) and "Neidio i'r prif gynnwys" in welsh
    client.cookies.set("lang", "ar")
    arabic = client.get("/", headers={"Accept-Language": "cy"}).text  # the choice made on the site wins
    assert 'lang="ar" dir="rtl"' in _lang_dir(arabic) and "انتقل إلى المحتوى الرئيسي" in arabic
    client.cookies.set("lang", "xx")  # not a language we have: the browser's choice again
    assert 'lang="cy"' in _lang_dir(client.get("/", headers={"Accept-Language": "cy"}).text)


def test_an_address_no_route_matches_answers_in_the_chosen_language(client):
    """The router's own 404 (no route, so no route middleware) is in the request's language too."""
    client.cookies.set("lang", "cy")
    response = client.get("/no-such-page-here")
    assert response.status_code == 404
    assert 'lang="cy"' in _lang_dir(response.text) and "Heb ddod o hyd i" in response.text
    arabic = client.get("/no-such-page-here", headers={"Cookie": "lang=ar"})
    assert 'lang="ar" dir="rtl"' in _lang_dir(arabic.text)


def test_the_switcher_names_each_language_in_itself_and_sets_the_cookie(client):
    client.follow_redirects = False
    page = client.get("/consultations").text
    assert 'hreflang="cy"' in page and ">Cymraeg</a>" in page and ">العربية</a>" in page
    assert 'aria-current="true" lang="en-GB">English<' in page
    chosen = client.get("/language/cy", params={"next": "/consultations?x=1"})
    assert chosen.status_code == 302 and chosen.headers["location"] == "/consultations?x=1"
    assert "lang=cy" in chosen.headers["set-cookie"] and "HttpOnly" in chosen.headers["set-cookie"]
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", ""):
        assert client.get("/language/ar", params={"next": elsewhere}).headers["location"] == "/"
    assert client.get("/language/klingon").status_code == 404


def test_plural_forms_and_dates_follow_the_language(client):
    from common.i18n import active_locale, format_day, ngettext
    from datetime import date

    token = active_locale.set("cy")
    try:
        assert format_day(date(2027, 2, 3)) == "3 Chwefror 2027"
        assert ngettext("%(num)d session, %(dates)s", "%(num)d sessions, %(dates)s", 2, dates="x") == "2 sesiwn, x"
    finally:
        active_locale.reset(token)
    token = active_locale.set("ar")
    try:
        assert ngettext("%(num)d session, %(dates)s", "%(num)d sessions, %(dates)s", 2, dates="x") == "جلستان، x"
        assert ngettext("%(num)d session, %(dates)s", "%(num)d sessions, %(dates)s", 5, dates="x") == "5 جلسات، x"
    finally:
        active_locale.reset(token)


@pytest.fixture
def cached_settings(settings):
    return dataclasses.replace(settings, page_cache_seconds=60)


def test_a_kept_page_is_kept_per_language(db, cached_settings):
    from server.app import create_app

    run(make_case_study("bins"))
    app = create_app(cached_settings)
    with TestClient(app=app) as english:
        first = english.get("/case-studies/bins")
        assert first.status_code == 200 and "Skip to main content" in first.text
        assert "Accept-Language" in first.headers["vary"] and "Cookie" in first.headers["vary"]
        assert len(app.state.page_store) == 1
        welsh = TestClient(app=app)
        welsh.cookies.set("lang", "cy")
        page = welsh.get("/case-studies/bins").text
        assert "Neidio i'r prif gynnwys" in page and "Skip to main content" not in page
        by_browser = TestClient(app=app).get("/case-studies/bins", headers={"Accept-Language": "cy"}).text
        assert "Neidio i'r prif gynnwys" in by_browser
        assert len(app.state.page_store) == 2
        assert "Skip to main content" in english.get("/case-studies/bins").text


# --- the review state --------------------------------------------------------------------------------

def test_officers_see_each_catalogue_needs_review_until_one_marks_it_reviewed(officer_client, client):
    from server.tables import AuditEntry

    page = officer_client.get("/officer/languages").text
    assert page.count("Needs review by a fluent speaker") == len(SHIPPED) and "Cymraeg" in page
    # the button says which language to a screen reader, in markup, not as text
    assert 'Mark as reviewed<span class="govuk-visually-hidden"> – Cymraeg</span>' in page and "&lt;span" not in page
    assert client.get("/officer/languages", follow_redirects=False).status_code in (302, 303, 401)
    response = post_form(officer_client, "/officer/languages/cy", {"reviewed": "1"}, follow_redirects=False)
    assert response.status_code == 303
    page = officer_client.get(response.headers["location"]).text
    assert page.count("Needs review by a fluent speaker") == len(SHIPPED) - 1 and "Marked reviewed on" in page
    assert 'Needs review again<span class="govuk-visually-hidden"> – Cymraeg</span>' in page and "&lt;span" not in page
    assert post_form(officer_client, "/officer/languages/de", {"reviewed": "1"}).status_code == 404
    actions = run(AuditEntry.select(AuditEntry.action, AuditEntry.object_id).where(
        AuditEntry.object_type == "catalogue").run())
    assert actions == [{"action": "catalogue_reviewed", "object_id": "cy"}]


# --- emails in the resident's language -------------------------------------------------------------

def test_a_later_email_is_written_in_the_language_the_resident_used(client, officer_client):
    from server.tables import OutboxEmail
    from surveys.tables import Comment

    run(make_case_study("parking"))
    client.cookies.set("lang", "cy")
    sent = post_form(client, "/case-studies/parking/comments", {"body": "Da iawn", "display_name": "", "email": "ann@example.org",
                                                                "parent_id": ""})
    assert sent.status_code == 200 and "Diolch am eich sylw" in sent.text
    comment_id = run(Comment.select(Comment.id, Comment.locale).first().run())
    assert comment_id["locale"] == "cy"
    # the officer works in English; the author is told in Welsh
    assert post_form(officer_client, f"/officer/moderation/{comment_id['id']}", {"action": "rejected", "reason": "off_topic"},
                     follow_redirects=False).status_code == 303
    emails = run(OutboxEmail.select(OutboxEmail.subject, OutboxEmail.body).order_by(OutboxEmail.id).run())
    assert emails[0]["subject"] == "Eich sylw ar ‘Case study parking’"
    assert emails[1]["subject"] == "Mae eich sylw wedi'i wirio"
    assert "ni chaiff ei gyhoeddi" in emails[1]["body"] and "Nid yw'n ymwneud â'r astudiaeth achos hon" in emails[1]["body"]
    assert "Moderation" in officer_client.get("/officer/moderation").text  # the officer's own page stays English


@pytest.mark.parametrize("locale", SHIPPED)
def test_each_shipped_language_renders_the_home_page_in_itself(client, locale):
    from common.i18n import text_direction

    client.cookies.set("lang", locale)
    page = client.get("/")
    assert page.status_code == 200
    assert f'lang="{locale}" dir="{text_direction(locale)}"' in _lang_dir(page.text)
    assert "Skip to main content" not in page.text  # the page is written in the language, not English


def test_each_shipped_language_draws_the_resident_pages_without_a_broken_message(client, officer_client):
    """Home, a consultation, its questionnaire (with an error), a case study and panel registration
    in every shipped language: served, in that language, and no placeholder left unfilled."""
    import re

    from tests.factories.panels import create_panel, set_quotas, slug_of
    from tests.factories.surveys import make_consultation

    run(make_consultation("bins"))
    run(make_case_study("parking"))
    panel_id = create_panel(officer_client)
    set_quotas(officer_client, panel_id)
    panel = slug_of(panel_id)
    paths = ("/", "/consultations", "/consultations/bins", "/consultations/bins/questionnaire/1", "/case-studies/parking",
             f"/panels/{panel}", "/privacy", "/accessibility", "/your-data/")
    unfilled = re.compile(r"%\(\w+\)|%%|\{\{|\{%|\{\w+\}")
    for locale in SHIPPED:
        client.cookies.set("lang", locale)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (locale, path)
            assert f'lang="{locale}"' in _lang_dir(page.text) and "Skip to main content" not in page.text, (locale, path)
            body = page.text.split("<main", 1)[1]
            assert not unfilled.search(re.sub(r"<script.*?</script>|data-i18n[^>]*", "", body, flags=re.S)), (locale, path)
        invalid = post_form(client, f"/panels/{panel}/register", {"full_name": "", "email": "x"})
        assert invalid.status_code == 422 and "govuk-error-summary" in invalid.text, locale
        # the hidden "Error:" a screen reader reads before each field's error is in the language too
        hidden_error = translations_for(locale).gettext("Error")
        assert f'<span class="govuk-visually-hidden">{hidden_error}:</span>' in invalid.text, locale
        assert hidden_error == "Error" or '<span class="govuk-visually-hidden">Error:</span>' not in invalid.text, locale
