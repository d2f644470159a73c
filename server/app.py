"""The Litestar application factory: plugins, routes, middleware and lifespan in one place."""

from __future__ import annotations

import asyncio
import hashlib
import sys
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar, Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures.cookie import Cookie
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from common.i18n import active_locale
from server.audit import use_secret
from server.web.assets import SKIP_SESSION, AssetManifest, static_files_handler
from server.services.recruiting import RecruitingLink
from server.controllers.admin.accounts import AdminController
from server.controllers.accounts.sign_in import AuthController
from server.controllers.accounts.own_account import OwnAccountController, SetPasswordController
from server.controllers.accounts.council_sign_in import CouncilSignInController
from server.controllers.accounts.two_factor import TwoFactorAccountController, TwoFactorSignInController
from server.controllers.consultations.case_studies_officer import CaseStudiesOfficerController
from server.controllers.consultations.public import ConsultationsPublicController
from server.controllers.consultations.lifecycle import ConsultationLifecycleController, ResponseSearchController
from server.controllers.consultations.officer import ConsultationsOfficerController
from server.controllers.consultations.responses_officer import ConsultationResponsesController
from server.controllers.consultations.questionnaire import QuestionnaireFlowController
from server.controllers.commitments.cabinet import CommitmentsCabinetController
from server.controllers.commitments.officer import CommitmentsOfficerController
from server.controllers.commitments.public import CommitmentsPublicController
from server.controllers.outbox.admin import OutboxAdminController
from server.controllers.outbox.officer import OutboxController
from server.controllers.panels.officer import PanelOfficerController
from server.controllers.panels.letters_officer import PanelLettersController
from server.controllers.panels.pool_merge_officer import PoolMergeController
from server.controllers.panels.selection_officer import SelectionOfficerController
from server.controllers.panels.wards_officer import PanelWardsController
from server.controllers.panels.chances_officer import PanelChancesController
from server.controllers.panels.cabinet import PanelCabinetController
from server.controllers.panels.facilitator import FacilitatorController
from server.controllers.panels.member_reviews import MemberReviewController
from server.controllers.panels.reviews_officer import PanelReviewsController
from server.controllers.panels.reviews_public import PanelReviewPublicController
from server.controllers.panels.sessions_officer import PanelSessionsController
from server.controllers.panels.session_dates_officer import PanelSessionDatesController
from server.controllers.panels.lifecycle_officer import PanelLifecycleController
from server.controllers.panels.material_files import MemberMaterialController, StaffMaterialController
from server.controllers.panels.members_officer import PanelMembersController
from server.controllers.panels.attendance_officer import PanelAttendanceController
from server.controllers.panels.invitations_officer import PanelInvitationsController
from server.controllers.panels.member_deliberation import MemberDeliberationController
from server.controllers.panels.public import MemberLinkController, PanelPublicController
from server.controllers.panels.recommendations_officer import PanelRecommendationsController
from server.controllers.panels.recommendations_public import PanelRecommendationsPublicController, PanelsApiController
from server.controllers.panels.responses_officer import RecommendationResponseController
from server.controllers.your_data.officer import PersonalDataOfficerController
from server.controllers.site.public import PublicController
from server.controllers.site.language import LanguageController
from server.controllers.admin.languages import LanguagesController
from server.controllers.follows.links import app_follow_links, queue_vote_announcements
from server.controllers.follows.public import FollowController
from server.services.follows import run_announcements_forever
from server.controllers.format_requests.officer import FormatRequestOfficerController
from server.controllers.format_requests.public import FormatRequestPublicController
from server.controllers.translations.officer import TranslationsOfficerController
from server.controllers.admin.retention import RetentionAdminController
from server.controllers.your_data.public import YourDataController
from server.controllers.reports.cabinet import ReportsCabinetController
from server.controllers.reports.coding import ReportCodingController
from server.controllers.reports.easy_read_officer import EasyReadOfficerController
from server.controllers.reports.officer import ReportsOfficerController
from server.controllers.reports.public import ReportsPublicController
from server.controllers.site.staff_home import CabinetHomeController, OfficerHomeController
from server.platform.database import keep_session_state
from server.web.errors import http_exception_handler, internal_error_handler
from server.web.guards import ids_in_range, public, role_guard
from server.platform.letter_sender import run_letter_sender_forever
from server.platform.mailer import run_sender_forever
from server.services.retention import run_purge_forever
from server.services.reminders import run_reminders_forever
from server.web.access_log import install_access_log_filter
from server.web.head_requests import HeadAsGet
from server.web.rendered_files import RenderedFiles
from server.web.request_limits import MAX_BODY_BYTES, MAX_FORM_FIELDS, FormLimitsMiddleware
from server.web.page_cache import CsrfTokens, PageCacheMiddleware, PageStore
from server.web.i18n import SpeakTheRequestsLanguage, available_locales
from server.web.middleware import MalformedInputMiddleware, StaffIdentityMiddleware, add_security_headers
from server.web.sessions import ChangedOnlyCookieConfig
from server.settings import Settings
from server.web.templating import bind_url_for, configure_template_engine
from templates import TEMPLATE_DIR

