"""Filling a route's path parameters (``/panels/{slug:str}/…``) to walk every route."""

from __future__ import annotations

import re

PATH_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
"""A Litestar path parameter: its name and, when given, its type."""

SAMPLE_VALUES = {"int": "1", "str": "sample", "path": "css/civicpanel.css"}
"""A value of each parameter type that parses (whether or not a row has it)."""


def concrete_path(path: str) -> str:
    """The route's path with every parameter replaced by a sample value of its type."""
    return PATH_PARAM.sub(lambda match: SAMPLE_VALUES.get(match.group(2) or "str", "sample"), path)
