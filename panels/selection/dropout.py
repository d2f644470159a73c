"""Drop-out rates learnt from past panels, with a stated Beta prior when history is thin.

A *drop-out* is anyone invited to a panel who did not take their seat: they declined, never
replied, left after confirming, or missed the first session. History is a list of past
invitations, each with the invited person's quota answers and whether they dropped out.

Model (the one of Assos, Baharav, Flanigan & Procaccia, "Alternates, Assemble!", EC 2025): a
person stays with probability ``s0 · Π_c β_{c, v_c}`` — a base rate times one factor per quota
category for the person's value. The paper fits the factors by maximum likelihood over past
assemblies; with the few past panels a council has, that fit is unstable, so here each factor is
the group's smoothed stay rate over the overall one, ``β_{c,v} = s_{c,v} / s0``, which is what
the likelihood gives when categories are independent.

Smoothing (the prior, in plain words): before any history we assume one person in five drops out,
weighing that guess like ten past invitations (``Beta(2, 8)``). Each group's rate then starts from
the overall rate, again with the weight of ten invitations, and moves towards the group's own
record as its history grows: a group with 3 invitations mostly follows the overall rate, a group
with 300 mostly follows its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scipy.stats import beta as beta_distribution

from panels.selection.model import Quota

#: Per-person probabilities are kept inside this range: nobody is certain to stay or to leave.
PROBABILITY_FLOOR = 0.001


@dataclass(frozen=True)
class DropoutPrior:
    """``Beta(alpha, beta)`` on the overall drop-out rate; ``alpha + beta`` is also the weight, in
    invitations, of the overall rate in each group's estimate."""

    alpha: float = 2.0
    beta: float = 8.0

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def weight(self) -> float:
        return self.alpha + self.beta


DEFAULT_PRIOR = DropoutPrior()


@dataclass(frozen=True)
class PastInvitation:
    """One invitation of a past panel: the person's quota answers and whether they dropped out."""

    features: Mapping[str, str]
    dropped: bool


@dataclass(frozen=True)
class GroupDropoutRate:
    """A group's record (``invited``, ``dropped``) and its smoothed drop-out ``rate``, with a 90%
    credible interval ``[low, high]`` from the group's Beta posterior."""

    category: str
    name: str
    invited: int
    dropped: int
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class DropoutRates:
    """Learnt rates: ``overall`` (category and name empty) and one row per quota group."""

    prior: DropoutPrior
    overall: GroupDropoutRate
    groups: tuple[GroupDropoutRate, ...]

    def probability(self, features: Mapping[str, str]) -> float:
        """The person's drop-out probability under the model of the module docstring."""
        base_stay = 1.0 - self.overall.rate
        stay = base_stay
        for group in self.groups:
            if features.get(group.category) == group.name:
                stay *= (1.0 - group.rate) / base_stay
        return min(max(1.0 - stay, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)

    def to_json(self) -> dict:
        def row(group: GroupDropoutRate) -> dict:
            return {"category": group.category, "name": group.name, "invited": group.invited,
                    "dropped": group.dropped, "rate": round(group.rate, 6), "low": round(group.low, 6),
                    "high": round(group.high, 6)}

        return {"prior": {"alpha": self.prior.alpha, "beta": self.prior.beta}, "overall": row(self.overall),
                "groups": [row(group) for group in self.groups]}

    @classmethod
    def from_json(cls, data: Mapping) -> DropoutRates:
        def row(item: Mapping) -> GroupDropoutRate:
            return GroupDropoutRate(str(item["category"]), str(item["name"]), int(item["invited"]), int(item["dropped"]),
                                    float(item["rate"]), float(item["low"]), float(item["high"]))

        prior = DropoutPrior(float(data["prior"]["alpha"]), float(data["prior"]["beta"]))
        return cls(prior=prior, overall=row(data["overall"]), groups=tuple(row(item) for item in data["groups"]))


def _posterior(category: str, name: str, invited: int, dropped: int, alpha: float, beta: float) -> GroupDropoutRate:
    a, b = alpha + dropped, beta + invited - dropped
    low, high = beta_distribution.ppf([0.05, 0.95], a, b)
    return GroupDropoutRate(category, name, invited, dropped, a / (a + b), float(low), float(high))


def learn_dropout_rates(
    history: Iterable[PastInvitation], quotas: Iterable[Quota], prior: DropoutPrior = DEFAULT_PRIOR
) -> DropoutRates:
    """Smoothed drop-out rates overall and for every quota group (see module docstring).

    Past invitations whose answers miss a category count for the overall rate and for the
    categories they do answer."""
    history = list(history)
    dropped_total = sum(1 for invitation in history if invitation.dropped)
    overall = _posterior("", "", len(history), dropped_total, prior.alpha, prior.beta)
    groups = []
    for quota in quotas:
        members = [invitation for invitation in history if invitation.features.get(quota.category) == quota.name]
        dropped = sum(1 for invitation in members if invitation.dropped)
        groups.append(_posterior(quota.category, quota.name, len(members), dropped,
                                 prior.weight * overall.rate, prior.weight * (1.0 - overall.rate)))
    return DropoutRates(prior=prior, overall=overall, groups=tuple(groups))


DROPPED_WORDS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def history_from_rows(rows: Iterable[Mapping[str, str]], categories: Iterable[str]) -> list[PastInvitation]:
    """Past invitations from CSV rows with a ``dropped`` column (yes/no) and one column per category.

    Raises ``ValueError`` naming the row (counting the header as row 1) when ``dropped`` is missing
    or not yes/no."""
    categories = tuple(categories)
    history = []
    for number, row in enumerate(rows, start=2):
        dropped = DROPPED_WORDS.get(str(row.get("dropped", "")).strip().lower())
        if dropped is None:
            raise ValueError(f"row {number}: the 'dropped' column must be yes or no, not {row.get('dropped')!r}")
        features = {category: str(row[category]).strip() for category in categories if row.get(category)}
        history.append(PastInvitation(features=features, dropped=dropped))
    return history
