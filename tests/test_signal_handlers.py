"""Publishing a workshop with more places moves people up from the waiting list."""

import pytest
from django.core import mail

from wagtail_atelier.models import Registration, RegistrationStatus

from .factories import RegistrationFactory, both_page_classes

pytestmark = [pytest.mark.django_db, both_page_classes]


def publish(page):
    page.save_revision().publish()


def test_raising_capacity_and_publishing_promotes_the_first_waiting(
    workshop, django_capture_on_commit_callbacks
):
    RegistrationFactory.create_batch(3, workshop=workshop, role="participant")
    first = RegistrationFactory(workshop=workshop, role="participant", status="waiting")
    second = RegistrationFactory(
        workshop=workshop, role="participant", status="waiting"
    )

    workshop.participant_capacity = 4
    with django_capture_on_commit_callbacks(execute=True):
        publish(workshop)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED
    assert first.promoted_at is not None
    assert second.status == RegistrationStatus.WAITING
    assert [m.to for m in mail.outbox] == [[first.email]]


def test_removing_the_limit_confirms_everyone_waiting(workshop):
    RegistrationFactory.create_batch(2, workshop=workshop, role="case_presenter")
    RegistrationFactory.create_batch(
        2, workshop=workshop, role="case_presenter", status="waiting"
    )
    workshop.case_presenter_capacity = None
    publish(workshop)
    assert not Registration.objects.filter(status=RegistrationStatus.WAITING).exists()


def test_publishing_without_free_places_changes_nothing(workshop):
    RegistrationFactory.create_batch(3, workshop=workshop, role="participant")
    waiting = RegistrationFactory(
        workshop=workshop, role="participant", status="waiting"
    )
    publish(workshop)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITING
