"""Tables of the analysis package: a charter and its numbered principles.

The charter lives here, not in surveys, so that surveys stays unaware of charters: links from a
case study or consultation to the principles it touches belong to this package too.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Bytea, Date, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from panels.tables import Panel, PanelSession, Recommendation, Volunteer
from surveys.tables import CaseStudy, Comment, Consultation, SurveyResponse


class Charter(Table, tablename="charter"):
    slug = Varchar(length=100, unique=True, index=True)
    name = Varchar(length=200)
    organisation = Varchar(length=200)
    adopted_on = Date(null=True, default=None)
    url = Varchar(length=500, default="")
    summary = Text(default="")


class Principle(Table, tablename="charter_principle"):
    charter = ForeignKey(references=Charter)
    number = Integer()
    title = Varchar(length=300)
    description = Text(default="")


class Commitment(Table, tablename="charter_commitment"):
    """A commitment made in response to a charter (see ``analysis.commitments.model.Commitment``
    for what each field means). ``key`` is unique within its charter, checked by the services.

    Edits rewrite this row in place: a past report reproduces exactly through its saved
    snapshot (``CommitmentReportSnapshot``), and every edit is in the audit log with the old
    values. Updates, which is what statuses are built from, are append-only.
    """

    charter = ForeignKey(references=Charter, index=True)
    key = Varchar(length=20)
    title = Varchar(length=300)
    text = Text(default="")
    kind = Varchar(length=20)
    principles = Varchar(length=100, default="")
    """Principle numbers separated by ``;``, e.g. ``1;3``."""
    owner = Varchar(length=200)
    """A role or team, never a person's name."""
    made_on = Date()
    deadline_date = Date(null=True, default=None)
    deadline_event = Varchar(length=40, default="")
    repeats = Varchar(length=30, default="")
    first_period_start = Date(null=True, default=None)
    evidence_source = Varchar(length=60, default="")
    direction = Varchar(length=20, default="")
    recorded_at = Timestamptz(null=True, default=None)
    """When it was entered; null for records migrated from before the platform (the demo),
    which reports treat as known from ``made_on``."""


class CommitmentUpdate(Table, tablename="charter_commitment_update"):
    """One report on a commitment. Only ever inserted: a correction is a later update."""

    commitment = ForeignKey(references=Commitment, index=True)
    effective_on = Date()
    recorded_at = Timestamptz()
    status = Varchar(length=20)
    note = Text(default="")
    evidence_url = Varchar(length=500, default="")
    metric_value = DoublePrecision(null=True, default=None)
    metric_period_start = Date(null=True, default=None)
    metric_period_end = Date(null=True, default=None)
    recorded_by = Varchar(length=254, default="")
    """The officer's email, for accountability; never shown to cabinet or the public."""


class CommitmentReportSnapshot(Table, tablename="charter_commitment_snapshot"):
    """A saved cabinet report: the JSON and CSV exactly as they were downloaded on the day.
    Never updated or deleted, so an older report reads the same for ever."""

    charter = ForeignKey(references=Charter, index=True)
    as_of = Date()
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=254, default="")
    """Staff email; shown to nobody but administrators through the audit log."""
    document_json = Text()
    open_data_csv = Text()


# ---------------------------------------------------------------- "We asked, You said, We did" reports

class ReportDraft(Table, tablename="report_draft"):
    """The officer's words around a consultation's report: one row per consultation, edited in
    place (the published versions are the record)."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, unique=True, index=True)
    purpose = Text(default="")
    """"We asked": why the council consulted, in plain English."""
    channels_note = Text(default="")
    """Other ways people were reached (focus groups, panel sessions, drop-ins) with numbers."""
    census_file = Varchar(length=100, default="")
    """A census file shipped in ``panels/census_data`` to weight to; empty for unweighted."""
    updated_at = Timestamptz(default=TimestamptzNow())
    reach_json = Text(default="{}")
    """"We asked": how many people each channel reached, as the officer counted them —
    ``{channel: {"reached": int, "how": str}}`` (e.g. panel session attendees, leaflets
    delivered); see ``analysis.reports.store.REACH_CHANNELS``."""
    findings = Text(default="")
    """"You said": the officer's main findings, one a line; empty for the sentences drafted from
    the statistics (``analysis.reports.summary``)."""
    easy_read_json = Text(default="[]")
    """The Easy Read version of the summary: ``[{"icon": name, "text": sentence}, …]``, one point
    each (``analysis.reports.easy_read``); copied into the version when it is published."""


class ReportAction(Table, tablename="report_action"):
    """One "We did" action: what was or will be done, by when, by whom (a team, never a person)."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    action = Text()
    due_on = Date(null=True, default=None)
    owner = Varchar(length=200)
    done = Boolean(default=False)
    commitments = Varchar(length=500, default="")
    """Cited commitments as ``charter-slug/KEY`` separated by ``;``."""
    created_at = Timestamptz(default=TimestamptzNow())


