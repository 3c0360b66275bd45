"""Testimonials (content) and the feedback that produces them (data).

A ``Testimonial`` is a translatable snippet with draft and publish states: editors
review, translate and publish it. The person quoted chooses how they are named, and
:meth:`Testimonial.attribution` is the only place that turns the stored fields into
the public line under a quote, so nothing can show more than they agreed to.

``FeedbackRequest`` and ``FeedbackAnswer`` are records, never content: a feedback
request is mailed once per attended registration, with a secret token that opens the
form and later lets the person withdraw consent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin, TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

from .secret_links import SecretLinkMixin, SecretLinkQuerySet
from .workshop import WorkshopPageMixin

QUOTE_MAX_LENGTH = 1000


class TestimonialRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    CASE_PRESENTER = "case_presenter", _("Case presenter")
    HOST_ORGANISATION = "host_organisation", _("Host organisation")


# What "only my role" shows when the editor has not written a description.
ROLE_ATTRIBUTIONS = {
    TestimonialRole.PARTICIPANT: _("Participant from a caring community"),
    TestimonialRole.CASE_PRESENTER: _("Brought a case, from a caring community"),
    TestimonialRole.HOST_ORGANISATION: _("Host organisation of a practice workshop"),
}


class Naming(models.TextChoices):
    """How the person agreed to be named under their quote."""

    FULL_NAME = "full_name", _("Full name")
    FIRST_NAME_AND_TOWN = "first_name_town", _("First name and town")
    ROLE_ONLY = "role_only", _("Only their role")


class ConsentMethod(models.TextChoices):
    FEEDBACK_FORM = "feedback_form", _("Feedback form")
    WRITTEN = "written", _("In writing")
    ORAL = "oral", _("Orally")


@dataclass(frozen=True)
class Attribution:
    """The public line under a quote: each part is empty unless the person chose it."""

    name: str
    description: str
    organisation: str

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.name, self.description, self.organisation) if part
        )


class TestimonialQuerySet(models.QuerySet):
    def public(self):
        """Published and not withdrawn: the only testimonials a visitor may see."""
        return self.filter(live=True, consent_withdrawn_at__isnull=True).exclude(
            feedback_answer__consent_withdrawn_at__isnull=False
        )


class Testimonial(TranslatableMixin, DraftStateMixin, RevisionMixin, models.Model):
    quote = models.TextField(_("quote"), max_length=QUOTE_MAX_LENGTH)
    naming = models.CharField(
        _("how the person is named"),
        max_length=20,
        choices=Naming.choices,
        default=Naming.ROLE_ONLY,
        help_text=_(
            "As the person chose. Only the fields this choice needs are ever shown."
        ),
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=TestimonialRole.choices, db_index=True
    )
    role_description = models.CharField(
        _("description of the role"),
        max_length=200,
        blank=True,
        help_text=_(
            'For example "Participant from a caring community". Leave blank for the '
            "standard wording of the role. Never a name, town or organisation the "
            "person has not agreed to show."
        ),
    )
    organisation = models.CharField(
        _("caring community or organisation"), max_length=200, blank=True
    )
    show_organisation = models.BooleanField(
        _("the person agreed to show their community or organisation"),
        default=False,
        help_text=_('Never shown with "Only their role".'),
    )
    workshop = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("workshop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonials",
    )
    consent_given_at = models.DateTimeField(_("consent given at"))
    consent_method = models.CharField(
        _("consent obtained"), max_length=20, choices=ConsentMethod.choices
    )
    consent_text_version = models.CharField(
        _("version of the consent text"), max_length=40
    )
    consent_note = models.CharField(
        _("note on the consent"),
        max_length=255,
        blank=True,
        help_text=_("For example where the signed form is kept."),
    )
    consent_withdrawn_at = models.DateTimeField(
        _("consent withdrawn at"), null=True, blank=True, editable=False
    )
    feedback_answer = models.ForeignKey(
        "wagtail_atelier.FeedbackAnswer",
        verbose_name=_("feedback answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonials",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Deleting a testimonial deletes its revisions, which hold the same personal data.
    _revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="atelier_testimonial",
        for_concrete_model=False,
    )

    objects = TestimonialQuerySet.as_manager()

    # Who said it, how they are named and their consent are facts shared by every
    # language version; only the quote and the description of the role are translated.
    override_translatable_fields = [
        TranslatableField("quote"),
        TranslatableField("role_description"),
        SynchronizedField("naming", overridable=False),
        SynchronizedField("first_name", overridable=False),
        SynchronizedField("last_name", overridable=False),
        SynchronizedField("town", overridable=False),
        SynchronizedField("role", overridable=False),
        SynchronizedField("organisation", overridable=False),
        SynchronizedField("show_organisation", overridable=False),
        SynchronizedField("workshop", overridable=False),
        SynchronizedField("consent_given_at", overridable=False),
        SynchronizedField("consent_method", overridable=False),
        SynchronizedField("consent_text_version", overridable=False),
        SynchronizedField("consent_note", overridable=False),
    ]

    panels = [
        FieldPanel("quote"),
        MultiFieldPanel(
            [
                FieldPanel("role"),
                FieldPanel("role_description"),
                FieldPanel("naming"),
                FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
                FieldPanel("town"),
                FieldRowPanel(
                    [FieldPanel("organisation"), FieldPanel("show_organisation")]
                ),
            ],
            heading=_("Who said it"),
        ),
        FieldPanel("workshop"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("consent_given_at"), FieldPanel("consent_method")]
                ),
                FieldRowPanel(
                    [FieldPanel("consent_text_version"), FieldPanel("consent_note")]
                ),
            ],
            heading=_("Consent"),
        ),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Withdrawn consent is final: no path, not even a scheduled publication,
            # may put the quote back online.
            models.CheckConstraint(
                condition=Q(live=False) | Q(consent_withdrawn_at__isnull=True),
                name="wagtail_atelier_testimonial_withdrawn_never_live",
            ),
            models.CheckConstraint(
                condition=Q(naming__in=["full_name", "first_name_town", "role_only"]),
                name="wagtail_atelier_testimonial_naming_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    role__in=["participant", "case_presenter", "host_organisation"]
                ),
                name="wagtail_atelier_testimonial_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return Truncator(self.quote).chars(60)

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_withdrawn(self) -> bool:
        return self.consent_withdrawn_at is not None

    def save(self, *args, **kwargs):  # noqa: DJ012 (next to the checks it enforces)
        # Once withdrawn, always withdrawn: a stale copy of the object (an old
        # revision, a form, a sync) must not clear the mark by saving over it.
        if self.pk is not None and self.consent_withdrawn_at is None:
            withdrawn_at = (
                type(self)
                .objects.filter(pk=self.pk)
                .values_list("consent_withdrawn_at", flat=True)
                .first()
            )
            if withdrawn_at is not None:
                self.consent_withdrawn_at = withdrawn_at
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "consent_withdrawn_at"}
        super().save(*args, **kwargs)

    def with_content_json(self, content):
        # A withdrawal is a fact about the testimonial, not about one revision:
        # publishing an older revision must not bring the quote back.
        obj = super().with_content_json(content)
        obj.consent_withdrawn_at = self.consent_withdrawn_at
        obj.feedback_answer_id = self.feedback_answer_id
        return obj

    def clean(self):
        super().clean()
        if self.is_withdrawn:
            raise ValidationError(
                _(
                    "The person has withdrawn their consent: this testimonial can no "
                    "longer be changed or published. You may delete it."
                )
            )
        errors: dict[str, list] = {}
        if self.workshop_id is not None:
            if not isinstance(self.workshop.specific, WorkshopPageMixin):
                errors.setdefault("workshop", []).append(_("Choose a workshop page."))
        if self.naming == Naming.FULL_NAME:
            for name in ("first_name", "last_name"):
                if not getattr(self, name).strip():
                    errors.setdefault(name, []).append(
                        _("Needed to name the person by their full name.")
                    )
        elif self.naming == Naming.FIRST_NAME_AND_TOWN:
            for name in ("first_name", "town"):
                if not getattr(self, name).strip():
                    errors.setdefault(name, []).append(
                        _("Needed to name the person by first name and town.")
                    )
        if (
            self.show_organisation
            and self.naming != Naming.ROLE_ONLY
            and not self.organisation.strip()
        ):
            errors.setdefault("organisation", []).append(
                _("Give the community or organisation, or do not show it.")
            )
        if errors:
            raise ValidationError(errors)

    # -- the public attribution --------------------------------------------------------

    def attribution(self) -> Attribution:
        """What may be shown under the quote, and nothing else.

        - full name: "first last", the role, and the organisation if agreed;
        - first name and town: "first, town", the role, the organisation if agreed;
        - only the role: the role, never a name, town or organisation.
        """
        if self.naming == Naming.FULL_NAME:
            name = " ".join(
                p for p in (self.first_name.strip(), self.last_name.strip()) if p
            )
        elif self.naming == Naming.FIRST_NAME_AND_TOWN:
            name = ", ".join(
                p for p in (self.first_name.strip(), self.town.strip()) if p
            )
        else:
            name = ""
        show_organisation = self.show_organisation and self.naming in (
            Naming.FULL_NAME,
            Naming.FIRST_NAME_AND_TOWN,
        )
        return Attribution(
            name=name,
            description=self.role_description.strip() or self.default_role_description,
            organisation=self.organisation.strip() if show_organisation else "",
        )

    @property
    def default_role_description(self) -> str:
        label = ROLE_ATTRIBUTIONS.get(self.role)
        return str(label) if label else ""

    @property
    def language_code(self) -> str:
        return self.locale.language_code


class FeedbackRequest(SecretLinkMixin, models.Model):
    """One feedback mail per attended registration, with the secret link (stored as
    a digest, :class:`~.secret_links.SecretLinkMixin`).

    Kept when the registration is deleted (``SET_NULL``), so the link still lets the
    person withdraw consent.
    """

    link_kind = "feedback"

    registration = models.OneToOneField(
        "wagtail_atelier.Registration",
        verbose_name=_("registration"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="feedback_request",
    )
    workshop_key = models.UUIDField(_("workshop"), db_index=True)
    language = models.CharField(_("language of correspondence"), max_length=8)
    role = models.CharField(_("role"), max_length=20, choices=TestimonialRole.choices)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = SecretLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")

    def __str__(self) -> str:
        return f"{self.workshop_key} #{self.pk}"


class FeedbackAnswer(models.Model):
    """What a person answered. Data, never public: only a testimonial an editor
    publishes shows (part of) it."""

    request = models.OneToOneField(
        FeedbackRequest,
        verbose_name=_("feedback request"),
        on_delete=models.CASCADE,
        related_name="answer",
    )
    takeaway = models.TextField(
        _("what the person takes away"), max_length=QUOTE_MAX_LENGTH
    )
    may_quote = models.BooleanField(_("may be quoted"), default=False)
    naming = models.CharField(
        _("how the person is named"), max_length=20, choices=Naming.choices, blank=True
    )
    show_organisation = models.BooleanField(
        _("community or organisation may be shown"), default=False
    )
    consent_text_version = models.CharField(
        _("version of the consent text"), max_length=40, blank=True
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True)

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(may_quote=False) | ~Q(naming=""),
                name="wagtail_atelier_feedback_quote_needs_naming",
            )
        ]

    def __str__(self) -> str:
        return Truncator(self.takeaway).chars(60)

    @property
    def has_consent(self) -> bool:
        return self.may_quote and self.consent_withdrawn_at is None


def new_token() -> str:
    """Kept for the historical migrations that name it; links now use
    :class:`~.secret_links.SecretLinkMixin`."""
    import secrets

    return secrets.token_urlsafe(32)
