"""Public views of the host request page, called from its routes.

Thin: read the request, validate a form, call one service, render.
"""

from __future__ import annotations

from django.shortcuts import redirect
from wagtail.models import Site

from ..conf import get_setting
from ..services import host_request as host_request_services
from .forms import HostRequestForm
from .spam import email_throttled, ip_throttled


def host_request_context(request, page, context: dict) -> dict:
    """What the host request page's template needs besides the page."""
    context.setdefault("form", HostRequestForm(language=page.locale.language_code))
    context["privacy_notice_url"] = get_setting("WAGTAIL_ATELIER_PRIVACY_NOTICE_URL")
    return context


def host_request_form(request, page):
    if request.method != "POST":
        return page.render(request)
    form = HostRequestForm(request.POST, language=page.locale.language_code)
    if form.is_spam:
        return _render(page, request, status=400, rejected=True)
    if ip_throttled(request, scope="host_request"):
        return _render(page, request, status=429, form=form, throttled=True)
    if not form.is_valid():
        return _render(page, request, form=form)
    thanks = redirect(page.get_url(request) + page.reverse_subpage("thanks"))
    if not form.use_start("host_request"):
        return thanks  # sent twice: the first one is stored
    if email_throttled(form.cleaned_data["email"], scope="host_request"):
        return _render(page, request, status=429, form=form, throttled=True)
    host_request_services.submit(
        page=page,
        site=Site.find_for_request(request),
        data=form.cleaned_data,
        language=page.locale.language_code,
    )
    return thanks


def host_request_thanks(request, page):
    return _render(page, request, sent=True)


def _render(page, request, *, status: int = 200, **context):
    response = page.render(request, context_overrides=context)
    response.status_code = status
    return response
