"""Residents' side of consultations: the hub, consultation pages, case studies and their comments,
reporting a comment, the author's private link, and the house rules."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_429_TOO_MANY_REQUESTS
from markupsafe import Markup

from common.clock import council_today
from common.i18n import active_locale

from analysis.charter.links import principles_for_case_study, principles_for_consultation
from analysis.charter.reviews import published_reviews_of_case_study
from server.web.forms import FormData
from server.web.fragment_cache import FragmentCache
from server.controllers.your_data.links import link_not_working
from server.web.guards import public
from server.web.page_cache import page_cache_opt
from server.web.request_info import client_ip, private_link_builder
from server.services.outbox import write_outbox
from server.services.send_limits import claim_send
from surveys import comments
from surveys.case_studies import get_case_study, list_case_studies
from analysis.reports.store import has_published_report, latest_published_versions
from analysis.translations.reading import facts_in_english, shown_case_study, shown_consultation_page
from surveys.consultations import get_consultation, list_consultations
from surveys.house_rules import HOUSE_RULES
from surveys.markdown import render_markdown

COMMENT_LISTS = FragmentCache()
"""Each worker's rendered comment lists, keyed by the comments themselves (so never stale)."""
HONEYPOT_FIELD = "website"
"""Hidden from people (and from assistive technology); a bot that fills it is told "thank you"
and nothing is stored."""


def address_hash(request: Request) -> str:
    return comments.hash_address(client_ip(request), request.app.state.settings.secret_key)


