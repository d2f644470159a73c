"""The Easy Read version of a report's summary: a few short sentences, one idea a line, each with
a picture from a small shipped set (``templates/reports/easy_read_icons``, drawn for Civic Panel
and dedicated to the public domain under CC0).

An officer writes the points; ``check_easy_read_form`` holds them to the Easy Read rules that a
machine can check (Mencap's *Am I making myself clear?* and the Department of Health's *Making
written information easier to understand*): at most ``MAX_WORDS`` words and one sentence a line,
a picture for every point, at most ``MAX_POINTS`` points. The points are kept in the draft and
copied into a version when it is published, so version n's Easy Read reads the same for ever.

The page and the PDF are drawn from one template (``reports/_easy_read_body.html``); pictures are
``data:`` addresses, so the PDF needs nothing fetched and the page nothing served.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from analysis.printing import print_pdf, template_environment
from common.i18n import gettext, lazy_gettext, ngettext
from templates import TEMPLATE_DIR

ICON_DIR = TEMPLATE_DIR / "reports" / "easy_read_icons"
ICONS = {
    "people": lazy_gettext("People"),
    "question": lazy_gettext("A question"),
    "speech": lazy_gettext("Someone speaking"),
    "council": lazy_gettext("The council"),
    "meeting": lazy_gettext("A meeting"),
    "computer": lazy_gettext("A computer"),
    "letter": lazy_gettext("A letter"),
    "document": lazy_gettext("A document"),
    "chart": lazy_gettext("Numbers and results"),
    "lock": lazy_gettext("Keeping information safe"),
    "share": lazy_gettext("Sharing information"),
    "calendar": lazy_gettext("A date"),
    "clock": lazy_gettext("Time"),
    "tick": lazy_gettext("Done"),
}
"""Each picture's file name (without ``.svg``) and the words an officer chooses it by."""

MAX_POINTS = 12
MAX_WORDS = 20
MAX_LINE_CHARACTERS = 200
BLANK_ROWS = 3
"""Empty rows the form offers below the points already written (no script needed to add one)."""

_SENTENCE_END = re.compile(r"[.!?]+[\"”’)]*\s+(?=\S)")


@dataclass(frozen=True)
class EasyReadPoint:
    icon: str
    text: str


class EasyReadFormError(ValueError):
    """GOV.UK-style messages keyed by field name (``text_3``, ``icon_3``, ``points``), and the rows as typed."""

    def __init__(self, errors: dict[str, str], rows: list[dict[str, str]]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.rows = rows


def icon_label(icon: str) -> str:
    return str(ICONS.get(icon, icon))


def icon_choices() -> list[tuple[str, str]]:
    return [(icon, str(label)) for icon, label in ICONS.items()]


def icon_data_uri(icon: str) -> str:
    """The picture as a ``data:`` address (for the page and for WeasyPrint alike)."""
    svg = (ICON_DIR / f"{icon}.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def word_count(text: str) -> int:
    return len(text.split())


def sentence_count(text: str) -> int:
    """Sentences on a line: a full stop, question or exclamation mark followed by more words."""
    return len(_SENTENCE_END.findall(text.strip())) + 1 if text.strip() else 0


def form_rows(points: list[EasyReadPoint] | list[dict[str, str]], *, blank: int = BLANK_ROWS) -> list[dict[str, str]]:
    """The form's rows: the points written, then empty rows, ``MAX_POINTS`` at most."""
    rows = [asdict(point) if isinstance(point, EasyReadPoint) else dict(point) for point in points]
    rows += [{"icon": "", "text": ""} for _ in range(blank)]
    return rows[:max(MAX_POINTS, len(points))]


def typed_rows(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The rows as typed (``text_1``/``icon_1`` …), to show again beside their errors."""
    numbers = sorted({int(name.split("_", 1)[1]) for name in form
                      if re.fullmatch(r"(text|icon)_\d{1,3}", name)})
    return [{"icon": str(form.get(f"icon_{n}", "") or "").strip(), "text": " ".join(str(form.get(f"text_{n}", "") or "").split())}
            for n in numbers]


def check_easy_read_form(form: Mapping[str, Any]) -> list[EasyReadPoint]:
    """The points typed, or ``EasyReadFormError``. Rows left empty are ignored; field names
    count from 1 in the order the form shows them."""
    rows = typed_rows(form)
    errors: dict[str, str] = {}
    points = []
    for number, row in enumerate(rows, start=1):
        text, icon = row["text"], row["icon"]
        if not text and not icon:
            continue
        if not text:
            errors[f"text_{number}"] = gettext("Point %(number)s has a picture but no words: write the point, or "
                                               "choose no picture", number=number)
            continue
        words, sentences = word_count(text), sentence_count(text)
        if len(text) > MAX_LINE_CHARACTERS:
            errors[f"text_{number}"] = gettext("Point %(number)s is too long: use %(limit)s letters or fewer",
                                               number=number, limit=MAX_LINE_CHARACTERS)
        elif words > MAX_WORDS:
            errors[f"text_{number}"] = ngettext(
                "Point %(number)s has %(num)d words. Easy Read sentences are short: use %(limit)s words or fewer, "
                "or split it into two points",
                "Point %(number)s has %(num)d words. Easy Read sentences are short: use %(limit)s words or fewer, "
                "or split it into two points", words, number=number, limit=MAX_WORDS)
        elif sentences > 1:
            errors[f"text_{number}"] = ngettext(
                "Point %(number)s has %(num)d sentence. Put one idea on each line",
                "Point %(number)s has %(num)d sentences. Put one idea on each line: split it into %(num)d points",
                sentences, number=number)
        if icon not in ICONS:
            errors[f"icon_{number}"] = gettext("Choose a picture for point %(number)s", number=number)
        points.append(EasyReadPoint(icon=icon, text=text))
    if not points and not errors:
        errors["text_1"] = gettext("Write at least one point")
    elif len(points) > MAX_POINTS:
        errors["points"] = gettext("Write %(limit)s points or fewer", limit=MAX_POINTS)
    if errors:
        raise EasyReadFormError(errors, rows)
    return points


def points_json(points: list[EasyReadPoint]) -> str:
    return json.dumps([asdict(point) for point in points], ensure_ascii=False)


def parse_points(text: str | None) -> list[EasyReadPoint]:
    """Stored points, keeping only well-formed ones with a known picture."""
    try:
        stored = json.loads(text or "[]")
    except ValueError:
        return []
    if not isinstance(stored, list):
        return []
    return [EasyReadPoint(icon=item["icon"], text=str(item["text"])) for item in stored
            if isinstance(item, dict) and item.get("icon") in ICONS and str(item.get("text", "")).strip()]


# ---------------------------------------------------------------- page and PDF

_ENVIRONMENT = None


def easy_read_html(points: list[EasyReadPoint]) -> str:
    """The points as HTML (no page chrome): one a line, each beside its picture."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = template_environment()
    return _ENVIRONMENT.get_template("reports/_easy_read_body.html").render(
        points=[{"text": point.text, "icon": point.icon, "src": icon_data_uri(point.icon)} for point in points])


def easy_read_pdf(points: list[EasyReadPoint], *, title: str, council: str, note: str = "",
                  published: datetime | None = None) -> bytes:
    """The Easy Read version printed in large type by the report's own print set-up (a tagged PDF)."""
    return print_pdf(easy_read_html(points), title=title, council=council, note=note, created=published)
