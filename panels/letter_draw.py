"""The civic lottery by post: which addresses get a letter, and the codes printed on them.

Addresses are sampled *by ward*: each ward gets letters in proportion to its number of
addresses times its weight (1 unless the officer weights a ward more, to hear more from a ward
that usually answers less), rounded by largest remainder so the total is exactly the number of
letters asked for, and never more letters than a ward has addresses. Within a ward, addresses
are drawn uniformly without replacement.

The draw is deterministic: numpy's ``Generator`` (PCG64) seeded from the SHA-256 of the seed
text, addresses ordered by UPRN and wards by name, so the same file (same fingerprint), seed,
number and weights give the same addresses on any machine. The seed and the file's fingerprint
are recorded with the batch.

Registration codes are *not* derived from the seed (a published seed must not reveal them):
they come from ``secrets``. A code is 8 characters from an alphabet without 0/O and 1/I
(``7KQM-3XRP``), about 10^12 codes, so guessing one is hopeless, and it admits only a
registration (no personal data). It is stored as written, with its letter, because the officer
must be able to print the letters again and give the mailing house its file.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from common.i18n import gettext
from panels.address_file import Address, _ward_key

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols: no 0, O, 1 or I, which are misread on paper."""
CODE_LENGTH = 8
DEFAULT_ADULTS_PER_LETTER = 2


@dataclass(frozen=True)
class WardDraw:
    ward: str
    addresses: int
    weight: float
    letters: int


@dataclass(frozen=True)
class LetterDraw:
    seed: str
    addresses: tuple[Address, ...]
    """The addresses drawn, ward by ward (wards by name, addresses by UPRN)."""
    wards: tuple[WardDraw, ...]


def generator_for(seed: str) -> np.random.Generator:
    """A PCG64 generator seeded from the SHA-256 of the seed text (UTF-8)."""
    return np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big"))


def allocate_letters(counts: Mapping[str, int], letters: int, weights: Mapping[str, float] | None = None) -> dict[str, int]:
    """Letters per ward: proportional to addresses × weight, largest remainder, capped at the
    ward's addresses (what a capped ward cannot take goes to the others)."""
    weights = weights or {}
    if letters > sum(counts.values()):
        raise ValueError("more letters than addresses")
    given = {ward: 0 for ward in counts}
    remaining = letters
    open_wards = {ward for ward, count in counts.items() if count > 0 and weights.get(ward, 1.0) > 0}
    while remaining > 0 and open_wards:
        shares = {ward: counts[ward] * weights.get(ward, 1.0) for ward in open_wards}
        total = sum(shares.values())
        quotas = {ward: remaining * share / total for ward, share in shares.items()}
        extra = {ward: int(quota) for ward, quota in quotas.items()}
        left = remaining - sum(extra.values())
        for ward in sorted(open_wards, key=lambda ward: (-(quotas[ward] - extra[ward]), ward))[:left]:
            extra[ward] += 1
        for ward in open_wards:
            room = counts[ward] - given[ward]
            take = min(extra[ward], room)
            given[ward] += take
            remaining -= take
        open_wards = {ward for ward in open_wards if given[ward] < counts[ward]}
    if remaining > 0:  # every weighted ward is full: the rest go to wards weighted 0, in proportion
        rest = {ward: counts[ward] - given[ward] for ward in counts if counts[ward] > given[ward]}
        for ward, count in allocate_letters(rest, remaining).items():
            given[ward] += count
    return given


def draw_letters(addresses: Sequence[Address], *, letters: int, seed: str,
                 weights: Mapping[str, float] | None = None) -> LetterDraw:
    """The addresses that get a letter. ``ValueError`` when ``letters`` is not between 1 and the
    number of addresses."""
    if not 1 <= letters <= len(addresses):
        raise ValueError(f"the number of letters must be between 1 and {len(addresses)}")
    by_ward: dict[str, list[Address]] = {}
    for address in addresses:
        by_ward.setdefault(address.ward, []).append(address)
    for ward_addresses in by_ward.values():
        ward_addresses.sort(key=lambda address: (int(address.uprn), address.uprn))
    counts = {ward: len(items) for ward, items in by_ward.items()}
    allocation = allocate_letters(counts, letters, weights)
    generator = generator_for(seed)
    chosen: list[Address] = []
    summary: list[WardDraw] = []
    for ward in sorted(by_ward):
        picks = sorted(int(index) for index in generator.choice(counts[ward], size=allocation[ward], replace=False))
        chosen.extend(by_ward[ward][index] for index in picks)
        summary.append(WardDraw(ward=ward, addresses=counts[ward], weight=float((weights or {}).get(ward, 1.0)),
                                letters=allocation[ward]))
    return LetterDraw(seed=seed, addresses=tuple(chosen), wards=tuple(summary))


def parse_ward_weights(text: str, *, wards: Collection[str]) -> tuple[dict[str, float], list[str]]:
    """``Kilburn = 2, Gospel Oak = 1.5`` (commas or new lines between entries) as {ward: weight},
    and a message per entry that is not a known ward with a weight from 0 to 10."""
    names = {_ward_key(ward): ward for ward in wards}
    weights: dict[str, float] = {}
    errors: list[str] = []
    for entry in re.split(r"[,;\n]", text):
        if not entry.strip():
            continue
        name, _, raw = entry.rpartition("=") if "=" in entry else (entry, "", "")
        ward = names.get(_ward_key(name))
        try:
            weight = float(raw.strip())
        except ValueError:
            weight = -1.0
        if ward is None:
            errors.append(gettext("‘%(entry)s’: %(ward)s is not a ward of the borough", entry=entry.strip()[:80],
                                  ward=name.strip()[:60] or "?"))
        elif not 0 <= weight <= 10:
            errors.append(gettext("‘%(entry)s’: write the ward, an equals sign and a weight from 0 to 10, like Kilburn = 2",
                                  entry=entry.strip()[:80]))
        else:
            weights[ward] = weight
    return weights, errors


def format_ward_weights(weights: Mapping[str, float]) -> str:
    return ", ".join(f"{ward} = {weight:g}" for ward, weight in sorted(weights.items()))


def new_code() -> str:
    """A fresh registration code, ``XXXX-XXXX``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def new_codes(count: int, *, taken: Collection[str] = ()) -> list[str]:
    """``count`` distinct codes, none of them in ``taken``."""
    codes: list[str] = []
    seen = set(taken)
    while len(codes) < count:
        code = new_code()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def normalise_code(raw: str) -> str | None:
    """A typed code in its stored spelling (``7kqm 3xrp`` → ``7KQM-3XRP``), or None when it cannot be one."""
    compact = re.sub(r"[\s\-]+", "", raw).upper()
    if len(compact) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in compact):
        return None
    return f"{compact[:4]}-{compact[4:]}"


def ward_counts(addresses: Sequence[Address]) -> Counter[str]:
    return Counter(address.ward for address in addresses)
