import pytest
from wagtail.models import Locale, Page, Site

from .factories import WorkshopIndexPageFactory, translate


@pytest.fixture
def locales(db):
    """The three content languages, German first (the default)."""
    return {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code in ("de", "fr", "it")
    }


@pytest.fixture
def root_page(locales):
    """The default site's root page, in German."""
    site = Site.objects.get(is_default_site=True)
    root = site.root_page.specific
    if root.locale_id != locales["de"].pk:
        root.locale = locales["de"]
        root.save()
    return root


@pytest.fixture
def translated_roots(root_page, locales):
    """The site root in the three languages, all live (i18n URLs /de/, /fr/, /it/)."""
    return {
        "de": root_page,
        "fr": translate(root_page, "fr"),
        "it": translate(root_page, "it"),
    }


@pytest.fixture
def index(root_page):
    return WorkshopIndexPageFactory(
        parent=root_page, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )


@pytest.fixture
def indexes(translated_roots, index):
    """The workshop index in German with live French and Italian translations."""
    return {
        "de": index,
        "fr": translate(index, "fr", title="Atelier pratique", slug="atelier-pratique"),
        "it": translate(
            index, "it", title="Laboratorio pratico", slug="laboratorio-pratico"
        ),
    }


@pytest.fixture
def home_page(root_page):
    return Page.objects.get(pk=root_page.pk)
