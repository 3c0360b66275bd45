"""Other sites' JSON feeds of workshops (docs/network-feed.md): fetched in the
background, kept as the last good copy, read by the pages.

:func:`refresh_network_feeds` fetches each feed of ``WAGTAIL_ATELIER_NETWORK_FEEDS``
with a timeout and a size limit, sends the ETag of the copy it has (a 304 keeps it),
checks what comes back against the feed's schema, and keeps the last good copy when
anything fails. :func:`network_workshops` reads those copies for a template: no
fetch ever happens during a page request.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone

from .. import __version__
from ..conf import get_setting
from ..json_feed import FeedError, validate_feed
from ..models.network import NetworkFeed

logger = logging.getLogger(__name__)


class FetchError(Exception):
    """A feed that could not be fetched or is not a feed; the message says why."""


def configured_feeds() -> list[str]:
    return [str(url) for url in get_setting("WAGTAIL_ATELIER_NETWORK_FEEDS")]


def fetch_feed(url: str, etag: str = "") -> tuple[int, dict | None, str]:
    """``(status, data, etag)``: 200 with the feed, or 304 (``data`` None) when the
    server says the copy of ``etag`` is current. Raises :class:`FetchError`."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError("only http and https feeds are fetched")
    max_bytes = int(get_setting("WAGTAIL_ATELIER_NETWORK_FEED_MAX_BYTES"))
    headers = {
        "Accept": "application/json",
        "User-Agent": f"wagtail-atelier/{__version__}",
    }
    if etag:
        headers["If-None-Match"] = etag
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(  # noqa: S310 (scheme checked above)
            request, timeout=get_setting("WAGTAIL_ATELIER_NETWORK_FEED_TIMEOUT")
        ) as response:
            status = response.status
            body = response.read(max_bytes + 1)
            new_etag = response.headers.get("ETag", "")
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return 304, None, etag
        raise FetchError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"not reached: {reason}") from error
    if status == 304:
        return 304, None, etag
    if len(body) > max_bytes:
        raise FetchError(f"larger than {max_bytes} bytes")
    try:
        data = json.loads(body)
    except ValueError as error:
        raise FetchError("not JSON") from error
    try:
        validate_feed(data)
    except FeedError as error:
        raise FetchError(f"not a workshops feed: {error}") from error
    return status, data, new_etag[:200]


def refresh_feed(url: str, *, now=None) -> NetworkFeed:
    """Fetch one feed and keep it; on failure keep the last good copy and note why."""
    now = now or timezone.now()
    feed, _created = NetworkFeed.objects.get_or_create(url=url)
    try:
        status, data, etag = fetch_feed(url, feed.etag if feed.data else "")
    except FetchError as error:
        # The URL and the reason only: a feed holds no personal data anyway.
        logger.warning("Network feed %s not refreshed: %s", url, error)
        feed.checked_at = now
        feed.last_error = str(error)[:500]
        feed.save(update_fields=["checked_at", "last_error"])
        return feed
    if status != 304:
        feed.data, feed.etag = data, etag
    feed.fetched_at = feed.checked_at = now
    feed.last_error = ""
    feed.save()
    return feed


def refresh_network_feeds() -> list[NetworkFeed]:
    """Refresh every feed of ``WAGTAIL_ATELIER_NETWORK_FEEDS``, one after the other;
    one feed's failure does not stop the others."""
    return [refresh_feed(url) for url in configured_feeds()]


# -- reading the copies ---------------------------------------------------------------


@dataclass(frozen=True)
class NetworkWorkshop:
    """One workshop of another site, in the language chosen for the reader."""

    id: str
    title: str
    url: str
    register_url: str
    start_at: datetime
    end_at: datetime
    language_code: str  # of the text shown
    is_fallback: bool  # not in the reader's language
    workshop_language: str
    online: bool
    town: str
    registration_state: str
    roles: dict
    source: str  # the feed's title (the organisation's index)


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _choose_translation(entry: dict, language_code: str):
    translations = entry.get("translations") or {}
    for code in (language_code, entry.get("workshop_language")):
        if code in translations:
            return code, translations[code]
    if translations:
        code = sorted(translations)[0]
        return code, translations[code]
    return None, None


def network_workshops(
    urls: list[str] | None = None,
    *,
    language_code: str,
    limit: int = 5,
    now=None,
) -> list[NetworkWorkshop]:
    """The next workshops of the copies of ``urls`` (every configured feed when
    None), soonest first, one per workshop, each in ``language_code`` when it is
    translated; those that ended since the last fetch are left out. One query."""
    now = now or timezone.now()
    urls = configured_feeds() if urls is None else urls
    feeds = NetworkFeed.objects.filter(url__in=urls, data__isnull=False).values_list(
        "data", flat=True
    )
    found: dict[str, NetworkWorkshop] = {}
    for data in feeds:
        if not isinstance(data, dict):
            continue
        for entry in data.get("workshops") or []:
            start_at, end_at = _parse(entry.get("start")), _parse(entry.get("end"))
            if start_at is None or end_at is None or end_at < now:
                continue
            code, text = _choose_translation(entry, language_code)
            if text is None or not text.get("url"):
                continue
            place = entry.get("place") or {}
            registration = entry.get("registration") or {}
            found.setdefault(
                entry.get("id") or text["url"],
                NetworkWorkshop(
                    id=entry.get("id", ""),
                    title=text.get("title", ""),
                    url=text["url"],
                    register_url=text.get("register_url") or text["url"],
                    start_at=start_at,
                    end_at=end_at,
                    language_code=code,
                    is_fallback=code != language_code,
                    workshop_language=entry.get("workshop_language", ""),
                    online=bool(entry.get("online")),
                    town=place.get("town", ""),
                    registration_state=registration.get("state", ""),
                    roles=registration.get("roles") or {},
                    source=data.get("title", ""),
                ),
            )
    workshops = sorted(found.values(), key=lambda w: (w.start_at, w.id))
    return workshops[:limit]
