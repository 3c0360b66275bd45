"""Public views of the feedback form and the withdrawal of consent, called from the
workshop page's routes.

Thin: read the request, validate a form, call one service, render.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from ..models.testimonial import FeedbackAnswer, FeedbackRequest
from ..responses import private
from ..services import feedback as feedback_services
from ..services import link_expiry
from .forms import FeedbackForm
from .link_expired import link_expired


def _get_feedback_request(workshop, token) -> FeedbackRequest:
    try:
        return (
            FeedbackRequest.objects.with_token(token)
            .select_related("registration")
            .get(workshop_key=workshop.translation_key)
        )
    except FeedbackRequest.DoesNotExist as error:
        raise Http404 from error


def _existing_answer(feedback_request) -> FeedbackAnswer | None:
    return FeedbackAnswer.objects.filter(request=feedback_request).first()


def _expired_feedback_link(feedback_request, answer) -> str:
    """What the feedback link can no longer do ("feedback", "withdrawal"), or "".

    Once the form can no longer be answered, the page still serves one purpose if
    the person answered: withdrawing their consent, until that window closes too.
    """
    if answer is None:
        if link_expiry.feedback_answer_open(feedback_request):
            return ""
        return "feedback"
    if link_expiry.withdrawal_open(feedback_request):
        return ""
    quoted = answer.may_quote and not answer.consent_withdrawn_at
    return "withdrawal" if quoted else "feedback"


def _expired(request, workshop, kind: str, feedback_request):
    if kind == "withdrawal":
        closed_at = link_expiry.withdrawal_closes_at(feedback_request)
    else:
        closed_at = link_expiry.feedback_answer_closes_at(feedback_request)
    return link_expired(request, workshop, kind, closed_at=closed_at)


def feedback(request, workshop, token):
    feedback_request = _get_feedback_request(workshop, token)
    answer = _existing_answer(feedback_request)
    expired = _expired_feedback_link(feedback_request, answer)
    if expired:
        return _expired(request, workshop, expired, feedback_request)
    form = None
    status = 200
    if answer is None:
        form_kwargs = {
            "registration": feedback_request.registration,
            "role": feedback_request.role,
        }
        if request.method == "POST":
            form = FeedbackForm(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    feedback_services.answer(feedback_request, data=form.cleaned_data)
                except feedback_services.AlreadyAnsweredError:
                    pass  # sent twice: the first one counts
                return private(redirect(request.path + "?thanks=1"))
        else:
            form = FeedbackForm(**form_kwargs)
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/feedback.html",
        {
            "page": workshop,
            "self": workshop,
            "form": form,
            "answer": answer,
            "thanks": "thanks" in request.GET and answer is not None,
            "withdrawn": "withdrawn" in request.GET,
            "withdraw_url": workshop.url
            + workshop.reverse_subpage("withdraw_consent", args=[token]),
        },
        status=status,
    )
    return private(response)


def withdraw_consent(request, workshop, token):
    feedback_request = _get_feedback_request(workshop, token)
    if not link_expiry.withdrawal_open(feedback_request):
        return _expired(request, workshop, "withdrawal", feedback_request)
    answer = _existing_answer(feedback_request)
    feedback_page = workshop.url + workshop.reverse_subpage("feedback", args=[token])
    if answer is None or not answer.may_quote:
        return private(redirect(feedback_page))
    if request.method == "POST":
        # The quote is deleted; this page then says so (twice is harmless).
        feedback_services.withdraw_consent(feedback_request)
        return private(redirect(request.path))
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/feedback_withdraw.html",
        {
            "page": workshop,
            "self": workshop,
            "feedback_url": feedback_page,
            "withdrawn": answer.consent_withdrawn_at is not None,
        },
    )
    return private(response)
