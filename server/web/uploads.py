"""Reading a file from a multipart form: the one reader every upload route uses."""

from __future__ import annotations

from litestar.datastructures import UploadFile

from common.uploads import MAX_UPLOAD_BYTES, upload_text


async def read_upload(upload: object, *, csv: bool = True) -> str | None:
    """The chosen file's text; None when no file was chosen (browsers send an empty part with no
    file name). Raises ``common.uploads.UploadError`` for a file over the limit or not UTF-8.
    Reads at most one byte past the limit, however large the file. ``csv=False`` for a plain
    text file (the message then asks for text, not a CSV)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return upload_text(await upload.read(MAX_UPLOAD_BYTES + 1), csv=csv)


async def read_upload_bytes(upload: object) -> tuple[bytes, str] | None:
    """The chosen file's bytes (at most one byte past the limit) and its name; None when no file
    was chosen."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return await upload.read(MAX_UPLOAD_BYTES + 1), upload.filename
