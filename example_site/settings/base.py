"""Settings shared by every environment of the example site.

The example site is what an organisation of the network would write to run
wagtail-atelier in its own Wagtail site: German, French and Italian content
translated with wagtail-localize, URLs prefixed with the language, and the package's
templates rendered inside the site's own layout.
"""

import os
from pathlib import Path

# example_site/
BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [
    host for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host
]

INSTALLED_APPS = [
    "home",
    "wagtail_atelier",
    # wagtail_localize.locales replaces wagtail.locales: do not install both.
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

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: picks the language from the URL prefix.
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

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Site templates come first, so templates/wagtail_atelier/base.html overrides
        # the package's own base template.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ]
        },
    }
]


# Database: SQLite next to this project unless DATABASE_URL is set
# (for example postgres://user:password@localhost:5432/atelier).

if os.environ.get("DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.config(conn_max_age=600)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {
                # Django 5.1+: take the write lock when a transaction starts, so two
                # concurrent writers wait (busy_timeout) instead of failing with
                # "database is locked" when a read transaction is upgraded.
                "transaction_mode": "IMMEDIATE",
                # WAL lets readers and the writer work at the same time; NORMAL is
                # safe with WAL and much faster than FULL.
                "init_command": (
                    "PRAGMA journal_mode=WAL; "
                    "PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Wagtail 8's default, spelled out so the home app's migration also loads on Wagtail 7.
WAGTAIL_PAGE_MODEL = "wagtailcore.Page"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Languages: the network publishes in German, French and Italian; German is the
# default and the language pages are first written in, unless a page says otherwise.

LANGUAGE_CODE = "de"
LANGUAGES = [
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("it", "Italiano"),
]
USE_I18N = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Editors may also work in an English admin.
WAGTAILADMIN_PERMITTED_LANGUAGES = [*LANGUAGES, ("en", "English")]

TIME_ZONE = "Europe/Zurich"
USE_TZ = True


# Static files and uploads

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"


# Wagtail

WAGTAIL_SITE_NAME = "Caring Communities"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]


# wagtail-atelier

WAGTAIL_ATELIER_ORGANIZER_NAME = "Netzwerk Caring Communities"
WAGTAIL_ATELIER_TIME_ZONE = "Europe/Zurich"
