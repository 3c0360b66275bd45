"""iCalendar (RFC 5545) files for workshops, built with the icalendar library.

Times are written in UTC, each event has a UID shared by all translations of the
workshop, and the online meeting information is never written: for online workshops
LOCATION is the public page URL.

The responses (one workshop's file, an index's feed) answer conditional GETs: each has
an ETag built from what its content depends on, computed without rendering, so a
calendar app that polls the feed gets a 304 until something in it changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from . import __version__
from .conf import get_setting


def workshop_uid(workshop) -> str:
    """The UID of ``workshop`` in every calendar file: the page's own ``.ics``, an
    index's feed and the file attached to the mails, so a person who uses two of
    them gets the event once.

    ``<translation key>.workshop@<domain>``: the translation key is shared by all
    language versions (one event whichever page it came from) and never changes
    with the title or slug. The domain is ``WAGTAIL_ATELIER_ICAL_UID_DOMAIN``, else
    the hostname of the Wagtail site the workshop belongs to (never the request's
    Host header, which differs between a mail task and a visitor, or between the
    names a site is reached under), else ``wagtail-atelier``.
    """
    domain = get_setting("WAGTAIL_ATELIER_ICAL_UID_DOMAIN") or _site_hostname(workshop)
    return f"{workshop.translation_key}.workshop@{domain or 'wagtail-atelier'}"


def _site_hostname(workshop) -> str:
    # The site root paths are cached by Wagtail (no query once warm); the language
    # versions of a workshop live in one site, so all give the same hostname.
    url_parts = workshop.get_url_parts()
    if not url_parts:
        return ""
    root_url = url_parts[1] or ""
    return urlsplit(root_url).hostname or ""


def workshop_event(workshop, request=None) -> Event:
    url = workshop.get_full_url(request)
    event = Event()
    event.add("uid", workshop.get_ical_uid())
    # With METHOD:PUBLISH, DTSTAMP is when this calendar object was made (RFC 5545
    # 3.8.7.2); LAST-MODIFIED tells clients when the workshop itself last changed.
    event.add("dtstamp", timezone.now().astimezone(UTC))
    if workshop.last_published_at:
        event.add("last-modified", workshop.last_published_at.astimezone(UTC))
    event.add("dtstart", workshop.start_at.astimezone(UTC))
    event.add("dtend", workshop.end_at.astimezone(UTC))
    event.add("summary", workshop.title)
    description = "\n\n".join(part for part in (workshop.intro, url) if part)
    event.add("description", description)
    if workshop.has_venue and workshop.address_lines:
        event.add("location", ", ".join(workshop.address_lines))
    elif url:
        event.add("location", url)
    if url:
        event.add("url", url)
    if workshop.contact_email:
        event.add(
            "organizer",
            f"mailto:{workshop.contact_email}",
            parameters={"CN": workshop.contact_name or workshop.contact_email},
        )
    # Raised by every change registrants were told of and by the cancellation
    # (services/change_notices.py): a calendar keeps the entry with the highest.
    event.add("sequence", getattr(workshop, "ical_sequence", 0) or 0)
    cancelled = getattr(workshop, "cancelled_at", None) is not None
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def cancellation_calendar(workshop, *, attendee: str = "") -> Calendar:
    """The iTIP cancellation (RFC 5546 3.2.5) of ``workshop`` sent to a
    registrant: METHOD:CANCEL, the same UID, the raised SEQUENCE and
    STATUS:CANCELLED, so that a calendar that took the entry removes it."""
    calendar = workshops_calendar([workshop], method="CANCEL")
    if attendee:
        for event in calendar.walk("VEVENT"):
            event.add("attendee", f"mailto:{attendee}")
    return calendar


def workshops_calendar(
    workshops: Iterable, request=None, name: str = "", *, method: str = "PUBLISH"
) -> Calendar:
    """A calendar of ``workshops``. METHOD:PUBLISH for the feeds and the mails
    (the entries have no attendees to answer; an update is the same UID with a
    higher SEQUENCE), METHOD:CANCEL for a cancellation."""
    calendar = Calendar()
    calendar.add("prodid", f"-//wagtail-atelier {__version__}//NONSGML//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    calendar.add("x-wr-timezone", get_setting("WAGTAIL_ATELIER_TIME_ZONE"))
    calendar.add(
        "x-wr-caldesc", _("Practice workshops of the Caring Communities network")
    )
    for workshop in workshops:
        calendar.add_component(workshop_event(workshop, request))
    return calendar


ICALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_workshops(index, *, now=None) -> list:
    """The workshops in ``index``'s feed, in one query: the upcoming ones (not ended)
    soonest first, then those that ended in the last ``WAGTAIL_ATELIER_FEED_PAST_DAYS``
    days, most recent first, cut at ``WAGTAIL_ATELIER_FEED_MAX_EVENTS``.

    The window and the cap keep the feed's size and cost independent of the archive;
    the recent past stays so that a subscribed calendar keeps the workshops a person
    just attended instead of dropping them the moment they end.
    """
    now = now or timezone.now()
    past_days = get_setting("WAGTAIL_ATELIER_FEED_PAST_DAYS")
    max_events = get_setting("WAGTAIL_ATELIER_FEED_MAX_EVENTS")
    # No listing images in a calendar: drop the joins the index listing needs.
    queryset = (
        index.workshops()
        .select_related(None)
        .prefetch_related(None)
        .filter(end_at__gte=now - timedelta(days=past_days))
    )
    return list(index.ordered_workshops(queryset)[:max_events])


def _etag(parts: Iterable[object]) -> str:
    # Weak: equal content, not equal bytes (DTSTAMP is the time of the response).
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return f'W/"{digest[:32]}"'


def _common_etag_parts(request: HttpRequest) -> list[object]:
    """What every calendar file depends on besides its workshops: the package version
    (PRODID), the language (the calendar description), the host (URLs and UIDs) and
    the settings written into it."""
    return [
        __version__,
        get_language(),
        request.get_host(),
        get_setting("WAGTAIL_ATELIER_TIME_ZONE"),
        get_setting("WAGTAIL_ATELIER_ICAL_UID_DOMAIN"),
    ]


def _workshop_etag_parts(workshop) -> list[object]:
    # Every change an editor makes reaches the file through a publication, which sets
    # the live revision and last_published_at; the URL path also changes when a
    # parent page's slug does.
    return [
        workshop.pk,
        workshop.live_revision_id,
        workshop.last_published_at,
        workshop.url_path,
        # Changed without a publication (the cancellation, a notified change).
        getattr(workshop, "ical_sequence", 0),
        getattr(workshop, "cancelled_at", None),
    ]


def calendar_response(
    request: HttpRequest,
    build: Callable[[], Calendar],
    *,
    etag: str,
    filename: str,
    disposition: str = "attachment",
    last_modified=None,
) -> HttpResponse:
    """The calendar ``build()`` makes, or a 304 when the request's If-None-Match (or,
    without it, If-Modified-Since) shows the client has it already; ``build`` is only
    called for a 200."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = HttpResponse(build().to_ical(), content_type=ICALENDAR_CONTENT_TYPE)
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if response.status_code in (200, 304):
        response["ETag"] = etag
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
    return response


