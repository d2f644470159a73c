"""The document WeasyPrint prints (analysis.printing): its language and direction."""

from __future__ import annotations

import re

import pytest

from analysis.printing import document_html


@pytest.mark.parametrize(("language", "direction"), [("en-GB", "ltr"), ("cy", "ltr"), ("ar", "rtl"), ("bn", "ltr")])
def test_a_printed_document_says_its_language_and_direction(language, direction):
    html = document_html("<p>Body</p>", title="Title", council="London Borough of Camden", language=language)
    assert re.search(rf'<html lang="{language}" dir="{direction}">', html)
    assert "<p>Body</p>" in html and "<title>Title</title>" in html
