"""Tables of the panels package: a Resident Panel, its sessions, quotas, volunteers, selection
runs, attendance and vouchers.

Columns added after the first release are nullable or have defaults, so that the migration
applies on SQLite as well as PostgreSQL. JSON values are stored as text (``json.dumps``) so
they read back the same on both engines.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Real, Text, Time, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Panel(Table, tablename="panel"):
    name = Varchar(length=200)
    slug = Varchar(length=100, unique=True, index=True)
    year = Integer()
    panel_size = Integer()
    """k: how many members the panel seats."""
    created_at = Timestamptz(default=TimestamptzNow())
    description = Text(default="")
    registration_deadline = Timestamptz(null=True, default=None)
    """Registration closes at this moment (UTC)."""
    voucher_pence = Integer(default=0)
    """Thank-you voucher per member, in pence (3000 = £30)."""
    household_rule = Boolean(default=False)
    """At most one member per household when on."""
    retention_days = Integer(default=365)
    """Days after the last session before volunteers' personal data is deleted."""
    postcode_prefixes = Varchar(length=300, default="")
    """Space-separated outward-code prefixes the borough covers (e.g. ``NW1 NW3 WC1``); empty: any UK postcode."""
    prefer_not_to_say = Boolean(default=True)
    census_file = Varchar(length=120, default="")
    """Shipped census file name, or ``upload:<name>`` for a file an officer uploaded."""
    census_csv = Text(default="")
    """The census text the quotas came from (kept so that the quotas can be explained later)."""
    tenure_prefix = Varchar(length=20, default="households")
    tolerance = Real(default=0.2)
    consent_version = Varchar(length=40, default="2026-1")
    materials = Text(default="")
    """What members read before the sessions (plain text, shown on their private page)."""
    adults_per_letter = Integer(default=2)
    """How many adults at one address may register with one letter's code (``panels.letters``)."""
    registration_opens_at = Timestamptz(null=True, default=None)
    """Registration opens at this moment (UTC); empty: as soon as the quotas are set."""
    registration_switch = Varchar(length=10, default="")
    """The officer's switch (``panels.lifecycle``): "" follows the dates, "open" opens before the
    opening date, "closed" closes before the deadline. No switch opens registration after the
    deadline or the draw."""
    archived_at = Timestamptz(null=True, default=None)
    """When an officer archived the panel: off the public list of current panels, kept among past ones."""


class PanelSession(Table, tablename="panel_session"):
    """A meeting of the panel. A session held is platform evidence for commitments such as
    "hold a Resident Panel annually"."""

    panel = ForeignKey(references=Panel)
    title = Varchar(length=200)
    held_on = Date()
    starts_at = Time()
    ends_at = Time()
    place = Varchar(length=300, default="")
    agenda = Text(default="")
    """The session's agenda, one item a line ("10:00 Welcome and ground rules"), shown to members
    and facilitators."""


