"""Messages to registrants: the placeholders, the groups, one stored mail per person
with their own link, in their language, sent by the worker, and the counts."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import override_settings
from wagtail.models import ModelLogEntry

from tests.factories import RegistrationFactory, both_page_classes
from wagtail_atelier.links import registration_url
from wagtail_atelier.models import (
    MailKind,
    MailStatus,
    Message,
    MessageGroup,
    OutgoingMail,
    Registration,
)
from wagtail_atelier.services import messages as service
from wagtail_atelier.services import table_plan
from wagtail_atelier.services.mail import deliver_due
from wagtail_atelier.services.retention import purge_workshop

pytestmark = [pytest.mark.django_db, both_page_classes]

FAILING = "tests.mail_backends.FailingBackend"


@pytest.fixture
def people(workshop, french_workshop):
    """Two confirmed case presenters (one registered in French), two confirmed
    participants, two on the waiting list, one cancelled."""
    return {
        "presenter": RegistrationFactory(
            workshop=workshop, role="case_presenter", first_name="Zoe"
        ),
        "presenter_fr": RegistrationFactory(
            workshop=french_workshop, role="case_presenter", first_name="Léa"
        ),
        "participant": RegistrationFactory(workshop=workshop, first_name="Ueli"),
        "participant2": RegistrationFactory(workshop=workshop, first_name="Vreni"),
        "waiting": RegistrationFactory(
            workshop=workshop, status="waiting", first_name="Wanda"
        ),
        "waiting_fr": RegistrationFactory(
            workshop=french_workshop, status="waiting", first_name="Noé"
        ),
        "cancelled": RegistrationFactory(
            workshop=workshop, status="cancelled", first_name="Carla"
        ),
    }


def send(workshop, group, *, subject="Neuer Raum", body="Hallo {first_name}", **kw):
    return service.send_message(
        workshop=workshop,
        audience=service.Audience(group, kw.pop("table_number", None)),
        subject=subject,
        body=body,
        **kw,
    )


def outbox_by_address() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


# -- placeholders ----------------------------------------------------------------------


def test_placeholders_are_filled_in_one_pass_and_braces_can_be_written():
    values = {"first_name": "{workshop_title}", "workshop_title": "Suhr"}
    text = "Hallo {first_name}, {{first_name}} heisst {workshop_title}."
    assert (
        service.fill(text, values)
        == "Hallo {workshop_title}, {first_name} heisst Suhr."
    )


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Hallo {first_name}", []),
        ("Hallo {vorname} und {vorname}", ["{vorname}"]),
        ("{first name} {} {{ok}}", ["{first name}", "{}"]),
        ("{{ request.user.password }}", []),  # literal braces, no template
        ("{{first_name}", []),
        ("Eine { einzelne Klammer", []),
    ],
)
def test_unknown_placeholders_are_reported(text, unknown):
    assert service.unknown_placeholders(text) == unknown


# -- groups ----------------------------------------------------------------------------


GROUPS = {
    MessageGroup.CONFIRMED: {
        "presenter",
        "presenter_fr",
        "participant",
        "participant2",
    },
    MessageGroup.WAITING: {"waiting", "waiting_fr"},
    MessageGroup.CASE_PRESENTERS: {"presenter", "presenter_fr"},
    MessageGroup.PARTICIPANTS: {"participant", "participant2"},
}


@pytest.mark.parametrize("group", list(GROUPS), ids=str)
def test_a_message_reaches_exactly_the_chosen_group_with_their_own_links(
    workshop,
    french_workshop,
    people,
    group,
    client,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(workshop, group)
    expected = {people[name].email: people[name] for name in GROUPS[group]}
    sent = outbox_by_address()
    assert set(sent) == set(expected)
    assert len(mail.outbox) == len(expected)  # one mail per person
    assert message.recipient_count == len(expected)
    for address, person in expected.items():
        version = french_workshop if person.language == "fr" else workshop
        own_link = registration_url(person, version)
        body = sent[address].body
        assert f"Hallo {person.first_name}" in body
        assert own_link in body
        # Nobody else's link is in the mail.
        links = set(re.findall(r"https?://\S+/registration/[\w-]+/", body))
        assert links == {own_link}
        # The link opens the person's own registration.
        response = client.get(own_link)
        assert response.status_code == 200
        assert person.first_name in response.content.decode()
    mails = OutgoingMail.objects.filter(message=message)
    assert mails.count() == len(expected)
    assert set(mails.values_list("kind", flat=True)) == {MailKind.MESSAGE}
    assert set(mails.values_list("status", flat=True)) == {MailStatus.SENT}
    assert set(mails.values_list("registration_id", flat=True)) == {
        p.pk for p in expected.values()
    }
    # The stored copies keep no working link once sent.
    for stored in mails:
        assert "/registration/" not in stored.body_text


def test_a_table_of_the_table_plan_is_its_presenter_and_everyone_who_comes_to_it(
    index, django_capture_on_commit_callbacks
):
    from tests.factories import WorkshopPageFactory

    page = WorkshopPageFactory(
        parent=index,
        slug="tische",
        case_presenter_capacity=None,
        participant_capacity=None,
    )
    presenters = [
        RegistrationFactory(workshop=page, role="case_presenter", organisation=f"O{i}")
        for i in range(3)
    ]
    for i in range(9):
        RegistrationFactory(workshop=page, organisation=f"O{i % 3}")
    RegistrationFactory(workshop=page, status="waiting")
    table_plan.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
    plan = service._seating(page.translation_key)
    table = plan.problem.tables[0]
    members = service.table_members(plan, table.id)
    assert table.presenter_id in members
    assert not {p.pk for p in presenters[1:]} & members
    with django_capture_on_commit_callbacks(execute=True):
        message = send(page, MessageGroup.TABLE, table_number=table.id)
    addresses = set(
        Registration.objects.filter(pk__in=members).values_list("email", flat=True)
    )
    assert {m.to[0] for m in mail.outbox} == addresses
    assert message.group_label.endswith(str(table.id))


def test_a_table_that_is_not_in_the_plan_is_nobody(workshop, people):
    with pytest.raises(service.EmptyGroupError):
        send(workshop, MessageGroup.TABLE, table_number=7)
    assert not Message.objects.exists()
    assert not OutgoingMail.objects.filter(kind=MailKind.MESSAGE).exists()


def test_an_empty_group_stores_nothing(workshop, people):
    Registration.objects.filter(status="waiting").update(status="cancelled")
    with pytest.raises(service.EmptyGroupError):
        send(workshop, MessageGroup.WAITING)
    assert not Message.objects.exists()


def test_group_choices_count_the_people_of_each_group(workshop, people):
    counts = {
        service.audience_value(c.audience): c.count
        for c in service.group_choices(workshop.translation_key)
    }
    assert counts == {
        "confirmed": 4,
        "waiting": 2,
        "case_presenters": 2,
        "participants": 2,
    }


# -- language and safety ---------------------------------------------------------------


def test_each_person_gets_the_workshop_details_in_their_language(
    workshop, french_workshop, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(
            workshop,
            MessageGroup.CASE_PRESENTERS,
            subject="{workshop_title}: neuer Raum",
            body=(
                "{first_name}, am {workshop_date} um {workshop_time} "
                "in {workshop_place}"
            ),
        )
    sent = outbox_by_address()
    french = sent[people["presenter_fr"].email]
    german = sent[people["presenter"].email]
    assert french.subject == "Atelier pratique Suhr: neuer Raum"
    assert german.subject == f"{workshop.title}: neuer Raum"
    assert re.search(r"am \w+ \d+ \w+ \d{4}", french.body)  # "lundi 30 octobre 2023"
    assert re.search(r"am \w+, \d+\. \w+ \d{4}", german.body)  # "Montag, 30. Oktober"
    assert "Léa, am" in french.body


def test_a_first_name_is_text_not_markup_nor_a_placeholder(
    workshop, django_capture_on_commit_callbacks
):
    person = RegistrationFactory(
        workshop=workshop, first_name="<b>{workshop_title}</b>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        send(workshop, MessageGroup.CONFIRMED, body="Hallo {first_name} <i>")
    sent = mail.outbox[0]
    assert sent.to == [person.email]
    assert "Hallo <b>{workshop_title}</b> <i>" in sent.body
    html = sent.alternatives[0][0]
    assert "Hallo &lt;b&gt;{workshop_title}&lt;/b&gt; &lt;i&gt;" in html
    assert "<b>" not in html


# -- sending ---------------------------------------------------------------------------


def test_the_mails_are_stored_before_they_are_sent_and_sent_by_the_worker(
    workshop, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(workshop, MessageGroup.WAITING)
    assert not mail.outbox
    assert (
        OutgoingMail.objects.filter(message=message, status=MailStatus.PENDING).count()
        == 2
    )
    assert len(callbacks) == 1  # one task for the whole message
    # django-tasks 0.7 (the lowest supported) enqueues on the commit as well.
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert len(mail.outbox) == 2


def test_if_the_worker_is_never_reached_the_mail_command_sends_them(
    workshop, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = send(workshop, MessageGroup.WAITING)
    assert deliver_due()["sent"] == 2
    assert len(mail.outbox) == 2
    assert (
        service.messages_of(workshop.translation_key).get(pk=message.pk).mails_sent == 2
    )


def test_sent_and_failed_are_counted(
    workshop, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        failed = send(workshop, MessageGroup.WAITING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        sent = send(workshop, MessageGroup.PARTICIPANTS)
    counted = {m.pk: m for m in service.messages_of(workshop.translation_key)}
    assert (counted[failed.pk].mails_sent, counted[failed.pk].mails_failed) == (0, 2)
    assert (counted[sent.pk].mails_sent, counted[sent.pk].mails_failed) == (2, 0)
    assert counted[sent.pk].mails_waiting == 0


def test_a_form_sent_twice_sends_once(
    workshop, people, django_capture_on_commit_callbacks
):
    submission = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = send(workshop, MessageGroup.WAITING, submission=submission)
    with pytest.raises(service.AlreadySentError) as raised:
        send(workshop, MessageGroup.WAITING, submission=submission)
    assert raised.value.message == first
    assert len(mail.outbox) == 2
    assert Message.objects.count() == 1


def test_the_send_is_logged_without_names(workshop, people, admin_user):
    message = send(workshop, MessageGroup.WAITING, author=admin_user)
    entry = ModelLogEntry.objects.get(action=service.SEND_ACTION)
    assert entry.object_id == str(message.pk)
    assert entry.user_id == admin_user.pk
    assert "Wanda" not in entry.label and "Wanda" not in str(entry.data)
    assert entry.data == {"group": "waiting", "recipients": 2}


def test_purging_the_workshop_removes_the_mails_and_keeps_the_text(
    workshop, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(workshop, MessageGroup.CONFIRMED)
    purge_workshop(workshop.translation_key)
    assert not OutgoingMail.objects.filter(message=message).exists()
    message.refresh_from_db()
    assert message.body == "Hallo {first_name}"
    assert message.recipient_count == 4


@override_settings(LANGUAGE_CODE="de")
def test_previews_show_one_person_per_language_with_the_link_hidden(
    workshop, french_workshop, people
):
    previews = service.previews(
        workshop.translation_key,
        service.Audience(MessageGroup.CONFIRMED),
        "Raum {workshop_title}",
        "Hallo {first_name}",
    )
    by_language = {p.language: p for p in previews}
    assert set(by_language) == {"de", "fr"}
    assert by_language["de"].count == 3
    assert by_language["de"].sample == people["presenter"]
    assert by_language["fr"].count == 1
    assert by_language["fr"].subject == "Raum Atelier pratique Suhr"
    assert "Hallo Léa" in by_language["fr"].text
    assert people["presenter_fr"].token not in by_language["fr"].text
    assert not OutgoingMail.objects.exists()


def test_a_persons_export_and_erasure_reach_their_message_mail(
    workshop, people, django_capture_on_commit_callbacks
):
    from wagtail_atelier.services.people import erase_person, find_person

    with django_capture_on_commit_callbacks(execute=True):
        message = send(workshop, MessageGroup.WAITING)
    person = people["waiting"]
    mail_of_person = OutgoingMail.objects.get(message=message, registration=person)
    assert mail_of_person in find_person(person.email).mails
    erase_person(person.email)
    assert not OutgoingMail.objects.filter(pk=mail_of_person.pk).exists()
    # The other person's mail and the message (which names nobody) stay.
    assert OutgoingMail.objects.filter(message=message).count() == 1
    assert Message.objects.filter(pk=message.pk).exists()
