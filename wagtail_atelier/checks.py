"""System checks: a wrong setup is reported by ``manage.py check`` (and at every
``runserver`` start) with an id, a message and a hint, instead of a 500 on the first
page that needs it. Listed in docs/configuration.md.

The checks read settings when they run, never at import.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .conf import get_setting

#: The apps the package needs, with why: (app label for the message, reason).
REQUIRED_APPS = {
    "wagtail_modeladmin": (
        "wagtail_atelier.E001",
        "The registrations, mails and host requests listings are built with "
        "wagtail-modeladmin.",
    ),
    "wagtail.contrib.routable_page": (
        "wagtail_atelier.E002",
        "Workshop pages serve their registration, calendar and feedback routes "
        "with RoutablePageMixin.",
    ),
    "wagtail.contrib.settings": (
        "wagtail_atelier.E003",
        "The host request recipients are a site setting (AtelierSettings).",
    ),
}


@register(Tags.compatibility)
def check_required_apps(app_configs=None, **kwargs) -> list:
    errors = []
    for app, (check_id, reason) in REQUIRED_APPS.items():
        if not apps.is_installed(app):
            errors.append(
                Error(
                    f"wagtail-atelier needs '{app}' in INSTALLED_APPS.",
                    hint=f"{reason} Add '{app}' to INSTALLED_APPS.",
                    id=check_id,
                )
            )
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False) and not apps.is_installed(
        "wagtail_localize"
    ):
        errors.append(
            Error(
                "WAGTAIL_I18N_ENABLED is on but 'wagtail_localize' is not in "
                "INSTALLED_APPS.",
                hint="Workshop pages and testimonials are translated with "
                "wagtail-localize: add 'wagtail_localize' and "
                "'wagtail_localize.locales' (instead of 'wagtail.locales').",
                id="wagtail_atelier.E004",
            )
        )
    return errors


@register(Tags.compatibility)
def check_time_zone_support(app_configs=None, **kwargs) -> list:
    if getattr(settings, "USE_TZ", True):
        return []
    return [
        Error(
            "USE_TZ is False.",
            hint="Workshop dates, registration deadlines and calendar files are "
            "stored in UTC and shown in WAGTAIL_ATELIER_TIME_ZONE: set USE_TZ = True.",
            id="wagtail_atelier.E005",
        )
    ]


@register(Tags.caches)
def check_throttle_cache(app_configs=None, **kwargs) -> list:
    if not get_setting("WAGTAIL_ATELIER_THROTTLE"):
        return []
    alias = get_setting("WAGTAIL_ATELIER_THROTTLE_CACHE")
    caches = getattr(settings, "CACHES", {})
    if alias not in caches:
        return [
            Error(
                f"WAGTAIL_ATELIER_THROTTLE_CACHE is '{alias}', which is not in CACHES.",
                hint="Name a cache of CACHES (the database cache or Redis), or set "
                "WAGTAIL_ATELIER_THROTTLE = None to switch throttling off.",
                id="wagtail_atelier.E006",
            )
        ]
    backend = caches[alias].get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")) and not settings.DEBUG:
        return [
            Warning(
                f"The throttle cache '{alias}' is {backend.rsplit('.', 1)[-1]}: "
                "each server process counts on its own (or not at all), so the "
                "registration throttles do not hold.",
                hint="Use a shared cache for WAGTAIL_ATELIER_THROTTLE_CACHE: "
                "django.core.cache.backends.db.DatabaseCache or RedisCache.",
                id="wagtail_atelier.W001",
            )
        ]
    return []


@register(Tags.models)
def check_workshop_page_classes(app_configs=None, **kwargs) -> list:
    from wagtail.models import Page, get_page_models

    from .models import WorkshopPageMixin, workshop_page_models

    problems = []
    classes = workshop_page_models()
    if not classes:
        problems.append(
            Error(
                "No page class is built on WorkshopPageMixin.",
                hint="Keep 'wagtail_atelier' in INSTALLED_APPS (it ships a "
                "workshop page class) or define "
                "class MyWorkshop(WorkshopPageMixin, Page).",
                id="wagtail_atelier.E007",
            )
        )
    for model in classes:
        bases = model.__mro__
        if bases.index(Page) < bases.index(WorkshopPageMixin):
            problems.append(
                Error(
                    f"{model._meta.label} lists Page before WorkshopPageMixin.",
                    hint="Put the mixin first, so that its fields, panels, routes and "
                    "translatable fields win: "
                    f"class {model.__name__}(WorkshopPageMixin, Page).",
                    obj=model,
                    id="wagtail_atelier.E008",
                )
            )
    known = set(get_page_models())
    for model in apps.get_models():
        if issubclass(model, WorkshopPageMixin) and model not in known:
            problems.append(
                Error(
                    f"{model._meta.label} is built on WorkshopPageMixin but is not a "
                    "Wagtail page.",
                    hint="Add Wagtail's Page (or a subclass of it) to its bases.",
                    obj=model,
                    id="wagtail_atelier.E009",
                )
            )
    return problems


CSRF_FAILURE_VIEW = "wagtail_atelier.public.csrf.csrf_failure"


@register(Tags.security)
def check_csrf_failure_view(app_configs=None, **kwargs) -> list:
    """Workshop pages carry no CSRF token (they are cacheable; a script fetches it);
    without the package's failure view a visitor whose browser runs no script gets
    Django's 403 page instead of the form to send again."""
    if getattr(settings, "CSRF_FAILURE_VIEW", "") == CSRF_FAILURE_VIEW:
        return []
    return [
        Warning(
            "Visitors without JavaScript get Django's 403 page when they send the "
            "registration form of a cached workshop page.",
            hint=f'Set CSRF_FAILURE_VIEW = "{CSRF_FAILURE_VIEW}": it answers only '
            "for workshop registration forms (the form again, filled in, to send "
            "again) and leaves every other CSRF failure to Django.",
            id="wagtail_atelier.W002",
        )
    ]
