import pytest
from wagtail.models import Locale, Page, Site

from .factories import WorkshopIndexPageFactory


@pytest.fixture
def locales(db):
    """The three content languages, German first (the default)."""
    de = Locale.objects.get_or_create(language_code="de")[0]
    fr = Locale.objects.get_or_create(language_code="fr")[0]
    it = Locale.objects.get_or_create(language_code="it")[0]
    return {"de": de, "fr": fr, "it": it}


@pytest.fixture
def root_page(locales):
    """The default site's root page (German), with French and Italian translations."""
    site = Site.objects.get(is_default_site=True)
    root = site.root_page.specific
    if root.locale != locales["de"]:
        root.locale = locales["de"]
        root.save()
    return root


@pytest.fixture
def index(root_page):
    return WorkshopIndexPageFactory(parent=root_page, title="Praxiswerkstatt", slug="praxiswerkstatt")


@pytest.fixture
def translated_roots(root_page, locales):
    return {
        "de": root_page,
        "fr": root_page.copy_for_translation(locales["fr"]),
        "it": root_page.copy_for_translation(locales["it"]),
    }


@pytest.fixture
def home_page(root_page):
    return Page.objects.get(pk=root_page.pk)
