"""The scale a Resident Panel rates a data use on against each principle of a charter. Its labels
are read on the case study's public page, so they are in the resident catalogue
(``babel-resident.cfg``)."""

from __future__ import annotations

from common.i18n import lazy_gettext

RATINGS = ("meets", "partly", "does_not_meet", "cant_tell")
RATING_LABELS = {
    "meets": lazy_gettext("Meets the principle"),
    "partly": lazy_gettext("Partly meets it"),
    "does_not_meet": lazy_gettext("Does not meet it"),
    "cant_tell": lazy_gettext("Can't tell"),
}
