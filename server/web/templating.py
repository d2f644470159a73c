"""The Jinja environment: autoescaped templates, and the few globals every page uses."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine

from common.i18n import format_day, format_day_and_time
from common.uploads import MAX_UPLOAD_LABEL
from panels.plain_words import (
    category_label, census_name, conflict_sentence, dimension_label, group_label, relaxation_sentence,
)
from server.services.format_requests import FORMATS
from server.services.follows import FOLLOWING_WHAT
from server.web.assets import AssetManifest
from server.web.i18n import install_gettext
from server.web.navigation import navigation_items, public_links, staff_links
from server.settings import Settings

HTMX_CONFIG = (
    '{"includeIndicatorStyles": false, "allowScriptTags": false, "allowEval": false,'
    ' "responseHandling": [{"code": "204", "swap": false}, {"code": "[23]..", "swap": true},'
    ' {"code": "422", "swap": true, "error": false}, {"code": "[45]..", "swap": false, "error": true}]}'
)
"""htmx 2 does not swap 4xx by default; a 422 carries the form with its errors, so swap it.
Inline indicator styles and eval are off so the Content-Security-Policy can forbid them."""


def format_date(value: date | datetime | None) -> str:
    """GOV.UK style: 24 January 2022."""
    if value is None:
        return ""
    return format_day(value.date() if isinstance(value, datetime) else value)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_day_and_time(value)


def configure_template_engine(settings: Settings, manifest: AssetManifest):
    def callback(engine: JinjaTemplateEngine) -> None:
        env = engine.engine
        # Our templates first, then the GOV.UK Frontend macros under their documented prefix:
        # {% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}
        env.loader = ChoiceLoader([
            env.loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ])
        install_gettext(env)
        env.auto_reload = settings.environment == "development"  # elsewhere templates never change while serving
        env.globals["council_name"] = settings.council_name
        env.globals["upload_limit"] = MAX_UPLOAD_LABEL
        env.globals["htmx_config"] = HTMX_CONFIG
        env.globals["csrf_header"] = "x-csrftoken"
        env.globals["asset_url"] = manifest.url
        env.globals["public_links"] = public_links
        env.globals["staff_links"] = staff_links
        env.globals["navigation_items"] = navigation_items
        env.globals["format_choices"] = FORMATS
        env.globals["follow_words"] = FOLLOWING_WHAT
        env.filters["govuk_date"] = format_date
        env.filters["govuk_datetime"] = format_datetime
        # Census keys in words on every page (``panels.plain_words``): {{ row.dimension|dimension_label }},
        # {{ group_label(row.dimension, row.category) }}, {{ conflict|conflict_sentence }}.
        env.filters["dimension_label"] = dimension_label
        env.filters["census_name"] = census_name
        env.filters["conflict_sentence"] = conflict_sentence
        env.filters["relaxation_sentence"] = relaxation_sentence
        env.globals["category_label"] = category_label
        env.globals["group_label"] = group_label

    return callback


def bind_url_for(engine: JinjaTemplateEngine, app: Litestar) -> None:
    """``url_for("route_name", **path_parameters)`` in every template, including fragments drawn
    outside a request (the cached comment list of a case study). Litestar's own ``url_for``
    finds the app through the request in the template's context, which those lack."""
    engine.engine.globals["url_for"] = app.route_reverse
