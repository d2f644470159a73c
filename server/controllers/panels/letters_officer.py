"""Officers run the civic lottery by post: upload the council's address file, draw addresses by
ward from a recorded seed, and download the letters (PDF) and the mailing house's file (CSV).
The panel's overview shows the response by ward (``panels.letters.response_by_ward``)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.i18n import gettext
from common.text import whole_number
from common.uploads import MAX_UPLOAD_BYTES, UploadError, upload_text
from panels import letter_post
from panels import letters as letter_store
from panels.address_file import AddressFileError
from panels.letter_draw import format_ward_weights, parse_ward_weights
from panels.mailing import mailing_csv
from panels.tables import Panel
from panels.wards import BOROUGH_WARDS
from server.audit import record_audit
from server.controllers.panels.officer import _panel_or_404
from server.services.invitation_letters import batch_letters_pdf, send_letters
from server.web.forms import UploadData
from server.web.guards import OFFICER, roles
from server.web.request_info import absolute_link, client_ip
from server.web.responses import download

MAX_ADULTS_PER_LETTER = 6


def check_draw_form(values: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The number of letters, seed, ward weights and adults per letter, or a message per field."""
    errors: dict[str, str] = {}
    letters = whole_number(values.get("letters", ""))
    if letters is None or not 1 <= letters <= 20_000:
        errors["letters"] = gettext("Enter the number of letters as a whole number from 1 to 20,000, like 2000")
    if not values.get("seed", "").strip():
        errors["seed"] = gettext("Enter the seed of the draw, like the numbers of a National Lottery draw")
    elif len(values["seed"]) > 300:
        errors["seed"] = gettext("The seed must be 300 characters or fewer")
    weights, problems = parse_ward_weights(values.get("weights", ""), wards=BOROUGH_WARDS)
    if problems:
        errors["weights"] = " ".join(problems)
    adults = whole_number(values.get("adults", ""))
    if adults is None or not 1 <= adults <= MAX_ADULTS_PER_LETTER:
        errors["adults"] = gettext("Enter how many adults can register with one letter, from 1 to %(most)d",
                                   most=MAX_ADULTS_PER_LETTER)
    if errors:
        return {}, errors
    return {"letters": letters, "seed": values["seed"].strip(), "weights": weights, "adults": adults}, {}


