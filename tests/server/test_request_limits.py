"""Limits on what a request may send, checked before the form is parsed
(server/web/request_limits.py): a form far too large or with too many fields is a 413 page, and
the CSRF check, the handler and the database never see it."""

from __future__ import annotations

import pytest

from server.web.request_limits import MAX_FORM_BYTES, MAX_FORM_FIELDS
from surveys.tables import Comment
from tests.factories.surveys import make_case_study
from tests.support.database import run
from tests.support.http import csrf_token

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def case_study(client) -> str:
    run(make_case_study("debt-early-help", premoderated=False))
    return "debt-early-help"


def test_a_form_of_many_fields_is_refused_before_it_is_parsed(client, case_study, monkeypatch):
    """2.3 million fields in 9 MB took 4 s and 780 MB of a worker to parse, before the CSRF check."""
    from litestar.connection import request as litestar_request

    parsed = []
    real = litestar_request.parse_url_encoded_form_data
    monkeypatch.setattr(litestar_request, "parse_url_encoded_form_data", lambda body: parsed.append(1) or real(body))
    token = csrf_token(client)
    body = f"_csrf_token={token}&body=Hello&display_name=A&".encode() + b"a=&" * (MAX_FORM_FIELDS + 1)
    assert len(body) < MAX_FORM_BYTES
    response = client.post(f"/case-studies/{case_study}/comments", content=body, headers=FORM)
    assert response.status_code == 413
    assert "What you sent is too large" in response.text and f"more than {MAX_FORM_FIELDS} fields" in response.text
    assert parsed == []
    assert run(Comment.count().run()) == 0


def test_a_form_over_the_size_limit_is_refused_without_a_csrf_token(client, case_study):
    body = b"body=" + b"x" * (MAX_FORM_BYTES + 1)
    response = client.post(f"/case-studies/{case_study}/comments", content=body, headers=FORM)
    assert response.status_code == 413
    assert "What you sent is too long" in response.text


def test_a_multipart_form_of_many_parts_is_refused(client, case_study):
    token = csrf_token(client)
    parts = [("_csrf_token", token), *[("a", "") for _ in range(MAX_FORM_FIELDS + 1)]]
    body = b"".join(f'--XyZ\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in parts) + b"--XyZ--\r\n"
    response = client.post(f"/case-studies/{case_study}/comments", content=body,
                           headers={"content-type": "multipart/form-data; boundary=XyZ"})
    assert response.status_code == 413


def test_a_multipart_field_that_is_not_utf8_is_refused_not_a_server_error(officer_client):
    """Found by tests/server/test_forms_never_500.py: Litestar's multipart parser raised
    UnicodeDecodeError on such a field, a 500 on every upload form."""
    token = csrf_token(officer_client)
    body = (f'--XyZ\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n{token}\r\n'.encode()
            + b'--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xff\xfe\r\n--XyZ--\r\n')
    response = officer_client.post("/officer/panels/new", content=body,
                                   headers={"content-type": "multipart/form-data; boundary=XyZ"})
    assert response.status_code == 400 and "The form contains a character that is not allowed" in response.text


def test_an_ordinary_form_is_still_accepted(client, case_study):
    token = csrf_token(client)
    body = f"_csrf_token={token}&display_name=Ama&body=A+normal+comment".encode()
    response = client.post(f"/case-studies/{case_study}/comments", content=body, headers=FORM)
    assert response.status_code == 200
    assert run(Comment.count().run()) == 1


def test_a_value_too_long_for_its_column_is_a_clear_422_not_a_500():
    """The net under any form that forgets its own length check: PostgreSQL's "value too long for
    type character varying" was a 500."""
    from asyncpg.exceptions import StringDataRightTruncationError

    from server.web.errors import internal_error_handler

    class PostedForm:  # what the handler reads of the request
        method = "POST"
        url = type("Url", (), {"path": "/somewhere"})()

    response = internal_error_handler(PostedForm(), StringDataRightTruncationError("value too long"))
    assert response.status_code == 422
    assert "too long" in str(response.context["detail"])
