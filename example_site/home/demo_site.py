"""The address the demo is served on, and the Site record that follows it.

``WAGTAILADMIN_BASE_URL`` (set from ``DEMO_PORT`` in settings/dev.py) is the one
source: full page URLs (mails, calendar files, structured data) come from the
default Site's hostname and port, admin links in mails from the setting itself, so
both must say the same.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Site

#: Hostnames of a development server: only such a Site is moved to another port.
LOCAL_HOSTNAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}


def demo_address() -> tuple[str, int]:
    """``(hostname, port)`` of ``WAGTAILADMIN_BASE_URL``."""
    address = urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", ""))
    hostname = address.hostname or "127.0.0.1"
    port = address.port or (443 if address.scheme == "https" else 80)
    return hostname, port


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def sync_default_site() -> Site | None:
    """Point the default Site at the demo's address if it is on a local hostname
    (a Site someone set to a real host is left alone). Returns the Site if it
    changed."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or site.hostname not in LOCAL_HOSTNAMES:
        return None
    hostname, port = demo_address()
    if (site.hostname, site.port) == (hostname, port):
        return None
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return site
