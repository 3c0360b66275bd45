"""The Wagtail wiring of the records' listings: imported by the package's own
``wagtail_hooks.py`` (so a site adds no app for it); the system check
``wagtail_atelier.E001`` says so when ``wagtail_modeladmin`` is not installed."""

from __future__ import annotations

from wagtail_modeladmin.options import modeladmin_register

from . import urls  # noqa: F401 (registers the listings' URLs with links)
from .options import AtelierAdminGroup

# The registrations, mails and host requests listings, and their action views under
# the "wagtail_atelier_admin" URL namespace.
modeladmin_register(AtelierAdminGroup)
