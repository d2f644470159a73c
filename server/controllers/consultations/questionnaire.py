"""A resident answering a questionnaire, GOV.UK style: a page per section (with follow-up pages,
``?part=2``, for questions that depend on an answer in the same section; routed: pages that do not
apply are skipped, see ``surveys.routing``) with progress and back links, an error summary, "check your answers" with change links, submit, and a confirmation
with a reference. Also the printable paper copy.

Answers in progress live in the signed, encrypted session cookie (no accounts, any worker). The
idempotency key made when the resident starts travels in the session and in the submit form, so
a double submit finds the first response instead of creating a second.

A panel-only consultation is answered by confirmed Resident Panel members: their private link
(``?member=TOKEN`` on the start page) puts the right to answer into the session, and their
response's idempotency key is derived from the consultation and the member
(``server.services.member_consultations``), so each member has one response. A member who has
answered finds their answers filled in and may change them until the consultation closes: the
stored response keeps its reference and has its answers replaced.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timezone

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
)

from common.i18n import active_locale, gettext
from common.text import whole_number
from common.tokens import hash_token
from common.uploads import UploadError
from server.web.guards import public
from server.services.member_consultations import confirmed_member, member_response_key
from server.services.outbox import write_outbox
from server.services.send_limits import claim_send
from server.web.request_info import absolute_link, client_ip
from server.web.uploads import read_upload_bytes
from analysis.translations.reading import shown_consultation
from surveys.consultations import ConsultationView, consultation_and_questionnaire
from surveys.questionnaire_translation import ShownQuestionnaire
from surveys.progress import record_progress
from surveys.questionnaire import (
    Questionnaire, answers_as_raw, raw_from_form, validate_answers, validate_questions,
)
from surveys.responses import (
    about_response, answers_for_idempotency_key, is_idempotency_key, new_idempotency_key, reference_for_idempotency_key,
    submit_response,
)
from surveys.personal_data import CONTACT_CONSENT_TEXT, check_contact_email
from surveys.routing import Page, applying_questions, find_page, next_page, page_of, route
from surveys.response_files import attach_files, store_pending_file
from surveys.saved_answers import forget_saved_after_submit, resume_saved, save_for_later
from surveys.comments import EmailNotice


def _state_key(slug: str) -> str:
    return f"q:{slug}"


def _done_key(slug: str) -> str:
    return f"done:{slug}"


def _member_key(slug: str) -> str:
    return f"member:{slug}"


def _changed_key(slug: str) -> str:
    return f"changed:{slug}"


def _link_key(slug: str) -> str:
    return f"link:{slug}"


def answers_copy_email(consultation: ConsultationView, shown: ShownQuestionnaire, answers: dict, *,
                       to_address: str, reference: str, link: str, response_id: int = 0) -> EmailNotice:
    """The copy of their answers a respondent asked for, with their private link, in the words
    they read the questionnaire in (a translation's, options included, where there is one)."""
    lines = [f"{question.text}\n  {shown.answer_text(answers[question.key], question)}"
             for question in shown.questionnaire.questions() if question.key in answers]
    return EmailNotice(
        to_address=to_address, about=about_response(response_id) if response_id else "",
        subject=gettext("Your answers to ‘%(title)s’ (%(reference)s)", title=consultation.title, reference=reference),
        body=(gettext("Thank you for answering ‘%(title)s’. Your reference is %(reference)s.", title=consultation.title,
                      reference=reference)
              + "\n\n" + "\n".join(lines) + "\n\n"
              + gettext("We will tell you when the results are published. See your information, correct your email "
                        "or remove it at any time with your private link (keep it to yourself):")
              + f"\n{link}\n"))


def page_path(request: Request, slug: str, page: Page, *, from_check: bool = False) -> str:
    """The address of a page of the questionnaire (a follow-up page has its part)."""
    query = [f"part={page.part}"] if page.part > 1 else []
    query += ["from=check"] if from_check else []
    path = request.app.route_reverse("questionnaire_page", slug=slug, number=page.number)
    return path + ("?" + "&".join(query) if query else "")


def _part(value: object) -> int:
    number = whole_number(value or "1")
    return number if number is not None and number < 1000 else 0


def section_position(questionnaire: Questionnaire, answers: dict[str, object], page: Page) -> tuple[int, int]:
    """"Section 2 of 4": the page's section among the sections on the resident's route."""
    sections = sorted({shown.section_index for shown in route(questionnaire, answers)} | {page.section_index})
    return sections.index(page.section_index) + 1, len(sections)


PRINTS_ANY_QUESTIONNAIRE = ("officer", "admin")


class QuestionnaireFlowController(Controller):
    path = "/consultations/{slug:str}"
    opt = public()

    async def _load(self, slug: str, *,
                    include_drafts: bool = False) -> tuple[ConsultationView, Questionnaire, ShownQuestionnaire]:
        """The consultation and its questionnaire, or 404 (a draft is not there for residents),
        in the request's language where officers translated them. The questionnaire returned has
        the translated words and the English option labels, which answers are stored by;
        ``ShownQuestionnaire`` has the words shown for each option."""
        found = await consultation_and_questionnaire(slug, date.today(), include_drafts=include_drafts)
        if found is None or not found[1].questions():
            raise NotFoundException()
        consultation, shown = await shown_consultation(found[0], found[1], active_locale.get())
        return consultation, shown.questionnaire, shown

    def _not_accepting(self, request: Request, consultation: ConsultationView, *, status_code: int = 200) -> Template | None:
        """The page to show instead of the questionnaire: closed or not yet open (``status_code``),
        or panel-only without a member's right to answer (403)."""
        if consultation.status != "open":
            return Template("surveys/questionnaire_closed.html", context={"consultation": consultation},
                            status_code=status_code)
        if consultation.audience == "panel" and not self._member(request, consultation.slug):
            return self._members_only(consultation, refused_link=False)
        return None

    def _members_only(self, consultation: ConsultationView, *, refused_link: bool) -> Template:
        return Template("surveys/questionnaire_closed.html", context={"consultation": consultation,
                                                                      "refused_link": refused_link},
                        status_code=HTTP_403_FORBIDDEN)

    def _member(self, request: Request, slug: str) -> dict | None:
        """The member's right to answer this consultation, from their private link: the token (to
        check again on submit) and their response's idempotency key."""
        member = request.session.get(_member_key(slug))
        return member if isinstance(member, dict) and member.get("token") and member.get("key") else None

    async def _state(self, request: Request, slug: str) -> dict:
        """The answers in progress and the response's idempotency key. A panel member who has
        already answered starts from the answers stored (``changing`` holds their reference): they
        may change them until the consultation closes."""
        state = request.session.get(_state_key(slug))
        member = self._member(request, slug)
        if not isinstance(state, dict) or "key" not in state:
            state = {"key": new_idempotency_key(), "answers": {}}
            if member:
                stored = await answers_for_idempotency_key(member["key"])
                if stored is not None:
                    state = {"key": member["key"], "answers": stored.answers, "changing": stored.reference}
        if member:  # one response per member, whatever the session held before
            state["key"] = member["key"]
        return state

    def _save_state(self, request: Request, slug: str, state: dict) -> None:
        request.session[_state_key(slug)] = state

    @get("/questionnaire", name="questionnaire_start")
    async def start(self, request: Request, slug: FromPath[str], member: FromQuery[str] = "") -> Template | Redirect:
        consultation, questionnaire, shown = await self._load(slug)
        if member and consultation.audience == "panel" and consultation.status == "open":
            volunteer = await confirmed_member(member)
            if volunteer is None:
                request.session.pop(_member_key(slug), None)
                return self._members_only(consultation, refused_link=True)
            key = member_response_key(secret_key=request.app.state.settings.secret_key,
                                      consultation_id=consultation.id, member_reference=volunteer.reference)
            if self._member(request, slug) != {"token": member, "key": key}:
                request.session.pop(_state_key(slug), None)  # start again from what this member has sent
            request.session[_member_key(slug)] = {"token": member, "key": key}
        closed = self._not_accepting(request, consultation)
        if closed:
            return closed
        state = await self._state(request, slug)
        self._save_state(request, slug, state)
        first = route(questionnaire, state["answers"])[0]
        return Redirect(path=page_path(request, slug, first), status_code=303)

    def _page(self, request: Request, consultation: ConsultationView, shown: ShownQuestionnaire, page: Page,
              answers: dict,
              *, raw: dict | None = None, errors: dict | None = None, from_check: bool = False,
              changing: str = "", status_code: int = 200) -> Template:
        questionnaire = shown.questionnaire
        section = questionnaire.sections[page.section_index]
        position, total = section_position(questionnaire, answers, page)
        earlier = [shown for shown in route(questionnaire, answers) if shown.position < page.position]
        reverse = request.app.route_reverse
        back = (reverse("questionnaire_check", slug=consultation.slug) if from_check else
                page_path(request, consultation.slug, earlier[-1]) if earlier else
                reverse("consultation_page", slug=consultation.slug))
        return Template("surveys/questionnaire_page.html", context={
            "consultation": consultation, "section": section, "number": page.number, "part": page.part,
            "questions": applying_questions(page, answers, questionnaire),
            "position": position, "total": total, "back": back, "from_check": from_check,
            "raw": raw if raw is not None else answers_as_raw(answers, questionnaire), "errors": errors or {},
            "questionnaire": questionnaire, "changing": changing, "can_save": self._can_save(consultation),
            "content_shown": shown.overlay, "option_labels": shown.option_labels, "english_questions": shown.english,
        }, status_code=status_code)

    @get("/questionnaire/{number:int}", name="questionnaire_page")
    async def page(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Template | Redirect:
        consultation, questionnaire, shown = await self._load(slug)
        closed = self._not_accepting(request, consultation)
        if closed:
            return closed
        page = find_page(questionnaire, number, _part(request.query_params.get("part")))
        if page is None:
            raise NotFoundException()
        state = await self._state(request, slug)
        self._save_state(request, slug, state)
        if not applying_questions(page, state["answers"], questionnaire):  # not on this resident's route
            following = next_page(questionnaire, state["answers"], page.position)
            return Redirect(path=page_path(request, slug, following) if following
                            else request.app.route_reverse("questionnaire_check", slug=slug), status_code=303)
        return self._page(request, consultation, shown, page, state["answers"],
                          from_check=request.query_params.get("from") == "check", changing=state.get("changing", ""))

    @post("/questionnaire/{number:int}", name="questionnaire_page_answer")
    async def answer(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Template | Redirect:
        consultation, questionnaire, shown = await self._load(slug)
        closed = self._not_accepting(request, consultation, status_code=HTTP_409_CONFLICT)
        if closed:
            return closed
        form = await request.form()
        page = find_page(questionnaire, number, _part(form.get("part")))
        if page is None:
            raise NotFoundException()
        raw = raw_from_form(list(page.questions), lambda name: form.getall(name, []))
        state = await self._state(request, slug)
        file_errors = await self._store_files(request, consultation, page, form, raw, state)
        earlier = {key: value for key, value in state["answers"].items()
                   if all(question.key != key for question in page.questions)}
        answers, errors = validate_questions(questionnaire, list(page.questions), raw, earlier)
        errors = {**errors, **file_errors}
        for key in file_errors:
            answers.pop(key, None)
        if page.part > 1 and not applying_questions(page, earlier, questionnaire):
            answers, errors = {}, {}  # a follow-up page that no longer applies asks nothing
        from_check = str(form.get("from", "")) == "check"
        if str(form.get("save_later", "")) and self._can_save(consultation):
            # Keep what is answerable so far (an answer with a mistake is left for later) and ask
            # where to send the link.
            state["answers"] = {**earlier, **answers}
            state["furthest"] = max(state.get("furthest", 0), number if not errors else number - 1)
            state["resume_at"] = number
            self._save_state(request, slug, state)
            return Redirect(path=request.app.route_reverse("questionnaire_save", slug=slug), status_code=303)
        if errors:
            return self._page(request, consultation, shown, page, {**earlier, **answers}, raw=raw, errors=errors,
                              from_check=from_check, changing=state.get("changing", ""),
                              status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        state["answers"] = {**earlier, **answers}
        if number > state.get("furthest", 0):  # the completion rate and where people stop, for officers
            await record_progress(consultation_id=consultation.id, idempotency_key=state["key"],
                                  section_number=page.section_index + 1)
            state["furthest"] = number
        self._save_state(request, slug, state)
        following = next_page(questionnaire, state["answers"], page.position)
        if following is None or (from_check and (following.section_index != page.section_index or any(
                question.key in state["answers"] for question in applying_questions(following, state["answers"], questionnaire)))):
            # From check your answers, back there, unless the answer changed leads to a follow-up
            # page of its section not yet answered: that is asked next
            return Redirect(path=request.app.route_reverse("questionnaire_check", slug=slug), status_code=303)
        return Redirect(path=page_path(request, slug, following, from_check=from_check), status_code=303)

    async def _store_files(self, request: Request, consultation: ConsultationView, page: Page, form, raw: dict,
                           state: dict) -> dict[str, str]:
        """The files chosen on this page, stored at once (pending, under the response's key: see
        ``surveys.response_files``) and put into ``raw`` as their records, and into the answers in
        progress, so a file is not asked for twice when another answer on the page has a mistake.
        A file question left without a new file keeps the file chosen before. Errors by key."""
        errors: dict[str, str] = {}
        for question in page.questions:
            if question.kind != "file":
                continue
            try:
                upload = await read_upload_bytes(form.get(question.key))
                if upload is None:
                    previous = state["answers"].get(question.key)
                    raw[question.key] = answers_as_raw({question.key: previous})[question.key] if previous else []
                    continue
                stored = await store_pending_file(
                    question=question, raw=upload[0], name=upload[1], consultation_id=consultation.id,
                    idempotency_key=state["key"], data_dir=request.app.state.settings.data_dir,
                    now=datetime.now(timezone.utc))
            except UploadError as error:
                errors[question.key] = str(error)
                raw[question.key] = []
                continue
            raw[question.key] = answers_as_raw({question.key: stored})[question.key]
            state["answers"][question.key] = stored
        if any(question.kind == "file" for question in page.questions):
            self._save_state(request, consultation.slug, state)
        return errors

    @get("/check", name="questionnaire_check")
    async def check(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        consultation, questionnaire, shown = await self._load(slug)
        closed = self._not_accepting(request, consultation)
        if closed:
            return closed
        state = await self._state(request, slug)
        answers, errors = validate_answers(questionnaire, answers_as_raw(state["answers"], questionnaire))
        if errors:  # a changed answer can reveal a required question on another page
            first = next(iter(errors))
            return Redirect(path=page_path(request, slug, page_of(questionnaire, first)), status_code=303)
        self._save_state(request, slug, state)
        return self._check_page(consultation, shown, answers, state["key"], changing=state.get("changing", ""))

    def _check_page(self, consultation: ConsultationView, shown: ShownQuestionnaire, answers: dict, key: str, *,
                    values: dict | None = None, errors: dict | None = None, changing: str = "",
                    status_code: int = 200) -> Template:
        questionnaire = shown.questionnaire
        rows: list[tuple[object, list]] = []  # (section, [(question, answer, page)]): only the route taken
        for page in route(questionnaire, answers):
            items = [(question, shown.answer_text(answers.get(question.key), question), page)
                     for question in applying_questions(page, answers, questionnaire)]
            section = questionnaire.sections[page.section_index]
            if rows and rows[-1][0] is section:
                rows[-1][1].extend(items)
            else:
                rows.append((section, items))
        return Template("surveys/questionnaire_check.html", context={
            "consultation": consultation, "rows": rows, "idempotency_key": key, "values": values or {},
            "errors": errors or {}, "contact_consent": CONTACT_CONSENT_TEXT, "changing": changing,
            "content_shown": shown.overlay, "english_questions": shown.english},
            status_code=status_code)

    @post("/submit", name="questionnaire_submit")
    async def submit(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        consultation, questionnaire, shown = await self._load(slug)
        closed = self._not_accepting(request, consultation, status_code=HTTP_409_CONFLICT)
        if closed:
            return closed
        form = await request.form()
        state = await self._state(request, slug)
        member = self._member(request, slug)
        if member and await confirmed_member(member["token"]) is None:  # no longer a member since starting
            request.session.pop(_member_key(slug), None)
            return self._members_only(consultation, refused_link=True)
        sent_key = str(form.get("idempotency_key", ""))
        # The key the check page was drawn with (it outlives the session when the button is pressed
        # twice); one not of our making is ignored, never stored.
        key = member["key"] if member else sent_key if is_idempotency_key(sent_key) else state["key"]
        answers, errors = validate_answers(questionnaire, answers_as_raw(state["answers"], questionnaire))
        if errors or not answers:
            existing = await reference_for_idempotency_key(key)
            if existing:  # the first submit already cleared the answers: this is a repeat
                request.session[_done_key(slug)] = existing
                return Redirect(path=request.app.route_reverse("questionnaire_confirmation", slug=slug), status_code=303)
            return Redirect(path=request.app.route_reverse("questionnaire_check", slug=slug), status_code=303)
        contact_email, email_error = check_contact_email(str(form.get("contact_email", "")), required=False)
        if email_error:
            return self._check_page(consultation, shown, answers, key, values={"contact_email": contact_email},
                                    errors={"contact_email": email_error}, changing=state.get("changing", ""),
                                    status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        # A repeat sends nothing, so counts nothing; a member's changed answers are sent again.
        if contact_email and (member or not await reference_for_idempotency_key(key)):
            settings = request.app.state.settings
            limit = await claim_send(settings=settings, client_address=client_ip(request), recipient=contact_email)
            if limit is not None:
                return self._check_page(consultation, shown, answers, key, values={"contact_email": contact_email},
                                        errors={"contact_email": limit.message(settings)},
                                        changing=state.get("changing", ""), status_code=HTTP_429_TOO_MANY_REQUESTS)
        token = secrets.token_urlsafe(32) if contact_email else ""
        result = await submit_response(consultation_id=consultation.id, answers=answers, channel="online",
                                       idempotency_key=key, contact_email=contact_email,
                                       contact_token_hash=hash_token(token) if token else None,
                                       contact_locale=active_locale.get(), locale=active_locale.get(),
                                       replace=member is not None)
        if result.response_id:
            await attach_files(idempotency_key=key, response_id=result.response_id, answers=answers,
                               data_dir=request.app.state.settings.data_dir)
        await forget_saved_after_submit(key)
        request.session.pop(_state_key(slug), None)
        request.session[_done_key(slug)] = result.reference
        if result.replaced:
            request.session[_changed_key(slug)] = True
        else:
            request.session.pop(_changed_key(slug), None)
        if (result.created or result.replaced) and contact_email:
            link = absolute_link(request, "your_data", token=token)
            await write_outbox([answers_copy_email(consultation, shown, answers, to_address=contact_email,
                                                   reference=result.reference, link=link,
                                                   response_id=result.response_id)])
            request.session[_link_key(slug)] = token
        return Redirect(path=request.app.route_reverse("questionnaire_confirmation", slug=slug), status_code=303)

    @get("/confirmation", name="questionnaire_confirmation")
    async def confirmation(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        consultation, _, _ = await self._load(slug)
        reference = request.session.get(_done_key(slug))
        if not reference:
            return Redirect(path=request.app.route_reverse("consultation_page", slug=slug), status_code=303)
        token = request.session.pop(_link_key(slug), None)  # the private link is shown once
        link = absolute_link(request, "your_data", token=token) if token else ""
        return Template("surveys/questionnaire_done.html", context={
            "consultation": consultation, "reference": reference, "link": link,
            "changed": bool(request.session.get(_changed_key(slug))), "member": self._member(request, slug) is not None})

    @get("/paper", name="questionnaire_paper")
    async def paper(self, request: Request, slug: FromPath[str]) -> Template:
        """The public may print a public questionnaire once it has opened; a panel-only one is for
        members with their link, and officers print any from their own pages (a 404 for the rest,
        as for a consultation that does not exist)."""
        staff = request.scope.get("user")
        consultation, questionnaire, shown = await self._load(
            slug, include_drafts=staff is not None and staff.role in PRINTS_ANY_QUESTIONNAIRE)
        if not (staff is not None and staff.role in PRINTS_ANY_QUESTIONNAIRE):
            if consultation.status == "upcoming" or (consultation.audience != "public" and not self._member(request, slug)):
                raise NotFoundException()
        numbers = {question.key: position for position, question in enumerate(questionnaire.questions(), start=1)}
        return Template("surveys/questionnaire_paper.html", context={
            "consultation": consultation, "questionnaire": questionnaire, "numbers": numbers,
            "postal_address": request.app.state.settings.council_postal_address,
            "content_shown": shown.overlay, "option_labels": shown.option_labels, "english_questions": shown.english})

    # --- Save and come back later ------------------------------------------------------------------

    @staticmethod
    def _can_save(consultation: ConsultationView) -> bool:
        """Residents save part-way through public consultations; panel members already carry on
        with their own private panel link."""
        return consultation.audience == "public" and consultation.status == "open"

    def _save_page(self, request: Request, consultation: ConsultationView, state: dict, *, email: str = "",
                   errors: dict | None = None, saved_until: datetime | None = None, status_code: int = 200) -> Template:
        return Template("surveys/questionnaire_save.html", context={
            "consultation": consultation, "values": {"email": email}, "errors": errors or {},
            "resume_at": int(state.get("resume_at", 1)), "saved_until": saved_until,
            "keep_days": request.app.state.settings.saved_answers_days}, status_code=status_code)

    @get("/questionnaire/save", name="questionnaire_save")
    async def save_form(self, request: Request, slug: FromPath[str]) -> Template:
        consultation, _, _ = await self._load(slug)
        closed = self._not_accepting(request, consultation)
        if closed:
            return closed
        if not self._can_save(consultation):
            raise NotFoundException()
        return self._save_page(request, consultation, await self._state(request, slug))

    @post("/questionnaire/save", name="questionnaire_save_send")
    async def save_send(self, request: Request, slug: FromPath[str]) -> Template:
        consultation, _, _ = await self._load(slug)
        closed = self._not_accepting(request, consultation, status_code=HTTP_409_CONFLICT)
        if closed:
            return closed
        if not self._can_save(consultation):
            raise NotFoundException()
        settings = request.app.state.settings
        form = await request.form()
        state = await self._state(request, slug)
        email, error = check_contact_email(str(form.get("email", "")), required=True)
        if error:
            return self._save_page(request, consultation, state, email=email, status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                                   errors={"email": gettext("Enter your email address, so that we can send you the link")
                                           if not email else gettext("Enter an email address in the correct format, like name@example.com")})
        limit = await claim_send(settings=settings, client_address=client_ip(request), recipient=email)
        if limit is not None:
            return self._save_page(request, consultation, state, email=email, errors={"email": limit.message(settings)},
                                   status_code=HTTP_429_TOO_MANY_REQUESTS)
        saved = await save_for_later(
            consultation_id=consultation.id, consultation_title=consultation.title, email=email,
            idempotency_key=state["key"], answers=state["answers"], furthest_section=int(state.get("furthest", 0)),
            keep_days=settings.saved_answers_days, now=datetime.now(timezone.utc),
            resume_link=lambda token: absolute_link(request, "questionnaire_resume", slug=slug, token=token))
        await write_outbox([saved.email])
        return self._save_page(request, consultation, state, email=email, saved_until=saved.expires_at)

    @get("/resume/{token:str}", name="questionnaire_resume")
    async def resume(self, request: Request, slug: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        """The emailed link: the saved answers go back into this browser's session, and the
        resident carries on where they stopped (or checks their answers when none are missing)."""
        consultation, questionnaire, shown = await self._load(slug)
        closed = self._not_accepting(request, consultation)
        if closed:
            return closed
        resumed = await resume_saved(consultation_id=consultation.id, token=token, now=datetime.now(timezone.utc))
        if resumed is None:
            return Template("surveys/questionnaire_resume_expired.html", context={"consultation": consultation},
                            status_code=HTTP_404_NOT_FOUND)
        state = {"key": resumed.idempotency_key, "answers": resumed.answers, "furthest": resumed.furthest_section}
        self._save_state(request, slug, state)
        following = next_page(questionnaire, resumed.answers, (resumed.furthest_section - 1, 99))
        if following is None:
            return Redirect(path=request.app.route_reverse("questionnaire_check", slug=slug), status_code=303)
        return Redirect(path=page_path(request, slug, following), status_code=303)
