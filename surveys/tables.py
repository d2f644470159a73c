"""Tables of the surveys package: consultations and the case studies residents comment on.

Questionnaires, responses and comments join these as the consultation journey is built.
"""

from __future__ import annotations

from piccolo.columns import Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Consultation(Table, tablename="consultation"):
    slug = Varchar(length=100, unique=True, index=True)
    title = Varchar(length=200)
    summary = Text(default="")
    opens_on = Date()
    closes_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class CaseStudy(Table, tablename="case_study"):
    slug = Varchar(length=100, unique=True, index=True)
    title = Varchar(length=200)
    summary = Text(default="")
    published_at = Timestamptz(null=True, default=None)
    """When it was made public; None while it is a draft. The commitment tracker counts case
    studies published per year from this."""