class PanelQuota(Table, tablename="panel_quota"):
    """The quota of one category of one dimension (``panels.quotas.QuotaRow``), as the officer left it."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade)
    position = Integer(default=0)
    dimension = Varchar(length=60)
    category = Varchar(length=200)
    census_share = Real(null=True, default=None)
    target = Real(default=0.0)
    quota_min = Integer(default=0)
    quota_max = Integer(default=0)


class LetterBatch(Table, tablename="panel_letter_batch"):
    """One mailing of invitation letters: a draw of addresses by ward (``panels.letter_draw``),
    with what it takes to draw it again: the seed, the address file's fingerprint, the number of
    letters and the ward weights."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade)
    seed = Varchar(length=300)
    address_fingerprint = Varchar(length=64)
    """SHA-256 (hex) of the address file's bytes."""
    address_count = Integer(default=0)
    letters = Integer(default=0)
    ward_weights = Text(default="{}")
    """JSON {ward: weight} of the wards weighted other than 1."""
    wards_json = Text(default="[]")
    """JSON list of {ward, addresses, weight, letters}: the draw's summary."""
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Letter(Table, tablename="panel_letter"):
    """An invitation letter to one address, and its registration code. The code is stored as
    printed (not hashed): it admits only a registration, and the officer prints the letters and
    the mailing file again from these rows."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade)
    batch = ForeignKey(references=LetterBatch, on_delete=OnDelete.cascade)
    uprn = Varchar(length=12)
    address = Text(default="")
    """The address lines, one per line (no postcode)."""
    postcode = Varchar(length=10, default="")
    ward = Varchar(length=100, default="")
    code = Varchar(length=9, unique=True, index=True)
    used_count = Integer(default=0)
    """Registrations made with the code (at most the panel's ``adults_per_letter``)."""
    post_requested_at = Timestamptz(null=True, default=None)
    """When an officer asked GOV.UK Notify to print and post it (``panels.letter_post``)."""
    post_claimed_until = Timestamptz(null=True, default=None)
    """A sender is posting it, or it waits after a failed attempt, until then."""
    posted_at = Timestamptz(null=True, default=None)
    """When Notify accepted it for printing and posting."""
    post_notification_id = Varchar(length=40, default="")
    post_attempts = Integer(default=0)
    post_error = Varchar(length=500, default="")
    post_failed_at = Timestamptz(null=True, default=None)


class ImportBatch(Table, tablename="panel_import_batch"):
    """One CSV file of volunteers an officer imported, with the lawful basis (UK GDPR Article 6)
    and the privacy-notice or consent wording the officer says those people were shown. Imported
    volunteers carry this, never the panel's own consent text, which they did not see."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade)
    file_name = Varchar(length=200, default="")
    file_fingerprint = Varchar(length=64, default="")
    """SHA-256 (hex) of the file's bytes."""
    lawful_basis = Varchar(length=30, default="")
    """A key of ``panels.import_batches.LAWFUL_BASES`` (consent, public_task, …)."""
    notice_text = Text(default="")
    """The consent or privacy-notice wording the people in the file saw, as the officer states it."""
    imported = Integer(default=0)
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PostcodeWard(Table, tablename="panel_postcode_ward"):
    """One row of an ONS Postcode Directory extract: the ward of a full postcode. ``panel`` empty:
    the council's own list, used by every panel without a list of its own (``panels.postcode_wards``)."""

    panel = ForeignKey(references=Panel, null=True, default=None, on_delete=OnDelete.cascade)
    postcode = Varchar(length=10, index=True)
    """Normalised, as ``common.postcodes.normalise_postcode`` writes it (``WC1N 3AX``)."""
    ward_code = Varchar(length=12, default="")
    ward_name = Varchar(length=100, default="")


class Volunteer(Table, tablename="panel_volunteer"):
    """A resident who registered interest (or was imported). Personal data: officers only, and
    every view is audited. ``answers`` is JSON {dimension: category}; ethnicity and disability
    there are special-category data used only for selection."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade, index=True)
    reference = Varchar(length=20, unique=True, index=True)
    """Public, non-identifying reference such as ``RP-7K3Q9D``; it is also the id the selection engine sees."""
    full_name = Varchar(length=200)
    email = Varchar(length=254)
    """Where emails to the volunteer go."""
    email_key = Varchar(length=254, default="", index=True)
    """``common.emails.normalise_email`` of ``email``: the only column addresses are matched on."""
    phone = Varchar(length=40, default="")
    address = Varchar(length=300, default="")
    postcode = Varchar(length=10, default="")
    age = Integer(null=True, default=None)
    answers = Text(default="{}")
    household_key = Varchar(length=400, default="")
    consent_version = Varchar(length=40, default="")
    consent_at = Timestamptz(null=True, default=None)
    source = Varchar(length=20, default="form")
    token_hash = Varchar(length=64, null=True, default=None, index=True)
    """SHA-256 (hex) of the private link's token; the token itself is never stored."""
    link_active_at = Timestamptz(null=True, default=None)
    """When the private link was last issued or used; it stops working ``PRIVATE_LINK_IDLE_MONTHS``
    later (the volunteer asks for a new one by email)."""
    status = Varchar(length=20, default="pool")
    """pool, selected (invited), confirmed, declined; dropped_out (a confirmed member who left) and
    no_reply (an invitation the officer closed unanswered) are set by an officer."""
    registered_at = Timestamptz(default=TimestamptzNow())
    responded_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    """When an officer marked the member as dropped out or not replying."""
    withdrawal_reason = Text(default="")
    """Why, as the officer wrote it (also in the audit log)."""
    duplicate_of = Varchar(length=20, default="")
    """The reference of an earlier registration for the same panel with the same name and address:
    flagged for the officer, and left out of selection while that registration stands."""
    letter = ForeignKey(references=Letter, null=True, default=None, on_delete=OnDelete.set_null)
    """The invitation letter whose code the volunteer registered with (None: open registration or import)."""
    locale = Varchar(length=20, default="en_GB")
    """The language the site was in when they registered: emails to them are written in it."""
    invitation_pending = Boolean(default=False)
    """Drawn, but the invitation is not sent yet: the officer reviews it first
    (``panels.invitations``). Until it is sent the volunteer cannot reply."""
    invited_at = Timestamptz(null=True, default=None)
    """When the invitation was sent."""
    reply_by = Date(null=True, default=None)
    """The reply-by date the invitation gave (a London date); the seat may be released after it."""
    reply_channel = Varchar(length=20, default="")
    """How the reply came: ``link`` (their private link), or ``phone``, ``letter``, ``in_person``,
    ``email`` when an officer recorded it."""
    reply_note = Text(default="")
    """The officer's note on a reply they recorded (also in the audit log)."""
    access_needs = Text(default="")
    """What the member told us they need to take part (step-free access, a hearing loop, …)."""
    date_of_birth = Date(null=True, default=None)
    """When the volunteer gave a date of birth rather than an age (duplicates are matched on it)."""
    duplicate_kind = Varchar(length=30, default="")
    """Why ``duplicate_of`` is set (``panels.duplicates.DUPLICATE_KINDS``): name_address, name_birth
    (both left out of selection), or possible (name, age band and postcode alike: shown only)."""
    merged_into = Varchar(length=20, default="")
    """After a merge: the reference of the record this one was merged into (its personal data erased)."""
    ward = Varchar(length=100, default="")
    """The ward of the volunteer's address: from their letter, else the postcode directory; empty: not known."""
    import_batch = ForeignKey(references=ImportBatch, null=True, default=None, on_delete=OnDelete.set_null)
    """The import the volunteer came from (its lawful basis and notice wording), None for registrations."""


class SelectionRun(Table, tablename="panel_selection_run"):
    """One selection or replacement round. Inputs and result are written once and never changed;
    the draw (seed, ticket, drawn ids) is written once, after the result. Progress columns are
    updated while the engine runs, so that any worker can answer the progress poll."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade)
    kind = Varchar(length=20, default="selection")
    """selection or replacement."""
    algorithm = Varchar(length=20, default="leximin")
    status = Varchar(length=20, default="running")
    """running, done (probabilities ready), drawn, failed."""
    inputs_hash = Varchar(length=64, default="")
    inputs_json = Text(default="{}")
    result_json = Text(default="")
    error = Text(default="")
    progress_fraction = Real(default=0.0)
    progress_message = Varchar(length=300, default="")
    heartbeat_at = Timestamptz(null=True, default=None)
    """Refreshed every few seconds by the worker computing the run: a "running" run whose heartbeat
    stops (its worker was killed or restarted) is marked as stopped instead of polling for ever."""
    started_by = Varchar(length=254, default="")
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    seed = Varchar(length=300, null=True, default=None)
    ticket = Integer(null=True, default=None)
    lottery_digest = Varchar(length=64, default="")
    drawn_json = Text(default="")
    """JSON list of the references drawn (for a replacement: only the new members)."""
    drawn_by = Varchar(length=254, default="")
    drawn_at = Timestamptz(null=True, default=None)
    seed_source = Text(default="")
    """Where the seed will come from, published with the lottery's fingerprint before the draw
    ("the numbers of the National Lottery draw on 3 February 2027")."""
    announced_at = Timestamptz(null=True, default=None)
    announced_by = Varchar(length=254, default="")
    panel_counts_json = Text(default="")
    """Written once at the draw: JSON list of {category, name, selected}, the drawn panel's (all
    seat holders') count in every quota group, shown on the public "How we chose" page."""
    alternates_json = Text(default="")
    """Selection runs, written once at the draw: the ordered alternates (references), the program's
    report, the drop-out rates used and the simulated final chances (``panels.run_alternates``),
    written when the background choice after the draw finishes."""
    alternates_status = Varchar(length=10, default="")
    """Selection runs after the draw: "" (none asked for), choosing (a background task is at it),
    ready (``alternates_json`` holds them) or failed (``alternates_error`` says why). Runs drawn
    before the choice moved to the background have "" with their ``alternates_json``."""
    alternates_error = Varchar(length=100, default="")
    """Why choosing failed, as a code the run page words: time_limit, stopped (the worker ended) or
    error:<exception name>."""
    alternates_asked = Integer(null=True, default=None)
    """The number of alternates asked for; None with "choosing" or later: as many as the target needs."""
    alternates_heartbeat_at = Timestamptz(null=True, default=None)
    """Refreshed every few seconds by the task choosing the alternates: a "choosing" run whose
    heartbeat stops (its worker was killed or restarted) is marked failed, so it can be chosen again."""
    recent_rule = Varchar(length=10, default="include")
    """What the run did with people who served on a recent panel (``panels.selection.recent_service``):
    include, exclude or lower. Who it left out or lowered is in the inputs (``recent_service``)."""
    recent_years = Integer(default=0)
    """"Recent": served on a panel of this year or up to this many years before (0 with include)."""
    recent_factor = Real(default=1.0)
    """With ``lower``: the factor by which their chance is multiplied."""


class ServiceRecord(Table, tablename="panel_service_record"):
    """Someone took a seat on a panel (``panels.service_records``). Kept after the panel's personal
    data is erased, and identifying nobody by itself: keyed hashes of the normalised name with the
    date of birth, and of the normalised email address, the panel and when they served."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade, index=True)
    name_birth_key = Varchar(length=64, default="", index=True)
    """HMAC-SHA-256 (hex) of name + date of birth; empty when no date of birth was given."""
    email_key = Varchar(length=64, default="", index=True)
    """HMAC-SHA-256 (hex) of the normalised email address; empty when there was none."""
    year = Integer()
    """The panel's year."""
    served_on = Date()
    """The last session they attended, else the day they took the seat."""


class PanelMaterial(Table, tablename="panel_material"):
    """Something members read or watch before a session (or for the whole panel when ``session``
    is empty): a title and either an http(s) link or plain text, shown on members' private page."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade)
    session = ForeignKey(references=PanelSession, null=True, default=None, on_delete=OnDelete.cascade)
    title = Varchar(length=200)
    url = Varchar(length=2000, default="")
    body = Text(default="")
    added_by = Varchar(length=254, default="")
    added_at = Timestamptz(default=TimestamptzNow())
    file_key = Varchar(length=64, default="")
    """For an uploaded file (PDF or image): its random name under the data directory's
    ``materials/`` folder, outside the static files; served only to members and staff."""
    file_name = Varchar(length=200, default="")
    """The name the file was uploaded with, shown on the link."""
    content_type = Varchar(length=60, default="")
    size_bytes = Integer(default=0)


class Attendance(Table, tablename="panel_attendance"):
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade)
    session = ForeignKey(references=PanelSession, on_delete=OnDelete.cascade)
    attended = Boolean(default=False)
    recorded_by = Varchar(length=254, default="")
    recorded_at = Timestamptz(default=TimestamptzNow())


class Voucher(Table, tablename="panel_voucher"):
    """A thank-you voucher: one per member per session attended (``panels.attendance``).
    Vouchers issued before sessions were counted have no session."""

    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade)
    amount_pence = Integer()
    issued_on = Date()
    issued_by = Varchar(length=254, default="")
    session = ForeignKey(references=PanelSession, null=True, default=None, on_delete=OnDelete.set_null)
    reference = Varchar(length=20, default="", index=True)
    """``TV-`` and 6 characters: what finance and the member quote."""
    collected_on = Date(null=True, default=None)
    """When the member collected it (empty: issued, not yet collected)."""
    collected_by = Varchar(length=254, default="")


class SessionApology(Table, tablename="panel_session_apology"):
    """A member has told us they cannot come to one session (through their private link)."""

    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(references=PanelSession, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class PanelReminder(Table, tablename="panel_reminder"):
    """A reminder sent: the unique ``marker`` (``reply:7:2027-03-01``, ``session:4:7``) makes the
    background check send each one once, on any worker."""

    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade, index=True)
    marker = Varchar(length=80, unique=True)
    sent_at = Timestamptz(default=TimestamptzNow())


# --- deliberation: recommendations and their secret ballots ----------------------------------

class RecommendationVote(Table, tablename="panel_recommendation_vote"):
    """A set of recommendations put to the members' vote. The threshold is fixed when the vote
    opens and never changes afterwards (``panels.ballots``)."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    threshold_percent = Integer(default=80)
    """Support needed for adoption, in percent of valid ballots (80: four in five)."""
    opened_on = Date()
    closes_on = Date()
    """Members vote online until the end of this day (council time)."""
    closed_on = Date(null=True, default=None)
    """When an officer closed the vote early; the results are shown once it is closed."""
    opened_by = Varchar(length=254, default="")


class Recommendation(Table, tablename="panel_recommendation"):
    """A recommendation in the members' own words. Its wording changes only through a revision
    (``RecommendationRevision``), and not at all once it is put to a vote."""

    panel = ForeignKey(references=Panel, on_delete=OnDelete.cascade, index=True)
    number = Integer(default=0)
    """Its number within the panel, shown beside the title (R1, R2 …)."""
    title = Varchar(length=200)
    text = Text(default="")
    merged_into = Integer(null=True, default=None)
    """The recommendation this one was merged into; a merged one is kept for its history only."""
    vote = ForeignKey(references=RecommendationVote, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class RecommendationRevision(Table, tablename="panel_recommendation_revision"):
    """One wording of a recommendation: drafted, amended, or the result of a merge. Only inserted."""

    recommendation = ForeignKey(references=Recommendation, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    text = Text(default="")
    note = Varchar(length=300, default="")
    """Why it changed, in the officer's words ("Amended at table 3", "Merged R2 and R5")."""
    edited_by = Varchar(length=254, default="")
    edited_at = Timestamptz(default=TimestamptzNow())


class BallotCast(Table, tablename="panel_ballot_cast"):
    """The marked register: this member has voted in this vote (online or on paper). It says
    nothing of how, and has no time: together with the tallies it cannot say who chose what."""

    vote = ForeignKey(references=RecommendationVote, on_delete=OnDelete.cascade, index=True)
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade)
    marker = Varchar(length=40, unique=True)
    """``vote:volunteer``: the unique key that stops a second ballot."""


class BallotTally(Table, tablename="panel_ballot_tally"):
    """How many ballots gave one grade to one recommendation, online or from one session's paper
    ballots. There is no row per ballot, so no row can be joined to a member or put in order."""

    recommendation = ForeignKey(references=Recommendation, on_delete=OnDelete.cascade, index=True)
    grade = Varchar(length=20)
    session = ForeignKey(references=PanelSession, null=True, default=None, on_delete=OnDelete.set_null)
    """The session whose paper ballots these are; empty for online ballots."""
    count = Integer(default=0)


class PaperBallotBatch(Table, tablename="panel_paper_ballot_batch"):
    """Paper ballots collected at one session for one vote, as an officer entered their totals."""

    vote = ForeignKey(references=RecommendationVote, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(references=PanelSession, on_delete=OnDelete.cascade)
    ballots = Integer(default=0)
    entered_by = Varchar(length=254, default="")
    entered_on = Date()


class ResponseRatingCast(Table, tablename="panel_response_rating_cast"):
    """This member has given their view of the council's response to this recommendation."""

    recommendation = ForeignKey(references=Recommendation, on_delete=OnDelete.cascade, index=True)
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade)
    marker = Varchar(length=40, unique=True)


class ResponseRatingTally(Table, tablename="panel_response_rating_tally"):
    """How many members rated the council's response to a recommendation one way."""

    recommendation = ForeignKey(references=Recommendation, on_delete=OnDelete.cascade, index=True)
    rating = Varchar(length=20)
    count = Integer(default=0)


class ResponseRatingComment(Table, tablename="panel_response_rating_comment"):
    """A member's comment on the council's response, without their name, their rating or a time
    finer than the day; ``shuffle`` (random) is the order comments are shown and kept in."""

    recommendation = ForeignKey(references=Recommendation, on_delete=OnDelete.cascade, index=True)
    text = Text()
    given_on = Date()
    shuffle = Varchar(length=32, index=True)


# --- deliberation: tables (small groups) at a session, and what each table said ---------------

class SessionTable(Table, tablename="panel_session_table"):
    """A table (small group) at a session, numbered from 1."""

    session = ForeignKey(references=PanelSession, on_delete=OnDelete.cascade, index=True)
    number = Integer()


class TableSeat(Table, tablename="panel_table_seat"):
    """A member seated at a table of a session (one table per member and session)."""

    table = ForeignKey(references=SessionTable, on_delete=OnDelete.cascade, index=True)
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade)
    marker = Varchar(length=40, unique=True)
    """``session:volunteer``: a member sits at one table per session."""


class TableRecord(Table, tablename="panel_table_record"):
    """What a facilitator recorded of a table's discussion: a note, or a point the table made (a
    candidate recommendation). Names no member."""

    table = ForeignKey(references=SessionTable, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10, default="point")
    """note or point."""
    text = Text()
    recorded_by = Varchar(length=254, default="")
    recorded_at = Timestamptz(default=TimestamptzNow())
    recommendation = ForeignKey(references=Recommendation, null=True, default=None, on_delete=OnDelete.set_null)
    """The draft recommendation an officer made from this point."""
