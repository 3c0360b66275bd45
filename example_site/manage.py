#!/usr/bin/env python
"""Django's command-line utility for the example site.

Works from the repository root (``python example_site/manage.py ...``) and from
inside ``example_site/``: the site's modules (``settings``, ``home``, ``urls``) are
imported from this file's directory, whatever the working directory.
"""

import os
import sys
from pathlib import Path


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
