"""Chances over the whole process, from letter to panel, for the residents the letters could reach.

Flanigan, Gölz, Gupta & Procaccia, "Neutralizing self-selection bias in sampling for sortition"
(NeurIPS 2020): a resident i ends on the panel through the letters with probability

    a × q_i × π_i

where ``a`` is the chance that a letter reaches their household, ``q_i`` the chance that they
register given a letter (the self-selection) and ``π_i`` the chance that the lottery picks them
once they are in the pool. Chances are equal end to end only when ``π_i ∝ 1 / q_i``; LEXIMIN and
Goldilocks even out ``π`` within the pool, so the residents who register least often keep a
smaller chance unless the quotas make up for it. The paper learns ``q_i`` from the pool and a
background sample under a model where ``log q_i`` is additive in the features. We have no
background sample, only the census margins, so ``q_i`` is fitted by calibration: the weights
``1 / (a q_i)`` are multiplicative in the features (``log q`` additive) and make the expected
pool match every census margin, which is exactly raking (``common.raking``) of the registrants
to the margins. The paper's own estimator (maximum likelihood with "contaminated controls") needs
individual records of the background population; with margins only, raking is the estimate of
the same model that they allow. (The paper's text was not at hand: this follows its abstract and
the model as stated here.)

Per census group g the three stages are estimated, and multiplied:

(a) ``letter``: letters ÷ addresses in the address file; the same for every household (letters
    are drawn uniformly within each ward; an officer's ward weights change it by ward, which the
    census, given for the whole borough, cannot follow).
(b) ``registration``: registrations from letters in g ÷ adults of g the letters reached, where
    the adults reached are letters × adults per household (the census adults ÷ the census
    households) × g's census share. Registrants who did not answer the dimension (or answered
    outside the census categories, such as "Prefer not to say") are assumed to be spread like
    those who did: the count of g is scaled by registrants ÷ answerers.
(c) ``selection``: the mean selection chance of the registrants in g (the LEXIMIN, or
    Goldilocks, probability), and ``final`` the mean simulated chance of ending on the final
    panel after drop-outs when the run has one.

Assumptions, stated on the officer's page too: every adult of a household that gets a letter is
invited by it; the census shares hold among the households of the address file; the address file
lists the borough's households (else the chances are of the adults living at its addresses);
tenure shares are of households, not adults.

The end-to-end chance ``a × b × c`` is compared with the **equal chance**: the seats expected to
go to people who came by letter (the sum of their selection chances; every seat when the whole
pool came by letter) shared equally among the adults the letters could reach (addresses × adults
per household). A ratio of 1 is a fair share; a group below ``UNDER_REPRESENTED`` is named,
worst first, unless fewer than ``MIN_REGISTRATIONS`` of its residents registered by letter: then
it is listed as too few to say. Summed over the adults the letters could reach, the group
end-to-end chances give the expected seats of letter registrants (with every registrant answering
and the census households those of the address file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from common.raking import rake

UNDER_REPRESENTED = 0.8
"""A group whose end-to-end chance is below this share of the equal chance is named."""
MIN_REGISTRATIONS = 10
"""Fewer registrations by letter than this in a group: too few to estimate its chances."""


@dataclass(frozen=True)
class LetterFigures:
    """The letters sent and the households of the address file they were drawn from."""

    letters: int
    addresses: int

    @property
    def letter_chance(self) -> float:
        return min(1.0, self.letters / self.addresses) if self.addresses > 0 else 0.0


@dataclass(frozen=True)
class Borough:
    """The census of the borough: adults (18+), households and, per dimension, each category's
    share (of adults, or of households for tenure), in the census's order."""

    adults: float
    households: float | None
    """None when the census file has no household count: the address file's count is used."""
    shares: Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Registrant:
    """A pool member on the route measured (registered with a letter's code), with their answers
    and selection chance (0 when the run left them out)."""

    id: str
    answers: Mapping[str, str]
    selection: float
    final: float | None = None


@dataclass(frozen=True)
class GroupChance:
    dimension: str
    category: str
    census_share: float
    registered: int
    """Registrants who gave this category."""
    registration: float | None
    """(b) Chance of registering given a letter; None without the letters' figures."""
    selection: float | None
    """(c) Mean selection chance of the registrants in the group; None when none registered."""
    final: float | None
    """(c) after drop-outs (simulated final chance); None when the run has no simulation."""
    end_to_end: float | None
    final_end_to_end: float | None
    equal_chance: float | None

    @property
    def ratio(self) -> float | None:
        """The end-to-end chance ÷ the equal chance (after drop-outs when simulated)."""
        chance = self.final_end_to_end if self.final_end_to_end is not None else self.end_to_end
        if chance is None or not self.equal_chance:
            return None
        return chance / self.equal_chance

    @property
    def too_few(self) -> bool:
        return self.registered < MIN_REGISTRATIONS

    @property
    def under_represented(self) -> bool:
        return not self.too_few and self.ratio is not None and self.ratio < UNDER_REPRESENTED


@dataclass(frozen=True)
class MemberChance:
    """One registrant under the paper's model, fitted to the census margins."""

    id: str
    stands_for: float
    """Adults reachable by letter this registrant stands for: 1 / (a q_i)."""
    response: float
    """q_i: the estimated chance that a resident like them registers given a letter."""
    selection: float
    end_to_end: float
    """a × q_i × π_i (with the final chance when simulated)."""
    ratio: float
    """``end_to_end`` ÷ the equal chance."""


