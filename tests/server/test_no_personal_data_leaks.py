"""Anonymous visitors and cabinet members never receive personal data, on any page or download.

Distinctive personal data is seeded through the app (a volunteer in a panel whose selection was
run and drawn, a pending and a published comment, questionnaire responses that left a contact
email, a staff member who did the officer work), then every GET route of the app is walked with
the real ids and slugs of those objects substituted for its path parameters (and the sample values
too), and no response (body, PDF text, or headers) may contain any of the personal strings.

Published comments' display names and text are public by design, so they are not forbidden; the
pending comment's are. Private-link tokens are not substituted: a private link is its holder's own
data, and the walk is about what everyone else can reach.
"""

from __future__ import annotations

import itertools
import json
import re
import zlib
from datetime import datetime, timezone

import pytest
from litestar.routes import HTTPRoute

from analysis.charter.demo import DEMO_CHARTER_SLUG, load_demo_charter
from analysis.commitments.demo import load_demo_commitments
from panels.tables import SelectionRun, Volunteer
from server.accounts.staff import create_staff_user
from server.tables import AuditEntry
from surveys.tables import Comment, SurveyResponse
from tests.factories.panels import create_panel, fill_pool, set_quotas, slug_of
from tests.factories.reports import questionnaire as report_questionnaire
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import TEST_PASSWORD, post_form, send, sign_in
from tests.support.routes import PATH_PARAM, SAMPLE_VALUES

VOLUNTEER = {"full_name": "Xanthippe Quillfeather", "email": "xanthippe.quill@leak-check.example",
             "phone": "07700 900517", "address": "17 Zebulon Mews", "postcode": "NW1 9ZJ", "age": "33",
             "sex": "Female", "consent": "yes"}
PENDING = {"display_name": "Pendleton Hushwhisper", "email": "pending.hush@leak-check.example",
           "body": "Awaiting moderation: vexillology seventy-seven thirty-one"}
PUBLISHED = {"display_name": "Publius Openshaw", "email": "publius.open@leak-check.example",
             "body": "Published for all: the register should be online"}
CONTACT_EMAIL = "respondent.contact@leak-check.example"
REPORT_CONTACT_EMAIL = "report.respondent@leak-check.example"
STAFF = {"email": "quentin.zwicky@council-staff.example", "display_name": "Quentin Zwicky-Staffmember"}

OPEN_CONSULTATION, CLOSED_CONSULTATION = "leak-open", "leak-closed"
OPEN_STUDY, MODERATED_STUDY = "leak-study-open", "leak-study-moderated"


def forbidden(seeded: dict) -> dict[str, str]:
    """What neither an anonymous visitor nor a cabinet member may ever receive."""
    strings = {
        "volunteer name": VOLUNTEER["full_name"], "volunteer email": VOLUNTEER["email"],
        "volunteer phone": VOLUNTEER["phone"], "volunteer address": VOLUNTEER["address"],
        "volunteer postcode": VOLUNTEER["postcode"], "volunteer reference": seeded["reference"],
        "pending comment name": PENDING["display_name"], "pending comment email": PENDING["email"],
        "pending comment text": PENDING["body"], "published comment email": PUBLISHED["email"],
        "response contact email": CONTACT_EMAIL, "report response contact email": REPORT_CONTACT_EMAIL,
        "staff email": STAFF["email"], "staff name": STAFF["display_name"],
    }
    return strings


# --- seeding, through the app where the app does it ---------------------------------------------

def _register_volunteer(client, slug: str) -> None:
    response = post_form(client, f"/panels/{slug}/register", VOLUNTEER, follow_redirects=False)
    assert response.status_code == 303, response.text


def _select_and_draw(officer, panel_id: int) -> int:
    started = post_form(officer, f"/officer/panels/{panel_id}/runs", {"kind": "selection"}, follow_redirects=False)
    assert started.status_code == 303
    run_url = started.headers["location"]
    drawn = post_form(officer, run_url + "/draw", {"seed": "leak check seed 2026"}, follow_redirects=False)
    assert drawn.status_code == 303, drawn.text[-2000:]
    return int(run_url.rsplit("/", 1)[1])


def _comment(client, slug: str, values: dict) -> None:
    response = post_form(client, f"/case-studies/{slug}/comments", values, follow_redirects=False)
    assert response.status_code == 200, response.text[-2000:]


def _answer_with_contact_email(client) -> None:
    base = f"/consultations/{OPEN_CONSULTATION}"
    client.get(f"{base}/questionnaire")
    send(client, f"{base}/questionnaire/1", [("used_services", "No"), ("open_data", "Agree")])
    send(client, f"{base}/questionnaire/2", [("visits", "3")])
    send(client, f"{base}/questionnaire/3", [("sex", "Female")])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', client.get(f"{base}/check").text).group(1)
    done = send(client, f"{base}/submit", [("idempotency_key", key), ("contact_email", CONTACT_EMAIL)])
    assert done.status_code == 303, done.text


