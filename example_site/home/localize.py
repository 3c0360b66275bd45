"""Translate a page through wagtail-localize with texts written beforehand.

This is what an editor does in the admin ("Translate this page", then the
translation editor), done in code: the translated page is a wagtail-localize
translation that editors keep editing in the translation editor, not a copy.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    SegmentOverride,
    StringSegment,
    StringTranslation,
    TranslationContext,
    TranslationSource,
)
from wagtail_localize.models import (
    Translation as LocalizeTranslation,
)
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments


class SegmentMismatchError(ValueError):
    """The translated texts do not have the structure of the source page."""


def _strings_by_path(segments) -> dict[str, list[str]]:
    by_path: dict[str, list[str]] = defaultdict(list)
    for segment in segments:
        by_path[segment.path].append(segment.string.data)
    return by_path


@transaction.atomic
def translate_page(
    source_page: Page,
    locale: Locale,
    translated_fields: dict,
    overrides: dict[str, object] | None = None,
) -> Page:
    """Create the ``locale`` translation of ``source_page`` and publish it.

    ``translated_fields`` are the translatable fields written in the target language
    with the same structure as the source (same StreamField block ids, same number of
    paragraphs and list items): the segments of an unsaved page holding them are
    matched to the source segments by content path and position, and stored as the
    translations of those segments. ``overrides`` set synchronised fields that may
    differ per language (a town's name), as the translation editor's overrides do.

    The publication runs when the surrounding transaction commits.
    """
    source_page = source_page.specific
    source, _created = TranslationSource.get_or_create_from_instance(source_page)

    # A page in the target language, never saved, only to extract its texts.
    target_page = source_page.specific_class(**translated_fields)
    wanted = _strings_by_path(
        segment
        for segment in extract_segments(target_page)
        if isinstance(segment, StringSegmentValue)
    )

    source_segments = (
        StringSegment.objects.filter(source=source)
        .select_related("string", "context")
        .order_by("order")
    )
    by_path = defaultdict(list)
    for segment in source_segments:
        by_path[segment.context.path].append(segment)

    if set(by_path) != set(wanted) or any(
        len(by_path[path]) != len(wanted[path]) for path in by_path
    ):
        found = {path: len(strings) for path, strings in wanted.items()}
        expected = {path: len(segments) for path, segments in by_path.items()}
        raise SegmentMismatchError(
            f"{source_page.title!r} in {locale.language_code}: the translated texts "
            f"do not match the source structure (expected {expected}, got {found})"
        )

    for path, segments in by_path.items():
        for segment, text in zip(segments, wanted[path], strict=True):
            # Never overwrite a translation an editor has already made.
            StringTranslation.objects.get_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )

    for path, value in (overrides or {}).items():
        context = TranslationContext.objects.get(object=source.object, path=path)
        SegmentOverride.objects.get_or_create(
            locale=locale, context=context, defaults={"data_json": json.dumps(value)}
        )

    translation, _created = LocalizeTranslation.objects.get_or_create(
        source=source, target_locale=locale
    )
    translation.save_target(publish=True)
    return translation.get_target_instance()
