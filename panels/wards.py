"""The borough's electoral wards: the names an address file and the response tables use.

Camden's twenty wards since the May 2022 boundary review (Local Government Boundary Commission
for England, The Camden (Electoral Changes) Order 2021)."""

from __future__ import annotations

BOROUGH_WARDS: tuple[str, ...] = (
    "Belsize", "Bloomsbury", "Camden Square", "Camden Town", "Fortune Green", "Frognal", "Gospel Oak",
    "Hampstead Town", "Haverstock", "Highgate", "Holborn and Covent Garden", "Kentish Town North",
    "Kentish Town South", "Kilburn", "King's Cross", "Primrose Hill", "Regent's Park",
    "St Pancras and Somers Town", "South Hampstead", "West Hampstead",
)
