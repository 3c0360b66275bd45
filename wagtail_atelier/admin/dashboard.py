"""The panel on the Wagtail admin home: new host requests, upcoming workshops and
the harvest of the workshops that just ended.

Added by the ``construct_homepage_panels`` hook in ``wagtail_hooks.py``. Host requests
show only to users allowed to see them; the link to a workshop's registrations and the
harvest section only to users allowed to see registrations. Whatever the number of
workshops, the panel costs the same few queries (the upcoming and the recent
workshops are read in one per workshop page class, registrations are counted in one,
harvests in one).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.admin.ui.components import Component

from .. import links
from ..models import HostRequest, Registration, RegistrationRole, find_workshops
from ..models.registration import RegistrationStatus
from ..permissions import user_can_see_host_requests, user_can_see_registrations
from ..services.harvest import harvest_counts
from ..sites import current_site, in_site, is_multi_site

UPCOMING_LIMIT = 8
NEW_REQUESTS_LIMIT = 5
#: Workshops that ended at most this long ago show in the harvest section.
HARVEST_DAYS = 60
HARVEST_LIMIT = 5
#: The query parameter that shows every site's workshops on an installation with
#: several sites (``?atelier_sites=all``); without it, the current site's only.
ALL_SITES_PARAMETER = "atelier_sites"


def live_versions(ended_after, site=None):
    """Every live language version of the workshops ending after ``ended_after``
    (of ``site`` only, when given), with their locales, in one query per workshop
    page class."""

    def query(pages):
        if site is not None:
            pages = pages.filter(in_site(site))
        return pages.live().filter(end_at__gte=ended_after).select_related("locale")

    return find_workshops(query)


def dashboard_site(request):
    """The site whose workshops the panel shows: the admin's current site
    (``Site.find_for_request``) on an installation with several sites, unless the
    editor asked for all of them; None (every workshop) otherwise."""
    if not is_multi_site() or request.GET.get(ALL_SITES_PARAMETER) == "all":
        return None
    return current_site(request)


def one_per_workshop(versions, language_code: str) -> list:
    """One version per workshop (``translation_key``): the one in ``language_code``
    when there is one."""
    by_key: dict = {}
    for page in versions:
        current = by_key.get(page.translation_key)
        if current is None or (
            page.locale.language_code == language_code
            and current.locale.language_code != language_code
        ):
            by_key[page.translation_key] = page
    return list(by_key.values())


def upcoming_workshops(
    language_code: str, limit: int = UPCOMING_LIMIT, versions=None
) -> list:
    """The next live workshops, one entry per workshop (in ``language_code`` when
    translated), each with ``role_counts``: ``[(label, confirmed, waiting)]``.
    ``versions``: pages already read with :func:`live_versions` (any ending before
    now are left out)."""
    now = timezone.now()
    if versions is None:
        versions = live_versions(now)
    workshops = sorted(
        one_per_workshop([v for v in versions if v.end_at >= now], language_code),
        key=lambda p: (p.start_at, p.pk),
    )[:limit]
    keys = [w.translation_key for w in workshops]
    counts: dict = {}
    rows = (
        Registration.objects.filter(workshop_key__in=keys)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("workshop_key", "role", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for key, role, status, n in rows:
        counts[(key, role, status)] = n
    for workshop in workshops:
        workshop.role_counts = [
            (
                RegistrationRole(role).plural_label,
                counts.get(
                    (workshop.translation_key, role, RegistrationStatus.CONFIRMED), 0
                ),
                counts.get(
                    (workshop.translation_key, role, RegistrationStatus.WAITING), 0
                ),
            )
            for role in RegistrationRole.values
        ]
    return workshops


def harvest_workshops(
    language_code: str, limit: int = HARVEST_LIMIT, versions=None
) -> list:
    """The live workshops that ended in the last ``HARVEST_DAYS`` days, the latest
    first, one entry per workshop (in ``language_code`` when translated), each with
    ``harvest_tables``, ``harvest_recorded`` and ``harvest_sent``."""
    now = timezone.now()
    ended_after = now - timedelta(days=HARVEST_DAYS)
    if versions is None:
        versions = live_versions(ended_after)
    workshops = sorted(
        one_per_workshop(
            [v for v in versions if ended_after <= v.end_at < now], language_code
        ),
        key=lambda p: (p.end_at, p.pk),
        reverse=True,
    )[:limit]
    counts = harvest_counts(w.translation_key for w in workshops)
    for workshop in workshops:
        (
            workshop.harvest_tables,
            workshop.harvest_recorded,
            workshop.harvest_sent,
        ) = counts.get(workshop.translation_key, (0, 0, 0))
    return workshops


class AtelierDashboardPanel(Component):
    name = "wagtail_atelier_dashboard"
    template_name = "wagtail_atelier/admin/dashboard_panel.html"
    order = 90

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context: Mapping[str, Any] | None) -> dict:
        user = self.request.user
        site = dashboard_site(self.request)
        context: dict[str, Any] = {"request": self.request}
        if is_multi_site():
            context["site_choice"] = {
                "site": site,
                "all_url": f"?{ALL_SITES_PARAMETER}=all",
                "site_url": self.request.path,
            }
        if user_can_see_host_requests(user):
            new_requests = HostRequest.objects.new().order_by("-created_at", "-pk")
            if site is not None:
                new_requests = new_requests.filter(site=site)
            context["new_requests"] = list(new_requests[:NEW_REQUESTS_LIMIT])
            for host_request in context["new_requests"]:
                host_request.admin_url = links.admin_host_request_url(host_request)
            context["new_request_count"] = (
                len(context["new_requests"])
                if len(context["new_requests"]) < NEW_REQUESTS_LIMIT
                else new_requests.count()
            )
            context["show_host_requests"] = True
            context["host_requests_url"] = links.admin_host_requests_url()
            context["new_requests_url"] = links.admin_host_requests_url("new")
        language_code = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        can_see_registrations = user_can_see_registrations(user)
        # The upcoming and the recent workshops read once for both sections.
        versions = live_versions(
            timezone.now() - timedelta(days=HARVEST_DAYS)
            if can_see_registrations
            else timezone.now(),
            site=site,
        )
        workshops = upcoming_workshops(language_code, versions=versions)
        for workshop in workshops:
            workshop.registrations_url = (
                links.admin_registrations_url(workshop) if can_see_registrations else ""
            )
            workshop.table_plan_url = (
                links.workshop_admin_url("table_plan", workshop)
                if can_see_registrations
                else ""
            )
        context["workshops"] = workshops
        if can_see_registrations:
            context["harvest_workshops"] = harvest_workshops(
                language_code, versions=versions
            )
            for workshop in context["harvest_workshops"]:
                workshop.harvest_url = links.workshop_admin_url("harvest", workshop)
        return context

    def render_html(self, parent_context=None) -> str:
        context = self.get_context_data(parent_context)
        if (
            not context.get("show_host_requests")
            and not context["workshops"]
            and not context.get("harvest_workshops")
        ):
            return ""
        return render_to_string(self.template_name, context, request=self.request)
