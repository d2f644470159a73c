"""GOV.UK Frontend on a phone: no page wider than 375 px, its JavaScript running under our CSP,
and the components inside an htmx fragment started too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
PAGES = ["/", "/consultations", "/consultations/resident-panel-priorities", "/case-studies/residents-index",
         "/consultations/resident-panel-priorities/questionnaire/1", "/consultations/resident-panel-priorities/paper",
         "/house-rules", "/login"]


@pytest.fixture
def phone(browser):
    # No bypass_csp here: the GOV.UK Frontend JavaScript must run under the real policy.
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    # Script errors, and any file that fails to load (but the favicon, which the site has none of,
    # and a form sent back with its errors, 422).
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.status != 422 and not response.url.endswith("/favicon.ico") else None)
    page.errors = errors
    yield page
    context.close()


def test_no_page_is_wider_than_a_phone_and_govuk_frontend_runs(phone, live_server):
    for path in PAGES:
        phone.goto(live_server + path)
        phone.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"
    assert phone.errors == [], phone.errors


def test_the_menu_folds_on_a_phone(phone, live_server):
    phone.goto(live_server + "/")
    menu = phone.get_by_role("button", name="Menu")
    menu.wait_for()
    consultations = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Consultations")
    assert not consultations.is_visible()
    menu.click()
    assert consultations.is_visible()


def test_the_error_summary_takes_focus(phone, live_server, assert_accessible):
    phone.goto(live_server + "/login")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert "There is a problem" in phone.evaluate("() => document.activeElement.innerText")


def test_a_case_study_page_is_accessible(page, live_server, assert_accessible):
    page.goto(live_server + "/case-studies/residents-index")
    assert_accessible(page)
    page.goto(live_server + "/consultations")
    assert_accessible(page)
    page.goto(live_server + "/consultations/resident-panel-priorities")
    assert_accessible(page)


def test_components_in_an_htmx_fragment_are_started(phone, live_server):
    """The comment form comes back from htmx with its errors: GOV.UK Frontend starts the error
    summary inside the new fragment, which moves focus to it; the thank-you banner likewise."""
    phone.goto(live_server + "/case-studies/residents-index")
    area = phone.locator("#comment-form-area")
    area.get_by_role("button", name="Send comment").click()
    summary = area.locator(".govuk-error-summary")
    summary.wait_for()
    phone.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert summary.get_attribute("data-govuk-error-summary-init") is not None
    area.get_by_label("Your comment", exact=True).fill("Who checks the matches?")
    area.get_by_role("button", name="Send comment").click()
    banner = phone.locator("#comment-form-area .govuk-notification-banner")
    banner.wait_for()
    phone.wait_for_function("() => document.activeElement.classList.contains('govuk-notification-banner')")
    assert "Thank you for your comment" in banner.inner_text()
    assert phone.errors == [], phone.errors
