"""Uploaded files: one size limit and one way to turn their bytes into text.

Every upload route reads at most ``MAX_UPLOAD_BYTES`` (the web side, ``server.web.uploads``,
stops reading one byte past it), so a large file costs no more memory than the limit.
"""

from __future__ import annotations

from common.i18n import gettext

MAX_UPLOAD_BYTES = 2_000_000
"""2 MB: a pool of 20,000 respondents, a year of commitments or 20,000 paper responses of short
answers each fit well under it."""
MAX_UPLOAD_LABEL = "2 MB"


class UploadError(ValueError):
    """An upload that cannot be used; the message is written for the person who chose the file."""


def upload_text(raw: bytes, *, csv: bool = True) -> str:
    """The upload's text (UTF-8; a byte-order mark is dropped). ``csv`` says which file the
    message for bytes that are not UTF-8 asks for: a CSV, or any text file."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadError(gettext("The file must be smaller than %(limit)s", limit=MAX_UPLOAD_LABEL))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(gettext("The file must be a CSV saved as UTF-8") if csv
                          else gettext("The file must be text saved as UTF-8")) from None


MATERIAL_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
"""What a session material may be: a PDF or an image, told by the file's first bytes (its name
and the browser's word for its type are not trusted)."""
_SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def file_type_of(raw: bytes) -> str:
    """The content type a file's first bytes show (PDF, PNG or JPEG), or "" for any other."""
    return next((content_type for signature, content_type in _SIGNATURES if raw.startswith(signature)), "")


def material_file_type(raw: bytes) -> str:
    """The content type of an uploaded material, or UploadError for one too large or of another kind."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadError(gettext("The file must be smaller than %(limit)s", limit=MAX_UPLOAD_LABEL))
    if not raw:
        raise UploadError(gettext("The file is empty"))
    content_type = file_type_of(raw)
    if content_type:
        return content_type
    raise UploadError(gettext("The file must be a PDF, or an image saved as PNG or JPEG"))
