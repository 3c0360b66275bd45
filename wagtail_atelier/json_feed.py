"""The index's JSON feed of upcoming workshops (``<index>/json/``), for the websites
of the network's member organisations (docs/network-feed.md).

Read-only and public: what the workshop pages show anyway, in every language the
workshop is published in, and nothing about people (no contact, no meeting
information, no registrations beyond the state of the places per role). The schema
ships with the package (:data:`SCHEMA_PATH`); :func:`validate_feed` checks a feed
against it without any dependency, for the consumer in ``network.py``.

The response answers conditional GETs: its ETag is the digest of the JSON itself, so
it changes with anything the feed says (a publication, a seat taken, registration
opening) and a client that polls gets a 304 until then.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from wagtail.models import Page, PageViewRestriction

from . import __version__
from .conf import get_setting
from .ical import workshop_uid
from .models.choices import WorkshopFormat
from .models.registration import RegistrationRole
from .services.registration import (
    RegistrationState,
    RoleSeats,
    capacity_for,
    registration_state,
)

FEED_FORMAT_VERSION = 1
JSON_CONTENT_TYPE = "application/json"
SCHEMA_PATH = (
    Path(__file__).parent
    / "static"
    / "wagtail_atelier"
    / "schema"
    / "workshops-feed.schema.json"
)

#: What a feed says of one role's places (stable codes).
PLACES_OPEN = "open"
PLACES_WAITING_LIST = "waiting_list"
PLACES_FULL = "full"
PLACES_CLOSED = "closed"


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset of the workshops' time zone."""
    if value is None:
        return None
    from .models.workshop import workshop_time_zone

    return timezone.localtime(value, workshop_time_zone()).isoformat()


def _role_places(workshop, role: str, state: RegistrationState) -> dict:
    from .cards import _seats_attribute

    seats = RoleSeats(
        role=role,
        capacity=capacity_for(workshop, role),
        confirmed=getattr(workshop, _seats_attribute(role)),
        waiting=0,
    )
    if state == RegistrationState.OPEN:
        code = PLACES_WAITING_LIST if seats.is_full else PLACES_OPEN
    else:
        code = PLACES_FULL if seats.is_full else PLACES_CLOSED
    places_left = (
        seats.left if workshop.show_places_left and seats.capacity is not None else None
    )
    return {"state": code, "places_left": places_left}


def feed_workshops(index, *, now=None) -> list:
    """The upcoming workshops of ``index`` (not ended), soonest first, at most
    ``WAGTAIL_ATELIER_FEED_MAX_EVENTS``, with the confirmed seats per role: one
    query."""
    from .cards import with_seat_counts

    now = now or timezone.now()
    queryset = (
        index.workshops()
        .select_related(None)
        .prefetch_related(None)
        .filter(end_at__gte=now)
        .order_by("start_at", "pk")
    )
    limit = get_setting("WAGTAIL_ATELIER_FEED_MAX_EVENTS")
    return list(with_seat_counts(queryset)[:limit])


def published_versions(index, keys) -> dict:
    """The live, public language versions of the workshops ``keys`` whose index is
    live too (else their URL leads nowhere), by translation key: two queries."""
    restricted = PageViewRestriction.objects.filter(page_id=OuterRef("pk"))
    versions = list(
        index.workshop_model.objects.filter(translation_key__in=keys)
        .live()
        .filter(~Exists(restricted))
        .select_related("locale")
        .order_by("pk")
    )
    parent_paths = {page.path[: -page.steplen] for page in versions}
    live_parents = set(
        Page.objects.filter(path__in=parent_paths, live=True)
        .filter(~Exists(PageViewRestriction.objects.filter(page_id=OuterRef("pk"))))
        .values_list("path", flat=True)
    )
    by_key: dict = {}
    for page in versions:
        if page.path[: -page.steplen] in live_parents:
            by_key.setdefault(page.translation_key, []).append(page)
    return by_key


def _translation(page, request) -> dict[str, Any]:
    url = page.get_full_url(request)
    return {
        "title": page.title,
        "intro": page.intro,
        "cost_note": page.cost_note,
        "url": url,
        "register_url": f"{url}#registration",
        "ical_url": f"{url}ical/",
    }


