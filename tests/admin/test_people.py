"""The "Personal data" admin screen: who may use it, finding, exporting, printing
and erasing a person's data, and that the address never reaches a URL or a log."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from tests.factories import RegistrationFactory, admin_user
from wagtail_atelier.links import admin_people_url
from wagtail_atelier.models import Registration

pytestmark = pytest.mark.django_db

EMAIL = "zoe.erasemark@example.org"
SECRET_NAME = "Verborgenhuber"
PERMISSION = "wagtail_atelier.manage_personal_data"


def in_page_language(response, text: str) -> str:
    """``text`` translated into the language the admin page was rendered in."""
    language = re.search(r'<html lang="([a-z-]+)"', response.content.decode())[1]
    with translation.override(language):
        return gettext(text)


def url(name: str) -> str:
    return reverse(f"wagtail_atelier_people:{name}")


URL_NAMES = ("index", "export", "print", "erase")


@pytest.fixture
def people_users(django_user_model):
    return {
        "editor": admin_user(django_user_model, "editor"),
        "registration_viewer": admin_user(
            django_user_model,
            "registration_viewer",
            "wagtail_atelier.view_registration",
            "wagtail_atelier.change_registration",
            "wagtail_atelier.view_case_details",
        ),
        "dpo": admin_user(django_user_model, "dpo", PERMISSION),
        "superuser": django_user_model.objects.create_superuser(
            username="root", password="x"
        ),
    }


@pytest.fixture
def registration(workshop):
    return RegistrationFactory(
        workshop=workshop,
        email=EMAIL,
        last_name=SECRET_NAME,
        role="case_presenter",
        case_description="Casemark question",
    )


# -- who may use it -------------------------------------------------------------------


def test_the_link_helper_names_the_screen():
    assert admin_people_url() == url("index")


def test_anonymous_visitors_are_sent_to_the_login(client, registration):
    for name in URL_NAMES:
        for method in (client.get, client.post):
            response = method(url(name), {"email": EMAIL})
            assert response.status_code == 302, name
            assert reverse("wagtailadmin_login") in response.url, name
    assert Registration.objects.filter(pk=registration.pk).exists()


@pytest.mark.parametrize("user", ["editor", "registration_viewer"])
def test_without_the_permission_every_url_is_forbidden(
    client, people_users, registration, user
):
    client.force_login(people_users[user])
    for name in URL_NAMES:
        for method in (client.get, client.post):
            response = method(
                url(name), {"email": EMAIL, "action": "erase", "confirm": "on"}
            )
            assert response.status_code == 403, (name, method)
            assert SECRET_NAME not in response.content.decode()
    assert Registration.objects.filter(pk=registration.pk).exists()
    # ... and the menu does not offer it.
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert url("index") not in home


@pytest.mark.parametrize("user", ["dpo", "superuser"])
def test_with_the_permission_the_screen_finds_the_person(
    client, people_users, registration, user
):
    client.force_login(people_users[user])
    assert url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    response = client.get(url("index"))
    assert response.status_code == 200
    assert in_page_language(response, "Personal data") in response.content.decode()
    response = client.post(url("index"), {"email": EMAIL.upper()})
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_NAME in html
    assert "Casemark question" in html
    assert 'data-kind="registrations"' in html
    assert (
        response["Cache-Control"].startswith("max-age=0")
        or "no-cache" in (response["Cache-Control"])
    )


# -- the form -------------------------------------------------------------------------


def test_an_invalid_address_gives_a_translated_error(client, people_users):
    user = people_users["dpo"]
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    client.force_login(user)
    for name in URL_NAMES[:3]:
        response = client.post(url(name), {"email": "not an address"})
        assert response.status_code == 400, name
        html = response.content.decode()
        assert "Bitte gültige E-Mail-Adresse eingeben." in html
        assert 'aria-invalid="true"' in html
        # The same ids as on the public forms, and both exist.
        assert 'aria-describedby="id_email_helptext id_email_error"' in html
        assert 'id="id_email_helptext"' in html
        assert 'id="id_email_error"' in html
        assert "data-atelier-error-summary" in html
        assert 'role="alert"' in html  # the error summary
        assert 'href="#id_email"' in html
    response = client.post(url("erase"), {"email": "", "action": "erase"})
    assert response.status_code == 400


def test_nothing_found_says_so(client, people_users):
    client.force_login(people_users["dpo"])
    response = client.post(url("index"), {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Nothing is stored about this address." in response.content.decode()


# -- export and print -----------------------------------------------------------------


def test_the_json_download(client, people_users, registration):
    client.force_login(people_users["dpo"])
    response = client.post(url("export"), {"email": EMAIL})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert EMAIL not in disposition and "zoe" not in disposition
    data = json.loads(response.content)
    assert data["registrations"][0]["last_name"] == SECRET_NAME
    assert data["email"] == EMAIL


def test_the_printable_view(client, people_users, registration):
    client.force_login(people_users["dpo"])
    response = client.post(url("print"), {"email": EMAIL})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<!DOCTYPE html>" in html
    assert SECRET_NAME in html and "Casemark question" in html


def test_the_export_urls_take_no_get(client, people_users):
    client.force_login(people_users["dpo"])
    for name in ("export", "print", "erase"):
        assert client.get(url(name), {"email": EMAIL}).status_code == 405


# -- erasing --------------------------------------------------------------------------


def test_erasing_needs_the_confirmation(client, people_users, registration):
    client.force_login(people_users["dpo"])
    response = client.post(url("erase"), {"email": EMAIL})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        in_page_language(response, "I understand that this cannot be undone.") in html
    )
    assert Registration.objects.filter(pk=registration.pk).exists()
    # Without the box ticked, nothing happens.
    response = client.post(url("erase"), {"email": EMAIL, "action": "erase"})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_erasing_removes_everything_and_keeps_the_address_out_of_urls_and_logs(
    client, people_users, registration, caplog
):
    client.force_login(people_users["dpo"])
    visited = []
    with caplog.at_level(logging.DEBUG):
        for name, data in (
            ("index", {"email": EMAIL}),
            ("export", {"email": EMAIL}),
            ("print", {"email": EMAIL}),
            ("erase", {"email": EMAIL}),
            ("erase", {"email": EMAIL, "action": "erase", "confirm": "on"}),
        ):
            response = client.post(url(name), data)
            visited.append(response.wsgi_request.get_full_path())
            if response.status_code == 302:
                visited.append(response.url)
    assert response.status_code == 302
    assert response.url == url("index")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("erased" in m and "Registrations: 1" in m for m in messages)
    assert not Registration.objects.filter(pk=registration.pk).exists()
    for address in visited:
        assert "zoe" not in address.lower() and "%40" not in address
    for record in caplog.records:
        assert EMAIL not in record.getMessage()
    for entry in ModelLogEntry.objects.all():
        assert EMAIL not in entry.label + json.dumps(entry.data)
        assert SECRET_NAME not in entry.label + json.dumps(entry.data)
