"""Workshop pages: the index of workshops and one page per workshop.

Behaviour lives in the abstract mixins so that a site with its own base page class can
reuse it (``class MyWorkshopPage(WorkshopPageMixin, MyBasePage)``); the shipped page
classes put the mixins on top of Wagtail's ``Page``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from ..blocks import WorkshopBodyBlock, default_programme
from ..conf import get_setting
from ..ical import index_feed_response, workshop_calendar_response, workshop_uid
from ..page_cache import cache_page_response
from ..panels import RegistrationSummaryPanel
from ..structured_data import workshop_event
from .choices import HELD_IN_LANGUAGE, Canton, WorkshopFormat, WorkshopLanguage

# The rendition used by the workshop cards (includes/workshop_card.html).
LISTING_IMAGE_FILTER = "fill-480x270"


def workshop_time_zone() -> ZoneInfo:
    return ZoneInfo(get_setting("WAGTAIL_ATELIER_TIME_ZONE"))


class WorkshopPageForm(WagtailAdminPageForm):
    """Admin form: a new workshop starts with the standard programme in the page's
    language, and an end left blank means the default duration (3 hours)."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if (
            instance is not None
            and instance.pk is None
            and not instance.body
            and instance.locale_id
        ):
            instance.body = default_programme(instance.locale.language_code)
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        start_at = cleaned_data.get("start_at")
        if start_at and not cleaned_data.get("end_at") and "end_at" in self.fields:
            cleaned_data["end_at"] = start_at + get_setting(
                "WAGTAIL_ATELIER_DEFAULT_DURATION"
            )
        return cleaned_data


class TranslationDraftMixin:
    """A translation that wagtail-localize creates or syncs stays a draft while it
    would show untranslated text, until an editor publishes it
    (``wagtail_atelier.localize``). ``Revision.publish`` calls the page's ``publish``,
    so every page class built on the package's mixins decides here."""

    def publish(self, revision, *args, **kwargs):
        from ..localize import holds_back_publication

        if holds_back_publication(self, revision):
            return None
        return super().publish(revision, *args, **kwargs)


