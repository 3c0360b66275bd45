"""Caching the public pages: the headers of a cacheable page, and the purge of the
frontend cache when what a page shows changes (docs/performance.md, "Caching").

The workshop page and the index are the same for every anonymous visitor: the
per-visitor parts of the registration form (the CSRF token and the signed start time)
are not in the page but fetched by a small script from the workshop's private
``form-token/`` route. So an anonymous GET is sent with
``Cache-Control: public, max-age=WAGTAIL_ATELIER_PAGE_MAX_AGE``.

When ``wagtail.contrib.frontend_cache`` is installed, a seat change (a registration, a
cancellation, a promotion) and the publishing of a workshop purge the workshop's pages
in every language and their indexes once the transaction commits; without it, the
short max-age bounds how long a cache shows the places left. Seats are never decided
from a page: the registration counts them under the workshop's lock.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from .conf import get_setting


def page_max_age() -> int:
    return int(get_setting("WAGTAIL_ATELIER_PAGE_MAX_AGE") or 0)


def cache_page_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Mark the response to a GET of a public page cacheable for anonymous visitors.

    "Anonymous" is read from the request's cookies, never from ``request.user``:
    reading the user opens the session, and Django then adds ``Vary: Cookie``, which
    makes the page uncacheable in practice (every visitor sends other cookies). A
    visitor with a session (an editor) gets a private response, because a site's
    layout may show them personal things (Wagtail's user bar).
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if getattr(request, "is_preview", False):
        return response
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_cache_control(response, private=True)
        return response
    max_age = page_max_age()
    if max_age > 0 and not response.has_header("Cache-Control"):
        patch_cache_control(response, public=True, max_age=max_age)
    return response


# -- purging the frontend cache -----------------------------------------------------


def frontend_cache_installed() -> bool:
    return apps.is_installed("wagtail.contrib.frontend_cache")


def purge_workshop(translation_key) -> None:
    """Purge every live language version of the workshop ``translation_key`` and
    the index above each from the frontend cache, in one batch."""
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Page

    from .models.workshop import workshop_versions

    # Every version, live or not: an unpublished one leaves its index and its URL.
    versions = workshop_versions(translation_key)
    if not versions:
        return
    parent_paths = {page.path[: -page.steplen] for page in versions}
    indexes = Page.objects.live().filter(path__in=parent_paths).specific()
    batch = PurgeBatch()
    batch.add_pages([*versions, *indexes])
    batch.purge()


class _PurgeOnCommit:
    """The commit hook of one workshop's purge; knows whether it has run."""

    def __init__(self, translation_key) -> None:
        self.translation_key = translation_key
        self.done = False

    def __call__(self) -> None:
        self.done = True
        purge_workshop(self.translation_key)


def _queued_purges() -> set:
    """The workshops whose purge is already queued for the current transaction.

    Read from the connection's commit hooks, so that a rollback (which drops the
    hooks) never leaves a workshop marked as queued: 1,000 rows changed in one
    transaction (a retention run) purge once."""
    connection = transaction.get_connection()
    return {
        hook.translation_key
        for _savepoints, hook, *_robust in getattr(connection, "run_on_commit", [])
        if isinstance(hook, _PurgeOnCommit) and not hook.done
    }


def purge_workshop_on_commit(translation_key) -> None:
    """Purge the workshop's pages once the current transaction commits (at once
    outside a transaction); nothing without ``wagtail.contrib.frontend_cache``."""
    if not frontend_cache_installed() or translation_key is None:
        return
    if translation_key in _queued_purges():
        return
    transaction.on_commit(_PurgeOnCommit(translation_key))


# -- receivers (connected in apps.py) -------------------------------------------------


def registration_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """A new registration or a changed status moves the places left."""
    if created or update_fields is None or "status" in update_fields:
        purge_workshop_on_commit(instance.workshop_key)


def registration_deleted(sender, instance, **kwargs):
    purge_workshop_on_commit(instance.workshop_key)


def workshop_published(sender, instance, **kwargs):
    """Publishing or unpublishing a workshop changes its pages in every language
    (synchronised dates and places) and the index that lists it; Wagtail's own
    receiver purges only the page published."""
    from .models.workshop import WorkshopPageMixin

    if isinstance(instance, WorkshopPageMixin):
        purge_workshop_on_commit(instance.translation_key)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished

    from .models import Registration

    post_save.connect(
        registration_saved, sender=Registration, dispatch_uid="atelier_purge_saved"
    )
    post_delete.connect(
        registration_deleted, sender=Registration, dispatch_uid="atelier_purge_deleted"
    )
    page_published.connect(workshop_published, dispatch_uid="atelier_purge_published")
    page_unpublished.connect(
        workshop_published, dispatch_uid="atelier_purge_unpublished"
    )
