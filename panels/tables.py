"""Tables of the panels package: a Resident Panel and its sessions.

Volunteers, quotas and selection runs join these as the recruitment journey is built.
"""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Time, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Panel(Table, tablename="panel"):
    name = Varchar(length=200)
    slug = Varchar(length=100, unique=True, index=True)
    year = Integer()
    panel_size = Integer()
    """k: how many members the panel seats."""
    created_at = Timestamptz(default=TimestamptzNow())


class PanelSession(Table, tablename="panel_session"):
    """A meeting of the panel. A session held is platform evidence for commitments such as
    "hold a Resident Panel annually"."""

    panel = ForeignKey(references=Panel)
    title = Varchar(length=200)
    held_on = Date()
    starts_at = Time()
    ends_at = Time()
    place = Varchar(length=300, default="")
