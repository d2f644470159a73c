"""Session materials: what members read or watch before a session, or for the panel as a whole.

Each material has a title and either a link or some plain text. Links must be absolute http or
https addresses (no ``javascript:``, ``data:`` or relative links that could be made to look
official); text is stored as typed and escaped when shown (Jinja autoescape), never as HTML.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from common.i18n import gettext
from common.text import whole_number
from common.uploads import MATERIAL_TYPES, material_file_type
from panels.tables import PanelMaterial, PanelSession

MAX_TITLE = 200
MAX_URL = 2000
MAX_BODY = 20_000
WHOLE_PANEL = "panel"
"""The form's value for "the whole panel" in the session choice."""


@dataclass(frozen=True)
class MaterialInput:
    title: str
    session_id: int | None
    url: str
    body: str


@dataclass(frozen=True)
class MaterialView:
    id: int
    title: str
    url: str
    body: str
    session_id: int | None
    file_name: str = ""
    content_type: str = ""
    size_bytes: int = 0

    @property
    def has_file(self) -> bool:
        return bool(self.content_type)


MATERIALS_FOLDER = "materials"
"""Uploaded materials live in this folder of the data directory: outside the static files, so
that no address serves them but the routes that check who is asking."""


def check_link(url: str) -> str:
    """An error message for a link that is not an absolute http(s) address ('' when fine)."""
    if len(url) > MAX_URL:
        return gettext("The link must be %(limit)d characters or fewer", limit=MAX_URL)
    if any(character.isspace() for character in url):
        return gettext("The link must not contain spaces")
    try:
        parts = urlsplit(url)
    except ValueError:
        return gettext("Enter the link as a full web address starting with https://")
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not parts.hostname:
        return gettext("Enter the link as a full web address starting with https:// or http://")
    return ""


def check_material_form(values: Mapping[str, str], *, session_ids: set[int],
                        has_file: bool = False) -> tuple[MaterialInput | None, dict[str, str]]:
    """Validate the officer's form; errors are keyed by field id, in page order."""
    errors: dict[str, str] = {}
    title = values.get("title", "").strip()
    url = values.get("url", "").strip()
    body = values.get("body", "").strip()
    raw_session = values.get("session", WHOLE_PANEL).strip() or WHOLE_PANEL
    session_id: int | None = None
    if raw_session != WHOLE_PANEL:
        session_id = whole_number(raw_session)
        if session_id not in session_ids:
            errors["session"] = gettext("Choose a session of this panel, or the whole panel")
            session_id = None
    if not title:
        errors["title"] = gettext("Enter a title for the material")
    elif len(title) > MAX_TITLE:
        errors["title"] = gettext("The title must be %(limit)s characters or fewer", limit=MAX_TITLE)
    if url:
        problem = check_link(url)
        if problem:
            errors["url"] = problem
    if len(body) > MAX_BODY:
        errors["body"] = gettext("The text must be %(limit)s characters or fewer", limit=format(MAX_BODY, ","))
    if not url and not body and not has_file and "url" not in errors:
        errors["url"] = gettext("Enter a link or some text (or both)")
    if errors:
        return None, errors
    return MaterialInput(title=title, session_id=session_id, url=url, body=body), {}


async def add_material(*, panel_id: int, material: MaterialInput, added_by: str,
                       file: tuple[bytes, str] | None = None, data_dir: Path | None = None) -> int:
    """Add a material; with ``file`` (its bytes and name), the file is checked
    (``common.uploads.material_file_type``: UploadError) and kept under ``data_dir``."""
    if material.session_id is not None and not await PanelSession.exists().where(
            PanelSession.id == material.session_id, PanelSession.panel == panel_id).run():
        raise ValueError("The session does not belong to this panel")
    stored = {}
    if file is not None:
        raw, name = file
        content_type = material_file_type(raw)
        key = secrets.token_hex(16) + MATERIAL_TYPES[content_type]
        folder = data_dir / MATERIALS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(raw)
        stored = {"file_key": key, "file_name": Path(name).name[:200], "content_type": content_type,
                  "size_bytes": len(raw)}
    row = PanelMaterial(panel=panel_id, session=material.session_id, title=material.title, url=material.url,
                        body=material.body, added_by=added_by, **stored)
    await row.save().run()
    return int(row.id)


async def material_file(*, panel_id: int, material_id: int, data_dir: Path) -> tuple[Path, str, str] | None:
    """The stored file of one material of this panel: its path, content type and name; None when
    it has none (or it is missing from the disk)."""
    row = await PanelMaterial.select(PanelMaterial.file_key, PanelMaterial.content_type, PanelMaterial.file_name).where(
        PanelMaterial.id == material_id, PanelMaterial.panel == panel_id).first().run()
    if row is None or not row["file_key"]:
        return None
    path = data_dir / MATERIALS_FOLDER / row["file_key"]
    return (path, row["content_type"], row["file_name"]) if path.is_file() else None


async def panel_of_material(material_id: int) -> int | None:
    row = await PanelMaterial.select(PanelMaterial.panel).where(PanelMaterial.id == material_id).first().run()
    return int(row["panel"]) if row else None


async def remove_material(*, panel_id: int, material_id: int, data_dir: Path | None = None) -> str | None:
    """Delete one material of this panel (and its file, under ``data_dir``); its title, or None
    when there was no such material."""
    row = await PanelMaterial.select(PanelMaterial.title, PanelMaterial.file_key).where(
        PanelMaterial.id == material_id, PanelMaterial.panel == panel_id).first().run()
    if row is None:
        return None
    await PanelMaterial.delete().where(PanelMaterial.id == material_id, PanelMaterial.panel == panel_id).run()
    if row["file_key"] and data_dir is not None:
        (data_dir / MATERIALS_FOLDER / row["file_key"]).unlink(missing_ok=True)
    return row["title"]


async def list_materials(panel_id: int) -> list[MaterialView]:
    rows = await PanelMaterial.select(PanelMaterial.id, PanelMaterial.title, PanelMaterial.url, PanelMaterial.body,
                                      PanelMaterial.session, PanelMaterial.file_name, PanelMaterial.content_type,
                                      PanelMaterial.size_bytes).where(PanelMaterial.panel == panel_id).order_by(
        PanelMaterial.id).run()
    return [MaterialView(id=int(row["id"]), title=row["title"], url=row["url"], body=row["body"],
                         session_id=row["session"], file_name=row["file_name"], content_type=row["content_type"],
                         size_bytes=int(row["size_bytes"] or 0)) for row in rows]


def group_by_session(materials: list[MaterialView]) -> tuple[list[MaterialView], dict[int, list[MaterialView]]]:
    """Materials for the whole panel, and those for each session id."""
    whole, per_session = [], {}
    for material in materials:
        if material.session_id is None:
            whole.append(material)
        else:
            per_session.setdefault(material.session_id, []).append(material)
    return whole, per_session
