"""Tables the server owns: staff accounts and their sessions, the audit log, the email outbox."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.base import OnDelete
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

STAFF_ROLES = ("officer", "facilitator", "cabinet", "admin")
"""officer: runs panels and consultations; cabinet: reads reports (aggregates only);
admin: manages staff accounts, retention and the audit log."""


class StaffUser(Table, tablename="staff_user"):
    email = Varchar(length=254, unique=True, index=True)
    display_name = Varchar(length=120)
    role = Varchar(length=20)
    password_hash = Text(secret=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    totp_secret = Text(default="", secret=True)
    """The authenticator app's shared secret, encrypted with a key derived from ``SECRET_KEY``
    (``server/accounts/two_factor.py``); empty when two-factor sign-in is not set up."""
    totp_pending_secret = Text(default="", secret=True)
    """A secret being set up (shown as a QR code, not yet confirmed with a code), encrypted the same way."""
    totp_enabled_at = Timestamptz(null=True, default=None)
    totp_last_step = Integer(default=0)
    """The 30-second step of the last code accepted: a code is never accepted twice."""


class StaffSession(Table, tablename="staff_session"):
    """A signed-in browser. The cookie holds only a random token; its SHA-256 is stored here, so
    signing out (or an administrator disabling the account) ends the session on every worker."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class StaffPasswordLink(Table, tablename="staff_password_link"):
    """A one-time link to set a staff member's password, emailed to them when an administrator
    creates their account or sends them one: no one else ever sees or sets their password. Only
    the token's SHA-256 is stored; the row is deleted when the link is used or a newer one sent."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class StaffRecoveryCode(Table, tablename="staff_recovery_code"):
    """A one-time code that signs in instead of the authenticator app; only its SHA-256 is kept,
    and the row is deleted when used."""

    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64, index=True)


class SiteSetting(Table, tablename="site_setting"):
    """Settings administrators change on the site, not in the environment (``require_two_factor``)."""

    key = Varchar(length=60, unique=True)
    value = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class SignInFailure(Table, tablename="sign_in_failure"):
    """A failed staff sign-in, counted to slow down guessing (``server/accounts/throttle.py``).
    Holds no email: ``account_key`` is a keyed hash of the email typed. Rows older than a day are
    deleted as new ones arrive, and a successful sign-in deletes its account's rows for its address."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    ip_address = Varchar(length=64, index=True)
    account_key = Varchar(length=64, index=True)


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what to which record, when, and why. Append-only: nothing in the app updates or
    deletes a row."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=254, index=True)
    """The staff member's email, ``anonymous``, ``resident`` or ``system``."""
    action = Varchar(length=60, index=True, index_method=IndexMethod.btree)
    object_type = Varchar(length=60, default="")
    object_id = Varchar(length=120, default="")
    detail = Text(default="")
    reason = Text(default="")
    ip_address = Varchar(length=64, default="")


class PersonalDataLink(Table, tablename="personal_data_link"):
    """A private link, asked for by email, to everything held under that email address. Only the
    token's SHA-256 is stored; the link stops working at ``expires_at``."""

    token_hash = Varchar(length=64, unique=True, index=True)
    email = Varchar(length=254)
    """The address the link was sent to."""
    email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of the address, as matched against residents' records."""
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class OutboxEmail(Table, tablename="outbox_email"):
    """Emails waiting to be sent (or sent): domain code returns what to send and the server
    writes it here, so that nothing is lost when the mail server is down."""

    to_address = Varchar(length=254)
    """The email address; empty for a text message."""
    channel = Varchar(length=10, default="email")
    """``email``, or ``sms``: a text message to ``to_phone``, sent through GOV.UK Notify when
    ``NOTIFY_SMS_TEMPLATE_ID`` is set (``subject`` then only names it in the outbox)."""
    to_phone = Varchar(length=40, default="")
    about = Varchar(length=80, default="", index=True)
    """The record the message is about, as ``table:id`` (``case_study_comment:42``,
    ``panel_volunteer:7``, ``consultation_response:3``, ``personal_data_link:5``): erasing a record
    deletes the messages about it, and only those."""
    subject = Varchar(length=200)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None, index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    claimed_until = Timestamptz(null=True, default=None)
    """A sender holds a row until then, so two workers never send the same email twice; after a
    failed attempt, the row waits until then before the next (the back-off)."""
    failed_at = Timestamptz(null=True, default=None, index=True)
    """Set when the email could not be built or sent ``OUTBOX_MAX_ATTEMPTS`` times: the sender
    leaves it alone until an administrator retries or discards it."""
    unsubscribe_link = Varchar(length=500, default="")
    """The one-click link that stops emails of this kind (a follower's), sent as the
    ``List-Unsubscribe`` header; empty for emails that are not a subscription."""
    attachment_name = Varchar(length=100, default="")
    """The file name of a text attachment (``panel-sessions.ics``); empty: no attachment."""
    attachment_text = Text(default="")
    """The attachment's content (a calendar file), sent as ``text/calendar`` for ``.ics`` names."""


