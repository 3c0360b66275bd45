"""Choosing the testimonials a visitor sees, in their language. No request objects.

Only :meth:`TestimonialQuerySet.public` testimonials are ever returned: live, and
whose person has not withdrawn consent.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from uuid import UUID

from django.conf import settings
from django.utils import translation

from ..models.testimonial import Testimonial


def localized(
    translation_keys: Iterable[UUID], language_code: str
) -> list[Testimonial]:
    """The public version of each testimonial, in the order of ``translation_keys``.

    A testimonial is shown in ``language_code`` when that version is live; otherwise
    in the person's own words (the first version created), else in any live
    language. ``is_fallback`` is set on versions in another language, so the
    template marks their ``lang``. One query, whatever the number.
    """
    keys = list(dict.fromkeys(translation_keys))
    if not keys:
        return []
    versions: dict[UUID, list[Testimonial]] = {}
    queryset = (
        Testimonial.objects.public()
        .filter(translation_key__in=keys)
        .select_related("locale")
        .order_by("pk")
    )
    for testimonial in queryset:
        versions.setdefault(testimonial.translation_key, []).append(testimonial)
    chosen = []
    for key in keys:
        candidates = versions.get(key)
        if not candidates:
            continue
        in_language = [t for t in candidates if t.locale.language_code == language_code]
        testimonial = in_language[0] if in_language else candidates[0]
        testimonial.is_fallback = not in_language
        chosen.append(testimonial)
    return chosen


def chosen_testimonials(
    testimonials: Iterable, language_code: str
) -> list[Testimonial]:
    """Testimonials an editor picked (any language version), localised; the ones
    that are unpublished, withdrawn or deleted are left out."""
    return localized(
        [t.translation_key for t in testimonials if t is not None], language_code
    )


def random_testimonials(
    *,
    count: int,
    language_code: str,
    role: str | None = None,
    workshop=None,
) -> list[Testimonial]:
    """Up to ``count`` different public testimonials at random, of ``role`` and from
    ``workshop`` (any language version of it) when given."""
    if count <= 0:
        return []
    queryset = Testimonial.objects.public()
    if role:
        queryset = queryset.filter(role=role)
    if workshop is not None:
        queryset = queryset.filter(workshop__translation_key=workshop.translation_key)
    keys = sorted(set(queryset.order_by().values_list("translation_key", flat=True)))
    picked = secrets.SystemRandom().sample(keys, min(count, len(keys)))
    return localized(picked, language_code)


def context_language(context) -> str:
    """The language of the page being rendered, else the active language."""
    page = context.get("page")
    if page is not None and getattr(page, "locale_id", None):
        return page.locale.language_code
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]
