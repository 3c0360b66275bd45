"""Host requests: organisations asking for a workshop in their region.

``HostRequestPage`` is content (translatable, one per language); ``HostRequest`` is
data: never translatable, never searchable, never on a page or in an API.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from .choices import Canton, language_names

EXPECTED_PEOPLE_MAX = 500
MESSAGE_MAX_LENGTH = 2000


class HostFormat(models.TextChoices):
    ON_SITE = "on_site", _("On site in our region")
    ONLINE = "online", _("Online")
    EITHER = "either", _("Either is fine")


class VenueAvailability(models.TextChoices):
    YES = "yes", _("Yes, we have a venue")
    NO = "no", _("No, we need help finding one")
    UNSURE = "unsure", _("Not yet known")


class HostRequestStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_DISCUSSION = "in_discussion", _("In discussion")
    SCHEDULED = "scheduled", _("Scheduled")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The workflow. A request that became a workshop stays "scheduled"; one that was
# declined or withdrawn may be taken up again.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    HostRequestStatus.NEW: (
        HostRequestStatus.IN_DISCUSSION,
        HostRequestStatus.DECLINED,
        HostRequestStatus.WITHDRAWN,
    ),
    HostRequestStatus.IN_DISCUSSION: (
        HostRequestStatus.SCHEDULED,
        HostRequestStatus.DECLINED,
        HostRequestStatus.WITHDRAWN,
    ),
    HostRequestStatus.SCHEDULED: (),
    HostRequestStatus.DECLINED: (HostRequestStatus.IN_DISCUSSION,),
    HostRequestStatus.WITHDRAWN: (HostRequestStatus.IN_DISCUSSION,),
}


#: Requests with nothing left to coordinate; anonymised once closed long enough.
CLOSED_STATUSES = (
    HostRequestStatus.SCHEDULED,
    HostRequestStatus.DECLINED,
    HostRequestStatus.WITHDRAWN,
)


class HostRequestPageMixin(RoutablePageMixin, models.Model):
    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
    )
    thank_you_text = RichTextField(
        _("thank-you text"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("Shown once the request is sent. Leave blank for a standard text."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("thank_you_text"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        abstract = True

    @classmethod
    def can_create_at(cls, parent):
        # One host request page per language: the mails and the dashboard link to it.
        return super().can_create_at(parent) and not (
            cls.objects.filter(locale_id=parent.locale_id).exists()
        )

    #: The public views behind the page, by dotted path, imported when called (the
    #: models never import the view layer); override one to use your own view.
    public_views = {
        "context": "wagtail_atelier.public.host_request.host_request_context",
        "form": "wagtail_atelier.public.host_request.host_request_form",
        "thanks": "wagtail_atelier.public.host_request.host_request_thanks",
    }

    def public_view(self, name: str):
        return import_string(self.public_views[name])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        return self.public_view("context")(request, self, context)

    @path("", name="form")
    def form_route(self, request):
        return self.public_view("form")(request, self)

    @path("thanks/", name="thanks")
    def thanks_route(self, request) -> HttpResponse:
        return self.public_view("thanks")(request, self)


class HostRequestPage(HostRequestPageMixin, Page):  # noqa: DJ008 (Page has __str__)
    template = "wagtail_atelier/pages/host_request_page.html"
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("host request page")
        verbose_name_plural = _("host request pages")


class HostRequestQuerySet(models.QuerySet):
    def new(self):
        return self.filter(status=HostRequestStatus.NEW)


class HostRequest(models.Model):
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=HostRequestStatus.choices,
        default=HostRequestStatus.NEW,
        db_index=True,
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    canton = models.CharField(_("canton"), max_length=2, choices=Canton.choices)
    region = models.CharField(_("town or region"), max_length=200)
    preferred_period = models.CharField(
        _("preferred period"), max_length=200, blank=True
    )
    languages = models.JSONField(_("languages of the workshop"), default=list)
    format = models.CharField(_("format"), max_length=10, choices=HostFormat.choices)
    venue = models.CharField(
        _("venue available"), max_length=10, choices=VenueAvailability.choices
    )
    venue_accessibility = models.TextField(
        _("accessibility of the venue"), max_length=1000, blank=True
    )
    expected_people = models.PositiveSmallIntegerField(
        _("expected number of people"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(EXPECTED_PEOPLE_MAX)],
    )
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted at"))
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=40
    )
    language = models.CharField(
        _("language of correspondence"), max_length=8, editable=False
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("sent from page"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    workshop = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("workshop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="host_requests",
        help_text=_("The workshop this request became."),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="atelier_host_requests",
    )
    internal_notes = models.TextField(
        _("internal notes"),
        blank=True,
        help_text=_("Only coordinators see these; never sent to the requester."),
    )
    created_at = models.DateTimeField(
        _("received at"), auto_now_add=True, db_index=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True)
    anonymised_at = models.DateTimeField(
        _("personal data removed at"), null=True, blank=True, editable=False
    )

    objects = HostRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("host request")
        verbose_name_plural = _("host requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "new",
                        "in_discussion",
                        "scheduled",
                        "declined",
                        "withdrawn",
                    ]
                ),
                name="wagtail_atelier_host_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["on_site", "online", "either"]),
                name="wagtail_atelier_host_request_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(expected_people__isnull=True)
                | Q(expected_people__gte=1, expected_people__lte=EXPECTED_PEOPLE_MAX),
                name="wagtail_atelier_host_request_people_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.region})"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def is_closed(self) -> bool:
        """Nothing more to coordinate: scheduled, declined or withdrawn."""
        return self.status in CLOSED_STATUSES

    @property
    def is_new(self) -> bool:
        return self.status == HostRequestStatus.NEW

    def allowed_transitions(self) -> tuple[str, ...]:
        return ALLOWED_TRANSITIONS.get(self.status, ())

    def languages_display(self) -> str:
        return language_names(self.languages)

    languages_display.short_description = _("languages of the workshop")  # type: ignore[attr-defined]
