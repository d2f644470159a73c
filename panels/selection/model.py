"""Plain data that crosses the boundaries of the selection engine.

Everything here is a frozen dataclass of Python builtins (no numpy scalars), so the
recruitment workflow can store it through the ORM and the CLI can dump it as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Quota:
    """Seats a panel must give to one value of one category, e.g. ``age_band=18-24`` in [3, 5].

    ``quota_min``/``quota_max`` are counts of panel members (not shares), and apply to the
    whole panel, including members fixed in advance.
    """

    category: str
    name: str
    quota_min: int
    quota_max: int


@dataclass(frozen=True)
class Volunteer:
    """One member of the pool.

    ``features`` maps each quota category to the volunteer's value, spelled exactly as the
    quota's ``name`` (parsing canonicalises case and whitespace). ``household`` is a
    normalised household key (e.g. address + postcode); ``None`` means the volunteer shares a
    household with nobody in the pool. ``extra`` keeps the respondent file's other columns.
    ``weight`` (in (0, 1]) is the volunteer's relative chance: LEXIMIN maximises, leximin,
    probability / weight, so where the quotas allow, a volunteer of weight 0.5 (e.g. one who
    served on a recent panel, ``panels.selection.recent_service``) gets half the chance of
    others with the same answers. Only the ``leximin`` objective supports weights below 1.
    """

    id: str
    features: Mapping[str, str]
    household: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    weight: float = 1.0


@dataclass(frozen=True)
class SelectionProblem:
    """A pool, its quotas and the panel size ``k``.

    ``fixed_ids`` are volunteers already confirmed on the panel (replacement rounds): they
    count towards ``k`` and towards every quota, are never re-drawn, and their household
    mates cannot be selected when ``enforce_households`` is on.
    """

    volunteers: tuple[Volunteer, ...]
    quotas: tuple[Quota, ...]
    k: int
    enforce_households: bool = False
    fixed_ids: frozenset[str] = frozenset()

    @cached_property
    def categories(self) -> tuple[str, ...]:
        """Quota categories in first-seen order (worked out once: hot loops read it per volunteer)."""
        return tuple(dict.fromkeys(quota.category for quota in self.quotas))


@dataclass(frozen=True)
class SelectionProgress:
    """A progress report for a long selection run (CLI progress bar, web polling).

    ``fixed_types``/``total_types`` count groups of interchangeable volunteers whose
    LEXIMIN probability is already settled; ``min_probability`` is the smallest selection
    probability found so far (``None`` before the first level is solved).
    """

    phase: str
    iteration: int
    fixed_types: int
    total_types: int
    min_probability: float | None
    message: str = ""


@dataclass(frozen=True)
class Relaxation:
    """A proposed change to one quota that makes the quotas satisfiable."""

    category: str
    name: str
    quota_min: int
    quota_max: int
    relaxed_min: int
    relaxed_max: int

    @property
    def change(self) -> int:
        """Total number of seats by which the bounds move."""
        return (self.quota_min - self.relaxed_min) + (self.relaxed_max - self.quota_max)


@dataclass(frozen=True)
class Conflict:
    """One reason no panel meets the quotas, as data, so that officer pages can say it in words
    (``panels.plain_words``) while ``Infeasibility.conflicts`` keeps the engine's short text.

    ``kind`` is one of: ``fixed_over_seats`` (more fixed members than seats), ``minimums_over_seats``
    / ``maximums_under_seats`` (a category's minimums or maximums against the seats),
    ``too_few_volunteers`` (a group has fewer volunteers than its minimum), ``fixed_over_maximum``
    (fixed members already exceed a group's maximum), ``too_few_households`` (one per household
    leaves too few people), ``together`` (these quotas cannot all be met at once)."""

    kind: str
    category: str = ""
    name: str = ""
    number: int = 0
    """The quota's minimum or maximum, or the sum of a category's minimums or maximums."""
    available: int = 0
    """Volunteers with the value, fixed members, or people who can sit together."""
    seats: int = 0
    quotas: tuple[tuple[str, str], ...] = ()
    """For ``together``: the (category, value) pairs that conflict."""


@dataclass(frozen=True)
class Infeasibility:
    """Why no panel meets the quotas, and the smallest relaxation that fixes it.

    ``conflicts`` are human-readable reasons (a category whose minimums add up to more than
    k, a value with fewer volunteers than its minimum, …). ``relaxations`` lists only the
    quotas that change; applying all of them makes the problem feasible, and their total
    change (sum of ``Relaxation.change``) is the smallest possible. It is empty when no change
    of quotas can help (e.g. fewer households than seats).
    """

    conflicts: tuple[str, ...]
    relaxations: tuple[Relaxation, ...]
    details: tuple[Conflict, ...] = ()
    """The same conflicts as data, in the same order."""

    @property
    def total_change(self) -> int:
        return sum(relaxation.change for relaxation in self.relaxations)

    def describe(self) -> str:
        """Multi-line text for officers and the CLI."""
        lines = ["The quotas cannot all be met by this pool:"]
        lines += [f"  - {conflict}" for conflict in self.conflicts]
        if self.relaxations:
            lines.append(f"Smallest relaxation (total change {self.total_change} seats):")
            for relaxation in self.relaxations:
                lines.append(
                    f"  - {relaxation.category}={relaxation.name}: "
                    f"[{relaxation.quota_min}, {relaxation.quota_max}] -> "
                    f"[{relaxation.relaxed_min}, {relaxation.relaxed_max}]"
                )
        else:
            lines.append("No change of quotas alone can fix this.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Lottery:
    """A uniform lottery over ``len(panels)`` panels (the "pick a number from 1 to M" form).

    ``panels[i]`` is the panel of ticket ``i + 1``, each a tuple of volunteer ids sorted as
    strings. ``max_deviation`` is max over volunteers of |lottery probability − target
    probability|, where the lottery probability is (tickets containing them) / M.
    """

    panels: tuple[tuple[str, ...], ...]
    max_deviation: float

    @property
    def size(self) -> int:
        return len(self.panels)


@dataclass(frozen=True)
class Draw:
    """The public draw: which ticket the announced seed picked.

    ``ticket`` is 1-based (1..M); ``lottery_digest`` is the SHA-256 of the lottery's
    canonical JSON so the lottery can be published before the seed is announced.
    """

    seed: str
    ticket: int
    panel: tuple[str, ...]
    lottery_digest: str


@dataclass(frozen=True)
class QuotaOutcome:
    """One row of the quota table: a quota and how many of the drawn panel meet it."""

    category: str
    name: str
    quota_min: int
    quota_max: int
    selected: int | None


@dataclass(frozen=True)
class SelectionResult:
    """Everything a selection run produced, checked before it is returned.

    ``probabilities`` maps every volunteer id to their selection probability (1.0 for
    fixed members, 0.0 for volunteers excluded by the household rule). ``distribution_size``
    counts the panels with positive probability (LEXIMIN: type panels; legacy: distinct
    sampled panels). ``min_probability`` is taken over volunteers that can still be drawn.
    For ``legacy`` the probabilities are frequencies over ``draws`` greedy draws.
    ``warnings`` are sentences for the officer about a result that is valid but worse than it
    need be (e.g. a lottery too small for the distribution).
    """

    algorithm: str
    n: int
    k: int
    probabilities: Mapping[str, float]
    min_probability: float
    max_probability: float
    distribution_size: int
    lottery: Lottery
    draw: Draw | None
    quotas: tuple[QuotaOutcome, ...]
    runtime_s: float
    iterations: int
    draws: int | None = None
    fixed_ids: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()
    chance_limits: tuple[float, float] | None = None
    """Goldilocks: the lower and upper limits every eligible volunteer's chance lies within."""
    robustness: Mapping[str, object] | None = None
    """Drop-out-robust lottery (``robust``): its floor, in-sample and fresh hold rates, and LEXIMIN's."""