class ConsultationsPublicController(Controller):
    opt = public()

    @get("/consultations", name="consultation_hub", opt=page_cache_opt())
    async def hub(self, request: Request) -> Template:
        consultations = await list_consultations(date.today(), audience="public")
        groups = {status: [item for item in consultations if item.status == status] for status in ("open", "upcoming", "closed")}
        published = await latest_published_versions()
        reports = {item.slug: request.app.route_reverse("report_public", slug=item.slug) if item.slug in published else None
                   for item in groups["closed"]}
        return Template("surveys/hub.html", context={"groups": groups, "reports": reports,
                                                     "case_studies": await list_case_studies(published_only=True)})

    @get("/consultations/{slug:str}", name="consultation_page", opt=page_cache_opt())
    async def consultation(self, request: Request, slug: FromPath[str]) -> Template:
        consultation = await get_consultation(slug, date.today())
        if consultation is None:
            raise NotFoundException()
        consultation, shown = await shown_consultation_page(consultation, active_locale.get())
        return Template("surveys/consultation.html", context={
            "consultation": consultation, "body_html": Markup(render_markdown(consultation.body)), "content_shown": shown,
            "report_url": request.app.route_reverse("report_public", slug=slug) if await has_published_report(slug) else None,
            "principles": await principles_for_consultation(consultation.id)})

    async def _case_study_page(self, request: Request, slug: str, *, order: str = "newest", values: dict | None = None,
                                errors: dict | None = None, status_code: int = 200) -> Template:
        study = await get_case_study(slug, published_only=True)
        if study is None:
            raise NotFoundException()
        study, shown = await shown_case_study(study, active_locale.get())
        order = "oldest" if order == "oldest" else "newest"
        thread = await comments.published_comments(study.id, newest_first=order == "newest")
        values = dict(values or {})
        reply_to = None
        if errors and values.get("parent_id"):  # the failed form was a reply: show it under its comment
            if int(values["parent_id"]) in {item.id for item in thread if not item.erased}:
                reply_to = int(values["parent_id"])
            else:  # that comment is no longer shown: keep the text in the form for a new comment
                values["parent_id"] = ""
        comment_list_html = None
        if thread and reply_to is None:  # a failed reply's form (with the visitor's text) is never cached
            key = COMMENT_LISTS.key(active_locale.get(), study.slug, study.comments_open, thread)
            comment_list_html = COMMENT_LISTS.get_or_render(key, lambda: request.app.template_engine.get_template(
                "surveys/_comment_list.html").render(study=study, comments=thread, failed_reply=None))
        return Template("surveys/case_study.html", context={
            "study": study, "body_html": Markup(render_markdown(study.body)), "comments": thread,
            "content_shown": shown, "facts_in_english": facts_in_english(study, shown),
            "comment_list_html": comment_list_html,
            "order": order, "values": values, "errors": errors or {}, "reply_to": reply_to,
            "reported": request.query_params.get("reported") == "1",
            "principles": await principles_for_case_study(study.id),
            "panel_reviews": await published_reviews_of_case_study(study.id, today=council_today()),
        }, status_code=status_code)

    @get("/case-studies/{slug:str}", name="case_study_page", opt=page_cache_opt())
    async def case_study(self, request: Request, slug: FromPath[str], order: FromQuery[str] = "newest") -> Template:
        return await self._case_study_page(request, slug, order=order)

    @get("/case-studies", name="case_study_list")
    async def case_studies(self, request: Request) -> Redirect:
        return Redirect(path=request.app.route_reverse("consultation_hub") + "#case-studies", status_code=303)

    @post("/case-studies/{slug:str}/comments", name="case_study_comment")
    async def post_comment(self, request: HTMXRequest, slug: FromPath[str], data: FormData) -> Template:
        study = await get_case_study(slug, published_only=True)
        if study is None:
            raise NotFoundException()
        values, errors = comments.check_comment_form(data)
        reply_to = int(values["parent_id"]) if values["parent_id"] else None
        if str(data.get(HONEYPOT_FIELD, "")).strip():
            return self._received(request, study, token=None, published=False, reply_to=reply_to)
        status_code = HTTP_422_UNPROCESSABLE_ENTITY
        if not errors and values["email"]:  # the notice goes to a typed address: counted like the other forms
            settings = request.app.state.settings
            limit = await claim_send(settings=settings, client_address=client_ip(request), recipient=values["email"])
            if limit is not None:
                errors = {"email": limit.message(settings)}
                status_code = HTTP_429_TOO_MANY_REQUESTS
        if not errors:
            try:
                posted = await comments.post_comment(case_study_slug=slug, values=values, ip_hash=address_hash(request),
                                                     private_link=private_link_builder(request, "comment_author_page"))
            except comments.CommentError as error:
                errors = error.errors
                if error.rate_limited and not request.htmx:
                    status_code = HTTP_429_TOO_MANY_REQUESTS
            else:
                await write_outbox([posted.notice])
                return self._received(request, study, token=posted.token, published=posted.published, reply_to=reply_to)
        if request.htmx:
            return Template("surveys/_comment_form.html", context={"study": study, "values": values, "errors": errors,
                                                                   "reply_to": reply_to},
                            status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        return await self._case_study_page(request, slug, values=values, errors=errors, status_code=status_code)

    def _received(self, request: HTMXRequest, study, *, token: str | None, published: bool,
                  reply_to: int | None = None) -> Template:
        context = {"study": study, "token": token, "published": published, "values": {}, "errors": {},
                   "site_url": request.app.state.settings.site_url, "reply_to": reply_to}
        return Template("surveys/_comment_form.html" if request.htmx else "surveys/comment_received.html", context=context)

    async def _study_and_comment(self, slug: str, comment_id: int, *, replies: bool = False):
        """A published case study and one of its shown comments, or 404: top-level only (the
        comments one can reply to), or with ``replies`` also the replies (those one can report)."""
        study = await get_case_study(slug, published_only=True)
        if study is None:
            raise NotFoundException()
        comment = await comments.shown_comment(study.id, comment_id, replies=replies)
        if comment is None:
            raise NotFoundException()
        return study, comment

    @get("/case-studies/{slug:str}/comments/{comment_id:int}/reply", name="case_study_reply_form")
    async def reply_form(self, request: HTMXRequest, slug: FromPath[str], comment_id: FromPath[int]) -> Template:
        """The reply form for one comment: swapped in under it by htmx, or a page of its own without
        JavaScript (so the case study page does not carry a form for every comment)."""
        study, comment = await self._study_and_comment(slug, comment_id)
        if not study.comments_open:
            raise NotFoundException()
        context = {"study": study, "comment": comment, "values": {}, "errors": {}, "reply_to": comment.id}
        return Template("surveys/_comment_form.html" if request.htmx else "surveys/reply.html", context=context)

    @get("/comments/{comment_id:int}/report", name="comment_report_form")
    async def report_form(self, request: HTMXRequest, comment_id: FromPath[int], case_study: FromQuery[str] = "") -> Template:
        """Asks the resident to confirm a report: inline with htmx, or a page of its own."""
        study, comment = await self._study_and_comment(case_study, comment_id, replies=True)
        return Template("surveys/_report_form.html" if request.htmx else "surveys/report.html",
                        context={"study": study, "comment": comment})

    @post("/comments/{comment_id:int}/report", name="comment_report")
    async def report(self, request: HTMXRequest, comment_id: FromPath[int], data: FormData) -> Template | Redirect:
        await comments.report_comment(comment_id=comment_id, reporter_hash=address_hash(request))
        if request.htmx:
            return Template("surveys/_reported.html")
        slug = str(data.get("case_study", ""))
        target = (request.app.route_reverse("case_study_page", slug=slug) + "?reported=1" if slug.replace("-", "").isalnum()
                  else request.app.route_reverse("consultation_hub"))
        return Redirect(path=target, status_code=303)

    @get("/my/comments/{token:str}", name="comment_author_page")
    async def author_page(self, request: Request, token: FromPath[str]) -> Template:
        view = await comments.comment_for_author(token, idle_days=request.app.state.settings.private_link_idle_days)
        if view is None:
            return link_not_working(request)
        return Template("surveys/my_comment.html", context={"view": view, "state_words": comments.STATE_WORDS,
                                                             "token": token})

    @get("/house-rules", name="house_rules", opt=page_cache_opt())
    async def house_rules(self) -> Template:
        return Template("surveys/house_rules.html", context={"rules": HOUSE_RULES})
