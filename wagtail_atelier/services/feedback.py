"""Feedback after a workshop, and the testimonials it produces. No request objects.

1. :func:`send_due_feedback_requests` mails, once, every person marked as attended
   (confirmed) a link to a short form, ``WAGTAIL_ATELIER_FEEDBACK_DAYS`` days after
   the workshop ended.
2. :func:`answer` stores the answer; with consent to be quoted it also creates a
   *draft* testimonial in the person's language, for editors to review, translate
   and publish.
3. :func:`withdraw_consent` (same secret link) unpublishes every language version of
   that testimonial at once; a database constraint keeps it offline for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Locale

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
    unpublished at once and can never be published again. Returns how many versions
    were live. Safe to call twice."""
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
            feedback_answer.save(update_fields=["consent_withdrawn_at"])
        keys = Testimonial.objects.filter(feedback_answer=feedback_answer).values_list(
            "translation_key", flat=True
        )
        versions = Testimonial.objects.select_for_update().filter(
            translation_key__in=list(keys)
        )
        unpublished = 0
        for testimonial in versions:
            if testimonial.consent_withdrawn_at is not None:
                continue
            testimonial.consent_withdrawn_at = now
            if testimonial.live:
                # Wagtail's own unpublish: logged, signals sent (for caches),
                # scheduled publications cancelled.
                testimonial.unpublish()
                unpublished += 1
            else:
                testimonial.save(update_fields=["consent_withdrawn_at"])
                testimonial.revisions.update(approved_go_live_at=None)
            log(instance=testimonial, action=CONSENT_WITHDRAWN_ACTION)
    return unpublished
