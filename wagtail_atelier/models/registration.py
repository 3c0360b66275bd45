"""Registrations: data, not content. Never translatable, never in revisions or search.

A registration belongs to the workshop, identified by the ``translation_key`` its
language versions share, so registering on the German and on the French page counts
against the same seats. ``page`` records the version the person used (and so the
language of their mails).
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .choices import Canton, language_names
from .secret_links import SecretLinkMixin, SecretLinkQuerySet

CASE_DESCRIPTION_MAX_LENGTH = 1000
EMAIL_MAX_LENGTH = 254


def normalise_email(value: str, max_length: int = EMAIL_MAX_LENGTH) -> str:
    """An address as the package stores and compares it: trimmed, lower case.

    Lower-casing can lengthen an address ("İ" becomes "i" and a combining dot, and
    Django's validator accepts it), so the stored length is checked again.
    """
    email = value.strip().lower()
    MaxLengthValidator(max_length)(email)
    return email


class RegistrationRole(models.TextChoices):
    CASE_PRESENTER = "case_presenter", _("I bring a case")
    PARTICIPANT = "participant", _("I take part in the discussions")

    @property
    def plural_label(self) -> str:
        return str(ROLE_PLURAL_LABELS[self])


ROLE_PLURAL_LABELS = {
    RegistrationRole.CASE_PRESENTER: _("Case presenters"),
    RegistrationRole.PARTICIPANT: _("Participants"),
}
ROLE_LABELS = {
    RegistrationRole.CASE_PRESENTER: _("case presenter"),
    RegistrationRole.PARTICIPANT: _("participant"),
}


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationQuerySet(SecretLinkQuerySet):
    def for_workshop(self, workshop):
        return self.filter(workshop_key=workshop.translation_key)

    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        return self.filter(status=RegistrationStatus.WAITING)

    def waiting_order(self):
        return self.waiting().order_by("created_at", "pk")

    def counts(self) -> dict[tuple[str, str], int]:
        """``{(role, status): count}`` in one query."""
        rows = self.values_list("role", "status").annotate(n=models.Count("pk"))
        return {(role, status): n for role, status, n in rows.order_by()}


class Registration(SecretLinkMixin, models.Model):
    """One person's registration for one workshop.

    Every field that holds personal data is listed in ``personal_data.py``, which the
    retention, the per-person export and the erasure read. The self-service link is
    stored as a digest (:class:`~.secret_links.SecretLinkMixin`).
    """

    link_kind = "registration"

    workshop_key = models.UUIDField(_("workshop"), db_index=True, editable=False)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("registered on page"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    language = models.CharField(
        _("language of correspondence"), max_length=8, editable=False
    )
    role = models.CharField(_("role"), max_length=20, choices=RegistrationRole.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
        db_index=True,
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), max_length=EMAIL_MAX_LENGTH)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.CharField(
        _("caring community or organisation"), max_length=200
    )
    town = models.CharField(_("town"), max_length=100)
    canton = models.CharField(_("canton"), max_length=2, choices=Canton.choices)
    languages = models.JSONField(
        _("languages for the discussions"),
        default=list,
        help_text=_("Codes of the languages the person can take part in."),
    )
    case_description = models.TextField(
        _("question or challenge"), blank=True, max_length=CASE_DESCRIPTION_MAX_LENGTH
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"), blank=True, max_length=500
    )
    dietary_note = models.CharField(_("dietary note"), blank=True, max_length=200)
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted at"))
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=40
    )
    share_contact = models.BooleanField(
        _("shares contact with the other participants"), default=False
    )
    share_contact_at = models.DateTimeField(
        _("contact sharing agreed at"), null=True, blank=True, editable=False
    )
    share_contact_version = models.CharField(
        _("version of the contact-sharing text"),
        max_length=40,
        blank=True,
        editable=False,
    )
    share_contact_withdrawn_at = models.DateTimeField(
        _("contact sharing withdrawn at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    promoted_at = models.DateTimeField(
        _("moved up from the waiting list at"), null=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True)
    attended_at = models.DateTimeField(_("attendance marked at"), null=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True)
    anonymised_at = models.DateTimeField(
        _("personal data removed at"), null=True, blank=True, editable=False
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        permissions = [
            (
                "view_case_details",
                _("Can see case questions, accessibility needs and dietary notes"),
            ),
            (
                "manage_personal_data",
                _("Can answer access and erasure requests and purge workshops"),
            ),
        ]
        constraints = [
            # One active registration per person and workshop, whatever the case of
            # the address; a cancelled one does not stop registering again, and
            # anonymised ones have no address left.
            models.UniqueConstraint(
                "workshop_key",
                Lower("email"),
                condition=~Q(status="cancelled") & Q(anonymised_at__isnull=True),
                name="wagtail_atelier_one_active_registration_per_email",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["case_presenter", "participant"]),
                name="wagtail_atelier_registration_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waiting", "cancelled"]),
                name="wagtail_atelier_registration_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workshop_key", "role", "status", "created_at"],
                name="atelier_reg_seats_idx",
            )
        ]

    def __str__(self) -> str:
        if self.anonymised_at is not None:
            return str(_("Anonymised registration"))
        return f"{self.first_name} {self.last_name}"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_case_presenter(self) -> bool:
        return self.role == RegistrationRole.CASE_PRESENTER

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def is_waiting(self) -> bool:
        return self.status == RegistrationStatus.WAITING

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])

    def languages_display(self) -> str:
        return language_names(self.languages)

    def waiting_position(self) -> int | None:
        """1 for the first person on this role's waiting list."""
        if not self.is_waiting:
            return None
        ahead = (
            Registration.objects.filter(
                workshop_key=self.workshop_key,
                role=self.role,
                status=RegistrationStatus.WAITING,
            )
            .filter(
                Q(created_at__lt=self.created_at)
                | Q(created_at=self.created_at, pk__lt=self.pk)
            )
            .count()
        )
        return ahead + 1


class WorkshopSeats(models.Model):
    """One row per workshop, locked while seats are counted and given out.

    Registering and cancelling take ``SELECT ... FOR UPDATE`` on it, so concurrent
    requests for the same workshop queue up on PostgreSQL; on SQLite, write
    transactions are serialised by the database (``transaction_mode=IMMEDIATE``).
    """

    workshop_key = models.UUIDField(unique=True)
    #: The registrations, cancellations and promotions up to this moment have been
    #: told to the workshop's contact in a digest (see ``services/notifications.py``).
    digest_covers_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("workshop seats")
        verbose_name_plural = _("workshop seats")
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.workshop_key)


def new_token() -> str:
    """Kept for the historical migrations that name it; links now use
    :class:`~.secret_links.SecretLinkMixin`."""
    import secrets

    return secrets.token_urlsafe(32)
