"""Outgoing mails: each is a database row before it is a task, so nothing is lost."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    GAVE_UP = "gave_up", _("Failed, no more retries")


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Registration confirmed")
    WAITING_LIST = "waiting_list", _("On the waiting list")
    PROMOTION = "promotion", _("Moved up from the waiting list")
    CANCELLATION = "cancellation", _("Cancellation")
    REMINDER = "reminder", _("Reminder")
    CONTACT_NOTIFICATION = "contact_notification", _("Notification to the contact")
    LINK = "link", _("Link sent again")
    FEEDBACK_REQUEST = "feedback_request", _("Feedback request after the workshop")
    HOST_REQUEST_ACKNOWLEDGEMENT = "host_request_ack", _("Host request received")
    HOST_REQUEST_NOTIFICATION = (
        "host_request_notice",
        _("New host request, to the coordinators"),
    )
    HOST_REQUEST_SCHEDULED = "host_request_scheduled", _("Host request scheduled")
    HARVEST = "harvest", _("Harvest of the case, to the case presenter")
    NETWORKING_LIST = (
        "networking_list",
        _("Networking list, to the attendees who agreed to share their contact"),
    )
    MESSAGE = "message", _("Message from the coordinators")
    CHANGE_NOTICE = "change_notice", _("Workshop changed")
    WORKSHOP_CANCELLED = "workshop_cancelled", _("Workshop cancelled")


class OutgoingMail(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=MailKind.choices)
    registration = models.ForeignKey(
        "wagtail_atelier.Registration",
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mails",
    )
    host_request = models.ForeignKey(
        "wagtail_atelier.HostRequest",
        verbose_name=_("host request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mails",
    )
    #: The coordinators' message this mail is one person's copy of, if any.
    message = models.ForeignKey(
        "wagtail_atelier.Message",
        verbose_name=pgettext_lazy("to registrants", "message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mails",
        editable=False,
    )
    #: The workshop (all its language versions) the mail is about, if any: the
    #: retention and the per-workshop purge find its mails by it.
    workshop_key = models.UUIDField(
        _("workshop"), null=True, blank=True, db_index=True, editable=False
    )
    #: The change notice a mail of kind "change_notice" or "workshop_cancelled"
    #: tells (its rendering reads what changed from it).
    change_notice = models.ForeignKey(
        "wagtail_atelier.ChangeNotice",
        verbose_name=_("change notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mails",
        editable=False,
    )
    to = models.JSONField(_("recipients"), default=list)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    #: The template of a mail stored as an intent inside the transaction that
    #: caused it and rendered after the commit (outside any lock): empty once the
    #: subject and bodies are rendered.
    template = models.CharField(max_length=100, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True, editable=False)
    attachments = models.JSONField(
        default=list, help_text="[{filename, content, mimetype}] with text content"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MailStatus.choices,
        default=MailStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mails")
        ordering = ["-created_at"]
        constraints = [
            # A reminder is sent once per registration, whatever runs twice.
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=models.Q(kind="reminder"),
                name="wagtail_atelier_one_reminder_per_registration",
            ),
            # The networking list goes to each attendee once.
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=models.Q(kind="networking_list"),
                name="wagtail_atelier_one_networking_list_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
