"""The networking list: who is on it, in which language each person gets it, when it
goes, that it goes once, holding it back, and withdrawing before it goes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import RegistrationFactory, WorkshopPageFactory, translate
from wagtail_atelier.models import NetworkingList, OutgoingMail
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.services import networking
from wagtail_atelier.tasks import send_networking_lists

pytestmark = pytest.mark.django_db

CASE = "Wie gewinnen wir junge Freiwillige? GEHEIM-4711"


def ended(days_ago: float):
    start = timezone.now() - timedelta(days=days_ago, hours=3)
    return {"start_at": start, "end_at": start + timedelta(hours=3)}


@pytest.fixture
def past(index):
    """A workshop that ended four days ago (past the default delay of three), with
    a French version."""
    german = WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Suhr", slug="suhr", **ended(4)
    )
    return {"de": german, "fr": translate(german, "fr", title="Atelier pratique Suhr")}


def attendee(workshop, **fields):
    fields.setdefault("attended_at", timezone.now() - timedelta(days=4))
    fields.setdefault("share_contact", True)
    return RegistrationFactory(workshop=workshop, **fields)


@pytest.fixture
def people(past):
    return {
        "anna": attendee(
            past["de"],
            first_name="Anna",
            last_name="Amsler",
            email="anna@example.org",
            organisation="Caring Community Suhr",
            town="Suhr",
            languages=["de", "it"],
            role="case_presenter",
            case_description=CASE,
            phone="+41 79 000 00 00",
        ),
        "lea": attendee(
            past["fr"],
            first_name="Léa",
            last_name="Dubois",
            email="lea@example.org",
            organisation="Quartier solidaire Renens",
            town="Renens",
            languages=["fr", "de"],
        ),
        # Attended, did not agree: never on it.
        "bruno": attendee(
            past["de"], first_name="Bruno", last_name="Nein", share_contact=False
        ),
        # Agreed, not marked as attended: not on it.
        "carla": attendee(
            past["de"], first_name="Carla", last_name="Fehlt", attended_at=None
        ),
        # Agreed and marked, but cancelled: not on it.
        "dora": attendee(
            past["de"], first_name="Dora", last_name="Abgemeldet", status="cancelled"
        ),
    }


def networking_mails():
    return OutgoingMail.objects.filter(kind=MailKind.NETWORKING_LIST).order_by("pk")


def send_due(django_capture_on_commit_callbacks, **kwargs) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return networking.send_due_networking_lists(**kwargs)


def in_language(language: str, message: str, **params) -> str:
    with translation.override(language):
        return gettext(message) % params


# -- who is on it, in which language ------------------------------------------------


def test_only_attendees_who_agreed_get_it_and_are_on_it(
    people, django_capture_on_commit_callbacks
):
    assert send_due(django_capture_on_commit_callbacks) == 2

    mails = {m.to[0]: m for m in networking_mails()}
    assert set(mails) == {"anna@example.org", "lea@example.org"}
    everything = " ".join(m.body_text + m.body_html + m.subject for m in mails.values())
    for absent in ("Nein", "Fehlt", "Abgemeldet"):
        assert absent not in everything
    # Never the case question nor the phone, even of someone on the list.
    assert "GEHEIM-4711" not in everything
    assert "+41 79" not in everything
    # Anna reads Léa's contact, not her own as one of the others.
    anna = mails["anna@example.org"].body_text
    for shown in (
        "Léa Dubois",
        "Quartier solidaire Renens",
        "Renens",
        "lea@example.org",
    ):
        assert shown in anna
    assert "anna@example.org" not in anna
    # Everything went out.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "lea@example.org",
    ]


def test_each_person_gets_it_in_their_own_language(
    people, django_capture_on_commit_callbacks
):
    send_due(django_capture_on_commit_callbacks)

    mails = {m.to[0]: m for m in networking_mails()}
    french, german = mails["lea@example.org"], mails["anna@example.org"]
    assert (french.language, german.language) == ("fr", "de")
    assert "Atelier pratique Suhr" in french.subject
    assert "Praxiswerkstatt Suhr" in german.subject
    assert in_language("fr", "Hello %(name)s,", name="Léa") in french.body_text
    assert in_language("de", "Hello %(name)s,", name="Anna") in german.body_text
    # The languages the others speak, named in the reader's language.
    with translation.override("fr"):
        anna_speaks = f"{gettext('German')}, {gettext('Italian')}"
    with translation.override("de"):
        lea_speaks = f"{gettext('French')}, {gettext('German')}"
    assert anna_speaks in french.body_text
    assert lea_speaks in german.body_text
    assert "allemand" in french.body_text  # really translated


def test_the_mail_links_to_the_list_page_and_the_stored_copy_hides_it(
    people, django_capture_on_commit_callbacks
):
    send_due(django_capture_on_commit_callbacks)

    [sent] = [m for m in mail.outbox if m.to == ["lea@example.org"]]
    token = people["lea"].token
    assert f"/registration/{token}/networking/" in sent.body
    stored = networking_mails().get(to=["lea@example.org"])
    assert token not in stored.body_text + stored.body_html


# -- once --------------------------------------------------------------------------


def test_the_list_goes_once_however_often_it_runs(
    people, django_capture_on_commit_callbacks
):
    assert send_due(django_capture_on_commit_callbacks) == 2
    later = timezone.now() + timedelta(days=1)
    assert send_due(django_capture_on_commit_callbacks, now=later) == 0
    out = io.StringIO()
    call_command("atelier_send_networking_lists", stdout=out)
    assert "0 networking list mail(s) queued" in out.getvalue()
    assert send_networking_lists.call() == 0
    # Nor directly, for the workshop.
    assert networking.send_list(people["anna"].workshop_key) == 0

    assert networking_mails().count() == 2
    assert len(mail.outbox) == 2
    networking_list = NetworkingList.objects.get()
    assert networking_list.is_sent
    assert networking_list.recipient_count == 2


def test_the_database_refuses_a_second_list_mail_to_the_same_person(people):
    networking.send_list(people["anna"].workshop_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingMail.objects.create(
            kind=MailKind.NETWORKING_LIST,
            registration=people["anna"],
            to=["anna@example.org"],
            language="de",
            subject="again",
            body_text="again",
            next_attempt_at=timezone.now(),
        )


def test_the_command_sends_what_is_due(people, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("atelier_send_networking_lists", stdout=out)
    assert "2 networking list mail(s) queued" in out.getvalue()


# -- withdrawing ----------------------------------------------------------------------


def test_withdrawing_before_it_goes_takes_the_person_off_it(
    past, people, django_capture_on_commit_callbacks
):
    attendee(past["de"], first_name="Marco", last_name="Rossi", email="m@example.org")
    networking.withdraw_share_contact(people["anna"])

    assert send_due(django_capture_on_commit_callbacks) == 2

    mails = list(networking_mails())
    assert sorted(m.to[0] for m in mails) == ["lea@example.org", "m@example.org"]
    assert not any("Amsler" in m.body_text + m.body_html for m in mails)


def test_withdrawing_after_it_went_takes_the_person_off_its_page(
    people, django_capture_on_commit_callbacks
):
    send_due(django_capture_on_commit_callbacks)
    key = people["anna"].workshop_key
    assert {p.pk for p in networking.page_members(key)} == {
        people["anna"].pk,
        people["lea"].pk,
    }

    networking.withdraw_share_contact(people["anna"])

    assert [p.pk for p in networking.page_members(key)] == [people["lea"].pk]
    assert networking_mails().count() == 2  # what was sent stays sent


# -- when ----------------------------------------------------------------------------


def test_nothing_goes_before_the_delay(past, people, settings):
    settings.WAGTAIL_ATELIER_NETWORKING_LIST_DELAY = timedelta(days=5)
    assert networking.due_workshop_keys() == []
    in_two_days = timezone.now() + timedelta(days=2)
    assert networking.due_workshop_keys(now=in_two_days) == [past["de"].translation_key]


def test_none_switches_it_off(people, settings, django_capture_on_commit_callbacks):
    settings.WAGTAIL_ATELIER_NETWORKING_LIST_DELAY = None
    assert send_due(django_capture_on_commit_callbacks) == 0
    assert not networking_mails().exists()


def test_a_workshop_that_ended_long_ago_is_never_sent(index, settings):
    old = WorkshopPageFactory(parent=index, slug="alt", **ended(60))
    attendee(old)
    attendee(old)
    settings.WAGTAIL_ATELIER_NETWORKING_LIST_WINDOW_DAYS = 30
    assert networking.due_workshop_keys() == []


def test_with_fewer_than_two_on_it_nothing_goes_and_it_stays_due(past):
    attendee(past["de"])
    attendee(past["de"], share_contact=False)

    assert networking.send_due_networking_lists() == 0

    assert not networking_mails().exists()
    assert networking.due_workshop_keys() == [past["de"].translation_key]


# -- holding back ----------------------------------------------------------------------


def test_a_held_list_waits_until_it_is_released(
    people, django_capture_on_commit_callbacks
):
    key = people["anna"].workshop_key
    networking.hold(key)
    assert send_due(django_capture_on_commit_callbacks) == 0
    assert networking.due_workshop_keys() == []

    networking.release(key)
    assert send_due(django_capture_on_commit_callbacks) == 2


def test_a_sent_list_cannot_be_held_back(people):
    key = people["anna"].workshop_key
    networking.send_list(key)
    with pytest.raises(networking.AlreadySentError):
        networking.hold(key)
    assert NetworkingList.objects.get().held is False


def test_counts_say_who_agreed_but_is_not_marked(people):
    counts = networking.counts(people["anna"].workshop_key)
    assert (counts.attended, counts.agreed, counts.agreed_not_attended) == (3, 2, 1)


# -- erasure ----------------------------------------------------------------------


def test_erasing_a_person_removes_them_from_the_copies_sent_to_the_others(
    past, people, django_capture_on_commit_callbacks
):
    from wagtail_atelier.services.people import erase_person

    marco = attendee(
        past["de"], first_name="Marco", last_name="Rossi", email="m@example.org"
    )
    send_due(django_capture_on_commit_callbacks)
    assert "Dubois" in networking_mails().get(to=["m@example.org"]).body_text

    erase_person("lea@example.org")

    mails = list(networking_mails())
    assert sorted(m.to[0] for m in mails) == ["anna@example.org", "m@example.org"]
    for stored in mails:
        everything = stored.body_text + stored.body_html
        assert "Dubois" not in everything
        assert "lea@example.org" not in everything
        assert "Renens" not in everything
        assert marco.token not in everything and people["anna"].token not in everything
    assert "Rossi" in networking_mails().get(to=["anna@example.org"]).body_text
