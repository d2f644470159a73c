"""Whether a report's summary fits the first screen of a phone.

A published report opens with "We asked", "You said" and "We did"; on a phone 375 px wide and
812 px high (an iPhone X-class screen, the narrowest common width) all three headings must be on
the first screen, so that a resident sees what the council did without scrolling past the
figures. "We asked" shows the first sentence of the officer's purpose (``lead_sentence``); the
whole purpose follows the summary. What pushes "We did" down is that lead, the consultation's
title and "You said"'s findings, so ``we_did_top`` estimates where the "We did" heading starts
from those words, by wrapping them at the characters a line holds at that width.

The figures below were measured in Debian's Chromium at 375 × 812 on the published report page
(``tests/e2e/test_report_journey.py`` checks the real page; this module lets publishing refuse a
summary that would not fit before anyone sees it). Lines of text are a character short of the
longest a line held there, and a margin is added, so the estimate errs towards "does not fit".
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from common.i18n import format_day, ngettext

SCREEN_HEIGHT = 812
"""The height of the first screen, in CSS pixels (375 × 812)."""

_SENTENCE_END = re.compile(r"(?<=[.!?।؟])\s+")


def lead_sentence(purpose: str) -> str:
    """The purpose's first sentence: what "We asked" shows on the first screen. A purpose of one
    sentence is its own lead."""
    text = " ".join((purpose or "").split())
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def has_more_than_lead(purpose: str) -> bool:
    """True when the purpose says more than its first sentence (shown in full after the summary)."""
    return lead_sentence(purpose) != " ".join((purpose or "").split())


@dataclass(frozen=True)
class PhoneLayout:
    """Pixel measures of the published report page at 375 px (GOV.UK type on a phone), measured on
    the demo's report: "We asked" at 342, "You said" at 522, "We did" at 752."""

    title_top: int = 240
    """Where the title starts: below the header with the council's name, the service navigation,
    and the row with the back link and the Easy Read link."""
    title_chars: int = 20
    title_line: int = 30
    title_after: int = 12
    heading: int = 41
    """A section heading and the space below it."""
    body_chars: int = 33
    list_chars: int = 31
    line: int = 25
    paragraph_after: int = 14
    list_item_after: int = 5
    list_after: int = 4
    heading_height: int = 25
    safety: int = 10
    """Added to the estimate, which is exact on the measured page: other words wrap differently."""


PHONE = PhoneLayout()


def _lines(text: str, width: int) -> int:
    return max(1, len(textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)))


def we_did_top(*, title: str, lead: str, dates: str, findings: Sequence[str], layout: PhoneLayout = PHONE) -> int:
    """Where the "We did" heading starts on the phone, in CSS pixels from the top of the page.
    ``dates`` is the sentence after the lead ("Open from … to …: 320 responses.")."""
    top = layout.title_top + _lines(title, layout.title_chars) * layout.title_line + layout.title_after
    top += layout.heading + _lines(f"{lead} {dates}", layout.body_chars) * layout.line + layout.paragraph_after
    top += layout.heading
    if findings:
        top += sum(_lines(finding, layout.list_chars) * layout.line + layout.list_item_after for finding in findings)
        return top + layout.list_after
    return top + layout.line + layout.paragraph_after


def first_screen_problem(*, title: str, lead: str, dates: str, findings: Sequence[str],
                         layout: PhoneLayout = PHONE) -> str | None:
    """A message for the officer when "We did" would start below a phone's first screen, else None."""
    bottom = we_did_top(title=title, lead=lead, dates=dates, findings=findings, layout=layout)
    bottom += layout.heading_height + layout.safety
    if bottom <= SCREEN_HEIGHT:
        return None
    words = 5 * -(-(bottom - SCREEN_HEIGHT) // layout.line)  # about five words a line
    return ngettext(
        "The summary is too long for the first screen of a phone, so residents would not see “We did” without "
        "scrolling. Shorten the first sentence of “We asked” or the “You said” findings by about %(num)d word.",
        "The summary is too long for the first screen of a phone, so residents would not see “We did” without "
        "scrolling. Shorten the first sentence of “We asked” or the “You said” findings by about %(num)d words.",
        words)


def report_problem(document: Mapping[str, Any], title: str) -> str | None:
    """``first_screen_problem`` for a built report document, as its published page would show it."""
    asked = document["we_asked"]
    total = document["n_responses"]
    dates = ngettext("Open from %(opens)s to %(closes)s: %(total)s response.",
                     "Open from %(opens)s to %(closes)s: %(total)s responses.", total,
                     opens=format_day(date.fromisoformat(asked["opens_on"])),
                     closes=format_day(date.fromisoformat(asked["closes_on"])), total=format(total, ","))
    findings = (document.get("summary") or {}).get("findings") or []
    return first_screen_problem(title=title, lead=lead_sentence(asked.get("purpose") or ""), dates=dates,
                                findings=findings)
