"""System checks: a wrong setup is named by id in ``manage.py check``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core import checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def check_ids(**kwargs) -> set[str]:
    return {
        message.id
        for message in checks.run_checks(**kwargs)
        if message.id
        and message.id.startswith("wagtail_atelier.")
        and not message.is_silenced()
    }


def without(*missing: str):
    """The site without ``missing`` apps, as the checks see it. (Changing
    INSTALLED_APPS itself would reload Wagtail's API routers, which cannot be.)"""
    installed = apps.is_installed
    return mock.patch(
        "wagtail_atelier.checks.apps.is_installed",
        side_effect=lambda app: app not in missing and installed(app),
    )


def test_the_test_settings_pass_every_check():
    assert check_ids(include_deployment_checks=False) == set()


@pytest.mark.parametrize(
    ("app", "check_id"),
    [
        ("wagtail_modeladmin", "wagtail_atelier.E001"),
        ("wagtail.contrib.routable_page", "wagtail_atelier.E002"),
        ("wagtail.contrib.settings", "wagtail_atelier.E003"),
    ],
)
def test_each_missing_required_app_is_reported_by_id(app, check_id):
    from wagtail_atelier.checks import check_required_apps

    with without(app):
        messages = check_required_apps()
    assert [message.id for message in messages] == [check_id]
    assert app in messages[0].msg
    assert app in messages[0].hint


def test_localize_is_required_when_i18n_is_on():
    from wagtail_atelier.checks import check_required_apps

    with without("wagtail_localize"), override_settings(WAGTAIL_I18N_ENABLED=True):
        assert [m.id for m in check_required_apps()] == ["wagtail_atelier.E004"]
    with without("wagtail_localize"), override_settings(WAGTAIL_I18N_ENABLED=False):
        assert check_required_apps() == []


def test_use_tz_off_is_an_error():
    from wagtail_atelier.checks import check_time_zone_support

    with override_settings(USE_TZ=False):
        [message] = check_time_zone_support()
    assert message.id == "wagtail_atelier.E005"


def test_the_csrf_failure_view_is_recommended_for_visitors_without_javascript():
    from wagtail_atelier.checks import check_csrf_failure_view

    assert check_csrf_failure_view() == []  # the test settings set it
    with override_settings(CSRF_FAILURE_VIEW="django.views.csrf.csrf_failure"):
        [message] = check_csrf_failure_view()
    assert message.id == "wagtail_atelier.W002"
    assert "wagtail_atelier.public.csrf.csrf_failure" in message.hint


def test_throttle_cache_must_exist_and_be_shared():
    from wagtail_atelier.checks import check_throttle_cache

    with override_settings(WAGTAIL_ATELIER_THROTTLE_CACHE="throttles"):
        assert [m.id for m in check_throttle_cache()] == ["wagtail_atelier.E006"]
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem, DEBUG=False):
        assert [m.id for m in check_throttle_cache()] == ["wagtail_atelier.W001"]
    database = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "atelier_cache",
        }
    }
    with override_settings(CACHES=database, DEBUG=False):
        assert check_throttle_cache() == []
    with override_settings(WAGTAIL_ATELIER_THROTTLE=None, CACHES={}):
        assert check_throttle_cache() == []


def test_the_page_classes_of_the_test_app_are_registered():
    from tests.testapp.models import ClubWorkshopPage
    from wagtail_atelier.checks import check_workshop_page_classes
    from wagtail_atelier.models import WorkshopPage, workshop_page_models

    assert check_workshop_page_classes() == []
    models = workshop_page_models()
    # The site's own class first, the shipped one last.
    assert models[0] is ClubWorkshopPage
    assert models[-1] is WorkshopPage


def test_check_deploy_runs_without_a_secret_key_at_import():
    """A production site that reads SECRET_KEY from the environment: nothing of the
    package reads it at import, so ``check --deploy`` reports instead of crashing."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_deploy",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ATELIER_TEST_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "security.W009" in result.stderr + result.stdout
