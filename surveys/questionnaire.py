"""Questionnaires as plain data: sections of questions, what each answer must look like, which
questions are shown, and the builder's edits — all pure functions, testable without a database.

A questionnaire is stored as one JSON document (``to_json`` / ``from_json``); the same document
is the export format that lets next year's consultation ask the same questions. Answers are a
``dict`` from question key to a value: the chosen label (single choice, Likert, yes/no), a list of
labels (multiple choice), text, a number (``int`` when whole), a date (ISO text, ``2026-03-27``),
the options of a ranking in ranked order (first = most preferred), or for a grid an object from
each statement to its agree–disagree label.

Form values (``raw``) are a list of strings per question key: the labels ticked, the text typed,
for a date its day, month and year, for a grid the label chosen on each statement in order, for
a ranking the number given to each option in order (``raw_from_form`` reads them from a form).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from common.about_you import ABOUT_YOU_CATEGORIES
from common.i18n import format_day, gettext
from common.text import whole_number

QUESTION_KINDS = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "likert": "Agree or disagree (five points)",
    "yes_no": "Yes, no or don't know",
    "text": "Free text",
    "number": "Number",
    "date": "Date",
    "grid": "Grid (several statements, agree or disagree)",
    "ranking": "Ranking (put options in order)",
    "file": "File upload (PDF or image)",
}
CHOICE_KINDS = ("single", "multiple", "likert", "yes_no")
OPTION_KINDS = ("single", "multiple", "grid", "ranking")
"""Kinds whose options the officer writes: choices, a grid's statements, a ranking's items."""
LIKERT_LABELS = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree")
YES_NO_LABELS = ("Yes", "No", "Don't know")
PREFER_NOT_TO_SAY = "Prefer not to say"
FILE_TYPES = {"pdf": ("application/pdf", "PDF"), "png": ("image/png", "PNG"), "jpeg": ("image/jpeg", "JPEG")}
"""What a file-upload question may accept (all three unless the officer narrows it): the
content type its first bytes must show (``common.uploads.file_type_of``) and its name for people."""
ON_PAPER = "on_paper"
"""The form value (paper entry, a CSV cell) for a file that came with a paper response."""
DEFAULT_TEXT_MAX_LENGTH = 2000
"""Free text longer than this is refused (the online flow keeps answers in the session cookie)."""

CENSUS_DIMENSIONS: dict[str, tuple[str, ...]] = ABOUT_YOU_CATEGORIES
"""About-you dimensions and categories (``common.about_you``): census files of 2011 and 2021 are
mapped to them (``panels.census_mapping``) so answers can be weighted to census margins."""

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class QuestionnaireError(ValueError):
    """An edit or a document that would make the questionnaire invalid. ``errors`` maps a form
    field (or ``questionnaire``) to a message for the person making the change."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Question:
    key: str
    text: str
    kind: str
    help_text: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)
    """The labels of a single or multiple choice question (Likert and yes/no have fixed labels)."""
    max_choices: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    unit: str = ""
    """A number's unit, shown beside the box (``minutes``, ``£``-free words such as ``pounds``)."""
    earliest: str = ""
    latest: str = ""
    """A date question's earliest and latest allowed dates (ISO), each optional."""
    file_types: list[str] = field(default_factory=list)
    """A file question's accepted types (keys of ``FILE_TYPES``); empty: all of them."""
    show_if_key: str = ""
    show_if_value: str = ""
    """Shown only when the earlier question ``show_if_key`` was answered ``show_if_value``."""
    census_dimension: str = ""
    """For About-you questions: the census dimension the options are categories of."""

    @property
    def choices(self) -> list[str]:
        if self.kind in ("likert", "grid"):  # a grid's scale; its statements are its options
            return list(LIKERT_LABELS)
        if self.kind == "yes_no":
            return list(YES_NO_LABELS)
        return list(self.options)

    @property
    def kind_label(self) -> str:
        return QUESTION_KINDS.get(self.kind, self.kind)

    @property
    def accepted_file_types(self) -> list[str]:
        return [name for name in FILE_TYPES if not self.file_types or name in self.file_types]

    @property
    def file_types_label(self) -> str:
        """The accepted types for people: "PDF, PNG or JPEG"."""
        names = [FILE_TYPES[name][1] for name in self.accepted_file_types]
        return names[0] if len(names) == 1 else gettext("%(some)s or %(last)s", some=", ".join(names[:-1]), last=names[-1])

    @property
    def file_accept(self) -> str:
        """The file input's ``accept``: the browser offers only these (the server checks anyway)."""
        extensions = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg,.jpeg"}
        return ",".join(extensions[name] for name in self.accepted_file_types)

    def file_name_in(self, raw_values: list[str]) -> str:
        """The name of the file a form value records ("" when none)."""
        value, _ = _parse_file(self, raw_values)
        return str(value.get("file_name", "")) if value and not value.get(ON_PAPER) else ""

    @property
    def text_limit(self) -> int:
        return min(self.max_length or DEFAULT_TEXT_MAX_LENGTH, DEFAULT_TEXT_MAX_LENGTH)


@dataclass
class Section:
    title: str
    questions: list[Question] = field(default_factory=list)
    about_you: bool = False
    """The optional "About you" section: census-mapped questions for weighting and equality
    monitoring, each with "Prefer not to say"."""


@dataclass
class Questionnaire:
    sections: list[Section] = field(default_factory=list)

    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions]

    def question(self, key: str) -> Question | None:
        return next((question for question in self.questions() if question.key == key), None)

    def locate(self, key: str) -> tuple[int, int]:
        for section_index, section in enumerate(self.sections):
            for position, question in enumerate(section.questions):
                if question.key == key:
                    return section_index, position
        raise QuestionnaireError({"questionnaire": gettext("There is no question with the key %(key)s", key=key)})


