"""The "Networking list" screen of a workshop: who may see it, what it shows before
and after sending, holding back and releasing, bad input, and a query budget that
does not grow with the number of registrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    admin_user,
    both_page_classes,
)
from wagtail_atelier.models import NetworkingList
from wagtail_atelier.services import networking

pytestmark = [pytest.mark.django_db, both_page_classes]

CASE = "Unsere Frage: GEHEIM-4711"


def ended(days_ago: float):
    start = timezone.now() - timedelta(days=days_ago, hours=3)
    return {"start_at": start, "end_at": start + timedelta(hours=3)}


@pytest.fixture
def past(index):
    return WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Suhr", slug="suhr", **ended(1)
    )


def attendee(workshop, **fields):
    fields.setdefault("attended_at", timezone.now() - timedelta(days=1))
    fields.setdefault("share_contact", True)
    return RegistrationFactory(workshop=workshop, **fields)


@pytest.fixture
def people(past):
    return {
        "anna": attendee(
            past,
            first_name="Anna",
            last_name="Amsler",
            role="case_presenter",
            case_description=CASE,
        ),
        "lea": attendee(past, first_name="Léa", last_name="Dubois"),
        "bruno": attendee(
            past, first_name="Bruno", last_name="Nein", share_contact=False
        ),
        "carla": attendee(
            past, first_name="Carla", last_name="Fehlt", attended_at=None
        ),
    }


def screen_url(workshop) -> str:
    return reverse("wagtail_atelier_workshops:networking_list", args=[workshop.pk])


def names_on(response) -> list[str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [
        " ".join(row.find("th").get_text().split())
        for row in soup.select("tr[data-person]")
    ]


def message_texts(response) -> list[str]:
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


# -- who may see it ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, past, people):
    response = client.get(screen_url(past))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response.url


def test_editors_without_registration_permissions_are_denied(
    client, users, past, people
):
    client.force_login(users["editor"])
    for response in (
        client.get(screen_url(past)),
        client.post(screen_url(past), {"action": "hold"}),
    ):
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    assert not NetworkingList.objects.exists()


def test_viewers_see_who_is_on_it_but_cannot_hold_it(client, users, past, people):
    client.force_login(users["viewer"])

    response = client.get(screen_url(past))

    assert response.status_code == 200
    assert names_on(response) == ["Anna Amsler", "Léa Dubois"]
    text = response.content.decode()
    assert "Nein" not in text and "Fehlt" not in text
    assert "GEHEIM-4711" not in text  # never the case question
    assert 'value="hold"' not in text
    assert "no-store" in response["Cache-Control"]
    refused = client.post(screen_url(past), {"action": "hold"})
    assert refused.status_code == 302
    assert not NetworkingList.objects.filter(held=True).exists()


def test_the_page_editor_panel_links_to_it(client, users, past):
    client.force_login(users["viewer"])
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[past.pk]))
    assert screen_url(past) in edit.content.decode()


def test_an_unknown_workshop_is_not_found(client, users, past):
    client.force_login(users["viewer"])
    response = client.get(
        reverse("wagtail_atelier_workshops:networking_list", args=[999999]),
        follow=True,
    )
    assert response.status_code == 404


# -- holding back and releasing ----------------------------------------------------


def test_a_coordinator_holds_it_back_and_releases_it(client, users, past, people):
    client.force_login(users["changer"])

    response = client.post(screen_url(past), {"action": "hold"})

    assert response.status_code == 302
    held = NetworkingList.objects.get()
    assert held.held is True
    assert held.held_changed_by == users["changer"]
    assert networking.send_list(past.translation_key) == 0
    page = client.get(screen_url(past))
    assert 'value="release"' in page.content.decode()

    client.post(screen_url(past), {"action": "release"})

    assert NetworkingList.objects.get().held is False
    assert networking.send_list(past.translation_key) == 2


@pytest.mark.parametrize("posted", [{}, {"action": "delete"}, {"action": "x" * 500}])
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    client, users, past, people, posted
):
    client.force_login(users["changer"])

    response = client.post(screen_url(past), posted)

    assert response.status_code == 400
    assert "Choose whether to hold the list back or to release it." in (
        response.content.decode()
    )
    assert not NetworkingList.objects.filter(held=True).exists()


def test_once_sent_it_shows_to_whom_and_cannot_be_held(client, users, past, people):
    networking.send_list(past.translation_key)
    networking.withdraw_share_contact(people["lea"])
    client.force_login(users["changer"])

    page = client.get(screen_url(past))

    assert names_on(page) == ["Anna Amsler", "Léa Dubois withdrew since"]
    assert 'value="hold"' not in page.content.decode()
    response = client.post(screen_url(past), {"action": "hold"})
    assert response.status_code == 302
    assert message_texts(response) == [
        "The networking list has already been sent: nothing was changed."
    ]
    assert NetworkingList.objects.get().held is False


# -- queries -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize("sent", [False, True], ids=["before", "after"])
def test_the_screen_reads_a_fixed_number_of_queries(
    client, django_user_model, past, size, sent, django_assert_max_num_queries
):
    for number in range(size):
        attendee(past, first_name=f"Person{number}")
        attendee(past, share_contact=False)
    if sent:
        networking.send_list(past.translation_key)
    user = admin_user(
        django_user_model, "coordinator", "wagtail_atelier.change_registration"
    )
    client.force_login(user)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(screen_url(past))

    assert response.status_code == 200
    assert len(names_on(response)) == size


#: Session, user, permissions, the page, the list row, the people, the counts and
#: the admin's own chrome: the same for 2 people as for 30.
QUERY_BUDGET = 17