STATIC_DIR = Path(__file__).resolve().parent / "static"
CSRF_HEADER = "x-csrftoken"

ROUTE_HANDLERS = [
    PublicController,
    LanguageController,
    AuthController,
    OwnAccountController,
    SetPasswordController,
    TwoFactorSignInController,
    CouncilSignInController,
    TwoFactorAccountController,
    OfficerHomeController,
    CabinetHomeController,
    AdminController,
    ConsultationsPublicController,
    CaseStudiesOfficerController,
    ConsultationsOfficerController,
    ConsultationLifecycleController,
    ResponseSearchController,
    ConsultationResponsesController,
    QuestionnaireFlowController,
    CommitmentsPublicController,
    CommitmentsCabinetController,
    CommitmentsOfficerController,
    PanelOfficerController,
    PanelLettersController,
    PoolMergeController,
    SelectionOfficerController,
    PanelWardsController,
    PanelChancesController,
    PanelMembersController,
    PanelAttendanceController,
    PanelInvitationsController,
    PanelCabinetController,
    OutboxController,
    OutboxAdminController,
    PanelPublicController,
    MemberLinkController,
    PanelRecommendationsController,
    RecommendationResponseController,
    MemberDeliberationController,
    FacilitatorController,
    PanelReviewsController,
    MemberReviewController,
    PanelReviewPublicController,
    PanelSessionsController,
    PanelSessionDatesController,
    PanelLifecycleController,
    MemberMaterialController,
    StaffMaterialController,
    PanelRecommendationsPublicController,
    PanelsApiController,
    ReportsOfficerController,
    ReportCodingController,
    EasyReadOfficerController,
    ReportsPublicController,
    ReportsCabinetController,
    YourDataController,
    PersonalDataOfficerController,
    RetentionAdminController,
    FormatRequestPublicController,
    FormatRequestOfficerController,
    TranslationsOfficerController,
    FollowController,
    LanguagesController,
]


