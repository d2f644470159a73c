"""The civic lottery's print files: the invitation letters as one PDF (a page per address, each
with its code and a QR code to the registration form with the code filled in), drawn by
WeasyPrint from ``templates/print/letters.html``. The mailing house's CSV is ``panels.mailing``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import segno

from analysis.printing import template_environment
from common.i18n import format_day, gettext
from common.pdf import html_to_pdf
from panels import store
from panels.address_file import file_fingerprint, read_address_file
from panels.letter_draw import LetterDraw, draw_letters
from panels.letters import save_letter_batch
from panels.mailing import LetterRow
from panels.tables import Panel, PanelSession
from panels.wards import BOROUGH_WARDS
from server.audit import record_audit
from templates import TEMPLATE_DIR

LETTERS_STYLESHEET = TEMPLATE_DIR / "print" / "letters.css"
_ENVIRONMENT = None


def registration_link(register_url: str, code: str) -> str:
    """The registration form's address with the code filled in (what the QR code holds)."""
    return f"{register_url}?{urlencode({'code': code})}"


def qr_data_uri(link: str) -> str:
    return segno.make(link, error="m").svg_data_uri(scale=4, dark="#0b0c0c", light="#ffffff", border=2)


def letters_html(*, panel: Panel, sessions: Sequence[PanelSession], letters: Sequence[LetterRow], council: str,
                 register_url: str, today: date) -> str:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = template_environment()
    deadline = format_day(panel.registration_deadline.date()) if panel.registration_deadline else ""
    return _ENVIRONMENT.get_template("print/letters.html").render(
        panel=panel, council=council, register_url=register_url, today=format_day(today), created=today.isoformat(),
        deadline=deadline, adults=panel.adults_per_letter,
        voucher=f"£{panel.voucher_pence / 100:.2f}" if panel.voucher_pence else "",
        sessions=[{"day": format_day(session.held_on),
                   "time": gettext("%(start)s to %(end)s", start=session.starts_at.strftime("%H:%M"),
                                   end=session.ends_at.strftime("%H:%M")),
                   "place": session.place} for session in sessions],
        letters=[{"lines": letter.lines, "postcode": letter.postcode, "code": letter.code,
                  "qr": qr_data_uri(registration_link(register_url, letter.code))} for letter in letters])


NOTIFY_ADDRESS_LINES = 7
"""GOV.UK Notify's letters take ``address_line_1`` to ``address_line_7``, the postcode last."""


def session_lines(sessions: Sequence[PanelSession]) -> list[str]:
    """Each session as the letters print it: day, times and place."""
    return [", ".join(part for part in (format_day(session.held_on), gettext(
        "%(start)s to %(end)s", start=session.starts_at.strftime("%H:%M"), end=session.ends_at.strftime("%H:%M")),
        session.place) if part) for session in sessions]


def notify_personalisation(*, letter: LetterRow, panel: Panel, sessions: Sequence[PanelSession], register_url: str) -> dict:
    """What a GOV.UK Notify letter template is filled with: the address ("The Occupier", the
    address lines, the postcode last) and ((panel)), ((code)), ((link)), ((register_by)),
    ((sessions)) (a list, printed as bullets), ((thank_you)) and ((adults)), as the README lists."""
    lines = [gettext("The Occupier"), *letter.lines][:NOTIFY_ADDRESS_LINES - 1] + [letter.postcode]
    address = {f"address_line_{number}": line for number, line in enumerate(lines, start=1)}
    return {**address, "panel": panel.name, "code": letter.code, "link": registration_link(register_url, letter.code),
            "register_by": format_day(panel.registration_deadline.date()) if panel.registration_deadline else "",
            "sessions": session_lines(sessions) or [gettext("The dates will be in your invitation if you are chosen.")],
            "thank_you": gettext("Each member receives a %(amount)s voucher to thank them for their time.",
                                 amount=f"£{panel.voucher_pence / 100:.2f}") if panel.voucher_pence else "",
            "adults": str(panel.adults_per_letter)}


def letters_pdf(*, panel: Panel, sessions: Sequence[PanelSession], letters: Sequence[LetterRow], council: str,
                register_url: str, today: date) -> bytes:
    """The letters as one print-ready A4 PDF, a page per letter, in the batch's order."""
    html = letters_html(panel=panel, sessions=sessions, letters=letters, council=council, register_url=register_url,
                        today=today)
    return html_to_pdf(html, stylesheet=LETTERS_STYLESHEET.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SentBatch:
    batch_id: int
    draw: LetterDraw
    letters: list[LetterRow]
    address_count: int
    fingerprint: str


async def send_letters(*, panel: Panel, address_file: bytes, letters: int, seed: str,
                       weights: Mapping[str, float] | None, actor: str) -> SentBatch:
    """Read the address file (``AddressFileError`` naming every bad row: nothing stored), draw
    ``letters`` addresses by ward from ``seed`` (``ValueError`` for a number out of range), store
    the batch with fresh codes and write the audit log."""
    addresses = read_address_file(address_file, wards=BOROUGH_WARDS)
    draw = draw_letters(addresses, letters=letters, seed=seed, weights=weights)
    fingerprint = file_fingerprint(address_file)
    batch_id, rows = await save_letter_batch(panel_id=panel.id, draw=draw, address_fingerprint=fingerprint,
                                             address_count=len(addresses), weights=dict(weights or {}), created_by=actor)
    await record_audit(actor=actor, action="letters_drawn", object_type="panel", object_id=str(panel.id),
                       detail=f"batch {batch_id}: {len(rows)} letters from {len(addresses)} addresses; "
                              f"seed {seed!r}; address file sha256 {fingerprint}")
    return SentBatch(batch_id=batch_id, draw=draw, letters=rows, address_count=len(addresses), fingerprint=fingerprint)


async def batch_letters_pdf(*, panel: Panel, letters: Sequence[LetterRow], council: str, register_url: str,
                            today: date) -> bytes:
    """The PDF of a batch's letters, with the panel's sessions (WeasyPrint runs in a worker thread)."""
    import anyio

    sessions = await store.list_sessions(panel.id)
    return await anyio.to_thread.run_sync(lambda: letters_pdf(
        panel=panel, sessions=sessions, letters=letters, council=council, register_url=register_url, today=today))
