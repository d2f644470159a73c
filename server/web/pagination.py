"""Long lists shown a page at a time: which rows a page holds, and the links to the others.

A list page takes ``page`` from the query string (anything that is not a page number, or a page
past the end, shows the nearest page: never an error), asks the database for one page of rows
(``LIMIT``/``OFFSET``) and the total, and renders ``officer/_pagination.html`` with the
``Pager``. The links keep every filter the query string holds, so a filtered list pages through
the same filter, with or without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from common.text import whole_number

PER_PAGE = 50
"""Rows on a page of an officer's or administrator's list."""


def page_number(raw: object) -> int:
    """The page asked for: 1 unless ``raw`` is a whole number of at least 1."""
    number = whole_number(raw)
    return number if number is not None and 0 < number < 10**6 else 1


@dataclass(frozen=True)
class Pager:
    page: int
    """The page shown, from 1, never past the last."""
    total: int
    """Rows in the whole (filtered) list."""
    per_page: int = PER_PAGE
    base_url: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    """The query string's other parameters (filters), kept in every link."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.offset + self.per_page)

    def href(self, page: int) -> str:
        pairs = [*self.filters, *([("page", str(page))] if page > 1 else [])]
        return f"{self.base_url}?{urlencode(pairs)}" if pairs else self.base_url

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last, and those around the current page;
        None where pages are left out (an ellipsis)."""
        wanted = sorted({1, self.pages, *range(max(1, self.page - 1), min(self.pages, self.page + 1) + 1)})
        shown: list[int | None] = []
        for number in wanted:
            if shown and number - shown[-1] > 1:
                shown.append(None)
            shown.append(number)
        return shown


def pager(*, raw_page: object, total: int, base_url: str, query: Mapping[str, str] | None = None,
          keep: tuple[str, ...] = (), per_page: int = PER_PAGE) -> Pager:
    """The pager for page ``raw_page`` of ``total`` rows, clamped to the last page, with links to
    ``base_url`` keeping the query parameters named in ``keep`` that have a value."""
    filters = tuple((name, str(query[name])) for name in keep if query and str(query.get(name, "") or "").strip())
    pages = max(1, -(-total // per_page))
    return Pager(page=min(page_number(raw_page), pages), total=total, per_page=per_page, base_url=base_url,
                 filters=filters)
