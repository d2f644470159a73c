"""A sign-in half done: the password was right and the second step (a code from the
authenticator app, or setting one up) is still to come. It lives in the encrypted session
cookie, names only the account and the step, and lapses after a few minutes; no staff session
exists until the step is done."""

from __future__ import annotations

import time

from litestar import Request

PENDING_SIGN_IN_KEY = "pending_sign_in"
PENDING_SECONDS = 300


def pending_sign_in(*, user_id: int, step: str, next_path: str) -> dict:
    return {"user": user_id, "step": step, "next": next_path, "until": time.time() + PENDING_SECONDS}


def read_pending_sign_in(request: Request, step: str) -> dict | None:
    """The half-done sign-in waiting for this step, or None (none, another step, or lapsed)."""
    pending = (request.session or {}).get(PENDING_SIGN_IN_KEY)
    if not isinstance(pending, dict) or pending.get("step") != step or not isinstance(pending.get("user"), int):
        return None
    if float(pending.get("until", 0)) < time.time():
        return None
    return pending
