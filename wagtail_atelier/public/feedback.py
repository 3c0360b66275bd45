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
from .forms import FeedbackForm


def _get_feedback_request(workshop, token) -> FeedbackRequest:
    try:
        return FeedbackRequest.objects.select_related("registration").get(
            token=token, workshop_key=workshop.translation_key
        )
    except FeedbackRequest.DoesNotExist as error:
        raise Http404 from error


def _existing_answer(feedback_request) -> FeedbackAnswer | None:
    return FeedbackAnswer.objects.filter(request=feedback_request).first()


def feedback(request, workshop, token):
    feedback_request = _get_feedback_request(workshop, token)
    answer = _existing_answer(feedback_request)
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
    answer = _existing_answer(feedback_request)
    feedback_page = workshop.url + workshop.reverse_subpage("feedback", args=[token])
    if answer is None or not answer.may_quote or answer.consent_withdrawn_at:
        return private(redirect(feedback_page))
    if request.method == "POST":
        feedback_services.withdraw_consent(feedback_request)
        return private(redirect(feedback_page + "?withdrawn=1"))
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/feedback_withdraw.html",
        {"page": workshop, "self": workshop, "feedback_url": feedback_page},
    )
    return private(response)
