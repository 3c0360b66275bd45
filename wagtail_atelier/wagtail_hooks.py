"""All Wagtail wiring of the package."""

from __future__ import annotations

from wagtail_modeladmin.options import modeladmin_register

from .modeladmin import AtelierAdminGroup

modeladmin_register(AtelierAdminGroup)
