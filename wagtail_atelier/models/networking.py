"""The networking list of a workshop: who attended and agreed to share their contact,
mailed to each of them once after the workshop (``services/networking.py``).

One row per workshop (all its language versions, by ``translation_key``). It holds
no personal data: whether coordinators hold the list back, and when it went. Who was
on the list is read from the mails it produced (one per recipient, kind
``networking_list``), which the retention deletes with the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NetworkingList(models.Model):
    workshop_key = models.UUIDField(_("workshop"), unique=True, editable=False)
    held = models.BooleanField(
        _("held back"),
        default=False,
        help_text=_("A held list is not sent until a coordinator releases it."),
    )
    held_changed_at = models.DateTimeField(
        _("held back or released at"), null=True, blank=True, editable=False
    )
    held_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held back or released by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    #: How many people the list went to (the count stays after the retention).
    recipient_count = models.PositiveIntegerField(
        _("recipients"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("networking list")
        verbose_name_plural = _("networking lists")
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.workshop_key)

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
