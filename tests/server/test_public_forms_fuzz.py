"""Hypothesis against the public forms: whatever a resident (or a bot) sends, the answer is never a
5xx; a refused form stores nothing; an accepted one stores a complete record.

Forms: panel registration, a case-study comment (with replies and the honeypot), asking for a
private link by email, correcting contact details on "Your information", and a questionnaire page.

Each test sets up once (the database is per test, not per example), so every example asserts on
row counts before and after it, and clears what would trip a rate limit (comments per address,
link requests per address) before it runs.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from common.emails import is_valid_email, normalise_email
from common.postcodes import POSTCODE as UK_POSTCODE
from panels.registration import ADULT_AGE_BANDS, MAX_AGE, MIN_AGE
from panels.tables import Volunteer
from server.tables import AuditEntry, OutboxEmail, PersonalDataLink
from surveys.consultations import get_questionnaire
from surveys.questionnaire import validate_answers, answers_as_raw
from surveys.tables import Comment, SurveyResponse
from tests.factories.panels import create_panel, registration, set_quotas, slug_of
from tests.factories.surveys import make_case_study, make_consultation
from tests.support.database import run
from tests.support.http import csrf_token

pytestmark = pytest.mark.slow  # hundreds of generated requests: seconds each

FUZZ = settings(max_examples=50,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# --- what a form field may hold ---------------------------------------------------------------

SPECIAL_VALUES = [
    "", " ", "\t", "\r\n", "\x00", "\x00abc", "\x1b[31m", "\u202eevil", "\ufeff", "\u200b", "²", "٣٠", "௫", "𝟗𝟗",
    "9" * 30, "9" * 5000, "-1", "0", "1e309", "NaN", "inf", "=cmd|' /C calc'!A0", "+1", "@SUM(1)",
    "<script>alert(1)</script>", "'; DROP TABLE panel_volunteer; --", "%00", "%s%s%s", "{{ 7*7 }}",
    "a@b.c", "a@b", "@", "x" * 250 + "@example.com", "NW1 2RU", "nw12ru", "NW1", "ZZ99 9ZZ", "30", "17", "121",
    "01/04/1980", "31/02/1980", "0001-01-01", "9999-12-31", "1980-04-01", "yes", "Yes", "Female",
    "Prefer not to say", "Agree",
]

unicode_text = st.text(st.characters(codec="utf-8"), max_size=40)
"""Any Unicode that UTF-8 can carry: control characters, right-to-left marks, emoji, NUL."""
long_text = st.builds(lambda piece, times: piece * times, st.text(st.characters(codec="utf-8"), min_size=1, max_size=4),
                      st.integers(min_value=60, max_value=40_000))
weird_text = st.one_of(st.sampled_from(SPECIAL_VALUES), unicode_text, long_text)
raw_bytes = st.binary(min_size=1, max_size=12)
"""Percent-encoded bytes that need not be UTF-8 at all."""
field_value = st.one_of(weird_text, weird_text, raw_bytes)


def encode_form(pairs: list[tuple[str, str | bytes]]) -> bytes:
    """application/x-www-form-urlencoded, byte-exact (so invalid UTF-8 reaches the server)."""
    def part(value: str | bytes) -> str:
        return quote_from_bytes(value if isinstance(value, bytes) else value.encode("utf-8"), safe="")
    return "&".join(f"{part(key)}={part(value)}" for key, value in pairs).encode("ascii")


def post_pairs(client, url: str, pairs: list[tuple[str, str | bytes]], *, headers: dict | None = None):
    body = encode_form([*pairs, ("_csrf_token", csrf_token(client))])
    return client.post(url, content=body, follow_redirects=False,
                       headers={"content-type": "application/x-www-form-urlencoded", **(headers or {})})


@st.composite
def mutated_form(draw, valid: dict[str, str] | list[tuple[str, str]], *, optional_extra: tuple[str, ...] = (),
                 extra_names: tuple[str, ...] = ()) -> list[tuple[str, str | bytes]]:
    """A valid form with a few fields (none to three) dropped, replaced by odd values or sent more
    than once, plus extra fields the form never had. Mostly-valid forms reach the code that stores."""
    fields = list(valid.items()) if isinstance(valid, dict) else list(valid)
    changed = draw(st.sets(st.sampled_from(range(len(fields))), max_size=3))
    pairs: list[tuple[str, str | bytes]] = []
    for index, (key, value) in enumerate(fields):
        choice = draw(st.sampled_from(["drop", "weird", "weird", "list"])) if index in changed else "keep"
        if choice == "keep":
            pairs.append((key, value))
        elif choice == "weird":
            pairs.append((key, draw(field_value)))
        elif choice == "list":
            pairs.extend((key, item) for item in draw(st.lists(st.one_of(st.just(value), weird_text), min_size=2, max_size=3)))
    for key in optional_extra:
        if draw(st.booleans()):
            pairs.append((key, draw(weird_text)))
    extra_keys = st.one_of(st.sampled_from(["id", "status", "reference", "token_hash", "panel", "__proto__", "_csrf_token",
                                            "answers", "state", "published_at", "", *extra_names]), unicode_text)
    pairs.extend(draw(st.lists(st.tuples(extra_keys, field_value), max_size=2)))
    return draw(st.permutations(pairs))


def sent(pairs: list[tuple[str, str | bytes]], key: str) -> set[str]:
    """Every text the server may have read for ``key`` (stripped): raw bytes read as UTF-8 with
    replacement characters, or as Latin-1."""
    texts: set[str] = set()
    for name, value in pairs:
        if name == key:
            texts.update({value.decode("utf-8", "replace"), value.decode("latin-1")} if isinstance(value, bytes) else {value})
    return {text.strip() for text in texts}


def count(table, *where) -> int:
    query = table.count()
    if where:
        query = query.where(*where)
    return int(run(query.run()))


# --- panel registration -------------------------------------------------------------------------

@pytest.fixture
def open_panel(client, officer_client) -> str:
    panel_id = create_panel(officer_client, postcode_prefixes="")
    set_quotas(officer_client, panel_id)
    return slug_of(panel_id)


VALID_REGISTRATION = {**registration(1, "Female", 40), "phone": "020 7974 4444"}


@FUZZ
@given(pairs=mutated_form(VALID_REGISTRATION))
def test_registration_never_fails_and_stores_whole_records_only(client, open_panel, pairs):
    volunteers, emails = count(Volunteer), count(OutboxEmail)
    response = post_pairs(client, f"/panels/{open_panel}/register", pairs)
    assert response.status_code < 500, response.text[-2000:]
    event(f"status {response.status_code}")
    if response.status_code != 303:
        assert 400 <= response.status_code < 500
        assert (count(Volunteer), count(OutboxEmail)) == (volunteers, emails), "a refused registration stored something"
        return
    assert response.headers["location"] == f"/panels/{open_panel}/registered"
    assert count(Volunteer) == volunteers + 1 and count(OutboxEmail) == emails + 1
    stored = run(Volunteer.select().order_by(Volunteer.id, ascending=False).first().run())
    assert stored["full_name"] and stored["full_name"] in sent(pairs, "full_name"), stored["full_name"]
    assert is_valid_email(stored["email"]) and stored["email"] in {normalise_email(text) for text in sent(pairs, "email")}
    assert stored["address"] and stored["address"] in sent(pairs, "address")
    assert UK_POSTCODE.match(stored["postcode"])
    assert stored["age"] is not None and MIN_AGE <= stored["age"] <= MAX_AGE
    answers = json.loads(stored["answers"])
    assert answers["sex"] in ("Male", "Female", "Prefer not to say") and answers["age_band"] in ADULT_AGE_BANDS
    assert stored["token_hash"] and stored["consent_at"] is not None and stored["consent_version"]
    assert stored["status"] == "pool" and re.fullmatch(r"RP-[A-Z0-9]{6}", stored["reference"])
    mail = run(OutboxEmail.select().order_by(OutboxEmail.id, ascending=False).first().run())
    assert mail["to_address"] == stored["email"] and stored["reference"] in mail["body"]


def test_registration_with_a_field_sent_twice_keeps_one_value(client, open_panel):
    """A field sent twice was stored as the text "['Test Resident 1', 'Second Name']"."""
    pairs = [*VALID_REGISTRATION.items(), ("full_name", "Second Name")]
    response = post_pairs(client, f"/panels/{open_panel}/register", pairs)
    assert response.status_code == 303
    assert [row["full_name"] for row in run(Volunteer.select(Volunteer.full_name).run())] == ["Second Name"]


@pytest.mark.parametrize("age", ["²", "9" * 5000, "1000"])
def test_an_age_int_cannot_read_is_a_form_error(client, open_panel, age):
    """"²".isdigit() is true but int("²") fails, as does int() of 5,000 digits: both were a 500."""
    response = post_pairs(client, f"/panels/{open_panel}/register", [*{**VALID_REGISTRATION, "age": age}.items()])
    assert response.status_code == 422 and "Enter your age in years" in response.text
    assert count(Volunteer) == 0


def test_an_age_in_other_digits_is_read(client, open_panel):
    response = post_pairs(client, f"/panels/{open_panel}/register", [*{**VALID_REGISTRATION, "age": "٤٠"}.items()])
    assert response.status_code == 303
    assert run(Volunteer.select(Volunteer.age).first().run())["age"] == 40


@pytest.mark.parametrize("where", ["form", "header"])
def test_a_non_ascii_csrf_token_is_refused_not_a_server_error(client, open_panel, where):
    """Found by the registration property: Litestar's CSRF check raised TypeError (a 500) on such a token."""
    forged = "é" * 70
    csrf_token(client)
    if where == "form":
        response = client.post(f"/panels/{open_panel}/register", content=encode_form([("_csrf_token", forged)]),
                               headers={"content-type": "application/x-www-form-urlencoded"})
    else:
        response = client.post(f"/panels/{open_panel}/register", content=b"full_name=x",
                               headers={"content-type": "application/x-www-form-urlencoded",
                                        "x-csrftoken": forged.encode("utf-8")})
    assert response.status_code == 403
    assert count(Volunteer) == 0