# --- JSON ----------------------------------------------------------------------------------------

JSON_FORMAT = "civicpanel-questionnaire"
JSON_VERSION = 1


def to_json(questionnaire: Questionnaire) -> str:
    document = {"format": JSON_FORMAT, "version": JSON_VERSION,
                "sections": [asdict(section) for section in questionnaire.sections]}
    return json.dumps(document, ensure_ascii=False, indent=1)


MAX_NUMBER = 10 ** 15
"""The largest size of a number question's limits (larger ones are surely typing slips)."""
MAX_OPTION_LENGTH = 500
MAX_RANKED = 10
"""The most options a ranking offers (more cannot be ordered sensibly, on screen or on paper)."""
_STRING_FIELDS = ("key", "text", "kind", "help_text", "unit", "earliest", "latest", "show_if_key", "show_if_value",
                  "census_dimension")
_SECTION_FIELDS = {"title", "questions", "about_you"}


def _shown(value: object) -> str:
    """A bad value as the error message quotes it (short, and never the whole file)."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _question_from_document(raw: object, where: str) -> Question:
    """One question of an imported document, its fields' types checked (``where`` names it in
    messages). Whether the question makes sense is ``structure_problems``' business."""
    def fail(message: str) -> QuestionnaireError:
        return QuestionnaireError({"questionnaire": gettext("%(where)s: %(problem)s", where=where, problem=message)})

    if not isinstance(raw, dict):
        raise fail(gettext("a question must be an object with a key, text and kind, not %(value)s", value=_shown(raw)))
    unknown = sorted(set(raw) - set(Question.__dataclass_fields__))
    if unknown:
        raise fail(gettext("unknown question fields: %(fields)s", fields=", ".join(unknown)))
    missing = [name for name in ("key", "text", "kind") if name not in raw]
    if missing:
        raise fail(gettext("the question has no %(missing)s", missing=" or ".join(missing)))
    values = dict(raw)
    for name in _STRING_FIELDS:
        if name in values and not isinstance(values[name], str):
            raise fail(gettext("‘%(name)s’ must be text, not %(value)s", name=name, value=_shown(values[name])))
    if "required" in values and not isinstance(values["required"], bool):
        raise fail(gettext("‘required’ must be true or false, not %(value)s", value=_shown(values["required"])))
    options = values.get("options", [])
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise fail(gettext("‘options’ must be a list of texts, not %(value)s", value=_shown(options)))
    file_types = values.get("file_types", [])
    if not isinstance(file_types, list) or not all(isinstance(name, str) for name in file_types):
        raise fail(gettext("‘file_types’ must be a list of texts, not %(value)s", value=_shown(file_types)))
    for name, limit in (("max_choices", None), ("max_length", DEFAULT_TEXT_MAX_LENGTH)):
        value = values.get(name)
        if value is None:
            continue
        whole = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
        if not whole or value < 1 or (limit and value > limit):
            bounds = gettext("from 1 to %(limit)s", limit=limit) if limit else gettext("of 1 or more")
            raise fail(gettext("‘%(name)s’ must be a whole number %(bounds)s, not %(value)s", name=name, bounds=bounds, value=_shown(value)))
        values[name] = int(value)
    for name in ("min_value", "max_value"):
        value = values.get(name)
        if value is None:
            continue
        if not _is_number(value) or abs(value) > MAX_NUMBER or not math.isfinite(value):
            raise fail(gettext("‘%(name)s’ must be a number, not %(value)s", name=name, value=_shown(value)))
        values[name] = int(value) if float(value).is_integer() else float(value)
    return Question(**values)


def _section_from_document(raw: object, number: int) -> Section:
    where = gettext("Section %(number)s", number=number)
    if not isinstance(raw, dict):
        raise QuestionnaireError({"questionnaire": gettext("%(where)s must be an object with a title and questions, not %(value)s", where=where, value=_shown(raw))})
    unknown = sorted(set(raw) - _SECTION_FIELDS)
    if unknown:
        raise QuestionnaireError({"questionnaire": gettext("%(where)s: unknown section fields: %(fields)s", where=where, fields=", ".join(unknown))})
    title, questions, about_you = raw.get("title", ""), raw.get("questions", []), raw.get("about_you", False)
    if not isinstance(title, str):
        raise QuestionnaireError({"questionnaire": gettext("%(where)s: ‘title’ must be text, not %(value)s", where=where, value=_shown(title))})
    if not isinstance(about_you, bool):
        raise QuestionnaireError({"questionnaire": gettext("%(where)s: ‘about_you’ must be true or false, not %(value)s", where=where, value=_shown(about_you))})
    if not isinstance(questions, list):
        raise QuestionnaireError({"questionnaire": gettext("%(where)s: ‘questions’ must be a list, not %(value)s", where=where, value=_shown(questions))})
    return Section(title=title, about_you=about_you, questions=[
        _question_from_document(question, gettext("%(where)s, question %(position)s", where=where, position=position)) for position, question in enumerate(questions, 1)])


