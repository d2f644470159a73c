"""Links in templates are built from route names (``url_for``), never written as literal paths,
so a route can move without a hunt through the templates."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
LITERAL_LINK = re.compile(r"""\b(href|action|formaction|src|hx-get|hx-post|hx-put|hx-delete)\s*=\s*["']/(?!/)""")


def literal_links() -> list[str]:
    found = []
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [f"{path.relative_to(TEMPLATE_DIR)}:{number}: {match.group(0)}" for match in LITERAL_LINK.finditer(line)]
    return found


def test_templates_build_links_from_route_names():
    found = literal_links()
    assert not found, "links written as literal paths; use url_for(route name):\n" + "\n".join(found)


def test_the_check_finds_a_literal_link(tmp_path):
    assert LITERAL_LINK.search('<a class="govuk-link" href="/consultations">')
    assert LITERAL_LINK.search("<form method=post action='/officer/panels'>")
    assert not LITERAL_LINK.search('<a href="{{ url_for(\'consultation_hub\') }}">')
