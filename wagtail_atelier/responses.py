"""HTTP helpers shared by the public pages and the admin screens."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


def private(response):
    """Pages that show personal data or are reached with a secret link: never
    cached, never leak the link."""
    add_never_cache_headers(response)
    # same-origin, not no-referrer: the link never leaves the site, and browsers
    # then still send the Origin that Django's CSRF check needs on the cancel form.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
