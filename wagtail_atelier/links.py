"""Absolute links put in mails, built without a request."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def registration_url(registration, workshop) -> str:
    """The self-service page of a registration (its secret token is the key)."""
    if workshop is None:
        return ""
    base = workshop.get_full_url() or ""
    return base + workshop.reverse_subpage("registration", args=[registration.token])


def lost_link_url(workshop) -> str:
    return (workshop.get_full_url() or "") + workshop.reverse_subpage("lost_link")


def admin_registrations_url(workshop) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    path = reverse("wagtail_atelier_registration_modeladmin_index")
    return f"{base}{path}?{urlencode({'workshop_key': str(workshop.translation_key)})}"
