"""Residents' data rights without an account: a private link leads to "Your data", where they see
everything held about them and why, download it (JSON, CSV), correct their contact details,
withdraw from a panel, and erase it; and a form to ask for a new link by email that never says
whether the email is known."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS

from common.emails import clean_email
from common.i18n import gettext
from panels import personal_data as panel_data
from panels.service_records import SERVICE_RECORD_YEARS
from server.audit import count_recent, record_audit
from server.controllers.your_data.links import link_not_working
from server.web.forms import FormData
from server.web.guards import public
from server.services.send_limits import claim_send
from server.services.personal_data import (
    PersonalDataBundle, bundle_csv, bundle_for_token, bundle_json, erase_bundle, hash_token, request_link,
)
from server.web.request_info import client_ip, private_link_builder
from server.web.responses import download
from surveys import personal_data as survey_data

LINK_REQUESTS_PER_ADDRESS = 5
LINK_REQUEST_WINDOW = timedelta(hours=1)


def _subject(token: str) -> str:
    """What the audit log names the resident by: the first characters of their link's hash (the
    token itself is never written down)."""
    return f"private link {hash_token(token)[:12]}"


async def _bundle_or_404(request: Request, token: str) -> PersonalDataBundle:
    bundle = await bundle_for_token(token, idle_days=request.app.state.settings.private_link_idle_days)
    if bundle is None:
        raise NotFoundException("This link does not work: it may have expired, or the information was erased.")
    return bundle


class YourDataController(Controller):
    path = "/your-data"
    opt = public()

    @get("/", name="your_data_request")
    async def request_form(self) -> Template:
        return Template("your_data/request.html", context={"values": {}, "errors": {}})

    @post("/", name="your_data_request_send")
    async def request_send(self, request: Request, data: FormData) -> Template | Redirect:
        email = str(data.get("email", "")).strip()
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = gettext("Enter your email address")
        elif clean_email(email) is None:
            errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
        if errors:
            return Template("your_data/request.html", context={"values": {"email": email}, "errors": errors},
                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        address = client_ip(request)
        since = datetime.now(timezone.utc) - LINK_REQUEST_WINDOW
        if await count_recent(action="data_link_requested", since=since, ip_address=address) >= LINK_REQUESTS_PER_ADDRESS:
            return Template("your_data/request.html", context={"values": {"email": email}, "errors": {
                "email": gettext("You have asked for several links in the last hour. Wait an hour, then try again.")}},
                status_code=HTTP_429_TOO_MANY_REQUESTS)
        settings = request.app.state.settings
        limit = await claim_send(settings=settings, client_address=address, recipient=email)
        if limit is not None:  # counted whether or not the address is known, so the answer reveals nothing
            return Template("your_data/request.html", context={"values": {"email": email}, "errors": {
                "email": limit.message(settings)}}, status_code=HTTP_429_TOO_MANY_REQUESTS)
        email_to_send = await request_link(email=email, private_link=private_link_builder(request, "your_data"),
                                           council_name=settings.council_name)
        if email_to_send is not None:
            await email_to_send.save().run()
        await record_audit(actor="resident", action="data_link_requested", object_type="personal_data",
                           ip_address=address)  # no email and no outcome: the log must not reveal who is known
        return Redirect(path=request.app.route_reverse("your_data_link_sent"), status_code=303)

    @get("/link-sent", name="your_data_link_sent")
    async def link_sent(self) -> Template:
        return Template("your_data/link_sent.html", context={})

    @get("/erased", name="your_data_erased")
    async def erased(self) -> Template:
        return Template("your_data/erased.html", context={})

    @get("/{token:str}", name="your_data")
    async def page(self, request: Request, token: FromPath[str]) -> Template:
        try:
            bundle = await _bundle_or_404(request, token)
        except NotFoundException:
            return link_not_working(request)
        return Template("your_data/page.html", context={"bundle": bundle, "token": token,
                                                        "notice": request.query_params.get("done", "")})

    @get("/{token:str}/download.json", name="your_data_json")
    async def download_json(self, request: Request, token: FromPath[str]) -> Response:
        bundle = await _bundle_or_404(request, token)
        await record_audit(actor="resident", action="personal_data_downloaded", object_type="personal_data",
                           object_id=_subject(token), detail="JSON", ip_address=client_ip(request))
        return download(bundle_json(bundle, council_name=request.app.state.settings.council_name,
                                    generated_at=datetime.now(timezone.utc)),
                        media_type="application/json", filename="your-data.json", headers={"cache-control": "no-store"})

    @get("/{token:str}/download.csv", name="your_data_csv")
    async def download_csv(self, request: Request, token: FromPath[str]) -> Response:
        bundle = await _bundle_or_404(request, token)
        await record_audit(actor="resident", action="personal_data_downloaded", object_type="personal_data",
                           object_id=_subject(token), detail="CSV", ip_address=client_ip(request))
        return download(bundle_csv(bundle), media_type="text/csv; charset=utf-8", filename="your-data.csv",
                        headers={"cache-control": "no-store"})

    # --- rectification -------------------------------------------------------------------------

    def _record(self, bundle: PersonalDataBundle, kind: str, record_id: int):
        records = {"volunteer": {item.volunteer_id: item for item in bundle.volunteers},
                   "comment": {item.comment_id: item for item in bundle.comments},
                   "response": {item.response_id: item for item in bundle.responses if item.contact_email}}
        record = records.get(kind, {}).get(record_id)
        if record is None:  # only records this link reaches
            raise NotFoundException()
        return record

    @staticmethod
    def _values(kind: str, record) -> dict[str, str]:
        if kind == "volunteer":
            return {name: getattr(record, name) for name in ("full_name", "email", "phone", "address", "postcode")}
        if kind == "comment":
            return {"display_name": record.display_name, "email": record.email}
        return {"email": record.contact_email}

    @get("/{token:str}/correct/{kind:str}/{record_id:int}", name="your_data_correct")
    async def correct_form(self, request: Request, token: FromPath[str], kind: FromPath[str],
                           record_id: FromPath[int]) -> Template:
        bundle = await _bundle_or_404(request, token)
        record = self._record(bundle, kind, record_id)
        return Template("your_data/correct.html", context={
            "token": token, "kind": kind, "record": record, "values": self._values(kind, record), "errors": {}})

    @post("/{token:str}/correct/{kind:str}/{record_id:int}", name="your_data_correct_save")
    async def correct_save(self, request: Request, token: FromPath[str], kind: FromPath[str], record_id: FromPath[int],
                           data: FormData) -> Template | Redirect:
        bundle = await _bundle_or_404(request, token)
        record = self._record(bundle, kind, record_id)
        values = {key: str(value) for key, value in data.items() if key != "_csrf_token"}
        if kind == "volunteer":
            errors = await panel_data.correct_volunteer_details(volunteer_id=record_id, data=values)
        elif kind == "comment":
            errors = await survey_data.correct_comment_contact(comment_id=record_id, data=values)
        else:
            errors = await survey_data.correct_response_contact(response_id=record_id, email=values.get("email", ""))
        if errors:
            return Template("your_data/correct.html", context={
                "token": token, "kind": kind, "record": record, "values": values, "errors": errors},
                status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        await record_audit(actor="resident", action="personal_data_corrected", object_type=kind, object_id=record_id,
                           detail=f"fields: {', '.join(sorted(name for name in values if name != 'website'))}",
                           ip_address=client_ip(request))
        idle_days = request.app.state.settings.private_link_idle_days
        if await bundle_for_token(token, idle_days=idle_days) is None:  # a link sent to the old address reaches nothing now
            return Template("your_data/corrected_elsewhere.html", context={})
        return Redirect(path=request.app.route_reverse("your_data", token=token) + "?done=corrected", status_code=303)

    # --- withdrawal and erasure ----------------------------------------------------------------

    @get("/{token:str}/withdraw/{volunteer_id:int}", name="your_data_withdraw")
    async def withdraw_form(self, request: Request, token: FromPath[str], volunteer_id: FromPath[int]) -> Template:
        bundle = await _bundle_or_404(request, token)
        record = self._record(bundle, "volunteer", volunteer_id)
        return Template("your_data/withdraw.html", context={"token": token, "record": record})

    @post("/{token:str}/withdraw/{volunteer_id:int}", name="your_data_withdraw_confirm")
    async def withdraw(self, request: Request, token: FromPath[str], volunteer_id: FromPath[int]) -> Redirect:
        bundle = await _bundle_or_404(request, token)
        record = self._record(bundle, "volunteer", volunteer_id)
        if await panel_data.withdraw_volunteer(volunteer_id=volunteer_id):
            await record_audit(actor="resident", action="panel_withdrawn", object_type="volunteer",
                               object_id=record.reference, detail=f"from {record.status}", ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("your_data", token=token) + "?done=withdrawn", status_code=303)

    @get("/{token:str}/erase", name="your_data_erase")
    async def erase_form(self, request: Request, token: FromPath[str]) -> Template:
        bundle = await _bundle_or_404(request, token)
        return Template("your_data/erase.html", context={"token": token, "bundle": bundle, "errors": {},
                                                         "service_record_years": SERVICE_RECORD_YEARS})

    @post("/{token:str}/erase", name="your_data_erase_confirm")
    async def erase(self, request: Request, token: FromPath[str], data: FormData) -> Template | Redirect:
        bundle = await _bundle_or_404(request, token)
        if str(data.get("confirm", "")) != "yes":
            return Template("your_data/erase.html", context={"token": token, "bundle": bundle, "errors": {
                "confirm": gettext("Tick the box to confirm that you want your information erased")},
                "service_record_years": SERVICE_RECORD_YEARS},
                status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        summary = await erase_bundle(bundle, data_dir=request.app.state.settings.data_dir)
        request.app.state.page_store.clear()  # no kept page may show what was erased
        await record_audit(actor="resident", action="personal_data_erased", object_type="personal_data",
                           object_id=_subject(token), detail=summary.describe(), reason="Erasure asked for by the resident",
                           ip_address=client_ip(request))
        return Redirect(path=request.app.route_reverse("your_data_erased"), status_code=303)
