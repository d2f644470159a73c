"""One mapping from census categories (2011 and 2021 Censuses, and officers' own files) to the
About-you categories (``common.about_you``), used by panel quotas and by report weighting alike.

Every category of a mapped dimension (``sex``, ``age_band``, ``ethnicity``, ``disability``,
``tenure``) is either

* an About-you category, or a census spelling of one (2021's "Asian, Asian British or Asian
  Welsh" is 2011's "Asian/Asian British"; 2021's two "Not disabled" rows are 2011's "not
  limited"): its count is added to that category; or
* a category About you does not offer (children ``0-15``; renting privately from an employer, a
  relative or a friend): it is left out of the margin, and the base says so.

Anything else is refused by ``check_category`` with the categories it could have been, so an
officer's file with a misspelt category fails at upload with its row named, instead of leaving
respondents silently on weight 1. Dimensions outside the About-you set (``ethnicity_detailed``,
``economic_activity``, an officer's own) are not mapped.

Bases (issue #18, item 4): the census files give sex, ethnicity and disability for residents of
all ages only (see ``census_data/README.md``), so those margins are stated as all-ages shares;
age bands are adults (16+ or 18+, as the categories offered); tenure is per household unless the
officer chose the ``persons:`` family.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from common.about_you import ABOUT_YOU_CATEGORIES
from common.i18n import gettext

TENURE_FAMILIES = ("households", "persons")

CENSUS_SPELLINGS: dict[str, dict[str, str]] = {
    "ethnicity": {
        # 2021 group names
        "Mixed or Multiple ethnic groups": "Mixed/multiple ethnic groups",
        "Asian, Asian British or Asian Welsh": "Asian/Asian British",
        "Black, Black British, Black Welsh, Caribbean or African": "Black/African/Caribbean/Black British",
    },
    "disability": {
        # 2021 (Equality Act definition); 2011's "not limited" is 2021's two "Not disabled" rows combined.
        "Disabled under the Equality Act: Day-to-day activities limited a lot": "Day-to-day activities limited a lot",
        "Disabled under the Equality Act: Day-to-day activities limited a little":
            "Day-to-day activities limited a little",
        "Not disabled: Has long term physical or mental health condition but day-to-day activities are not limited":
            "Day-to-day activities not limited",
        "Not disabled: No long term physical or mental health conditions": "Day-to-day activities not limited",
    },
    "tenure": {
        # 2021 (TS054) names, family prefix removed
        "Shared ownership": "Shared ownership (part owned and part rented)",
        "Social rented: Rents from council or Local Authority": "Social rented: Rented from council (Local Authority)",
        "Lives rent free": "Living rent free",
    },
}
"""Dimension → census spelling → About-you category (About-you spellings map to themselves)."""

NOT_OFFERED: dict[str, tuple[str, ...]] = {
    "age_band": ("0-15",),
    "tenure": ("Private rented: Other (employer, relative/friend, other)", "Private rented: Other private rented",
               "Private rented: Employer of a household member",
               "Private rented: Relative or friend of household member", "Private rented: Other"),
}
"""Census categories About you does not offer: left out of the margin (and the base says so)."""

MAPPED_DIMENSIONS = tuple(ABOUT_YOU_CATEGORIES)
ADULT_SUFFIXES = {"@16+": "16", "@18+": "18"}
"""A census file may give a dimension for adults too, as ``sex@16+`` or ``sex@18+`` (the shipped
files have none: ONS publishes sex, ethnicity and disability of adults only in cross-tables).
Quotas and weighting then use the adult figures and the base says so."""


def split_adult(dimension: str) -> tuple[str, str]:
    """``("sex", "18")`` for ``sex@18+``; ``(dimension, "")`` otherwise."""
    for suffix, age in ADULT_SUFFIXES.items():
        if dimension.endswith(suffix):
            return dimension.removesuffix(suffix), age
    return dimension, ""


def pick_dimension(available: Iterable[str], dimension: str, *, youngest: str = "18") -> str | None:
    """The census dimension to use for ``dimension``: its adult version from ``youngest`` (16 or
    18) if the file has it, else the other adult version, else the all-ages one (None if absent)."""
    present = set(available)
    other = "16" if youngest == "18" else "18"
    for name in (f"{dimension}@{youngest}+", f"{dimension}@{other}+", dimension):
        if name in present:
            return name
    return None


class CensusMappingError(ValueError):
    """A census category of a mapped dimension that is neither an About-you category nor a known
    census spelling of one."""

    def __init__(self, dimension: str, category: str) -> None:
        self.dimension = dimension
        self.category = category
        known = [*ABOUT_YOU_CATEGORIES[dimension], *CENSUS_SPELLINGS.get(dimension, {}),
                 *NOT_OFFERED.get(dimension, ())]
        super().__init__(gettext("‘%(category)s’ is not a category of ‘%(dimension)s’ in the 2011 or 2021 Census "
                                 "or in About you; use one of: %(known)s", category=category, dimension=dimension,
                                 known="; ".join(known)))


def split_family(dimension: str, category: str) -> tuple[str, str]:
    """``("households", "Owned outright")`` for a tenure category; ``("", category)`` otherwise."""
    if dimension == "tenure":
        family, separator, rest = category.partition(":")
        if separator and family.strip() in TENURE_FAMILIES:
            return family.strip(), rest.strip()
    return "", category


def check_category(dimension: str, category: str) -> str | None:
    """The About-you category a census category counts towards, or None when About you does not
    offer it. Raises ``CensusMappingError`` for a category the mapping does not know; categories
    of dimensions outside the About-you set are returned unchanged."""
    dimension, _ = split_adult(dimension)
    if dimension not in ABOUT_YOU_CATEGORIES:
        return category
    _, bare = split_family(dimension, category)
    if bare in ABOUT_YOU_CATEGORIES[dimension]:
        return bare
    if bare in CENSUS_SPELLINGS.get(dimension, {}):
        return CENSUS_SPELLINGS[dimension][bare]
    if bare in NOT_OFFERED.get(dimension, ()):
        return None
    raise CensusMappingError(dimension, category)


@dataclass(frozen=True)
class Margin:
    """One dimension's census counts in About-you categories, on a stated base."""

    dimension: str
    counts: dict[str, int]
    """About-you category → census count, in About-you order (only categories the census has)."""
    left_out: dict[str, int]
    """Census categories (or About-you categories not asked) left out of the base → count."""
    family: str
    """``households`` or ``persons`` for tenure, else empty."""
    adults_from: str = ""
    """``16`` or ``18`` when the counts are of adults only (a ``@16+``/``@18+`` dimension)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def shares(self) -> dict[str, float]:
        total = self.total
        return {category: count / total for category, count in self.counts.items()} if total > 0 else {}

    def base(self) -> str:
        """The base of the margin in words (translatable), naming what was left out."""
        if self.dimension == "age_band":
            youngest = next(iter(self.counts), "")
            base = (gettext("usual residents aged 16 and over") if youngest == "16-17"
                    else gettext("usual residents aged 18 and over") if youngest == "18-24"
                    else gettext("usual residents in the age bands asked"))
        elif self.dimension == "tenure":
            base = (gettext("usual residents living in households (per person)") if self.family == "persons"
                    else gettext("households (one answer per household, not per person)"))
        elif self.adults_from:
            base = (gettext("usual residents aged 16 and over") if self.adults_from == "16"
                    else gettext("usual residents aged 18 and over"))
        elif self.dimension in ("sex", "ethnicity", "disability"):
            base = gettext("usual residents of all ages (the census files give no figures for adults only)")
        else:
            base = gettext("usual residents")
        left = {category: count for category, count in self.left_out.items()
                if not (self.dimension == "age_band" and category in ("0-15", "16-17"))}
        if left:
            whole = self.total + sum(left.values())
            share = sum(left.values()) / whole if whole else 0.0
            base = gettext("%(base)s, leaving out %(categories)s (%(percent)s%%), which About you does not offer",
                           base=base, categories="; ".join(left), percent=format(100 * share, ".1f"))
        return base


def about_you_margin(dimension: str, counts: Mapping[str, int], *, offered: Iterable[str] | None = None,
                     family: str = "households") -> Margin:
    """The census ``counts`` of one dimension (``category → count``, as in the file) in About-you
    categories. ``offered`` restricts it to the categories asked (e.g. 18+ age bands for a panel);
    tenure keeps one family (``households`` or ``persons``). Unknown categories raise
    ``CensusMappingError``."""
    asked = list(offered) if offered is not None else None
    dimension, adults_from = split_adult(dimension)
    mapped: dict[str, int] = {}
    left_out: dict[str, int] = {}
    for category, count in counts.items():
        category_family, bare = split_family(dimension, category)
        if dimension == "tenure" and category_family and category_family != family:
            continue
        target = check_category(dimension, category)
        if target is None or (asked is not None and target not in asked):
            left_out[bare] = left_out.get(bare, 0) + count
        else:
            mapped[target] = mapped.get(target, 0) + count
    order = list(ABOUT_YOU_CATEGORIES.get(dimension, ())) or list(mapped)
    ordered = {category: mapped[category] for category in order if category in mapped}
    ordered.update({category: count for category, count in mapped.items() if category not in ordered})
    return Margin(dimension=dimension, counts=ordered, left_out=left_out,
                  family=family if dimension == "tenure" else "", adults_from=adults_from)