async def _closed_consultation_responses() -> None:
    consultation_id = await make_consultation(CLOSED_CONSULTATION, status="closed", questionnaire=report_questionnaire())
    rows = [SurveyResponse(consultation=consultation_id, reference=f"R-LEAK-{number:04d}", channel="online",
                           answers_json=json.dumps({"open_data": ("Agree", "Disagree")[number % 2],
                                                    "contact": ("Phone", "Email")[number % 2],
                                                    "sex": ("Female", "Male")[number % 2]}),
                           contact_email=REPORT_CONTACT_EMAIL if number == 0 else "",
                           submitted_at=datetime(2026, 1, 5 + number % 20, tzinfo=timezone.utc))
            for number in range(30)]
    await SurveyResponse.insert(*rows).run()


@pytest.fixture
def seeded(app, client, staff_client) -> dict:
    run(create_staff_user(email=STAFF["email"], display_name=STAFF["display_name"], role="officer",
                          password=TEST_PASSWORD))
    from litestar.testing import TestClient
    officer = TestClient(app=app)
    assert sign_in(officer, STAFF["email"]).status_code == 303

    panel_id = create_panel(officer)
    set_quotas(officer, panel_id)
    panel_slug = slug_of(panel_id)
    fill_pool(client, panel_slug, count=23)
    _register_volunteer(client, panel_slug)
    run_id = _select_and_draw(officer, panel_id)
    volunteer = run(Volunteer.select().where(Volunteer.email == VOLUNTEER["email"]).first().run())

    run(make_case_study(OPEN_STUDY, premoderated=False))
    run(make_case_study(MODERATED_STUDY, premoderated=True))
    _comment(client, OPEN_STUDY, PUBLISHED)
    _comment(client, MODERATED_STUDY, PENDING)
    comments = run(Comment.select(Comment.id, Comment.state, Comment.email).run())
    assert {row["email"]: row["state"] for row in comments} == {PUBLISHED["email"]: "published", PENDING["email"]: "pending"}

    run(make_consultation(OPEN_CONSULTATION))
    _answer_with_contact_email(client)
    run(_closed_consultation_responses())
    published = send(officer, f"/officer/consultations/{CLOSED_CONSULTATION}/report/publish", [])
    assert published.status_code == 303 and published.headers["location"].endswith("/report/v/1")

    run(load_demo_charter())
    run(load_demo_commitments())
    update = post_form(officer, f"/officer/commitments/{DEMO_CHARTER_SLUG}/items/7a/updates",
                       {"status": "progress", "effective_on": "2022-05-04", "note": "Progress noted"}, follow_redirects=False)
    assert update.status_code == 303, update.text[-2000:]
    saved = post_form(officer, f"/officer/commitments/{DEMO_CHARTER_SLUG}/snapshots", {"as_of": "2022-07-01"},
                      follow_redirects=False)
    assert saved.status_code == 303
    snapshot_id = int(saved.headers["location"].rsplit("/", 1)[1])

    responses = run(SurveyResponse.select(SurveyResponse.id, SurveyResponse.contact_email).run())
    return {
        "officer": officer, "panel_id": panel_id, "panel_slug": panel_slug, "run_id": run_id,
        "volunteer_id": volunteer["id"], "reference": volunteer["reference"], "snapshot_id": snapshot_id,
        "comment_ids": [row["id"] for row in comments],
        "response_ids": [row["id"] for row in responses if row["contact_email"]],
    }


# --- the walk -----------------------------------------------------------------------------------

def candidates(seeded: dict) -> dict[str, list[str]]:
    """Real values for each path parameter name, then the route-access test's sample values."""
    slugs = [seeded["panel_slug"], OPEN_CONSULTATION, CLOSED_CONSULTATION, OPEN_STUDY, MODERATED_STUDY,
             DEMO_CHARTER_SLUG]
    return {
        "slug": slugs,
        "panel_id": [seeded["panel_id"]],
        "volunteer_id": [seeded["volunteer_id"]],
        "run_id": [seeded["run_id"]],
        "snapshot_id": [seeded["snapshot_id"]],
        "number": [1, 2],
        "key": ["7a", "1", "open_data", "suggestions"],
        "name": ["q-open_data.png", "q-contact.png"],
        "kind": ["volunteer", "comment", "response"],
        "record_id": [seeded["volunteer_id"], *seeded["comment_ids"], *seeded["response_ids"]],
        "comment_id": seeded["comment_ids"],
    }


def walk_urls(app, seeded: dict) -> list[str]:
    values = candidates(seeded)
    urls: list[str] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not any("GET" in handler.http_methods for handler in route.route_handlers):
            continue
        params = PATH_PARAM.findall(route.path)
        choices = [[str(value) for value in values.get(name, [])] + [SAMPLE_VALUES.get(kind or "str", "sample")]
                   for name, kind in params]
        for combination in itertools.product(*choices):
            replacements = iter(combination)
            urls.append(PATH_PARAM.sub(lambda _: next(replacements), route.path))
    return list(dict.fromkeys(urls))