class PanelLettersController(Controller):
    path = "/officer/panels/{panel_id:int}/letters"
    opt = roles(OFFICER)

    async def _page(self, panel: Panel, *, values: dict, errors: dict, problems: list[str] | None = None,
                    status_code: int = 200) -> Template:
        return Template("panels/officer/letters.html", status_code=status_code, context={
            "panel": panel, "values": values, "errors": errors, "problems": problems or [],
            "batches": await letter_store.list_batches(panel.id), "wards": BOROUGH_WARDS,
            "responses": await letter_store.response_by_ward(panel.id)})

    @get("/", name="panels_letters")
    async def letters(self, panel_id: FromPath[int]) -> Template:
        panel = await _panel_or_404(panel_id)
        return await self._page(panel, values={"adults": str(panel.adults_per_letter)}, errors={})

    @post("/", name="panels_letters_draw")
    async def draw(self, request: Request, panel_id: FromPath[int], data: UploadData) -> Template | Redirect:
        """Draw a batch: every problem of the form and the file at once; nothing stored unless all is well."""
        panel = await _panel_or_404(panel_id)
        values = {key: str(value) for key, value in data.items() if key not in ("_csrf_token", "addresses")}
        form, errors = check_draw_form(values)
        problems: list[str] = []
        upload = data.get("addresses")
        raw = b""
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["addresses"] = gettext("Choose the address file (CSV)")
        else:
            raw = await upload.read(MAX_UPLOAD_BYTES + 1)
            try:
                upload_text(raw)
            except UploadError as error:
                errors["addresses"] = str(error)
        if errors:
            return await self._page(panel, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        if panel.adults_per_letter != form["adults"]:
            await Panel.update({Panel.adults_per_letter: form["adults"]}).where(Panel.id == panel.id).run()
            panel.adults_per_letter = form["adults"]
        try:
            sent = await send_letters(panel=panel, address_file=raw, letters=form["letters"], seed=form["seed"],
                                      weights=form["weights"], actor=request.user.email)
        except AddressFileError as error:
            problems = [str(problem) for problem in error.problems]
            errors["addresses"] = gettext("The address file has %(count)d problems; no letters were drawn. Correct them and upload it again",
                                          count=len(problems)) if len(problems) > 1 else problems[0]
            return await self._page(panel, values=values, errors=errors, problems=problems if len(problems) > 1 else [],
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        except ValueError:
            errors["letters"] = gettext("The address file has too few addresses for %(letters)d letters", letters=form["letters"])
            return await self._page(panel, values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        return Redirect(path=request.app.route_reverse("panels_letters_batch", panel_id=panel.id, batch_id=sent.batch_id)
                        + "?drawn=1", status_code=303)

    @get("/{batch_id:int}", name="panels_letters_batch")
    async def batch(self, request: Request, panel_id: FromPath[int], batch_id: FromPath[int], drawn: FromQuery[str] = "",
                    queued: FromQuery[int | None] = None) -> Template:
        panel = await _panel_or_404(panel_id)
        batch = next((item for item in await letter_store.list_batches(panel.id) if item["id"] == batch_id), None)
        if batch is None:
            raise NotFoundException()
        posts = request.app.state.settings.posts_letters
        return Template("panels/officer/letter_batch.html", context={
            "panel": panel, "batch": batch, "drawn": drawn == "1", "weights": format_ward_weights(batch["weights"]),
            "post": await letter_post.post_status(batch_id) if posts else None, "queued": queued})

    @post("/{batch_id:int}/post", name="panels_letters_post")
    async def post_by_notify(self, request: Request, panel_id: FromPath[int], batch_id: FromPath[int]) -> Redirect:
        """Ask GOV.UK Notify to print and post the batch's letters (the sender sends them in the background)."""
        panel = await _panel_or_404(panel_id)
        if not request.app.state.settings.posts_letters:
            raise NotFoundException()
        added = await letter_post.request_post(panel_id=panel.id, batch_id=batch_id, now=datetime.now(timezone.utc))
        if added is None:
            raise NotFoundException()
        await record_audit(actor=request.user.email, action="letters_sent_to_notify", object_type="panel", object_id=panel.id,
                           detail=f"batch {batch_id}: {added} letters", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("panels_letters_batch", panel_id=panel.id, batch_id=batch_id)
                        + f"?queued={added}", status_code=303)

    async def _letters(self, panel: Panel, batch_id: int):
        letters = await letter_store.batch_letters(panel.id, batch_id)
        if letters is None:
            raise NotFoundException()
        return letters

    @get("/{batch_id:int}/letters.pdf", name="panels_letters_pdf")
    async def letters_pdf(self, request: Request, panel_id: FromPath[int], batch_id: FromPath[int]) -> Response:
        panel = await _panel_or_404(panel_id)
        letters = await self._letters(panel, batch_id)
        pdf = await batch_letters_pdf(panel=panel, letters=letters, council=request.app.state.settings.council_name,
                                      register_url=absolute_link(request, "panel_public", slug=panel.slug), today=date.today())
        await record_audit(actor=request.user.email, action="letters_downloaded", object_type="panel", object_id=panel.id,
                           detail=f"batch {batch_id}: letters.pdf", ip_address=client_ip(request))
        return download(pdf, media_type="application/pdf", filename=f"{panel.slug}-letters-{batch_id}.pdf",
                        headers={"cache-control": "no-store"})

    @get("/{batch_id:int}/mailing.csv", name="panels_letters_mailing")
    async def mailing(self, request: Request, panel_id: FromPath[int], batch_id: FromPath[int]) -> Response:
        panel = await _panel_or_404(panel_id)
        letters = await self._letters(panel, batch_id)
        await record_audit(actor=request.user.email, action="letters_downloaded", object_type="panel", object_id=panel.id,
                           detail=f"batch {batch_id}: mailing.csv", ip_address=client_ip(request))
        return download(mailing_csv(letters), media_type="text/csv; charset=utf-8",
                        filename=f"{panel.slug}-mailing-{batch_id}.csv", headers={"cache-control": "no-store"})
