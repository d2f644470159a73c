"""Documents drawn outside a request, for files and print: the page templates' Jinja environment
(as server/web/templating.py has it, with GOV.UK Frontend's macros and gettext), and the PDF
printed from a body of HTML with ``templates/print/print.css`` (``common.pdf``).

A PDF is the same HTML a reader sees on the web page, inside ``templates/print/document.html``
(council, title, a note such as the version and date), so that there is one source of words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup

from common.i18n import install_in_jinja, text_direction
from common.pdf import html_to_pdf
from templates import TEMPLATE_DIR

PRINT_STYLESHEET = TEMPLATE_DIR / "print" / "print.css"


def template_environment() -> Environment:
    """A new environment on the page templates (callers add their own globals and keep it)."""
    loader = ChoiceLoader([FileSystemLoader(TEMPLATE_DIR),
                           PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])
    environment = Environment(loader=loader, autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    install_in_jinja(environment)
    return environment


_ENVIRONMENT: Environment | None = None


def document_html(body: str, *, title: str, council: str, note: str = "", created: date | datetime | None = None,
                  language: str = "en-GB") -> str:
    """The whole document WeasyPrint prints: ``body`` inside ``templates/print/document.html``,
    with the language and its direction (an Arabic document is laid out right to left)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = template_environment()
    return _ENVIRONMENT.get_template("print/document.html").render(
        body=Markup(body), title=title, council=council, note=note, language=language,
        direction=text_direction(language.replace("-", "_")), created=created.isoformat() if created is not None else "")


def print_pdf(body: str, *, title: str, council: str, note: str = "", created: date | datetime | None = None,
              images: Mapping[str, bytes] | None = None, language: str = "en-GB") -> bytes:
    """``body`` (escaped HTML, as published) as a tagged A4 PDF. ``created`` is the day the
    document was published or the report was read for, written into the PDF's metadata."""
    html = document_html(body, title=title, council=council, note=note, created=created, language=language)
    return html_to_pdf(html, stylesheet=PRINT_STYLESHEET.read_text(encoding="utf-8"), images=images)
