"""Tables of the surveys package: consultations and their questionnaires, the responses residents
give (online, on paper, by email, in focus groups), and the case studies residents comment on.

A questionnaire is one JSON document on its consultation (``Consultation.questionnaire_json``,
read and written through ``surveys.questionnaire``): the builder edits it as a whole, and a
response keeps its answers as a JSON object keyed by question key, so an answer never points at a
row that an edit could renumber. Once responses exist the document can only change in ways that
keep every collected answer meaningful (see ``surveys.questionnaire.check_change_allowed``).
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

AUDIENCES = ("public", "panel")
"""``public``: anyone may answer; ``panel``: Resident Panel members only."""

CHANNELS = ("online", "paper", "email", "focus_group", "panel_session")
"""How a response reached the council; ``panel_session``: answered at a Resident Panel session."""

COMMENT_STATES = ("pending", "published", "rejected", "hidden", "erased")
"""``pending``: waiting for a moderator (pre-moderation); ``published``: shown; ``rejected``:
never shown, with a house-rule reason; ``hidden``: was published, reported by enough people,
waiting for review; ``erased``: its author erased it (text, name and email are gone; the row stays
only so that replies to it keep their place)."""


class Consultation(Table, tablename="consultation"):
    slug = Varchar(length=100, unique=True, index=True)
    title = Varchar(length=200)
    summary = Text(default="")
    opens_on = Date()
    closes_on = Date()
    """The last day responses are accepted (inclusive)."""
    created_at = Timestamptz(default=TimestamptzNow())
    body = Text(default="")
    """Markdown, rendered through ``surveys.markdown.render_markdown`` (sanitised)."""
    audience = Varchar(length=20, default="public")
    contact_email = Varchar(length=254, default="")
    other_formats = Text(default="")
    """How to ask for the consultation in another format (large print, Easy Read, a language)."""
    questionnaire_json = Text(default="")
    """The questionnaire document; empty when the consultation has none yet."""
    results_due_on = Date(null=True, default=None)
    """When the council expects to publish the results, shown on the consultation's page once it
    has closed; None: not said."""
    retention_months = Integer(null=True, default=None)
    """Months after ``closes_on`` that respondents' contact details are kept; None: the
    ``RETENTION_MONTHS`` setting."""
    is_draft = Boolean(default=False)
    """True from creation until an officer publishes it: a draft is seen by officers only (their
    preview), never by the public. False for every consultation made before drafts existed."""
    published_at = Timestamptz(null=True, default=None)
    """When an officer published it (None for a draft, and for those published before drafts)."""


class CaseStudy(Table, tablename="case_study"):
    slug = Varchar(length=100, unique=True, index=True)
    title = Varchar(length=200)
    summary = Text(default="")
    published_at = Timestamptz(null=True, default=None)
    """When it was first made public; None while it is a draft. Kept when the case study is
    withdrawn, so the commitment tracker counts it once, in the year it was first published."""
    withdrawn_at = Timestamptz(null=True, default=None)
    """When an officer withdrew it from public view; None while it is public (or a draft)."""
    body = Text(default="")
    """Markdown, sanitised on rendering."""
    purpose = Text(default="")
    data_used = Text(default="")
    data_sources = Text(default="")
    legal_basis = Text(default="")
    who_can_see = Text(default="")
    retention = Text(default="")
    decision_making = Text(default="")
    """Whether decisions are made by people, automatically, or by people helped by a model."""
    comments_open = Boolean(default=True)
    premoderated = Boolean(default=True)
    """True (the default): a comment appears only after a moderator approves it."""
    created_at = Timestamptz(default=TimestamptzNow())


class Comment(Table, tablename="case_study_comment"):
    """A resident's comment on a case study. ``parent`` is a top-level comment for a reply (one
    level of replies only). The author's private link holds a random token; only its SHA-256
    is stored. The address is stored only as a salted hash, for the rate limit."""

    case_study = ForeignKey(references=CaseStudy, on_delete=OnDelete.cascade, index=True)
    parent = ForeignKey(references="self", null=True, default=None, on_delete=OnDelete.cascade)
    display_name = Varchar(length=80, default="")
    email = Varchar(length=254, default="")
    email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of ``email``: the only column addresses are matched on."""
    body = Text()
    state = Varchar(length=20, default="pending", index=True)
    reason = Varchar(length=40, default="")
    """A house-rule key (``surveys.house_rules``) when rejected or redacted."""
    original_body = Text(default="")
    """The text before a redaction, kept only for the audit period (then purged)."""
    redacted_at = Timestamptz(null=True, default=None)
    moderated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    published_at = Timestamptz(null=True, default=None)
    author_token_hash = Varchar(length=64, unique=True, index=True)
    ip_hash = Varchar(length=64, default="", index=True)
    report_count = Integer(default=0)
    link_active_at = Timestamptz(null=True, default=None)
    """When the author's private link was issued or last used; it stops working
    ``PRIVATE_LINK_IDLE_MONTHS`` later (the author asks for a new one by email)."""
    locale = Varchar(length=20, default="en_GB")
    """The language the author wrote in when they gave their address: later emails to them
    (the moderator's decision) are written in it."""


