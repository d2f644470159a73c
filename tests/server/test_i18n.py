"""Babel: gettext in the request's language, and an English catalogue kept in step with the sources."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from common import i18n
from common.i18n import active_locale, gettext, lazy_gettext, ngettext
from server.web.i18n import available_locales, negotiate_locale

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "server" / "translations" / "messages.pot"
TRANS_TAG = re.compile(r"\{%-?\s*trans\b")


def test_english_needs_no_catalogue():
    assert gettext("Sign out") == "Sign out"
    assert gettext("Signed in as %(name)s", name="Ann") == "Signed in as Ann"
    assert ngettext("%(num)d comment", "%(num)d comments", 1) == "1 comment"
    assert ngettext("%(num)d comment", "%(num)d comments", 3) == "3 comments"
    assert str(lazy_gettext("Home")) == "Home"


def test_the_active_locale_chooses_the_catalogue_and_lazy_strings_follow_it(tmp_path):
    catalog = Catalog(locale="de")
    catalog.add("Home", "Startseite")
    catalog.add(("%(num)d comment", "%(num)d comments"), ("%(num)d Kommentar", "%(num)d Kommentare"))
    catalog.add("Sign out", "Abmelden", flags=["fuzzy"])  # a fuzzy guess is never used
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "de" / "LC_MESSAGES" / "messages.po", "wb") as po:
        write_po(po, catalog)
    home = lazy_gettext("Home")  # made before any request, as module constants are
    previous = i18n._directory
    i18n.use_catalogues(tmp_path)
    try:
        assert available_locales(tmp_path) == ("en_GB", "de")
        token = active_locale.set("de")
        try:
            assert str(home) == "Startseite"
            assert ngettext("%(num)d comment", "%(num)d comments", 2) == "2 Kommentare"
            assert gettext("Sign out") == "Sign out"
        finally:
            active_locale.reset(token)
        assert str(home) == "Home"
    finally:
        i18n._directory = previous
        i18n.translations_for.cache_clear()


def test_dates_are_written_as_each_language_writes_them():
    from datetime import date, datetime

    from common.i18n import format_day, format_day_and_time, speaking

    day = date(2027, 2, 3)
    written = {"en_GB": "3 February 2027", "cy": "3 Chwefror 2027", "pt": "3 de fevereiro de 2027",
               "es": "3 de febrero de 2027", "sq": "3 shkurt 2027"}
    for locale, expected in written.items():
        with speaking(locale):
            assert format_day(day) == expected
    with speaking("es"):
        assert format_day_and_time(datetime(2027, 2, 3, 14, 5)) == "3 de febrero de 2027, 14:05"


def test_the_browser_language_is_matched_to_an_available_catalogue():
    assert negotiate_locale("cy-GB,en;q=0.5", ("en_GB", "cy")) == "cy"
    assert negotiate_locale("fr-FR, de;q=0.8", ("en_GB", "cy")) == "en_GB"
    assert negotiate_locale("", ("en_GB",)) == "en_GB"
    assert negotiate_locale("en;q=nonsense, *", ("en_GB", "cy")) == "en_GB"


def test_pages_are_drawn_through_gettext(client):
    page = client.get("/").text
    assert "Skip to main content" in page and "Privacy notice" in page


def _mapping(name: str = "babel.cfg"):
    with open(ROOT / name) as config:
        return parse_mapping_cfg(config, filename=name)


def test_every_trans_block_of_every_template_extracts():
    """Babel skips a template it cannot parse, silently by default: a `{% trans %}` with an
    expression inside would then never reach the catalogue. Here a parse error fails."""
    _, options_map = _mapping()
    options = next(options for pattern, options in options_map.items() if pattern.startswith("templates/"))
    for template in sorted((ROOT / "templates").rglob("*.html")):
        source = template.read_bytes()
        messages = list(babel_extract(BytesIO(source), ("gettext", "ngettext", "_"), [], {**options, "silent": "false"}))
        from_blocks = [message for message in messages if message[1] in ("gettext", "ngettext")]
        blocks = len(TRANS_TAG.findall(source.decode("utf-8")))
        assert len(from_blocks) >= blocks, f"{template.relative_to(ROOT)}: {blocks} trans blocks, {len(from_blocks)} extracted"


TRANS_WITH_PLURAL = re.compile(r"\{%-?\s*trans\s+(?P<variables>[^%]*?)-?%\}(?:(?!\{%-?\s*endtrans).)*?"
                               r"\{%-?\s*pluralize\s*(?P<count>\w*)\s*-?%\}", re.DOTALL)


def test_every_plural_sentence_is_chosen_by_its_count():
    """Jinja chooses a ``{% trans %}`` block's plural form by its first variable unless
    ``{% pluralize name %}`` names another: a block whose count was not first chose by a date or a
    name ("1 comments" in English, a 500 in Welsh, whose plural rule refuses a string)."""
    wrong = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        for block in TRANS_WITH_PLURAL.finditer(template.read_text("utf-8")):
            first = re.match(r"\s*(\w+)", block["variables"])
            if not block["count"] and first and first.group(1) != "count":
                wrong.append(f"{template.relative_to(ROOT)}: {block.group(0)[:80]}")
    assert wrong == []


@pytest.mark.parametrize(("mapping", "template"), [("babel.cfg", POT), ("babel-resident.cfg", POT.with_name("resident.pot"))])
def test_the_committed_catalogue_template_matches_the_sources(mapping, template):
    """The whole English catalogue, and the resident-facing part every shipped language must
    translate (tests/server/test_languages.py checks the catalogues against it)."""
    method_map, options_map = _mapping(mapping)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    extracted = Catalog()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, strip_comment_tags=True
    ):
        extracted.add(message, context=context)
    with open(template, "rb") as pot:
        committed = read_po(pot)
    wanted = {message.id if isinstance(message.id, str) else tuple(message.id) for message in extracted if message.id}
    present = {message.id if isinstance(message.id, str) else tuple(message.id) for message in committed if message.id}
    assert wanted == present, (
        f"server/translations/{template.name} is out of date: run `make messages`.\n"
        f"missing: {sorted(map(str, wanted - present))[:10]}\nstale: {sorted(map(str, present - wanted))[:10]}"
    )
