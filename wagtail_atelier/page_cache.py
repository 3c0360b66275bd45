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

import uuid

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


# -- the translations of a page, shared between requests ------------------------------
#
# The language switcher and the alternate links of every public page list the page's
# live translations with their URLs: one query and a URL per language, about a tenth of
# a workshop page's time. The list is kept in Django's default cache per translation
# key (one entry holding the lists of each site), for WAGTAIL_ATELIER_PAGE_MAX_AGE
# seconds at most (what a cache in front of the site may show anyway).
#
# Every entry carries the "generation" of the content it was read from; saving,
# publishing, unpublishing, moving or deleting any page (and saving or deleting a
# testimonial, an image or a document, which the cached fragments of a workshop page
# show) starts a new generation, so all lists are read again. Per page would not be
# enough: a parent's new slug changes its descendants' URLs without a signal for them.
# These change rarely next to the visits, so the cost is one lookup per language after
# an edit. With a cache shared by the site's processes (Redis, memcached, the database)
# the new generation reaches every process; with the per-process local-memory cache the
# others show the old list until it expires.

GENERATION_KEY = "wagtail_atelier:content-generation"


def pages_generation(request=None) -> str:
    """The current generation of what pages show (pages, testimonials, images,
    documents), read once per request. A missing one (never set, or evicted from the
    cache) is started anew, so an eviction can only make entries be read again,
    never bring back old ones."""
    from django.core.cache import cache

    memo = request.__dict__ if request is not None else {}
    if "_atelier_pages_generation" not in memo:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(GENERATION_KEY)
        memo["_atelier_pages_generation"] = generation
    return memo["_atelier_pages_generation"]


def translations_cache_key(translation_key) -> str:
    return f"wagtail_atelier:translations:{translation_key}"


def cached_translations(page, request, site_id, find):
    """``find()`` (a list), kept for ``site_id`` under the page's translation key."""
    from django.core.cache import cache

    max_age = page_max_age()
    if max_age <= 0:
        return find()
    key = translations_cache_key(page.translation_key)
    generation = pages_generation(request)
    entry = cache.get(key)
    if not isinstance(entry, dict) or entry.get("generation") != generation:
        entry = {"generation": generation, "sites": {}}
    if site_id in entry["sites"]:
        return entry["sites"][site_id]
    translations = find()
    entry["sites"][site_id] = translations
    cache.set(key, entry, max_age)
    return translations


def new_generation() -> None:
    """Every shared translations list and page fragment is read again on its next
    use."""
    from django.core.cache import cache

    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def page_changed(sender, instance, **kwargs):
    """A page saved, published, unpublished, moved or deleted (whatever its class):
    its translations' URLs or live state, or its descendants' URLs, may have changed.
    A testimonial, an image or a document saved or deleted: pages quote, show or
    link them (a withdrawn consent must take a quote off at once)."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import Page

    from .models.testimonial import Testimonial

    if isinstance(instance, (Page, Testimonial, AbstractImage, AbstractDocument)):
        new_generation()
        # Once more after the commit: a request that read the old rows meanwhile may
        # have stored them under the new generation.
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(new_generation)


# -- the places left shown on a workshop page -----------------------------------------
#
# The workshop page shows the places left per role: one counting query per view. The
# counts are kept in Django's default cache per workshop for at most
# WAGTAIL_ATELIER_PAGE_MAX_AGE seconds and dropped when a registration of the workshop
# is created, changes status or is deleted (at once and again after the commit). They
# are only shown: seats are always counted afresh under the workshop's lock when
# someone registers.


def seat_counts_cache_key(translation_key) -> str:
    return f"wagtail_atelier:seat-counts:{translation_key}"


def cached_seat_counts(translation_key, count):
    """``count()`` (``{(role, status): n}``), kept under the workshop's key."""
    from django.core.cache import cache

    max_age = page_max_age()
    if max_age <= 0:
        return count()
    key = seat_counts_cache_key(translation_key)
    counts = cache.get(key)
    if not isinstance(counts, dict):
        counts = count()
        cache.set(key, counts, max_age)
    return counts


def drop_seat_counts(translation_key) -> None:
    from django.core.cache import cache

    if translation_key is None:
        return
    key = seat_counts_cache_key(translation_key)
    cache.delete(key)
    # Once more after the commit: a page view that counted the old rows meanwhile
    # may have stored them again.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key))


# -- receivers (connected in apps.py) -------------------------------------------------


def registration_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """A new registration or a changed status moves the places left."""
    if created or update_fields is None or "status" in update_fields:
        drop_seat_counts(instance.workshop_key)
        purge_workshop_on_commit(instance.workshop_key)


def registration_deleted(sender, instance, **kwargs):
    drop_seat_counts(instance.workshop_key)
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
    from wagtail.signals import page_published, page_unpublished, post_page_move

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
    # Any page class: the senders are the concrete classes, so no sender here.
    for signal in (post_save, post_delete, page_published, page_unpublished):
        signal.connect(page_changed, dispatch_uid=f"atelier_translations_{id(signal)}")
    post_page_move.connect(page_changed, dispatch_uid="atelier_translations_moved")
