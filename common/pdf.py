"""PDFs drawn from HTML by WeasyPrint: the page a reader sees, printed with a print stylesheet,
as a tagged PDF (PDF/UA-1) so that screen readers can follow its headings, tables and pictures.

The document's own ``<title>``, ``<meta name="author">`` and ``<meta name="dcterms.created">``
become the PDF's title, author and creation date, so a document states when it was published
(not when, or whether, it was drawn). Nothing is fetched from the network: pictures come from
``data:`` addresses or from the ``images`` given (matched by file name, with or without
``.png``), and any other address is left out. WeasyPrint is imported when a PDF is drawn."""

from __future__ import annotations

from collections.abc import Mapping

PDF_VARIANT = "pdf/ua-1"
"""Tagged, with the document's language and title: what WeasyPrint calls PDF/UA-1."""
BASE_URL = "https://document.invalid/"
"""Relative addresses in the HTML resolve against this, and are then served from ``images``."""


def _fetcher(images: Mapping[str, bytes]):
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class ImagesOnly(URLFetcher):
        def fetch(self, url: str, headers=None):  # noqa: ANN001 - WeasyPrint's signature
            if url.startswith("data:"):
                return super().fetch(url, headers)
            name = url.split("?")[0].rsplit("/", 1)[-1].removesuffix(".png")
            if name in images:
                return URLFetcherResponse(url, body=images[name], headers={"Content-Type": "image/png"})
            raise ValueError(f"not fetched while drawing a PDF: {url}")

    return ImagesOnly()


def html_to_pdf(html: str, *, stylesheet: str = "", images: Mapping[str, bytes] | None = None) -> bytes:
    """A whole HTML document as a tagged A4 PDF. ``stylesheet`` is CSS added to the document's
    own (its ``@page`` rules give the paper, margins and page numbers)."""
    from weasyprint import CSS, HTML

    fetcher = _fetcher(images or {})
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    sheets = [CSS(string=stylesheet, url_fetcher=fetcher)] if stylesheet else []
    return document.write_pdf(stylesheets=sheets, pdf_variant=PDF_VARIANT)
