"""Feedback after a workshop, and the testimonials it produces. No request objects.

1. :func:`send_due_feedback_requests` mails, once, every person marked as attended
   (confirmed) a link to a short form, ``WAGTAIL_ATELIER_FEEDBACK_DAYS`` days after
   the workshop ended.
2. :func:`answer` stores the answer; with consent to be quoted it also creates a
   *draft* testimonial in the person's language, for editors to review, translate
   and publish.
3. :func:`withdraw_consent` (same secret link) deletes every language version of
   that testimonial, with its revisions and its wagtail-localize sources, strings and
   translations (:func:`delete_testimonials`), and blanks the answer's text: only the
   fact and the date of the withdrawal are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Locale, ModelLogEntry
from wagtail.search import index

from ..conf import get_setting
from ..models.mail import MailKind
from ..models.registration import Registration, RegistrationStatus
from ..models.testimonial import (
    ConsentMethod,
    FeedbackAnswer,
    FeedbackRequest,
    Naming,
    Testimonial,
)
from ..models.workshop import workshop_keys, workshop_version
from .mail import queue_mail

CONSENT_WITHDRAWN_ACTION = "wagtail_atelier.testimonial.consent_withdrawn"
DRAFT_FROM_FEEDBACK_ACTION = "wagtail_atelier.testimonial.from_feedback"


class AlreadyAnsweredError(Exception):
    pass


@dataclass(frozen=True)
class AnswerResult:
    answer: FeedbackAnswer
    testimonial: Testimonial | None


# -- links --------------------------------------------------------------------------


def live_workshop_version(workshop_key, language: str):
    """The live workshop page in ``language``, else any live version, else None."""
    return workshop_version(workshop_key, language, live=True)


def feedback_url(feedback_request: FeedbackRequest, workshop=None) -> str:
    """The secret link to the feedback form (and to withdrawing consent)."""
    workshop = workshop or live_workshop_version(
        feedback_request.workshop_key, feedback_request.language
    )
    if workshop is None:
        return ""
    return (workshop.get_full_url() or "") + workshop.reverse_subpage(
        "feedback", args=[feedback_request.token]
    )


# -- 1. the mail ----------------------------------------------------------------------


def due_registrations(now: datetime | None = None):
    """Attended, confirmed registrations of workshops that ended between
    ``FEEDBACK_DAYS`` and ``FEEDBACK_DAYS + FEEDBACK_WINDOW_DAYS`` days ago, not
    asked yet."""
    now = now or timezone.now()
    ended_before = now - timedelta(days=get_setting("WAGTAIL_ATELIER_FEEDBACK_DAYS"))
    ended_after = ended_before - timedelta(
        days=get_setting("WAGTAIL_ATELIER_FEEDBACK_WINDOW_DAYS")
    )
    keys = workshop_keys(
        lambda pages: pages.live().filter(
            end_at__lte=ended_before, end_at__gt=ended_after
        )
    )
    return Registration.objects.filter(
        workshop_key__in=list(keys),
        status=RegistrationStatus.CONFIRMED,
        attended_at__isnull=False,
        feedback_request__isnull=True,
    )


def send_due_feedback_requests(now: datetime | None = None) -> int:
    """Queue the feedback mail of every due registration; each gets one, once,
    however often this runs (the request row is unique per registration)."""
    sent = 0
    for pk in list(due_registrations(now).values_list("pk", flat=True)):
        with transaction.atomic():
            registration = Registration.objects.get(pk=pk)
            try:
                with transaction.atomic():
                    feedback_request = FeedbackRequest.objects.create(
                        registration=registration,
                        workshop_key=registration.workshop_key,
                        language=registration.language,
                        role=registration.role,
                    )
            except IntegrityError:
                continue  # another run was quicker
            workshop = live_workshop_version(
                registration.workshop_key, registration.language
            )
            queue_mail(
                kind=MailKind.FEEDBACK_REQUEST,
                to=[registration.email],
                language=registration.language,
                template="feedback_request",
                context={
                    "registration": registration,
                    "workshop": workshop,
                    "feedback_url": feedback_url(feedback_request, workshop),
                },
                registration=registration,
                reply_to=(
                    [workshop.contact_email]
                    if workshop is not None and workshop.contact_email
                    else []
                ),
            )
            sent += 1
    return sent


# -- 2. the answer --------------------------------------------------------------------


def answer(
    feedback_request: FeedbackRequest, *, data: dict, now: datetime | None = None
) -> AnswerResult:
    """Store the answer (``data``: the cleaned feedback form); with consent, create
    the draft testimonial. Raises :class:`AlreadyAnsweredError` the second time."""
    now = now or timezone.now()
    may_quote = bool(data.get("may_quote"))
    naming = (data.get("naming") or Naming.ROLE_ONLY) if may_quote else ""
    registration = feedback_request.registration
    if may_quote and registration is None:
        naming = Naming.ROLE_ONLY  # the name is gone: only the role can be shown
    show_organisation = (
        may_quote and naming != Naming.ROLE_ONLY and bool(data.get("show_organisation"))
    )
    with transaction.atomic():
        FeedbackRequest.objects.select_for_update().filter(
            pk=feedback_request.pk
        ).exists()
        if FeedbackAnswer.objects.filter(request=feedback_request).exists():
            raise AlreadyAnsweredError
        feedback_answer = FeedbackAnswer.objects.create(
            request=feedback_request,
            takeaway=data["takeaway"].strip(),
            may_quote=may_quote,
            naming=naming,
            show_organisation=show_organisation,
            consent_text_version=(
                get_setting("WAGTAIL_ATELIER_TESTIMONIAL_CONSENT_VERSION")
                if may_quote
                else ""
            ),
        )
        testimonial = None
        if may_quote:
            testimonial = _draft_testimonial(feedback_answer, registration, now)
    return AnswerResult(feedback_answer, testimonial)


def _draft_testimonial(
    feedback_answer: FeedbackAnswer, registration: Registration | None, now
) -> Testimonial:
    """A draft in the person's language, holding only what they agreed to show: a
    name they did not choose is never copied, so it cannot leak later."""
    feedback_request = feedback_answer.request
    naming = feedback_answer.naming
    locale = (
        Locale.objects.filter(language_code=feedback_request.language).first()
        or Locale.get_default()
    )
    first_name = last_name = town = organisation = ""
    if registration is not None:
        if naming in (Naming.FULL_NAME, Naming.FIRST_NAME_AND_TOWN):
            first_name = registration.first_name
        if naming == Naming.FULL_NAME:
            last_name = registration.last_name
        if naming == Naming.FIRST_NAME_AND_TOWN:
            town = registration.town
        if feedback_answer.show_organisation:
            organisation = registration.organisation
    testimonial = Testimonial(
        locale=locale,
        live=False,
        quote=feedback_answer.takeaway,
        naming=naming,
        first_name=first_name,
        last_name=last_name,
        town=town,
        role=feedback_request.role,
        organisation=organisation,
        show_organisation=feedback_answer.show_organisation,
        workshop=live_workshop_version(
            feedback_request.workshop_key, locale.language_code
        ),
        consent_given_at=now,
        consent_method=ConsentMethod.FEEDBACK_FORM,
        consent_text_version=feedback_answer.consent_text_version,
        feedback_answer=feedback_answer,
    )
    testimonial.save()
    log(instance=testimonial, action=DRAFT_FROM_FEEDBACK_ACTION)
    testimonial.save_revision(log_action=False)
    return testimonial


# -- 3. withdrawal --------------------------------------------------------------------


def withdraw_consent(
    feedback_request: FeedbackRequest, now: datetime | None = None
) -> int:
    """Withdraw consent to be quoted: every language version of the testimonial is
    deleted with its revisions and translation data, and the answer's text is
    blanked; only the fact and the date of the withdrawal are kept
    (``FeedbackAnswer.consent_withdrawn_at``). Returns how many versions were
    deleted. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        feedback_answer = (
            FeedbackAnswer.objects.select_for_update()
            .filter(request=feedback_request)
            .first()
        )
        if feedback_answer is None or not feedback_answer.may_quote:
            return 0
        if feedback_answer.consent_withdrawn_at is None:
            feedback_answer.consent_withdrawn_at = now
        feedback_answer.takeaway = ""
        feedback_answer.save(update_fields=["consent_withdrawn_at", "takeaway"])
        keys = Testimonial.objects.filter(feedback_answer=feedback_answer).values_list(
            "translation_key", flat=True
        )
        return delete_testimonials(keys, log_action=CONSENT_WITHDRAWN_ACTION)


