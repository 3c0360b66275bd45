"""The "share my contact" agreement on the self-service page: the person sees what
they agreed to, when, and which wording, and can withdraw it with one button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from freezegun import freeze_time

from tests.factories import (
    RegistrationFactory,
    both_page_classes,
    registration_form_data,
    route,
)
from wagtail_atelier.links import registration_url
from wagtail_atelier.models import Registration
from wagtail_atelier.templatetags.wagtail_atelier_tags import atelier_date

pytestmark = [pytest.mark.django_db, both_page_classes]


def says(language: str, message: str, **params) -> str:
    with translation.override(language):
        text = gettext(message)
    return " ".join((text % params if params else text).split())


def text_of(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return " ".join(soup.get_text(" ").split())


def link_mailed_to(address: str) -> str:
    [body, *_] = [m.body for m in reversed(mail.outbox) if m.to == [address]]
    return re.search(r"http://\S+/registration/[A-Za-z0-9_-]+/", body).group(0)


def token_in(url: str) -> str:
    return re.search(r"/registration/([^/]+)/$", url).group(1)


def withdraw_form(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    section = soup.find(class_="atelier-share-contact")
    return section.find("form") if section else None


WITHDRAWN = (
    "You have withdrawn your agreement: your contact details will not be shared "
    "with the other participants."
)


def test_the_page_shows_the_agreement_and_withdrawing_it_is_confirmed(
    client, workshop, submit, settings
):
    settings.WAGTAIL_ATELIER_SHARE_CONTACT_VERSION = "2026-01"
    agreed = timezone.now().replace(microsecond=0)
    with freeze_time(agreed):
        submit(route(workshop, "register"), registration_form_data(share_contact="on"))
    token = token_in(link_mailed_to("beatrice.keller@example.org"))
    detail_url = route(workshop, "registration", token)

    page = client.get(detail_url)

    with translation.override("de"):
        date = atelier_date(agreed)
    assert says(
        "de",
        "On %(date)s you agreed to be on the networking list (version "
        "%(version)s of this wording).",
        date=date,
        version="2026-01",
    ) in text_of(page)
    form = withdraw_form(page)
    assert form["method"] == "post"
    assert form["action"] == route(workshop, "withdraw_share_contact", token)

    with freeze_time(agreed + timedelta(days=2)):
        response = submit(form["action"])

    assert response.status_code == 302
    assert response["Location"] == detail_url + "?contact_withdrawn=1"
    assert "no-store" in response["Cache-Control"]
    registration = Registration.objects.get()
    assert registration.share_contact is False
    assert registration.share_contact_withdrawn_at == agreed + timedelta(days=2)
    assert registration.share_contact_at == agreed
    after = client.get(response["Location"])
    assert says("de", WITHDRAWN) in text_of(after)
    assert withdraw_form(after) is None
    # Later visits still say so, with the date.
    with translation.override("de"):
        withdrawn_on = atelier_date(agreed + timedelta(days=2))
    assert says(
        "de",
        "On %(date)s you withdrew your agreement: your contact details will not be "
        "shared with the other participants.",
        date=withdrawn_on,
    ) in text_of(client.get(detail_url))


def test_without_an_agreement_there_is_nothing_to_withdraw(client, workshop):
    registration = RegistrationFactory(workshop=workshop, share_contact=False)

    page = client.get(registration_url(registration, workshop))

    assert withdraw_form(page) is None
    assert says(
        "de", "Your contact details will not be shared with the other participants."
    ) in text_of(page)


def test_a_get_on_the_withdraw_route_changes_nothing(client, workshop, submit):
    submit(route(workshop, "register"), registration_form_data(share_contact="on"))
    token = token_in(link_mailed_to("beatrice.keller@example.org"))

    response = client.get(route(workshop, "withdraw_share_contact", token))

    assert response.status_code == 302
    assert Registration.objects.get().share_contact is True


def test_an_unknown_token_cannot_withdraw_anything(client, workshop, submit):
    submit(route(workshop, "register"), registration_form_data(share_contact="on"))

    response = submit(route(workshop, "withdraw_share_contact", "x" * 43))

    assert response.status_code == 404
    assert Registration.objects.get().share_contact is True