def _database_lifespan(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        from piccolo_conf import DB

        pooled = settings.uses_postgres and settings.database_pool_size > 0
        shared_reads = not settings.uses_postgres and settings.database_pool_size > 0
        if pooled:
            await DB.start_connection_pool(max_size=settings.database_pool_size, reset=keep_session_state)
        if shared_reads:
            await DB.start_worker_connections()
        tasks = []
        if settings.sends_email:
            tasks.append(asyncio.create_task(run_sender_forever(settings)))
        if settings.posts_letters:
            site = settings.site_url.rstrip("/")
            tasks.append(asyncio.create_task(run_letter_sender_forever(
                settings, lambda slug: site + app.route_reverse("panel_public", slug=slug))))
        if settings.environment != "test":  # tests purge explicitly, with a clock of their own
            tasks.append(asyncio.create_task(run_purge_forever(settings, after_purge=app.state.page_store.clear)))
            tasks.append(asyncio.create_task(run_announcements_forever(app_follow_links(app), queue_vote_announcements)))
            tasks.append(asyncio.create_task(run_reminders_forever(app)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if pooled:
                await DB.close_connection_pool()
            if shared_reads:
                await DB.close_worker_connections()

    return lifespan


async def _refresh_recruiting_link(request: Request) -> None:
    """The navigation's "Join the Resident Panel" link (looked up at most once a minute)."""
    await request.app.state.recruiting.refresh_if_stale()


def _openapi_config() -> OpenAPIConfig:
    """The schema of the public JSON API only (every page leaves itself out), served as JSON at
    ``/api/schema/openapi.json`` to anyone."""
    return OpenAPIConfig(title="Civic Panel open data", version="1", path="/api/schema",
                         render_plugins=[JsonRenderPlugin()], openapi_router=Router(path="/api/schema", route_handlers=[], opt=public()),
                         description="Resident Panels, their recommendations with the panel's vote, the council's "
                                     "response to each, and the charter commitments they led to, with their status today.")


GIL_SWITCH_INTERVAL_S = 0.0005
"""How long a thread may hold the GIL before another that wants it gets it (CPython's default is
5 ms). Reports, PDFs and selections run in worker threads; with the default, a request on the
event loop waited for many such slices while a large report built."""


def create_app(settings: Settings) -> Litestar:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    use_secret(settings.secret_key)
    secret = hashlib.sha256(settings.secret_key.encode("utf-8")).digest()  # 32 bytes for AES-GCM
    session_config = ChangedOnlyCookieConfig(
        secret=secret,
        key="civicpanel_session",
        max_age=settings.session_max_age_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        exclude_opt_key=SKIP_SESSION,  # static files: see server/web/assets.py
    )
    manifest = AssetManifest(STATIC_DIR)
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="civicpanel_csrf",
        cookie_secure=settings.is_production,
        cookie_samesite="strict",
        header_name=CSRF_HEADER,
    )
    page_store = PageStore(settings.page_cache_seconds)
    locales = available_locales()
    csrf_cookie = Cookie(key=csrf_config.cookie_name, path=csrf_config.cookie_path, secure=csrf_config.cookie_secure,
                         httponly=csrf_config.cookie_httponly, samesite=csrf_config.cookie_samesite,
                         domain=csrf_config.cookie_domain)
    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            static_files_handler(manifest),
        ],
        guards=[role_guard, ids_in_range],
        before_send=[add_security_headers],
        middleware=[
            DefineMiddleware(PageCacheMiddleware, store=page_store, csrf=CsrfTokens(csrf_config.secret, csrf_cookie, CSRF_HEADER),
                             session_cookie=session_config.key, variant=lambda scope: active_locale.get()),  # set by SpeakTheRequestsLanguage
            session_config.middleware,
            StaffIdentityMiddleware(),
            FormLimitsMiddleware(),
            MalformedInputMiddleware(csrf_header=CSRF_HEADER, csrf_cookie="civicpanel_csrf"),
        ],
        request_max_body_size=MAX_BODY_BYTES,
        multipart_form_part_limit=MAX_FORM_FIELDS + 1,
        csrf_config=csrf_config,
        template_config=TemplateConfig(
            directory=TEMPLATE_DIR, engine=JinjaTemplateEngine, engine_callback=configure_template_engine(settings, manifest)
        ),
        plugins=[HTMXPlugin()],
        request_class=HTMXRequest,
        # Level 6: on the small pages drawn per request, setting up the compressor costs more than
        # compressing (level 1 saved nothing measurable); 9 costs ~2x the CPU for ~1% smaller pages.
        # Kept public pages are compressed once, also at 6 (server/web/page_cache.py).
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        exception_handlers={HTTPException: http_exception_handler, Exception: internal_error_handler},
        lifespan=[_database_lifespan(settings)],
        before_request=_refresh_recruiting_link,
        openapi_config=_openapi_config(),
        include_in_schema=False,
        debug=False,
    )
    bind_url_for(app.template_engine, app)
    app.state.page_store = page_store
    forget_database_state(app, settings)
    app.asgi_handler = HeadAsGet(app.asgi_handler)  # before routing: see server/web/head_requests.py
    app.asgi_handler = SpeakTheRequestsLanguage(app.asgi_handler, locales)  # router 404s too
    install_access_log_filter(route.path for route in app.routes)
    return app


def forget_database_state(app: Litestar, settings: Settings) -> None:
    """Start the app's in-memory state afresh: its settings, and everything it keeps about the
    database's contents (kept pages, the recruiting link, rendered PDFs). For an app whose
    database was replaced underneath it: the test suite builds one app and gives it an empty
    database for every test, as building one costs about a second."""
    app.state.settings = settings
    app.state.page_store.clear()
    app.state.recruiting = RecruitingLink()
    app.state.report_pdfs = RenderedFiles()
