"""Test data: factory-boy / wagtail-factories factories and a translation helper."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
import wagtail_factories
from django.utils import timezone
from wagtail.models import Locale, Page

from tests.testapp.models import TeaserPage
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


def translate(page: Page, language_code: str, *, publish: bool = True, **changes):
    """Translate ``page`` the way wagtail-localize does: copy into the locale, change
    the translated fields, publish. Parents missing in the locale are created too."""
    locale = Locale.objects.get(language_code=language_code)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for name, value in changes.items():
        setattr(translated, name, value)
    if publish:
        translated.save_revision().publish()
    else:
        translated.save()
    translated.refresh_from_db()
    return translated
