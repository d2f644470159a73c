"""Tables of the analysis package: a charter and its numbered principles.

The charter lives here, not in surveys, so that surveys stays unaware of charters: links from a
case study or consultation to the principles it touches belong to this package too.
"""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Text, Varchar
from piccolo.table import Table


class Charter(Table, tablename="charter"):
    slug = Varchar(length=100, unique=True, index=True)
    name = Varchar(length=200)
    organisation = Varchar(length=200)
    adopted_on = Date(null=True, default=None)
    url = Varchar(length=500, default="")
    summary = Text(default="")


class Principle(Table, tablename="charter_principle"):
    charter = ForeignKey(references=Charter)
    number = Integer()
    title = Varchar(length=300)
    description = Text(default="")
