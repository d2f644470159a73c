"""Signing staff in through the council's identity provider with OpenID Connect (Microsoft Entra ID
and any other provider): the authorisation code flow with PKCE, using Authlib.

The provider's ID token is checked here: its signature against the provider's published keys, the
issuer, the audience (our client id), its expiry and the nonce sent with the request. The person's
role comes from their groups (or app roles), mapped by ``OIDC_GROUP_ROLES``; someone in none of
the mapped groups is refused. An account is created on first sign-in, and its name and role follow
the provider's at every sign-in (except that the last active administrator is never demoted).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from common.emails import is_valid_email, normalise_email
from common.i18n import gettext
from server.accounts.staff import (
    StaffAccountError, StaffIdentity, create_staff_user, role_change_problem, set_staff_role,
)
from server.tables import StaffUser

ROLE_PRECEDENCE = ("admin", "officer", "facilitator", "cabinet")
"""Someone in groups for several roles gets the first of these."""

SCOPE = "openid email profile"
METADATA_SECONDS = 3600
_metadata_cache: dict[str, tuple[float, dict]] = {}


class OidcError(Exception):
    """The sign-in could not be completed; the message is for the person signing in."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    group_roles: dict[str, str]
    redirect_uri: str


@dataclass(frozen=True)
class OidcStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class OidcPerson:
    email: str
    name: str
    role: str


def _client(config: OidcConfig) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(client_id=config.client_id, client_secret=config.client_secret, scope=SCOPE,
                             redirect_uri=config.redirect_uri, code_challenge_method="S256", timeout=10)


async def provider_metadata(config: OidcConfig) -> dict:
    """The provider's discovery document, kept for an hour."""
    cached = _metadata_cache.get(config.issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        async with _client(config) as client:
            response = await client.request("GET", config.issuer.rstrip("/") + "/.well-known/openid-configuration",
                                            withhold_token=True)
            response.raise_for_status()
            metadata = response.json()
    except (httpx2.HTTPError, ValueError) as error:
        raise OidcError(gettext("The council's sign-in service cannot be reached. Try again later.")) from error
    if not isinstance(metadata, dict) or str(metadata.get("issuer", "")).rstrip("/") != config.issuer.rstrip("/"):
        raise OidcError(gettext("The identity provider is not set up correctly: ask an administrator"))
    _metadata_cache[config.issuer] = (time.monotonic() + METADATA_SECONDS, metadata)
    return metadata


async def start_sign_in(config: OidcConfig) -> OidcStart:
    """Where to send the browser, and the values to keep (in the session) until it comes back."""
    metadata = await provider_metadata(config)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    async with _client(config) as client:
        url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state,
                                                 code_verifier=verifier, nonce=nonce)
    return OidcStart(url=url, state=state, nonce=nonce, code_verifier=verifier)


def role_for(claims: dict, group_roles: dict[str, str]) -> str | None:
    """The role the person's groups (``groups``) or app roles (``roles``) give, or None."""
    memberships = []
    for claim in ("groups", "roles"):
        value = claims.get(claim) or []
        memberships.extend([value] if isinstance(value, str) else value)
    granted = {group_roles[str(group)] for group in memberships if str(group) in group_roles}
    return next((role for role in ROLE_PRECEDENCE if role in granted), None)


async def finish_sign_in(config: OidcConfig, *, code: str, state: str, kept: dict) -> OidcPerson:
    """Exchange the code for tokens and check the ID token. ``kept`` is what ``start_sign_in``
    returned (from the session). Raises OidcError."""
    if not code or not kept or not secrets.compare_digest(str(kept.get("state", "")), state):
        raise OidcError(gettext("The sign-in could not be completed. Try again."))
    metadata = await provider_metadata(config)
    try:
        async with _client(config) as client:
            token = await client.fetch_token(metadata["token_endpoint"], code=code,
                                             code_verifier=kept["code_verifier"])
            keys = (await client.request("GET", metadata["jwks_uri"], withhold_token=True)).json()
        id_token = jwt.decode(token["id_token"], KeySet.import_key_set(keys),
                              algorithms=metadata.get("id_token_signing_alg_values_supported") or ["RS256"])
        jwt.JWTClaimsRegistry(
            leeway=60, iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": config.client_id}, exp={"essential": True},
            nonce={"essential": True, "value": kept["nonce"]},
        ).validate(id_token.claims)
    except (JoseError, AuthlibBaseError, httpx2.HTTPError, KeyError, ValueError) as error:
        # a forged or stale token, or a provider that could not be reached or refused the code
        raise OidcError(gettext("The sign-in could not be completed. Try again.")) from error
    claims = id_token.claims
    email = normalise_email(str(claims.get("email") or claims.get("preferred_username") or claims.get("upn") or ""))
    if not is_valid_email(email):
        raise OidcError(gettext("Your council account has no email address: ask an administrator"))
    role = role_for(claims, config.group_roles)
    if role is None:
        raise OidcError(gettext("Your council account is not in a group that may use Civic Panel: ask an administrator"))
    name = str(claims.get("name") or email.split("@")[0]).strip()[:120]
    return OidcPerson(email=email, name=name, role=role)


async def staff_for(person: OidcPerson) -> tuple[StaffIdentity, str]:
    """The staff account for someone the provider vouched for, created or brought up to date.
    Returns it and what changed (for the audit log). Raises OidcError for a disabled account."""
    row = await StaffUser.select().where(StaffUser.email == person.email).first().run()
    if row is None:
        try:
            identity = await create_staff_user(email=person.email, display_name=person.name, role=person.role)
        except StaffAccountError as error:
            raise OidcError("; ".join(error.errors.values())) from error
        return identity, f"account created as {person.role}"
    if not row["active"]:
        raise OidcError(gettext("Your Civic Panel account is disabled: ask an administrator"))
    changes = []
    role = row["role"]
    if person.role != role:
        if await role_change_problem(user_id=row["id"], role=person.role) is None:
            await set_staff_role(user_id=row["id"], role=person.role)
            changes.append(f"role changed from {role} to {person.role}")
            role = person.role
        else:
            changes.append(f"kept role {role} (last administrator; the provider says {person.role})")
    if person.name and person.name != row["display_name"]:
        await StaffUser.update({StaffUser.display_name: person.name}).where(StaffUser.id == row["id"]).run()
        changes.append("name updated")
    identity = StaffIdentity(id=int(row["id"]), email=person.email, display_name=person.name or row["display_name"],
                             role=role)
    return identity, "; ".join(changes)
