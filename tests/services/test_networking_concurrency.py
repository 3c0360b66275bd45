"""The networking list goes once even when the job runs twice at the same instant:
threads released together by a barrier, each with its own database connection,
send the same workshop's list. On PostgreSQL the list's row lock serialises them;
the control switches the lock off and shows the harness catching the second
sending (the database's one-mail-per-person constraint refuses it, or more mails
are queued than people)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
)
from tests.services.test_registration_concurrency import needs_postgres, rush
from tests.testapp.tree import site_tree
from wagtail_atelier.models import NetworkingList, OutgoingMail
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.services import networking

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("rush"),
    pytest.mark.slow,
    needs_postgres,
]

PEOPLE = 6
RUNS = 8


@pytest.fixture
def workshop_key():
    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    start = timezone.now() - timedelta(days=4, hours=3)
    workshop = WorkshopPageFactory(
        parent=index, slug="suhr", start_at=start, end_at=start + timedelta(hours=3)
    )
    for _number in range(PEOPLE):
        RegistrationFactory(
            workshop=workshop, attended_at=timezone.now(), share_contact=True
        )
    # The list's row exists already (a coordinator held it back and released it),
    # so that only its lock, not the insert of the row, can keep the runs apart.
    NetworkingList.objects.create(workshop_key=workshop.translation_key)
    return workshop.translation_key


def report(capsys, name: str, outcome) -> None:
    with capsys.disabled():
        print(
            f"\nRUSH networking list {name} on {connection.vendor}: {RUNS} at once, "
            f"mails {OutgoingMail.objects.count()}, results {sorted(outcome.results)}, "
            f"errors {len(outcome.errors)}"
        )


def test_sent_at_once_by_many_runs_it_goes_once(workshop_key, capsys):
    outcome = rush([lambda: networking.send_list(workshop_key)] * RUNS)

    report(capsys, "with the lock", outcome)
    assert outcome.errors == []
    assert sorted(outcome.results) == [0] * (RUNS - 1) + [PEOPLE]
    assert OutgoingMail.objects.filter(kind=MailKind.NETWORKING_LIST).count() == PEOPLE
    assert NetworkingList.objects.get().recipient_count == PEOPLE


def test_control_without_the_lock_the_harness_sees_a_second_sending(
    workshop_key, monkeypatch, capsys
):
    members = networking.members

    def slow_members(key):
        # Between reading "not sent yet" and queuing the mails: makes the race
        # certain instead of likely.
        time.sleep(0.05)
        return members(key)

    monkeypatch.setattr(
        networking,
        "_locked_list",
        lambda key: NetworkingList.objects.get_or_create(workshop_key=key)[0],
    )
    monkeypatch.setattr(networking, "members", slow_members)

    outcome = rush([lambda: networking.send_list(workshop_key)] * RUNS)

    report(capsys, "control (no lock)", outcome)
    assert outcome.errors or sum(outcome.results) > PEOPLE
