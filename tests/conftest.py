import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from wagtail.models import Locale, Page, Site

from .factories import WorkshopIndexPageFactory, translate

# -- Hypothesis profiles --------------------------------------------------------------
# Chosen with HYPOTHESIS_PROFILE (or pytest's --hypothesis-profile); "ci" by default,
# for CI and local runs alike. max_examples is the count of a full-stack fuzz test (a
# request through the whole site per example); a property cheaper or dearer per
# example scales it, ``@settings(max_examples=2 * settings().max_examples)``, so that
# every profile keeps the proportions. No example database, so nothing is written into
# the work tree: a failure prints the example and a @reproduce_failure blob instead.
_COMMON = {
    "deadline": None,  # a loaded machine is no bug
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow],
}
# The default: the same examples on every run, so that a failure in CI is reproducible.
hypothesis_settings.register_profile("ci", max_examples=50, derandomize=True, **_COMMON)
# Quick local iteration: a handful of fresh random examples each run.
hypothesis_settings.register_profile(
    "dev", max_examples=10, derandomize=False, **_COMMON
)
# Before a release or after changing the forms or the planner: the former counts and
# more (500 per full-stack fuzz test, 1000 for the planner's cheap property), fresh
# random examples each run.
hypothesis_settings.register_profile(
    "thorough", max_examples=500, derandomize=False, **_COMMON
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items):
    """A browser test is a slow test: ``-m "not slow"`` leaves the browsers out."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


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
        "fr": translate(root_page, "fr", revision=False),
        "it": translate(root_page, "it", revision=False),
    }


def pytest_generate_tests(metafunc):
    """``both_page_classes``: each test that makes its workshops under ``index`` runs
    once with the shipped page classes and once with the test app's own."""
    marker = metafunc.definition.get_closest_marker("page_classes")
    if marker is not None and "index" in metafunc.fixturenames:
        metafunc.parametrize("index", marker.args, indirect=True)


@pytest.fixture
def index(request, root_page):
    """The workshop index, of the shipped classes unless the module is marked with
    ``tests.factories.both_page_classes``: workshops made under it
    (``WorkshopPageFactory``) are of the class it lists."""
    from .factories import ClubWorkshopIndexPageFactory

    factory_class = {
        "shipped": WorkshopIndexPageFactory,
        "own": ClubWorkshopIndexPageFactory,
    }[getattr(request, "param", "shipped")]
    return factory_class(
        parent=root_page, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )


@pytest.fixture
def indexes(translated_roots, index):
    """The workshop index in German with live French and Italian translations."""
    return {
        "de": index,
        "fr": translate(
            index,
            "fr",
            title="Atelier pratique",
            slug="atelier-pratique",
            revision=False,
        ),
        "it": translate(
            index,
            "it",
            title="Laboratorio pratico",
            slug="laboratorio-pratico",
            revision=False,
        ),
    }


@pytest.fixture
def home_page(root_page):
    return Page.objects.get(pk=root_page.pk)


@pytest.fixture
def teaser_pages(translated_roots):
    """A page of the site (not a workshop) with the teaser block and the template tag,
    in the three languages."""
    from .factories import TeaserPageFactory

    german = TeaserPageFactory(
        parent=translated_roots["de"],
        title="Startseite",
        slug="start",
        body=[("next_workshop", {"heading": "", "propose_page": None})],
    )
    return {
        "de": german,
        "fr": translate(german, "fr", title="Accueil"),
        "it": translate(german, "it", title="Pagina iniziale"),
    }


# -- registration ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _empty_throttle_cache():
    """The registration throttle counts in the default cache (local memory here),
    which outlives a test: every test starts with no submissions counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def notify_each_registration(db):
    """The default site chose a mail to the workshop's contact for each registration
    (the default is one daily digest: ``services/notifications.py``)."""
    from wagtail_atelier.models import AtelierSettings

    from .testapp.tree import site_tree

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:  # flushed by a test that committed (transaction=True)
        site_tree()
        site = Site.objects.get(is_default_site=True)
    return AtelierSettings.objects.update_or_create(
        site=site, defaults={"registration_notifications": "each"}
    )[0]


@pytest.fixture
def workshop(index):
    """A German on-site workshop in a month, registration open: 2 places for case
    presenters, 3 for participants, places left not shown."""
    from .factories import WorkshopPageFactory

    return WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        case_presenter_capacity=2,
        participant_capacity=3,
    )


@pytest.fixture
def workshop_versions(workshop):
    """``workshop`` with live French and Italian versions (one workshop, one set of
    seats). The parents are copied untranslated: cheaper than ``indexes``."""
    return {
        "de": workshop,
        "fr": translate(workshop, "fr", title="Atelier pratique Suhr"),
        "it": translate(workshop, "it", title="Laboratorio pratico Suhr"),
    }


@pytest.fixture
def french_workshop(workshop):
    """The French version of ``workshop`` alone."""
    return translate(workshop, "fr", title="Atelier pratique Suhr")


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST like a browser and run what the request queued for after its commit
    (the mails are sent then): ``submit(route(workshop, "register"), data)``."""

    def submit(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return submit


@pytest.fixture
def users(django_user_model):
    """Admin users: an editor who may not see registrations, one who may see them
    and one who may change them. Modules with more kinds of user define their own."""
    from .factories import admin_user

    return {
        "editor": admin_user(django_user_model, "editor"),
        "viewer": admin_user(
            django_user_model, "viewer", "wagtail_atelier.view_registration"
        ),
        "changer": admin_user(
            django_user_model, "changer", "wagtail_atelier.change_registration"
        ),
    }
