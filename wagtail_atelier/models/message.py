"""Messages from the coordinators to a group of a workshop's registrants.

A message is the coordinator's text (a room change, a new online link, a reminder to
bring the case), written once for a group and sent as one stored mail per person
(:class:`~.mail.OutgoingMail` rows pointing back here), each with the person's own
self-service link. The message itself holds no personal data: the subject and body
are the coordinator's text with placeholders (``{first_name}``), filled in only in
each person's mail; who got it is in the mails, which the retention, the export and
the erasure already cover.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Longest subject and body the form takes: a message is a few paragraphs.
MESSAGE_SUBJECT_MAX_LENGTH = 200
MESSAGE_BODY_MAX_LENGTH = 5000


class MessageGroup(models.TextChoices):
    """Who a message goes to; each is a part of the workshop's registrations."""

    CONFIRMED = "confirmed", pgettext_lazy("message group", "Everyone confirmed")
    WAITING = "waiting", pgettext_lazy("message group", "The waiting list")
    CASE_PRESENTERS = (
        "case_presenters",
        pgettext_lazy("message group", "Confirmed case presenters"),
    )
    PARTICIPANTS = (
        "participants",
        pgettext_lazy("message group", "Confirmed participants"),
    )
    TABLE = "table", pgettext_lazy("message group", "One table of the table plan")


class Message(models.Model):
    """One message to one group of one workshop (all its language versions)."""

    workshop_key = models.UUIDField(_("workshop"), db_index=True, editable=False)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("written on the workshop page"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    group = models.CharField(
        pgettext_lazy("message recipients", "group"),
        max_length=20,
        choices=MessageGroup.choices,
    )
    #: The table, for messages to one table of the table plan.
    table_number = models.PositiveSmallIntegerField(
        _("table number"), null=True, blank=True
    )
    subject = models.CharField(
        pgettext_lazy("mail", "subject"), max_length=MESSAGE_SUBJECT_MAX_LENGTH
    )
    body = models.TextField(pgettext_lazy("mail", "message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: One per form shown: a send posted twice (a double click, a reload) sends once.
    submission = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    #: When the mails were stored and handed to the worker.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("to registrants", "message")
        verbose_name_plural = pgettext_lazy("to registrants", "messages")
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    group__in=[
                        "confirmed",
                        "waiting",
                        "case_presenters",
                        "participants",
                        "table",
                    ]
                ),
                name="wagtail_atelier_message_group_valid",
            ),
            # A table message names its table; the others none.
            models.CheckConstraint(
                condition=Q(group="table", table_number__isnull=False)
                | (~Q(group="table") & Q(table_number__isnull=True)),
                name="wagtail_atelier_message_table_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def group_label(self) -> str:
        if self.group == MessageGroup.TABLE:
            return str(
                pgettext_lazy("message group", "Table %(number)s")
                % {"number": self.table_number}
            )
        return str(MessageGroup(self.group).label)
