"""No personal data in the logs: a mail server that refuses a recipient names the
address in its error; the log says which mail failed and how, never to whom. The
whole error stays in the mail's row, for those who may see it."""

from __future__ import annotations

import logging
import smtplib

import pytest

from tests.factories import registration_form_data, route
from wagtail_atelier.models import MailStatus, OutgoingMail

pytestmark = pytest.mark.django_db

ADDRESS = "beatrice.keller@example.org"


class RefusingBackend:
    """A mail server that refuses every recipient, as smtplib reports it."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, email_messages):
        refused = {
            address: (550, f"5.1.1 <{address}>: Recipient address rejected".encode())
            for message in email_messages
            for address in message.to
        }
        raise smtplib.SMTPRecipientsRefused(refused)


def test_a_refused_recipient_is_not_logged(workshop, submit, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    caplog.set_level(logging.DEBUG)

    response = submit(route(workshop, "register"), registration_form_data())

    assert response.status_code == 302
    row = OutgoingMail.objects.get(to=[ADDRESS])
    assert row.status == MailStatus.FAILED
    assert ADDRESS in row.last_error  # the row keeps the whole error
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert failures, [r.getMessage() for r in caplog.records]
    assert any(
        str(row.pk) in r.getMessage() and "SMTPRecipientsRefused" in r.getMessage()
        for r in failures
    )
    for record in caplog.records:
        logged = " ".join(
            [record.getMessage(), repr(record.args), record.exc_text or ""]
        )
        assert "beatrice" not in logged.lower()
        assert "anna@example.org" not in logged  # the contact's address neither
    assert "beatrice" not in caplog.text.lower()
