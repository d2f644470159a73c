"""Two-factor sign-in for staff: time-based codes from an authenticator app (TOTP, RFC 6238, with
pyotp) and one-time recovery codes.

The app's secret is kept only on the server, encrypted (Fernet, with a key derived from
``SECRET_KEY``: changing that key means everyone sets up their app again, after an administrator
resets them). A code is accepted for the 30-second step before and after now, never twice.
Recovery codes are shown once when set up and kept only as their SHA-256. Administrators can
require two-factor sign-in for everyone (``require_two_factor``, a site setting) and reset a
person's, who then sets it up again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timezone

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken

from common.tokens import hash_token
from common.transactions import write_transaction
from server.tables import SiteSetting, StaffRecoveryCode, StaffSession, StaffUser

RECOVERY_CODE_COUNT = 10
SIX_DIGITS = re.compile(r"[0-9]{6}")
REQUIRE_TWO_FACTOR = "require_two_factor"


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"two-factor secrets:" + secret_key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _encrypt(secret: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode("ascii")).decode("ascii")


def _decrypt(stored: str, secret_key: str) -> str | None:
    try:
        return _fernet(secret_key).decrypt(stored.encode("ascii")).decode("ascii") if stored else None
    except InvalidToken:
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def two_factor_required() -> bool:
    row = await SiteSetting.select(SiteSetting.value).where(SiteSetting.key == REQUIRE_TWO_FACTOR).first().run()
    return row is not None and row["value"] == "1"


async def set_two_factor_required(required: bool) -> None:
    async with write_transaction(SiteSetting._meta.db):
        await SiteSetting.delete().where(SiteSetting.key == REQUIRE_TWO_FACTOR).run()
        await SiteSetting.insert(SiteSetting(key=REQUIRE_TWO_FACTOR, value="1" if required else "0")).run()


async def has_two_factor(user_id: int) -> bool:
    row = await StaffUser.select(StaffUser.totp_enabled_at).where(StaffUser.id == user_id).first().run()
    return row is not None and row["totp_enabled_at"] is not None


async def start_enrolment(*, user_id: int, secret_key: str) -> None:
    """A new secret waiting to be confirmed (any earlier one waiting is replaced; one already in
    use keeps working until this one is confirmed)."""
    await StaffUser.update({StaffUser.totp_pending_secret: _encrypt(pyotp.random_base32(), secret_key)}).where(
        StaffUser.id == user_id).run()


async def enrolment_qr(*, user_id: int, email: str, issuer: str, secret_key: str) -> tuple[str, str] | None:
    """The secret waiting to be confirmed, spaced in fours for typing in by hand, and its QR code
    as an inline SVG; None when there is none."""
    secret = await pending_secret(user_id=user_id, secret_key=secret_key)
    if secret is None:
        return None
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4)), qr_svg(uri)


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as an SVG element to put straight into a page (no script, no style)."""
    return segno.make(text, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff",
                                                   title="QR code", omitsize=False)


async def pending_secret(*, user_id: int, secret_key: str) -> str | None:
    row = await StaffUser.select(StaffUser.totp_pending_secret).where(StaffUser.id == user_id).first().run()
    return _decrypt(row["totp_pending_secret"], secret_key) if row else None


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not SIX_DIGITS.fullmatch(code):  # not isdigit(): "²" passes it, and compare_digest refuses non-ASCII text
        return None
    totp = pyotp.TOTP(secret)
    for offset in (-1, 0, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return totp.timecode(now) + offset
    return None


def _normalise_recovery_code(code: str) -> str:
    return "".join(character for character in code.casefold() if character.isalnum())


def _new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


async def confirm_enrolment(*, user_id: int, code: str, secret_key: str) -> list[str] | None:
    """Turn two-factor sign-in on with the secret being set up, if ``code`` is a current code from
    it. Returns the new recovery codes (to show once), or None when the code is wrong."""
    secret = await pending_secret(user_id=user_id, secret_key=secret_key)
    step = _matching_step(secret, code, _now()) if secret else None
    if step is None:
        return None
    codes = _new_recovery_codes()
    async with write_transaction(StaffUser._meta.db):
        await StaffUser.update({
            StaffUser.totp_secret: _encrypt(secret, secret_key), StaffUser.totp_pending_secret: "",
            StaffUser.totp_enabled_at: _now(), StaffUser.totp_last_step: step,
        }).where(StaffUser.id == user_id).run()
        await StaffRecoveryCode.delete().where(StaffRecoveryCode.user == user_id).run()
        await StaffRecoveryCode.insert(*[
            StaffRecoveryCode(user=user_id, code_hash=hash_token(_normalise_recovery_code(recovery)))
            for recovery in codes]).run()
    return codes


async def check_second_factor(*, user_id: int, code: str, secret_key: str) -> str | None:
    """Whether ``code`` proves the second factor: ``"app"`` for a current code from the app (not
    one used before), ``"recovery"`` for an unused recovery code (now used up), None otherwise."""
    async with write_transaction(StaffUser._meta.db):
        row = await StaffUser.select(StaffUser.totp_secret, StaffUser.totp_last_step).where(
            StaffUser.id == user_id).first().run()
        secret = _decrypt(row["totp_secret"], secret_key) if row else None
        if secret is not None:
            step = _matching_step(secret, code, _now())
            if step is not None and step > row["totp_last_step"]:
                await StaffUser.update({StaffUser.totp_last_step: step}).where(StaffUser.id == user_id).run()
                return "app"
        normalised = _normalise_recovery_code(code)
        if len(normalised) != 10:
            return None
        used = await StaffRecoveryCode.delete().where(
            StaffRecoveryCode.user == user_id, StaffRecoveryCode.code_hash == hash_token(normalised)
        ).returning(StaffRecoveryCode.id).run()
        return "recovery" if used else None


async def recovery_codes_left(user_id: int) -> int:
    return int(await StaffRecoveryCode.count().where(StaffRecoveryCode.user == user_id).run())


async def reset_two_factor(user_id: int) -> None:
    """Turn a person's two-factor sign-in off (a lost phone): their secret and recovery codes go,
    and so do their sessions. If it is required, they set it up again at their next sign-in."""
    async with write_transaction(StaffUser._meta.db):
        await StaffUser.update({
            StaffUser.totp_secret: "", StaffUser.totp_pending_secret: "", StaffUser.totp_enabled_at: None,
            StaffUser.totp_last_step: 0,
        }).where(StaffUser.id == user_id).run()
        await StaffRecoveryCode.delete().where(StaffRecoveryCode.user == user_id).run()
        await StaffSession.delete().where(StaffSession.user == user_id).run()
