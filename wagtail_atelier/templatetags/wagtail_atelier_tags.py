from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_info, gettext
from wagtail.models import Site

from ..models.workshop import workshop_time_zone
from ..page_cache import cached_translations, page_max_age, pages_generation
from ..services.testimonial import (
    chosen_testimonials,
    context_language,
    random_testimonials,
)
from ..structured_data import json_ld_script
from ..teaser import next_workshop_context

register = template.Library()

# Django's own DATE_FORMAT gives "05 ottobre" in Italian and no weekday; workshops are
# announced as "lundi 30 octobre 2023", "Montag, 30. Oktober 2023".
LONG_DATE_FORMATS = {"de": "l, j. F Y", "fr": "l j F Y", "it": "l j F Y"}
DATE_FORMATS = {"de": "j. F Y", "fr": "j F Y", "it": "j F Y"}


def _in_workshop_zone(value):
    return timezone.localtime(value, workshop_time_zone())


@register.filter
def atelier_date(value, style: str = "") -> str:
    """A workshop date in the active language and the workshop time zone.

    ``{{ page.start_at|atelier_date }}`` gives "30 octobre 2023";
    ``{{ page.start_at|atelier_date:"long" }}`` adds the weekday.
    """
    if not value:
        return ""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    formats = LONG_DATE_FORMATS if style == "long" else DATE_FORMATS
    local = _in_workshop_zone(value)
    if language not in formats:
        return date_format(local, "DATE_FORMAT")
    formatted = format_date(local, formats[language])
    # Italian month and day names are written in lower case ("30 ottobre 2023").
    return formatted.lower() if language == "it" else formatted


@register.filter
def atelier_time(value) -> str:
    """A workshop time, 24-hour clock in the workshop time zone: "14:00"."""
    if not value:
        return ""
    return format_date(_in_workshop_zone(value), "H:i")


@register.inclusion_tag(
    "wagtail_atelier/includes/next_workshop.html", takes_context=True
)
def next_workshop_teaser(context, heading=None, propose_url=None, all_sites=None):
    """``{% next_workshop_teaser heading="..." propose_url="/fr/accueillir/" %}``;
    ``all_sites=True`` shows the next workshop of every site of the installation,
    not only of the request's site."""
    return next_workshop_context(
        context, heading=heading, propose_url=propose_url, all_sites=all_sites
    )


@register.inclusion_tag(
    "wagtail_atelier/includes/network_workshops.html", takes_context=True
)
def atelier_network_workshops(context, url=None, limit=5, heading=None):
    """``{% atelier_network_workshops url="https://…/json/" limit=3 %}``: the next
    workshops of another site's JSON feed (every feed of
    ``WAGTAIL_ATELIER_NETWORK_FEEDS`` without ``url``), from the copy that
    ``manage.py atelier_fetch_network_feeds`` keeps: never fetched here."""
    from ..services.network import network_workshops

    page = context.get("page")
    language_code = (
        page.locale.language_code
        if page is not None and hasattr(page, "locale_id")
        else get_language()
    ) or settings.LANGUAGE_CODE
    workshops = network_workshops(
        [url] if url else None, language_code=language_code, limit=int(limit)
    )
    digest = hashlib.sha256(f"{url}|{limit}".encode()).hexdigest()[:8]
    return {
        "request": context.get("request"),
        "network_heading": heading,
        "network_workshops": workshops,
        "heading_id": f"atelier-network-{digest}",
    }


def _translations(page, request=None):
    if page is None or not hasattr(page, "get_translations"):
        return []
    # The language switcher and the alternate links of a page need the same list: look
    # it up once per request, not once per tag, and share it between requests
    # (page_cache.cached_translations; never for a preview).
    cache = request.__dict__.setdefault("_atelier_translations", {}) if request else {}
    key = (page.pk, page.translation_key)
    if key not in cache:
        if request is None or getattr(request, "is_preview", False):
            cache[key] = _find_translations(page, request)
        else:
            site = Site.find_for_request(request)
            cache[key] = cached_translations(
                page,
                request,
                site.pk if site else None,
                lambda: _find_translations(page, request),
            )
    return [{**item, "is_current": item["pk"] == page.pk} for item in cache[key]]