def from_json(text: str) -> Questionnaire:
    """The questionnaire in a JSON document: every field's type checked, then the questionnaire
    checked as the builder checks each edit. Anything else raises ``QuestionnaireError`` whose
    message names what is wrong and where (an imported file is untrusted)."""
    if not text.strip():
        return Questionnaire()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise QuestionnaireError({"questionnaire": gettext("The file is not JSON (%(error)s at line %(line)s)", error=error.msg, line=error.lineno)}) from error
    except (ValueError, RecursionError) as error:  # numbers too long to read, or nesting too deep
        raise QuestionnaireError({"questionnaire": gettext("The file is not JSON that Civic Panel can read")}) from error
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        raise QuestionnaireError({"questionnaire": gettext("The file is not a Civic Panel questionnaire export")})
    version = document.get("version")
    if not _is_number(version) or version != JSON_VERSION:
        raise QuestionnaireError({"questionnaire": gettext("The file is version %(version)s of the questionnaire format; this Civic Panel reads version %(json_version)s", version=_shown(version), json_version=JSON_VERSION)})
    unknown = sorted(set(document) - {"format", "version", "sections"})
    if unknown:
        raise QuestionnaireError({"questionnaire": gettext("Unknown fields in the file: %(fields)s", fields=", ".join(unknown))})
    sections = document.get("sections")
    if not isinstance(sections, list):
        raise QuestionnaireError({"questionnaire": gettext("‘sections’ must be a list, not %(value)s", value=_shown(sections))})
    questionnaire = Questionnaire(sections=[_section_from_document(raw, number) for number, raw in enumerate(sections, 1)])
    problems = structure_problems(questionnaire)
    if problems:
        raise QuestionnaireError({"questionnaire": problems[0]})
    return questionnaire


def structure_problems(questionnaire: Questionnaire) -> list[str]:
    """What makes a questionnaire unusable: bad or repeated keys, unknown kinds, choice questions
    without options, limits that make no sense or belong to another kind of question, conditions
    on a later or unknown question or on an answer it cannot have, and About-you questions that
    are not choices with "Prefer not to say" (census-mapped ones must offer exactly the census
    categories, so answers can be weighted)."""
    problems = []
    seen: dict[str, Question] = {}
    if sum(section.about_you for section in questionnaire.sections) > 1:
        problems.append(gettext("A questionnaire can have only one About you section"))
    for section in questionnaire.sections:
        if not section.title.strip():
            problems.append(gettext("Every section needs a title"))
        elif len(section.title) > 200:
            problems.append(gettext("The section title ‘%(title)s…’ must be 200 characters or fewer", title=section.title[:40]))
        for question in section.questions:
            problems.extend(_question_problems(question, section, seen))
            seen[question.key] = question
    return problems


def _question_problems(question: Question, section: Section, seen: dict[str, Question]) -> list[str]:
    problems = []
    name = question.key
    if not KEY_PATTERN.match(question.key):
        problems.append(gettext("The key %(key)r must start with a letter and use only a-z, 0-9 and _ (up to 40)", key=question.key))
    if question.key in seen:
        problems.append(gettext("Two questions have the key %(key)s", key=question.key))
    if question.kind not in QUESTION_KINDS:
        problems.append(gettext("%(name)s: unknown question type %(kind)r", name=name, kind=question.kind))
    if not question.text.strip():
        problems.append(gettext("%(name)s: the question has no wording", name=name))
    elif len(question.text) > 500:
        problems.append(gettext("%(name)s: the question must be 500 characters or fewer", name=name))
    if len(question.help_text) > 1000:
        problems.append(gettext("%(name)s: the help text must be 1,000 characters or fewer", name=name))
    if question.kind in OPTION_KINDS and len(question.options) < 2:
        problems.append(gettext("%(name)s: a choice question needs at least two options", name=name))
    if question.kind not in OPTION_KINDS and question.options:
        problems.append(gettext("%(name)s: only choice, grid and ranking questions have options", name=name))
    if question.kind == "ranking" and len(question.options) > MAX_RANKED:
        problems.append(gettext("%(name)s: a ranking has at most %(most)s options", name=name, most=MAX_RANKED))
    if question.file_types and (question.kind != "file" or any(name not in FILE_TYPES for name in question.file_types)
                                or len(set(question.file_types)) != len(question.file_types)):
        problems.append(gettext("%(name)s: only file questions have file types, each one of %(types)s", name=name, types=", ".join(FILE_TYPES)))
    if question.unit and (question.kind != "number" or len(question.unit) > 30):
        problems.append(gettext("%(name)s: only number questions have a unit, of up to 30 characters", name=name))
    for limit in (question.earliest, question.latest):
        if limit and (question.kind != "date" or _iso_date(limit) is None):
            problems.append(gettext("%(name)s: only date questions have an earliest or latest date, written like 2026-03-27", name=name))
    if question.kind == "date" and _iso_date(question.earliest) and _iso_date(question.latest) and question.earliest > question.latest:
        problems.append(gettext("%(name)s: the latest date allowed is before the earliest", name=name))
    if any(not option.strip() or len(option) > MAX_OPTION_LENGTH for option in question.options):
        problems.append(gettext("%(name)s: every option needs words, up to %(max_option_length)s characters", name=name, max_option_length=MAX_OPTION_LENGTH))
    if len(set(question.options)) != len(question.options):
        problems.append(gettext("%(name)s: two options have the same label", name=name))
    if question.max_choices is not None and (question.kind != "multiple" or question.max_choices > len(question.options)):
        problems.append(gettext("%(name)s: a most-choices limit belongs to a multiple choice question and cannot exceed its options", name=name))
    if question.max_length is not None and question.kind != "text":
        problems.append(gettext("%(name)s: only free text questions have a longest answer", name=name))
    if (question.min_value is not None or question.max_value is not None) and question.kind != "number":
        problems.append(gettext("%(name)s: only number questions have a smallest or largest number", name=name))
    if question.min_value is not None and question.max_value is not None and question.min_value > question.max_value:
        problems.append(gettext("%(name)s: the largest number allowed is less than the smallest", name=name))
    problems.extend(_about_you_problems(question, section))
    if question.show_if_key:
        earlier = seen.get(question.show_if_key)
        if earlier is None:
            problems.append(gettext("%(name)s: it depends on %(show_if_key)s, which must come before it", name=name, show_if_key=question.show_if_key))
        elif question.show_if_value not in earlier.choices:
            problems.append(gettext("%(name)s: %(show_if_key)s has no answer %(show_if_value)r", name=name, show_if_key=question.show_if_key, show_if_value=question.show_if_value))
    elif question.show_if_value:
        problems.append(gettext("%(name)s: it names an answer to show it on, but no question", name=name))
    return problems


