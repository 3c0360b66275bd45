"""All Wagtail wiring of the package."""

from __future__ import annotations

from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from .admin_views import LOG_ACTIONS
from .modeladmin import AtelierAdminGroup

# The registrations and mails listings, and their action views under the
# "wagtail_atelier_admin" URL namespace.
modeladmin_register(AtelierAdminGroup)


@hooks.register("register_log_actions")
def register_atelier_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
