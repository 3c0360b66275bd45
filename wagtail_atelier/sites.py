"""Which Wagtail site a workshop belongs to, on an installation with several sites
(several organisations, each with its own workshop index).

A page belongs to the site whose root page (in any of its languages) is above it.
The roots' URL paths come from Wagtail's cached ``Site.get_site_root_paths()``, so
narrowing a query to one site costs no query of its own.
"""

from __future__ import annotations

from django.db.models import Q
from wagtail.models import Site


def site_root_paths(site: Site) -> list[str]:
    """The URL paths of ``site``'s root page in every language (``/home/``...)."""
    return sorted(
        {
            root.root_path
            for root in Site.get_site_root_paths()
            if root.site_id == site.pk
        }
    )


def in_site(site: Site, prefix: str = "") -> Q:
    """A condition on pages (``prefix``: the lookup path to a page) that keeps those
    of ``site``; nothing when the site has no root."""
    condition = Q(pk__in=[])
    for root_path in site_root_paths(site):
        condition |= Q(**{f"{prefix}url_path__startswith": root_path})
    return condition


def site_count() -> int:
    """How many sites the installation has (from Wagtail's cache: no query once
    warm)."""
    return len({root.site_id for root in Site.get_site_root_paths()})


def is_multi_site() -> bool:
    return site_count() > 1


def current_site(request) -> Site | None:
    """The Wagtail site of ``request`` (the admin's "current site" too), or None."""
    if request is None:
        return None
    return Site.find_for_request(request)