def _about_you_problems(question: Question, section: Section) -> list[str]:
    name = question.key
    if not section.about_you:
        if question.census_dimension:
            return [f"{name}: only About-you questions map to a census dimension"]
        return []
    problems = []
    if question.kind not in ("single", "multiple"):
        problems.append(gettext("%(name)s: About-you questions are single or multiple choice, so that ‘%(prefer_not_to_say)s’ can be offered", name=name, prefer_not_to_say=PREFER_NOT_TO_SAY))
    elif PREFER_NOT_TO_SAY not in question.options:
        problems.append(gettext("%(name)s: every About-you question offers ‘%(prefer_not_to_say)s’", name=name, prefer_not_to_say=PREFER_NOT_TO_SAY))
    if question.census_dimension:
        categories = CENSUS_DIMENSIONS.get(question.census_dimension)
        if categories is None:
            problems.append(gettext("%(name)s: unknown census dimension %(census_dimension)r", name=name, census_dimension=question.census_dimension))
        elif question.kind != "single" or set(question.options) != {*categories, PREFER_NOT_TO_SAY}:
            problems.append(gettext("%(name)s: a question mapped to the census dimension %(census_dimension)s is single choice with exactly the census categories (%(categories)s) and ‘%(prefer_not_to_say)s’", name=name, census_dimension=question.census_dimension, categories="; ".join(categories), prefer_not_to_say=PREFER_NOT_TO_SAY))
    return problems


# --- Which questions are shown, and what an answer must look like ------------------------------

def is_shown(question: Question, answers: dict[str, object], questionnaire: Questionnaire) -> bool:
    """A question is shown when it has no condition, or when the question it depends on is itself
    shown and was answered with the value (for multiple choice: the value was among those chosen)."""
    if not question.show_if_key:
        return True
    earlier = questionnaire.question(question.show_if_key)
    if earlier is None or not is_shown(earlier, answers, questionnaire):
        return False
    given = answers.get(question.show_if_key)
    if isinstance(given, list):
        return question.show_if_value in given
    return given == question.show_if_value


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _parse_date(question: Question, raw_values: list[str]) -> tuple[str | None, str | None]:
    """A date typed in GOV.UK's three boxes (day, month, year), or one ISO date (a CSV cell, an
    answer kept in the session); stored as ISO text."""
    parts = [(value or "").strip() for value in raw_values]
    if not any(parts):
        return None, None
    if len(parts) == 1:
        found = _iso_date(parts[0])
        if found is None:
            return None, gettext("Enter a real date, like 2026-03-27")
    else:
        parts = (parts + ["", "", ""])[:3]
        missing = [name for name, part in zip((gettext("a day"), gettext("a month"), gettext("a year")), parts) if not part]
        if missing:
            return None, gettext("The date must include %(part)s", part=missing[0])
        day, month, year = (whole_number(part) for part in parts)
        if day is None or month is None or year is None or len(parts[2]) != 4:
            return None, gettext("Enter a real date, like 27 3 2026")
        try:
            found = date(year, month, day)
        except ValueError:
            return None, gettext("Enter a real date, like 27 3 2026")
    earliest, latest = _iso_date(question.earliest), _iso_date(question.latest)
    if (earliest and found < earliest) or (latest and found > latest):
        if earliest and latest:
            return None, gettext("Enter a date from %(earliest)s to %(latest)s", earliest=format_day(earliest), latest=format_day(latest))
        if earliest:
            return None, gettext("Enter a date on or after %(earliest)s", earliest=format_day(earliest))
        return None, gettext("Enter a date on or before %(latest)s", latest=format_day(latest))
    return found.isoformat(), None


def _parse_grid(question: Question, raw_values: list[str]) -> tuple[dict[str, str] | None, str | None]:
    """One agree–disagree label per statement, in statement order; every statement answered."""
    labels = [((raw_values[index] if index < len(raw_values) else "") or "").strip() for index in range(len(question.options))]
    if not any(labels):
        return None, None
    for statement, label in zip(question.options, labels):
        if not label:
            return None, gettext("Select an answer for ‘%(statement)s’", statement=statement)
        if label not in question.choices:
            return None, gettext("‘%(value)s’ is not one of the options: %(options)s", value=label, options="; ".join(question.choices))
    return dict(zip(question.options, labels)), None


def _parse_ranking(question: Question, raw_values: list[str]) -> tuple[list[str] | None, str | None]:
    """A number from 1 to n given to each of the n options, each number once; the answer is the
    options in ranked order. (A ranked list of the option labels is read as it is.)"""
    values = [(value or "").strip() for value in raw_values]
    if not any(values):
        return None, None
    if sorted(values) == sorted(question.options) and len(values) == len(question.options):
        return values, None
    count = len(question.options)
    ranks: dict[int, str] = {}
    for index, option in enumerate(question.options):
        value = values[index] if index < len(values) else ""
        rank = whole_number(value)
        if rank is None or not 1 <= rank <= count:
            return None, gettext("Give ‘%(option)s’ a number from 1 to %(count)s", option=option, count=count)
        if rank in ranks:
            return None, gettext("You gave %(rank)s to both ‘%(first)s’ and ‘%(second)s’: use each number once",
                                 rank=value, first=ranks[rank], second=option)
        ranks[rank] = option
    return [ranks[rank] for rank in sorted(ranks)], None


FILE_KEY_PATTERN = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


