"""Mail backends for tests: a server that refuses everything, and one that records
the timeout it was opened with."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises, as smtplib does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("421 4.3.2 Service not available (test backend)")


class TimeoutRecordingBackend(LocmemBackend):
    """Delivers to ``django.core.mail.outbox`` and records each connection's
    ``timeout`` in ``TimeoutRecordingBackend.timeouts``."""

    timeouts: list = []

    def __init__(self, *args, timeout=None, **kwargs):
        type(self).timeouts.append(timeout)
        super().__init__(*args, **kwargs)
