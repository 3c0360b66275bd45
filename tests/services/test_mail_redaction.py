"""A sent mail keeps no live link: once delivered, the stored copy's self-service
or feedback link is replaced by a placeholder, so a database copy or whoever reads
the stored mails cannot open anyone's registration. The mail that went out carries
the link; a mail not sent yet keeps it; the lost-link form mails it again.

(``redact_secret_links`` itself: tests/services/test_redact_secret_links.py.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    lost_link_form_data,
    registration_data,
    route,
)
from wagtail_atelier.models import FeedbackRequest, MailKind, MailStatus, OutgoingMail
from wagtail_atelier.services import feedback as feedback_services
from wagtail_atelier.services import registration as services
from wagtail_atelier.services.mail import deliver_due

pytestmark = pytest.mark.django_db

FAILING = "tests.mail_backends.FailingBackend"
SELF_SERVICE_LINK = re.compile(r"https?://[^/\s]+(/\S*/registration/[\w-]+/)")


def register(page, email: str):
    return services.register(
        workshop=page,
        data=registration_data(email),
        language=page.locale.language_code,
    ).registration


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_sent_mail_keeps_no_live_link_but_the_mail_that_went_out_does(
    workshop, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(workshop, "zoe@example.org")
    token = registration.token
    assert token

    [message] = sent_to("zoe@example.org")
    assert token in message.body
    assert token in html_of(message)
    link = SELF_SERVICE_LINK.search(message.body).group(1)
    assert client.get(link).status_code == 200

    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert row.status == MailStatus.SENT
    assert token not in row.body_text
    assert token not in row.body_html
    assert "/registration/" not in row.body_text
    # The rest of the mail is kept as it was: only the link is gone.
    assert registration.first_name in row.body_text
    assert row.subject == message.subject
    # No stored mail anywhere holds the token.
    for stored in OutgoingMail.objects.all():
        assert token not in stored.body_text + stored.body_html


def test_a_failed_attempt_keeps_the_link_until_the_mail_is_sent(
    workshop, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(workshop, "zoe@example.org")
    token = registration.token
    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert row.status == MailStatus.FAILED
    assert token in row.body_text  # it must still go out whole
    assert token in row.body_html

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with freeze_time(timezone.now() + timedelta(minutes=2)):
        deliver_due()
    [message] = sent_to("zoe@example.org")
    assert token in message.body
    row.refresh_from_db()
    assert row.status == MailStatus.SENT
    assert token not in row.body_text + row.body_html


def test_the_lost_link_form_mails_a_working_link_again(
    workshop, client, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(workshop, "zoe@example.org")
    confirmation = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert registration.token not in confirmation.body_text

    response = submit(
        route(workshop, "lost_link"), lost_link_form_data(email="zoe@example.org")
    )
    assert response.status_code == 200
    [*_, again] = sent_to("zoe@example.org")
    link = SELF_SERVICE_LINK.search(again.body).group(1)
    assert client.get(link).status_code == 200
    resent = registration.mails.get(kind=MailKind.LINK)
    assert registration.token not in resent.body_text


def test_a_sent_feedback_mail_keeps_no_live_link(
    index, client, django_capture_on_commit_callbacks
):
    page = WorkshopPageFactory(
        parent=index, start_at=timezone.now() - timedelta(days=3, hours=3)
    )
    registration = RegistrationFactory(
        workshop=page, attended_at=timezone.now(), email="anna@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_services.send_due_feedback_requests() == 1
    token = FeedbackRequest.objects.get(registration=registration).token

    [message] = sent_to("anna@example.org")
    assert token in message.body
    assert client.get(route(page, "feedback", token)).status_code == 200
    row = OutgoingMail.objects.get(kind=MailKind.FEEDBACK_REQUEST)
    assert row.status == MailStatus.SENT
    assert token not in row.body_text + row.body_html
    assert "/feedback/" not in row.body_text
