"""All Wagtail wiring of the package."""

from __future__ import annotations

from django.urls import include, path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from . import admin_harvest, admin_table_plan
from .admin_host_requests import HostRequestStatusFormatter
from .admin_views import LOG_ACTIONS
from .dashboard import AtelierDashboardPanel
from .modeladmin import AtelierAdminGroup
from .models import AtelierSettings
from .services.feedback import CONSENT_WITHDRAWN_ACTION, DRAFT_FROM_FEEDBACK_ACTION
from .services.host_request import STATUS_ACTION
from .viewsets import TestimonialViewSet

# The registrations and mails listings, and their action views under the
# "wagtail_atelier_admin" URL namespace.
modeladmin_register(AtelierAdminGroup)


@hooks.register("register_log_actions")
def register_atelier_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)


# -- testimonials, host requests, dashboard ------------------------------------------

register_snippet(TestimonialViewSet)
register_setting(AtelierSettings, icon="group")


@hooks.register("register_log_actions")
def register_testimonial_and_host_request_log_actions(actions):
    actions.register_action(STATUS_ACTION)(HostRequestStatusFormatter)
    actions.register_action(
        CONSENT_WITHDRAWN_ACTION,
        gettext_lazy("Withdraw consent"),
        gettext_lazy("Consent withdrawn by the person quoted: unpublished for good"),
    )
    actions.register_action(
        DRAFT_FROM_FEEDBACK_ACTION,
        gettext_lazy("Create from feedback"),
        gettext_lazy("Created as a draft from a feedback answer"),
    )


@hooks.register("construct_homepage_panels")
def add_atelier_dashboard_panel(request, panels):
    panels.append(AtelierDashboardPanel(request))


# -- table plan and harvest ------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_workshop_admin_urls():
    return [
        path(
            "atelier/workshops/",
            include(
                (
                    admin_table_plan.urlpatterns + admin_harvest.urlpatterns,
                    admin_table_plan.URL_NAMESPACE,
                )
            ),
        )
    ]


@hooks.register("register_log_actions")
def register_table_plan_log_actions(actions):
    for action, (label, message) in {
        **admin_table_plan.LOG_ACTIONS,
        **admin_harvest.LOG_ACTIONS,
    }.items():
        actions.register_action(action, label, message)
