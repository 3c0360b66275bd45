"""The networking list on the public side: the page behind an attendee's secret link,
withdrawing on the self-service page, and the opt-in's wording on the form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    both_page_classes,
    route,
    translate,
)
from wagtail_atelier.models import Registration
from wagtail_atelier.services import networking, retention

pytestmark = [pytest.mark.django_db, both_page_classes]


def ended(days_ago: float):
    start = timezone.now() - timedelta(days=days_ago, hours=3)
    return {"start_at": start, "end_at": start + timedelta(hours=3)}


@pytest.fixture
def past(index):
    german = WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Suhr", slug="suhr", **ended(4)
    )
    translate(german, "fr", title="Atelier pratique Suhr")
    return german


def attendee(workshop, **fields):
    fields.setdefault("attended_at", timezone.now() - timedelta(days=4))
    fields.setdefault("share_contact", True)
    return RegistrationFactory(workshop=workshop, **fields)


@pytest.fixture
def people(past):
    return {
        "anna": attendee(past, first_name="Anna", last_name="Amsler"),
        "lea": attendee(past, first_name="Léa", last_name="Dubois", town="Renens"),
        "marco": attendee(past, first_name="Marco", last_name="Rossi"),
        "bruno": attendee(
            past, first_name="Bruno", last_name="Nein", share_contact=False
        ),
        "carla": attendee(
            past, first_name="Carla", last_name="Fehlt", attended_at=None
        ),
    }


def list_page(workshop, registration) -> str:
    return route(workshop, "networking_list", registration.token)


def names_on(response) -> list[str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [
        row.find("th").get_text(strip=True) for row in soup.select("tr[data-person]")
    ]


# -- the page ------------------------------------------------------------------------


def test_the_page_shows_the_others_on_the_list_and_is_private(client, past, people):
    networking.send_list(past.translation_key)

    response = client.get(list_page(past, people["anna"]))

    assert response.status_code == 200
    assert names_on(response) == ["Léa Dubois", "Marco Rossi"]
    text = response.content.decode()
    assert "Renens" in text and people["lea"].email in text
    assert "Nein" not in text and "Fehlt" not in text
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("who", ["bruno", "carla"])
def test_nobody_off_the_list_opens_it(client, past, people, who):
    networking.send_list(past.translation_key)

    response = client.get(list_page(past, people[who]))

    assert response.status_code == 404
    assert "Dubois" not in response.content.decode()


def test_there_is_no_page_before_the_list_is_sent(client, past, people):
    assert client.get(list_page(past, people["anna"])).status_code == 404


def test_an_unknown_token_opens_nothing(client, past, people):
    networking.send_list(past.translation_key)
    response = client.get(route(past, "networking_list", "x" * 43))
    assert response.status_code == 404


def test_the_page_is_gone_with_the_retention(client, past, people, settings):
    networking.send_list(past.translation_key)
    url = list_page(past, people["anna"])
    assert client.get(url).status_code == 200
    settings.WAGTAIL_ATELIER_RETENTION_MONTHS = 6

    retention.apply_retention(now=timezone.now() + timedelta(days=250))

    assert client.get(url).status_code == 404


# -- withdrawing on the self-service page ---------------------------------------------


def test_withdrawing_before_it_goes_removes_the_person(client, submit, past, people):
    lea = people["lea"]
    page = client.get(route(past, "registration", lea.token))
    with translation.override("de"):
        promise = gettext(
            "You can withdraw until the list is sent: you will then not be on it "
            "and will not receive it."
        )
    assert promise in page.content.decode()

    response = submit(route(past, "withdraw_share_contact", lea.token))

    assert response.status_code == 302
    assert Registration.objects.get(pk=lea.pk).share_contact is False
    assert networking.send_list(past.translation_key) == 2
    assert names_on(client.get(list_page(past, people["anna"]))) == ["Marco Rossi"]
    assert client.get(list_page(past, lea)).status_code == 404


def test_once_sent_the_page_says_so_and_links_to_the_list(client, past, people):
    networking.send_list(past.translation_key)

    page = client.get(route(past, "registration", people["anna"].token))

    soup = BeautifulSoup(page.content.decode(), "html.parser")
    sent = soup.select_one("[data-networking-sent]")
    assert sent is not None
    assert sent.find("a")["href"] == list_page(past, people["anna"])
    # Someone who did not agree is told nothing about the list.
    other = client.get(route(past, "registration", people["bruno"].token))
    assert b"data-networking-sent" not in other.content


def test_withdrawing_after_it_went_takes_the_person_off_the_page(
    client, submit, past, people
):
    networking.send_list(past.translation_key)

    submit(route(past, "withdraw_share_contact", people["marco"].token))

    assert names_on(client.get(list_page(past, people["anna"]))) == ["Léa Dubois"]
    assert client.get(list_page(past, people["marco"])).status_code == 404


OPT_IN = (
    "Networking list: if I attend the workshop, I receive by email, a few "
    "days later, the list of the other participants who ticked this box, "
    "and I am on it with my name, organisation, town, email and the "
    "languages I speak (never my question). I can withdraw on my "
    "registration page until the list is sent."
)


# -- the wording on the form --------------------------------------------------------


def test_the_opt_in_says_what_the_list_does(client, workshop):
    page = client.get(workshop.url)
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    box = soup.find("input", attrs={"name": "share_contact"})
    label = " ".join(soup.find("label", attrs={"for": box["id"]}).get_text().split())
    # The German label is the translation of the wording that says it all.
    with translation.override("de"):
        assert label == " ".join(gettext(OPT_IN).split())
    for promise in (
        "if I attend",
        "other participants who ticked this box",
        "name, organisation, town, email and the languages I speak",
        "never my question",
        "withdraw",
        "until the list is sent",
    ):
        assert promise in OPT_IN
    assert not box.has_attr("checked")