@pytest.mark.parametrize("url, pairs", [
    ("/panels/{panel}/register", [*{**VALID_REGISTRATION, "full_name": "Ann\x00"}.items()]),
    ("/panels/{panel}/register", [*VALID_REGISTRATION.items(), ("note\x00", "x")]),
    ("/your-data", [("email", "ann\x00@example.com")]),
    ("/case-studies/{panel}/comments", [("body", "Hello\x00")]),
])
def test_a_nul_character_in_a_form_is_refused_not_stored(client, open_panel, url, pairs):
    """Found on PostgreSQL, which cannot store or compare text holding NUL: a 500 there, and on
    SQLite a name of one NUL character was stored."""
    response = post_pairs(client, url.format(panel=open_panel), pairs)
    assert response.status_code == 400 and "not allowed" in response.text
    assert count(Volunteer) == 0 and count(OutboxEmail) == 0 and count(PersonalDataLink) == 0


@pytest.mark.parametrize("url", ["/case-studies/a%00b", "/panels/a%00b", "/consultations/a%00b",
                                 "/charter/a%00b/commitments", "/consultations?x=%00"])
def test_a_nul_character_in_the_address_is_refused(client, url):
    assert client.get(url).status_code == 400


# --- case-study comments ------------------------------------------------------------------------

