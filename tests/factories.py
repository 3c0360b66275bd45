"""Test data: factory-boy / wagtail-factories factories and a translation helper."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
import pytest
import wagtail_factories
from django.utils import timezone
from wagtail.models import Locale, Page

from tests.testapp.models import ClubWorkshopIndexPage, TeaserPage
from wagtail_atelier.models import (
    Canton,
    WorkshopFormat,
    WorkshopIndexPage,
    WorkshopLanguage,
    WorkshopPage,
)

ZURICH = ZoneInfo("Europe/Zurich")

# A marker that must never leave the database: if it shows up in any public output,
# the online meeting information leaked.
MEETING_MARKER = "SECRET-MEETING-4711"
ONLINE_MEETING_DETAILS = (
    f"https://zoom.example.org/j/{MEETING_MARKER} Meeting-ID 987 654 321, "
    f"Kenncode {MEETING_MARKER}"
)


def zurich(*args: int) -> datetime:
    """An aware datetime in Swiss local time: ``zurich(2023, 10, 30, 14)``."""
    return datetime(*args, tzinfo=ZURICH)


class WorkshopIndexPageFactory(wagtail_factories.PageFactory):
    title = "Praxiswerkstatt"
    slug = factory.Sequence(lambda n: f"praxiswerkstatt-{n}")

    class Meta:
        model = WorkshopIndexPage


#: Run the tests of a module that make workshops under the ``index`` fixture against
#: the shipped page classes and against a site's own built on the mixins
#: (``tests.testapp.models``): ``pytestmark = [..., both_page_classes]``. The
#: parametrisation is done by ``pytest_generate_tests`` in conftest.py.
both_page_classes = pytest.mark.page_classes("shipped", "own")


class ClubWorkshopIndexPageFactory(WorkshopIndexPageFactory):
    """The index of the test app's own page classes (``tests.testapp.models``)."""

    class Meta:
        model = ClubWorkshopIndexPage


class WorkshopPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Praxiswerkstatt {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    end_at = factory.LazyAttribute(lambda o: o.start_at + timedelta(hours=3))
    format = WorkshopFormat.ON_SITE
    venue_name = "Gemeindesaal"
    street = "Tramstrasse 10"
    postcode = "5034"
    town = "Suhr"
    canton = Canton.AG
    workshop_language = WorkshopLanguage.GERMAN
    contact_name = "Anna Muster"
    contact_email = "anna@example.org"
    intro = "Menschen aus Caring Communities beraten sich kollegial."

    class Meta:
        model = WorkshopPage

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Under an index of a site's own classes, a workshop of the class it lists.
        parent = kwargs.get("parent")
        model_class = getattr(parent, "workshop_model", None) or model_class
        return super()._create(model_class, *args, **kwargs)

    class Params:
        # An online workshop: no venue, and meeting information that must stay private.
        online = factory.Trait(
            format=WorkshopFormat.ONLINE,
            venue_name="",
            street="",
            postcode="",
            town="",
            canton="",
            online_meeting_details=ONLINE_MEETING_DETAILS,
        )
        hybrid = factory.Trait(
            format=WorkshopFormat.HYBRID,
            online_meeting_details=ONLINE_MEETING_DETAILS,
        )
        # Ended a year ago.
        past = factory.Trait(
            start_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=365))
        )


class TeaserPageFactory(wagtail_factories.PageFactory):
    title = "Willkommen"
    slug = factory.Sequence(lambda n: f"teaser-{n}")

    class Meta:
        model = TeaserPage


def translate(
    page: Page,
    language_code: str,
    *,
    publish: bool = True,
    revision: bool = True,
    **changes,
):
    """Translate ``page`` the way wagtail-localize does: copy into the locale, change
    the translated fields, publish. Parents missing in the locale are created too.

    ``revision=False`` makes the copy live without a revision, like the factories do:
    enough for the scaffolding of a test (roots, indexes) and much faster."""
    locale = Locale.objects.get(language_code=language_code)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for name, value in changes.items():
        setattr(translated, name, value)
    if publish and not revision:
        translated.live = True
        translated.has_unpublished_changes = False
        translated.save()
    elif publish:
        translated.save_revision().publish()
    else:
        translated.save()
    translated.refresh_from_db()
    return translated


