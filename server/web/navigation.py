"""The site's navigation: what each audience sees, and which link is the current page.

Public links are for everyone; staff links depend on the role. One place to add a page to the
menus, instead of conditions spread through the base template."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    matches: tuple[str, ...] = ()
    """Path prefixes (besides ``href`` itself) for which this link is the current page."""


PUBLIC_LINKS = (
    NavLink("Home", "/"),
    NavLink("Consultations", "/consultations", ("/case-studies", "/panels/")),
    NavLink("Commitments", "/commitments", ("/charter/",)),
)

STAFF_LINKS: dict[str, tuple[NavLink, ...]] = {
    "officer": (
        NavLink("Officer home", "/officer"),
        NavLink("Resident panels", "/officer/panels"),
        NavLink("Consultations", "/officer/consultations"),
        NavLink("Case studies", "/officer/case-studies"),
        NavLink("Moderation", "/officer/moderation"),
        NavLink("Commitments", "/officer/commitments"),
        NavLink("Data requests", "/officer/personal-data"),
        NavLink("Cabinet reports", "/cabinet"),
    ),
    "cabinet": (
        NavLink("Cabinet reports", "/cabinet"),
        NavLink("Consultation reports", "/cabinet/reports"),
    ),
    "admin": (
        NavLink("Staff accounts", "/admin"),
        NavLink("Audit log", "/admin/audit"),
        NavLink("Retention", "/admin/retention"),
        NavLink("Cabinet reports", "/cabinet"),
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
