"""Settings of the example site as ``bench/rush.py`` serves it with gunicorn.

The example site's own settings (``example_site/settings/base.py``: its apps, its
layout, URLs under /de/, /fr/, /it/), with what a benchmark needs on top: the
database named by ``ATELIER_RUSH_DATABASE_URL`` (set by the script), no throttles,
no minimum fill time, mails kept in memory (no network), loopback only. Tasks use
the default backend of django-tasks (immediate: mails are sent after the commit,
inside the request), as on a site without a worker.

Needs ``example_site/`` on ``sys.path`` (the script and its gunicorn command put it
there).
"""

import os

import dj_database_url
from settings.base import *  # noqa: F403 (the example site's settings)

SECRET_KEY = "bench-rush-only-not-secret"  # noqa: S105 (loopback benchmark only)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]

DATABASES = {
    # Persistent connections per worker thread, as the example site's production
    # settings use with PostgreSQL.
    "default": dj_database_url.parse(
        os.environ["ATELIER_RUSH_DATABASE_URL"], conn_max_age=600
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # As tests/settings.py and docs/registration.md: IMMEDIATE takes the write lock
    # when a transaction starts, WAL lets readers go on while one writes, and
    # writers queue for up to 20 s instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "Netzwerk Caring Communities <praxiswerkstatt@example.org>"

# Every registrant comes from 127.0.0.1: throttles off, and no fill-time wait (the
# signed start time is still checked and used once).
WAGTAIL_ATELIER_THROTTLE = None
WAGTAIL_ATELIER_MIN_FILL_SECONDS = 0

# The per-process cache warning is about throttles, which are off here.
SILENCED_SYSTEM_CHECKS = ["wagtail_atelier.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Errors (a 500's traceback) reach gunicorn's log file; nothing else.
    "root": {"handlers": ["console"], "level": "ERROR"},
}
