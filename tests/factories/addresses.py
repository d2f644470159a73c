"""Address files for the civic lottery by post: good ones, in the documented format."""

from __future__ import annotations

WARDS = ("Kilburn", "Gospel Oak", "Bloomsbury")


def address_file(rows: int = 30) -> str:
    """``rows`` addresses spread over three wards, with real postcode formats."""
    postcodes = {"Kilburn": "NW6 7PB", "Gospel Oak": "NW5 4LE", "Bloomsbury": "WC1N 3AX"}
    lines = ["uprn,address_1,address_2,town,postcode,ward"]
    for number in range(rows):
        ward = WARDS[number % len(WARDS)]
        lines.append(f"{5000100 + number},Flat {number + 1},{number + 10} Example Road,London,{postcodes[ward]},{ward}")
    return "\n".join(lines) + "\n"