def _find_translations(page, request=None):
    versions = page.get_translations(inclusive=True).live().select_related("locale")
    order = [code for code, _name in settings.LANGUAGES]
    result = []
    for version in versions:
        code = version.locale.language_code
        url = version.get_url(request)
        if url is None:
            continue
        result.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "pk": version.pk,
            }
        )
    result.sort(
        key=lambda item: order.index(item["code"]) if item["code"] in order else 99
    )
    return result


@register.inclusion_tag(
    "wagtail_atelier/includes/language_switcher.html", takes_context=True
)
def atelier_language_switcher(context, page=None):
    """Links to the live translations of the page, and only those. On one of the
    page's routes (a self-service page), each link leads to the same route of the
    translation, so switching language keeps the visitor where they are."""
    page = page or context.get("page")
    request = context.get("request")
    translations = _translations(page, request)
    suffix = _route_suffix(page, request)
    for item in translations:
        item["url"] += suffix
    return {"translations": translations, "request": request}


def _route_suffix(page, request) -> str:
    """The part of the request's path after ``page``'s URL when it is one of the
    page's routes (``registration/<token>/``), else "". Every language version has
    the same routes, and a secret link is valid on each (it is tied to the
    workshop's translation key), so the suffix fits every translation. The query
    string is dropped."""
    if page is None or request is None or not hasattr(page, "resolve_subpage"):
        return ""
    page_url = page.get_url(request)
    if not page_url:
        return ""
    page_path = urlsplit(page_url).path
    if not request.path.startswith(page_path) or request.path == page_path:
        return ""
    suffix = request.path[len(page_path) :]
    try:
        page.resolve_subpage("/" + suffix)
    except Http404:
        return ""
    return suffix


@register.inclusion_tag(
    "wagtail_atelier/includes/alternate_links.html", takes_context=True
)
def atelier_alternate_links(context, page=None):
    """``<link rel="alternate" hreflang>`` for each live translation, for the <head>."""
    page = page or context.get("page")
    request = context.get("request")
    translations = _translations(page, request)
    for item in translations:
        item["full_url"] = (
            request.build_absolute_uri(item["url"]) if request else item["url"]
        )
    return {"translations": translations}


@register.simple_tag(takes_context=True)
def workshop_structured_data(context, workshop=None):
    """The schema.org Event JSON-LD ``<script>`` of a workshop page."""
    workshop = workshop or context.get("page")
    return json_ld_script(workshop.structured_data(context.get("request")))


@register.simple_tag(takes_context=True)
def atelier_fragment_cache(context) -> dict:
    """How long and by what the parts of a page that are the same for every visitor
    are cached as fragments: ``{% atelier_fragment_cache as fragment_cache %}
    {% wagtailpagecache fragment_cache.max_age "name" fragment_cache.generation %}``.
    At most WAGTAIL_ATELIER_PAGE_MAX_AGE seconds (what a cache in front of the site
    shows anyway; 0: not cached), and read again once any page, testimonial, image or
    document changed (``page_cache.pages_generation``)."""
    return {
        "max_age": page_max_age(),
        "generation": pages_generation(context.get("request")),
    }


@register.simple_tag
def atelier_role_notes(seats) -> dict:
    """``{role: note}`` for roles that are full, shown next to the role choice so
    people know before sending that they will join the waiting list."""
    return {
        role: gettext("fully booked: you will join the waiting list")
        for role, role_seats in (seats or {}).items()
        if role_seats.is_full
    }


@register.inclusion_tag(
    "wagtail_atelier/includes/testimonials.html", takes_context=True
)
def atelier_testimonials(
    context, count=1, role=None, workshop=None, testimonial=None, heading=None
):
    """Published testimonials in the page's language, at random:
    ``{% atelier_testimonials count=2 role="case_presenter" %}``; only those from a
    workshop (any language version): ``{% atelier_testimonials workshop=page %}``;
    one given testimonial: ``{% atelier_testimonials testimonial=quote %}``."""
    language_code = context_language(context)
    if testimonial is not None:
        testimonials = chosen_testimonials([testimonial], language_code)
    else:
        testimonials = random_testimonials(
            count=int(count or 0),
            role=role or None,
            workshop=workshop,
            language_code=language_code,
        )
    return {
        "request": context.get("request"),
        "testimonials": testimonials,
        "testimonials_heading": heading,
        "testimonials_id": "testimonials-tag",
        "language_code": language_code,
    }