@pytest.fixture
def case_study(client) -> dict:
    open_id = run(make_case_study("open-study", premoderated=False))
    run(make_case_study("quiet-study", premoderated=True))
    study_id = run(make_case_study("other-study", premoderated=False))
    parent = Comment(case_study=open_id, display_name="Parent", email="", body="A published comment", author_token_hash="p" * 64,
                     state="published", published_at=datetime.now(timezone.utc), created_at=datetime.now(timezone.utc))
    run(parent.save().run())
    elsewhere = Comment(case_study=study_id, display_name="Elsewhere", email="", body="On another study", author_token_hash="e" * 64,
                        state="published", published_at=datetime.now(timezone.utc), created_at=datetime.now(timezone.utc))
    run(elsewhere.save().run())
    return {"parent": int(parent.id), "elsewhere": int(elsewhere.id)}


@st.composite
def comment_forms(draw, parent: int, elsewhere: int):
    valid = {"body": "Tell us who can see the data", "display_name": "Amina", "email": "amina@example.com",
             "parent_id": str(parent)}
    pairs = draw(mutated_form(valid, optional_extra=("website",)))
    if draw(st.booleans()):  # a reply to something that is not a published comment here
        odd = draw(st.sampled_from([str(elsewhere), "0", "-1", "99999", "²", "٣", "9" * 19, "9" * 30, "9" * 5000,
                                    f"{parent}.0", f" {parent} ", "1e3", "0x10"]))
        pairs = [(key, value) for key, value in pairs if key != "parent_id"] + [("parent_id", odd)]
    return pairs


