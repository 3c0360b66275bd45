"""Mails stored as intents (``services/mail.py``: ``queue_mail_intent``): the row is
stored with the change, rendered after the commit, and rendered by the sender if
that never happened (a crash between the commit and the rendering), so a committed
registration never loses its mail. A sent mail keeps no live link, whichever path
rendered it."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import registration_data
from wagtail_atelier.models import MailKind, MailStatus
from wagtail_atelier.services import registration as services
from wagtail_atelier.services.mail import deliver, render_intent

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def register(workshop, email="zoe@example.org", role="participant"):
    return services.register(
        workshop=workshop, data=registration_data(email, role), language="de"
    ).registration


def test_the_intent_is_a_row_without_bodies_until_the_commit(
    workshop, django_capture_on_commit_callbacks
):
    with (
        override_settings(TASKS=DUMMY_TASKS),  # rendered, not sent
        django_capture_on_commit_callbacks(execute=True),
    ):
        registration = register(workshop)
        row = registration.mails.get(kind=MailKind.CONFIRMATION)
        assert (row.template, row.subject, row.body_text) == ("confirmation", "", "")
        assert row.rendered_at is None and row.attachments == []
        assert row.to == ["zoe@example.org"] and row.language == "de"

    row.refresh_from_db()
    assert row.template == "" and row.rendered_at is not None
    assert workshop.title in row.subject
    assert registration.token in row.body_text  # not sent yet: the live link
    assert row.attachments[0]["filename"] == f"{workshop.slug}.ics"
    assert row.status == MailStatus.PENDING
    assert mail.outbox == []


def test_a_mail_not_rendered_after_the_commit_is_rendered_and_sent_by_the_command(
    workshop,
):
    """The process died between the commit and the rendering (here: the commit
    callbacks never run): ``atelier_send_mails`` renders the mail from the
    database, sends it, and keeps no live link in the stored copy."""
    registration = register(workshop, role="case_presenter")
    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert row.template == "confirmation"

    call_command("atelier_send_mails", verbosity=0)

    [message] = [m for m in mail.outbox if m.to == ["zoe@example.org"]]
    assert workshop.title in message.subject
    assert registration.token in message.body
    [(filename, _content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{workshop.slug}.ics", "text/calendar")
    row.refresh_from_db()
    assert row.status == MailStatus.SENT and row.template == ""
    assert workshop.title in row.subject
    assert registration.token not in row.body_text + row.body_html
    with translation.override("de"):
        assert gettext("[personal link hidden]") in row.body_text


def test_rendering_again_never_undoes_the_redaction_of_a_sent_mail(workshop):
    registration = register(workshop)
    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert deliver(row.pk) == "sent"

    # A late rendering after the commit (the stale row from before the sending).
    again = render_intent(row)

    assert registration.token not in again.body_text
    row.refresh_from_db()
    assert registration.token not in row.body_text + row.body_html
    assert row.status == MailStatus.SENT


def test_a_rendering_error_after_the_commit_is_retried_by_the_sender(
    workshop, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(
            services, "registrant_mail_content", side_effect=RuntimeError("boom")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        registration = register(workshop)

    # Neither the registration nor the request failed; the mail waits, unrendered.
    row = registration.mails.get(kind=MailKind.CONFIRMATION)
    assert row.status == MailStatus.FAILED and row.template == "confirmation"
    assert "RuntimeError" in row.last_error
    assert mail.outbox == []

    assert deliver(row.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["zoe@example.org"]]
