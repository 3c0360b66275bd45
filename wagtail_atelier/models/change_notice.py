"""Change notices: what registrants are told when a published workshop changes or is
cancelled (``services/change_notices.py``).

A notice is data, not content: one row per notified change of one workshop (all its
language versions, by translation key), never translatable. It holds no personal
data: the recipients are the workshop's registrations when the notice is sent, and
the online meeting information is never copied into it (only whether it changed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChangeNoticeKind(models.TextChoices):
    CHANGE = "change", pgettext_lazy("change notice kind", "Change")
    CANCELLATION = "cancellation", pgettext_lazy("change notice kind", "Cancellation")


class ChangeNoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the editor's decision")
    SENT = "sent", _("Registrants told")
    DISMISSED = "dismissed", _("Not told")
    NOBODY = "nobody", _("Nobody to tell")


class ChangeNotice(models.Model):
    workshop_key = models.UUIDField(_("workshop"), db_index=True, editable=False)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("published page"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=ChangeNoticeKind.choices,
        default=ChangeNoticeKind.CHANGE,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ChangeNoticeStatus.choices,
        default=ChangeNoticeStatus.PENDING,
        db_index=True,
    )
    #: ``{field: value before}`` of the changed fields, as JSON (datetimes in ISO
    #: 8601); the meeting information only as ``true`` (it changed).
    previous = models.JSONField(_("before the change"), default=dict)
    #: A digest of the workshop's notified fields after the change: a translation
    #: published with the same change later finds it and tells nobody again.
    state_digest = models.CharField(max_length=64, editable=False)
    #: The SEQUENCE of the calendar entry after the change.
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one undecided notice per workshop: a second change before the
            # decision joins it (the people are told once, from the first state).
            models.UniqueConstraint(
                fields=["workshop_key"],
                condition=models.Q(status="pending"),
                name="wagtail_atelier_one_pending_notice_per_workshop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeNoticeStatus.PENDING
