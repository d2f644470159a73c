"""A uniform lottery over M panels, and the public draw from an announced seed.

Rounding (after Flanigan, Kehne, Procaccia, "Fair sortition made transparent", NeurIPS
2021): panel j of the LEXIMIN distribution gets ⌊M·p_j⌋ tickets, and the R tickets left
over go, one each, to R panels with a fractional part, chosen greedily so that every type's
expected share stays closest to its target (least squares on the deviation vector). So each
panel's ticket count is within one of M·p_j, and a volunteer's lottery probability — their
tickets / M — moves from the LEXIMIN value by the reported ``max_deviation``.

Tickets of a type panel are then filled with concrete volunteers by walking each type's
members round-robin, so members of one type get their type's tickets within one of each
other. Member order within a type is a fixed-seed shuffle: the lottery is reproducible.

The draw (anyone can repeat it in a few lines of Python)::

    import hashlib
    ticket = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big") % M + 1

and the panel is ``lottery[ticket - 1]``. The bias of reducing a 256-bit number modulo M
is below M / 2**256, i.e. nil. Publishing ``lottery_digest`` (SHA-256 of the lottery's
canonical JSON) before the seed is announced shows the lottery was fixed beforehand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from panels.selection.compression import CompressedPool
from panels.selection.model import Draw, Lottery

#: Seed of the shuffle of members within a type; any fixed value keeps lotteries reproducible.
MEMBER_ORDER_SEED = 2021


def ticket_for_seed(seed: str, lottery_size: int) -> int:
    """1-based ticket number picked by ``seed`` (see module docstring for the formula)."""
    if lottery_size < 1:
        raise ValueError("lottery_size must be at least 1")
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") % lottery_size + 1


def canonical_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``record`` as JSON with sorted keys and no spaces: the fingerprint of a run's
    inputs (``panels.runs``) and of a lottery file's alternates settings (``report.alternates_digest``)."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def lottery_digest(panels: Sequence[Sequence[str]]) -> str:
    """SHA-256 (hex) of ``json.dumps(panels, separators=(",", ":"))`` encoded as UTF-8."""
    canonical = json.dumps([list(panel) for panel in panels], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def draw_from_lottery(seed: str, lottery: Lottery) -> Draw:
    """Draw the panel of the ticket that ``seed`` picks."""
    ticket = ticket_for_seed(seed, lottery.size)
    return Draw(seed=seed, ticket=ticket, panel=lottery.panels[ticket - 1], lottery_digest=lottery_digest(lottery.panels))


def verify_draw(record: Mapping[str, Any]) -> bool:
    """Repeat a stored draw: does the seed pick the stored panel from the stored lottery?

    ``record`` is the JSON written by the CLI (keys ``seed``, ``lottery``, ``panel`` and,
    when present, ``ticket``, ``lottery_size`` and ``lottery_digest``).
    """
    panels = [tuple(str(member) for member in panel) for panel in record.get("lottery") or []]
    seed = record.get("seed")
    if not panels or seed is None:
        return False
    if "lottery_size" in record and int(record["lottery_size"]) != len(panels):
        return False
    ticket = ticket_for_seed(str(seed), len(panels))
    if "ticket" in record and int(record["ticket"]) != ticket:
        return False
    if "lottery_digest" in record and record["lottery_digest"] != lottery_digest(panels):
        return False
    return sorted(str(member) for member in record.get("panel", [])) == sorted(panels[ticket - 1])


def round_to_tickets(weights: np.ndarray, contributions: np.ndarray | sparse.spmatrix, lottery_size: int) -> np.ndarray:
    """Integer tickets per panel summing to ``lottery_size`` (see module docstring).

    ``contributions`` is (types × panels), dense or sparse: Y_{P,t} / count_t.

    Giving panel j a ticket moves the deviation vector d by its column c_j, so the squared
    norm grows by 2 d·c_j + |c_j|². The scores 2 d·c_j are kept for every candidate and
    updated after each pick by 2 Cᵀc_j (one sparse product), instead of being recomputed
    from scratch over all candidates.
    """
    matrix = sparse.csc_matrix(contributions, dtype=float)
    target = lottery_size * np.asarray(weights, dtype=float)
    tickets = np.floor(target + 1e-9).astype(np.int64)
    remaining = int(lottery_size - tickets.sum())
    if remaining <= 0:
        return tickets
    candidates = np.flatnonzero(target - tickets > 1e-12)
    if remaining > candidates.size:  # only after float trouble: top up the largest panels
        candidates = np.argsort(-target, kind="stable")
    deviation = matrix @ (tickets - target)
    columns = matrix[:, candidates]
    rows = columns.T.tocsr()
    scores = 2 * (rows @ deviation) + np.asarray(columns.multiply(columns).sum(axis=0)).ravel()
    open_ = np.ones(candidates.size, dtype=bool)
    for _ in range(remaining):
        best = int(np.argmin(np.where(open_, scores, np.inf)))
        tickets[candidates[best]] += 1
        open_[best] = False
        scores += 2 * (rows @ columns[:, best].toarray().ravel())
    return tickets


def panel_matrix(type_panels: Sequence[np.ndarray], type_count: int) -> sparse.csr_matrix:
    """The (panels × types) seat counts, sparse, built without the dense matrix (n = 20,000:
    1,900 panels × 5,700 types, 85 MB dense, of which a panel fills 150 entries at most)."""
    present = [np.flatnonzero(panel) for panel in type_panels]
    if not present:
        return sparse.csr_matrix((0, type_count))
    indptr = np.concatenate([[0], np.cumsum([types.size for types in present])])
    data = np.concatenate([np.asarray(panel)[types] for panel, types in zip(type_panels, present)]).astype(float)
    return sparse.csr_matrix((data, np.concatenate(present), indptr), shape=(len(type_panels), type_count))


def build_lottery(
    pool: CompressedPool, type_panels: Sequence[np.ndarray], weights: np.ndarray, lottery_size: int
) -> tuple[Lottery, dict[str, float]]:
    """Round a type-panel distribution to ``lottery_size`` concrete panels.

    Returns the lottery and each eligible volunteer's lottery probability.
    """
    contributions = (panel_matrix(type_panels, pool.type_count) @ sparse.diags(1.0 / pool.type_counts)).T.tocsc()
    target_type_probability = contributions @ weights
    tickets = round_to_tickets(weights, contributions, lottery_size)
    rng = np.random.default_rng(MEMBER_ORDER_SEED)
    members = [list(rng.permutation(np.array(type_members, dtype=object))) for type_members in pool.type_members]
    cursor = [0] * pool.type_count
    counts: dict[str, int] = {member: 0 for type_members in pool.type_members for member in type_members}
    panels: list[tuple[str, ...]] = []
    for panel_index, ticket_count in enumerate(tickets):
        type_panel = type_panels[panel_index]
        present = np.flatnonzero(type_panel)
        for _ in range(int(ticket_count)):
            chosen = list(pool.fixed_ids)
            for t in present:
                size = len(members[t])
                for _ in range(int(type_panel[t])):
                    member = members[t][cursor[t] % size]
                    cursor[t] += 1
                    chosen.append(member)
                    counts[member] += 1
            panels.append(tuple(sorted(chosen)))
    lottery_probability = {member: count / lottery_size for member, count in counts.items()}
    deviation = 0.0
    for t, type_members in enumerate(pool.type_members):
        for member in type_members:
            deviation = max(deviation, abs(lottery_probability[member] - target_type_probability[t]))
    return Lottery(panels=tuple(panels), max_deviation=float(deviation)), lottery_probability
