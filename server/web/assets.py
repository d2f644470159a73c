"""Static files under content-hashed names, so browsers may cache them for a year.

``asset_url("css/civicpanel.css")`` gives ``/static/css/civicpanel.<digest>.css``, where the
digest is the first 12 hex characters of the file's SHA-256, computed once at start-up. A new
release changes the name of every file that changed, so a long ``immutable`` cache never serves
a stale file. Plain names are still served, with a short cache, for links made by hand."""

from __future__ import annotations

import hashlib
from pathlib import Path

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from server.web.guards import public

DIGEST_LENGTH = 12
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"


class AssetManifest:
    def __init__(self, directory: Path):
        self.directory = directory.resolve()
        self.digests: dict[str, str] = {}
        for path in sorted(self.directory.rglob("*")):
            if path.is_file():
                relative = path.relative_to(self.directory).as_posix()
                self.digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]

    def url(self, relative: str) -> str:
        digest = self.digests.get(relative)
        if digest is None:
            raise KeyError(f"no static file {relative!r}")
        folder, _, name = relative.rpartition("/")
        stem, dot, suffix = name.partition(".")
        hashed = f"{stem}.{digest}{dot}{suffix}" if dot else f"{stem}.{digest}"
        return f"/static/{folder + '/' if folder else ''}{hashed}"

    def resolve(self, requested: str) -> tuple[Path, bool] | None:
        """The file for a request path and whether its name carried the right digest; None when
        there is no such file (or the digest is stale)."""
        if requested in self.digests:
            return self.directory / requested, False
        folder, _, name = requested.rpartition("/")
        parts = name.split(".")
        if len(parts) >= 2:
            digest = parts[1]
            original_name = ".".join([parts[0], *parts[2:]])
            original = f"{folder + '/' if folder else ''}{original_name}"
            if self.digests.get(original) == digest:
                return self.directory / original, True
        return None


SKIP_SESSION = "skip_session"
"""The route option Litestar's session middleware skips (``CookieBackendConfig.exclude_opt_key``)."""


def static_files_handler(manifest: AssetManifest):
    # No session: a file needs none. Before the cookie was written only on a change
    # (server/web/sessions.py), a script fetched while the resident answered (govuk-init.js
    # imports GOV.UK Frontend after the page's load event) and answered after their Continue put
    # back the answers of before; skipping the session here keeps files out of that for good.
    @get("/static/{file_path:path}", name="static", opt=public(**{SKIP_SESSION: True}), include_in_schema=False,
         sync_to_thread=False)
    def serve_static(file_path: FromPath[str]) -> File:
        found = manifest.resolve(file_path.lstrip("/"))
        if found is None:
            raise NotFoundException()
        path, hashed = found
        return File(path=path, filename=path.name, content_disposition_type="inline",
                    headers={"cache-control": LONG_CACHE if hashed else SHORT_CACHE})

    return serve_static
