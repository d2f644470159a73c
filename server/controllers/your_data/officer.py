"""Officers answering a resident's request about their data by email address: find everything held
(a subject access request), export the same bundle the resident can download, or erase it when
the resident asks by phone or letter. Every search, export and erasure is audited with its reason.

Forms are POSTed, so an email address never appears in a URL (and so in server logs)."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, get, post
from litestar.response import Response, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from common.emails import clean_email, normalise_email
from common.i18n import gettext
from server.audit import record_audit
from server.web.forms import FormData
from server.web.guards import OFFICER, roles
from server.services.personal_data import bundle_csv, bundle_for_email, bundle_json, erase_bundle
from server.web.request_info import client_ip
from server.web.responses import download

MAX_REASON = 500


def check_request(data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {"email": str(data.get("email", "")).strip(), "reason": str(data.get("reason", "")).strip()}
    errors: dict[str, str] = {}
    if not values["email"]:
        errors["email"] = gettext("Enter the resident's email address")
    elif clean_email(values["email"]) is None:
        errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
    if not values["reason"]:
        errors["reason"] = gettext("Enter why you are looking, such as the request's reference")
    elif len(values["reason"]) > MAX_REASON:
        errors["reason"] = gettext("The reason must be %(limit)d characters or fewer", limit=MAX_REASON)
    return values, errors


class PersonalDataOfficerController(Controller):
    path = "/officer/personal-data"
    opt = roles(OFFICER)

    def _page(self, *, values: dict, errors: dict, bundle=None, notice: str = "", status_code: int = 200) -> Template:
        return Template("your_data/officer.html", context={"values": values, "errors": errors, "bundle": bundle,
                                                           "notice": notice}, status_code=status_code)

    @get("/", name="personal_data_officer")
    async def form(self) -> Template:
        return self._page(values={}, errors={})

    @post("/", name="personal_data_officer_search")
    async def search(self, request: Request, data: FormData) -> Template:
        values, errors = check_request(data)
        if errors:
            return self._page(values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        bundle = await bundle_for_email(values["email"])
        await record_audit(actor=request.user.email, action="subject_access_search", object_type="email",
                           object_id=normalise_email(values["email"])[:120], detail=f"{len(bundle.records())} record(s) found",
                           reason=values["reason"], ip_address=client_ip(request))
        return self._page(values=values, errors={}, bundle=bundle)

    @post("/export", name="personal_data_officer_export")
    async def export(self, request: Request, data: FormData) -> Template | Response:
        values, errors = check_request(data)
        file_format = "csv" if str(data.get("format", "")) == "csv" else "json"
        if errors:
            return self._page(values=values, errors=errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        bundle = await bundle_for_email(values["email"])
        await record_audit(actor=request.user.email, action="subject_access_exported", object_type="email",
                           object_id=normalise_email(values["email"])[:120],
                           detail=f"{len(bundle.records())} record(s) as {file_format.upper()}",
                           reason=values["reason"], ip_address=client_ip(request))
        if file_format == "csv":
            return download(bundle_csv(bundle), media_type="text/csv; charset=utf-8", filename="subject-access.csv",
                            headers={"cache-control": "no-store"})
        return download(bundle_json(bundle, council_name=request.app.state.settings.council_name,
                                    generated_at=datetime.now(timezone.utc)),
                        media_type="application/json", filename="subject-access.json", headers={"cache-control": "no-store"})

    @post("/erase", name="personal_data_officer_erase")
    async def erase(self, request: Request, data: FormData) -> Template:
        values, errors = check_request(data)
        if not errors and str(data.get("confirm", "")) != "yes":
            errors["confirm"] = gettext("Tick the box to confirm the resident asked for their information to be erased")
        bundle = None if errors and "email" in errors else await bundle_for_email(values["email"])
        if errors:
            return self._page(values=values, errors=errors, bundle=bundle, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        summary = await erase_bundle(bundle, data_dir=request.app.state.settings.data_dir)
        request.app.state.page_store.clear()  # no kept page may show what was erased
        await record_audit(actor=request.user.email, action="personal_data_erased", object_type="email",
                           object_id=normalise_email(values["email"])[:120], detail=summary.describe(),
                           reason=values["reason"], ip_address=client_ip(request))
        return self._page(values={}, errors={}, notice=summary.notice())
