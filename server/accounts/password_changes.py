"""Setting and changing staff passwords, so that no one ever sees or sets another's.

A new account has no password: its owner gets a one-time link by email to set one, and an
administrator can send a fresh link at any time (a forgotten password). The link's token is kept
only as its SHA-256, expires, and is deleted when used or when a newer link is sent. Staff change
their own password by typing the current one. Either way every other session of that person ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from common.i18n import gettext
from common.tokens import hash_token
from common.transactions import write_transaction
from server.accounts.passwords import hash_password, password_problem, verify_password
from server.accounts.staff import StaffAccountError, StaffIdentity
from server.tables import StaffPasswordLink, StaffSession, StaffUser

PASSWORD_LINK_LIFETIME = timedelta(hours=72)
"""How long a set-password link works: long enough for a new starter's first days."""


@dataclass(frozen=True)
class StaffEmail:
    to_address: str
    subject: str
    body: str


@dataclass(frozen=True)
class PasswordLink:
    token: str
    email: StaffEmail


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _identity(row: dict) -> StaffIdentity:
    return StaffIdentity(id=int(row["id"]), email=row["email"], display_name=row["display_name"], role=row["role"])


async def issue_password_link(*, user_id: int, link_for_token, council_name: str) -> PasswordLink:
    """A new one-time link for this account (older unused ones stop working) and the email that
    carries it. ``link_for_token`` turns a token into the full address of the set-password page."""
    row = await StaffUser.select().where(StaffUser.id == user_id).first().run()
    if row is None:
        raise StaffAccountError({"user": gettext("There is no such staff account")})
    token = secrets.token_urlsafe(32)
    async with write_transaction(StaffPasswordLink._meta.db):
        await StaffPasswordLink.delete().where(StaffPasswordLink.user == user_id).run()
        await StaffPasswordLink.insert(StaffPasswordLink(
            token_hash=hash_token(token), user=user_id, expires_at=_now() + PASSWORD_LINK_LIFETIME)).run()
    hours = int(PASSWORD_LINK_LIFETIME.total_seconds() // 3600)
    body = gettext(
        "Hello %(name)s,\n\n"
        "Use this link to set the password of your %(council)s Civic Panel staff account:\n\n"
        "%(link)s\n\n"
        "The link works once, for %(hours)d hours. If you did not expect it, tell your administrator.",
        name=row["display_name"], council=council_name, link=link_for_token(token), hours=hours)
    email = StaffEmail(to_address=row["email"], subject=gettext("Set your Civic Panel password"), body=body)
    return PasswordLink(token=token, email=email)


async def account_for_password_link(token: str) -> StaffIdentity | None:
    """The active account a set-password link belongs to, or None when it is unknown, used or expired."""
    row = await StaffPasswordLink.select(
        StaffPasswordLink.user.id.as_alias("id"), StaffPasswordLink.user.email.as_alias("email"),
        StaffPasswordLink.user.display_name.as_alias("display_name"), StaffPasswordLink.user.role.as_alias("role"),
        StaffPasswordLink.user.active.as_alias("active"), StaffPasswordLink.expires_at,
    ).where(StaffPasswordLink.token_hash == hash_token(token)).first().run()
    if row is None or not row["active"] or row["expires_at"] <= _now():
        return None
    return _identity(row)


def _check_new_password(identity: StaffIdentity, password: str, confirmation: str) -> None:
    errors = {}
    problem = password_problem(password, email=identity.email, display_name=identity.display_name)
    if problem:
        errors["password"] = problem
    elif password != confirmation:
        errors["confirm_password"] = gettext("The passwords do not match")
    if errors:
        raise StaffAccountError(errors)


async def set_password_with_link(*, token: str, password: str, confirmation: str) -> StaffIdentity:
    """Set the password and use up the link; every session of the account ends. Raises
    StaffAccountError (``link`` when the link no longer works)."""
    identity = await account_for_password_link(token)
    if identity is None:
        raise StaffAccountError({"link": gettext("This link has expired or has already been used")})
    _check_new_password(identity, password, confirmation)
    password_hash = hash_password(password)
    async with write_transaction(StaffPasswordLink._meta.db):
        still_there = await StaffPasswordLink.exists().where(
            StaffPasswordLink.token_hash == hash_token(token)).run()
        if not still_there:  # used by a second request at the same moment
            raise StaffAccountError({"link": gettext("This link has expired or has already been used")})
        await StaffPasswordLink.delete().where(StaffPasswordLink.user == identity.id).run()
        await StaffUser.update({StaffUser.password_hash: password_hash}).where(StaffUser.id == identity.id).run()
        await StaffSession.delete().where(StaffSession.user == identity.id).run()
    return identity


async def change_own_password(
    *, identity: StaffIdentity, current_password: str, password: str, confirmation: str, session_token: str
) -> None:
    """A signed-in person changes their own password by giving the current one. Their other
    sessions end; this one goes on. Raises StaffAccountError."""
    row = await StaffUser.select(StaffUser.password_hash).where(StaffUser.id == identity.id).first().run()
    if row is None or not verify_password(row["password_hash"], current_password):
        raise StaffAccountError({"current_password": gettext("Enter your current password correctly")})
    _check_new_password(identity, password, confirmation)
    await StaffUser.update({StaffUser.password_hash: hash_password(password)}).where(StaffUser.id == identity.id).run()
    await StaffSession.delete().where(
        StaffSession.user == identity.id, StaffSession.token_hash != hash_token(session_token)).run()
