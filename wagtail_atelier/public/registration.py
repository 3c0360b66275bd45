"""Public views of a workshop's registration, called from the page's routes.

Thin: read the request, validate a form, call one service, render.
"""

from __future__ import annotations

import functools

from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject

from ..conf import get_setting
from ..models.mail import MailKind
from ..models.registration import Registration
from ..responses import private
from ..services import link_expiry, networking
from ..services import registration as services
from ..services.mail import send_after_response
from .forms import LostLinkForm, RegistrationForm
from .link_expired import LinkExpiredError, link_expired
from .spam import email_throttled, form_started_token, ip_throttled


def workshop_context(request, workshop, context: dict) -> dict:
    """What the workshop page's template needs besides the page: the registration
    state, the places left and the form while registration is open."""
    state = services.registration_state(workshop)
    context["registration_state"] = state
    context["privacy_notice_url"] = get_setting("WAGTAIL_ATELIER_PRIVACY_NOTICE_URL")
    context["seats"] = (
        services.seats(workshop, shown=True)
        if state == services.RegistrationState.OPEN
        else {}
    )
    if state == services.RegistrationState.OPEN and "registration_form" not in context:
        context["registration_form"] = UnboundForm(
            functools.partial(RegistrationForm, workshop=workshop)
        )
    return context


class UnboundForm(SimpleLazyObject):
    """An unbound form, built when first used: a page served with the cached form
    fragment (includes/registration.html) never needs it."""


def render_workshop(request, workshop, *, status=200, **extra):
    """The workshop page as the answer to a POST: the form shown again carries its
    CSRF token and signed start time in the page (it works without the script), so
    the answer is private, never cached."""
    context = workshop.get_context(request)
    context.update(extra)
    context["form_tokens_inline"] = True
    return private(
        TemplateResponse(
            request, workshop.get_template(request), context, status=status
        )
    )


def form_token(request, workshop):
    """The per-visitor parts of the registration form, which the cached page leaves
    out: a fresh signed start time and the CSRF token (``get_token`` also sets the
    CSRF cookie). Fetched by ``wagtail_atelier/js/registration-form.js`` when a
    visitor starts filling in the form; private, never cached."""
    return private(
        JsonResponse(
            {"form_started": form_started_token(), "csrf_token": get_token(request)}
        )
    )


#: The keys of a submitted form that are never shown again: the honeypot, the
#: spent start time and the CSRF token are replaced by fresh ones.
_NOT_KEPT = {"website", "form_started", "csrfmiddlewaretoken"}


def resend_form(request, workshop):
    """The answer to a registration POST that Django's CSRF check refused (the
    visitor had no script to fetch the token, blocked cookies, or the token was
    stale): the form again, filled with what they typed, with fresh tokens in the
    page and a note asking them to send it again. Nothing is validated, stored or
    mailed (``public.csrf.csrf_failure`` calls this)."""
    if services.registration_state(workshop) != services.RegistrationState.OPEN:
        return render_workshop(request, workshop, status=409)
    multiple = {"languages"}
    initial = {
        name: request.POST.getlist(name) if name in multiple else value
        for name, value in request.POST.items()
        if name not in _NOT_KEPT
    }
    return render_workshop(
        request,
        workshop,
        registration_form=RegistrationForm(initial=initial, workshop=workshop),
        send_again=True,
    )


def register(request, workshop):
    """Register from the workshop page's form.

    A new address and one already registered get the same answer, a redirect to the
    neutral "registered" page, and the same mail (the personal link; for a known
    address, the link again): the form never tells whoever typed an address whether
    its owner is registered. A replayed form, or the second of a double click, gets
    that answer too, with nothing stored or mailed.
    """
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
    if ip_throttled(request, scope="register"):
        return render_workshop(
            request, workshop, status=429, registration_form=form, throttled=True
        )
    if not form.is_valid():
        return render_workshop(request, workshop, registration_form=form)
    if not form.use_start("register"):
        return _registered_redirect(request, workshop)
    if email_throttled(form.cleaned_data["email"], scope="register"):
        return render_workshop(
            request, workshop, status=429, registration_form=form, throttled=True
        )
    try:
        # The mails are stored with the registration; sent once the redirect is out.
        with send_after_response():
            services.register(
                workshop=workshop,
                data=form.cleaned_data,
                language=workshop.locale.language_code,
            )
    except services.RegistrationClosedError:
        return render_workshop(request, workshop, status=409)
    return _registered_redirect(request, workshop)


