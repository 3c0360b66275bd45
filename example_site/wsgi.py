"""WSGI entry point: ``gunicorn --chdir example_site wsgi``.

Set ``DJANGO_SETTINGS_MODULE`` to your production settings; the default is the
development settings.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
