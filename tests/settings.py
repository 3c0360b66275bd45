"""Test settings: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
import tempfile
from importlib.util import find_spec
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "wagtail_atelier",
    "tests.testapp",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail_modeladmin",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
# The production task backend the docs show, whose worker tests/services/test_mail.py
# runs:
# django-tasks-db (the "worker" extra, for Wagtail 8's django-tasks 0.12), or the
# database backend that django-tasks itself shipped before 0.12 (Wagtail 7).
if find_spec("django_tasks_db"):
    INSTALLED_APPS.append("django_tasks_db")
elif find_spec("django_tasks.backends.database"):
    INSTALLED_APPS += ["django_tasks", "django_tasks.backends.database"]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Workshop pages carry no CSRF token (they are cacheable; a script fetches it): a
# visitor without JavaScript gets the form back to send again, not Django's 403 page.
CSRF_FAILURE_VIEW = "wagtail_atelier.public.csrf.csrf_failure"

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'test.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite set up for concurrent writers, as the docs tell integrators: IMMEDIATE
    # takes the write lock when a transaction starts (no deadlock when a reader turns
    # writer), WAL lets readers go on while one writes, and writers queue for up to
    # 20 s instead of failing with "database is locked". The test database is a file
    # (an in-memory one cannot be shared by the rush test's threads and the live
    # server), one per test run so that parallel runs do not clobber each other.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(
            tempfile.gettempdir(), f"wagtail_atelier_tests_{os.getpid()}.sqlite3"
        )
    }

USE_TZ = True
TIME_ZONE = "Europe/Zurich"
USE_I18N = True
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("ATELIER_TEST_MEDIA_ROOT", str(BASE_DIR / "media"))

WAGTAIL_SITE_NAME = "wagtail-atelier tests"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Wagtail 8's default, spelled out so the test app's migrations also load on Wagtail 7,
# which has no such setting.
WAGTAIL_PAGE_MODEL = "wagtailcore.Page"

# The tests run in one process, where the local-memory cache is shared by every
# request: the warning for production sites (per-process throttles) does not apply.
SILENCED_SYSTEM_CHECKS = ["wagtail_atelier.W001"]

# The organiser named in structured data and on the expired-link page, per language
# (the package's default, the Wagtail site's name, has its own test).
WAGTAIL_ATELIER_ORGANIZER_NAME = {
    "de": "Netzwerk Caring Communities",
    "fr": "Réseau Caring Communities",
    "it": "Rete Caring Communities",
}
