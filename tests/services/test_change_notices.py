"""Change notices: a published workshop that moves tells its registrants once, with an
updated calendar entry; a cancelled one tells everyone with METHOD:CANCEL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.factories import (
    MEETING_MARKER,
    RegistrationFactory,
    WorkshopPageFactory,
    translate,
)
from wagtail_atelier.ical import workshop_uid
from wagtail_atelier.models import (
    ChangeNotice,
    ChangeNoticeStatus,
    MailKind,
    OutgoingMail,
)
from wagtail_atelier.services import change_notices as service
from wagtail_atelier.services.mail import deliver
from wagtail_atelier.services.registration import RegistrationState, registration_state

pytestmark = pytest.mark.django_db


def publish_with(page, **changes):
    page = page.get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def mails(kind):
    return list(OutgoingMail.objects.filter(kind=kind).order_by("pk"))


def rendered(mails_, capture):
    for mail in mails_:
        deliver(mail.pk)
    return [OutgoingMail.objects.get(pk=mail.pk) for mail in mails_]


def event_of(mail):
    calendar = Calendar.from_ical(mail.attachments[0]["content"])
    return calendar, next(iter(calendar.walk("VEVENT")))


def test_a_date_change_sends_one_notice_per_person_with_a_higher_sequence(
    workshop, django_capture_on_commit_callbacks
):
    confirmed = RegistrationFactory(workshop=workshop)
    waiting = RegistrationFactory(workshop=workshop, status="waiting")
    RegistrationFactory(workshop=workshop, status="cancelled")
    # A first publication through a revision; the waiting person stays waiting.
    workshop = publish_with(workshop, participant_capacity=1)
    assert workshop.ical_sequence == 0
    old_start = workshop.start_at

    workshop = publish_with(
        workshop,
        start_at=old_start + timedelta(days=7),
        end_at=old_start + timedelta(days=7, hours=3),
    )

    assert workshop.ical_sequence == 1
    notice = ChangeNotice.objects.get()
    assert notice.status == ChangeNoticeStatus.PENDING
    assert "start_at" in notice.previous
    assert service.recipient_counts(workshop.translation_key) == {
        "confirmed": 1,
        "waiting": 1,
    }
    assert not mails(MailKind.CHANGE_NOTICE)  # nobody is told before the editor

    with django_capture_on_commit_callbacks(execute=True):
        told = service.send_notice(notice)

    assert told == 2
    sent = rendered(mails(MailKind.CHANGE_NOTICE), None)
    assert sorted(m.to[0] for m in sent) == sorted([confirmed.email, waiting.email])
    for mail in sent:
        calendar, event = event_of(mail)
        assert str(event["uid"]) == workshop_uid(workshop)
        assert int(event["sequence"]) == 1
        assert str(calendar["method"]) == "PUBLISH"
        assert event.decoded("dtstart") == workshop.start_at.replace(microsecond=0)
    # Sending twice (a double click) tells nobody again.
    assert service.send_notice(notice) == 0
    assert len(mails(MailKind.CHANGE_NOTICE)) == 2


def test_the_online_information_goes_to_confirmed_people_only(
    index, django_capture_on_commit_callbacks
):
    workshop = WorkshopPageFactory(parent=index, online=True)
    workshop = publish_with(workshop, participant_capacity=1)
    RegistrationFactory(workshop=workshop, email="c@example.org")
    RegistrationFactory(workshop=workshop, status="waiting", email="w@example.org")
    workshop = publish_with(
        workshop, online_meeting_details=f"https://meet.example.org/{MEETING_MARKER}X"
    )
    notice = ChangeNotice.objects.get()
    assert notice.previous == {"online_meeting_details": True}
    with django_capture_on_commit_callbacks(execute=True):
        service.send_notice(notice)
    by_address = {m.to[0]: m for m in mails(MailKind.CHANGE_NOTICE)}
    for mail in by_address.values():
        deliver(mail.pk)
        mail.refresh_from_db()
    assert f"{MEETING_MARKER}X" in by_address["c@example.org"].body_text
    assert MEETING_MARKER not in by_address["w@example.org"].body_text
    assert MEETING_MARKER not in by_address["w@example.org"].body_html
    for mail in by_address.values():
        assert MEETING_MARKER not in mail.attachments[0]["content"]


def test_each_person_is_told_in_their_language(
    workshop, django_capture_on_commit_callbacks
):
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    RegistrationFactory(workshop=french, email="fr@example.org")
    workshop = publish_with(workshop)
    workshop = publish_with(workshop, town="Aarau", postcode="5000")
    with django_capture_on_commit_callbacks(execute=True):
        service.send_notice(ChangeNotice.objects.get())
    (mail,) = rendered(mails(MailKind.CHANGE_NOTICE), None)
    assert mail.language == "fr"
    assert "Atelier pratique Suhr" in mail.subject
    assert "Suhr" in mail.body_text and "Aarau" in mail.body_text


def test_a_translation_published_with_the_same_change_tells_nobody_again(workshop):
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    RegistrationFactory(workshop=workshop)
    workshop = publish_with(workshop)
    new_start = workshop.start_at + timedelta(days=1)
    publish_with(workshop, start_at=new_start, end_at=new_start + timedelta(hours=3))
    publish_with(french, start_at=new_start, end_at=new_start + timedelta(hours=3))
    assert ChangeNotice.objects.count() == 1
    french.refresh_from_db()
    assert french.ical_sequence == 1


def test_a_title_change_is_no_notice(workshop):
    RegistrationFactory(workshop=workshop)
    workshop = publish_with(workshop)
    publish_with(workshop, title="Neuer Titel")
    assert not ChangeNotice.objects.exists()


def test_a_second_change_before_the_decision_joins_the_first(workshop):
    RegistrationFactory(workshop=workshop)
    workshop = publish_with(workshop)
    workshop = publish_with(workshop, town="Aarau")
    workshop = publish_with(workshop, venue_name="Aula")
    notice = ChangeNotice.objects.get()
    assert notice.previous == {"town": "Suhr", "venue_name": "Gemeindesaal"}
    workshop = publish_with(workshop, town="Suhr", venue_name="Gemeindesaal")
    notice.refresh_from_db()
    assert notice.status == ChangeNoticeStatus.NOBODY


def test_dismissing_tells_nobody(workshop, django_capture_on_commit_callbacks):
    RegistrationFactory(workshop=workshop)
    workshop = publish_with(workshop)
    publish_with(workshop, town="Aarau")
    notice = ChangeNotice.objects.get()
    assert service.dismiss_notice(notice)
    assert service.send_notice(notice) == 0
    assert not mails(MailKind.CHANGE_NOTICE)


@pytest.mark.parametrize("size", [1, 10])
def test_sending_costs_the_same_whatever_the_number_of_people(
    workshop, size, django_assert_max_num_queries
):
    for _n in range(size):
        RegistrationFactory(workshop=workshop)
    workshop = publish_with(workshop)
    publish_with(workshop, town="Aarau")
    notice = ChangeNotice.objects.get()
    with django_assert_max_num_queries(8):
        assert service.send_notice(notice) == size


def test_a_cancelled_workshop_tells_everyone_with_method_cancel(
    workshop, django_capture_on_commit_callbacks
):
    confirmed = RegistrationFactory(workshop=workshop)
    waiting = RegistrationFactory(workshop=workshop, status="waiting")
    workshop = publish_with(workshop)

    with django_capture_on_commit_callbacks(execute=True):
        notice = service.cancel_workshop(workshop, reason="Der Saal ist nicht frei.")

    assert notice.recipients == 2
    workshop.refresh_from_db()
    assert workshop.is_cancelled
    assert registration_state(workshop) == RegistrationState.CANCELLED
    sent = rendered(mails(MailKind.WORKSHOP_CANCELLED), None)
    assert sorted(m.to[0] for m in sent) == sorted([confirmed.email, waiting.email])
    for mail in sent:
        calendar, event = event_of(mail)
        assert str(calendar["method"]) == "CANCEL"
        assert str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == workshop_uid(workshop)
        assert int(event["sequence"]) == 1
        assert "Der Saal ist nicht frei." in mail.body_text
    with pytest.raises(service.AlreadyCancelledError):
        service.cancel_workshop(workshop)


def test_the_feed_and_the_page_show_the_cancellation(workshop, client):
    workshop = publish_with(workshop)
    service.cancel_workshop(workshop)
    workshop.refresh_from_db()
    response = client.get(workshop.url + "ical/")
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1
    page = client.get(workshop.url).content.decode()
    assert "atelier-registration" in page
    assert 'name="role"' not in page
    assert "https://schema.org/EventCancelled" in page


def test_a_later_revision_does_not_undo_the_cancellation(workshop):
    workshop = publish_with(workshop)
    draft = workshop.get_latest_revision_as_object()
    draft.save_revision()  # a draft from before the cancellation
    service.cancel_workshop(workshop)
    workshop.refresh_from_db()
    workshop = publish_with(workshop, title="Abgesagt: Praxiswerkstatt")
    assert workshop.is_cancelled
    assert workshop.ical_sequence == 1