class WorkshopPageMixin(TranslationDraftMixin, RoutablePageMixin, models.Model):
    start_at = models.DateTimeField(
        _("starts at"),
        db_index=True,
        help_text=_("Date and time in Swiss time (Europe/Zurich)."),
    )
    end_at = models.DateTimeField(
        _("ends at"),
        blank=True,
        db_index=True,
        help_text=_("Leave blank for three hours after the start."),
    )
    format = models.CharField(
        _("format"),
        max_length=16,
        choices=WorkshopFormat.choices,
        default=WorkshopFormat.ON_SITE,
        db_index=True,
    )
    venue_name = models.CharField(_("venue"), max_length=255, blank=True)
    street = models.CharField(_("street and number"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    canton = models.CharField(
        _("canton"), max_length=2, choices=Canton.choices, blank=True, db_index=True
    )
    online_meeting_details = models.TextField(
        _("online meeting information"),
        blank=True,
        help_text=_(
            "Link, meeting ID and passcode. Never shown on the public site, in "
            "calendar files or in structured data; sent only to confirmed registrants."
        ),
    )
    workshop_language = models.CharField(
        _("language of the workshop"),
        max_length=2,
        choices=WorkshopLanguage.choices,
        db_index=True,
        help_text=_(
            "The one language the workshop is held in, which may differ from the "
            "language of this page."
        ),
    )
    is_free = models.BooleanField(_("free of charge"), default=True)
    cost_note = models.CharField(
        _("note on costs"),
        max_length=255,
        blank=True,
        help_text=_('For example "Apéritif offered by the host municipality".'),
    )
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    case_presenter_capacity = models.PositiveIntegerField(
        _("places for case presenters"),
        null=True,
        blank=True,
        help_text=_("Leave blank for no limit."),
    )
    participant_capacity = models.PositiveIntegerField(
        _("places for participants"),
        null=True,
        blank=True,
        help_text=_("Leave blank for no limit."),
    )
    show_places_left = models.BooleanField(
        _("show places left"),
        default=False,
        help_text=_("Show visitors how many places are left for each role."),
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens at"),
        null=True,
        blank=True,
        help_text=_("Leave blank to open registration as soon as the page is live."),
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"),
        null=True,
        blank=True,
        help_text=_("Leave blank to close registration when the workshop starts."),
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A few sentences, shown in listings and calendar entries."),
    )
    body = StreamField(WorkshopBodyBlock(), blank=True, verbose_name=_("body"))
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("listing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The life of the event, not content: written by the change notices and the
    # cancellation (``services/change_notices.py``) on every language version at
    # once, never by a revision (see ``with_content_json``).
    ical_sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_("SEQUENCE of the calendar entry: raised by every notified change."),
    )
    cancelled_at = models.DateTimeField(
        _("cancelled at"), null=True, blank=True, editable=False
    )
    cancellation_reason = models.TextField(
        _("reason for the cancellation"), blank=True, editable=False
    )

    # Dates, capacity, place, language and format are facts about the one workshop, so
    # every translation shares them and translators cannot change them; texts are
    # translated.
    override_translatable_fields = [
        SynchronizedField("start_at", overridable=False),
        SynchronizedField("end_at", overridable=False),
        SynchronizedField("format", overridable=False),
        SynchronizedField("venue_name"),
        SynchronizedField("street", overridable=False),
        SynchronizedField("postcode", overridable=False),
        SynchronizedField("town"),
        SynchronizedField("canton", overridable=False),
        SynchronizedField("online_meeting_details", overridable=False),
        SynchronizedField("workshop_language", overridable=False),
        SynchronizedField("is_free", overridable=False),
        SynchronizedField("contact_name", overridable=False),
        SynchronizedField("contact_email", overridable=False),
        SynchronizedField("case_presenter_capacity", overridable=False),
        SynchronizedField("participant_capacity", overridable=False),
        SynchronizedField("show_places_left", overridable=False),
        SynchronizedField("registration_opens_at", overridable=False),
        SynchronizedField("registration_closes_at", overridable=False),
        SynchronizedField("listing_image"),
        SynchronizedField("ical_sequence", overridable=False),
        SynchronizedField("cancelled_at", overridable=False),
        SynchronizedField("cancellation_reason", overridable=False),
        TranslatableField("cost_note"),
        TranslatableField("intro"),
        TranslatableField("body"),
    ]

    # The meeting information is deliberately absent: it must never be searchable.
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("town"),
        index.FilterField("start_at"),
        index.FilterField("workshop_language"),
        index.FilterField("format"),
    ]

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")])],
            heading=_("Date and time"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("format"),
                FieldPanel("venue_name"),
                FieldPanel("street"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("town")]),
                FieldPanel("canton"),
                FieldPanel("online_meeting_details"),
            ],
            heading=_("Place"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("workshop_language"),
                FieldRowPanel([FieldPanel("is_free"), FieldPanel("cost_note")]),
                FieldRowPanel(
                    [
                        FieldPanel("contact_name"),
                        # The contact is told of every registration and is the
                        # registrants' Reply-To: only registration users set it.
                        FieldPanel(
                            "contact_email",
                            permission="wagtail_atelier.change_registration",
                        ),
                    ]
                ),
            ],
            heading=_("Language, costs and contact"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("case_presenter_capacity"),
                        FieldPanel("participant_capacity"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("registration_opens_at"),
                        FieldPanel("registration_closes_at"),
                    ]
                ),
                FieldPanel("show_places_left"),
            ],
            heading=_("Registration"),
        ),
        RegistrationSummaryPanel(),
        FieldPanel("intro"),
        FieldPanel("listing_image"),
        FieldPanel("body"),
    ]

    base_form_class = WorkshopPageForm

    class Meta:
        abstract = True

    #: Fields about the event's life that a revision never restores: they are
    #: written on every language version by the package's services, and an older
    #: revision (a draft saved before the cancellation, a translation synced from
    #: an older source) must not undo them.
    EVENT_STATE_FIELDS = ("ical_sequence", "cancelled_at", "cancellation_reason")

    # A copy is a new workshop (next year's, from this one): it starts uncancelled,
    # with a calendar entry of its own. A translation gets them from its source
    # (wagtail-localize copies synchronised fields).
    exclude_fields_in_copy = list(EVENT_STATE_FIELDS)

    def with_content_json(self, content):
        page = super().with_content_json(content)
        for name in self.EVENT_STATE_FIELDS:
            setattr(page, name, getattr(self, name))
        return page

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    # -- validation ---------------------------------------------------------------

    def clean(self):
        super().clean()
        if self.start_at and not self.end_at:
            self.end_at = self.start_at + get_setting(
                "WAGTAIL_ATELIER_DEFAULT_DURATION"
            )
        errors: dict[str, list] = {}
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            errors.setdefault("end_at", []).append(
                _("The workshop must end after it starts.")
            )
        if self.start_at and self.registration_closes_at:
            if self.registration_closes_at > self.start_at:
                errors.setdefault("registration_closes_at", []).append(
                    _("Registration must close before the workshop starts.")
                )
        if self.registration_opens_at:
            closes = self.registration_closes_at or self.start_at
            if closes and self.registration_opens_at >= closes:
                errors.setdefault("registration_opens_at", []).append(
                    _("Registration must open before it closes.")
                )
        if self.format != WorkshopFormat.ONLINE and not self.town:
            errors.setdefault("town", []).append(
                _("Give the town of a workshop held on site.")
            )
        if errors:
            raise ValidationError(errors)

    # -- presentation ---------------------------------------------------------------

    @property
    def start_local(self) -> datetime:
        return timezone.localtime(self.start_at, workshop_time_zone())

    @property
    def end_local(self) -> datetime:
        return timezone.localtime(self.end_at, workshop_time_zone())

    @property
    def is_past(self) -> bool:
        return self.end_at < timezone.now()

    @property
    def is_started(self) -> bool:
        return self.start_at <= timezone.now()

    @property
    def is_online(self) -> bool:
        return self.format == WorkshopFormat.ONLINE

    @property
    def has_venue(self) -> bool:
        return self.format != WorkshopFormat.ONLINE

    @property
    def held_in(self) -> str:
        """ "in German", "en allemand"... in the active language."""
        return HELD_IN_LANGUAGE[self.workshop_language]

    def is_held_in_other_language(self, language_code: str) -> bool:
        return self.workshop_language != (language_code or "")[:2]

    @property
    def address_lines(self) -> list[str]:
        """The public address, one line each, without the online meeting information."""
        if not self.has_venue:
            return []
        place = " ".join(part for part in (self.postcode, self.town) if part)
        return [line for line in (self.venue_name, self.street, place) if line]

    def get_ical_uid(self, request=None) -> str:
        # The one UID of the workshop in every calendar file, the feed's and the
        # mail's alike (``ical.workshop_uid``); ``request`` is ignored.
        return workshop_uid(self)

    def structured_data(self, request=None) -> dict:
        return workshop_event(self, request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The registration state, places and form come from the public layer.
        return self.public_view("context")(request, self, context)

    # -- routes ---------------------------------------------------------------------

    #: The public views behind the page's routes, by dotted path, imported when
    #: called: the models never import the view layer. Override one in a subclass
    #: to serve a route from your own view (same arguments).
    public_views = {
        "context": "wagtail_atelier.public.registration.workshop_context",
        "register": "wagtail_atelier.public.registration.register",
        "registered": "wagtail_atelier.public.registration.registered",
        "registration": "wagtail_atelier.public.registration.registration_detail",
        "cancel_registration": (
            "wagtail_atelier.public.registration.cancel_registration"
        ),
        "withdraw_share_contact": (
            "wagtail_atelier.public.registration.withdraw_share_contact"
        ),
        "networking_list": "wagtail_atelier.public.networking.networking_list",
        "lost_link": "wagtail_atelier.public.registration.lost_link",
        "form_token": "wagtail_atelier.public.registration.form_token",
        "feedback": "wagtail_atelier.public.feedback.feedback",
        "withdraw_consent": "wagtail_atelier.public.feedback.withdraw_consent",
    }

    def public_view(self, name: str):
        return import_string(self.public_views[name])

    def serve(self, request, view=None, args=None, kwargs=None):
        response = super().serve(request, view, args, kwargs)
        # The page itself is the same for every anonymous visitor (the form's
        # per-visitor tokens come from form-token/): cacheable. The other routes
        # set their own headers.
        if view is None or getattr(view, "__name__", "") == "index_route":
            cache_page_response(request, response)
        return response

    @path("register/", name="register")
    def register_route(self, request):
        return self.public_view("register")(request, self)

    @path("registered/", name="registered")
    def registered_route(self, request):
        return self.public_view("registered")(request, self)

    @path("registration/<str:token>/", name="registration")
    def registration_route(self, request, token):
        return self.public_view("registration")(request, self, token)

    @path("registration/<str:token>/cancel/", name="cancel_registration")
    def cancel_registration_route(self, request, token):
        return self.public_view("cancel_registration")(request, self, token)

    @path("registration/<str:token>/share-contact/", name="withdraw_share_contact")
    def withdraw_share_contact_route(self, request, token):
        return self.public_view("withdraw_share_contact")(request, self, token)

    @path("registration/<str:token>/networking/", name="networking_list")
    def networking_list_route(self, request, token):
        return self.public_view("networking_list")(request, self, token)

    @path("lost-link/", name="lost_link")
    def lost_link_route(self, request):
        return self.public_view("lost_link")(request, self)

    @path("form-token/", name="form_token")
    def form_token_route(self, request):
        return self.public_view("form_token")(request, self)

    @path("feedback/<str:token>/", name="feedback")
    def feedback_route(self, request, token):
        return self.public_view("feedback")(request, self, token)

    @path("feedback/<str:token>/withdraw/", name="withdraw_consent")
    def withdraw_consent_route(self, request, token):
        return self.public_view("withdraw_consent")(request, self, token)

    @path("ical/", name="ical")
    def ical(self, request):
        return workshop_calendar_response(request, self)


class WorkshopFilterForm(forms.Form):
    """The index filters. Unknown values are dropped, never an error page."""

    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("All formats")), *WorkshopFormat.choices],
    )
    language = forms.ChoiceField(
        label=_("Language of the workshop"),
        required=False,
        choices=[("", _("All languages")), *WorkshopLanguage.choices],
    )
    canton = forms.ChoiceField(
        label=_("Canton"),
        required=False,
        choices=[("", _("All cantons")), *Canton.choices],
    )

    def filters(self) -> dict[str, str]:
        """Valid, non-empty filter values; invalid fields are ignored one by one."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value}

    def filter_queryset(self, queryset):
        mapping = {
            "format": "format",
            "language": "workshop_language",
            "canton": "canton",
        }
        return queryset.filter(
            **{mapping[name]: value for name, value in self.filters().items()}
        )


class WorkshopIndexPageMixin(TranslationDraftMixin, RoutablePageMixin, models.Model):
    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        abstract = True

    @property
    def workshop_model(self):
        """The workshop page class listed here; override to list your own."""
        return WorkshopPage

    def workshops(self):
        """Live, public workshops of this index, most specific class, no order."""
        # The listing images come joined to the workshops and their renditions in one
        # more query, so a page of cards costs the same whatever its length.
        renditions = (
            get_image_model()
            .get_rendition_model()
            .objects.filter(filter_spec=LISTING_IMAGE_FILTER)
        )
        # Only a workshop's own view restriction can hide it here: those of the index
        # and its ancestors were checked when the index was served (``.public()``
        # would check them again, in one more query).
        restricted = PageViewRestriction.objects.filter(page_id=OuterRef("pk"))
        return (
            self.workshop_model.objects.child_of(self)
            .live()
            .filter(~Exists(restricted))
            .select_related("listing_image")
            .prefetch_related(
                Prefetch(
                    "listing_image__renditions",
                    queryset=renditions,
                    to_attr="prefetched_renditions",
                )
            )
        )

    def route(self, request, path_components):
        # A workshop's URL: one query for the workshop with its locale and listing
        # image, instead of Wagtail's two for the page plus one for each of those.
        # The index's own routes (ical/) come first, as in RoutablePageMixin.
        if path_components and self.live and not self._is_own_route(path_components):
            # The listing image only for the page itself (its JSON-LD shows it),
            # not for its routes: the registration POST does not need it.
            related = ["locale"]
            if len(path_components) == 1:
                related.append("listing_image")
            # Unordered: siblings have distinct slugs (Wagtail validates them), and
            # the ORDER BY of first() costs a fifth of the query's time to build.
            found = list(
                self.workshop_model.objects.child_of(self)
                .filter(slug=path_components[0])
                .select_related(*related)
                .order_by()[:1]
            )
            workshop = found[0] if found else None
            if workshop is not None:
                workshop._cached_parent_obj = self
                return workshop.route(request, path_components[1:])
        return super().route(request, path_components)

    def _is_own_route(self, path_components) -> bool:
        """Whether the path is one of the index's own routes (``ical/``). Decided
        from the routes' first path segments, without trying the resolver: a
        workshop's URL, the common case, would make it raise ``Http404`` first."""
        prefixes = self._own_route_prefixes()
        if prefixes is None:
            try:
                self.resolve_subpage("/{}/".format("/".join(path_components)))
            except Http404:
                return False
            return True
        return path_components[0] in prefixes

    @classmethod
    def _own_route_prefixes(cls) -> frozenset[str] | None:
        """The literal first segments of the class's routes (``{"ical"}``); None
        when a route starts with a converter or a regular expression, which only
        the resolver can tell (a subclass's own routes)."""
        if "_atelier_route_prefixes" not in cls.__dict__:
            prefixes: set[str] | None = set()
            for pattern in cls.get_subpage_urls():
                route = getattr(pattern.pattern, "_route", None)
                if route is None or route.startswith("<"):
                    prefixes = None
                    break
                if route:  # "" is the index page itself
                    prefixes.add(route.split("/", 1)[0])
            cls._atelier_route_prefixes = (
                frozenset(prefixes) if prefixes is not None else None
            )
        return cls._atelier_route_prefixes

    def upcoming_workshops(self):
        return self.workshops().filter(end_at__gte=timezone.now()).order_by("start_at")

    def ordered_workshops(self, queryset):
        """Upcoming soonest first, then past ones most recent first, in one query."""
        now = timezone.now()
        return queryset.annotate(
            listed_as_past=Case(
                When(end_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            listed_start=Case(
                When(end_at__gte=now, then=F("start_at")),
                default=Value(None),
                output_field=models.DateTimeField(),
            ),
        ).order_by(
            "listed_as_past", F("listed_start").asc(nulls_last=True), "-start_at", "pk"
        )

    def serve(self, request, view=None, args=None, kwargs=None):
        response = super().serve(request, view, args, kwargs)
        if view is None or getattr(view, "__name__", "") == "index_route":
            cache_page_response(request, response)
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Registration state and places per role for the cards: the confirmed seats
        # come as subqueries of the listing's query (no query of their own).
        from ..cards import attach_card_states, with_seat_counts

        filter_form = WorkshopFilterForm(request.GET or None)
        workshops = self.ordered_workshops(
            with_seat_counts(filter_form.filter_queryset(self.workshops()))
        )
        paginator = Paginator(workshops, get_setting("WAGTAIL_ATELIER_INDEX_PAGE_SIZE"))
        page_number = request.GET.get("page") or 1
        try:
            workshops_page = paginator.page(page_number)
        except (PageNotAnInteger, EmptyPage) as error:
            raise Http404(_("There is no such page of workshops.")) from error
        items = attach_card_states(workshops_page.object_list)
        upcoming = [w for w in items if not w.listed_as_past]
        past = [w for w in items if w.listed_as_past]
        next_workshop = upcoming[0] if upcoming and workshops_page.number == 1 else None
        if next_workshop is not None:
            upcoming = upcoming[1:]
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=filter_form,
            active_filters=filter_form.filters(),
            workshops_page=workshops_page,
            next_workshop=next_workshop,
            upcoming_workshops=upcoming,
            past_workshops=past,
            filter_query=query.urlencode(),
            language_code=self.locale.language_code,
        )
        return context

    @path("ical/", name="ical")
    def ical(self, request):
        # Upcoming workshops and a bounded recent past, with an ETag (ical.py).
        return index_feed_response(request, self)

    @path("json/", name="json_feed")
    def json_feed(self, request):
        # The upcoming workshops with their translations, for other sites of the
        # network (json_feed.py, docs/network-feed.md); ETag and 304 like ical/.
        from ..json_feed import index_json_feed_response

        return index_json_feed_response(request, self)


class WorkshopIndexPage(WorkshopIndexPageMixin, Page):  # noqa: DJ008 (Page has __str__)
    template = "wagtail_atelier/pages/workshop_index_page.html"
    subpage_types = ["wagtail_atelier.WorkshopPage"]

    class Meta:
        verbose_name = _("workshop index")
        verbose_name_plural = _("workshop indexes")


class WorkshopPage(WorkshopPageMixin, Page):  # noqa: DJ008 (Page has __str__)
    template = "wagtail_atelier/pages/workshop_page.html"
    parent_page_types = ["wagtail_atelier.WorkshopIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")),
                name="wagtail_atelier_workshop_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__lte=F("start_at")),
                name="wagtail_atelier_workshop_registration_closes_before_start",
            ),
        ]


