"""What the network keeps of a workshop once its personal data are gone.

Written by the retention and the per-workshop purge just before they remove the
personal data, from the registrations as they were; nothing here names or points at a
person.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkshopStatistics(models.Model):
    """Counts of one workshop (all its language versions), for the network's reports.

    ``counts`` holds::

        {
          "roles": {"case_presenter": {"confirmed": 4, "waiting": 1,
                                        "cancelled": 0, "attended": 4}, ...},
          "cantons": {"BE": 6, ...},       # confirmed registrations
          "languages": {"de": 12, ...},    # languages spoken, confirmed registrations
          "share_contact": 7,              # confirmed people who opted in
        }
    """

    workshop_key = models.UUIDField(_("workshop"), unique=True, editable=False)
    counts = models.JSONField(_("counts"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("workshop statistics")
        verbose_name_plural = _("workshop statistics")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.workshop_key}"
