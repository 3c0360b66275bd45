"""The "Messages" screens of a workshop: who may see and send, writing, the preview,
sending to a group, bad input, the links to the screens and the query budgets."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from wagtail.models import Page

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    both_page_classes,
)
from wagtail_atelier.links import admin_registrations_url
from wagtail_atelier.models import Message, MessageGroup, OutgoingMail
from wagtail_atelier.services import messages as service
from wagtail_atelier.services import table_plan

pytestmark = [pytest.mark.django_db, both_page_classes]


def list_url(workshop) -> str:
    return reverse("wagtail_atelier_workshops:messages", args=[workshop.pk])


def write_url(workshop) -> str:
    return reverse("wagtail_atelier_workshops:message_write", args=[workshop.pk])


def data(group="waiting", subject="Neuer Raum", body="Hallo {first_name}", **extra):
    return {"group": group, "subject": subject, "body": body, **extra}


def message_texts(response) -> list[str]:
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


@pytest.fixture
def people(workshop, french_workshop):
    return {
        "confirmed": RegistrationFactory(workshop=workshop, first_name="Zoe"),
        "waiting": RegistrationFactory(
            workshop=workshop, status="waiting", first_name="Wanda", last_name="Warte"
        ),
        "waiting_fr": RegistrationFactory(
            workshop=french_workshop, status="waiting", first_name="Noé"
        ),
    }


# -- who may do what -------------------------------------------------------------------


@pytest.mark.parametrize("url", [list_url, write_url], ids=["list", "write"])
def test_anonymous_visitors_are_sent_to_the_login(client, workshop, url):
    response = client.get(url(workshop))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("user", "list_status", "write_status"),
    [("editor", 302, 302), ("viewer", 200, 302), ("changer", 200, 200)],
)
def test_the_registration_permissions_open_the_screens(
    client, submit, users, workshop, people, user, list_status, write_status
):
    client.force_login(users[user])
    assert client.get(list_url(workshop)).status_code == list_status
    assert client.get(write_url(workshop)).status_code == write_status
    # Only with the change permission is anything sent (else: to the dashboard).
    response = submit(write_url(workshop), data(action="send"))
    assert response.status_code == 302
    sent = user == "changer"
    assert Message.objects.exists() == sent
    assert bool(mail.outbox) == sent


def test_the_write_button_is_only_for_those_who_may_send(client, users, workshop):
    client.force_login(users["viewer"])
    assert "data-write-message" not in client.get(list_url(workshop)).content.decode()
    client.force_login(users["changer"])
    assert "data-write-message" in client.get(list_url(workshop)).content.decode()


def test_a_page_that_is_not_a_workshop_is_not_found(client, users, root_page):
    client.force_login(users["changer"])
    page = Page.objects.get(pk=root_page.pk)
    assert client.get(write_url(page), follow=True).status_code == 404


# -- writing, previewing, sending ------------------------------------------------------


def test_the_form_offers_each_group_with_its_count(client, users, workshop, people):
    client.force_login(users["changer"])
    html = client.get(write_url(workshop)).content.decode()
    assert "Everyone confirmed (1 person)" in html
    assert "The waiting list (2 people)" in html
    assert "{first_name}" in html  # the placeholders are explained
    assert 'aria-describedby="id_body_helptext"' in html


def test_the_preview_shows_each_language_and_sends_nothing(
    client, users, workshop, people
):
    client.force_login(users["changer"])
    response = client.post(write_url(workshop), data(action="preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-message-preview" in html
    assert 'data-language="de"' in html and 'data-language="fr"' in html
    assert "Hallo Wanda" in html and "Hallo Noé" in html
    assert people["waiting"].token not in html
    assert "Send to 2 people" in html
    assert not Message.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_sending_to_the_waiting_list_reaches_it_and_shows_the_counts(
    client, users, workshop, people, submit
):
    client.force_login(users["changer"])
    preview = client.post(write_url(workshop), data(action="preview"))
    submission = preview.context["form"]["submission"].value()
    response = submit(write_url(workshop), data(action="send", submission=submission))
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"] == list_url(workshop) + f"#message-{message.pk}"
    assert message.group == MessageGroup.WAITING
    assert message.author == users["changer"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["waiting"].email, people["waiting_fr"].email]
    )
    assert message_texts(response) == [
        "The message is on its way to 2 people (The waiting list)."
    ]
    listing = client.get(list_url(workshop)).content.decode()
    assert f'id="message-{message.pk}"' in listing
    assert "2 sent" in listing and "0 failed" in listing
    # The same form sent again (a reload) sends nothing more.
    again = submit(write_url(workshop), data(action="send", submission=submission))
    assert again.status_code == 302
    assert len(mail.outbox) == 2
    assert message_texts(again) == [
        "This message was already sent: it was not sent a second time."
    ]


def test_a_table_can_be_chosen_when_there_is_a_plan(client, users, index, submit):
    page = WorkshopPageFactory(
        parent=index, slug="tische", case_presenter_capacity=None
    )
    for i in range(2):
        RegistrationFactory(workshop=page, role="case_presenter", organisation=f"O{i}")
    for i in range(6):
        RegistrationFactory(workshop=page, organisation=f"O{i % 2}")
    table_plan.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
    client.force_login(users["changer"])
    html = client.get(write_url(page)).content.decode()
    assert 'value="table:1"' in html and 'value="table:2"' in html
    response = submit(write_url(page), data(group="table:1", action="send"))
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.group, message.table_number) == ("table", 1)
    plan = service._seating(page.translation_key)
    assert message.recipient_count == len(service.table_members(plan, 1))


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        (
            data(body="Hallo {vorname}"),
            "{vorname} is not a placeholder this message knows.",
        ),
        (
            data(subject="{a} und {b}"),
            "{a}, {b} are not placeholders this message knows.",
        ),
        (data(body=""), "Write the message."),
        (data(subject="x" * 201), "Ensure this value has at most 200 characters"),
        (data(group=""), "Choose who gets the message."),
        (data(group="table:99"), "This group is no longer available"),
        (data(group="<script>"), "This group is no longer available"),
    ],
)
@pytest.mark.parametrize("action", ["preview", "send"])
def test_bad_input_is_refused_with_a_clear_error(
    client, users, workshop, people, posted, error, action
):
    client.force_login(users["changer"])
    response = client.post(write_url(workshop), {**posted, "action": action})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert error in html.replace("&#x27;", "'")
    assert not Message.objects.exists()
    assert not mail.outbox


def test_an_empty_group_is_a_form_error(client, users, workshop, people):
    client.force_login(users["changer"])
    for action in ("preview", "send"):
        response = client.post(
            write_url(workshop), data(group="case_presenters", action=action)
        )
        assert response.status_code == 400
        assert "Nobody is in this group at the moment" in response.content.decode()
    assert not Message.objects.exists()


# -- where the screens are linked from -------------------------------------------------


def test_the_registrations_of_a_workshop_link_to_the_messages(
    client, users, workshop, people
):
    client.force_login(users["viewer"])
    html = client.get(admin_registrations_url(workshop)).content.decode()
    assert "data-messages-link" in html
    assert list_url(workshop) in html
    unfiltered = client.get(admin_registrations_url()).content.decode()
    assert "data-messages-link" not in unfiltered


def test_the_workshop_editor_links_to_the_messages(admin_client, workshop):
    edit = reverse("wagtailadmin_pages:edit", args=[workshop.pk])
    response = admin_client.get(edit)
    assert response.status_code == 200
    assert list_url(workshop) in response.content.decode()


# -- query budgets ---------------------------------------------------------------------


def crowd(workshop, size):
    for n in range(size):
        RegistrationFactory(
            workshop=workshop, role="case_presenter" if n % 4 == 0 else "participant"
        )
        RegistrationFactory(workshop=workshop, status="waiting")


@pytest.mark.parametrize("size", [2, 20])
def test_the_write_screen_costs_the_same_whatever_the_registrations(
    client, users, workshop, size, django_assert_max_num_queries
):
    crowd(workshop, size)
    client.force_login(users["changer"])
    client.get(write_url(workshop))  # warm the session and caches
    with django_assert_max_num_queries(WRITE_BUDGET):
        assert client.get(write_url(workshop)).status_code == 200
    with django_assert_max_num_queries(PREVIEW_BUDGET):
        response = client.post(write_url(workshop), data(action="preview"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_sending_costs_the_same_whatever_the_registrations(
    client,
    users,
    workshop,
    size,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    crowd(workshop, size)
    client.force_login(users["changer"])
    client.get(write_url(workshop))
    with (
        django_capture_on_commit_callbacks(execute=False),
        django_assert_max_num_queries(SEND_BUDGET),
    ):
        response = client.post(write_url(workshop), data(action="send"))
    assert response.status_code == 302
    assert Message.objects.get().recipient_count == size


@pytest.mark.parametrize("size", [1, 8])
def test_the_list_costs_the_same_whatever_the_messages_and_mails(
    client,
    users,
    workshop,
    size,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    crowd(workshop, 5)
    for n in range(size):
        with django_capture_on_commit_callbacks(execute=True):
            service.send_message(
                workshop=workshop,
                audience=service.Audience(MessageGroup.WAITING),
                subject=f"Nachricht {n}",
                body="Hallo",
                author=users["changer"],
            )
    client.force_login(users["viewer"])
    client.get(list_url(workshop))
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(list_url(workshop))
    assert response.content.decode().count("data-message=") == size


#: Measured (session, user, permissions, profile, the workshop, then the screen's
#: own reads) with two queries to spare; the sizes show they do not grow.
WRITE_BUDGET = 17
PREVIEW_BUDGET = 22
SEND_BUDGET = 25
LIST_BUDGET = 16
