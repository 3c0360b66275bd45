"""Production-like settings whose secret key comes from the environment and is not
set: ``manage.py check --deploy`` must report it, not crash on an import."""

import os

from .settings import *  # noqa: F403

SECRET_KEY = os.environ.get("ATELIER_TEST_SECRET_KEY", "")
DEBUG = False
