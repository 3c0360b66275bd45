"""The example site's WSGI application as ``bench/rush.py`` serves it.

With ``ATELIER_RUSH_CONTROL=no-lock`` (``rush.py --control``) the registration
service's seat lock is switched off in each worker, so the rush's checks must see
overbooking on PostgreSQL: the proof that they can fail. Never for a real site.
"""

import os

from wsgi import application  # the example site's (example_site/ on sys.path)

if os.environ.get("ATELIER_RUSH_CONTROL") == "no-lock":
    from wagtail_atelier.services import registration as _services

    if not hasattr(_services, "lock_workshop"):
        raise RuntimeError(
            "no lock_workshop() in the registration service to switch off"
        )
    _services.lock_workshop = lambda workshop_key: None

__all__ = ["application"]
