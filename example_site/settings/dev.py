"""Development settings: debug on, mails printed to the console."""

from .base import *  # noqa: F403

DEBUG = True

# Development only; production settings read DJANGO_SECRET_KEY from the environment.
SECRET_KEY = "example-site-development-only-not-secret"

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Netzwerk Caring Communities <praxiswerkstatt@example.org>"