def bulk_create_workshops(index, specs: list[dict]) -> list[WorkshopPage]:
    """Live workshops under ``index``, one per dict of factory arguments, inserted in
    bulk: the rows are what ``add_child`` would write, without the per-page search
    indexing, reference index and log entries that make 500 pages slow to create."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F

    index.refresh_from_db()
    last = index.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    content_type = ContentType.objects.get_for_model(WorkshopPage)
    now = timezone.now()
    workshops = []
    for spec in specs:
        step += 1
        workshop = WorkshopPageFactory.build(parent=index, **spec)
        workshop.clean()  # the model's own rules, and the default end
        workshop.path = Page._get_path(index.path, index.depth + 1, step)
        workshop.depth = index.depth + 1
        workshop.numchild = 0
        workshop.url_path = f"{index.url_path}{workshop.slug}/"
        workshop.draft_title = workshop.title
        workshop.content_type = content_type
        workshop.locale_id = index.locale_id
        workshop.live = True
        workshop.first_published_at = workshop.last_published_at = now
        workshops.append(workshop)
    page_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
    pages = Page.objects.bulk_create(
        [Page(**{name: getattr(w, name) for name in page_fields}) for w in workshops]
    )
    for workshop, page in zip(workshops, pages, strict=True):
        workshop.pk = workshop.page_ptr_id = page.pk
        # raw: only the WorkshopPage table, the Page row exists already.
        workshop.save_base(raw=True, force_insert=True)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(workshops))
    return workshops


# -- registrations ------------------------------------------------------------------


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration made on ``workshop`` (any language version of it):
    ``RegistrationFactory(workshop=page, role="case_presenter", status="waiting")``."""

    class Meta:
        model = "wagtail_atelier.Registration"
        exclude = ["workshop"]

    workshop = None
    workshop_key = factory.LazyAttribute(lambda o: o.workshop.translation_key)
    page = factory.LazyAttribute(lambda o: o.workshop)
    language = factory.LazyAttribute(lambda o: o.workshop.locale.language_code)
    role = "participant"
    status = "confirmed"
    first_name = factory.Sequence(lambda n: f"Vorname{n}")
    last_name = "Muster"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = "Caring Community Suhr"
    town = "Suhr"
    canton = Canton.AG
    languages = factory.LazyFunction(lambda: ["de"])
    case_description = factory.LazyAttribute(
        lambda o: "Wie gewinnen wir Freiwillige?" if o.role == "case_presenter" else ""
    )
    privacy_consent_at = factory.LazyFunction(timezone.now)
    privacy_notice_version = "1"


def registration_data(email: str, role: str = "participant", **overrides) -> dict:
    """Cleaned registration form data, as the view passes it to
    ``services.registration.register``."""
    values = {
        "role": role,
        "first_name": "Zoë",
        "last_name": "Keller",
        "email": email,
        "phone": "",
        "organisation": "Caring Community Suhr",
        "town": "Suhr",
        "canton": "AG",
        "languages": ["de"],
        "case_description": "Wie finden wir Freiwillige?"
        if role == "case_presenter"
        else "",
        "accessibility_needs": "",
        "dietary_note": "",
        "share_contact": False,
    }
    values.update(overrides)
    return values