def workshop_calendar_response(request: HttpRequest, workshop) -> HttpResponse:
    """One workshop's ``.ics`` file (``<workshop>/ical/``), downloaded; no query."""
    etag = _etag(
        [
            *_common_etag_parts(request),
            workshop.translation_key,
            *_workshop_etag_parts(workshop),
        ]
    )
    return calendar_response(
        request,
        lambda: workshops_calendar([workshop], request),
        etag=etag,
        filename=f"{workshop.slug}.ics",
        last_modified=workshop.last_published_at,
    )


def index_feed_response(request: HttpRequest, index) -> HttpResponse:
    """An index's feed (``<index>/ical/``), shown inline for subscription.

    One query for the workshops, whose publication times and URL paths give the ETag.
    No Last-Modified: a workshop that leaves the feed (unpublished, or out of the
    window) makes no date newer, so only the ETag can tell a client that it changed.
    """
    workshops = feed_workshops(index)
    etag = _etag(
        [
            *_common_etag_parts(request),
            get_setting("WAGTAIL_ATELIER_FEED_PAST_DAYS"),
            get_setting("WAGTAIL_ATELIER_FEED_MAX_EVENTS"),
            index.pk,
            index.title,
            index.live_revision_id,
            index.last_published_at,
            *(part for w in workshops for part in _workshop_etag_parts(w)),
        ]
    )
    return calendar_response(
        request,
        lambda: workshops_calendar(
            sorted(workshops, key=lambda workshop: (workshop.start_at, workshop.pk)),
            request,
            name=index.title,
        ),
        etag=etag,
        filename=f"{index.slug}.ics",
        disposition="inline",
    )
