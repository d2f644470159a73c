"""Drop-out rates learnt from past panels, with a stated Beta prior when history is thin.

A *drop-out* is anyone invited to a panel who did not take their seat: they declined, never
replied, left after confirming, or missed the first session. History is a list of past
invitations, each with the invited person's quota answers and whether they dropped out.

Model (the one of Assos, Baharav, Flanigan & Procaccia, "Alternates, Assemble!", EC 2025): a
person stays with probability ``s0 · Π_c β_{c, v_c}`` — a base rate times one factor per quota
category for the person's value. As in the paper, s0 and the factors are fitted together by
maximum likelihood over the past invitations, so that groups that go together (say the youngest
and students) are not counted twice: each factor is what its group adds once the others are
known. With the few past panels a council has, that fit alone is unstable, so the likelihood is
regularised by the prior below, written as pseudo-invitations: ``fit_factors``.

The prior, in plain words: before any history we assume one person in five drops out, weighing
that guess like ten past invitations (``Beta(2, 8)``). Each group then starts from the overall
rate, again with the weight of ten invitations, and moves towards what its own record says as its
history grows: a group with 3 invitations mostly follows the overall rate, a group with 300
mostly follows its own. The group rates shown to the officer (``groups``) are each group's own
smoothed record, with its credible interval; the per-person probabilities use the fitted factors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.stats import beta as beta_distribution

from panels.selection.model import Quota, Volunteer

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
    """Learnt rates: ``overall`` (category and name empty) and one row per quota group, with the
    model's fitted base stay rate ``base_stay`` (s0) and stay factor per group (``factors``, in the
    order of ``groups``). Rates recorded before the factors were fitted have neither: their
    factors are each group's stay rate over the overall one, as they were computed then, so that
    a recorded draw's alternates can still be repeated."""

    prior: DropoutPrior
    overall: GroupDropoutRate
    groups: tuple[GroupDropoutRate, ...]
    base_stay: float | None = None
    factors: tuple[float, ...] | None = None

    def probability(self, features: Mapping[str, str]) -> float:
        """The person's drop-out probability under the model of the module docstring."""
        overall_stay = 1.0 - self.overall.rate
        stay = overall_stay if self.base_stay is None else self.base_stay
        for index, group in enumerate(self.groups):
            if features.get(group.category) == group.name:
                stay *= (1.0 - group.rate) / overall_stay if self.factors is None else self.factors[index]
        return min(max(1.0 - stay, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)

    def by_volunteer(self, volunteers: Iterable[Volunteer]) -> dict[str, float]:
        """Each volunteer's drop-out probability (``probability``), by id."""
        return {volunteer.id: self.probability(volunteer.features) for volunteer in volunteers}

    def to_json(self) -> dict:
        def row(group: GroupDropoutRate) -> dict:
            return {"category": group.category, "name": group.name, "invited": group.invited,
                    "dropped": group.dropped, "rate": round(group.rate, 6), "low": round(group.low, 6),
                    "high": round(group.high, 6)}

        data = {"prior": {"alpha": self.prior.alpha, "beta": self.prior.beta}, "overall": row(self.overall),
                "groups": [row(group) for group in self.groups]}
        if self.factors is not None:
            data["base_stay"] = self.base_stay
            data["factors"] = list(self.factors)
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> DropoutRates:
        def row(item: Mapping) -> GroupDropoutRate:
            return GroupDropoutRate(str(item["category"]), str(item["name"]), int(item["invited"]), int(item["dropped"]),
                                    float(item["rate"]), float(item["low"]), float(item["high"]))

        prior = DropoutPrior(float(data["prior"]["alpha"]), float(data["prior"]["beta"]))
        factors = data.get("factors")
        return cls(prior=prior, overall=row(data["overall"]), groups=tuple(row(item) for item in data["groups"]),
                   base_stay=float(data["base_stay"]) if factors is not None else None,
                   factors=tuple(float(factor) for factor in factors) if factors is not None else None)


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
    base_stay, factors = fit_factors(history, groups, overall, prior)
    return DropoutRates(prior=prior, overall=overall, groups=tuple(groups), base_stay=base_stay, factors=factors)


#: Stay probabilities inside the fit are kept below this (the model's product can pass 1).
MOST_STAY = 1.0 - 1e-9


def fit_factors(history: list[PastInvitation], groups: list[GroupDropoutRate], overall: GroupDropoutRate,
                prior: DropoutPrior) -> tuple[float, tuple[float, ...]]:
    """s0 and the factors β of the module docstring by regularised maximum likelihood.

    With u = log s0 + Σ log β over a person's groups, a past invitation adds
    ``stayed · u + dropped · log(1 − e^u)`` to the log-likelihood. The prior adds pseudo-invitations
    with fractional outcomes: ``prior.weight`` of them with no group at the prior's stay rate
    (the Beta prior on s0), and, for each group, ``prior.weight`` of them in that group alone at
    the smoothed overall stay rate (each factor is drawn towards leaving a member at the overall
    rate). The negative of the sum is minimised by L-BFGS-B from each group's own stay rate over
    the overall one; identical answer patterns are counted once, with their numbers."""
    group_count = len(groups)
    patterns: dict[tuple[int, ...], list[float]] = {}
    for invitation in history:
        key = tuple(g for g, group in enumerate(groups) if invitation.features.get(group.category) == group.name)
        counts = patterns.setdefault(key, [0.0, 0.0])
        counts[0 if invitation.dropped else 1] += 1.0
    overall_stay = 1.0 - overall.rate
    rows, stayed, weight = [], [], []
    for key, (dropped, kept) in patterns.items():
        rows.append(key)
        stayed.append(kept / (dropped + kept))
        weight.append(dropped + kept)
    rows.append(())
    stayed.append(prior.beta / prior.weight)
    weight.append(prior.weight)
    for g in range(group_count):
        rows.append((g,))
        stayed.append(overall_stay)
        weight.append(prior.weight)
    design = np.zeros((len(rows), group_count + 1))
    design[:, 0] = 1.0
    for r, key in enumerate(rows):
        design[r, [1 + g for g in key]] = 1.0
    stayed_share, weights = np.array(stayed), np.array(weight)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        u = np.minimum(design @ theta, np.log(MOST_STAY))
        stay = np.exp(u)
        value = weights * (stayed_share * u + (1.0 - stayed_share) * np.log1p(-stay))
        slope = weights * (stayed_share - (1.0 - stayed_share) * stay / (1.0 - stay))
        slope[design @ theta > np.log(MOST_STAY)] = 0.0
        return -float(value.sum()), -(design.T @ slope)

    start = np.concatenate([[np.log(overall_stay)],
                            [np.log(max(1.0 - group.rate, 1e-6) / overall_stay) for group in groups]])
    result = minimize(objective, start, jac=True, method="L-BFGS-B")
    theta = result.x if np.all(np.isfinite(result.x)) else start
    return float(np.exp(theta[0])), tuple(float(np.exp(value)) for value in theta[1:])


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
