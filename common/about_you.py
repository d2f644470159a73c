"""The About-you categories: the one spelling of sex, age band, ethnic group, disability and
housing tenure that questionnaires offer, panels register and quotas and weighting are computed in.

They are the 2011 Census spellings (tenure without its ``households:`` prefix). Census files of
either year are translated into them by ``panels.census_mapping``.
"""

from __future__ import annotations

ABOUT_YOU_CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": ("Male", "Female"),
    "age_band": ("16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"),
    "ethnicity": ("White", "Mixed/multiple ethnic groups", "Asian/Asian British",
                  "Black/African/Caribbean/Black British", "Other ethnic group"),
    "disability": ("Day-to-day activities limited a lot", "Day-to-day activities limited a little",
                   "Day-to-day activities not limited"),
    "tenure": ("Owned outright", "Owned with a mortgage or loan", "Shared ownership (part owned and part rented)",
               "Social rented: Rented from council (Local Authority)", "Social rented: Other social rented",
               "Private rented: Private landlord or letting agency", "Living rent free"),
}
"""Dimension → categories in the order asked. The private "Other" tenure (renting from an employer,
a relative or a friend) is not offered: the census counts it, and the mapping leaves it out, saying so."""
