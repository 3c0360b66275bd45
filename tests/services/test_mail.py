"""Mails: stored with the change that causes them, sent after the commit by a
django-tasks task, in the registrant's language, never lost when the mail server
fails or hangs, retried with backoff, reminders exactly once."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta
from unittest import mock

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

try:  # the framework wagtail_atelier.tasks uses (Django 6's own, else the backport)
    from django.tasks.backends.immediate import ImmediateBackend
    from django.tasks.signals import task_enqueued
except ImportError:
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks.signals import task_enqueued
from freezegun import freeze_time

from tests.factories import (
    MEETING_MARKER,
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    registration_data,
    registration_form_data,
    route,
    translate,
)
from tests.mail_backends import TimeoutRecordingBackend
from tests.testapp.tree import site_tree
from wagtail_atelier.models import MailKind, MailStatus, OutgoingMail, Registration
from wagtail_atelier.services import mail as mail_service
from wagtail_atelier.services import registration as services
from wagtail_atelier.services.mail import backoff, deliver, deliver_due
from wagtail_atelier.templatetags.wagtail_atelier_tags import atelier_date

# The contact gets a mail for each registration here (the default is a digest:
# tests/services/test_notifications.py).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("notify_each_registration"),
]

FAILING = "tests.mail_backends.FailingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def t(language: str, message: str, **params) -> str:
    with translation.override(language):
        text = gettext(message)
    if language != "en":
        assert text != message, f"{message!r} is not translated into {language}"
    return text % params if params else text


def register(page, email, role="participant", **overrides):
    return services.register(
        workshop=page,
        data=registration_data(email, role, **overrides),
        language=page.locale.language_code,
    ).registration


# -- stored, then sent on commit -------------------------------------------------------


def test_mails_are_rows_first_and_sent_by_the_task_after_the_commit(
    client, workshop, django_capture_on_commit_callbacks
):
    from wagtail_atelier.tasks import send_mail

    assert isinstance(send_mail.get_backend(), ImmediateBackend)  # the default
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append(task_result.task.name)

    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                route(workshop, "register"), registration_form_data()
            )
            assert response.status_code == 302
            # Before the commit: the rows exist, nothing has left.
            rows = OutgoingMail.objects.order_by("pk")
            assert [(m.kind, m.status, m.attempts) for m in rows] == [
                (MailKind.CONFIRMATION, MailStatus.PENDING, 0),
                (MailKind.CONTACT_NOTIFICATION, MailStatus.PENDING, 0),
            ]
            assert mail.outbox == []
            assert enqueued == []
        # The commit has run the callbacks.
    finally:
        task_enqueued.disconnect(record)

    assert enqueued == ["send_mail", "send_mail"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "beatrice.keller@example.org",
    ]
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {
        (MailStatus.SENT, 1)
    }
    assert all(m.sent_at is not None for m in OutgoingMail.objects.all())


def test_a_registration_that_fails_after_its_mail_is_queued_leaves_neither(
    workshop, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(
            services,
            "_queue_contact_notification",
            side_effect=RuntimeError("boom after the confirmation was queued"),
        ),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        register(workshop, "beatrice@example.org")

    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_a_cancellation_that_fails_after_queueing_leaves_the_registration_as_it_was(
    workshop, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(workshop=workshop)
    with (
        mock.patch.object(
            services, "fill_from_waiting_list", side_effect=RuntimeError("boom")
        ),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        services.cancel(registration)

    registration.refresh_from_db()
    assert registration.is_confirmed
    assert OutgoingMail.objects.count() == 0
    assert callbacks == []


# -- languages -------------------------------------------------------------------------

SUBJECTS = {
    MailKind.CONFIRMATION: "Your place is confirmed: %(title)s",
    MailKind.WAITING_LIST: "You are on the waiting list: %(title)s",
    MailKind.PROMOTION: "A place is free for you: %(title)s",
    MailKind.CANCELLATION: "Registration cancelled: %(title)s",
    MailKind.LINK: "The link to your registration: %(title)s",
}


@pytest.fixture
def one_of_each(index, django_capture_on_commit_callbacks):
    """Every registrant mail for one person per language, and the staff notices.

    Per language version: A registers (confirmation), B waits (waiting list), B asks
    for the link, A cancels (cancellation) and B moves up (promotion); two days
    before the workshop B gets the reminder."""
    german = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Nähe & Distanz",
        participant_capacity=3,
        start_at=timezone.now() + timedelta(days=10),
    )
    versions = {
        "de": german,
        "fr": translate(german, "fr", title="Atelier pratique Proximité & distance"),
        "it": translate(german, "it", title="Laboratorio pratico Vicinanza & distanza"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        for code, page in versions.items():
            register(page, f"a-{code}@example.org")
        for code, page in versions.items():
            register(page, f"b-{code}@example.org")
            services.resend_link(workshop=page, email=f"b-{code}@example.org")
        for code in versions:
            services.cancel(Registration.objects.get(email=f"a-{code}@example.org"))
    with (
        freeze_time(german.start_at - timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.send_due_reminders() == 3
    return versions


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_registrant_mails_are_in_the_language_of_the_page_used(one_of_each, language):
    page = one_of_each[language]
    rows = OutgoingMail.objects.filter(
        registration__email__in=[
            f"a-{language}@example.org",
            f"b-{language}@example.org",
        ]
    ).exclude(kind=MailKind.CONTACT_NOTIFICATION)
    by_kind = {row.kind: row for row in rows}

    assert set(by_kind) == {*SUBJECTS, MailKind.REMINDER}
    for kind, message in SUBJECTS.items():
        assert by_kind[kind].language == language
        assert by_kind[kind].subject == t(language, message, title=page.title), kind
    with translation.override(language):
        date = atelier_date(page.start_at)
    assert by_kind[MailKind.REMINDER].subject == t(
        language, "See you soon: %(title)s on %(date)s", title=page.title, date=date
    )
    for row in by_kind.values():
        greeting = t(language, "Hello %(name)s,", name="Zoë")
        assert row.body_text.startswith(greeting)
        assert f'lang="{language}"' in row.body_html
    # And they reached the outbox like that.
    delivered = {
        m.subject for m in mail.outbox if m.to[0].endswith(f"-{language}@example.org")
    }
    assert delivered == {row.subject for row in by_kind.values()}


def test_contact_notifications_are_in_the_language_the_workshop_is_held_in(
    one_of_each, settings
):
    # A German workshop: its contact reads German, whichever page people used.
    notices = OutgoingMail.objects.filter(kind=MailKind.CONTACT_NOTIFICATION)

    assert notices.count() == 6
    assert settings.LANGUAGE_CODE == "de"
    for language in ("de", "fr", "it"):
        notice = notices.get(registration__email=f"a-{language}@example.org")
        assert notice.language == "de"
        assert 'lang="de"' in notice.body_html
        assert notice.to == ["anna@example.org"]
        assert one_of_each["de"].title in notice.subject
        assert "Zoë" not in notice.subject + notice.body_text


@pytest.mark.parametrize("held_in", ["fr", "it"])
def test_a_workshop_held_in_french_or_italian_notifies_in_that_language(
    index, held_in, django_capture_on_commit_callbacks
):
    german = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt in Lausanne",
        workshop_language=held_in,
        start_at=timezone.now() + timedelta(days=10),
    )
    held = translate(german, held_in, title=f"Atelier {held_in}")

    # The notification is rendered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(german, "z@example.org")

    notice = registration.mails.get(kind=MailKind.CONTACT_NOTIFICATION)
    assert notice.language == held_in
    assert f'lang="{held_in}"' in notice.body_html
    assert held.title in notice.subject
    assert t(held_in, "All registrations") in notice.body_html
    # The registrant's own mail stays in the language of the page they used.
    assert registration.mails.get(kind=MailKind.CONFIRMATION).language == "de"


@override_settings(WAGTAIL_ATELIER_NOTIFY_EMAILS=["team@example.org"])
def test_the_notify_setting_adds_recipients_and_reply_to_is_the_contact(workshop):
    registration = register(workshop, "z@example.org")

    notice = registration.mails.get(kind=MailKind.CONTACT_NOTIFICATION)
    confirmation = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert notice.to == ["anna@example.org", "team@example.org"]
    assert confirmation.reply_to == ["anna@example.org"]


# -- form of the mails -----------------------------------------------------------------


def test_mails_are_plain_text_with_an_html_alternative(workshop, submit):
    submit(route(workshop, "register"), registration_form_data())

    for message in mail.outbox:
        assert "<p>" not in message.body
        assert "<" not in message.body.replace("<3", "")
        [(html, mimetype)] = message.alternatives
        assert mimetype == "text/html"
        assert html.lstrip().startswith("<!doctype html>")
        assert "<p>" in html


def test_the_confirmation_carries_the_calendar_entry(workshop, submit):
    submit(route(workshop, "register"), registration_form_data())

    [confirmation] = [m for m in mail.outbox if m.to == ["beatrice.keller@example.org"]]
    [attachment] = confirmation.attachments
    filename, content, mimetype = attachment
    assert filename == f"{workshop.slug}.ics"
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == workshop.title
    assert event.decoded("DTSTART") == workshop.start_at.replace(microsecond=0)
    assert event.decoded("DTEND") == workshop.end_at.replace(microsecond=0)
    assert str(workshop.translation_key) in str(event["UID"])
    assert "Tramstrasse 10" in str(event["LOCATION"])
    # The notice to the contact has no calendar entry.
    [notice] = [m for m in mail.outbox if m.to == ["anna@example.org"]]
    assert notice.attachments == []


def test_waiting_list_mails_have_no_calendar_entry_but_the_promotion_has(
    index, django_capture_on_commit_callbacks
):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    # The registrant mails are rendered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        first = register(workshop, "a@example.org")
        waiting = register(workshop, "b@example.org")
    assert waiting.mails.get(kind=MailKind.WAITING_LIST).attachments == []

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first)

    [ics] = waiting.mails.get(kind=MailKind.PROMOTION).attachments
    assert ics["mimetype"] == "text/calendar"
    icalendar.Calendar.from_ical(ics["content"])


def test_online_meeting_details_go_only_to_confirmed_people(
    index, django_capture_on_commit_callbacks
):
    workshop = WorkshopPageFactory(
        parent=index,
        online=True,
        participant_capacity=1,
        start_at=timezone.now() + timedelta(days=10),
    )
    # The registrant mails are rendered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = register(workshop, "a@example.org")
        register(workshop, "b@example.org")
        services.resend_link(workshop=workshop, email="a@example.org")
        services.resend_link(workshop=workshop, email="b@example.org")
        services.cancel(confirmed)  # b moves up
    with (
        freeze_time(workshop.start_at - timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.send_due_reminders()

    def has_details(row):
        parts = [row.body_text, row.body_html, *(a["content"] for a in row.attachments)]
        return any(MEETING_MARKER in part for part in parts)

    rows = {
        (row.registration.email, row.kind): row for row in OutgoingMail.objects.all()
    }
    with_details = {key for key, row in rows.items() if has_details(row)}
    assert with_details == {
        ("a@example.org", MailKind.CONFIRMATION),
        ("b@example.org", MailKind.PROMOTION),
        ("b@example.org", MailKind.REMINDER),
    }
    # The waiting-list notice, the cancellation, the links and the staff notices do
    # not have it; neither does any calendar file.
    assert ("b@example.org", MailKind.WAITING_LIST) in rows
    confirmation = rows[("a@example.org", MailKind.CONFIRMATION)]
    assert t("de", "How to join online:") in confirmation.body_text
    assert MEETING_MARKER not in confirmation.attachments[0]["content"]


def test_case_presenters_get_the_preparation_note_participants_the_advice_note(
    workshop, django_capture_on_commit_callbacks
):
    # The registrant mails are rendered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        presenter = register(workshop, "case@example.org", "case_presenter")
        participant = register(workshop, "p@example.org")
    preparation = t(
        "de",
        "Preparing your case: at the start you will present your question in plenary "
        "in two or three minutes. Say briefly what is happening, what you have tried "
        "and what you would like advice on. Then you stay at your table for three "
        "rounds, and small groups of participants give you collegial advice. Nothing "
        "needs to be polished: a real question from your daily practice is exactly "
        "what we need.",
    )
    advice = t(
        "de",
        "Collegial advice: people who bring a case present their question briefly in "
        "plenary. You then join a different table in each of the three rounds and, "
        "with 3 to 5 others, advise the person who brought the case: ask about the "
        "question behind the question, say what might be missing, and suggest next "
        "steps. Listening and sharing your experience is what counts.",
    )

    presenter_mail = presenter.mails.get(kind=MailKind.CONFIRMATION)
    participant_mail = participant.mails.get(kind=MailKind.CONFIRMATION)
    assert preparation in presenter_mail.body_text
    assert advice not in presenter_mail.body_text
    assert advice in participant_mail.body_text
    assert preparation not in participant_mail.body_text


def test_text_mails_are_not_html_escaped_but_html_mails_are(
    index, django_capture_on_commit_callbacks
):
    workshop = WorkshopPageFactory(parent=index, title="Nähe & Distanz «Suhr»")
    # The registrant mails are rendered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(
            workshop,
            "o@example.org",
            "case_presenter",
            first_name="Zoë",
            last_name="O'Brien",
            organisation="Müller & Söhne",
            case_description='Wie sagen wir "Nein"? a < b',
        )

    confirmation = registration.mails.get(kind=MailKind.CONFIRMATION)
    notice = registration.mails.get(kind=MailKind.CONTACT_NOTIFICATION)
    assert "Nähe & Distanz «Suhr»" in confirmation.subject
    assert "Nähe & Distanz «Suhr»" in confirmation.body_text
    assert "Nähe & Distanz «Suhr»" in notice.subject + notice.body_text
    assert "&amp;" not in confirmation.body_text + notice.body_text
    assert "Zoë" in confirmation.body_text
    assert "Nähe &amp; Distanz" in confirmation.body_html
    assert "Nähe &amp; Distanz" in notice.body_html


# -- a failing mail server -------------------------------------------------------------


def test_a_failing_mail_server_never_fails_the_registration_nor_loses_the_mail(
    client, workshop, submit, settings
):
    settings.EMAIL_BACKEND = FAILING
    before = timezone.now()

    response = submit(route(workshop, "register"), registration_form_data())

    assert response.status_code == 302
    assert Registration.objects.get().is_confirmed
    assert client.get(response["Location"]).status_code == 200
    rows = list(OutgoingMail.objects.all())
    assert len(rows) == 2
    for row in rows:
        assert row.status == MailStatus.FAILED
        assert row.attempts == 1
        assert "SMTPException" in row.last_error and "421" in row.last_error
        assert row.next_attempt_at >= before + backoff(1)
        assert row.next_attempt_at > timezone.now()
    assert mail.outbox == []


def test_failed_mails_are_retried_later_and_sent_once(workshop, submit, settings):
    settings.EMAIL_BACKEND = FAILING
    submit(route(workshop, "register"), registration_form_data())
    settings.EMAIL_BACKEND = LOCMEM

    # Not yet due: the backoff is respected.
    call_command("atelier_send_mails", stdout=open("/dev/null", "w"))
    assert mail.outbox == []

    with freeze_time(timezone.now() + timedelta(minutes=2)):
        call_command("atelier_send_mails", stdout=open("/dev/null", "w"))
        call_command("atelier_send_mails", stdout=open("/dev/null", "w"))

    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "beatrice.keller@example.org",
    ]
    assert set(
        OutgoingMail.objects.values_list("status", "attempts", "last_error")
    ) == {(MailStatus.SENT, 2, "")}


def test_backoff_grows_and_the_mail_is_given_up_after_the_last_attempt(
    workshop, settings
):
    settings.EMAIL_BACKEND = FAILING
    settings.WAGTAIL_ATELIER_MAIL_MAX_ATTEMPTS = 4
    registration = register(workshop, "z@example.org")
    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    OutgoingMail.objects.exclude(pk=row.pk).delete()

    now = timezone.now()
    waits = []
    for attempt in range(1, 5):
        outcome = deliver_due(now=now)
        row.refresh_from_db()
        assert outcome["failed"] == 1
        assert row.attempts == attempt
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at + timedelta(seconds=1)

    assert waits[:3] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert row.status == MailStatus.GAVE_UP
    # Given up: never tried again, and still there for the admins to see.
    assert deliver_due(now=now + timedelta(days=1)) == {
        "sent": 0,
        "failed": 0,
        "skipped": 0,
    }
    row.refresh_from_db()
    assert row.attempts == 4
    assert row.last_error


def test_backoff_is_capped():
    assert backoff(1) == timedelta(minutes=1)
    assert backoff(5) == timedelta(minutes=16)
    assert backoff(30) == timedelta(hours=6)


@override_settings(
    EMAIL_BACKEND="tests.mail_backends.TimeoutRecordingBackend",
    WAGTAIL_ATELIER_MAIL_TIMEOUT=7,
)
def test_each_attempt_opens_the_connection_with_the_timeout_setting(workshop, submit):
    TimeoutRecordingBackend.timeouts.clear()

    submit(route(workshop, "register"), registration_form_data())

    assert TimeoutRecordingBackend.timeouts == [7, 7]
    assert len(mail.outbox) == 2


@pytest.fixture
def silent_smtp_server():
    """A TCP server on the loopback that accepts connections and never answers,
    like a hanging mail server. Stops by itself after 30 s at most."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()
    held = []

    def serve():
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            held.append(connection)  # keep it open, say nothing

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    server.close()


