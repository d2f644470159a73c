"""Redirects in controllers are built from route names (``request.app.route_reverse``), never
written as literal paths, so a route can move without a hunt through the Python code."""

from __future__ import annotations

import re
from pathlib import Path

CONTROLLERS = Path(__file__).resolve().parents[2] / "server" / "controllers"
LITERAL_REDIRECT = re.compile(r"""Redirect\(path=f?["']/""")


def literal_redirects() -> list[str]:
    found = []
    for path in sorted(CONTROLLERS.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if LITERAL_REDIRECT.search(line):
                found.append(f"{path.relative_to(CONTROLLERS)}:{number}: {line.strip()}")
    return found


def test_controllers_redirect_to_route_names():
    found = literal_redirects()
    assert not found, "redirects written as literal paths; use request.app.route_reverse(route name):\n" + "\n".join(found)


def test_the_check_reads_every_controller():
    assert len(list(CONTROLLERS.rglob("*.py"))) > 20


def test_the_check_finds_a_literal_redirect():
    assert LITERAL_REDIRECT.search('return Redirect(path="/your-data/erased", status_code=303)')
    assert LITERAL_REDIRECT.search('return Redirect(path=f"/officer/consultations/{slug}", status_code=303)')
    assert not LITERAL_REDIRECT.search('return Redirect(path=request.app.route_reverse("your_data_erased"))')
