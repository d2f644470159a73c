"""A local stand-in for GOV.UK Notify's HTTP API (v2), for the mail sender's tests: it checks the
JSON Web Token the way Notify does (HS256, signed with the key's secret, ``iss`` the service id,
``iat`` within 30 seconds), takes ``POST /v2/notifications/email``, and answers with Notify's
shapes: 201 with the notification, 400/403/429/500 with ``{"status_code", "errors": [...]}``.

``POST /v2/notifications/sms`` takes a text (a number of at least ten digits, the ``((body))``).
``POST /v2/notifications/letter`` takes a template letter: at least three address lines, the
last a postcode, and every placeholder of the template. ``NotifyStandIn.refuse`` makes it answer
400 for an email address or a letter's postcode; ``fail_with`` makes every request
answer that status (429 for the rate limit, 500 for an outage)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"civicpanel_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
LETTER_TEMPLATE_ID = "0b8bdf3b-8a5e-4d7e-9a0c-2f4b1c6d9e11"
SMS_TEMPLATE_ID = "5c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
LETTER_PLACEHOLDERS = ("panel", "code", "link", "register_by", "sessions", "thank_you", "adults")
"""The placeholders of the council's invitation letter template in Notify (the README lists them)."""


@dataclass
class NotifyStandIn:
    base_url: str = ""
    emails: list[dict] = field(default_factory=list)
    letters: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_with: int | None = None


def _errors(status: int, error: str, message: str) -> tuple[int, dict]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def _handler(state: NotifyStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> tuple[int, dict] | None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return _errors(401, "AuthError", "Unauthorized: authentication token must be provided")
            try:
                claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"], options={"verify_iat": False})
            except jwt.InvalidTokenError:
                return _errors(403, "AuthError", "Invalid token: API key not found")
            if claims.get("iss") != SERVICE_ID:
                return _errors(403, "AuthError", "Invalid token: service not found")
            if abs(time.time() - float(claims.get("iat", 0))) > 30:
                return _errors(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
            return None

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if (refusal := self._authorised()) is not None:
                return self._answer(*refusal)
            if state.fail_with is not None:
                kind = "RateLimitError" if state.fail_with == 429 else "Exception"
                return self._answer(*_errors(state.fail_with, kind, "Exceeded rate limit for key type LIVE of 3000 "
                                             "requests per 60 seconds" if state.fail_with == 429 else "Internal server error"))
            if self.path == "/v2/notifications/sms":
                if body.get("template_id") != SMS_TEMPLATE_ID:
                    return self._answer(*_errors(400, "BadRequestError", "Template not found"))
                if "body" not in (body.get("personalisation") or {}):
                    return self._answer(*_errors(400, "BadRequestError", "Missing personalisation: body"))
                number = "".join(ch for ch in body.get("phone_number", "") if ch.isdigit() or ch == "+")
                if len(number.lstrip("+")) < 10 or body.get("phone_number") in state.refuse:
                    return self._answer(*_errors(400, "ValidationError", "phone_number Not a UK mobile number"))
                state.texts.append(body)
                return self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference"),
                                          "content": {"body": body["personalisation"]["body"], "from_number": "CAMDEN"},
                                          "uri": "", "template": {"id": SMS_TEMPLATE_ID, "version": 1, "uri": ""}})
            if self.path == "/v2/notifications/letter":
                return self._answer(*self._letter(body))
            if self.path != "/v2/notifications/email":
                return self._answer(*_errors(404, "NotFound", "Not found"))
            if body.get("template_id") != EMAIL_TEMPLATE_ID:
                return self._answer(*_errors(400, "BadRequestError", "Template not found"))
            personalisation = body.get("personalisation") or {}
            missing = [name for name in ("subject", "body") if name not in personalisation]
            if missing:
                return self._answer(*_errors(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"))
            if body.get("email_address") in state.refuse:
                return self._answer(*_errors(400, "ValidationError", "email_address Not a valid email address"))
            state.emails.append(body)
            notification_id = str(uuid.uuid4())
            return self._answer(201, {
                "id": notification_id, "reference": body.get("reference"),
                "content": {"subject": personalisation["subject"], "body": personalisation["body"],
                            "from_email": "council@notifications.service.gov.uk"},
                "uri": f"{state.base_url}/v2/notifications/{notification_id}",
                "template": {"id": EMAIL_TEMPLATE_ID, "version": 1, "uri": f"{state.base_url}/v2/template/{EMAIL_TEMPLATE_ID}"},
            })

        def _letter(self, body: dict) -> tuple[int, dict]:
            if body.get("template_id") != LETTER_TEMPLATE_ID:
                return _errors(400, "BadRequestError", "Template not found")
            personalisation = body.get("personalisation") or {}
            lines = [personalisation[f"address_line_{n}"] for n in range(1, 8) if personalisation.get(f"address_line_{n}")]
            if len(lines) < 3:
                return _errors(400, "ValidationError", "Address must be at least 3 lines")
            missing = [name for name in LETTER_PLACEHOLDERS if name not in personalisation]
            if missing:
                return _errors(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
            if lines[-1] in state.refuse:
                return _errors(400, "ValidationError", "Last line of address must be a real UK postcode or another country")
            state.letters.append(body)
            return 201, {"id": str(uuid.uuid4()), "reference": body.get("reference"),
                         "content": {"subject": "Invitation", "body": ""}, "scheduled_for": None,
                         "template": {"id": LETTER_TEMPLATE_ID, "version": 1, "uri": ""}, "uri": ""}

    return Handler


def start_notify_stand_in() -> tuple[NotifyStandIn, ThreadingHTTPServer]:
    """A running stand-in on a free local port (``server.shutdown()`` stops it)."""
    state = NotifyStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
