"""The panel on the Wagtail admin home: new host requests and upcoming workshops.

Added by the ``construct_homepage_panels`` hook in ``wagtail_hooks.py``. Host requests
show only to users allowed to see them; the link to a workshop's registrations only to
users allowed to see registrations. Whatever the number of workshops, the panel costs
the same few queries (registrations are counted in one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from wagtail.admin.ui.components import Component

from .admin_views import user_can_see_registrations
from .models import HostRequest, Registration, RegistrationRole, WorkshopPage
from .models.registration import RegistrationStatus

UPCOMING_LIMIT = 8
NEW_REQUESTS_LIMIT = 5

HOST_REQUEST_VIEW_PERMISSIONS = (
    "wagtail_atelier.view_hostrequest",
    "wagtail_atelier.change_hostrequest",
)


def user_can_see_host_requests(user) -> bool:
    return any(
        user.has_perm(permission) for permission in HOST_REQUEST_VIEW_PERMISSIONS
    )


def _reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the site does not register the package's admin
        return ""


def upcoming_workshops(language_code: str, limit: int = UPCOMING_LIMIT) -> list:
    """The next live workshops, one entry per workshop (in ``language_code`` when
    translated), each with ``role_counts``: ``[(label, confirmed, waiting)]``."""
    versions = (
        WorkshopPage.objects.live()
        .filter(end_at__gte=timezone.now())
        .select_related("locale")
        .order_by("start_at", "pk")
    )
    by_key: dict = {}
    for page in versions:
        current = by_key.get(page.translation_key)
        if current is None or (
            page.locale.language_code == language_code
            and current.locale.language_code != language_code
        ):
            by_key[page.translation_key] = page
    workshops = sorted(by_key.values(), key=lambda p: (p.start_at, p.pk))[:limit]
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


class AtelierDashboardPanel(Component):
    name = "wagtail_atelier_dashboard"
    template_name = "wagtail_atelier/admin/dashboard_panel.html"
    order = 90

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context: Mapping[str, Any] | None) -> dict:
        user = self.request.user
        context: dict[str, Any] = {"request": self.request}
        if user_can_see_host_requests(user):
            new_requests = HostRequest.objects.new().order_by("-created_at", "-pk")
            context["new_requests"] = list(new_requests[:NEW_REQUESTS_LIMIT])
            context["new_request_count"] = (
                len(context["new_requests"])
                if len(context["new_requests"]) < NEW_REQUESTS_LIMIT
                else new_requests.count()
            )
            context["show_host_requests"] = True
            context["host_requests_url"] = _reverse(
                "wagtail_atelier_hostrequest_modeladmin_index"
            )
            if context["host_requests_url"]:
                context["new_requests_url"] = (
                    context["host_requests_url"]
                    + "?"
                    + urlencode({"status__exact": "new"})
                )
        language_code = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        workshops = upcoming_workshops(language_code)
        registrations_url = (
            _reverse("wagtail_atelier_registration_modeladmin_index")
            if user_can_see_registrations(user)
            else ""
        )
        for workshop in workshops:
            workshop.registrations_url = (
                f"{registrations_url}?"
                + urlencode({"workshop_key": str(workshop.translation_key)})
                if registrations_url
                else ""
            )
        context["workshops"] = workshops
        return context

    def render_html(self, parent_context=None) -> str:
        context = self.get_context_data(parent_context)
        if not context.get("show_host_requests") and not context["workshops"]:
            return ""
        return render_to_string(self.template_name, context, request=self.request)