def is_file_answer(value: object) -> bool:
    return isinstance(value, dict) and ("file_key" in value or ON_PAPER in value)


def _parse_file(question: Question, raw_values: list[str]) -> tuple[dict | None, str | None]:
    """A file answer: the stored file's record as JSON (what the web side made of the upload, or
    an answer kept in the session), or, from paper entry or a CSV, any other text: a file that came
    on paper (the text is its name when it is not ``on_paper``)."""
    values = [(value or "").strip() for value in raw_values if value is not None and (value or "").strip()]
    if not values:
        return None, None
    value = values[0]
    if value.startswith("{"):
        try:
            record = json.loads(value)
        except ValueError:
            record = None
        if isinstance(record, dict) and record.get(ON_PAPER) is True:
            return {ON_PAPER: True, "file_name": str(record.get("file_name", ""))[:200]}, None
        if (isinstance(record, dict) and FILE_KEY_PATTERN.match(str(record.get("file_key", "")))
                and isinstance(record.get("file_name"), str) and isinstance(record.get("size_bytes"), int)
                and record.get("content_type") in [FILE_TYPES[name][0] for name in question.accepted_file_types]):
            return {"file_name": record["file_name"][:200], "content_type": record["content_type"],
                    "size_bytes": record["size_bytes"], "file_key": record["file_key"]}, None
        return None, gettext("The selected file must be a %(types)s", types=question.file_types_label)
    received = value in (ON_PAPER, "Received on paper", gettext("Received on paper"))  # as the CSV export writes it
    return {ON_PAPER: True, "file_name": "" if received else value[:200]}, None


def parse_answer(question: Question, raw_values: list[str]) -> tuple[object | None, str | None]:
    """One question's answer from what was typed or ticked: ``(value, None)`` or ``(None, error)``.
    An empty answer is ``(None, None)``; whether that is allowed is the caller's business."""
    if question.kind == "file":
        return _parse_file(question, raw_values)
    if question.kind == "date":
        return _parse_date(question, raw_values)
    if question.kind == "grid":
        return _parse_grid(question, raw_values)
    if question.kind == "ranking":
        return _parse_ranking(question, raw_values)
    values = [value.strip() for value in raw_values if value is not None and value.strip()]
    if not values:
        return None, None
    if question.kind == "multiple":
        unknown = [value for value in values if value not in question.choices]
        if unknown:
            return None, gettext("‘%(value)s’ is not one of the options", value=unknown[0])
        chosen = [choice for choice in question.choices if choice in values]
        if question.max_choices and len(chosen) > question.max_choices:
            return None, gettext("Select no more than %(max_choices)s options", max_choices=question.max_choices)
        return chosen, None
    value = values[0]
    if question.kind in ("single", "likert", "yes_no"):
        if value not in question.choices:
            return None, gettext("‘%(value)s’ is not one of the options: %(options)s", value=value, options="; ".join(question.choices))
        return value, None
    if question.kind == "text":
        if len(value) > question.text_limit:
            return None, gettext("Your answer must be %(limit)s characters or fewer (it has %(length)s)", limit=question.text_limit, length=len(value))
        return value, None
    if question.kind == "number":
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return None, gettext("Enter a number, like 12")
        if number != number or number in (float("inf"), float("-inf")):
            return None, gettext("Enter a number, like 12")
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                return None, gettext("Enter a number between %(low)s and %(high)s", low=_number_text(low), high=_number_text(high))
            if low is not None:
                return None, gettext("Enter a number of %(low)s or more", low=_number_text(low))
            return None, gettext("Enter a number of %(high)s or less", high=_number_text(high))
        return (int(number) if number.is_integer() else number), None
    return None, gettext("Unknown question type %(kind)s", kind=question.kind)


def missing_message(question: Question) -> str:
    if question.kind == "date":
        return gettext("Enter the date for ‘%(text)s’", text=question.text)
    if question.kind == "file":
        return gettext("Select a file for ‘%(text)s’", text=question.text)
    if question.kind == "ranking":
        return gettext("Put the options of ‘%(text)s’ in order", text=question.text)
    if question.kind in (*CHOICE_KINDS, "grid"):
        return gettext("Select an answer to ‘%(text)s’", text=question.text)
    return gettext("Enter an answer to ‘%(text)s’", text=question.text)


def validate_questions(
    questionnaire: Questionnaire,
    questions: list[Question],
    raw: dict[str, list[str]],
    known_answers: dict[str, object],
) -> tuple[dict[str, object], dict[str, str]]:
    """Answers and errors (by question key) for some questions, in order. Conditions see the
    known answers plus those parsed so far; a question that is not shown keeps no answer."""
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    for question in questions:
        if not is_shown(question, {**known_answers, **answers}, questionnaire):
            continue
        value, error = parse_answer(question, raw.get(question.key, []))
        if error:
            errors[question.key] = error
        elif value is None:
            if question.required:
                errors[question.key] = missing_message(question)
        else:
            answers[question.key] = value
    return answers, errors


def validate_answers(questionnaire: Questionnaire, raw: dict[str, list[str]]) -> tuple[dict[str, object], dict[str, str]]:
    return validate_questions(questionnaire, questionnaire.questions(), raw, {})


def answers_not_applying(questionnaire: Questionnaire, raw: dict[str, list[str]],
                         answers: dict[str, object]) -> list[Question]:
    """Questions that something was typed or ticked into but that do not apply given the answers
    (their condition is not met): what storing these answers would drop. Paper entry asks the
    officer to confirm before dropping them."""
    return [question for question in questionnaire.questions()
            if any(value.strip() for value in raw.get(question.key, []) if value is not None)
            and not is_shown(question, answers, questionnaire)]


