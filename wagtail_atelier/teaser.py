"""The "next workshop" teaser shared by the template tag and the StreamField block."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from .cards import attach_card_states
from .conf import get_setting
from .models import find_workshops
from .sites import current_site, in_site


def find_next_workshop(language_code: str, site=None):
    """The next workshop that has not ended, in ``language_code`` if translated.

    A workshop held in ``language_code`` is preferred when it starts at most
    ``WAGTAIL_ATELIER_TEASER_LANGUAGE_WINDOW`` after the earliest upcoming one, so
    a German visitor is not sent to a workshop held in French when one in German
    follows soon; otherwise the earliest is shown, whatever its language.

    ``site``: only the workshops of that Wagtail site (None: of every site).

    Returns ``(workshop, is_fallback)``. Without a translation in the visitor's
    language, the version in the site's default language is shown (or any version),
    and ``is_fallback`` is true so the template can mark its language.
    """
    now = timezone.now()

    def upcoming(pages):
        if site is not None:
            pages = pages.filter(in_site(site))
        return (
            pages.live()
            .public()
            .filter(end_at__gte=now)
            .select_related("locale", "listing_image")
        )

    found = find_workshops(upcoming, limit=1)
    if not found:
        return None, False
    first = found[0]
    window = get_setting("WAGTAIL_ATELIER_TEASER_LANGUAGE_WINDOW")
    held_in = (language_code or "")[:2]
    if window and first.workshop_language != held_in:
        latest_start = first.start_at + window
        in_language = find_workshops(
            lambda pages: upcoming(pages).filter(
                workshop_language=held_in, start_at__lte=latest_start
            ),
            limit=1,
        )
        if in_language:
            first = in_language[0]
    if first.locale.language_code == language_code:
        return first, False
    versions = {
        page.locale.language_code: page
        for page in upcoming(
            type(first).objects.filter(translation_key=first.translation_key)
        )
    }
    if language_code in versions:
        return versions[language_code], False
    default_language = translation.get_supported_language_variant(
        settings.LANGUAGE_CODE
    )
    return versions.get(default_language, first), True


def next_workshop_context(
    context, heading=None, propose_url=None, all_sites=None
) -> dict:
    """The teaser's context. On an installation with several sites, only the
    workshops of the request's site, unless ``all_sites`` (None: the setting
    ``WAGTAIL_ATELIER_TEASER_ALL_SITES``)."""
    request = context.get("request")
    page = context.get("page")
    if all_sites is None:
        all_sites = get_setting("WAGTAIL_ATELIER_TEASER_ALL_SITES")
    site = None if all_sites else current_site(request)
    language_code = (
        page.locale.language_code
        if page is not None and hasattr(page, "locale_id")
        else translation.get_language()
    ) or settings.LANGUAGE_CODE
    workshop, is_fallback = find_next_workshop(language_code, site=site)
    if workshop is not None:
        # Registration state and places per role (one query).
        attach_card_states([workshop])
    return {
        "request": request,
        "teaser_heading": heading,
        "workshop": workshop,
        "is_fallback": is_fallback,
        "propose_url": propose_url,
        "language_code": language_code,
    }
