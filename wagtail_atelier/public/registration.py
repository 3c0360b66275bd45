"""Public views of a workshop's registration, called from the page's routes.

Thin: read the request, validate a form, call one service, render.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from ..conf import get_setting
from ..models.registration import Registration
from ..responses import private
from ..services import registration as services
from .forms import LostLinkForm, RegistrationForm
from .spam import throttled


def workshop_context(request, workshop, context: dict) -> dict:
    """What the workshop page's template needs besides the page: the registration
    state, the places left and the form while registration is open."""
    state = services.registration_state(workshop)
    context["registration_state"] = state
    context["privacy_notice_url"] = get_setting("WAGTAIL_ATELIER_PRIVACY_NOTICE_URL")
    context["seats"] = (
        services.seats(workshop) if state == services.RegistrationState.OPEN else {}
    )
    if state == services.RegistrationState.OPEN and "registration_form" not in context:
        context["registration_form"] = RegistrationForm(workshop=workshop)
    return context


def render_workshop(request, workshop, *, status=200, **extra):
    context = workshop.get_context(request)
    context.update(extra)
    return TemplateResponse(
        request, workshop.get_template(request), context, status=status
    )


def register(request, workshop):
    if request.method != "POST":
        return redirect(workshop.get_url(request) + "#registration")
    form = RegistrationForm(request.POST, workshop=workshop)
    state = services.registration_state(workshop)
    if state != services.RegistrationState.OPEN:
        return render_workshop(request, workshop, status=409)
    if form.is_spam:
        return render_workshop(
            request, workshop, status=400, registration_rejected=True
        )
    if throttled(request, request.POST.get("email", ""), scope="register"):
        return render_workshop(
            request, workshop, status=429, registration_form=form, throttled=True
        )
    if not form.is_valid():
        return render_workshop(request, workshop, registration_form=form)
    try:
        result = services.register(
            workshop=workshop,
            data=form.cleaned_data,
            language=workshop.locale.language_code,
        )
    except services.RegistrationClosedError:
        return render_workshop(request, workshop, status=409)
    if result.is_duplicate:
        # Not the token page: whoever typed the address may not own it.
        return render_workshop(request, workshop, already_registered=True)
    url = workshop.get_url(request) + workshop.reverse_subpage(
        "registration", args=[result.registration.token]
    )
    return redirect(f"{url}?new=1")


def _get_registration(workshop, token) -> Registration:
    try:
        return Registration.objects.get(
            token=token, workshop_key=workshop.translation_key
        )
    except Registration.DoesNotExist as error:
        raise Http404 from error


def registration_detail(request, workshop, token):
    registration = _get_registration(workshop, token)
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/registration_detail.html",
        {
            "page": workshop,
            "self": workshop,
            "registration": registration,
            "waiting_position": registration.waiting_position(),
            "can_cancel": not registration.is_cancelled and not workshop.is_started,
            "is_new": "new" in request.GET,
            "just_cancelled": "cancelled" in request.GET,
        },
    )
    return private(response)


def cancel_registration(request, workshop, token):
    registration = _get_registration(workshop, token)
    detail_url = workshop.get_url(request) + workshop.reverse_subpage(
        "registration", args=[token]
    )
    if registration.is_cancelled:
        return private(redirect(detail_url))
    error = False
    if request.method == "POST":
        try:
            services.cancel(registration)
        except services.CancellationNotAllowedError:
            error = True
        else:
            return private(redirect(f"{detail_url}?cancelled=1"))
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/registration_cancel.html",
        {
            "page": workshop,
            "self": workshop,
            "registration": registration,
            "detail_url": detail_url,
            "cancel_not_allowed": error or workshop.is_started,
        },
        status=409 if error else 200,
    )
    return private(response)


def lost_link(request, workshop):
    sent = False
    status = 200
    if request.method == "POST":
        form = LostLinkForm(request.POST)
        if form.is_spam:
            sent = True  # tell a bot nothing either
        elif throttled(request, request.POST.get("email", ""), scope="lost_link"):
            status = 429
        elif form.is_valid():
            services.resend_link(workshop=workshop, email=form.cleaned_data["email"])
            sent = True
    else:
        form = LostLinkForm()
    return TemplateResponse(
        request,
        "wagtail_atelier/pages/registration_lost_link.html",
        {
            "page": workshop,
            "self": workshop,
            "form": form,
            "sent": sent,
            "throttled": status == 429,
        },
        status=status,
    )