# -- one lookup for every workshop page class ---------------------------------------
#
# A site may use its own page classes built on the mixins
# (``class Workshop(WorkshopPageMixin, BasePage)``) next to the shipped
# ``WorkshopPage``, whose table always exists. Nothing outside ``models/`` names a
# concrete class: everything asks these functions, which look at every concrete page
# class built on ``WorkshopPageMixin`` (Wagtail's own page-model registry).


def workshop_page_models() -> list[type[Page]]:
    """Every concrete page class built on :class:`WorkshopPageMixin`: the site's own
    classes first, the shipped ``WorkshopPage`` last (a site that uses its own class
    then finds its pages with the first query)."""
    from wagtail.models import get_page_models

    models_ = [
        model
        for model in get_page_models()
        if issubclass(model, WorkshopPageMixin) and not model._meta.abstract
    ]
    return sorted(models_, key=lambda model: model is WorkshopPage)


def _workshop_querysets(query=None) -> list[models.QuerySet]:
    """One queryset per workshop page class, narrowed by ``query``."""
    querysets = [model.objects.all() for model in workshop_page_models()]
    return [query(qs) for qs in querysets] if query is not None else querysets


def find_workshops(
    query: Callable[[models.QuerySet], models.QuerySet] | None = None,
    *,
    order_by: Sequence[str] = ("start_at", "pk"),
    limit: int | None = None,
) -> list[Page]:
    """Workshop pages of every class, most specific, sorted by ``order_by`` (field
    names, all ascending or all descending with "-") and cut at ``limit``.

    ``query`` narrows each class's queryset (``lambda qs: qs.live().filter(...)``).
    One query per workshop page class.
    """
    descending = order_by[0].startswith("-")
    names = [name.lstrip("-") for name in order_by]
    found: list[Page] = []
    for queryset in _workshop_querysets(query):
        queryset = queryset.order_by(*order_by)
        found.extend(queryset[:limit] if limit is not None else queryset)
    found.sort(
        key=lambda page: tuple(getattr(page, name) for name in names),
        reverse=descending,
    )
    return found[:limit] if limit is not None else found


