"""Census dimensions, groups and quota problems in the words officers read, never the keys the
files and the engine use: "Aged 75 and over", not ``age_band=75+``; "Sex: Female", not
``sex: Female``; "There are not enough volunteers aged 75 and over …", not "age_band=75+ needs
at least 1 but only 0 volunteers have it"."""

from __future__ import annotations


from common.i18n import gettext, ngettext
from panels.census import DIMENSION_LABELS, age_band_words, census_label
from panels.selection.model import Conflict, Relaxation

AGE_DIMENSIONS = ("age_band",)


def dimension_label(dimension: str) -> str:
    """``age_band`` → "Age band (adults)"; a dimension we have no label for, with its underscores
    turned into spaces and a capital letter ("housing_need" → "Housing need")."""
    label = DIMENSION_LABELS.get(dimension)
    if label is not None:
        return str(label)
    words = dimension.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def category_label(dimension: str, category: str) -> str:
    """An age band in words ("18-24" → "Aged 18 to 24", "75+" → "Aged 75 and over"); any other
    category as the census names it."""
    if dimension in AGE_DIMENSIONS:
        return age_band_words(category) or category
    return category


def group_label(dimension: str, category: str) -> str:
    """A quota group in one phrase: "Aged 75 and over" (the band says its dimension), "Sex: Female"."""
    if dimension in AGE_DIMENSIONS:
        return category_label(dimension, category)
    return gettext("%(dimension)s: %(category)s", dimension=dimension_label(dimension),
                   category=category_label(dimension, category))


def census_name(file_name: str) -> str:
    """``camden-2011.csv`` → "Camden 2011"; an uploaded file by the name it was uploaded with."""
    if file_name.startswith("upload:"):
        return gettext("the uploaded file %(name)s", name=file_name.removeprefix("upload:"))
    return census_label(file_name)


def conflict_sentence(conflict: Conflict) -> str:
    """One reason the quotas cannot be met, as a sentence."""
    group = group_label(conflict.category, conflict.name) if conflict.name else ""
    if conflict.kind == "fixed_over_seats":
        return gettext("%(fixed)s members have already accepted, but the panel has only %(seats)s seats.",
                       fixed=conflict.available, seats=conflict.seats)
    if conflict.kind == "minimums_over_seats":
        return gettext("The minimums for %(dimension)s add up to %(total)s seats, more than the %(seats)s seats to fill.",
                       dimension=dimension_label(conflict.category).lower(), total=conflict.number, seats=conflict.seats)
    if conflict.kind == "maximums_under_seats":
        return gettext("The maximums for %(dimension)s add up to %(total)s seats, fewer than the %(seats)s seats to fill.",
                       dimension=dimension_label(conflict.category).lower(), total=conflict.number, seats=conflict.seats)
    if conflict.kind == "too_few_volunteers":
        return ngettext("%(group)s: the quota needs at least %(num)s member, but only %(available)s volunteers are in "
                        "this group.",
                        "%(group)s: the quota needs at least %(num)s members, but only %(available)s volunteers are in "
                        "this group.", conflict.number, group=group, available=conflict.available)
    if conflict.kind == "fixed_over_maximum":
        return ngettext("%(group)s: the quota allows at most %(num)s member, but %(available)s members who have "
                        "already accepted are in this group.",
                        "%(group)s: the quota allows at most %(num)s members, but %(available)s members who have "
                        "already accepted are in this group.", conflict.number, group=group,
                        available=conflict.available)
    if conflict.kind == "too_few_households":
        return gettext("With one member per household, only %(available)s volunteers can sit on the panel together, "
                       "but %(seats)s seats are to be filled.", available=conflict.available, seats=conflict.seats)
    groups = [group_label(category, name) for category, name in conflict.quotas]
    if len(groups) == 1:
        return gettext("The quota for %(group)s cannot be met by this pool.", group=groups[0])
    return gettext("These quotas cannot all be met together by this pool: %(groups)s.", groups="; ".join(groups))


def relaxation_sentence(relaxation: Relaxation) -> str:
    """"Aged 75 and over: from 2 to 4 seats to 1 to 4 seats"."""
    return gettext("%(group)s: from %(old_min)s to %(old_max)s seats to %(new_min)s to %(new_max)s seats",
                   group=group_label(relaxation.category, relaxation.name), old_min=relaxation.quota_min,
                   old_max=relaxation.quota_max, new_min=relaxation.relaxed_min, new_max=relaxation.relaxed_max)
