"""iCalendar (RFC 5545) files for workshops, built with the icalendar library.

Times are written in UTC, each event has a UID shared by all translations of the
workshop, and the online meeting information is never written: for online workshops
LOCATION is the public page URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from . import __version__
from .conf import get_setting


def workshop_event(workshop, request=None) -> Event:
    url = workshop.get_full_url(request)
    event = Event()
    event.add("uid", workshop.get_ical_uid(request))
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
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def workshops_calendar(workshops: Iterable, request=None, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//wagtail-atelier {__version__}//NONSGML//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
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