def delete_testimonials(
    translation_keys: Iterable[UUID],
    *,
    log_action: str = "",
    user=None,
    forget_log: bool = False,
) -> int:
    """Delete every language version of the testimonials ``translation_keys``; return
    how many versions went.

    The revisions go with them (a generic relation on the model), the
    wagtail-localize data with them (:func:`forget_translation_data`, run by the
    ``post_delete`` receiver so that the admin's own delete does it too), and the
    audit log keeps only neutral labels. ``log_action`` is logged on each version
    first (under a neutral label); ``forget_log`` deletes the versions' log entries
    instead (an erasure leaves no trace of the person)."""
    keys = list(dict.fromkeys(translation_keys))
    if not keys:
        return 0
    with transaction.atomic():
        versions = list(
            Testimonial.objects.select_for_update()
            .filter(translation_key__in=keys)
            .order_by("pk")
        )
        if log_action and not forget_log:
            for testimonial in versions:
                log(instance=testimonial, action=log_action, user=user)
        if index.class_is_indexed(Testimonial):  # not by the package; a site might
            for testimonial in versions:
                index.remove_object(testimonial)
        Testimonial.objects.filter(pk__in=[t.pk for t in versions]).delete()
        if forget_log:
            forget_log_entries(Testimonial, [t.pk for t in versions])
    return len(versions)