def answers_as_raw(answers: dict[str, object], questionnaire: Questionnaire | None = None) -> dict[str, list[str]]:
    """Stored answers back into form values (to refill a form, or to re-check a whole response).
    With the questionnaire, a date becomes its day, month and year boxes and a ranking the number
    of each option, as the form has them; without, each reads back as it is stored."""
    raw: dict[str, list[str]] = {}
    for key, value in answers.items():
        question = questionnaire.question(key) if questionnaire is not None else None
        if is_file_answer(value):
            raw[key] = [json.dumps(value, ensure_ascii=False)]
        elif isinstance(value, dict):
            order = question.options if question is not None else list(value)
            raw[key] = [str(value.get(statement, "")) for statement in order]
        elif question is not None and question.kind == "ranking" and isinstance(value, list):
            raw[key] = [str(value.index(option) + 1) if option in value else "" for option in question.options]
        elif question is not None and question.kind == "date" and isinstance(value, str) and _iso_date(value):
            found = _iso_date(value)
            raw[key] = [str(found.day), str(found.month), str(found.year)]
        elif isinstance(value, list):
            raw[key] = [str(item) for item in value]
        elif isinstance(value, float):
            raw[key] = [_number_text(value)]
        else:
            raw[key] = [str(value)]
    return raw


def display_answer(value: object, question: Question | None = None) -> str:
    """An answer as people read it; with its question, a date reads "27 March 2026", a number
    has its unit and a ranking its order."""
    if value is None or value == "" or value == [] or value == {}:
        return gettext("Not answered")
    if is_file_answer(value):
        if value.get(ON_PAPER):
            return (gettext("%(name)s (received on paper)", name=value["file_name"]) if value.get("file_name")
                    else gettext("Received on paper"))
        return str(value.get("file_name", ""))
    if isinstance(value, dict):
        return "\n".join(f"{statement}: {label}" for statement, label in value.items())
    if question is not None and question.kind == "ranking" and isinstance(value, list):
        return "\n".join(f"{position}. {option}" for position, option in enumerate(value, 1))
    if question is not None and question.kind == "date" and isinstance(value, str) and _iso_date(value):
        return format_day(_iso_date(value))
    if question is not None and question.kind == "number" and question.unit and not isinstance(value, list):
        return f"{_number_text(value) if isinstance(value, float) else value} {question.unit}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def field_names(question: Question) -> list[str]:
    """The form fields a question's answer is typed in, in order (``raw_from_form`` reads them)."""
    if question.kind == "date":
        return [f"{question.key}-day", f"{question.key}-month", f"{question.key}-year"]
    if question.kind in ("grid", "ranking"):
        return [f"{question.key}-{number}" for number in range(1, len(question.options) + 1)]
    return [question.key]


def raw_from_form(questions: list[Question], getall: Callable[[str], list]) -> dict[str, list[str]]:
    """Form values by question key from a submitted form (``getall(name)`` gives a field's values):
    one list per question, as ``parse_answer`` reads it."""
    raw: dict[str, list[str]] = {}
    for question in questions:
        names = field_names(question)
        if names == [question.key]:
            raw[question.key] = [str(value) for value in getall(question.key)]
        else:
            raw[question.key] = [str((getall(name) or [""])[0]) for name in names]
    return raw


# --- The builder's edits ------------------------------------------------------------------------

