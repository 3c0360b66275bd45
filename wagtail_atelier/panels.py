"""Panels for the page editor.

Imported by the page models, so nothing here may import models or admin modules at
import time.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class RegistrationSummaryPanel(Panel):
    """Confirmed and waiting people per role of the workshop being edited, counted
    over all its language versions.

    Every editor of the page sees the counts; only users allowed to see
    registrations get the link to them. The panel has no form field: it only renders,
    so nothing of it reaches the page form or its revisions.
    """

    def __init__(self, heading=None, **kwargs):
        super().__init__(heading=heading or _("Registrations so far"), **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_atelier/admin/panels/registration_summary.html"

        def get_context_data(self, parent_context=None):
            from .admin_views import user_can_see_registrations
            from .services.registration import seats

            context = super().get_context_data(parent_context)
            workshop = self.instance
            context["seats"] = list(seats(workshop).values())
            user = getattr(self.request, "user", None)
            allowed = user is not None and user_can_see_registrations(user)
            context["registrations_url"] = (
                registrations_url(workshop) if allowed else ""
            )
            context["table_plan_url"] = ""
            context["harvest_url"] = ""
            if allowed and workshop.pk is not None:
                context["table_plan_url"] = workshop_admin_url("table_plan", workshop)
                context["harvest_url"] = workshop_admin_url("harvest", workshop)
            return context


def registrations_url(workshop) -> str:
    """The admin listing of the workshop's registrations (all languages)."""
    try:
        path = reverse("wagtail_atelier_registration_modeladmin_index")
    except NoReverseMatch:  # the site does not register the package's admin
        return ""
    return f"{path}?{urlencode({'workshop_key': str(workshop.translation_key)})}"


def workshop_admin_url(name: str, workshop) -> str:
    """The table plan or harvest screen of a workshop ("" if not registered)."""
    try:
        return reverse(f"wagtail_atelier_workshops:{name}", args=[workshop.pk])
    except NoReverseMatch:
        return ""
