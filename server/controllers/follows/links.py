"""The site's addresses a follower's emails carry, and queueing those emails, for the controllers
that tell followers and for the app's background check."""

from __future__ import annotations

from litestar import Litestar, Request
from litestar.connection import ASGIConnection

from server.audit import record_audit
from server.services.follows import FollowEmail, FollowLinks, Subject
from server.services.outbox import write_outbox
from server.web.request_info import client_ip


def app_follow_links(app: Litestar) -> FollowLinks:
    """Confirmation, stop and page links on ``SITE_URL`` (never the Host a request came with)."""
    site_url = app.state.settings.site_url
    return FollowLinks(
        confirm=lambda token: site_url + app.route_reverse("follow_confirm", token=token),
        stop=lambda what, record_id, signature: site_url + app.route_reverse(
            "follow_stop", what=what, record_id=record_id, signature=signature),
        page=lambda subject: site_url + page_path(app, subject),
        secret_key=app.state.settings.secret_key)


def follow_links(connection: ASGIConnection) -> FollowLinks:
    return app_follow_links(connection.app)


def page_path(app: Litestar, subject: Subject) -> str:
    return app.route_reverse(subject.route, **subject.params) + subject.fragment


async def queue_for_followers(emails: list[FollowEmail], *, actor: str, object_type: str, object_id: object,
                              ip_address: str = "") -> None:
    """Queue the emails telling followers, and note how many went in the audit log (never to whom)."""
    if not emails:
        return
    await write_outbox(emails)
    await record_audit(actor=actor, action="followers_told", object_type=object_type, object_id=object_id,
                       detail=f"{len(emails)} email(s)", ip_address=ip_address)


async def send_to_followers(request: Request, emails: list[FollowEmail], *, object_type: str, object_id: object) -> None:
    """``queue_for_followers`` for an officer's action."""
    await queue_for_followers(emails, actor=request.user.email, object_type=object_type, object_id=object_id,
                              ip_address=client_ip(request))


async def queue_vote_announcements(emails: list[FollowEmail]) -> None:
    """What the background check found to send (votes that ran to their last day)."""
    await queue_for_followers(emails, actor="system", object_type="panel_vote", object_id="ended")
