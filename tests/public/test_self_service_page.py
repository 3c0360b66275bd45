"""The self-service page (registration/<token>/): what the workshop is and where, how
to get in, the calendar file, and a language switcher that keeps the person there."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.factories import (
    ONLINE_MEETING_DETAILS,
    RegistrationFactory,
    WorkshopPageFactory,
    route,
    translate,
)

pytestmark = pytest.mark.django_db


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def main_text(response) -> str:
    return " ".join(soup_of(response).find("main").get_text(" ").split())


def detail(client, workshop, registration):
    return client.get(route(workshop, "registration", registration.token))


def calendar_links(soup: BeautifulSoup, workshop) -> list:
    return soup.find("main").find_all("a", href=route(workshop, "ical"))


def test_shows_the_venue_language_and_calendar_link(client, workshop):
    registration = RegistrationFactory(workshop=workshop)
    response = detail(client, workshop, registration)
    soup = soup_of(response)
    address = soup.find("main").find("address")
    assert address is not None
    assert address.get_text(" ").split() == [
        "Gemeindesaal",
        "Tramstrasse",
        "10",
        "5034",
        "Suhr",
    ]
    assert "Deutsch" in main_text(response)
    [link] = calendar_links(soup, workshop)
    assert link.has_attr("download")
    # The link works: the workshop's calendar file.
    assert client.get(link["href"])["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("status", ["confirmed", "waiting"])
def test_meeting_information_only_for_a_confirmed_place(client, index, status):
    workshop = WorkshopPageFactory(parent=index, online=True)
    registration = RegistrationFactory(workshop=workshop, status=status)
    text = main_text(detail(client, workshop, registration))
    secret = ONLINE_MEETING_DETAILS.split()[0]
    if status == "confirmed":
        assert secret in text
    else:
        assert secret not in text
        assert "Gemeindesaal" not in text


def test_meeting_information_is_not_on_the_public_page(client, index):
    workshop = WorkshopPageFactory(parent=index, online=True)
    RegistrationFactory(workshop=workshop)
    assert (
        ONLINE_MEETING_DETAILS.split()[0]
        not in client.get(workshop.url).content.decode()
    )


def test_a_cancelled_registration_has_no_calendar_link(client, workshop):
    registration = RegistrationFactory(workshop=workshop, status="cancelled")
    soup = soup_of(detail(client, workshop, registration))
    assert calendar_links(soup, workshop) == []


def test_the_language_switcher_keeps_the_self_service_page(client, workshop):
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    registration = RegistrationFactory(workshop=workshop)
    soup = soup_of(detail(client, workshop, registration))
    switcher = soup.find("nav", class_="atelier-languages")
    links = {a["hreflang"]: a["href"] for a in switcher.find_all("a")}
    french_detail = route(french, "registration", registration.token)
    assert links == {
        "de": route(workshop, "registration", registration.token),
        "fr": french_detail,
    }
    # The French link opens the same registration, in French.
    response = client.get(links["fr"])
    soup = soup_of(response)
    assert soup.html["lang"] == "fr"
    assert "Atelier pratique Suhr" in main_text(response)
    assert registration.email in main_text(response)
    assert "no-store" in response["Cache-Control"]


def test_the_switcher_of_a_plain_workshop_page_links_the_pages(client, workshop):
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    soup = soup_of(client.get(workshop.url))
    switcher = soup.find("nav", class_="atelier-languages")
    links = {a["hreflang"]: a["href"] for a in switcher.find_all("a")}
    assert links == {"de": workshop.url, "fr": french.url}


def test_a_bogus_route_is_not_carried_over(rf, workshop):
    from wagtail_atelier.templatetags.wagtail_atelier_tags import _route_suffix

    translate(workshop, "fr", title="Atelier pratique Suhr")
    assert _route_suffix(workshop, rf.get(workshop.url + "nothing/here/")) == ""
    assert _route_suffix(workshop, rf.get(workshop.url)) == ""
    assert _route_suffix(workshop, rf.get(workshop.url + "ical/")) == "ical/"