def _slug_key(text: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()
    key = "_".join(words[:4])[:30].strip("_")
    return key if key and key[0].isalpha() else f"q_{key}".strip("_")


def unique_key(questionnaire: Questionnaire, text: str) -> str:
    base = _slug_key(text) or "question"
    taken = {question.key for question in questionnaire.questions()}
    key, number = base, 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    return key


def _optional_number(raw: str, field_name: str, errors: dict[str, str], whole: bool = False) -> float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        errors[field_name] = gettext("Enter a number, like 10")
        return None
    if whole and (not number.is_integer() or number < 1):
        errors[field_name] = gettext("Enter a whole number of 1 or more")
        return None
    return int(number) if number.is_integer() else number


def _form_date(raw: str, field_name: str, errors: dict[str, str]) -> str:
    """An officer's date limit, typed as 27 3 2026, 27/03/2026 or 2026-03-27: ISO text, or ""."""
    parts = re.findall(r"\d+", raw)
    if not parts:
        return ""
    if len(parts) == 3 and len(parts[0]) == 4:
        parts = parts[::-1]
    found, error = _parse_date(Question(key="limit", text="", kind="date"), parts if len(parts) == 3 else [raw.strip()])
    if error:
        errors[field_name] = gettext("Enter a real date, like 27 3 2026")
        return ""
    return found or ""


def question_from_form(form: dict[str, str], questionnaire: Questionnaire, *, editing_key: str = "",
                       about_you: bool = False) -> Question:
    """A question from the builder's form, checked; raises ``QuestionnaireError`` keyed by field."""
    errors: dict[str, str] = {}
    text = form.get("text", "").strip()
    kind = form.get("kind", "").strip()
    census_dimension = form.get("census_dimension", "").strip() if about_you else ""
    if census_dimension:
        kind = "single"
    if not text:
        errors["text"] = gettext("Enter the question")
    elif len(text) > 500:
        errors["text"] = gettext("The question must be 500 characters or fewer")
    if kind not in QUESTION_KINDS:
        errors["kind"] = gettext("Select the type of question")
    elif about_you and kind not in ("single", "multiple"):
        errors["kind"] = gettext("About-you questions are single or multiple choice, so that ‘%(prefer_not_to_say)s’ can be offered", prefer_not_to_say=PREFER_NOT_TO_SAY)
    key = form.get("key", "").strip().lower()
    if not key:
        key = editing_key or (unique_key(questionnaire, text) if text else "")
    elif not KEY_PATTERN.match(key):
        errors["key"] = gettext("The key must start with a letter and use only a to z, 0 to 9 and underscores (up to 40)")
    elif key != editing_key and questionnaire.question(key) is not None:
        errors["key"] = gettext("Another question already has the key %(key)s", key=key)
    options = [line.strip() for line in form.get("options", "").splitlines() if line.strip()]
    if census_dimension:  # always the census categories, whatever was typed: answers are weighted by them
        if census_dimension not in CENSUS_DIMENSIONS:
            errors["census_dimension"] = gettext("Select a census dimension")
        else:
            options = list(CENSUS_DIMENSIONS[census_dimension])
    if about_you and PREFER_NOT_TO_SAY not in options:
        options.append(PREFER_NOT_TO_SAY)
    if kind in OPTION_KINDS:
        if len([option for option in options if not (about_you and option == PREFER_NOT_TO_SAY)]) < 2:
            errors["options"] = gettext("Enter at least two options, one on each line")
        elif len(set(options)) != len(options):
            errors["options"] = gettext("Each option must be different")
        elif any(len(option) > MAX_OPTION_LENGTH for option in options):
            errors["options"] = gettext("Each option must be %(max_option_length)s characters or fewer", max_option_length=MAX_OPTION_LENGTH)
        elif kind == "ranking" and len(options) > MAX_RANKED:
            errors["options"] = gettext("A ranking has at most %(most)s options", most=MAX_RANKED)
    else:
        options = []
    max_choices = _optional_number(form.get("max_choices", ""), "max_choices", errors, whole=True) if kind == "multiple" else None
    if max_choices and len(options) >= 2 and max_choices > len(options):
        errors["max_choices"] = gettext("The most options a person may choose cannot be more than the %(count)s options", count=len(options))
    max_length = _optional_number(form.get("max_length", ""), "max_length", errors, whole=True) if kind == "text" else None
    if max_length and max_length > DEFAULT_TEXT_MAX_LENGTH:
        errors["max_length"] = gettext("The longest answer allowed is %(default_text_max_length)s characters", default_text_max_length=DEFAULT_TEXT_MAX_LENGTH)
    min_value = _optional_number(form.get("min_value", ""), "min_value", errors) if kind == "number" else None
    max_value = _optional_number(form.get("max_value", ""), "max_value", errors) if kind == "number" else None
    if min_value is not None and max_value is not None and min_value > max_value:
        errors["max_value"] = gettext("The largest number must not be less than the smallest")
    file_types = [name for name in FILE_TYPES if form.get(f"file_type_{name}", "")] if kind == "file" else []
    if len(file_types) == len(FILE_TYPES):
        file_types = []
    unit = form.get("unit", "").strip() if kind == "number" else ""
    if len(unit) > 30:
        errors["unit"] = gettext("The unit must be 30 characters or fewer")
    earliest = _form_date(form.get("earliest", ""), "earliest", errors) if kind == "date" else ""
    latest = _form_date(form.get("latest", ""), "latest", errors) if kind == "date" else ""
    if earliest and latest and earliest > latest:
        errors["latest"] = gettext("The latest date must not be before the earliest")
    show_if_key = form.get("show_if_key", "").strip()
    show_if_value = form.get("show_if_value", "").strip()
    if show_if_key:
        earlier = questionnaire.question(show_if_key)
        if earlier is None or show_if_key == key:
            errors["show_if_key"] = gettext("Select an earlier question")
        elif not show_if_value:
            errors["show_if_value"] = gettext("Enter the answer to ‘%(text)s’ that shows this question", text=earlier.text)
        elif show_if_value not in earlier.choices:
            errors["show_if_value"] = gettext("The answer must be one of: %(options)s", options="; ".join(earlier.choices))
    else:
        show_if_value = ""
    if errors:
        raise QuestionnaireError(errors)
    return Question(
        key=key, text=text, kind=kind, help_text=form.get("help_text", "").strip()[:1000],
        required=form.get("required", "") in ("1", "on", "true", "yes"), options=options,
        max_choices=max_choices, max_length=max_length, min_value=min_value, max_value=max_value,
        unit=unit, earliest=earliest, latest=latest, file_types=file_types, show_if_key=show_if_key, show_if_value=show_if_value, census_dimension=census_dimension,
    )


def _checked(questionnaire: Questionnaire) -> Questionnaire:
    problems = structure_problems(questionnaire)
    if problems:
        raise QuestionnaireError({"questionnaire": problems[0]})
    return questionnaire


def add_section(questionnaire: Questionnaire, title: str, *, about_you: bool = False) -> Questionnaire:
    title = title.strip()
    if not title:
        raise QuestionnaireError({"section_title": gettext("Enter a title for the section")})
    if about_you and any(section.about_you for section in questionnaire.sections):
        raise QuestionnaireError({"section_title": gettext("The questionnaire already has an About you section")})
    changed = copy.deepcopy(questionnaire)
    changed.sections.append(Section(title=title[:200], about_you=about_you))
    return changed


def rename_section(questionnaire: Questionnaire, index: int, title: str) -> Questionnaire:
    if not title.strip():
        raise QuestionnaireError({"section_title": gettext("Enter a title for the section")})
    changed = copy.deepcopy(questionnaire)
    changed.sections[index].title = title.strip()[:200]
    return changed


def remove_section(questionnaire: Questionnaire, index: int) -> Questionnaire:
    if questionnaire.sections[index].questions:
        raise QuestionnaireError({"questionnaire": gettext("Remove the section's questions first")})
    changed = copy.deepcopy(questionnaire)
    del changed.sections[index]
    return changed


def add_question(questionnaire: Questionnaire, section_index: int, question: Question) -> Questionnaire:
    changed = copy.deepcopy(questionnaire)
    changed.sections[section_index].questions.append(question)
    return _checked(changed)


def replace_question(questionnaire: Questionnaire, key: str, question: Question) -> Questionnaire:
    section_index, position = questionnaire.locate(key)
    changed = copy.deepcopy(questionnaire)
    changed.sections[section_index].questions[position] = question
    if question.key != key:
        for other in changed.questions():
            if other.show_if_key == key:
                other.show_if_key = question.key
    return _checked(changed)


def remove_question(questionnaire: Questionnaire, key: str) -> Questionnaire:
    dependants = [question.key for question in questionnaire.questions() if question.show_if_key == key]
    if dependants:
        raise QuestionnaireError({"questionnaire": gettext("%(dependants)s depend on %(key)s: change or remove them first", dependants=", ".join(dependants), key=key)})
    section_index, position = questionnaire.locate(key)
    changed = copy.deepcopy(questionnaire)
    del changed.sections[section_index].questions[position]
    return changed


def move_question(questionnaire: Questionnaire, key: str, direction: int) -> Questionnaire:
    """Up (-1) or down (+1) one place; past the edge of a section it moves into the next one.
    Refused when a condition would then depend on a later question."""
    section_index, position = questionnaire.locate(key)
    changed = copy.deepcopy(questionnaire)
    questions = changed.sections[section_index].questions
    question = questions.pop(position)
    target = position + direction
    if 0 <= target <= len(questions) and not (direction > 0 and position == len(questions)):
        questions.insert(target, question)
    elif direction < 0 and section_index > 0:
        changed.sections[section_index - 1].questions.append(question)
    elif direction > 0 and section_index + 1 < len(changed.sections):
        changed.sections[section_index + 1].questions.insert(0, question)
    else:
        questions.insert(position, question)  # already first or last: nothing to do
    problems = structure_problems(changed)
    if problems:
        raise QuestionnaireError({"questionnaire": gettext("That move is not possible: %(problems)s", problems=problems[0])})
    return changed


def change_problems(before: Questionnaire, after: Questionnaire, response_count: int, *,
                    saved_count: int = 0) -> list[str]:
    """Why a change would break answers already collected (empty when it would not, or when
    nothing has been answered yet: a draft is always edited freely). ``saved_count``: answers
    residents saved to carry on later, which must still fit when they come back. (Answers still in
    a resident's browser are checked again when sent, and they are asked to correct any that no
    longer fit.) Answers are stored by question key and choice label, so a question with answers
    must keep its key, its type, every label, and limits at least as wide; a new question must be
    optional."""
    if response_count == 0 and saved_count == 0:
        return []
    if response_count:
        why = f"it already has answers in {response_count} response{'s' if response_count != 1 else ''}"
    else:
        why = gettext("residents have saved answers to it to carry on later")
    problems = []
    for old in before.questions():
        new = after.question(old.key)
        if new is None:
            problems.append(gettext("‘%(text)s’ cannot be removed: %(why)s, which would be lost", text=old.text, why=why))
            continue
        if new.kind != old.kind:
            problems.append(gettext("‘%(text)s’ cannot change type: %(why)s, which would no longer fit", text=old.text, why=why))
        lost = [label for label in old.choices if label not in new.choices]
        if lost:
            problems.append(gettext("‘%(text)s’ cannot drop or rename the option ‘%(lost)s’: %(why)s, some may have chosen it", text=old.text, lost=lost[0], why=why))
        if old.kind == "multiple" and new.max_choices and (not old.max_choices or new.max_choices < old.max_choices):
            problems.append(gettext("‘%(text)s’ cannot allow fewer choices: %(why)s", text=old.text, why=why))
        dropped = [option for option in old.options if option not in new.options]
        if old.kind == "grid" and dropped:
            problems.append(gettext("‘%(text)s’ cannot drop or rename the statement ‘%(lost)s’: %(why)s, which would no longer fit", text=old.text, lost=dropped[0], why=why))
        if old.kind == "ranking" and not lost and len(new.options) != len(old.options):
            problems.append(gettext("‘%(text)s’ cannot have options added: %(why)s, which ranked only the options it had", text=old.text, why=why))
        if old.kind == "date" and ((new.earliest and (not old.earliest or new.earliest > old.earliest))
                                   or (new.latest and (not old.latest or new.latest < old.latest))):
            problems.append(gettext("‘%(text)s’ cannot have a narrower range of dates: %(why)s", text=old.text, why=why))
        if old.kind == "file" and set(old.accepted_file_types) - set(new.accepted_file_types):
            problems.append(gettext("‘%(text)s’ cannot accept fewer types of file: %(why)s", text=old.text, why=why))
        if old.kind == "text" and new.text_limit < old.text_limit:
            problems.append(gettext("‘%(text)s’ cannot have a shorter limit: %(why)s", text=old.text, why=why))
        if old.kind == "number" and (
            (new.min_value is not None and (old.min_value is None or new.min_value > old.min_value))
            or (new.max_value is not None and (old.max_value is None or new.max_value < old.max_value))
        ):
            problems.append(gettext("‘%(text)s’ cannot have a narrower range: %(why)s", text=old.text, why=why))
        if new.show_if_key != old.show_if_key or new.show_if_value != old.show_if_value:
            problems.append(gettext("‘%(text)s’ cannot change when it is shown: %(why)s", text=old.text, why=why))
        if new.required and not old.required:
            problems.append(gettext("‘%(text)s’ cannot become required: %(why)s, and some may have left it blank", text=old.text, why=why))
    for new in after.questions():
        if before.question(new.key) is None and new.required:
            problems.append(gettext("‘%(text)s’ must be optional: %(why)s, and those answers do not include it", text=new.text, why=why))
    return problems
