"""Package settings, each read from Django settings with a default.

Read them through :func:`get_setting` at call time so that ``override_settings`` in
tests and per-site settings keep working.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Time zone in which workshop dates are shown and entered.
    "WAGTAIL_ATELIER_TIME_ZONE": "Europe/Zurich",
    # Length a new workshop gets when an editor leaves the end blank.
    "WAGTAIL_ATELIER_DEFAULT_DURATION": timedelta(hours=3),
    # Workshops per page on the index.
    "WAGTAIL_ATELIER_INDEX_PAGE_SIZE": 10,
    # The organiser named in schema.org data and calendar files.
    "WAGTAIL_ATELIER_ORGANIZER_NAME": "Netzwerk Caring Communities",
    "WAGTAIL_ATELIER_ORGANIZER_URL": "",
    # Domain used in calendar UIDs; defaults to the site's hostname.
    "WAGTAIL_ATELIER_ICAL_UID_DOMAIN": "",
}


def get_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