def registration_form_data(**overrides) -> dict:
    """Valid POST data for the registration form of a page, filled in ten seconds
    ago (past the minimum fill time). An override of ``None`` leaves the field out."""
    import time

    from wagtail_atelier.public.spam import form_started_token

    data = {
        "role": "participant",
        "first_name": "Beatrice",
        "last_name": "Keller",
        "email": "beatrice.keller@example.org",
        "phone": "",
        "organisation": "Caring Community Suhr",
        "town": "Suhr",
        "canton": "AG",
        "languages": ["de"],
        "case_description": "",
        "accessibility_needs": "",
        "dietary_note": "",
        "privacy_consent": "on",
        "website": "",
        "form_started": form_started_token(time.time() - 10),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def lost_link_form_data(**overrides) -> dict:
    import time

    from wagtail_atelier.public.spam import form_started_token

    data = {
        "email": "beatrice.keller@example.org",
        "website": "",
        "form_started": form_started_token(time.time() - 10),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def route(page, name: str, *args) -> str:
    """The URL of one of a page's routes: ``route(workshop, "register")``."""
    return page.url + page.reverse_subpage(name, args=args)


# -- testimonials and host requests -------------------------------------------------


class TestimonialFactory(factory.django.DjangoModelFactory):
    """A testimonial in German, published unless ``live=False``:
    ``TestimonialFactory(role="case_presenter", naming="full_name")``."""

    class Meta:
        model = "wagtail_atelier.Testimonial"

    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="de"))
    live = True
    quote = factory.Sequence(lambda n: f"Wir kommen aus unserer Blase heraus ({n}).")
    naming = "role_only"
    first_name = ""
    last_name = ""
    town = ""
    role = "participant"
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_method = "written"
    consent_text_version = "1"


def translate_snippet(snippet, language_code: str, *, live: bool = True, **changes):
    """A translation of a snippet the way wagtail-localize makes one: a copy in the
    locale with the same translation key, translated fields changed."""
    locale = Locale.objects.get(language_code=language_code)
    translated = snippet.copy_for_translation(locale)
    for name, value in changes.items():
        setattr(translated, name, value)
    translated.live = live
    translated.save()
    return translated


class HostRequestPageFactory(wagtail_factories.PageFactory):
    title = "Ein Praxiswerkstatt bei Ihnen?"
    slug = factory.Sequence(lambda n: f"gastgeber-{n}")
    intro = "<p>Möchten Sie eine Praxiswerkstatt in Ihrer Region durchführen?</p>"

    class Meta:
        model = "wagtail_atelier.HostRequestPage"


class HostRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "wagtail_atelier.HostRequest"

    organisation = factory.Sequence(lambda n: f"Caring Community {n}")
    contact_name = "Regula Gastgeberin"
    email = factory.Sequence(lambda n: f"host{n}@example.org")
    canton = Canton.AG
    region = "Suhr"
    languages = factory.LazyFunction(lambda: ["de"])
    format = "on_site"
    venue = "yes"
    privacy_consent_at = factory.LazyFunction(timezone.now)
    privacy_notice_version = "1"
    language = "de"


def host_request_form_data(**overrides) -> dict:
    """Valid POST data for the host request form, filled in ten seconds ago. An
    override of ``None`` leaves the field out."""
    import time

    from wagtail_atelier.public.spam import form_started_token

    data = {
        "organisation": "Caring Community Suhr",
        "contact_name": "Regula Gastgeberin",
        "email": "regula@example.org",
        "phone": "",
        "canton": "AG",
        "region": "Suhr",
        "preferred_period": "Frühling 2027",
        "languages": ["de"],
        "format": "on_site",
        "venue": "yes",
        "venue_accessibility": "Stufenlos, Bahnhof 5 Minuten",
        "expected_people": "25",
        "message": "Wir freuen uns!",
        "privacy_consent": "on",
        "website": "",
        "form_started": form_started_token(time.time() - 10),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def feedback_form_data(**overrides) -> dict:
    data = {
        "takeaway": "Wir kommen aus unserer Blase heraus.",
        "may_quote": "on",
        "naming": "role_only",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


# -- admin users ---------------------------------------------------------------------


def admin_user(django_user_model, username, *permissions):
    """An English Wagtail admin user in the "Editors" group (pages, no
    registrations), plus ``permissions`` ("app_label.codename")."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.users.models import UserProfile

    user = django_user_model.objects.create_user(username=username, password="x")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    user.groups.add(Group.objects.get(name="Editors"))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user