def workshop_entry(workshop, versions: list, request, now=None) -> dict[str, Any]:
    state = registration_state(workshop, now)
    place = None
    if workshop.has_venue:
        place = {
            "venue": workshop.venue_name,
            "street": workshop.street,
            "postcode": workshop.postcode,
            "town": workshop.town,
            "canton": workshop.canton,
        }
    return {
        "id": str(workshop.translation_key),
        "uid": workshop_uid(workshop),
        "start": _iso(workshop.start_at),
        "end": _iso(workshop.end_at),
        "format": workshop.format,
        # Whether one can take part online (online or hybrid).
        "online": workshop.format != WorkshopFormat.ON_SITE,
        "place": place,
        "workshop_language": workshop.workshop_language,
        "free": workshop.is_free,
        "registration": {
            "state": str(state),
            "opens_at": _iso(workshop.registration_opens_at),
            "closes_at": _iso(workshop.registration_closes_at or workshop.start_at),
            "roles": {
                role: _role_places(workshop, role, state)
                for role in RegistrationRole.values
            },
        },
        "translations": {
            page.locale.language_code: _translation(page, request) for page in versions
        },
    }


def feed_payload(request: HttpRequest, index, *, now=None) -> dict[str, Any]:
    """The feed of ``index`` as a dict; three queries whatever the workshops."""
    now = now or timezone.now()
    workshops = feed_workshops(index, now=now)
    versions = published_versions(index, [w.translation_key for w in workshops])
    index_url = index.get_full_url(request)
    return {
        "format_version": FEED_FORMAT_VERSION,
        "generator": f"wagtail-atelier {__version__}",
        "language": index.locale.language_code,
        "title": index.title,
        "url": index_url,
        "ical_url": f"{index_url}ical/" if index_url else None,
        "time_zone": get_setting("WAGTAIL_ATELIER_TIME_ZONE"),
        "workshops": [
            workshop_entry(
                workshop, versions.get(workshop.translation_key, []), request, now
            )
            for workshop in workshops
        ],
    }


def index_json_feed_response(request: HttpRequest, index) -> HttpResponse:
    """``<index>/json/``: the feed, or a 304 when the client's If-None-Match names
    the same content."""
    content = json.dumps(
        feed_payload(request, index), ensure_ascii=False, separators=(",", ":")
    ).encode()
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(content, content_type=JSON_CONTENT_TYPE)
    if response.status_code in (200, 304):
        response["ETag"] = etag
        max_age = int(get_setting("WAGTAIL_ATELIER_JSON_FEED_MAX_AGE") or 0)
        patch_cache_control(response, public=True, max_age=max_age)
        # Public data meant for other sites, also from their visitors' browsers.
        response["Access-Control-Allow-Origin"] = "*"
    return response


# -- validation without a dependency (the consumer's check) --------------------------


class FeedError(ValueError):
    """A feed that does not follow the schema; the message says where."""


def validate_feed(data: Any, schema: dict | None = None) -> None:
    """Check ``data`` against the shipped JSON Schema; raise :class:`FeedError`.

    Covers the keywords the schema uses (type, required, properties,
    additionalProperties, enum, const, items, minimum, pattern, format date-time,
    $ref to $defs), which is all a consumer needs to trust a feed; the tests check
    the feed with the ``jsonschema`` library as well.
    """
    schema = schema or load_schema()
    _check(data, schema, schema, "$")


_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def _check(value, schema: dict, root: dict, where: str) -> None:
    import re

    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root["$defs"][name]
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(_is_type(value, name) for name in names):
            raise FeedError(f"{where}: expected {' or '.join(names)}")
    if "const" in schema and value != schema["const"]:
        raise FeedError(f"{where}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise FeedError(f"{where}: not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise FeedError(f"{where}: does not match {schema['pattern']}")
        if schema.get("format") == "date-time":
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                raise FeedError(f"{where}: not a date and time with an offset")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise FeedError(f"{where}: longer than {schema['maxLength']}")
    if _is_type(value, "number") and "minimum" in schema:
        if value < schema["minimum"]:
            raise FeedError(f"{where}: below {schema['minimum']}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                raise FeedError(f"{where}: {name} is missing")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                _check(item, properties[name], root, f"{where}.{name}")
            elif extra is False:
                raise FeedError(f"{where}: unexpected {name}")
            elif isinstance(extra, dict):
                _check(item, extra, root, f"{where}.{name}")
        pattern_names = schema.get("propertyNames")
        if pattern_names:
            for name in value:
                _check(name, pattern_names, root, f"{where}[{name!r}]")
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            raise FeedError(f"{where}: fewer than {schema['minProperties']} entries")
    if isinstance(value, list) and "items" in schema:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise FeedError(f"{where}: more than {schema['maxItems']} items")
        for position, item in enumerate(value):
            _check(item, schema["items"], root, f"{where}[{position}]")
