"""An officer's import of volunteers: the lawful basis for holding these people's data and the
wording they were shown, stated by the officer for the file and kept with every imported record.

People in an imported file never saw this app's registration form, so they are never recorded as
having agreed to its consent text (``Volunteer.consent_version`` stays empty). Instead the import
batch records one of the six lawful bases of UK GDPR Article 6(1) and the consent or privacy
notice wording as the officer states it — what those people saw where their details were taken
(a paper form, a partner's sign-up page). The volunteer's record, the officer's view of it and the
volunteer's own download show that wording and basis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.i18n import gettext, lazy_gettext
from panels.tables import ImportBatch

LAWFUL_BASES = {
    "consent": lazy_gettext("Consent (Article 6(1)(a)): the people agreed to the wording below"),
    "contract": lazy_gettext("Contract (Article 6(1)(b))"),
    "legal_obligation": lazy_gettext("Legal obligation (Article 6(1)(c))"),
    "vital_interests": lazy_gettext("Vital interests (Article 6(1)(d))"),
    "public_task": lazy_gettext("Public task (Article 6(1)(e)): the council's task in the public interest"),
    "legitimate_interests": lazy_gettext("Legitimate interests (Article 6(1)(f)): not for a public authority's own tasks"),
}
"""UK GDPR Article 6(1) lawful bases, as an officer chooses one for an import."""
MAX_NOTICE = 5000


@dataclass(frozen=True)
class ImportTerms:
    lawful_basis: str
    notice_text: str


def check_import_terms(data: Mapping[str, str]) -> tuple[ImportTerms | None, dict[str, str]]:
    """The lawful basis and notice wording from the import form, or messages keyed by field."""
    basis = str(data.get("lawful_basis", "")).strip()
    notice = str(data.get("notice_text", "")).strip()
    errors: dict[str, str] = {}
    if basis not in LAWFUL_BASES:
        errors["lawful_basis"] = gettext("Choose the lawful basis for holding these people's details")
    if not notice:
        errors["notice_text"] = gettext("Enter the consent or privacy notice wording these people were shown when "
                                        "their details were collected")
    elif len(notice) > MAX_NOTICE:
        errors["notice_text"] = gettext("The wording must be %(most)d characters or fewer", most=MAX_NOTICE)
    if errors:
        return None, errors
    return ImportTerms(lawful_basis=basis, notice_text=notice), {}


async def create_import_batch(*, panel_id: int, terms: ImportTerms, file_name: str, file_fingerprint: str,
                              created_by: str) -> ImportBatch:
    batch = ImportBatch(panel=panel_id, lawful_basis=terms.lawful_basis, notice_text=terms.notice_text,
                        file_name=file_name[:200], file_fingerprint=file_fingerprint, created_by=created_by)
    await batch.save().run()
    return batch


async def count_imported(batch_id: int, imported: int) -> None:
    await ImportBatch.update({ImportBatch.imported: int(imported)}).where(ImportBatch.id == batch_id).run()


async def get_import_batch(batch_id: int | None) -> ImportBatch | None:
    if batch_id is None:
        return None
    return await ImportBatch.objects().where(ImportBatch.id == batch_id).first().run()


def basis_label(key: str) -> str:
    return str(LAWFUL_BASES.get(key, key))