@dataclass(frozen=True)
class WholeProcess:
    letter_chance: float | None
    """(a) None without the letters' figures."""
    adults_per_household: float | None
    reachable: float | None
    """Adults living at the address file's addresses: addresses × adults per household."""
    reached: float | None
    """Adults living at the addresses that got a letter."""
    registrants: int
    letter_seats: float
    """Seats expected to go to the registrants: the sum of their selection chances."""
    final_letter_seats: float | None
    seats: int
    equal_chance: float | None
    groups: tuple[GroupChance, ...]
    members: tuple[MemberChance, ...]
    """Worst end-to-end ratio first; empty without the letters' figures or registrants."""
    fit_converged: bool
    not_fitted: tuple[tuple[str, str], ...]
    """(dimension, category) with residents but no registrant: nobody stands for them in the fit,
    so their response is estimated as 0."""
    response_capped: int = 0
    """Registrants whose fitted response chance came out above 1 and was held at 1."""

    @property
    def under_represented(self) -> list[GroupChance]:
        """Groups below ``UNDER_REPRESENTED`` with enough registrations to say, worst first."""
        return sorted((group for group in self.groups if group.under_represented),
                      key=lambda group: (group.ratio, group.dimension, group.category))

    @property
    def too_few(self) -> list[GroupChance]:
        """Groups with fewer than ``MIN_REGISTRATIONS`` registrations, fewest first."""
        return sorted((group for group in self.groups if group.too_few),
                      key=lambda group: (group.registered, group.dimension, group.category))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def whole_process_chances(*, borough: Borough, registrants: Sequence[Registrant], seats: int,
                          letters: LetterFigures | None) -> WholeProcess:
    """The stages of every census group and each registrant's end-to-end chance (module
    docstring). Without ``letters`` only the selection stage is given (``registrants`` are then
    whoever was in the pool)."""
    simulated = bool(registrants) and all(person.final is not None for person in registrants)
    letter_seats = float(sum(person.selection for person in registrants))
    final_seats = float(sum(person.final or 0.0 for person in registrants)) if simulated else None
    letter_chance = adults_per_household = reachable = reached = equal = None
    if letters is not None and letters.addresses > 0:
        letter_chance = letters.letter_chance
        households = borough.households if borough.households else letters.addresses
        adults_per_household = borough.adults / households
        reachable = letters.addresses * adults_per_household
        reached = min(letters.letters, letters.addresses) * adults_per_household
        equal = (final_seats if simulated else letter_seats) / reachable
    groups = []
    for dimension, shares in borough.shares.items():
        answered = [person for person in registrants if shares.get(person.answers.get(dimension, ""), 0) > 0]
        scale = len(registrants) / len(answered) if answered else 0.0
        for category, share in shares.items():
            if share <= 0:
                continue
            members = [person for person in answered if person.answers[dimension] == category]
            selection = _mean([person.selection for person in members])
            final = _mean([person.final or 0.0 for person in members]) if simulated else None
            registration = end_to_end = final_end_to_end = None
            if reached:
                registration = len(members) * scale / (reached * share)
                end_to_end = letter_chance * registration * (selection or 0.0)
                final_end_to_end = letter_chance * registration * (final or 0.0) if simulated else None
            groups.append(GroupChance(dimension=dimension, category=category, census_share=share,
                                      registered=len(members), registration=registration, selection=selection,
                                      final=final, end_to_end=end_to_end, final_end_to_end=final_end_to_end,
                                      equal_chance=equal))
    members_chances: tuple[MemberChance, ...] = ()
    converged, not_fitted, capped = True, [], 0
    if reachable and registrants:
        weights, converged, not_fitted = _fitted_weights(borough, registrants)
        # Nobody registers with a chance above 1, so a registrant stands for at least 1 / a adults;
        # raking that cannot meet every margin (few registrants in some combinations) drives some
        # weights towards 0, and they are held there.
        stands_for = np.maximum(weights * reachable / len(registrants), 1 / letter_chance)
        capped = int(np.sum(weights * reachable / len(registrants) < 1 / letter_chance))
        chances = [person.final if simulated else person.selection for person in registrants]
        members_chances = tuple(sorted((MemberChance(
            id=person.id, stands_for=float(weight), response=float(1 / (letter_chance * weight)),
            selection=float(chance), end_to_end=float(chance / weight),
            ratio=float(chance / weight / equal) if equal else 0.0)
            for person, weight, chance in zip(registrants, stands_for, chances)), key=lambda m: (m.ratio, m.id)))
    return WholeProcess(letter_chance=letter_chance, adults_per_household=adults_per_household, reachable=reachable,
                        reached=reached, registrants=len(registrants), letter_seats=letter_seats,
                        final_letter_seats=final_seats, seats=seats, equal_chance=equal, groups=tuple(groups),
                        members=members_chances, fit_converged=converged, not_fitted=tuple(not_fitted),
                        response_capped=capped)


def _fitted_weights(borough: Borough, registrants: Sequence[Registrant]) -> tuple[np.ndarray, bool, list]:
    """Raking weights (mean 1) of the registrants to the census margins: ∝ 1 / q_i under the
    model. A category nobody registered in cannot be fitted: it is left out and the dimension's
    other shares renormalised (``not_fitted``); an answer outside the census is "not given"."""
    codes, targets, not_fitted = [], [], []
    for dimension, shares in borough.shares.items():
        present = {person.answers.get(dimension) for person in registrants}
        kept = [category for category, share in shares.items() if share > 0 and category in present]
        not_fitted.extend((dimension, category) for category, share in shares.items()
                          if share > 0 and category not in present)
        if not kept:
            continue
        index = {category: position for position, category in enumerate(kept)}
        codes.append(np.array([index.get(person.answers.get(dimension, ""), -1) for person in registrants]))
        target = np.array([shares[category] for category in kept], dtype=float)
        targets.append(target / target.sum())
    if not codes:
        return np.ones(len(registrants)), True, not_fitted
    result = rake(codes, targets)
    return result.weights, result.converged, not_fitted
