"""The Jinja environment: autoescaped templates, and the few globals every page uses."""

from __future__ import annotations

from datetime import date, datetime

from litestar.plugins.jinja import JinjaTemplateEngine

from server.web.assets import AssetManifest
from server.web.navigation import PUBLIC_LINKS, current_link, staff_links
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
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y, %H:%M}"


def configure_template_engine(settings: Settings, manifest: AssetManifest):
    def callback(engine: JinjaTemplateEngine) -> None:
        env = engine.engine
        env.auto_reload = settings.environment == "development"  # elsewhere templates never change while serving
        env.globals["council_name"] = settings.council_name
        env.globals["htmx_config"] = HTMX_CONFIG
        env.globals["csrf_header"] = "x-csrftoken"
        env.globals["asset_url"] = manifest.url
        env.globals["public_links"] = PUBLIC_LINKS
        env.globals["staff_links"] = staff_links
        env.globals["current_link"] = current_link
        env.filters["govuk_date"] = format_date
        env.filters["govuk_datetime"] = format_datetime

    return callback
