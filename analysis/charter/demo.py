"""Demo data of the analysis package: a Data Charter modelled on Camden's (adopted January 2022).

The principle titles are the charter's own; the descriptions are written for this demo."""

from __future__ import annotations

from datetime import date

from analysis.charter.services import ensure_charter

DEMO_CHARTER_SLUG = "camden-data-charter"

DEMO_PRINCIPLES: list[tuple[str, str]] = [
    ("Build trust through transparency",
     "Say openly what data the council holds, why, and who it is shared with, and publish the evidence."),
    ("Provide accountability and oversight",
     "Name who is responsible for each use of data, and let residents and councillors check the council keeps its word."),
    ("Make sure data is secure, safe and ethical",
     "Protect data from loss and misuse, and assess the ethics of every new use before it starts."),
    ("Make sure data is used for public good and be mindful of residents' data",
     "Use data only where it helps residents and the borough, and collect no more than is needed."),
    ("Be beneficial for all by using an outcomes-based approach",
     "Judge each use of data by what it changes for residents, and share the benefits fairly."),
    ("Be clear about how we use residents' data",
     "Explain in plain language, with real examples, how residents' data is used and what decisions it informs."),
    ("Protect individuals' rights and privacy",
     "Respect residents' rights to see, correct and erase their data, and keep personal data no longer than needed."),
]


async def load_demo_charter() -> list[str]:
    created = await ensure_charter(
        slug=DEMO_CHARTER_SLUG,
        name="Camden Data Charter",
        organisation="London Borough of Camden",
        adopted_on=date(2022, 1, 19),
        url="",
        summary=(
            "Seven principles for how the council collects, uses and shares residents' data, "
            "developed with a Resident Panel and agreed by Cabinet."
        ),
        principles=DEMO_PRINCIPLES,
    )
    return [f"charter: {'created' if created else 'already present'} (Camden Data Charter, 7 principles)"]
