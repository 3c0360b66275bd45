"""Links to the package's pages and admin screens: the one place that answers "the
admin URL of this registration" (or host request, or workshop screen), so no
service, panel or template knows the URL names of the listings' implementation.

Admin links are paths, or absolute with ``absolute=True`` (for mails, built without
a request from ``WAGTAILADMIN_BASE_URL``); "" when the site does not register the
screen.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse

#: The URL namespace of the per-workshop admin screens (table plan, harvest).
WORKSHOP_ADMIN_NAMESPACE = "wagtail_atelier_workshops"

#: How the records' listings build their URLs, registered by their implementation
#: (``contrib/modeladmin/urls.py``) when it is loaded: "registrations_index",
#: "registration_inspect", "host_requests_index", "host_request_inspect",
#: "mails_index". Each returns a path, or "".
_RECORD_URLS: dict[str, Callable[..., str]] = {}


def register_record_urls(**functions: Callable[..., str]) -> None:
    """Called by the implementation of the records' listings."""
    _RECORD_URLS.update(functions)


def _record_url(name: str, *args) -> str:
    function = _RECORD_URLS.get(name)
    return function(*args) if function is not None else ""


def _absolute(path: str, absolute: bool) -> str:
    if not path or not absolute:
        return path
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + path


def _with_query(path: str, **query) -> str:
    query = {name: value for name, value in query.items() if value}
    return f"{path}?{urlencode(query)}" if path and query else path


# -- public pages (secret links) --------------------------------------------------


def registration_url(registration, workshop) -> str:
    """The self-service page of a registration (its secret token is the key)."""
    if workshop is None:
        return ""
    base = workshop.get_full_url() or ""
    return base + workshop.reverse_subpage("registration", args=[registration.token])


def registration_urls(workshop) -> Callable[[object], str]:
    """:func:`registration_url` for many registrations of one workshop version:
    the page's address is worked out once, not once per person."""
    if workshop is None:
        return lambda registration: ""
    base = workshop.get_full_url() or ""
    return lambda registration: (
        base + workshop.reverse_subpage("registration", args=[registration.token])
    )


def lost_link_url(workshop) -> str:
    return (workshop.get_full_url() or "") + workshop.reverse_subpage("lost_link")


# -- admin ------------------------------------------------------------------------


def admin_registrations_url(workshop=None, *, absolute: bool = False) -> str:
    """The registrations listing, of one workshop (all its languages) if given."""
    key = str(workshop.translation_key) if workshop is not None else ""
    return _absolute(
        _with_query(_record_url("registrations_index"), workshop_key=key), absolute
    )


def admin_registration_url(registration, *, absolute: bool = False) -> str:
    return _absolute(_record_url("registration_inspect", registration.pk), absolute)


def admin_host_requests_url(status: str = "", *, absolute: bool = False) -> str:
    return _absolute(
        _with_query(_record_url("host_requests_index"), status__exact=status), absolute
    )


def admin_host_request_url(host_request, *, absolute: bool = False) -> str:
    return _absolute(_record_url("host_request_inspect", host_request.pk), absolute)


def admin_mails_url(*, absolute: bool = False) -> str:
    return _absolute(_record_url("mails_index"), absolute)


def admin_people_url(*, absolute: bool = False) -> str:
    """The "Personal data" screen (a person's export and erasure); the address is
    never part of the URL: it is posted."""
    try:
        path = reverse("wagtail_atelier_people:index")
    except NoReverseMatch:
        return ""
    return _absolute(path, absolute)


def workshop_admin_url(name: str, workshop, *args, absolute: bool = False) -> str:
    """A per-workshop screen: "table_plan", "table_plan_print", "harvest"..."""
    try:
        path = reverse(f"{WORKSHOP_ADMIN_NAMESPACE}:{name}", args=[workshop.pk, *args])
    except NoReverseMatch:
        return ""
    return _absolute(path, absolute)