class SendLimitEvent(Table, tablename="send_limit_event"):
    """One email a public form asked the platform to send, counted against a client address or a
    recipient (``server.services.send_limits``). Holds keyed hashes, never the address itself;
    rows older than the longest window are deleted as new ones are written."""

    key_hash = Varchar(length=64, index=True)
    """HMAC-SHA256 (hex) of ``"address:<ip>"`` or ``"recipient:<normalised email>"`` under SECRET_KEY."""
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class FormatRequest(Table, tablename="format_request"):
    """A resident's request for a page in another language or format (a translation, large print,
    audio, Easy Read). It reaches officers as a task; it is personal data (an email address and
    what they wrote), reached and erased with the rest of what is held under that address."""

    page_kind = Varchar(length=20)
    """``consultation``, ``case_study`` or ``panel``."""
    page_slug = Varchar(length=200)
    page_title = Varchar(length=300)
    """The page's title when the request was made, so the task reads well if the page moves."""
    wanted = Varchar(length=20)
    """``translation``, ``large_print``, ``audio`` or ``easy_read``."""
    language = Varchar(length=100, default="")
    """The language asked for, in the resident's words (for a translation)."""
    email = Varchar(length=254)
    email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of the address."""
    purpose = Text(default="")
    """What they need it for, in their words (optional)."""
    locale = Varchar(length=20, default="en_GB")
    """The language the site was in when they asked: the one to answer them in."""
    created_at = Timestamptz(default=TimestamptzNow())
    done_at = Timestamptz(null=True, default=None)
    done_by = Varchar(length=254, default="")


class CatalogueReview(Table, tablename="catalogue_review"):
    """A shipped interface catalogue that an officer has marked as reviewed by a fluent speaker.
    A locale with no row here "needs review by a fluent speaker"."""

    locale = Varchar(length=20, unique=True)
    reviewed_at = Timestamptz(default=TimestamptzNow())
    reviewed_by = Varchar(length=254)


class FollowAnnouncement(Table, tablename="follow_announcement"):
    """An event followers have been told of (``vote_results:12``): a unique key, so that an
    officer's action and the background check, on any worker, tell them once."""

    event = Varchar(length=120, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Follow(Table, tablename="follow"):
    """Someone following a consultation, panel, recommendation or commitment by email, with no
    account (``server.services.follows``). Double opt-in: nothing is sent to the address but the
    confirmation until ``confirmed_at`` is set; an unconfirmed follow expires. Personal data: found
    and erased with everything else held under the address, deleted after the retention period."""

    subject_kind = Varchar(length=20, index=True)
    """``consultation``, ``panel``, ``recommendation`` or ``commitment``."""
    subject_key = Varchar(length=200, index=True)
    """Which one: a consultation's or panel's slug, ``panel_id/recommendation_id``, ``charter/key``."""
    subject_title = Varchar(length=300)
    """Its title when followed, so the follower's own data reads well if it moves."""
    email = Varchar(length=254)
    email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of the address."""
    locale = Varchar(length=20, default="en_GB")
    """The language the site was in when they followed: every email to them is written in it."""
    token_hash = Varchar(length=64, unique=True, index=True)
    """SHA-256 of the confirmation link's token."""
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None, index=True)
