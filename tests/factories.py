from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from wagtail_atelier.models import (
    Canton,
    WorkshopFormat,
    WorkshopIndexPage,
    WorkshopLanguage,
    WorkshopPage,
)


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