# -- the traces a deleted testimonial leaves ------------------------------------------

#: Texts of a testimonial that wagtail-localize may keep as strings.
TRANSLATED_TEXT_FIELDS = ("quote", "role_description")


def neutral_log_label(model: type[models.Model], pk) -> str:
    """What the audit log calls a record holding personal data: its kind and id,
    never its text (``str()`` of a testimonial is its quote)."""
    return f"{model._meta.verbose_name} {pk}"


def neutralise_log_labels(model: type[models.Model], pks: Iterable) -> int:
    """Rewrite the labels of the log entries about ``pks`` (entries written before
    labels were neutral, or by code that passed a title)."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    changed = 0
    for pk in pks:
        changed += ModelLogEntry.objects.filter(
            content_type=content_type, object_id=str(pk)
        ).update(label=neutral_log_label(model, pk))
    return changed


def forget_log_entries(model: type[models.Model], pks: Iterable) -> int:
    """Delete the log entries about ``pks`` of ``model``; return how many."""
    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    deleted, _ = ModelLogEntry.objects.filter(
        content_type=content_type, object_id__in=pks
    ).delete()
    return deleted


def testimonial_texts(testimonial: Testimonial) -> set[str]:
    """Every translated text ``testimonial`` has held: its fields and those of its
    revisions (what wagtail-localize may have turned into strings)."""
    texts = {getattr(testimonial, name) for name in TRANSLATED_TEXT_FIELDS}
    for content in testimonial.revisions.values_list("content", flat=True):
        if isinstance(content, dict):
            texts.update(
                value
                for name in TRANSLATED_TEXT_FIELDS
                if isinstance(value := content.get(name), str)
            )
    return {text for text in texts if text and text.strip()}


def forget_translation_data(
    translation_key: UUID, locale_id: int, texts: Iterable[str] = ()
) -> None:
    """Remove what wagtail-localize keeps of a deleted testimonial version.

    When no version of ``translation_key`` is left: the translatable object with its
    sources (which hold the whole serialised testimonial), segments, contexts,
    translations and logs. When other versions are left: the source of this version's
    locale and the translations into it. Then the strings that only this version used
    (matched by its segments and translations, and by ``texts``, which catches the
    strings of earlier wordings), unless another object still uses them.

    wagtail-localize's own ``post_delete`` cleanup leaves the strings behind, and does
    nothing with ``WAGTAILLOCALIZE_DISABLE_ON_DELETE``; this runs whatever the order
    of the two receivers.
    """
    from wagtail_localize.models import (
        OverridableSegment,
        RelatedObjectSegment,
        SegmentOverride,
        String,
        StringSegment,
        StringTranslation,
        TemplateSegment,
        TranslatableObject,
        TranslationContext,
        TranslationSource,
    )

    texts = {text for text in texts if text}
    candidates: set[int] = set()
    translatable = TranslatableObject.objects.filter(
        translation_key=translation_key
    ).first()
    if translatable is not None:
        all_gone = not Testimonial.objects.filter(
            translation_key=translation_key
        ).exists()
        sources = TranslationSource.objects.filter(object=translatable)
        string_translations = StringTranslation.objects.filter(
            context__object=translatable
        )
        overrides = SegmentOverride.objects.filter(context__object=translatable)
        if not all_gone:
            sources = sources.filter(locale_id=locale_id)
            string_translations = string_translations.filter(locale_id=locale_id)
            overrides = overrides.filter(locale_id=locale_id)
        source_ids = list(sources.values_list("pk", flat=True))
        candidates.update(
            StringSegment.objects.filter(source_id__in=source_ids).values_list(
                "string_id", flat=True
            )
        )
        candidates.update(
            string_translations.values_list("translation_of_id", flat=True)
        )
        texts.update(string_translations.values_list("data", flat=True))
        string_translations.delete()
        overrides.delete()
        # Segments point at their context with PROTECT: they go first.
        for segment_model in (
            StringSegment,
            TemplateSegment,
            RelatedObjectSegment,
            OverridableSegment,
        ):
            segment_model.objects.filter(source_id__in=source_ids).delete()
        TranslationSource.objects.filter(pk__in=source_ids).delete()
        if all_gone:
            TranslationContext.objects.filter(object=translatable).delete()
            translatable.delete()
    if texts:
        candidates.update(
            String.objects.filter(data__in=list(texts)).values_list("pk", flat=True)
        )
    if candidates:
        String.objects.filter(pk__in=candidates, segments__isnull=True).delete()
