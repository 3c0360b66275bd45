"""Development settings of the demo: mails printed to the console, the address the
demo is served on, and DEBUG off unless asked for.

``make demo PORT=8001`` sets ``DEMO_PORT``; the Site record (``load_demo``,
``serve_demo``), the links in mails and the printed URLs all follow it through
``WAGTAILADMIN_BASE_URL``. DEBUG is off, so visitors see the site's own translated
404 page, as in production; ``DJANGO_DEBUG=1 make demo`` turns it on.
"""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DJANGO_DEBUG", "").lower() in {"1", "true", "yes", "on"}

# Development only; production settings read DJANGO_SECRET_KEY from the environment.
SECRET_KEY = "example-site-development-only-not-secret"

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# Where the demo is served (`make demo PORT=...`): the one source of its address.
DEMO_HOST = os.environ.get("DEMO_HOST", "127.0.0.1")
DEMO_PORT = int(os.environ.get("DEMO_PORT", "8000"))
WAGTAILADMIN_BASE_URL = os.environ.get(
    "WAGTAILADMIN_BASE_URL", f"http://{DEMO_HOST}:{DEMO_PORT}"
)

# The development server is one process, so the package's registration throttles
# hold with the default in-memory cache; a deployment needs a shared cache (W001).
SILENCED_SYSTEM_CHECKS = ["wagtail_atelier.W001"]

# Uploaded images and documents are served by the development server even with
# DEBUG off (urls.py); static files by `runserver --insecure` (serve_demo).
SERVE_MEDIA = True

# No Gravatar: the demo (and its screenshots) work without the internet.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Netzwerk Caring Communities <praxiswerkstatt@example.org>"

# With DEBUG off Django prints no traceback of a server error; the demo should.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}