class ReportTheme(Table, tablename="report_theme"):
    """An officer's theme for a consultation's free-text answers (Citizen Space-style tagging)."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    description = Text(default="")


class ReportThemeTag(Table, tablename="report_theme_tag"):
    """A free-text answer (response × question) tagged with a theme."""

    theme = ForeignKey(references=ReportTheme, on_delete=OnDelete.cascade, index=True)
    response = ForeignKey(references=SurveyResponse, on_delete=OnDelete.cascade, index=True)
    question_key = Varchar(length=80)
    tagged_by = Varchar(length=254, default="")
    """The officer's email (empty for tags made before it was kept): a double-coding check must be
    made by someone else."""


class ReportCodingSample(Table, tablename="report_coding_sample"):
    """A comment drawn for the double-coding check of one free-text question: a second officer
    codes it without seeing the first coding (``ReportCodingCheck``), and Cohen's kappa compares
    the two (``analysis.reports.coding``). ``checked_by`` is set once it is coded, even with no theme."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    response = ForeignKey(references=SurveyResponse, on_delete=OnDelete.cascade, index=True)
    question_key = Varchar(length=80)
    position = Integer()
    drawn_by = Varchar(length=254, default="")
    drawn_at = Timestamptz(default=TimestamptzNow())
    checked_by = Varchar(length=254, default="")
    checked_at = Timestamptz(null=True, default=None)


class ReportCodingCheck(Table, tablename="report_coding_check"):
    """A theme the second coder gave a sampled comment."""

    sample = ForeignKey(references=ReportCodingSample, on_delete=OnDelete.cascade, index=True)
    theme = ForeignKey(references=ReportTheme, on_delete=OnDelete.cascade, index=True)


class ReportQuote(Table, tablename="report_quote"):
    """A quote an officer chose from a free-text answer (``response`` and ``question_key``) or
    from a published comment on a related case study (``comment``). ``text`` is what is
    published: the source's own words, possibly shortened with an ellipsis (checked by
    ``analysis.reports.quotes``), never a name."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    response = ForeignKey(references=SurveyResponse, on_delete=OnDelete.set_null, null=True, default=None)
    question_key = Varchar(length=80)
    comment = ForeignKey(references=Comment, on_delete=OnDelete.set_null, null=True, default=None)
    """The case-study comment quoted, when the quote is not from a questionnaire answer."""
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class ReportVersion(Table, tablename="report_version"):
    """A published report: the JSON, CSV, HTML fragment and images exactly as published. Never
    deleted, and updated only to take out a quote whose comment its author erased
    (``analysis.reports.store.forget_quotes_of_comments``); otherwise version n reads the same for ever."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    title = Varchar(length=300)
    published_at = Timestamptz(default=TimestamptzNow())
    published_by = Varchar(length=254, default="")
    """Staff email; shown to nobody but administrators through the audit log."""
    document_json = Text()
    open_data_csv = Text()
    html = Text()
    images_json = Text(default="{}")
    """``{name: {"png": base64, "alt": str}}``: charts and word clouds as published."""
    easy_read_json = Text(default="[]")
    """The Easy Read points as published with this version (``[]``: none). Set when the version
    is published, or once afterwards for a version published without one; never changed again."""


class ReportStatisticsCache(Table, tablename="report_statistics_cache"):
    """A consultation's report statistics and word clouds as last built, shared by every worker
    process: the draft page reuses them while ``key`` still matches (the responses, the census
    chosen, the disclosure threshold, the published versions, the language and the code; see
    ``analysis.reports.statistics_cache``). Rebuilt, never updated in place, when it does not."""

    consultation = ForeignKey(references=Consultation, on_delete=OnDelete.cascade, index=True)
    key = Varchar(length=64)
    payload = Bytea()
    """The pickled ``analysis.reports.build.Statistics`` (written only by this application)."""
    built_at = Timestamptz(default=TimestamptzNow())


# ---------------------------------------------------------------- the council's answer to the panel

