"""Staff accounts: create them, sign them in and out, and find who a session belongs to.

Sessions: the browser's signed cookie carries a random token; the database keeps its SHA-256
and an expiry. A new token is issued at every login (no session fixation), and signing out or
disabling an account deletes the rows, which ends the session on every worker at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from piccolo.engine.sqlite import SQLiteEngine

from common.emails import is_valid_email, normalise_email
from common.i18n import gettext
from common.tokens import hash_token
from common.transactions import write_transaction
from server.audit import record_audit
from common.transactions import is_unique_violation
from server.accounts.passwords import dummy_hash, hash_password, password_problem, verify_password
from server.accounts.two_factor import two_factor_required
from server.accounts.throttle import (
    ThrottlePolicy, forget_failures, record_failure, too_many_attempts_message, wait_before_next_attempt,
)
from server.tables import STAFF_ROLES, StaffSession, StaffUser


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    email: str
    display_name: str
    role: str


@dataclass(frozen=True)
class LoginResult:
    identity: StaffIdentity | None
    session_token: str | None
    error: str | None
    locked_out: bool = False
    second_step: str | None = None
    """``code``: the password was right, now the code from the authenticator app; ``enrol``: the
    password was right, and two-factor sign-in is required but not yet set up. No session yet."""


class StaffAccountError(ValueError):
    """A staff account could not be created or changed; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def role_names() -> dict[str, str]:
    """What each role is called on pages."""
    return {"officer": gettext("Engagement officer"), "facilitator": gettext("Facilitator"),
            "cabinet": gettext("Cabinet member"),
            "admin": gettext("Administrator")}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def validate_new_staff(*, email: str, display_name: str, role: str, password: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not is_valid_email(normalise_email(email)):
        errors["email"] = gettext("Enter an email address in the correct format, like name@example.gov.uk")
    if not display_name.strip():
        errors["display_name"] = gettext("Enter a name")
    elif len(display_name.strip()) > 120:
        errors["display_name"] = gettext("Name must be %(count)d characters or fewer", count=120)
    if role not in STAFF_ROLES:
        errors["role"] = gettext("Select a role: %(roles)s", roles=", ".join(STAFF_ROLES))
    if password is not None:
        problem = password_problem(password, email=email, display_name=display_name)
        if problem:
            errors["password"] = problem
    return errors


async def create_staff_user(*, email: str, display_name: str, role: str, password: str | None = None) -> StaffIdentity:
    """Create an account. Without a password (as administrators create them) no one can sign in
    to it until its owner sets one with a link (``password_changes.issue_password_link``); the
    command line and the demo give one."""
    errors = validate_new_staff(email=email, display_name=display_name, role=role, password=password)
    if errors:
        raise StaffAccountError(errors)
    email = normalise_email(email)
    user = StaffUser(email=email, display_name=display_name.strip(), role=role, password_hash=hash_password(password) if password is not None else "")
    duplicate = StaffAccountError({"email": gettext("A staff account with this email already exists")})
    try:
        async with write_transaction(StaffUser._meta.db):  # check-then-insert must not race
            if await StaffUser.exists().where(StaffUser.email == email).run():
                raise duplicate
            await user.save().run()
    except Exception as error:
        if is_unique_violation(error):
            raise duplicate from error
        raise
    return StaffIdentity(id=int(user.id), email=email, display_name=user.display_name, role=role)


async def ensure_staff_user(*, email: str, display_name: str, role: str, password: str) -> bool:
    """Create the account unless one with that email exists. True when it was created."""
    if await StaffUser.exists().where(StaffUser.email == normalise_email(email)).run():
        return False
    await create_staff_user(email=email, display_name=display_name, role=role, password=password)
    return True


async def list_staff() -> list[dict]:
    """Every account, with ``has_password`` (False until its owner has set one) but not the hash,
    and ``two_factor`` (whether it signs in with an authenticator app)."""
    rows = await StaffUser.select(
        StaffUser.id, StaffUser.email, StaffUser.display_name, StaffUser.role, StaffUser.active, StaffUser.last_login_at,
        StaffUser.password_hash, StaffUser.totp_enabled_at,
    ).order_by(StaffUser.email).run()
    for row in rows:
        row["has_password"] = bool(row.pop("password_hash"))
        row["two_factor"] = row.pop("totp_enabled_at") is not None
    return rows


async def active_identity(user_id: int) -> StaffIdentity | None:
    """The account with this id, if it is active."""
    row = await StaffUser.select(StaffUser.id, StaffUser.email, StaffUser.display_name, StaffUser.role,
                                 StaffUser.active).where(StaffUser.id == user_id).first().run()
    if row is None or not row["active"]:
        return None
    return StaffIdentity(id=int(row["id"]), email=row["email"], display_name=row["display_name"], role=row["role"])


def last_admin_error() -> str:
    return gettext("There must always be an active administrator: make someone else an administrator first")


async def _lock_staff_row(user_id: int) -> dict:
    """The account's row, with every active administrator's row locked on PostgreSQL (SQLite's
    IMMEDIATE transaction already holds the whole database), so that two administrators removing
    each other at the same moment cannot leave none."""
    admins = StaffUser.select(StaffUser.id).where(StaffUser.role == "admin", StaffUser.active == True)  # noqa: E712
    if not isinstance(StaffUser._meta.db, SQLiteEngine):
        admins = admins.lock_rows()
    await admins.run()
    row = await StaffUser.select(StaffUser.id, StaffUser.role, StaffUser.active).where(StaffUser.id == user_id).first().run()
    if row is None:
        raise StaffAccountError({"user": gettext("There is no such staff account")})
    return row


async def _is_last_admin(row: dict) -> bool:
    if row["role"] != "admin" or not row["active"]:
        return False
    others = await StaffUser.count().where(
        StaffUser.role == "admin", StaffUser.active == True, StaffUser.id != row["id"]).run()  # noqa: E712
    return others == 0


async def is_last_admin(user_id: int) -> bool:
    """Whether this account is the only active administrator (for the page that asks "are you
    sure?"; the change itself checks again under a lock)."""
    row = await StaffUser.select(StaffUser.id, StaffUser.role, StaffUser.active).where(StaffUser.id == user_id).first().run()
    return row is not None and await _is_last_admin(row)


async def set_staff_active(*, user_id: int, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions. The last active administrator
    cannot be disabled (StaffAccountError)."""
    async with write_transaction(StaffUser._meta.db):
        row = await _lock_staff_row(user_id)
        if not active and await _is_last_admin(row):
            raise StaffAccountError({"active": last_admin_error()})
        await StaffUser.update({StaffUser.active: active}).where(StaffUser.id == user_id).run()
        if not active:
            await StaffSession.delete().where(StaffSession.user == user_id).run()


async def role_change_problem(*, user_id: int, role: str) -> str | None:
    """Why this account cannot be given this role, or None."""
    if role not in STAFF_ROLES:
        return gettext("Select a role: %(roles)s", roles=", ".join(STAFF_ROLES))
    if role != "admin" and await is_last_admin(user_id):
        return last_admin_error()
    return None


async def set_staff_role(*, user_id: int, role: str) -> str:
    """Change an account's role and return the role it had. The last active administrator cannot
    be given another role (StaffAccountError)."""
    async with write_transaction(StaffUser._meta.db):
        row = await _lock_staff_row(user_id)
        problem = await role_change_problem(user_id=user_id, role=role)
        if problem:
            raise StaffAccountError({"role": problem})
        await StaffUser.update({StaffUser.role: role}).where(StaffUser.id == user_id).run()
    return row["role"]


async def log_in(
    *, email: str, password: str, ip_address: str, throttle: ThrottlePolicy, session_hours: int
) -> LoginResult:
    """Check a password. Guessing is slowed per address and per account-and-address
    (``server/accounts/throttle.py``), never by locking the account for everyone. Unknown emails
    and disabled accounts are checked against a dummy hash, so the time taken does not say whether
    an account exists. Failures and successes go to the audit log."""
    audit_id = normalise_email(email)  # the audit log keeps a keyed hash of it, whatever its length
    email = audit_id[:254]
    wait = await wait_before_next_attempt(policy=throttle, email=email, ip_address=ip_address)
    if wait > timedelta(0):
        await record_audit(actor="anonymous", action="login_refused", object_type="staff_user", object_id=audit_id,
                           detail="too many failed attempts from this address", ip_address=ip_address)
        return LoginResult(None, None, too_many_attempts_message(wait), locked_out=True)
    row = await StaffUser.select().where(StaffUser.email == email).first().run()
    password_hash = row["password_hash"] if row is not None else ""
    password_matches = verify_password(password_hash or dummy_hash(), password)
    if row is None or not row["active"] or not password_hash or not password_matches:
        await record_failure(policy=throttle, email=email, ip_address=ip_address)
        await record_audit(actor="anonymous", action="login_failed", object_type="staff_user", object_id=audit_id,
                           ip_address=ip_address)
        return LoginResult(None, None, gettext("Enter a correct email address and password"))
    await forget_failures(policy=throttle, email=email, ip_address=ip_address)
    identity = StaffIdentity(id=int(row["id"]), email=email, display_name=row["display_name"], role=row["role"])
    if row["totp_enabled_at"] is not None:
        return LoginResult(identity, None, None, second_step="code")
    if await two_factor_required():
        return LoginResult(identity, None, None, second_step="enrol")
    token = await start_session(identity=identity, ip_address=ip_address, session_hours=session_hours)
    return LoginResult(identity, token, None)


async def start_session(*, identity: StaffIdentity, ip_address: str, session_hours: int, detail: str = "") -> str:
    """Sign a person in once every step has passed: a new session (its token for the cookie)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    await StaffSession.insert(
        StaffSession(token_hash=hash_token(token), user=identity.id, expires_at=now + timedelta(hours=session_hours))
    ).run()
    await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == identity.id).run()
    await record_audit(actor=identity.email, action="login", object_type="staff_user", object_id=identity.id,
                       detail=detail, ip_address=ip_address)
    return token


async def log_out(*, session_token: str, ip_address: str) -> None:
    identity = await identity_for_session(session_token)
    await StaffSession.delete().where(StaffSession.token_hash == hash_token(session_token)).run()
    if identity is not None:
        await record_audit(actor=identity.email, action="logout", object_type="staff_user", object_id=identity.id,
                           ip_address=ip_address)


async def identity_for_session(session_token: str) -> StaffIdentity | None:
    """The active staff member a session token belongs to, or None if it is unknown or expired."""
    row = await StaffSession.select(
        StaffSession.user.id.as_alias("user_id"),
        StaffSession.user.email.as_alias("email"),
        StaffSession.user.display_name.as_alias("display_name"),
        StaffSession.user.role.as_alias("role"),
        StaffSession.user.active.as_alias("active"),
        StaffSession.expires_at,
    ).where(StaffSession.token_hash == hash_token(session_token)).first().run()
    if row is None or not row["active"] or row["expires_at"] <= _now():
        return None
    return StaffIdentity(id=int(row["user_id"]), email=row["email"], display_name=row["display_name"], role=row["role"])
