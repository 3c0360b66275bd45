"""schema.org Event data (JSON-LD) for workshop pages.

Never includes the online meeting information: an online workshop's VirtualLocation is
its public page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from wagtail.models import Site

from .conf import get_setting
from .models.choices import WorkshopFormat

ATTENDANCE_MODES = {
    WorkshopFormat.ON_SITE: "https://schema.org/OfflineEventAttendanceMode",
    WorkshopFormat.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    WorkshopFormat.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}

# Same escaping as django.utils.html.json_script: nothing in the data can close the
# <script> element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def organizer_name(workshop, request=None) -> str:
    """The organiser's name in the language of ``workshop``'s page.

    ``WAGTAIL_ATELIER_ORGANIZER_NAME`` is a string (the same in every language) or a
    dict by language code (``{"de": "Netzwerk Caring Communities", "fr": "Réseau
    Caring Communities"}``); a language missing from the dict takes the site's
    default language, then the first entry. Empty (the default): the name of the
    Wagtail site the page belongs to.
    """
    setting = get_setting("WAGTAIL_ATELIER_ORGANIZER_NAME")
    if isinstance(setting, Mapping):
        language = workshop.locale.language_code
        default = translation.get_supported_language_variant(settings.LANGUAGE_CODE)
        for code in (language, language[:2], default, default[:2]):
            if setting.get(code):
                return str(setting[code])
        setting = next((str(value) for value in setting.values() if value), "")
    if setting:
        return str(setting)
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = workshop.get_site()
    return site.site_name if site is not None and site.site_name else ""


def workshop_event(workshop, request=None) -> dict:
    url = workshop.get_full_url(request)
    locations: list[dict] = []
    if workshop.has_venue:
        address = {
            "@type": "PostalAddress",
            "streetAddress": workshop.street,
            "postalCode": workshop.postcode,
            "addressLocality": workshop.town,
            "addressRegion": workshop.canton,
            "addressCountry": "CH",
        }
        locations.append(
            {
                "@type": "Place",
                "name": workshop.venue_name or workshop.town,
                "address": {key: value for key, value in address.items() if value},
            }
        )
    if workshop.format != WorkshopFormat.ON_SITE:
        locations.append({"@type": "VirtualLocation", "url": url})

    organizer = {"@type": "Organization", "name": organizer_name(workshop, request)}
    if organizer_url := get_setting("WAGTAIL_ATELIER_ORGANIZER_URL"):
        organizer["url"] = organizer_url
    if workshop.contact_email:
        organizer["email"] = workshop.contact_email

    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": workshop.title,
        "startDate": workshop.start_local.isoformat(),
        "endDate": workshop.end_local.isoformat(),
        "eventStatus": (
            "https://schema.org/EventCancelled"
            if getattr(workshop, "cancelled_at", None) is not None
            else "https://schema.org/EventScheduled"
        ),
        "eventAttendanceMode": ATTENDANCE_MODES[workshop.format],
        "location": locations[0] if len(locations) == 1 else locations,
        "inLanguage": workshop.workshop_language,
        "isAccessibleForFree": workshop.is_free,
        "organizer": organizer,
        "url": url,
    }
    if workshop.intro or workshop.search_description:
        data["description"] = workshop.search_description or workshop.intro
    if workshop.is_free:
        offer = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "CHF",
            "availability": "https://schema.org/InStock",
            "url": url,
        }
        if workshop.registration_opens_at:
            offer["validFrom"] = workshop.registration_opens_at.isoformat()
        data["offers"] = offer
    if workshop.listing_image_id and request is not None:
        rendition = workshop.listing_image.get_rendition("fill-1200x630")
        data["image"] = request.build_absolute_uri(rendition.url)
    return data


def json_ld_script(data: dict) -> SafeString:
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', SafeString(payload)
    )
