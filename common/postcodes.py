"""UK postcodes: the official format, normalised spelling, and areas named by district or sector.

A postcode is an outward code (area + district, e.g. ``WC1N``) and an inward code (sector digit +
unit, e.g. ``3AX``). The outward code takes one of six shapes — A9, A99, AA9, AA99, A9A, AA9A —
with letters restricted by position, as in the Royal Mail / ONS format (the GOV.UK data standard
"UK postcode" and the ONS Postcode Directory user guide):

* first letter: not Q, V or X; second letter: not I, J or Z;
* the letter in A9A (third position): A B C D E F G H J K P S T U W;
* the letter in AA9A (fourth position): A B E H M N P R V W X Y;
* the inward code: a digit then two letters, never C I K M O V.

``GIR 0AA`` (Girobank) is the one historic exception kept. An *area* a panel covers is a district
(``WC1N``, the whole outward code) or a sector (``WC1N 3``, outward code and the inward digit),
so that an officer can name WC1A–WC1X or half a district precisely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

FIRST = "A-PR-UWYZ"
SECOND = "A-HK-Y"
THIRD_A9A = "ABCDEFGHJKPSTUW"
FOURTH_AA9A = "ABEHMNPRVWXY"
UNIT = "ABD-HJLNP-UW-Z"

OUTWARD_PATTERN = (
    rf"(?:[{FIRST}][0-9]{{1,2}}"          # A9, A99
    rf"|[{FIRST}][{SECOND}][0-9]{{1,2}}"  # AA9, AA99
    rf"|[{FIRST}][0-9][{THIRD_A9A}]"      # A9A
    rf"|[{FIRST}][{SECOND}][0-9][{FOURTH_AA9A}])"  # AA9A
)
OUTWARD = re.compile(rf"^{OUTWARD_PATTERN}$")
POSTCODE = re.compile(rf"^(?:GIR 0AA|{OUTWARD_PATTERN} [0-9][{UNIT}]{{2}})$")
SECTOR = re.compile(rf"^(?:{OUTWARD_PATTERN}) [0-9]$")


def normalise_postcode(raw: str) -> str:
    """Upper case, one space before the inward code: ``wc1n3ax`` → ``WC1N 3AX``. Not a check:
    anything of three characters or fewer is returned compacted and upper-cased."""
    compact = "".join(raw.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def is_postcode(text: str) -> bool:
    """Whether ``text`` is a postcode in the official format, in its normalised spelling."""
    return POSTCODE.match(text) is not None


def clean_postcode(raw: str) -> str | None:
    """The normalised postcode, or None when it is not in the official format."""
    postcode = normalise_postcode(raw)
    return postcode if is_postcode(postcode) else None


def outward_code(postcode: str) -> str:
    return postcode.split(" ")[0]


def sector_of(postcode: str) -> str:
    """``WC1N 3AX`` → ``WC1N 3``."""
    outward, inward = postcode.split(" ")
    return f"{outward} {inward[0]}"


def parse_areas(text: str) -> tuple[list[str], list[str]]:
    """Districts and sectors from an officer's list (``WC1N WC1R 3, NW1 0``; spaces, commas or
    new lines between entries): the entries normalised, and the words that are neither. A lone
    digit after a district makes it a sector."""
    areas: list[str] = []
    bad: list[str] = []
    for chunk in re.split(r"[,;\n]", text.upper()):
        joinable = False  # a sector digit joins only the district just before it, in the same entry
        for word in chunk.split():
            if joinable and len(word) == 1 and word in "0123456789":
                areas[-1] = f"{areas[-1]} {word}"
                joinable = False
            elif OUTWARD.match(word):
                areas.append(word)
                joinable = True
            else:
                bad.append(word)
                joinable = False
    return areas, bad


def format_areas(areas: Iterable[str]) -> str:
    """The stored and shown spelling of a list of areas: ``NW1, WC1N 3``."""
    return ", ".join(areas)


def in_areas(postcode: str, areas: Sequence[str]) -> bool:
    """Whether a normalised postcode lies in one of the districts or sectors (any, when none)."""
    if not areas:
        return True
    if " " not in postcode:
        return False
    district, sector = outward_code(postcode), sector_of(postcode)
    return any(area == district or area == sector for area in areas)