class CouncilResponse(Table, tablename="council_response"):
    """The council's answer to one recommendation of a Resident Panel, edited in place (every
    change is in the audit log with the old values)."""

    recommendation = ForeignKey(references=Recommendation, on_delete=OnDelete.cascade, unique=True, index=True)
    outcome = Varchar(length=30)
    """accepted, accepted_in_part, not_accepted or under_consideration."""
    reasons = Text(default="")
    decision = Varchar(length=300, default="")
    """Who decided and when, as it is cited: "Cabinet, 19 January 2022"."""
    decided_on = Date(null=True, default=None)
    owner = Varchar(length=200, default="")
    """A role or team, never a person's name."""
    recorded_by = Varchar(length=254, default="")
    recorded_at = Timestamptz(default=TimestamptzNow())


class ResponseCommitment(Table, tablename="council_response_commitment"):
    """A charter commitment created by, or linked to, the council's response to a recommendation."""

    response = ForeignKey(references=CouncilResponse, on_delete=OnDelete.cascade, index=True)
    commitment = ForeignKey(references=Commitment, on_delete=OnDelete.cascade, index=True)


# ---------------------------------------------------------------- the panel's reviews against a charter

class CharterReview(Table, tablename="charter_review"):
    """A data use put before a Resident Panel, to rate against each principle of a charter: a
    published case study, or a project described for the panel (``description``). Members rate it
    online until ``closes_on``, or on paper at a session; the result is published once it ends."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade, index=True)
    charter = ForeignKey(references=Charter, on_delete=OnDelete.cascade)
    case_study = ForeignKey(references=CaseStudy, on_delete=OnDelete.set_null, null=True, default=None)
    """The case study under review, whose page shows the result; empty for a project described here."""
    title = Varchar(length=200)
    description = Text(default="")
    """The project as described for the panel (plain text); for a case study, an optional note."""
    opened_on = Date()
    closes_on = Date()
    closed_on = Date(null=True, default=None)
    """When an officer closed the review early."""
    opened_by = Varchar(length=254, default="")
    reply = Text(default="")
    """The council's reply to the panel's view, published beside it."""
    replied_on = Date(null=True, default=None)
    replied_by = Varchar(length=254, default="")


class CharterReviewCast(Table, tablename="charter_review_cast"):
    """The register: this member has rated this data use (online or on paper). Says nothing of how."""

    review = ForeignKey(references=CharterReview, on_delete=OnDelete.cascade, index=True)
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade)
    marker = Varchar(length=40, unique=True)
    """``review:volunteer``: the unique key that stops a second rating."""


class CharterReviewTally(Table, tablename="charter_review_tally"):
    """How many members gave one rating against one principle, online or on one session's paper
    forms. No row per member, so nothing joins a member to a rating (``analysis.charter.reviews``)."""

    review = ForeignKey(references=CharterReview, on_delete=OnDelete.cascade, index=True)
    principle = ForeignKey(references=Principle, on_delete=OnDelete.cascade)
    rating = Varchar(length=20)
    session = ForeignKey(references=PanelSession, null=True, default=None, on_delete=OnDelete.set_null)
    count = Integer(default=0)


class CharterReviewReason(Table, tablename="charter_review_reason"):
    """One reason a member gave for a rating against a principle: no name, no time, and shown and
    kept in the random order of ``shuffle``, so reasons cannot be put together member by member."""

    review = ForeignKey(references=CharterReview, on_delete=OnDelete.cascade, index=True)
    principle = ForeignKey(references=Principle, on_delete=OnDelete.cascade)
    rating = Varchar(length=20)
    text = Text()
    shuffle = Varchar(length=32, index=True)


class CharterReviewPaperBatch(Table, tablename="charter_review_paper_batch"):
    """The paper review forms of one session, as a facilitator entered their totals."""

    review = ForeignKey(references=CharterReview, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(references=PanelSession, on_delete=OnDelete.cascade)
    forms = Integer(default=0)
    entered_by = Varchar(length=254, default="")
    entered_on = Date()


# ---------------------------------------------------------------- content in several languages

class ContentTranslation(Table, tablename="content_translation"):
    """One field of one piece of content in one language, written by an officer: the words a
    reader in ``locale`` sees instead of the English (``common.content_translation.overlay``).
    Generic over the kinds of content (``analysis.translations.content.KINDS``: a case study, a
    consultation with its questionnaire, a panel's page, a published report's summary), so it
    lives in the lowest package that sees both panels and surveys. ``object_id`` is the row's id
    in the kind's own table; ``field`` a name the kind defines (``title``,
    ``question.<key>.option|<label>``…). A field left blank has no row."""

    kind = Varchar(length=30, index=True)
    object_id = Integer(index=True)
    locale = Varchar(length=20)
    field = Varchar(length=400)
    text = Text(default="")
    updated_by = Varchar(length=254, default="")
    """The officer's email (staff are accountable by name)."""
    updated_at = Timestamptz(default=TimestamptzNow())
