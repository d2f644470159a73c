"""The site's addresses a follower's emails carry, for the controllers that tell followers."""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection

from server.audit import record_audit
from server.services.follows import FollowEmail, FollowLinks, Subject
from server.services.outbox import write_outbox
from server.web.request_info import absolute_link, client_ip


def follow_links(connection: ASGIConnection) -> FollowLinks:
    """Confirmation, stop and page links on ``SITE_URL`` (never the Host the request came with)."""
    return FollowLinks(
        confirm=lambda token: absolute_link(connection, "follow_confirm", token=token),
        stop=lambda what, record_id, signature: absolute_link(connection, "follow_stop", what=what, record_id=record_id,
                                                              signature=signature),
        page=lambda subject: page_link(connection, subject),
        secret_key=connection.app.state.settings.secret_key)


def page_link(connection: ASGIConnection, subject: Subject) -> str:
    return absolute_link(connection, subject.route, **subject.params) + subject.fragment


async def send_to_followers(request: Request, emails: list[FollowEmail], *, object_type: str, object_id: object) -> None:
    """Queue the emails telling followers, and note how many went in the audit log (never to whom)."""
    if not emails:
        return
    await write_outbox(emails)
    await record_audit(actor=request.user.email if request.scope.get("user") else "system", action="followers_told",
                       object_type=object_type, object_id=object_id, detail=f"{len(emails)} email(s)",
                       ip_address=client_ip(request))
