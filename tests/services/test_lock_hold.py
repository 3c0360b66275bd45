"""Nothing slow under the seat lock: while a workshop's ``WorkshopSeats`` row is
locked (from ``lock_workshop`` until the transaction ends), no template is rendered
and no calendar file is built. The registrant mails are stored as intents and
rendered after the commit, then sent.

The harness wraps ``lock_workshop`` to raise a flag that an ``on_commit`` callback
(registered at the lock, so run before any other) lowers, and listens to Django's
``template_rendered`` signal (sent for every template under the test runner). The
tests run with real commits (``transaction=True``), as in production. The control
puts back the rendering inside the transaction and shows the harness catching it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.signals import template_rendered
from django.utils import timezone
from wagtail.models import Site

from tests.factories import (
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    registration_data,
    registration_form_data,
    route,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.models import (
    AtelierSettings,
    MailKind,
    MailStatus,
    OutgoingMail,
    Registration,
)
from wagtail_atelier.services import mail as mail_service
from wagtail_atelier.services import registration as services

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class LockWatch:
    """What was rendered with the seat lock held, and what after."""

    held: bool = False
    locks: int = 0
    under_lock: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    def rendered(self, name: str) -> None:
        if self.held and connection.in_atomic_block:
            self.under_lock.append(name)
        else:
            self.after.append(name)


@pytest.fixture
def watch(monkeypatch):
    watch = LockWatch()
    real_lock = services.lock_workshop
    real_calendar = services.workshops_calendar

    def lock_workshop(workshop_key):
        real_lock(workshop_key)
        watch.held = True
        watch.locks += 1
        # Registered before the mails' callbacks, so run before them at the commit.
        transaction.on_commit(lambda: setattr(watch, "held", False))

    def workshops_calendar(*args, **kwargs):
        watch.rendered("calendar (.ics)")
        return real_calendar(*args, **kwargs)

    def on_template(sender, template, **kwargs):
        watch.rendered(template.name or "<string template>")

    monkeypatch.setattr(services, "lock_workshop", lock_workshop)
    monkeypatch.setattr(services, "workshops_calendar", workshops_calendar)
    template_rendered.connect(on_template)
    yield watch
    template_rendered.disconnect(on_template)


@pytest.fixture
def workshop():
    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    return WorkshopPageFactory(
        parent=index,
        slug="suhr",
        start_at=timezone.now() + timedelta(days=30),
        case_presenter_capacity=1,
        participant_capacity=1,
    )


def register(workshop, email: str, role: str = "participant"):
    return services.register(
        workshop=workshop, data=registration_data(email, role), language="de"
    )


def sent_to(email: str) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [email]]


def test_a_registration_through_the_view_renders_its_mails_after_the_commit(
    client, workshop, watch
):
    response = client.post(route(workshop, "register"), registration_form_data())

    assert response.status_code == 302
    assert watch.locks == 1
    assert watch.under_lock == []
    # The confirmation was rendered (text, HTML, calendar) and sent, after the lock.
    assert "calendar (.ics)" in watch.after
    assert any(name.endswith("confirmation.html") for name in watch.after)
    row = OutgoingMail.objects.get(kind=MailKind.CONFIRMATION)
    assert row.status == MailStatus.SENT
    assert row.template == "" and row.rendered_at is not None
    assert len(sent_to("beatrice.keller@example.org")) == 1


def test_the_contact_notification_too_when_the_site_wants_one_per_registration(
    client, workshop, watch
):
    AtelierSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"registration_notifications": "each"},
    )

    response = client.post(route(workshop, "register"), registration_form_data())

    assert response.status_code == 302
    assert watch.under_lock == []
    assert set(OutgoingMail.objects.values_list("kind", "status")) == {
        (MailKind.CONFIRMATION, MailStatus.SENT),
        (MailKind.CONTACT_NOTIFICATION, MailStatus.SENT),
    }


def test_waiting_list_duplicate_cancellation_and_promotion_render_nothing_locked(
    workshop, watch
):
    first = register(workshop, "a@example.org").registration
    waiting = register(workshop, "b@example.org").registration
    assert waiting.is_waiting
    again = register(workshop, "B@example.org")  # the link again
    services.cancel(first)  # b moves up

    assert again.is_duplicate
    assert watch.locks == 4  # three registrations and the cancellation
    assert watch.under_lock == []
    kinds = set(OutgoingMail.objects.values_list("kind", "status"))
    assert kinds == {
        (kind, MailStatus.SENT)
        for kind in (
            MailKind.CONFIRMATION,
            MailKind.WAITING_LIST,
            MailKind.LINK,
            MailKind.CANCELLATION,
            MailKind.PROMOTION,
        )
    }
    assert len(sent_to("a@example.org")) == 2
    assert len(sent_to("b@example.org")) == 3
    # Rendered as of the commit: the waiting list mail tells position 1.
    waiting_mail = OutgoingMail.objects.get(kind=MailKind.WAITING_LIST)
    assert "1" in waiting_mail.body_text


def test_control_rendering_in_the_transaction_is_caught(workshop, watch, monkeypatch):
    """The mails rendered when queued, as before: the harness must see it."""

    def render_now(*, kind, to, language, template, registration, reply_to, known):
        context, attachments = services.registrant_mail_content(
            OutgoingMail(kind=kind, registration=registration), **known
        )
        return mail_service.queue_mail(
            kind=kind,
            to=to,
            language=language,
            template=template,
            context=context,
            registration=registration,
            attachments=attachments,
            reply_to=reply_to,
        )

    monkeypatch.setattr(services, "queue_mail_intent", render_now)

    register(workshop, "a@example.org")

    assert "calendar (.ics)" in watch.under_lock
    assert any(name.endswith("confirmation.txt") for name in watch.under_lock)


def test_a_rolled_back_registration_leaves_no_mail_and_sends_none(
    workshop, watch, monkeypatch
):
    def fail(registration, workshop):
        raise RuntimeError("after the mail was queued")

    monkeypatch.setattr(services, "_queue_contact_notification", fail)

    with pytest.raises(RuntimeError):
        register(workshop, "a@example.org")

    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0
    assert mail.outbox == []
    assert watch.after == []  # nothing rendered for it either