@FUZZ
@given(data=st.data(), slug=st.sampled_from(["open-study", "quiet-study"]), htmx=st.booleans())
def test_comment_form_never_fails_and_stores_whole_comments_only(client, case_study, data, slug, htmx):
    run(Comment.delete().where(Comment.id.not_in([case_study["parent"], case_study["elsewhere"]])).run())  # rate limit
    pairs = data.draw(comment_forms(case_study["parent"], case_study["elsewhere"]))
    before, emails = count(Comment), count(OutboxEmail)
    response = post_pairs(client, f"/case-studies/{slug}/comments", pairs, headers={"hx-request": "true"} if htmx else None)
    assert response.status_code < 500, response.text[-2000:]
    honeypot = any(sent(pairs, "website") - {""})
    event(f"status {response.status_code}" + (" (honeypot)" if honeypot else ""))
    created = count(Comment) - before
    if response.status_code != 200 or honeypot:
        assert created == 0 and count(OutboxEmail) == emails, (response.status_code, pairs)
        return
    assert created == 1, pairs
    stored = run(Comment.select().order_by(Comment.id, ascending=False).first().run())
    assert stored["body"] and stored["body"] in sent(pairs, "body")
    assert stored["email"] == "" or is_valid_email(stored["email"])
    assert stored["author_token_hash"] and stored["ip_hash"]
    assert stored["state"] == ("pending" if slug == "quiet-study" else "published")
    assert stored["parent"] in (None, case_study["parent"])  # never a comment on another study
    assert count(OutboxEmail) == emails + (1 if stored["email"] else 0)


@pytest.mark.parametrize("parent_id", ["²", "9" * 19, "9" * 5000])
def test_a_reply_to_an_impossible_comment_id_is_a_form_error(client, case_study, parent_id):
    """Found by the comment property: digits that int() or the database cannot take were a 500."""
    response = post_pairs(client, "/case-studies/open-study/comments", [("body", "Hello"), ("parent_id", parent_id)])
    assert response.status_code in (200, 422)
    assert count(Comment, Comment.parent.is_not_null()) == 0


# --- asking for a private link ------------------------------------------------------------------

KNOWN_EMAIL = "known.resident@example.com"


@pytest.fixture
def known_resident(client, officer_client, open_panel) -> str:
    response = post_pairs(client, f"/panels/{open_panel}/register", list({**VALID_REGISTRATION, "email": KNOWN_EMAIL}.items()))
    assert response.status_code == 303
    return KNOWN_EMAIL


@FUZZ
@given(email=st.one_of(field_value, st.just(KNOWN_EMAIL), st.just(f"  {KNOWN_EMAIL.upper()} "),
                       st.lists(st.one_of(st.just(KNOWN_EMAIL), weird_text), min_size=2, max_size=3), st.none()),
       extra=st.lists(st.tuples(unicode_text, field_value), max_size=2))
def test_link_request_never_fails_and_never_says_who_is_known(client, known_resident, email, extra):
    run(AuditEntry.update({AuditEntry.at: datetime.now(timezone.utc) - timedelta(hours=2)}).where(
        AuditEntry.action == "data_link_requested").run())  # keep under the per-address limit
    pairs = ([] if email is None else [("email", item) for item in (email if isinstance(email, list) else [email])]) + extra
    last_email = run(OutboxEmail.select(OutboxEmail.id).order_by(OutboxEmail.id, ascending=False).first().run())["id"]
    emails, links, logged = count(OutboxEmail), count(PersonalDataLink), count(AuditEntry)
    response = post_pairs(client, "/your-data", pairs)
    assert response.status_code < 500, response.text[-2000:]
    event(f"status {response.status_code}")
    if response.status_code != 303:
        assert 400 <= response.status_code < 500
        assert (count(OutboxEmail), count(PersonalDataLink), count(AuditEntry)) == (emails, links, logged)
        return
    assert response.headers["location"] == "/your-data/link-sent"  # the same answer, known or not
    entry = run(AuditEntry.select().order_by(AuditEntry.id, ascending=False).first().run())
    assert entry["action"] == "data_link_requested" and "@" not in entry["detail"] + entry["object_id"]
    sent = run(OutboxEmail.select().where(OutboxEmail.id > last_email).run())
    assert len(sent) <= 1 and count(PersonalDataLink) - links == len(sent)
    for mail in sent:
        assert mail["to_address"].strip().lower() == KNOWN_EMAIL and "/your-data/" in mail["body"]


# --- correcting contact details -----------------------------------------------------------------

@pytest.fixture
def volunteer_link(client, open_panel) -> tuple[str, int]:
    response = post_pairs(client, f"/panels/{open_panel}/register", list(VALID_REGISTRATION.items()))
    assert response.status_code == 303
    body = run(OutboxEmail.select(OutboxEmail.body).order_by(OutboxEmail.id, ascending=False).first().run())["body"]
    token = re.search(r"/my-panel/(\S+)", body).group(1)
    volunteer_id = run(Volunteer.select(Volunteer.id).order_by(Volunteer.id, ascending=False).first().run())["id"]
    assert client.get(f"/your-data/{token}").status_code == 200
    return token, volunteer_id



