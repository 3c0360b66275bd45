"""The URLs of the records' admin listings: the one place that knows the URL names
wagtail-modeladmin gives them. Registered with :mod:`wagtail_atelier.links` when the
listings are wired in (``wagtail_hooks.py`` beside this module), which the rest of
the package asks.

Each function returns a path, or "" when the site does not register the listings.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from ... import links


def _reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the listings are not registered on this site
        return ""


def registrations_index() -> str:
    return _reverse("wagtail_atelier_registration_modeladmin_index")


def registration_inspect(pk) -> str:
    return _reverse("wagtail_atelier_registration_modeladmin_inspect", pk)


def host_requests_index() -> str:
    return _reverse("wagtail_atelier_hostrequest_modeladmin_index")


def host_request_inspect(pk) -> str:
    return _reverse("wagtail_atelier_hostrequest_modeladmin_inspect", pk)


def mails_index() -> str:
    return _reverse("wagtail_atelier_outgoingmail_modeladmin_index")


links.register_record_urls(
    registrations_index=registrations_index,
    registration_inspect=registration_inspect,
    host_requests_index=host_requests_index,
    host_request_inspect=host_request_inspect,
    mails_index=mails_index,
)
