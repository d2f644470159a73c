"""Settings, read once from the environment into a frozen dataclass.

Every field documents the environment variable it comes from. Secrets never have a default that
works in production: outside development and test, a missing ``SECRET_KEY`` is a startup error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SQLITE_PATH = Path("var") / "civicpanel.sqlite"
"""Unset ``DATABASE_URL``: this file under the current directory (the checkout's ``var/`` for
``make run``). Never beside the code, which an installed wheel keeps in site-packages."""
DEVELOPMENT_SECRET = "development-only-secret-key-not-for-production"  # refused in production

ENVIRONMENTS = ("development", "test", "production")


class SettingsError(ValueError):
    """The environment does not describe a configuration the app can start with."""


def default_database_url() -> str:
    """The embedded SQLite file ``var/civicpanel.sqlite`` under the current directory, as an
    absolute path, so that a later change of directory does not move the database."""
    return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_PATH}"


def database_url_from_env(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """``DATABASE_URL``, or the embedded SQLite file when it is unset or empty."""
    environ = os.environ if environ is None else environ
    return environ.get("DATABASE_URL", "").strip() or default_database_url()


def _int_from_env(environ: dict[str, str] | os._Environ[str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from error
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _choice_from_env(environ: dict[str, str] | os._Environ[str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    """``CIVICPANEL_ENV``: ``development`` (default), ``test`` or ``production``."""

    secret_key: str = DEVELOPMENT_SECRET
    """``SECRET_KEY``: signs and encrypts session cookies and CSRF tokens. At least 32 characters.
    Required outside development and test."""

    database_url: str = field(default_factory=default_database_url)
    """``DATABASE_URL``: ``postgresql://user@host:port/db`` for PostgreSQL, or ``sqlite:///path``.
    Unset: the embedded SQLite file ``var/civicpanel.sqlite`` under the current directory."""

    data_dir: Path = field(default_factory=lambda: Path.cwd() / "var")
    """``DATA_DIR``: where files people upload are kept (panel materials under ``materials/``),
    outside the static files. Unset: ``var/`` under the current directory."""

    council_name: str = "London Borough of Camden"
    """``COUNCIL_NAME``: shown in the header of every page and in reports."""

    council_postal_address: str = "Freepost CAMDEN COUNCIL CONSULTATIONS"
    """``COUNCIL_POSTAL_ADDRESS``: where residents post a paper questionnaire, printed at the top
    of its first page; commas start new lines. A Freepost address needs no stamp."""

    site_url: str = "http://127.0.0.1:8000"
    """``SITE_URL``: the public address (``https://panel.council.example``, no trailing slash).
    Every link in an email is built on it, never on the Host header a request arrived with.
    Required in production."""

    disclosure_threshold: int = 10
    """``DISCLOSURE_THRESHOLD``: published breakdown cells with fewer people than this are hidden
    (ONS practice is 10)."""

    recommendation_answer_weeks: int = 8
    """``RECOMMENDATION_ANSWER_WEEKS``: cabinet's home lists the Resident Panel's adopted
    recommendations still without the council's answer this many weeks after their vote ended."""

    personal_data_retention_months: int = 12
    """``RETENTION_MONTHS``: default months personal data is kept after a panel's last session or a
    consultation's close."""

    saved_answers_days: int = 30
    """``SAVED_ANSWERS_DAYS``: how long a resident's answers saved part-way through a questionnaire
    ("Save and come back later") are kept for them to carry on; the retention purge deletes them
    after that."""

    private_link_idle_months: int = 12
    """``PRIVATE_LINK_IDLE_MONTHS``: a resident's per-record private link (their registration,
    comment or questionnaire response) stops working after this many months without use; they ask
    for a new one by email, sent to the address held on the record."""
    login_max_failures: int = 5
    """``LOGIN_MAX_FAILURES``: failed sign-ins for one account from one address (or 4× this from
    one address, whatever the accounts) before that address must wait between attempts: 30 seconds,
    doubling with each further failure (``server/accounts/throttle.py``). Other addresses, the
    account's owner among them, are not slowed."""

    login_lockout_minutes: int = 15
    """``LOGIN_LOCKOUT_MINUTES``: the longest wait, in minutes, between attempts from an address
    that keeps failing."""

    session_max_age_hours: int = 8
    """``SESSION_MAX_AGE_HOURS``: staff are signed out after this many hours."""

    database_pool_size: int = 0
    """``DATABASE_POOL_SIZE``: PostgreSQL connection pool per worker (0 = a connection per query);
    on SQLite, any value above 0 gives each worker one shared read connection.
    ``civicpanel serve`` uses 10 unless this is set."""

    page_cache_seconds: int = 0
    """``PAGE_CACHE_SECONDS``: how long each worker keeps an anonymous visitor's copy of a public read
    page (home, hub, case study, published report); 0 turns it off. Default 5, and 0 in tests.
    See ``server/web/page_cache.py``."""

    smtp_host: str = ""
    """``SMTP_HOST``: the mail server. Unset: emails wait in the outbox (officers can read them
    there outside production)."""

    smtp_port: int = 587
    """``SMTP_PORT``: 587 for STARTTLS (the default), 465 for implicit TLS, 25 for a local relay."""

    smtp_username: str = ""
    """``SMTP_USERNAME``: sign-in for the mail server, if it needs one."""

    smtp_password: str = ""
    """``SMTP_PASSWORD``: its password."""

    smtp_security: str = "starttls"
    """``SMTP_SECURITY``: ``starttls`` (default), ``tls`` (implicit, port 465) or ``none`` (a local relay only)."""

    notify_api_key: str = ""
    """``NOTIFY_API_KEY``: a GOV.UK Notify API key (``name-serviceid-secret``). Set, emails go
    through Notify instead of SMTP, as many councils send theirs. Notify sends only from
    templates: make one email template whose subject is ``((subject))`` and whose message is
    ``((body))``, and give its id in ``NOTIFY_EMAIL_TEMPLATE_ID``."""

    notify_email_template_id: str = ""
    """``NOTIFY_EMAIL_TEMPLATE_ID``: that template's id (required with ``NOTIFY_API_KEY``)."""

    notify_letter_template_id: str = ""
    """``NOTIFY_LETTER_TEMPLATE_ID``: a Notify letter template for the civic lottery's invitations.
    Set, officers can have Notify print and post a batch of letters (see the README for its
    placeholders) instead of printing them and using a mailing house."""

    notify_sms_template_id: str = ""
    """``NOTIFY_SMS_TEMPLATE_ID``: a Notify text message template whose message is ``((body))``.
    Set, confirmed panel members who gave a telephone number get a text before each session."""

    notify_base_url: str = "https://api.notifications.service.gov.uk"
    """``NOTIFY_BASE_URL``: Notify's API (tests point it at a stand-in)."""

    mail_from: str = "Civic Panel <no-reply@council.example>"
    """``MAIL_FROM``: the sender shown on every email."""

    server_keep_alive_seconds: int = 5
    """``SERVER_KEEP_ALIVE_SECONDS``: an idle connection between requests is closed after this
    (uvicorn's ``timeout_keep_alive``). Keep it above the proxy's own upstream keep-alive."""

    server_request_head_seconds: int = 10
    """``SERVER_REQUEST_HEAD_SECONDS``: a connection whose request line and headers have not all
    arrived this many seconds after it opened (or after its previous response) is closed, so a
    client sending its headers a byte at a time cannot hold a connection ("slowloris").
    uvicorn has no such limit of its own: ``server/platform/serving.py`` adds it."""

    server_max_request_head_bytes: int = 65536
    """``SERVER_MAX_REQUEST_HEAD_BYTES``: the largest request line and headers taken (431
    otherwise); also h11's ``h11_max_incomplete_event_size``. Staff and questionnaire session
    cookies are several kilobytes, so not much below 32 KiB."""

    server_max_connections: int = 1000
    """``SERVER_MAX_CONNECTIONS``: open connections and requests in progress per worker before
    it answers 503 (uvicorn's ``limit_concurrency``)."""

    oidc_issuer: str = ""
    """``OIDC_ISSUER``: the council's OpenID Connect identity provider, e.g.
    ``https://login.microsoftonline.com/<tenant id>/v2.0`` for Microsoft Entra ID. With the client id
    and secret set, the sign-in page offers "Sign in with your council account"."""

    oidc_client_id: str = ""
    """``OIDC_CLIENT_ID``: this site's client (application) id at the provider."""

    oidc_client_secret: str = ""
    """``OIDC_CLIENT_SECRET``: its client secret."""

    oidc_group_roles: tuple[tuple[str, str], ...] = ()
    """``OIDC_GROUP_ROLES``: which groups (or app roles) give which role, as
    ``group=role`` pairs separated by commas (``5f0c…=officer,9ab1…=admin``). People in none of
    them cannot sign in with the provider."""

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)
    outbox_max_attempts: int = 5
    """``OUTBOX_MAX_ATTEMPTS``: an email that cannot be built or sent this many times is marked
    failed (administrators see it on the outbox page and can retry or discard it). Attempts wait
    1, 2, 4, 8… minutes after each failure (at most an hour)."""

    send_limit_per_recipient: int = 5
    """``SEND_LIMIT_PER_RECIPIENT``: emails public forms (panel registration, a copy of answers, a
    private link by email, a comment's notice) may send to one address within
    ``send_limit_window_minutes``."""

    send_limit_per_address: int = 20
    """``SEND_LIMIT_PER_ADDRESS``: such emails one client address may ask for within the window.
    Unset in tests: 1,000 for both limits, so suites that post many forms are not refused."""

    send_limit_window_minutes: int = 60
    """``SEND_LIMIT_WINDOW_MINUTES``: the window, in minutes, over which those emails are counted."""

    @property
    def sends_email(self) -> bool:
        return bool(self.smtp_host or self.notify_api_key)

    @property
    def sends_texts(self) -> bool:
        """True when GOV.UK Notify sends text messages (session reminders to members who gave a number)."""
        return bool(self.notify_api_key and self.notify_sms_template_id)

    @property
    def posts_letters(self) -> bool:
        """True when GOV.UK Notify can print and post the invitation letters."""
        return bool(self.notify_api_key and self.notify_letter_template_id)

    @property
    def mail_route(self) -> str:
        """How emails leave: ``notify`` (GOV.UK Notify), ``smtp``, or ``outbox`` (they wait there)."""
        return "notify" if self.notify_api_key else "smtp" if self.smtp_host else "outbox"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def private_link_idle_days(self) -> int:
        return self.private_link_idle_months * 30

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        environment = environ.get("CIVICPANEL_ENV", "development").strip() or "development"
        if environment not in ENVIRONMENTS:
            raise SettingsError(f"CIVICPANEL_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
        secret_key = environ.get("SECRET_KEY", "").strip()
        if not secret_key:
            if environment == "production":
                raise SettingsError("SECRET_KEY is required in production (at least 32 characters)")
            secret_key = DEVELOPMENT_SECRET
        if len(secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        if environment == "production" and secret_key == DEVELOPMENT_SECRET:
            raise SettingsError("SECRET_KEY must not be the development key in production")
        site_url = environ.get("SITE_URL", "").strip().rstrip("/")
        if not site_url and environment == "production":
            raise SettingsError("SITE_URL is required in production (the public address, like https://panel.council.example)")
        site_url = site_url or cls.site_url
        parts = urlsplit(site_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise SettingsError(f"SITE_URL must be an http:// or https:// address with no query, got {site_url!r}")
        database_url = database_url_from_env(environ)
        if not database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
            raise SettingsError("DATABASE_URL must start with sqlite:///, postgres:// or postgresql://")
        test_limit = 1000 if environment == "test" else 0
        return cls(
            environment=environment,
            secret_key=secret_key,
            database_url=database_url,
            data_dir=Path(environ.get("DATA_DIR", "").strip() or Path.cwd() / "var"),
            council_name=environ.get("COUNCIL_NAME", "").strip() or cls.council_name,
            council_postal_address=environ.get("COUNCIL_POSTAL_ADDRESS", "").strip() or cls.council_postal_address,
            site_url=site_url,
            disclosure_threshold=_int_from_env(environ, "DISCLOSURE_THRESHOLD", 10, minimum=1),
            recommendation_answer_weeks=_int_from_env(environ, "RECOMMENDATION_ANSWER_WEEKS", 8, minimum=1),
            personal_data_retention_months=_int_from_env(environ, "RETENTION_MONTHS", 12, minimum=1),
            private_link_idle_months=_int_from_env(environ, "PRIVATE_LINK_IDLE_MONTHS", 12, minimum=1),
            saved_answers_days=_int_from_env(environ, "SAVED_ANSWERS_DAYS", 30, minimum=1),
            login_max_failures=_int_from_env(environ, "LOGIN_MAX_FAILURES", 5, minimum=1),
            login_lockout_minutes=_int_from_env(environ, "LOGIN_LOCKOUT_MINUTES", 15, minimum=1),
            session_max_age_hours=_int_from_env(environ, "SESSION_MAX_AGE_HOURS", 8, minimum=1),
            database_pool_size=_int_from_env(environ, "DATABASE_POOL_SIZE", 0),
            page_cache_seconds=_int_from_env(environ, "PAGE_CACHE_SECONDS", 0 if environment == "test" else 5),
            smtp_host=environ.get("SMTP_HOST", "").strip(),
            smtp_port=_int_from_env(environ, "SMTP_PORT", 587, minimum=1),
            smtp_username=environ.get("SMTP_USERNAME", "").strip(),
            smtp_password=environ.get("SMTP_PASSWORD", ""),
            smtp_security=_choice_from_env(environ, "SMTP_SECURITY", ("starttls", "tls", "none"), "starttls"),
            **_notify_from_env(environ),
            mail_from=environ.get("MAIL_FROM", "").strip() or cls.mail_from,
            server_keep_alive_seconds=_int_from_env(environ, "SERVER_KEEP_ALIVE_SECONDS", 5, minimum=1),
            server_request_head_seconds=_int_from_env(environ, "SERVER_REQUEST_HEAD_SECONDS", 10, minimum=1),
            server_max_request_head_bytes=_int_from_env(environ, "SERVER_MAX_REQUEST_HEAD_BYTES", 65536, minimum=4096),
            server_max_connections=_int_from_env(environ, "SERVER_MAX_CONNECTIONS", 1000, minimum=1),
            oidc_issuer=environ.get("OIDC_ISSUER", "").strip(),
            oidc_client_id=environ.get("OIDC_CLIENT_ID", "").strip(),
            oidc_client_secret=environ.get("OIDC_CLIENT_SECRET", "").strip(),
            oidc_group_roles=_group_roles_from_env(environ.get("OIDC_GROUP_ROLES", "")),
            outbox_max_attempts=_int_from_env(environ, "OUTBOX_MAX_ATTEMPTS", 5, minimum=1),
            send_limit_per_recipient=_int_from_env(environ, "SEND_LIMIT_PER_RECIPIENT", test_limit or 5, minimum=1),
            send_limit_per_address=_int_from_env(environ, "SEND_LIMIT_PER_ADDRESS", test_limit or 20, minimum=1),
            send_limit_window_minutes=_int_from_env(environ, "SEND_LIMIT_WINDOW_MINUTES", 60, minimum=1),
        )


OIDC_ROLES = ("officer", "facilitator", "cabinet", "admin")
"""The staff roles (``server.tables.STAFF_ROLES``, not imported here: settings are read before the
database engine is configured)."""


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _notify_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The GOV.UK Notify settings, checked: a key ends with the service id and the secret (two
    UUIDs), and a key needs the email template's id."""
    key = environ.get("NOTIFY_API_KEY", "").strip()
    template = environ.get("NOTIFY_EMAIL_TEMPLATE_ID", "").strip().lower()
    base_url = environ.get("NOTIFY_BASE_URL", "").strip().rstrip("/") or Settings.notify_base_url
    if key:
        if len(key) < 74 or not _UUID.fullmatch(key[-73:-37].lower()) or not _UUID.fullmatch(key[-36:].lower()):
            raise SettingsError("NOTIFY_API_KEY must be a GOV.UK Notify API key: a name, the service id and the secret, "
                                "joined by hyphens (copy it whole from Notify's API integration page)")
        if not _UUID.fullmatch(template):
            raise SettingsError("NOTIFY_EMAIL_TEMPLATE_ID must be the id of a Notify email template whose subject is "
                                "((subject)) and whose message is ((body)), like 3d4f0c4e-…")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise SettingsError(f"NOTIFY_BASE_URL must be an http:// or https:// address, got {base_url!r}")
    letters = environ.get("NOTIFY_LETTER_TEMPLATE_ID", "").strip().lower()
    if letters and not (key and _UUID.fullmatch(letters)):
        raise SettingsError("NOTIFY_LETTER_TEMPLATE_ID must be the id of a Notify letter template, with NOTIFY_API_KEY set")
    texts = environ.get("NOTIFY_SMS_TEMPLATE_ID", "").strip().lower()
    if texts and not (key and _UUID.fullmatch(texts)):
        raise SettingsError("NOTIFY_SMS_TEMPLATE_ID must be the id of a Notify text message template whose message "
                            "is ((body)), with NOTIFY_API_KEY set")
    return {"notify_api_key": key, "notify_email_template_id": template, "notify_base_url": base_url,
            "notify_letter_template_id": letters, "notify_sms_template_id": texts}


def _group_roles_from_env(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        group, separator, role = item.rpartition("=")
        if not separator or not group.strip() or role.strip() not in OIDC_ROLES:
            raise SettingsError(f"OIDC_GROUP_ROLES must be group=role pairs (roles: {', '.join(OIDC_ROLES)}), got {item!r}")
        pairs.append((group.strip(), role.strip()))
    return tuple(pairs)
