"""The Easy Read rules a machine can check (short lines, one sentence each, a picture for every
point), the shipped pictures and their licence, and the large-type PDF read back as text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from analysis.reports.easy_read import (
    ICON_DIR,
    ICONS,
    MAX_POINTS,
    EasyReadFormError,
    EasyReadPoint,
    check_easy_read_form,
    easy_read_html,
    easy_read_pdf,
    form_rows,
    parse_points,
    points_json,
    sentence_count,
)


def form(*rows: tuple[str, str]) -> dict[str, str]:
    values = {}
    for number, (icon, text) in enumerate(rows, start=1):
        values[f"icon_{number}"], values[f"text_{number}"] = icon, text
    return values


def errors_of(values: dict[str, str]) -> dict[str, str]:
    with pytest.raises(EasyReadFormError) as raised:
        check_easy_read_form(values)
    return raised.value.errors


def test_good_points_are_kept_in_order_and_empty_rows_left_out():
    points = check_easy_read_form(form(("people", "  We asked   1,200 people. "), ("", ""), ("tick", "Thank you!")))
    assert points == [EasyReadPoint("people", "We asked 1,200 people."), EasyReadPoint("tick", "Thank you!")]
    assert parse_points(points_json(points)) == points


def test_a_long_sentence_is_refused_in_plain_words_and_the_rows_kept():
    long_line = " ".join(["word"] * 21)
    with pytest.raises(EasyReadFormError) as raised:
        check_easy_read_form(form(("people", "Short."), ("chart", long_line)))
    assert raised.value.errors == {"text_2": "Point 2 has 21 words. Easy Read sentences are short: use 20 words or "
                                             "fewer, or split it into two points"}
    assert raised.value.rows[1] == {"icon": "chart", "text": long_line}
    assert check_easy_read_form(form(("chart", " ".join(["word"] * 20))))  # 20 words is fine


def test_one_idea_a_line_a_picture_for_each_and_at_least_one_point():
    assert sentence_count("We asked you. You told us.") == 2
    assert sentence_count("Is it safe? Yes!") == 2
    assert sentence_count("Most people (7 out of 10) said yes.") == 1
    assert errors_of(form(("people", "We asked you. You told us."))) == {
        "text_1": "Point 1 has 2 sentences. Put one idea on each line: split it into 2 points"}
    assert errors_of(form(("", "No picture here."), ("nope", "Unknown picture."))) == {
        "icon_1": "Choose a picture for point 1", "icon_2": "Choose a picture for point 2"}
    assert errors_of(form(("tick", ""))) == {
        "text_1": "Point 1 has a picture but no words: write the point, or choose no picture"}
    assert errors_of(form(("", ""))) == {"text_1": "Write at least one point"}
    assert "points" in errors_of(form(*[("tick", "Yes.")] * (MAX_POINTS + 1)))


def test_the_form_offers_empty_rows_up_to_the_limit():
    assert len(form_rows([])) == 3
    assert len(form_rows([EasyReadPoint("tick", "Yes.")] * MAX_POINTS)) == MAX_POINTS
    assert form_rows([EasyReadPoint("tick", "Yes.")])[0] == {"icon": "tick", "text": "Yes."}


def test_every_picture_is_shipped_simple_and_licensed_cc0():
    files = {path.stem for path in ICON_DIR.glob("*.svg")}
    assert files == set(ICONS) and 10 <= len(files) <= 15
    for name in files:
        svg = (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and 'viewBox="0 0 64 64"' in svg
        assert not re.search(r"<script|style=|href=", svg), name  # nothing the page's CSP would refuse
    assert "CC0" in (ICON_DIR / "README.md").read_text() and "CC0" in (ICON_DIR / "LICENSE").read_text()


def test_the_html_gives_each_point_its_picture():
    html = easy_read_html([EasyReadPoint("lock", "Keep it <safe>."), EasyReadPoint("tick", "Thank you.")])
    assert html.count('<li class="app-easy-read__point">') == 2
    assert 'src="data:image/svg+xml;base64,' in html and "Keep it &lt;safe&gt;." in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_reads_back_one_point_a_line_and_is_tagged():
    points = [EasyReadPoint("question", "We asked you about your data."),
              EasyReadPoint("lock", "Most people want their data kept safe."),
              EasyReadPoint("tick", "Thank you for telling us.")]
    pdf = easy_read_pdf(points, title="Easy Read: data", council="London Borough of Camden", note="Version 1.")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for point in points:
        assert point.text in lines, text
    assert "London Borough of Camden" in text
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
