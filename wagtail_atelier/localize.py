"""The translation workflow with wagtail-localize.

Two rules, wired by :func:`connect` (``apps.py``) and the ``before_edit_page`` hook
(``wagtail_hooks.py``), active only when wagtail-localize is installed:

**Nothing in the source language goes live in another language.** "Translate this
page" and "Sync translated pages" call
``TranslationSource.create_or_update_translation``, which saves a revision of the
translation, writes a ``TranslationLog`` for it and queues ``revision.publish()`` for
after the commit. The page mixins' ``publish`` asks :func:`holds_back_publication`
first, which keeps that revision a draft when

- the translation is not live yet,
- the revision is one wagtail-localize wrote (it has a ``TranslationLog``),
- some text segment has no translation, so the page would show the source text, and
- the publication is not an editor's "Publish" in the translation editor (marked
  by :func:`editor_publishes`).

A translation whose every text segment is already translated (prepared in the
translation memory, imported from a PO file) is published as wagtail-localize asks:
it shows nothing in the source language. A translation that is already live is
updated by a sync with "Publish immediately" as wagtail-localize does.

Why the page's ``publish``: wagtail-localize has no hook or signal before it
publishes, and its ``WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE`` setting covers
neither the sync nor only our pages. ``Revision.publish`` calls the page's
``publish``, so the mixins decide for every page class built on them.

**The package's own texts arrive translated.** The standard programme and the
default headings (``blocks.package_default_texts``) are in the package's gettext
catalogues in de/fr/it. When wagtail-localize extracts a segment whose source text
is one of them, in the source language, :func:`pre_translate` stores the catalogue's
translation in the target language as the segment's translation, unless the segment
already has one. Editors can still change it in the translation editor.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from .blocks import package_default_texts

#: Tool name stored with the pre-translations; the translation editor shows
#: "Translated with wagtail-atelier on <date>" next to them.
PRE_TRANSLATION_TOOL = "wagtail-atelier"

# The pages an editor is publishing in this request (the translation editor's
# "Publish"), by primary key.
_editor_publishing: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "wagtail_atelier_editor_publishing", default=frozenset()
)


def localize_installed() -> bool:
    return apps.is_installed("wagtail_localize")


# -- drafts until an editor publishes ------------------------------------------------


@contextlib.contextmanager
def editor_publishes(page) -> Iterator[None]:
    """Publications of ``page`` inside this block are an editor's: they are never
    held back (for code that publishes a translation on an editor's behalf)."""
    token = _editor_publishing.set(_editor_publishing.get() | {page.pk})
    try:
        yield
    finally:
        _editor_publishing.reset(token)


def mark_editor_publish(request, page) -> None:
    """``before_edit_page`` hook: the translation editor's "Publish" button posts
    ``action=publish`` to the page's edit view, which wagtail-localize serves. The
    mark lasts until the next request starts (:func:`_clear_marks`): the publication
    runs when the request's transaction commits, which may be after the view."""
    if request.method == "POST" and request.POST.get("action") == "publish":
        _editor_publishing.set(_editor_publishing.get() | {page.pk})


def _clear_marks(**kwargs) -> None:
    # A thread serves many requests: a mark never reaches the next one.
    _editor_publishing.set(frozenset())


def untranslated_segments(source, locale) -> bool:
    """Whether some text segment of ``source`` has no translation in ``locale``."""
    from wagtail_localize.models import StringSegment

    return (
        StringSegment.objects.filter(source=source)
        .annotate_translation(locale)
        .filter(translation__isnull=True)
        .exists()
    )


def holds_back_publication(page, revision) -> bool:
    """Whether publishing ``revision`` of ``page`` must wait for an editor (see the
    module docstring)."""
    if not localize_installed() or page.live or revision is None:
        return False
    if page.pk in _editor_publishing.get():
        return False
    from wagtail_localize.models import TranslationLog

    log = (
        TranslationLog.objects.filter(revision_id=revision.pk)
        .select_related("source", "locale")
        .first()
    )
    if log is None:
        return False
    return untranslated_segments(log.source, log.locale)


# -- pre-translation of the package's own texts ---------------------------------------


@functools.cache
def default_translations(source_language: str, target_language: str) -> dict:
    """{source text: target text} for the package's texts, as wagtail-localize
    stores them (HTML-escaped plain text). Texts a catalogue lacks are left out:
    gettext would give the English message id instead."""
    from wagtail_localize.strings import StringValue

    def in_language(language: str, message: str) -> str | None:
        with translation.override(language):
            text = gettext(message)
        # "Apéritif" is "Apéritif" in French too: the same text is a translation
        # when the catalogue has the message.
        if text == message and not language.startswith("en"):
            if not _in_catalogue(language, message):
                return None
        return text

    mapping = {}
    for message in package_default_texts():
        source = in_language(source_language, message)
        target = in_language(target_language, message)
        if source and target:
            mapping[StringValue.from_plaintext(source).data] = (
                StringValue.from_plaintext(target).data
            )
    return mapping


def _in_catalogue(language: str, message: str) -> bool:
    from django.utils.translation import trans_real

    try:
        return message in trans_real.translation(language)._catalog
    except (AttributeError, TypeError):  # another gettext backend: trust gettext
        return False


def pre_translate(segments, locale) -> int:
    """Store the catalogue translation into ``locale`` of each of ``segments``
    (``StringSegment``) whose text is a package text; return how many were stored.
    Existing translations are kept."""
    from wagtail_localize.models import StringTranslation

    stored = 0
    for segment in segments:
        source_language = segment.source.locale.language_code
        if source_language == locale.language_code:
            continue
        mapping = default_translations(source_language, locale.language_code)
        target = mapping.get(segment.string.data)
        if target is None:
            continue
        _translation, created = StringTranslation.objects.get_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": target,
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "tool_name": PRE_TRANSLATION_TOOL,
            },
        )
        stored += created
    return stored


def _pre_translate_new_translation(sender, instance, **kwargs) -> None:
    # "Translate this page": the segments exist, the Translation record is new.
    if not instance.enabled:
        return
    segments = instance.source.stringsegment_set.select_related(
        "string", "context", "source__locale"
    )
    pre_translate(segments, instance.target_locale)


def _pre_translate_new_segment(sender, instance, created, **kwargs) -> None:
    # A sync found a new segment (the programme was added to the source page).
    from wagtail_localize.models import Translation

    if not created:
        return
    for translation_record in Translation.objects.filter(
        source_id=instance.source_id, enabled=True
    ).select_related("target_locale"):
        pre_translate([instance], translation_record.target_locale)


def connect() -> None:
    """Connect the receivers (``apps.py``); nothing without wagtail-localize."""
    if not localize_installed():
        return
    from django.core.signals import request_started
    from django.db.models.signals import post_save
    from wagtail_localize.models import StringSegment, Translation

    post_save.connect(
        _pre_translate_new_translation,
        sender=Translation,
        dispatch_uid="wagtail_atelier_pre_translate_translation",
    )
    post_save.connect(
        _pre_translate_new_segment,
        sender=StringSegment,
        dispatch_uid="wagtail_atelier_pre_translate_segment",
    )
    request_started.connect(
        _clear_marks, dispatch_uid="wagtail_atelier_clear_editor_publish"
    )
