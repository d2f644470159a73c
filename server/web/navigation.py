"""The site's navigation: what each audience sees, and which link is the current page.

Public links are for everyone; staff links depend on the role. One place to add a page to the
menus, instead of conditions spread through the base template."""

from __future__ import annotations

from dataclasses import dataclass

from common.i18n import lazy_gettext as _


@dataclass(frozen=True)
class NavLink:
    label: str
    """Translated when drawn (a lazy string), in the language of the request."""
    href: str
    matches: tuple[str, ...] = ()
    """Path prefixes (besides ``href`` itself) for which this link is the current page."""


PANELS_LINK = NavLink(_("Resident Panel"), "/panels")
PUBLIC_LINKS = (
    NavLink(_("Home"), "/"),
    PANELS_LINK,
    NavLink(_("Consultations"), "/consultations", ("/case-studies",)),
    NavLink(_("Commitments"), "/commitments", ("/charter/",)),
)


def public_links(recruiting_slug: str | None = None) -> tuple[NavLink, ...]:
    """The public menu; while a panel is recruiting its link invites residents to join it."""
    if recruiting_slug is None:
        return PUBLIC_LINKS
    join = NavLink(_("Join the Resident Panel"), f"/panels/{recruiting_slug}", ("/panels",))
    return tuple(join if link is PANELS_LINK else link for link in PUBLIC_LINKS)

STAFF_LINKS: dict[str, tuple[NavLink, ...]] = {
    "officer": (
        NavLink(_("Officer home"), "/officer"),
        NavLink(_("Resident panels"), "/officer/panels"),
        NavLink(_("Consultations"), "/officer/consultations"),
        NavLink(_("Case studies"), "/officer/case-studies"),
        NavLink(_("Moderation"), "/officer/moderation"),
        NavLink(_("Commitments"), "/officer/commitments"),
        NavLink(_("Data requests"), "/officer/personal-data"),
        NavLink(_("Format requests"), "/officer/format-requests"),
        NavLink(_("Languages"), "/officer/languages"),
        NavLink(_("Cabinet reports"), "/cabinet"),
    ),
    "facilitator": (
        NavLink(_("Panel sessions"), "/facilitator"),
    ),
    "cabinet": (
        NavLink(_("Cabinet reports"), "/cabinet"),
        NavLink(_("Consultation reports"), "/cabinet/reports"),
    ),
    "admin": (
        NavLink(_("Staff accounts"), "/admin"),
        NavLink(_("Audit log"), "/admin/audit"),
        NavLink(_("Retention"), "/admin/retention"),
        NavLink(_("Failed emails"), "/admin/outbox"),
        NavLink(_("Languages"), "/officer/languages"),
        NavLink(_("Cabinet reports"), "/cabinet"),
    ),
}


def _match_length(link: NavLink, path: str) -> int:
    best = -1
    for prefix in (link.href, *link.matches):
        if path == prefix or (prefix != "/" and path.startswith(prefix.rstrip("/") + "/")):
            best = max(best, len(prefix))
    return best


def current_link(links: tuple[NavLink, ...], path: str) -> NavLink | None:
    """The link whose prefix matches the path most closely, so only one link is current."""
    scored = [(_match_length(link, path), link) for link in links]
    length, link = max(scored, key=lambda pair: pair[0], default=(-1, None))
    return link if length >= 0 else None


def staff_links(role: str) -> tuple[NavLink, ...]:
    return STAFF_LINKS.get(role, ())


def navigation_items(links: tuple[NavLink, ...], path: str) -> list[dict[str, object]]:
    """The links as govukServiceNavigation's ``navigation`` parameter, the current page marked."""
    here = current_link(links, path)
    return [{"href": link.href, "text": link.label, "current": link == here} for link in links]
