"""Panels for the page editor.

Imported by the page models, so nothing here may import models, services or the
admin screens at import time.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .links import admin_registrations_url, workshop_admin_url
from .permissions import PERSONAL_DATA_PERMISSION, user_can_see_registrations

#: Who may purge a workshop's personal data (``admin/purge.py``, which this module
#: may not import: the page models import it).


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
            from .services.registration import seats

            context = super().get_context_data(parent_context)
            workshop = self.instance
            context["seats"] = list(seats(workshop).values())
            user = getattr(self.request, "user", None)
            allowed = user_can_see_registrations(user)
            context["registrations_url"] = (
                admin_registrations_url(workshop) if allowed else ""
            )
            context["table_plan_url"] = ""
            context["harvest_url"] = ""
            context["networking_list_url"] = ""
            context["messages_url"] = ""
            if allowed and workshop.pk is not None:
                context["table_plan_url"] = workshop_admin_url("table_plan", workshop)
                context["harvest_url"] = workshop_admin_url("harvest", workshop)
                context["networking_list_url"] = workshop_admin_url(
                    "networking_list", workshop
                )
                context["messages_url"] = workshop_admin_url("messages", workshop)
            # The purge screen: only for those who answer for personal data.
            context["purge_url"] = (
                workshop_admin_url("purge", workshop)
                if workshop.pk is not None
                and user is not None
                and user.has_perm(PERSONAL_DATA_PERMISSION)
                else ""
            )
            return context
