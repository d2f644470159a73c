"""Whole numbers typed into forms, query strings and uploads are read by one parser,
``common.text.whole_number``. ``str.isdigit`` is true of "²" and "①", which ``int`` refuses, so
every ``isdigit()`` followed by ``int()`` answered 500 to them; this file checks the parser, that no
source file goes back to ``isdigit``, and that the parsers built on it refuse such text by name."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pyotp
import pytest

from analysis.charter.review_forms import check_paper_forms
from common.text import whole_number
from panels.ballots import check_paper_form, check_vote_form
from panels.panel_form import check_panel_form
from panels.selection.report import natural_order
from panels.session_tables import check_moves
from server.accounts.two_factor import _matching_step
from server.web.date_boxes import joined_date
from server.web.forms import last_value
from server.web.pagination import page_number
from surveys.questionnaire import Question, Questionnaire, Section, validate_answers

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOT_NUMBERS = ["²", "①", "12²", "9" * 5000, "1234567890", "-1", "+1", "1.5", "1,000", "1e3", "", " ", "twelve"]


@pytest.mark.parametrize("typed, number", [
    ("0", 0), ("12", 12), (" 12 ", 12), ("007", 7), ("999999999", 999_999_999), ("١٢", 12), ("১২", 12), (12, 12),
    (None, None), *[(text, None) for text in NOT_NUMBERS]])
def test_whole_number_reads_decimal_digits_of_any_script_and_nothing_else(typed, number):
    assert whole_number(typed) == number


def test_no_source_file_checks_digits_with_isdigit():
    offenders = [f"{path.relative_to(PROJECT_ROOT)}:{number}"
                 for folder in ("server", "panels", "surveys", "analysis", "common", "bench")
                 for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if re.search(r"\.isdigit\(\)", line) and "not isdigit()" not in line]
    assert not offenders, f"use common.text.whole_number (or isdecimal) instead of isdigit: {offenders}"


@pytest.mark.parametrize("typed", ["²", "9" * 5000, "-3"])
def test_officer_and_resident_parsers_refuse_such_text_by_name(typed):
    assert check_moves({"m1": typed}, members={1}, tables=3) == (None, {"m1": "Choose a table from 1 to 3"})
    _, errors = check_paper_form({"session": typed, "ballots": typed, "r1-strongly_support": typed},
                                 recommendation_ids=[1], session_ids={1}, voter_ids=set())
    assert {"session", "ballots", "r1-strongly_support"} <= set(errors)
    _, errors = check_vote_form({"title": "Vote", "threshold": typed, "recommendations": [typed]},
                                closes_on=date(2027, 1, 1), today=date(2026, 12, 1), recommendation_ids={1})
    assert {"threshold", "recommendations"} <= set(errors)
    _, errors = check_paper_forms({"session": typed, "forms": typed, "p1-agree": typed}, principle_ids=[1],
                                  session_ids={1}, member_ids=set())
    assert {"session", "forms"} <= set(errors)
    _, errors = check_panel_form({"panel_size": typed})
    assert "panel_size" in errors


def test_a_questionnaire_refuses_a_superscript_rank_or_date_with_its_message():
    rank = Question(key="rank", text="Order these", kind="ranking", options=["Parks", "Libraries"])
    day = Question(key="day", text="When", kind="date")
    questionnaire = Questionnaire(sections=[Section(title="Your views", questions=[rank, day])])
    answers, errors = validate_answers(questionnaire, {"rank": ["²", "1"], "day": ["²", "3", "2026"]})
    assert errors == {"rank": "Give ‘Parks’ a number from 1 to 2", "day": "Enter a real date, like 27 3 2026"}
    answers, errors = validate_answers(questionnaire, {"rank": ["٢", "١"], "day": ["٢٧", "3", "2026"]})
    assert errors == {} and answers["day"] == "2026-03-27"


def test_web_helpers_take_such_text_as_nothing_typed_or_wrong():
    assert page_number("²") == 1 and page_number("9" * 5000) == 1 and page_number("3") == 3
    assert joined_date({"d-day": "²", "d-month": "3", "d-year": "2026"}, "d") == "²/3/2026"
    assert joined_date({"d-day": "٢٧", "d-month": "3", "d-year": "٢٠٢٦"}, "d") == "2026-03-27"
    secret = pyotp.random_base32()
    assert _matching_step(secret, "²²²²²²", datetime.now(timezone.utc)) is None
    assert natural_order(["a²", "a10", "a2"]) == ["a2", "a10", "a²"]


def test_no_handler_reads_a_repeatable_form_field_with_str():
    """In a handler taking ``RepeatableFormData`` a field sent twice is a list, and ``str()`` of it
    is ``"['a', 'b']"``, which would be stored or compared as typed text: such handlers read a field
    with ``server.web.forms.last_value`` (or ``last_values``, ``ticked``)."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "server").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            repeatable = {arg.arg for arg in function.args.args + function.args.kwonlyargs
                          if arg.annotation is not None and ast.unparse(arg.annotation) == "RepeatableFormData"}
            offenders += [f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}" for node in ast.walk(function)
                          if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str"
                          and node.args and isinstance(node.args[0], ast.Call)
                          and isinstance(node.args[0].func, ast.Attribute) and node.args[0].func.attr == "get"
                          and isinstance(node.args[0].func.value, ast.Name) and node.args[0].func.value.id in repeatable]
    assert not offenders, f"read these fields with last_value: {offenders}"


def test_last_value_takes_the_last_of_a_repeated_field():
    assert last_value({"a": ["x", "y"]}, "a") == "y"
    assert last_value({"a": "x"}, "a") == "x"
    assert last_value({}, "a", 5) == "5" and last_value({"a": []}, "a") == ""
