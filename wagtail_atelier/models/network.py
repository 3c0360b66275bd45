"""The last good copy of another site's JSON feed of workshops (docs/network-feed.md).

Filled by ``manage.py atelier_fetch_network_feeds`` (``services/network.py``), read by
``{% atelier_network_workshops %}``: a page never fetches anything itself.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NetworkFeed(models.Model):
    url = models.URLField(_("feed URL"), max_length=500, unique=True)
    #: The last feed fetched that followed the schema; kept when a fetch fails.
    data = models.JSONField(_("feed"), null=True, blank=True, editable=False)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    #: When the feed last answered with a valid feed (200) or "not modified" (304).
    fetched_at = models.DateTimeField(_("last fetched"), null=True, editable=False)
    #: When a fetch was last tried, whatever came of it.
    checked_at = models.DateTimeField(_("last checked"), null=True, editable=False)
    last_error = models.CharField(
        _("last error"), max_length=500, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("network feed")
        verbose_name_plural = _("network feeds")

    def __str__(self) -> str:
        return self.url