@FUZZ
@given(pairs=mutated_form({"full_name": "Ann Other", "email": "ann.other@example.com", "phone": "07700 900982",
                           "address": "2 Other Street", "postcode": "nw3 2qg"}))
def test_correction_never_fails_and_keeps_the_record_whole(client, volunteer_link, pairs):
    token, volunteer_id = volunteer_link
    before = run(Volunteer.select().where(Volunteer.id == volunteer_id).first().run())
    corrected = count(AuditEntry, AuditEntry.action == "personal_data_corrected")
    response = post_pairs(client, f"/your-data/{token}/correct/volunteer/{volunteer_id}", pairs)
    assert response.status_code < 500, response.text[-2000:]
    after = run(Volunteer.select().where(Volunteer.id == volunteer_id).first().run())
    event(f"status {response.status_code}")
    if response.status_code != 303:
        assert 400 <= response.status_code < 500
        # using the private link keeps it alive (link_active_at); nothing else may change
        assert {**after, "link_active_at": None} == {**before, "link_active_at": None}, \
            "a refused correction changed the record"
        assert count(AuditEntry, AuditEntry.action == "personal_data_corrected") == corrected
        return
    assert response.headers["location"] == f"/your-data/{token}?done=corrected"
    assert after["full_name"] and after["full_name"] in sent(pairs, "full_name")
    assert is_valid_email(after["email"]) and after["email"] in {normalise_email(text) for text in sent(pairs, "email")}
    assert after["address"] and after["address"] in sent(pairs, "address")
    assert UK_POSTCODE.match(after["postcode"])
    assert after["phone"] == "" or after["phone"] in sent(pairs, "phone")
    assert after["household_key"] and after["token_hash"] == before["token_hash"]
    assert {key: after[key] for key in ("answers", "age", "status", "reference")} == \
           {key: before[key] for key in ("answers", "age", "status", "reference")}
    assert count(AuditEntry, AuditEntry.action == "personal_data_corrected") == corrected + 1


# --- a questionnaire page ----------------------------------------------------------------------

BASE = "/consultations/data-charter"
VALID_PAGES = {
    1: [("used_services", "Yes"), ("which_services", "Library"), ("open_data", "Agree")],
    2: [("contact", "=Other"), ("suggestions", "Publish the register"), ("visits", "3")],
    3: [("sex", "Female")],
}


@pytest.fixture
def consultation(client) -> None:
    run(make_consultation())


@st.composite
def page_answers(draw):
    number = draw(st.sampled_from([1, 2, 3]))
    extra = ("which_services", "from", "idempotency_key", "contact_email", "sex", "visits")
    return number, draw(mutated_form(VALID_PAGES[number], extra_names=extra))


@FUZZ
@given(answer=page_answers())
def test_questionnaire_page_never_fails_and_what_it_keeps_submits_whole(client, consultation, answer):
    number, pairs = answer
    client.cookies.clear()  # a new resident each time
    responses = count(SurveyResponse)
    assert client.get(f"{BASE}/questionnaire", follow_redirects=False).status_code == 303
    for page, valid in VALID_PAGES.items():
        if page != number:
            assert post_pairs(client, f"{BASE}/questionnaire/{page}", valid).status_code == 303
    response = post_pairs(client, f"{BASE}/questionnaire/{number}", pairs)
    assert response.status_code < 500, response.text[-2000:]
    assert count(SurveyResponse) == responses  # a page only keeps answers in the session
    event(f"status {response.status_code}")
    if response.status_code != 303:
        assert 400 <= response.status_code < 500
        return
    check = client.get(f"{BASE}/check", follow_redirects=False)
    assert check.status_code in (200, 303), check.text[-2000:]
    if check.status_code == 303:  # a changed answer revealed a question still to answer
        assert re.fullmatch(rf"{BASE}/questionnaire/[123]", check.headers["location"])
        return
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check.text).group(1)
    done = post_pairs(client, f"{BASE}/submit", [("idempotency_key", key)])
    assert done.status_code == 303 and done.headers["location"] == f"{BASE}/confirmation", done.text[-2000:]
    assert count(SurveyResponse) == responses + 1
    stored = run(SurveyResponse.select().order_by(SurveyResponse.id, ascending=False).first().run())
    answers = json.loads(stored["answers_json"])
    questionnaire = run(get_questionnaire("data-charter"))
    checked, errors = validate_answers(questionnaire, answers_as_raw(answers))
    assert errors == {} and checked == answers, (answers, errors)
    assert answers["open_data"] and answers["used_services"] in ("Yes", "No")
    assert stored["reference"] and stored["channel"] == "online"
    assert client.get(f"{BASE}/confirmation").status_code == 200