def readable(response) -> str:
    """Everything a person could read from the response: headers, the body as text, and the text
    streams inside a PDF (deflated)."""
    content = response.content
    parts = [" ".join(f"{name}: {value}" for name, value in response.headers.items()), content.decode("utf-8", "replace")]
    if content.startswith(b"%PDF"):
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
            try:
                parts.append(zlib.decompress(stream).decode("latin-1"))
            except zlib.error:
                parts.append(stream.decode("latin-1"))
    return "\n".join(parts)


def leaks(text: str, strings: dict[str, str]) -> list[str]:
    unescaped = text.replace("&#39;", "'").replace("&amp;", "&").replace("&#x27;", "'")
    return [label for label, value in strings.items() if value in text or value in unescaped]


@pytest.mark.slow
@pytest.mark.parametrize("identity", ["anonymous", "cabinet"])
def test_no_route_gives_personal_data_to_anonymous_or_cabinet(app, client, staff_client, seeded, identity):
    requester = client if identity == "anonymous" else staff_client("cabinet")
    if identity == "anonymous":
        client.cookies.clear()  # the seeding resident's session is not an anonymous visitor's
    strings = forbidden(seeded)
    found, statuses = [], {}
    for url in walk_urls(app, seeded):
        response = requester.get(url, follow_redirects=False)
        statuses[url] = response.status_code
        found.extend(f"{identity} GET {url} ({response.status_code}): {label}"
                     for label in leaks(readable(response), strings))
    assert [f"{status} {url}" for url, status in statuses.items() if status >= 500] == []
    assert found == []
    reached = [f"/case-studies/{OPEN_STUDY}", f"/panels/{seeded['panel_slug']}", f"/panels/{seeded['panel_slug']}/how-we-chose",
               f"/consultations/{CLOSED_CONSULTATION}/report", f"/consultations/{CLOSED_CONSULTATION}/report/v/1/report.csv",
               f"/consultations/{CLOSED_CONSULTATION}/report/v/1/report.json", f"/consultations/{OPEN_CONSULTATION}/paper",
               f"/charter/{DEMO_CHARTER_SLUG}/commitments.csv"]
    if identity == "cabinet":
        reached += ["/cabinet/panels", "/cabinet/reports", f"/cabinet/commitments/{DEMO_CHARTER_SLUG}/report.csv",
                    f"/cabinet/commitments/{DEMO_CHARTER_SLUG}/saved/{seeded['snapshot_id']}/report.json"]
    assert {url: statuses[url] for url in reached} == {url: 200 for url in reached}, "the walk missed the seeded objects"


def test_the_walk_reaches_the_seeded_objects(app, client, seeded):
    """The walk is worth something only if the substituted ids reach real pages: the published
    comment (public by design) is on its case study, the published report and how the panel was
    chosen answer, and the forbidden strings are really what the seeded records hold."""
    urls = walk_urls(app, seeded)
    for url in (f"/case-studies/{OPEN_STUDY}", f"/panels/{seeded['panel_slug']}/how-we-chose",
                f"/consultations/{CLOSED_CONSULTATION}/report/v/1/report.csv",
                f"/cabinet/commitments/{DEMO_CHARTER_SLUG}/saved/{seeded['snapshot_id']}/report.pdf",
                f"/officer/panels/{seeded['panel_id']}/volunteers/{seeded['volunteer_id']}"):
        assert url in urls, url
    page = client.get(f"/case-studies/{OPEN_STUDY}").text
    assert PUBLISHED["display_name"] in page and PUBLISHED["body"] in page
    assert "leak check seed 2026" in client.get(f"/panels/{seeded['panel_slug']}/how-we-chose").text
    assert client.get(f"/consultations/{CLOSED_CONSULTATION}/report/v/1/report.json").json()["n_responses"] == 30
    officer = seeded["officer"]
    record = officer.get(f"/officer/panels/{seeded['panel_id']}/volunteers/{seeded['volunteer_id']}").text
    for field in ("full_name", "email", "address", "postcode"):
        assert VOLUNTEER[field] in record, field
    assert PENDING["body"] in officer.get("/officer/moderation").text
    statuses = run(SelectionRun.select(SelectionRun.status).where(SelectionRun.id == seeded["run_id"]).run())
    assert statuses == [{"status": "drawn"}]


def test_an_officer_viewing_a_volunteer_is_audited_and_cabinet_cannot(staff_client, seeded):
    url = f"/officer/panels/{seeded['panel_id']}/volunteers/{seeded['volunteer_id']}"

    def views() -> list[dict]:
        return run(AuditEntry.select().where(AuditEntry.action == "volunteer_viewed").order_by(AuditEntry.id).run())

    before = views()
    cabinet = staff_client("cabinet")
    refused = cabinet.get(url, follow_redirects=False)
    assert refused.status_code == 403 and VOLUNTEER["email"] not in refused.text
    assert views() == before
    officer = staff_client("officer")
    assert officer.get(url).status_code == 200
    after = views()
    assert len(after) == len(before) + 1
    entry = after[-1]
    assert entry["actor"] == "officer-1@test.example" and entry["object_type"] == "volunteer"
    assert entry["object_id"] == seeded["reference"] and entry["at"] is not None
    assert VOLUNTEER["email"] not in entry["detail"] and VOLUNTEER["full_name"] not in entry["detail"]