def workshop_versions(translation_key, *, live: bool = False) -> list[Page]:
    """Every language version of one workshop, most specific, oldest first."""
    for model in workshop_page_models():
        queryset = model.objects.filter(translation_key=translation_key)
        if live:
            queryset = queryset.live()
        versions = list(queryset.select_related("locale").order_by("pk"))
        if versions:
            return versions
    return []


def workshop_version(
    translation_key, language: str | None = None, *, live: bool = False
) -> Page | None:
    """The workshop page of ``translation_key``: the version in ``language`` if there
    is one, else the first live version, else the first (or None)."""
    versions = workshop_versions(translation_key, live=live)
    for page in versions:
        if language and page.locale.language_code == language:
            return page
    for page in versions:
        if page.live:
            return page
    return versions[0] if versions else None


def workshop_keys(query: Callable[[models.QuerySet], models.QuerySet]) -> set:
    """The translation keys of the workshops that ``query`` selects, over every
    workshop page class, in one query."""
    querysets = [
        queryset.order_by().values_list("translation_key", flat=True)
        for queryset in _workshop_querysets(query)
    ]
    combined = (
        querysets[0].union(*querysets[1:]) if len(querysets) > 1 else querysets[0]
    )
    return set(combined)


def workshop_field(field: str, outer_ref: str = "workshop_key"):
    """An expression for a query on another model: ``field`` of the workshop whose
    translation key is in the outer query's ``outer_ref`` (the oldest version)."""
    subqueries = [
        Subquery(
            model.objects.filter(translation_key=OuterRef(outer_ref))
            .order_by("pk")
            .values(field)[:1]
        )
        for model in workshop_page_models()
    ]
    return subqueries[0] if len(subqueries) == 1 else Coalesce(*subqueries)


def workshop_pages(query: Callable[[models.QuerySet], models.QuerySet] | None = None):
    """A plain ``Page`` queryset of the workshops that ``query`` selects over every
    workshop page class, annotated with ``workshop_start_at`` (for choosers and
    filters that need one queryset)."""
    condition = Q()
    for queryset in _workshop_querysets(query):
        condition |= Q(pk__in=queryset.values("pk"))
    return Page.objects.filter(condition).annotate(
        workshop_start_at=workshop_field("start_at", outer_ref="translation_key")
    )
