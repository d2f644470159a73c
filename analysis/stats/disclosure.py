"""Disclosure control for published cross-tables: primary suppression of small cells and
secondary suppression so that a hidden cell cannot be worked out from the totals.

The published table is a grid of counts (groups × options) with, per group, its total (the
number in the group who answered) and, per option, the overall count — which is always public,
because overall question results are always shown. So the equations a reader can use are:

* each group's row: its cells add up to its total (for single-answer questions);
* each option's column: its cells add up to the published overall count;
* the column of group totals: they add up to the overall number who answered.

Primary suppression hides every count below the threshold (ONS practice, default 10), zero
included — a published zero says that nobody in a group gave an answer, which is itself a
disclosure about everyone in it. Secondary suppression then repeats, until nothing changes:
in any row (cells plus its total), any option column, or the column of group totals that holds
exactly one hidden entry, also hide the smallest visible entry of that line. When it stops no line
has exactly one hidden entry, so no single equation reveals a hidden value. (This is the
standard line rule; it does not claim to defeat interval attacks by linear programming over
all equations, nor differencing against other tables from the same responses.)

Percentages are shown only where the cell *and* its group total are both published and the
total is at least the threshold ("percentages from fewer than the threshold are not shown"). A
percentage beside a published count whose total is hidden would give the total away
(``17 (49%)`` says the total is about 35), and with it the hidden cells of that row and column.

The line rule alone is not enough: an integer-programming attacker reading a report's JSON
recovered 91 of the demo report's 949 hidden figures (issue #18) — through zeros hidden where they
protect nothing, About-you counts under 10 published, "bridge" cells fixed by two rows and two
columns, and labels. ``protect_report`` therefore starts from the line rule and hides more until
an audit by optimisation (``analysis.stats.disclosure_audit``) finds no hidden figure that the
whole publication, and its earlier versions, pin to a range narrower than the threshold.

Labels. Reports label every hidden figure alike (``HIDDEN``, "[x] hidden to protect privacy"),
primary or secondary: "fewer than 10" tells the attacker a figure is at most 9 and "[c]" that it is
at least 10 — a one-sided range each that the attacker adds to the equations. (Versions published
earlier said "fewer than 10" and "[c]"; ``primary``/``secondary`` remain for reading them, and for
``SuppressedTable.cell_suppression``.) Cabinet's panel figures (``publish_line``) use the same one
mark.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 10
"""The smallest count published in a breakdown (settings: ``DISCLOSURE_THRESHOLD``)."""
PRIMARY = "primary"
SECONDARY = "secondary"
SECONDARY_MARK = "[c]"
SECONDARY_TEXT = "[c] hidden so that other hidden figures cannot be worked out"
"""What a secondarily suppressed figure reads as: "[c]" (confidential, as the ONS marks it)."""
HIDDEN = "hidden"
"""The one reason a report's figure is published as hidden. Primary (small) and secondary figures
are not told apart: a label that says "fewer than 10", or one that marks the others, gives each
hidden figure a one-sided range an attacker adds to the equations (the demo report lost 91 of its
949 hidden figures that way and through the line rule's gaps)."""
HIDDEN_MARK = "[x]"
HIDDEN_TEXT = "[x] hidden to protect privacy"


@dataclass(frozen=True)
class SuppressedTable:
    counts: np.ndarray
    """groups × options, the true counts (never publish directly)."""
    row_totals: np.ndarray
    column_totals: np.ndarray
    """Always published (the overall result)."""
    cell_hidden: np.ndarray
    row_total_hidden: np.ndarray
    primary: np.ndarray
    """Cells hidden because they are under the threshold (the rest of ``cell_hidden`` is secondary)."""
    threshold: int

    @property
    def row_total_primary(self) -> np.ndarray:
        """Group totals hidden because they are under the threshold (the rest of
        ``row_total_hidden`` is secondary)."""
        return self.row_totals < self.threshold

    def cell_suppression(self, row: int, column: int) -> str | None:
        """``"primary"``, ``"secondary"`` or None (published)."""
        if not self.cell_hidden[row, column]:
            return None
        return PRIMARY if self.primary[row, column] else SECONDARY

    def row_total_suppression(self, row: int) -> str | None:
        if not self.row_total_hidden[row]:
            return None
        return PRIMARY if self.row_total_primary[row] else SECONDARY


def _hide_smallest(values: np.ndarray, hidden: np.ndarray, candidates: np.ndarray) -> int | None:
    """Index of the smallest visible candidate (first on ties), or None."""
    open_positions = np.flatnonzero(candidates & ~hidden)
    if open_positions.size == 0:
        return None
    return int(open_positions[np.argmin(values[open_positions])])


def suppress_table(counts: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD,
                   row_totals: np.ndarray | None = None, primary: np.ndarray | None = None,
                   total_primary: np.ndarray | None = None, fixed: np.ndarray | None = None,
                   fixed_totals: np.ndarray | None = None) -> SuppressedTable:
    """Hide small cells and enough others that none can be derived from a row, column or the
    totals column. ``row_totals`` defaults to the row sums; pass them for multiple-choice
    tables, where a group's total is the number who answered, not the sum of ticks. ``primary``
    and ``total_primary`` replace the rule "under the threshold"; ``fixed`` and ``fixed_totals``
    mark figures the published margins already determine: never hidden, and not counted."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("a cross-table is two-dimensional")
    totals = counts.sum(axis=1) if row_totals is None else np.asarray(row_totals, dtype=np.int64)
    rows, columns = counts.shape
    primary = counts < threshold if primary is None else np.asarray(primary, dtype=bool)
    hidden = primary.copy()
    total_hidden = totals < threshold if total_primary is None else np.asarray(total_primary, dtype=bool).copy()
    # A figure the published margins determine is never chosen (hiding it protects nothing);
    # it counts as published, so a line holding one other hidden figure still gets another.
    open_cells = np.ones((rows, columns), dtype=bool) if fixed is None else ~np.asarray(fixed, dtype=bool)
    open_totals = np.ones(rows, dtype=bool) if fixed_totals is None else ~np.asarray(fixed_totals, dtype=bool)
    changed = True
    while changed:
        changed = False
        for row in range(rows):
            line_hidden = int(hidden[row].sum()) + int(total_hidden[row])
            if line_hidden == 1:
                values = np.append(counts[row], totals[row])
                flags = np.append(hidden[row], total_hidden[row])
                position = _hide_smallest(values, flags, np.append(open_cells[row], open_totals[row]))
                if position is not None:
                    if position < columns:
                        hidden[row, position] = True
                    else:
                        total_hidden[row] = True
                    changed = True
        for column in range(columns):
            if int(hidden[:, column].sum()) == 1:
                position = _hide_smallest(counts[:, column], hidden[:, column], open_cells[:, column])
                if position is not None:
                    hidden[position, column] = True
                    changed = True
        if int(total_hidden.sum()) == 1:
            position = _hide_smallest(totals, total_hidden, open_totals)
            if position is not None:
                total_hidden[position] = True
                changed = True
    return SuppressedTable(counts=counts, row_totals=totals, column_totals=counts.sum(axis=0), cell_hidden=hidden,
                           row_total_hidden=total_hidden, primary=primary, threshold=threshold)


def percent_shown(table: SuppressedTable) -> np.ndarray:
    """groups × options: True where a row percentage may be published — the cell and its
    group total are both shown and the total is at least the threshold. (A percentage beside a
    shown count reveals the total, so a hidden total forbids every percentage in its row.)"""
    row_ok = ~table.row_total_hidden & (table.row_totals >= table.threshold)
    return ~table.cell_hidden & row_ok[:, None]


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def hidden_text(suppression: str, threshold: int) -> str:
    """The words a hidden figure is published as: true for the reason it was hidden."""
    return fewer_than(threshold) if suppression == PRIMARY else SECONDARY_TEXT


ROUNDING_BASE = 5
"""Live counts of people (a panel's pool while registration is open) are published rounded to
the nearest multiple of this, as ONS rounds census counts. A count that is published exactly and
moves from 33 to 34 when one known person registers tells a reader that person's group; rounded,
most single registrations move no published figure. (A registration that carries a count across
a rounding boundary still moves one: rounding makes differencing rare and uncertain, not
impossible. Hidden counts stay hidden whatever moves.)"""


@dataclass(frozen=True)
class PublishedCount:
    """A count as it may be published: ``value`` rounded, or None with the reason it is hidden."""

    value: int | None
    suppression: str | None = None
    """``HIDDEN`` or None (published): small counts and those hidden to protect them are not
    told apart, for the reason given at ``HIDDEN``."""


def round_to_base(count: int, base: int = ROUNDING_BASE) -> int:
    """The nearest multiple of ``base``, halves rounded up (12 → 10, 13 → 15)."""
    return (int(count) + base // 2) // base * base


def publish_count(count: int, *, threshold: int = DEFAULT_THRESHOLD, base: int = ROUNDING_BASE) -> PublishedCount:
    """A single count of people: hidden under the threshold, otherwise rounded."""
    if count < threshold:
        return PublishedCount(None, HIDDEN)
    return PublishedCount(round_to_base(count, base))


def publish_line(counts: list[int], *, threshold: int = DEFAULT_THRESHOLD,
                 base: int = ROUNDING_BASE) -> list[PublishedCount]:
    """The groups of one dimension (they add up to its total): the line rule of ``suppress_table``
    (small counts hidden, and one more while only one is), then every shown count rounded."""
    if not counts:
        return []
    exact = np.asarray(counts, dtype=np.int64)
    primary = exact < threshold
    # The next smallest is chosen by rounded value (ties: the first). Chosen by exact value, the
    # hidden "[c]" would move from one group to another when one person joins, and so say which
    # group they joined; rounded values change only when a published figure would change anyway.
    ranking = np.where(primary, 0, np.maximum([round_to_base(count, base) for count in counts], threshold))
    table = suppress_table(ranking[np.newaxis, :], threshold=threshold, row_totals=np.array([exact.sum()]))
    published = [PublishedCount(None, HIDDEN) if table.cell_hidden[0, column]
                 else PublishedCount(round_to_base(count, base)) for column, count in enumerate(counts)]
    hidden = [column for column, figure in enumerate(published) if figure.value is None]
    if len(hidden) == 1 and len(counts) > 1:
        # The line rule lets a hidden 0 stand alone (nothing to protect in the table of answers),
        # but a count of people hidden alone is the line's total less the others: hide one more.
        shown = [column for column, figure in enumerate(published) if figure.value is not None]
        smallest = min(shown, key=lambda column: (ranking[column], column))
        published[smallest] = PublishedCount(None, HIDDEN)
    return published


# ---------------------------------------------------------------- a whole report, audited



@dataclass(frozen=True)
class ReportSuppression:
    """Which figures of a report are hidden: About-you option counts by question key, and each
    cross-table's cells and group totals in the order the tables were given."""

    options_hidden: dict[str, np.ndarray]
    tables: tuple[SuppressedTable, ...]
    still_narrow: tuple = ()
    """Hidden figures an attacker could still narrow (none when protection succeeded)."""


def hidden_categories(counts: np.ndarray, threshold: int) -> np.ndarray:
    """The About-you categories whose counts are hidden: every count from 1 to threshold − 1, and
    then the next smallest until at least two are hidden and together they hold at least
    ``threshold`` people (or everyone). Their respondents can then be relabelled among the hidden
    categories without changing any published figure, so each hidden count ranges from 0 to their
    sum: at least the threshold wide."""
    counts = np.asarray(counts, dtype=float)
    hidden = (counts > 0) & (counts < threshold)
    if not hidden.any():
        return hidden
    while (hidden.sum() < 2 or counts[hidden].sum() < threshold) and (~hidden).any():
        # The smallest other category; an empty one only when no other has anyone (with the
        # others at a published 0, the one small count would follow from the number answered).
        candidates = np.flatnonzero(~hidden & (counts > 0))
        if candidates.size == 0:
            candidates = np.flatnonzero(~hidden)
        hidden[candidates[np.argmin(counts[candidates])]] = True
    return hidden


def _relabellings(prefix, group_key: str, categories: np.ndarray, about: np.ndarray, tables: list) -> list[dict]:
    """Other datasets publishing the same figures: the respondents of the hidden About-you
    ``categories`` all placed in one of them, or none in it (moved to another), for each. Only the
    entries that change are listed (``disclosure_audit.LinearSystem.alternatives``)."""
    from analysis.stats.published_tables import cell_key, option_key, total_key

    members = np.flatnonzero(categories)
    alternatives: list[dict] = []
    if members.size < 2:
        return alternatives
    for category in members:
        other = next(member for member in members if member != category)
        for everyone in (True, False):
            changed: dict = {}

            def move(values: np.ndarray, key_of) -> None:
                moved = values.copy()
                if everyone:
                    moved[members] = 0
                    moved[category] = values[members].sum()
                else:
                    moved[other] = values[other] + values[category]
                    moved[category] = 0
                for row in members:
                    if moved[row] != values[row]:
                        changed[key_of(row)] = float(moved[row])

            move(about, lambda row: option_key(prefix, group_key, row))
            for table in tables:
                move(np.asarray(table.totals[:len(about)], dtype=float),
                     lambda row, table=table: total_key(prefix, table.question_key, group_key, row))
                for column in range(table.counts.shape[1]):
                    move(np.asarray(table.counts[:len(about), column], dtype=float),
                         lambda row, table=table, column=column: cell_key(prefix, table.question_key, group_key, row,
                                                                          column))
            alternatives.append(changed)
    return alternatives


def _always_published_churn(earlier: dict, n_responses: int, questions: list) -> int:
    """The churn an attacker is sure of between an earlier document and this publication, from
    the figures always published (number of responses, overall results of questions that are not
    About-you questions): never more than what the attacker can derive, so linking with it makes
    the audited attacker at least as strong as the real one."""
    from analysis.stats.published_tables import churn_between

    about = {question.key for question in questions if question.about_you}
    now = {"n_responses": n_responses, "questions": [
        {"key": question.key, "type": "multiple_choice" if question.multiple else "single_choice",
         "n_answered": question.n_answered, "options": [{"count": float(count)} for count in question.counts]}
        for question in questions if not question.about_you]}
    before = {"n_responses": earlier["n_responses"],
              "questions": [question for question in earlier["questions"] if question["key"] not in about]}
    return churn_between(before, now)


def _add_earlier(system, earlier: list, churn: int) -> None:
    """The earlier published documents as the attacker reads them (their hidden figures unknown,
    nothing of them hideable), each linked to the next by its churn, the latest to this one."""
    from analysis.stats.published_tables import (
        _label_bounds, add_publication, churn_between, link_versions, views_from_document)

    for number, document in enumerate(earlier):
        old_questions, old_tables = views_from_document(document)
        add_publication(system, number, n_responses=int(document["n_responses"]), questions=old_questions,
                        breakdowns=old_tables)
        _label_bounds(system, number, document)
        for key, entry in system.entries.items():
            if key[0] == number:
                entry.hideable = False
        if number:
            link_versions(system, number - 1, number, churn_between(earlier[number - 1], document))
    _link_latest(system, len(earlier) - 1, churn)


def _link_latest(system, latest, churn: int) -> None:
    """Ties this publication to the latest earlier one with the smallest churn (from ``churn``
    up) under which everything published is consistent: an attacker whose assumed churn makes the
    equations contradict themselves raises it, and so does the audit, never weaker than them."""
    from analysis.stats.disclosure_audit import Audit, Constraint, InconsistentPublication
    from analysis.stats.published_tables import link_versions

    start = len(system.constraints)
    link_versions(system, latest, "now", churn)
    links = range(start, len(system.constraints))

    def consistent(value: int) -> bool:
        for index in links:
            system.constraints[index] = Constraint(system.constraints[index].coefficients, False, float(value))
        try:
            Audit(system).narrow(0.0)
        except InconsistentPublication:
            return False
        return True

    if consistent(churn):
        return
    low, high = churn, max(churn, 1) * 2
    while not consistent(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if consistent(middle):
            high = middle
        else:
            low = middle
    consistent(high)


_CACHE_SIZE = 16
_cache: OrderedDict[str, ReportSuppression] = OrderedDict()
_cache_lock = threading.Lock()


def _fingerprint(n_responses: int, questions: list, tables: list, threshold: int, earlier: list | None) -> str:
    """Everything the protection depends on, hashed: the same responses (the same counts), the
    same threshold and the same earlier versions give the same suppression."""
    digest = hashlib.sha256(repr((n_responses, threshold)).encode())
    for question in questions:
        digest.update(repr((question.key, question.multiple, question.n_answered, question.about_you)).encode())
        digest.update(np.asarray(question.counts, dtype=float).tobytes())
    for table in tables:
        digest.update(repr((table.question_key, table.group_key, table.counts.shape)).encode())
        digest.update(np.asarray(table.counts, dtype=float).tobytes() + np.asarray(table.totals, dtype=float).tobytes())
    digest.update(json.dumps(earlier or [], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def protect_report(*, n_responses: int, questions: list, tables: list, threshold: int = DEFAULT_THRESHOLD,
                   earlier: list | None = None) -> ReportSuppression:
    """``protect_report_uncached``, remembered for the last few inputs (by content): the officer's
    draft page is drawn again after every edit of its words, with the same responses."""
    key = _fingerprint(n_responses, questions, tables, threshold, earlier)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = protect_report_uncached(n_responses=n_responses, questions=questions, tables=tables,
                                     threshold=threshold, earlier=earlier)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def protect_report_uncached(*, n_responses: int, questions: list, tables: list, threshold: int = DEFAULT_THRESHOLD,
                            earlier: list | None = None) -> ReportSuppression:
    """Disclosure control for a whole report, audited by optimisation.

    ``questions``: ``published_tables.QuestionView`` values with true counts (``hidden`` is
    ignored); ``tables``: ``published_tables.BreakdownView`` values with true counts; ``earlier``:
    the report's earlier published documents, oldest first.

    1. About-you counts: ``hidden_categories`` (1 to threshold − 1, with partners until the hidden
       ones hold at least the threshold). In every cross-table by that question the rows of the
       hidden categories are hidden whole (cells and totals), so that relabelling their
       respondents among themselves changes no published figure.
    2. Cross-tables: counts from 1 to threshold − 1 hidden, zeros too unless they say nothing (an
       option nobody chose overall, a group nobody is in); a group total that the published
       margins fix is hidden only with its About-you count; then the line rule.
    3. ``disclosure_audit.protect`` hides more until every hidden figure ranges at least the
       threshold wide (or as wide as its published margins allow) given everything published
       together — and given the ``earlier`` documents, linked by the churn between versions (the
       fewest changed responses the always-published figures prove, raised only as far as the
       figures need to be consistent). A figure hidden now but published before moves by at most
       the churn, so with a churn under the threshold no amount of hiding protects it: then the
       publication is protected alone and audited once against the earlier versions, and
       ``still_narrow`` names what comparing them would give away (publishing is refused).

    ``still_narrow`` lists the figures the audit could not protect (empty when it succeeded)."""
    from analysis.stats.disclosure_audit import LinearSystem, failures, protect
    from analysis.stats.published_tables import BreakdownView, QuestionView, add_publication, cell_key, option_key, total_key

    by_key = {question.key: question for question in questions}
    views = [QuestionView(key=q.key, multiple=q.multiple, counts=q.counts, n_answered=q.n_answered, about_you=q.about_you,
                          hidden=hidden_categories(q.counts, threshold) if q.about_you else np.zeros(len(q.counts), bool))
             for q in questions]
    view_by_key = {view.key: view for view in views}
    table_views = []
    for table in tables:
        group = view_by_key[table.group_key]
        question = by_key[table.question_key]
        row_zero = np.append((group.counts == 0) & ~group.hidden, n_responses - group.n_answered == 0)
        structural = row_zero[:, None] | (question.counts == 0)[None, :]
        whole_row = np.append(group.hidden, False)
        # Everyone answered the question: each group's total is its About-you count and "Not
        # answered" holds those who skipped the About-you question; such totals say nothing new.
        derived = np.full(len(table.totals), question.n_answered == n_responses)
        cell_hidden = (((table.counts < threshold) & ~structural) | (whole_row[:, None] & ~structural))
        total_hidden = np.where(derived, whole_row, ((table.totals < threshold) & ~row_zero) | whole_row)
        line = suppress_table(table.counts, threshold=threshold, row_totals=table.totals,
                              primary=cell_hidden, total_primary=total_hidden, fixed=structural,
                              fixed_totals=derived & ~total_hidden)
        table_views.append(BreakdownView(
            question_key=table.question_key, group_key=table.group_key, counts=table.counts, totals=table.totals,
            cell_hidden=line.cell_hidden, total_hidden=line.row_total_hidden))
    system = LinearSystem()
    add_publication(system, "now", n_responses=n_responses, questions=views, breakdowns=table_views)
    primary = set(system.hidden_keys())
    for key, entry in system.entries.items():
        if key[1] == "option":
            entry.hideable = False  # decided by rule 1 (and the caps of the cells depend on it)
    churn = _always_published_churn(earlier[-1], n_responses, views) if earlier else 0
    if earlier and not 0 < churn < threshold:
        _add_earlier(system, earlier, churn)
        _, narrow = protect(system, threshold)
    else:
        # No earlier version, or one so close that publishing is refused anyway (a figure within
        # ``churn`` < threshold of one published before cannot be protected by hiding more): the
        # publication is protected on its own, then audited once against the earlier versions to
        # say what they would give away.
        for view in views:
            if view.about_you and view.hidden.any():
                system.alternatives += _relabellings("now", view.key, view.hidden, view.counts,
                                                     [table for table in table_views if table.group_key == view.key])
        _, narrow = protect(system, threshold)
        if earlier:
            system.alternatives.clear()
            _add_earlier(system, earlier, churn)
            narrow = failures(system, threshold)
    hidden = {key for key in system.hidden_keys() if key[0] == "now"}
    options_hidden = {view.key: np.array([option_key("now", view.key, index) in hidden
                                          for index in range(len(view.counts))]) for view in views if view.about_you}
    suppressed = []
    for table in table_views:
        rows, columns = table.counts.shape
        cells = np.array([[cell_key("now", table.question_key, table.group_key, row, column) in hidden
                           for column in range(columns)] for row in range(rows)], dtype=bool).reshape(rows, columns)
        cell_primary = np.array([[cell_key("now", table.question_key, table.group_key, row, column) in primary
                                  for column in range(columns)] for row in range(rows)], dtype=bool).reshape(rows, columns)
        totals = np.array([total_key("now", table.question_key, table.group_key, row) in hidden for row in range(rows)],
                          dtype=bool)
        suppressed.append(SuppressedTable(counts=table.counts.astype(np.int64), row_totals=table.totals.astype(np.int64),
                                          column_totals=by_key[table.question_key].counts.astype(np.int64),
                                          cell_hidden=cells, row_total_hidden=totals, primary=cell_primary,
                                          threshold=threshold))
    return ReportSuppression(options_hidden=options_hidden, tables=tuple(suppressed),
                             still_narrow=tuple(sorted(narrow, key=repr)))
