"""Django's CSRF failure view for sites with cached workshop pages.

A cached workshop page holds no CSRF token: the page's script fetches one (and the
CSRF cookie) from the private ``form-token/`` route before the form is sent. A visitor
without the script, or whose browser refuses the cookie, sends the registration form
without a valid token, and Django's ``CsrfViewMiddleware`` refuses it before any
view of the page runs (Wagtail serves every page through one view, so a page route
cannot be ``csrf_exempt``; wagtail/wagtail#3066). Set in the site's settings::

    CSRF_FAILURE_VIEW = "wagtail_atelier.public.csrf.csrf_failure"

and such a POST gets the form again, filled in, with the tokens in the page and a
note asking to send it again, instead of Django's 403 page. Nothing is stored: the
registration is processed only from a POST that passed Django's check. Every other
CSRF failure gets Django's own answer.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve
from django.views.csrf import csrf_failure as django_csrf_failure


def _workshop_route(request):
    """``(page, route name)`` if the request is for a route of a workshop page,
    else ``(None, "")``."""
    from wagtail import views as wagtail_views
    from wagtail.models import Page

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None, ""
    if match.func is not wagtail_views.serve:
        return None, ""
    result = Page.route_for_request(request, match.args[0] if match.args else "")
    if result is None:
        return None, ""
    page, args, _kwargs = result
    if not hasattr(page, "public_view") or not args:
        return None, ""
    return page, getattr(args[0], "__name__", "")


def csrf_failure(request, reason: str = ""):
    if request.method == "POST":
        page, route = _workshop_route(request)
        if page is not None and route == "register_route":
            from .registration import resend_form

            return resend_form(request, page)
    return django_csrf_failure(request, reason=reason)