def test_a_hanging_mail_server_delays_the_registration_only_by_the_timeout(
    workshop, submit, settings, silent_smtp_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = silent_smtp_server
    settings.WAGTAIL_ATELIER_MAIL_TIMEOUT = 0.5

    started = time.monotonic()
    response = submit(route(workshop, "register"), registration_form_data())
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert Registration.objects.count() == 1
    # Two mails, each given up after the timeout: bounded, not hanging.
    assert elapsed < 10
    for row in OutgoingMail.objects.all():
        assert row.status == MailStatus.FAILED
        assert "timed out" in row.last_error.lower()


# -- sent once -------------------------------------------------------------------------


def test_delivering_a_mail_twice_sends_it_once(workshop):
    registration = register(workshop, "z@example.org")
    row = registration.mails.get(kind=MailKind.CONFIRMATION)

    assert deliver(row.pk) == "sent"
    assert deliver(row.pk) == "skipped"
    assert mail_service.deliver_due() == {
        "sent": 1,
        "failed": 0,
        "skipped": 0,
    }  # notice
    assert deliver_due() == {"sent": 0, "failed": 0, "skipped": 0}

    assert [m.to for m in mail.outbox].count(["z@example.org"]) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_mail_stuck_while_sending_is_taken_up_again_after_a_while(workshop):
    registration = register(workshop, "z@example.org")
    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    OutgoingMail.objects.exclude(pk=row.pk).delete()
    now = timezone.now()
    # A worker died after claiming it.
    OutgoingMail.objects.filter(pk=row.pk).update(
        status=MailStatus.SENDING, attempts=1, next_attempt_at=now
    )

    assert deliver_due(now=now + timedelta(minutes=1))["sent"] == 0
    assert deliver_due(now=now + timedelta(minutes=16))["sent"] == 1
    assert len(mail.outbox) == 1


# -- reminders -------------------------------------------------------------------------


def test_reminders_go_once_to_each_confirmed_person_of_workshops_in_the_window(
    index, django_capture_on_commit_callbacks, settings
):
    settings.WAGTAIL_ATELIER_REMINDER_DAYS = 3
    soon = WorkshopPageFactory(
        parent=index,
        participant_capacity=2,
        start_at=timezone.now() + timedelta(days=5),
    )
    later = WorkshopPageFactory(
        parent=index, start_at=timezone.now() + timedelta(days=20)
    )
    confirmed = [register(soon, f"c{n}@example.org") for n in range(2)]
    waiting = register(soon, "w@example.org")
    cancelled = register(later, "x@example.org")
    later_one = register(later, "l@example.org")
    french = translate(soon, "fr")
    RegistrationFactory(workshop=french, email="gone@example.org", status="cancelled")
    mail.outbox.clear()

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("atelier_send_reminders", stdout=open("/dev/null", "w"))

    # Too early for both.
    run()
    assert mail.outbox == []

    with freeze_time(soon.start_at - timedelta(days=2)):
        run()
        run()
    assert sorted(m.to[0] for m in mail.outbox) == ["c0@example.org", "c1@example.org"]
    for registration in confirmed:
        registration.refresh_from_db()
        assert registration.reminder_sent_at is not None
        assert registration.mails.filter(kind=MailKind.REMINDER).count() == 1
    assert not waiting.mails.filter(kind=MailKind.REMINDER).exists()
    assert not OutgoingMail.objects.filter(
        kind=MailKind.REMINDER, registration__email="gone@example.org"
    ).exists()

    # The later workshop's turn; a cancelled registration gets nothing.
    services.cancel(cancelled)
    mail.outbox.clear()
    with freeze_time(later.start_at - timedelta(days=1)):
        run()
        run()
    assert [m.to[0] for m in mail.outbox] == [later_one.email]
    assert OutgoingMail.objects.filter(kind=MailKind.REMINDER).count() == 3


def test_a_second_reminder_row_is_refused_by_the_database(workshop):
    from django.db import IntegrityError, transaction

    registration = register(workshop, "z@example.org")
    OutgoingMail.objects.create(
        kind=MailKind.REMINDER,
        registration=registration,
        to=["z@example.org"],
        language="de",
        subject="s",
        body_text="b",
        next_attempt_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingMail.objects.create(
            kind=MailKind.REMINDER,
            registration=registration,
            to=["z@example.org"],
            language="de",
            subject="s",
            body_text="b",
            next_attempt_at=timezone.now(),
        )


# -- the production worker (django-tasks-db) -------------------------------------------


def database_task_backend():
    """``(TASKS setting, DBTaskResult)`` of the ORM task backend that is installed:
    django-tasks-db, or the one inside django-tasks before 0.12 (Wagtail 7)."""
    from django.apps import apps

    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        backend = "django_tasks_db.DatabaseBackend"
    elif apps.is_installed("django_tasks.backends.database"):
        from django_tasks.backends.database.models import DBTaskResult

        backend = "django_tasks.backends.database.DatabaseBackend"
    else:
        pytest.skip("no database task backend installed (the 'worker' extra)")
    return {"default": {"BACKEND": backend, "QUEUES": ["default"]}}, DBTaskResult


# Status names in django-tasks-db, and in django-tasks before 0.12.
SUCCEEDED = {"SUCCESSFUL", "SUCCEEDED"}
WAITING_TO_RUN = {"READY", "NEW"}


@pytest.fixture
def committed_workshop():
    """A workshop in a database that commits (the worker needs real transactions);
    ``site_tree`` rebuilds what the flush after such a test removes."""
    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    return WorkshopPageFactory(parent=index, slug="suhr")


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_sends_the_mails(
    client, committed_workshop
):
    workshop = committed_workshop
    tasks_setting, DBTaskResult = database_task_backend()

    with override_settings(TASKS=tasks_setting):
        response = client.post(route(workshop, "register"), registration_form_data())

        assert response.status_code == 302
        # Committed: the mails are rows, and so are the tasks that will send them.
        assert OutgoingMail.objects.filter(status=MailStatus.PENDING).count() == 2
        tasks = DBTaskResult.objects.all()
        assert tasks.count() == 2
        assert {task.task_path for task in tasks} == {"wagtail_atelier.tasks.send_mail"}
        assert mail.outbox == []

        call_command("db_worker", batch=True, verbosity=0)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "beatrice.keller@example.org",
    ]
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {
        MailStatus.SENT
    }
    statuses = list(DBTaskResult.objects.values_list("status", flat=True))
    assert len(statuses) == 2
    assert set(statuses) <= SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_failed_mail_is_retried_by_a_deferred_task(
    client, committed_workshop
):
    workshop = committed_workshop
    tasks_setting, DBTaskResult = database_task_backend()

    with override_settings(TASKS=tasks_setting):
        with override_settings(EMAIL_BACKEND=FAILING):
            client.post(route(workshop, "register"), registration_form_data())
            call_command("db_worker", batch=True, verbosity=0)

        # Each failure left a retry task, deferred by the backoff.
        retries = DBTaskResult.objects.filter(status__in=WAITING_TO_RUN)
        assert retries.count() == 2
        due = dict(OutgoingMail.objects.values_list("pk", "next_attempt_at"))
        assert {task.args_kwargs["args"][0]: task.run_after for task in retries} == due
        assert all(when > timezone.now() for when in due.values())

        with freeze_time(timezone.now() + timedelta(minutes=2)):
            call_command("db_worker", batch=True, verbosity=0)

    assert len(mail.outbox) == 2
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {
        (MailStatus.SENT, 2)
    }
