"""A workshop page once the workshop has ended: one notice, no calendar link, no
registration section; before it ends, both are there."""

import pytest
from bs4 import BeautifulSoup
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import WorkshopPageFactory, route

pytestmark = pytest.mark.django_db


def main_of(client, page) -> BeautifulSoup:
    response = client.get(page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser").find("main")


def test_a_past_workshop_says_once_that_it_is_over(client, index):
    past = WorkshopPageFactory(parent=index, past=True)
    main = main_of(client, past)
    assert len(main.select('[role="status"]')) == 1
    with translation.override("de"):
        notice = gettext("This workshop has taken place.")
    assert main.select_one('[role="status"]').get_text(strip=True) == notice
    assert main.find("a", href=route(past, "ical")) is None
    assert main.find(id="registration") is None


def test_an_upcoming_workshop_has_its_calendar_link_and_form(client, workshop):
    main = main_of(client, workshop)
    assert main.find("a", href=route(workshop, "ical")) is not None
    assert main.find(id="registration") is not None
    assert main.select('[role="status"]') == []