class CommentReport(Table, tablename="case_study_comment_report"):
    """One person's report of a published comment; one per reporter (hashed address) and comment."""

    comment = ForeignKey(references=Comment, on_delete=OnDelete.cascade, index=True)
    reporter_hash = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())


class SurveyResponse(Table, tablename="consultation_response"):
    """One completed questionnaire. ``answers_json`` maps question key to the answer: a label for
    choice questions, a list of labels for multiple choice, text, or a number."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    reference = Varchar(length=20, index=True)
    """Shown to the resident on the confirmation page, e.g. ``R-7KQ2-M9XD``; unique within its
    consultation (checked by the services), so an export imports into a copy of the consultation."""
    channel = Varchar(length=20, default="online")
    idempotency_key = Varchar(length=64, null=True, default=None, unique=True)
    """The online flow's random key: a second submit with it finds the first response."""
    submitted_at = Timestamptz(default=TimestamptzNow(), index=True)
    entered_by = Varchar(length=254, default="")
    """The officer who typed or imported a paper response; empty for online responses."""
    answers_json = Text(default="{}")
    answers_changed_at = Timestamptz(null=True, default=None)
    """When the answers were last replaced (a second submit under the same key); null when they
    never were. Part of the key the report's statistics are kept under."""
    contact_email = Varchar(length=254, default="")
    """Given only by a respondent who asked for a copy of their answers and news of the results;
    deleted on erasure or when the consultation's retention period ends (the answers stay, anonymous)."""
    contact_email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of ``contact_email``: the only column addresses are matched on."""
    contact_token_hash = Varchar(length=64, null=True, default=None, index=True)
    """SHA-256 of the respondent's private link token (only when they gave an email)."""
    consent_at = Timestamptz(null=True, default=None)
    """When the respondent agreed to the contact-details text."""
    link_active_at = Timestamptz(null=True, default=None)
    """When the respondent's private link was issued or last used; it stops working
    ``PRIVATE_LINK_IDLE_MONTHS`` later (the respondent asks for a new one by email)."""
    contact_locale = Varchar(length=20, default="en_GB")
    """The language the respondent answered in when they gave their address: the email telling
    them the results are published is written in it."""
    locale = Varchar(length=20, default="en_GB")
    """The language the questionnaire was answered in (the language of the pages the respondent
    saw, or of the paper copy an officer typed in). Closed answers are stored by their English
    option labels whatever the language, so they pool; free text is in this language."""


class QuestionnaireStart(Table, tablename="consultation_questionnaire_start"):
    """Someone answered the first page of a questionnaire online: the denominator of the
    completion rate officers see while a consultation is open. ``idempotency_key`` is the key the
    response will carry, so a start is complete when a response has the same key; a panel member
    changing their answers starts nothing new. Holds nothing about the person."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    idempotency_key = Varchar(length=64, unique=True)
    started_at = Timestamptz(default=TimestamptzNow())
    furthest_section = Integer(default=1)
    """The highest section number (from 1) answered so far: where those who do not send their
    response stopped."""


class SavedAnswers(Table, tablename="consultation_saved_answers"):
    """A resident's answers part-way through a questionnaire, kept so that they can carry on later
    with the private link emailed to them ("Save and come back later"). Only the SHA-256 of the
    link's token is stored. Deleted when the response is sent, when the resident erases it, or by
    the retention purge once ``expires_at`` has passed."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    email = Varchar(length=254)
    email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of ``email``: the only column addresses are matched on."""
    idempotency_key = Varchar(length=64)
    """The key the response will carry, so that resuming twice still sends one response."""
    answers_json = Text(default="{}")
    furthest_section = Integer(default=0)
    saved_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)


class ResponseFile(Table, tablename="consultation_response_file"):
    """A file a resident sent with a file-upload question, kept under ``DATA_DIR/responses/``
    (never under the static files). Stored as soon as its page is submitted, under the
    idempotency key of the response in progress (``response`` empty: pending); sending the
    response attaches it. A pending file whose answers were neither sent nor saved for later is
    deleted by the retention purge, and so is every file once its consultation's retention ends."""

    file_key = Varchar(length=64, unique=True)
    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    idempotency_key = Varchar(length=64, index=True)
    response = ForeignKey(references=SurveyResponse, on_delete=OnDelete.set_null, null=True, index=True)
    file_name = Varchar(length=200)
    content_type = Varchar(length=40)
    size_bytes = Integer(default=0)
    uploaded_at = Timestamptz(default=TimestamptzNow(), index=True)
