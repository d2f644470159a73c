"""Files residents send with a file-upload question: checked, kept and deleted.

A file is told by its first bytes (PDF, PNG or JPEG: ``common.uploads.file_type_of``; its name
and the browser's word for its type are not trusted) and kept under ``DATA_DIR/responses/`` with
a random name: outside the static files, so the only way to it is the officers' route, which
checks the file belongs to a sent response and audits the download.

A file is stored as soon as the page holding its question is submitted, *pending* under the
idempotency key of the response in progress (the resident's session holds only its record: name,
type, size, key). Sending the response attaches it; a file replaced before sending is deleted
then. "Save and come back later" keeps the pending file with the saved answers (same key).
Pending files that were neither sent nor saved are deleted by the retention purge a day after
upload (``PENDING_DAYS``), with saved answers when those expire or are erased, and attached files
with their response's personal data (erasure) or when the consultation's retention ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from common.i18n import gettext
from common.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_LABEL, UploadError, file_type_of
from surveys.questionnaire import FILE_TYPES, Question
from surveys.tables import ResponseFile, SavedAnswers

RESPONSE_FILES_FOLDER = "responses"
PENDING_DAYS = 1
"""A file of a response neither sent nor saved for later is kept this long (the resident may
still be answering), then deleted by the purge."""
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def check_response_file(question: Question, raw: bytes) -> str:
    """The content type of a file chosen for ``question``, or UploadError with the message for the
    resident (GOV.UK's wording for the file upload component)."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadError(gettext("The selected file must be smaller than %(limit)s", limit=MAX_UPLOAD_LABEL))
    if not raw:
        raise UploadError(gettext("The selected file is empty"))
    content_type = file_type_of(raw)
    if content_type not in [FILE_TYPES[name][0] for name in question.accepted_file_types]:
        raise UploadError(gettext("The selected file must be a %(types)s", types=question.file_types_label))
    return content_type


def _path(data_dir: Path, file_key: str) -> Path:
    return data_dir / RESPONSE_FILES_FOLDER / Path(file_key).name


async def store_pending_file(*, question: Question, raw: bytes, name: str, consultation_id: int, idempotency_key: str,
                             data_dir: Path, now: datetime) -> dict[str, object]:
    """Check and keep a file chosen for ``question`` (UploadError when it will not do); the answer
    that records it: file name, type, size and storage key."""
    content_type = check_response_file(question, raw)
    file_key = secrets.token_hex(16) + EXTENSIONS[content_type]
    folder = data_dir / RESPONSE_FILES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file_key).write_bytes(raw)
    file_name = Path(name.replace("\\", "/")).name.strip()[:200] or "file" + EXTENSIONS[content_type]
    await ResponseFile.insert(ResponseFile(
        file_key=file_key, consultation=consultation_id, idempotency_key=idempotency_key, file_name=file_name,
        content_type=content_type, size_bytes=len(raw), uploaded_at=now)).run()
    return {"file_name": file_name, "content_type": content_type, "size_bytes": len(raw), "file_key": file_key}


def file_keys_in(answers: dict[str, object]) -> set[str]:
    return {str(value["file_key"]) for value in answers.values() if isinstance(value, dict) and value.get("file_key")}


async def _delete(rows: list[dict], data_dir: Path) -> int:
    """Delete these files' rows and their files on disk."""
    if not rows:
        return 0
    await ResponseFile.delete().where(ResponseFile.id.is_in([row["id"] for row in rows])).run()
    for row in rows:
        _path(data_dir, row["file_key"]).unlink(missing_ok=True)
    return len(rows)


async def attach_files(*, idempotency_key: str, response_id: int, answers: dict[str, object], data_dir: Path) -> None:
    """A response was sent (or a member's replaced): its files are attached to it, and the files
    uploaded under its key that its answers no longer hold (replaced, or on a page no longer on the
    route) are deleted."""
    keep = file_keys_in(answers)
    rows = await ResponseFile.select(ResponseFile.id, ResponseFile.file_key).where(
        ResponseFile.idempotency_key == idempotency_key).run()
    await _delete([row for row in rows if row["file_key"] not in keep], data_dir)
    if keep:
        await ResponseFile.update({ResponseFile.response: response_id}).where(
            ResponseFile.idempotency_key == idempotency_key, ResponseFile.file_key.is_in(sorted(keep))).run()


@dataclass(frozen=True)
class StoredFile:
    path: Path
    content_type: str
    file_name: str
    response_reference: str
    consultation_slug: str


async def response_file(file_key: str, *, data_dir: Path) -> StoredFile | None:
    """A file of a sent response (never a pending one), or None."""
    row = await ResponseFile.select(
        ResponseFile.file_key, ResponseFile.content_type, ResponseFile.file_name, ResponseFile.response.reference,
        ResponseFile.consultation.slug).where(
        ResponseFile.file_key == file_key, ResponseFile.response.is_not_null()).first().run()
    if row is None:
        return None
    path = _path(data_dir, row["file_key"])
    if not path.is_file():
        return None
    return StoredFile(path=path, content_type=row["content_type"], file_name=row["file_name"],
                      response_reference=row["response.reference"], consultation_slug=row["consultation.slug"])


async def delete_files_of_responses(response_ids: list[int], *, data_dir: Path) -> int:
    """Erasure: the files sent with these responses."""
    if not response_ids:
        return 0
    rows = await ResponseFile.select(ResponseFile.id, ResponseFile.file_key).where(
        ResponseFile.response.is_in([int(value) for value in response_ids])).run()
    return await _delete(rows, data_dir)


async def delete_pending_files(idempotency_keys: list[str], *, data_dir: Path) -> int:
    """Saved answers erased or expired: the files held with them (never those of a sent response)."""
    if not idempotency_keys:
        return 0
    rows = await ResponseFile.select(ResponseFile.id, ResponseFile.file_key).where(
        ResponseFile.idempotency_key.is_in(list(idempotency_keys)), ResponseFile.response.is_null()).run()
    return await _delete(rows, data_dir)


async def idempotency_keys_of_saved(saved_ids: list[int]) -> list[str]:
    if not saved_ids:
        return []
    rows = await SavedAnswers.select(SavedAnswers.idempotency_key).where(SavedAnswers.id.is_in(list(saved_ids))).run()
    return [row["idempotency_key"] for row in rows]


async def files_past_retention(*, now: datetime, expired_consultation_ids: list[int]) -> list[dict]:
    """Files to delete: every file of a consultation whose retention has ended, and pending files
    older than ``PENDING_DAYS`` whose answers were not saved for later."""
    rows = []
    if expired_consultation_ids:
        rows += await ResponseFile.select(ResponseFile.id, ResponseFile.file_key).where(
            ResponseFile.consultation.is_in(list(expired_consultation_ids))).run()
    pending = await ResponseFile.select(ResponseFile.id, ResponseFile.file_key, ResponseFile.idempotency_key).where(
        ResponseFile.response.is_null(), ResponseFile.uploaded_at < now - timedelta(days=PENDING_DAYS)).run()
    if pending:
        saved = {row["idempotency_key"] for row in await SavedAnswers.select(SavedAnswers.idempotency_key).where(
            SavedAnswers.idempotency_key.is_in(sorted({row["idempotency_key"] for row in pending})),
            SavedAnswers.expires_at > now).run()}
        rows += [row for row in pending if row["idempotency_key"] not in saved]
    unique = {row["id"]: row for row in rows}
    return list(unique.values())


async def purge_files(rows: list[dict], *, data_dir: Path) -> int:
    return await _delete(rows, data_dir)