def _registered_redirect(request, workshop):
    return redirect(workshop.get_url(request) + workshop.reverse_subpage("registered"))


def registered(request, workshop):
    """The neutral page after registering: the same for everyone, whether the
    address was new, already registered, or the form was sent twice."""
    return TemplateResponse(
        request,
        "wagtail_atelier/pages/registration_registered.html",
        {
            "page": workshop,
            "self": workshop,
            "lost_link_url": workshop.get_url(request)
            + workshop.reverse_subpage("lost_link"),
        },
    )


def _get_registration(workshop, token) -> Registration:
    """The registration of the self-service link ``token``: 404 for a link that
    never was (or was ended), :class:`LinkExpiredError` once the workshop ended
    more than ``WAGTAIL_ATELIER_LINK_GRACE_DAYS`` ago (views using this are
    decorated with :func:`self_service_link`, which answers the "expired" page)."""
    try:
        registration = Registration.objects.with_token(token).get(
            workshop_key=workshop.translation_key
        )
    except Registration.DoesNotExist as error:
        raise Http404 from error
    if not link_expiry.registration_link_open(workshop):
        raise LinkExpiredError("registration")
    return registration


def self_service_link(view):
    """For a view reached with a self-service link: an expired link answers the
    "expired" page (410), without any of the person's data."""

    @functools.wraps(view)
    def wrapper(request, workshop, *args, **kwargs):
        try:
            return view(request, workshop, *args, **kwargs)
        except LinkExpiredError as expired:
            return link_expired(request, workshop, expired.kind)

    return wrapper


def _registration_route(request, workshop, name: str, token: str) -> str:
    # Built from the token in the URL: the database keeps only its digest.
    return workshop.get_url(request) + workshop.reverse_subpage(name, args=[token])


@self_service_link
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
            "cancel_url": _registration_route(
                request, workshop, "cancel_registration", token
            ),
            "withdraw_share_contact_url": _registration_route(
                request, workshop, "withdraw_share_contact", token
            ),
            "just_cancelled": "cancelled" in request.GET,
            "share_contact_just_withdrawn": "contact_withdrawn" in request.GET,
            **_networking_context(request, workshop, registration, token),
        },
    )
    return private(response)


def _networking_context(request, workshop, registration, token) -> dict:
    """When the networking list went (if it did), and the person's link to its page
    when they received it: one query, two when it was sent."""
    sent_at = (
        networking.sent_at(workshop.translation_key)
        if registration.share_contact
        else None
    )
    received = (
        sent_at is not None
        and registration.mails.filter(kind=MailKind.NETWORKING_LIST).exists()
    )
    return {
        "networking_list_sent_at": sent_at,
        "networking_list_url": (
            _registration_route(request, workshop, "networking_list", token)
            if received
            else ""
        ),
    }


@self_service_link
def withdraw_share_contact(request, workshop, token):
    """The person withdraws their agreement to have their contact shared with the
    other participants: a POST from the button on their registration page."""
    registration = _get_registration(workshop, token)
    detail_url = _registration_route(request, workshop, "registration", token)
    if request.method != "POST":
        return private(redirect(detail_url))
    # Under the networking list's lock: wholly before the list goes, or after.
    networking.withdraw_share_contact(registration)
    return private(redirect(f"{detail_url}?contact_withdrawn=1"))


@self_service_link
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
    if not link_expiry.registration_link_open(workshop):
        # The links of this workshop no longer open anything: say so instead of
        # mailing one that leads to the "expired" page.
        return link_expired(request, workshop, "registration")
    sent = False
    status = 200
    if request.method == "POST":
        form = LostLinkForm(request.POST)
        if form.is_spam:
            sent = True  # tell a bot nothing either
        elif ip_throttled(request, scope="lost_link"):
            status = 429
        elif form.is_valid():
            email = form.cleaned_data["email"]
            if not form.use_start("lost_link"):
                sent = True  # sent twice: the first one mailed the link
            elif email_throttled(email, scope="lost_link"):
                status = 429
            else:
                services.resend_link(workshop=workshop, email=email)
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
