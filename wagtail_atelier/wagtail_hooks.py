"""All Wagtail wiring of the package: viewsets, admin URLs under one namespace, log
actions, the dashboard panel. The records' listings (wagtail-modeladmin) are wired by
``contrib/modeladmin/wagtail_hooks.py``, imported here."""

from __future__ import annotations

from django.apps import apps
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet

from .admin import change_notices as admin_change_notices
from .admin import harvest as admin_harvest
from .admin import messages as admin_messages
from .admin import networking as admin_networking
from .admin import people as admin_people
from .admin import purge as admin_purge
from .admin import table_plan as admin_table_plan
from .admin.actions import LOG_ACTIONS
from .admin.dashboard import AtelierDashboardPanel
from .admin.host_requests import HostRequestStatusFormatter
from .links import WORKSHOP_ADMIN_NAMESPACE
from .models import AtelierSettings
from .services.feedback import CONSENT_WITHDRAWN_ACTION, DRAFT_FROM_FEEDBACK_ACTION
from .services.host_request import STATUS_ACTION
from .viewsets import TestimonialViewSet

# The records' listings, when wagtail-modeladmin is installed (else the system check
# wagtail_atelier.E001 tells the site, instead of a 500 on the first listing).
if apps.is_installed("wagtail_modeladmin"):
    from .contrib.modeladmin import wagtail_hooks as modeladmin_hooks  # noqa: F401


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
        gettext_lazy(
            "Consent withdrawn by the person quoted: deleted in every language"
        ),
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
                    admin_table_plan.urlpatterns
                    + admin_harvest.urlpatterns
                    + admin_networking.urlpatterns
                    + admin_messages.urlpatterns
                    + admin_purge.urlpatterns,
                    WORKSHOP_ADMIN_NAMESPACE,
                )
            ),
        )
    ]


@hooks.register("register_log_actions")
def register_table_plan_log_actions(actions):
    for action, (label, message) in {
        **admin_table_plan.LOG_ACTIONS,
        **admin_harvest.LOG_ACTIONS,
        **admin_messages.LOG_ACTIONS,
        **admin_purge.LOG_ACTIONS,
    }.items():
        actions.register_action(action, label, message)


# -- a person's data (access and erasure requests) -------------------------------------


@hooks.register("register_admin_urls")
def register_people_admin_urls():
    return [
        path(
            "atelier/people/",
            include((admin_people.urlpatterns, admin_people.PEOPLE_ADMIN_NAMESPACE)),
        )
    ]


# In the "Practice workshops" menu when wagtail-modeladmin is installed (the group
# adds it), else on its own.
if not apps.is_installed("wagtail_modeladmin"):

    @hooks.register("register_admin_menu_item")
    def register_people_menu_item():
        return admin_people.personal_data_menu_item(order=260)


# -- translations (wagtail-localize) ---------------------------------------------------

# Before wagtail-localize's own hook, which serves the translation editor and returns
# its response: marks the editor's "Publish" of a translation (localize.py).
if apps.is_installed("wagtail_localize"):
    from .localize import mark_editor_publish

    hooks.register("before_edit_page", mark_editor_publish, order=-10)


# -- the look of the package's own admin screens ---------------------------------------


@hooks.register("insert_global_admin_css")
def atelier_admin_screens_css():
    return format_html(
        '<link rel="stylesheet" href="{}">',
        static("wagtail_atelier/css/admin-screens.css"),
    )


# -- change notices and cancellation ------------------------------------------------


@hooks.register("register_admin_urls")
def register_change_notice_admin_urls():
    return [
        path(
            "atelier/change-notices/",
            include((admin_change_notices.urlpatterns, admin_change_notices.NAMESPACE)),
        )
    ]


@hooks.register("register_log_actions")
def register_change_notice_log_actions(actions):
    for action, (label, message) in admin_change_notices.LOG_ACTIONS.items():
        actions.register_action(action, label, message)


hooks.register("after_publish_page", admin_change_notices.after_publish_page)
hooks.register("before_edit_page", admin_change_notices.remind_pending_notice)


def cancel_workshop_buttons(page, user):
    """ "Cancel workshop" for a live, uncancelled workshop the user may publish."""
    from wagtail.admin.widgets.button import Button

    from .models import WorkshopPageMixin

    specific = page.specific_deferred
    if (
        isinstance(specific, WorkshopPageMixin)
        and page.live
        and not specific.is_cancelled
        and admin_change_notices.can_publish(user, page)
    ):
        yield Button(
            gettext_lazy("Cancel workshop"),
            reverse(f"{admin_change_notices.NAMESPACE}:cancel", args=[page.pk]),
            icon_name="warning",
            priority=55,
        )


@hooks.register("register_page_header_buttons")
def cancel_workshop_header_button(page, user, view_name=None, next_url=None):
    yield from cancel_workshop_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def cancel_workshop_listing_button(page, user, next_url=None):
    yield from cancel_workshop_buttons(page, user)
