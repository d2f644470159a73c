"""Invitation letters in the database: a batch drawn from the address file, its letters and
codes, a code checked and claimed at registration, and the response by ward."""

from __future__ import annotations

import json
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count

from common.i18n import gettext, ngettext
from common.transactions import write_transaction
from panels.letter_draw import LetterDraw, new_codes, normalise_code
from panels.mailing import LetterRow
from panels.tables import Letter, LetterBatch, Panel, Volunteer


class LetterCodeError(ValueError):
    """A code that does not admit a registration; the message is for the resident."""


@dataclass(frozen=True)
class WardResponse:
    ward: str
    letters: int
    registrations: int

    @property
    def rate(self) -> float:
        """Registrations per letter (a code admits more than one adult, so it may pass 1)."""
        return self.registrations / self.letters if self.letters else 0.0


def _row(letter: dict) -> LetterRow:
    return LetterRow(uprn=letter["uprn"], lines=tuple(line for line in letter["address"].split("\n") if line),
                     postcode=letter["postcode"], ward=letter["ward"], code=letter["code"])


async def save_letter_batch(*, panel_id: int, draw: LetterDraw, address_fingerprint: str, address_count: int,
                            weights: dict[str, float], created_by: str) -> tuple[int, list[LetterRow]]:
    """Store the draw as a batch of letters, each with a fresh code; the batch id and its letters."""
    codes = new_codes(len(draw.addresses))
    async with write_transaction(Letter._meta.db):
        taken = {row["code"] for row in await Letter.select(Letter.code).where(Letter.code.is_in(codes)).run()} if codes else set()
        if taken:  # one in 10^12 per pair: draw those again
            fresh = iter(new_codes(len(taken), taken=set(codes)))
            codes = [next(fresh) if code in taken else code for code in codes]
        batch = LetterBatch(panel=panel_id, seed=draw.seed, address_fingerprint=address_fingerprint,
                            address_count=address_count, letters=len(draw.addresses),
                            ward_weights=json.dumps({ward: weight for ward, weight in weights.items() if weight != 1},
                                                    sort_keys=True),
                            wards_json=json.dumps([ward.__dict__ for ward in draw.wards]), created_by=created_by)
        await batch.save().run()
        rows = [Letter(panel=panel_id, batch=batch.id, uprn=address.uprn, address="\n".join(address.lines),
                       postcode=address.postcode, ward=address.ward, code=code)
                for address, code in zip(draw.addresses, codes)]
        for start in range(0, len(rows), 500):
            await Letter.insert(*rows[start:start + 500]).run()
    return batch.id, [LetterRow(uprn=address.uprn, lines=address.lines, postcode=address.postcode, ward=address.ward,
                                code=code) for address, code in zip(draw.addresses, codes)]


async def list_batches(panel_id: int) -> list[dict]:
    """The panel's batches, newest first, with their ward summaries decoded."""
    batches = await LetterBatch.select().where(LetterBatch.panel == panel_id).order_by(LetterBatch.id, ascending=False).run()
    for batch in batches:
        batch["wards"] = json.loads(batch["wards_json"] or "[]")
        batch["weights"] = json.loads(batch["ward_weights"] or "{}")
    return batches


async def batch_letters(panel_id: int, batch_id: int) -> list[LetterRow] | None:
    """The batch's letters in print order, or None when the panel has no such batch."""
    if not await LetterBatch.exists().where(LetterBatch.id == batch_id, LetterBatch.panel == panel_id).run():
        return None
    letters = await Letter.select().where(Letter.batch == batch_id).order_by(Letter.id).run()
    return [_row(letter) for letter in letters]


async def find_letter(panel: Panel, raw_code: str) -> tuple[int | None, str | None]:
    """The letter a typed code belongs to, or a message for the resident: not a code, not this
    panel's, or used by as many adults as it admits."""
    code = normalise_code(raw_code)
    if code is None:
        return None, gettext("Enter the code from your letter, like 7KQM-3XRP: 8 letters and numbers")
    letter = await Letter.select(Letter.id, Letter.used_count).where(Letter.panel == panel.id, Letter.code == code).first().run()
    if letter is None:
        return None, gettext("We do not recognise the code %(code)s. Check it against your letter", code=code)
    if letter["used_count"] >= panel.adults_per_letter:
        return None, used_up_message(panel.adults_per_letter)
    return letter["id"], None


def used_up_message(adults: int) -> str:
    return ngettext("This code has already been used by %(num)d person at your address, as many as it admits",
                    "This code has already been used by %(num)d people at your address, as many as it admits", adults)


async def claim_letter(letter_id: int, *, adults_per_letter: int) -> None:
    """Count one registration against the letter, inside the caller's write transaction;
    ``LetterCodeError`` when the code admits no one more."""
    claimed = await Letter.update({Letter.used_count: Letter.used_count + 1}).where(
        Letter.id == letter_id, Letter.used_count < adults_per_letter).returning(Letter.id).run()
    if not claimed:
        raise LetterCodeError(used_up_message(adults_per_letter))


async def response_by_ward(panel_id: int) -> list[WardResponse]:
    """Letters sent and registrations made with their codes, ward by ward (wards by name)."""
    sent = await Letter.select(Letter.ward, Count(Letter.id, alias="letters")).where(
        Letter.panel == panel_id).group_by(Letter.ward).run()
    registered = await Volunteer.select(Volunteer.letter.ward.as_alias("ward"), Count(Volunteer.id, alias="people")).where(
        Volunteer.panel == panel_id, Volunteer.letter.is_not_null()).group_by(Volunteer.letter.ward).run()
    people = {row["ward"]: int(row["people"]) for row in registered}
    return [WardResponse(ward=row["ward"], letters=int(row["letters"]), registrations=people.get(row["ward"], 0))
            for row in sorted(sent, key=lambda row: row["ward"])]
