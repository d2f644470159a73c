"""Links in templates are built from route names (``url_for``), never written as literal paths,
so a route can move without a hunt through the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
LITERAL_LINK = re.compile(r"""\b(href|action|hx-get|hx-post)\s*=\s*["']/(?!/)""")


def literal_links() -> list[str]:
    found = []
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.relative_to(TEMPLATE_DIR)}:{number}: {match.group(0)}" for match in LITERAL_LINK.finditer(line)]
    return found


@pytest.mark.xfail(reason="templates are being converted to url_for", strict=False)
def test_templates_build_links_from_route_names():
    found = literal_links()
    print(f"{len(found)} literal links in templates/:", *found, sep="\n")
    if found:  # the count shows in the summary line while the conversion goes on
        pytest.xfail(f"{len(found)} literal links left in templates/; templates are being converted to url_for")
