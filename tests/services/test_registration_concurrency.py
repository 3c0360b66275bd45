"""Rushes at one workshop: many registrations at the same instant, from threads
released together by a barrier, each with its own database connection.

On PostgreSQL the services must serialise seat counting themselves (the workshop's
``WorkshopSeats`` row, ``SELECT ... FOR UPDATE``); the control test switches that off
and shows the harness catching the overbooking. On SQLite the database serialises
writers (``transaction_mode=IMMEDIATE``, WAL, a busy timeout): the rush through the
real view must give neither a 500 nor "database is locked".

Each rush prints one line (``RUSH ...``) with its figures, shown even without ``-s``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import WorkshopIndexPageFactory, WorkshopPageFactory
from tests.testapp.tree import site_tree
from wagtail_atelier.models import Registration
from wagtail_atelier.public.spam import form_started_token
from wagtail_atelier.services import registration as services

CASE_PRESENTER_SEATS = 3
PARTICIPANT_SEATS = 5
RUSH_SIZE = 100  # every third a case presenter: 34 for 3 seats, 66 for 5

# One worker runs every rush of a pytest-xdist run (``--dist loadgroup``, as in
# ``make test``): on PostgreSQL each rush holds over a hundred connections.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("rush")]

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "needs PostgreSQL (set DATABASE_URL): SQLite serialises whole write "
        "transactions, so the row lock under test only matters on PostgreSQL"
    ),
)


@pytest.fixture
def workshop():
    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    return WorkshopPageFactory(
        parent=index,
        slug="rush",
        start_at=timezone.now() + timedelta(days=30),
        case_presenter_capacity=CASE_PRESENTER_SEATS,
        participant_capacity=PARTICIPANT_SEATS,
    )


def role_of(number: int) -> str:
    return "case_presenter" if number % 3 == 0 else "participant"


def form_data(number: int, *, email: str | None = None) -> dict:
    role = role_of(number)
    return {
        "role": role,
        "first_name": f"Person{number}",
        "last_name": "Ansturm",
        "email": email or f"person{number}@example.org",
        "phone": "",
        "organisation": "Caring Community Suhr",
        "town": "Suhr",
        "canton": "AG",
        "languages": ["de"],
        "case_description": "Wie gewinnen wir Freiwillige?"
        if role == "case_presenter"
        else "",
        "accessibility_needs": "",
        "dietary_note": "",
        "privacy_consent": "on",
        "website": "",
        # Filled in ten seconds ago: past the minimum fill time.
        "form_started": form_started_token(time.time() - 10),
    }


@dataclass
class Rush:
    """Outcomes of one rush: what each call returned, its errors and latencies."""

    results: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    latencies: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def rush(calls) -> Rush:
    """Run each of ``calls`` in its own thread, all released at once by a barrier.
    Each thread closes its database connection when done."""
    outcome = Rush()
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=60)
            started = time.perf_counter()
            try:
                result = call()
            except Exception as error:  # the harness counts every failure
                with outcome.lock:
                    outcome.errors.append(repr(error))
            else:
                with outcome.lock:
                    outcome.results.append(result)
            finally:
                with outcome.lock:
                    outcome.latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcome


def report(capsys, name: str, workshop, outcome: Rush) -> tuple[int, int]:
    registrations = Registration.objects.for_workshop(workshop)
    confirmed = registrations.confirmed().count()
    waitlisted = registrations.waiting().count()
    line = (
        f"RUSH {name} on {connection.vendor}: {len(outcome.latencies)} concurrent, "
        f"confirmed {confirmed}, waitlisted {waitlisted}, "
        f"errors {len(outcome.errors)}, p95 latency {outcome.p95_ms():.0f} ms"
    )
    with capsys.disabled():
        print(f"\n{line}")
    return confirmed, waitlisted


def assert_seats_respected(workshop):
    registrations = Registration.objects.for_workshop(workshop)
    for role, capacity in (
        ("case_presenter", CASE_PRESENTER_SEATS),
        ("participant", PARTICIPANT_SEATS),
    ):
        applied = sum(1 for number in range(RUSH_SIZE) if role_of(number) == role)
        assert registrations.filter(role=role).confirmed().count() == capacity, role
        waiting = list(registrations.filter(role=role).waiting())
        assert len(waiting) == applied - capacity, role
        positions = sorted(registration.waiting_position() for registration in waiting)
        assert positions == list(range(1, applied - capacity + 1)), role


@pytest.mark.slow
@needs_postgres
def test_rush_confirms_exactly_the_seats_and_waitlists_the_rest(workshop, capsys):
    def register(number):
        return lambda: services.register(
            workshop=workshop, data=form_data(number), language="de"
        )

    outcome = rush([register(number) for number in range(RUSH_SIZE)])

    report(capsys, "service", workshop, outcome)
    assert outcome.errors == []
    assert len(outcome.results) == RUSH_SIZE
    assert all(result.created for result in outcome.results)
    assert_seats_respected(workshop)


@pytest.mark.slow
@needs_postgres
def test_control_without_the_lock_the_harness_sees_overbooking(
    workshop, monkeypatch, capsys
):
    """The same rush with the protection off must overbook; otherwise the test
    above would prove nothing."""
    get_setting = services.get_setting

    def slow_get_setting(name):
        # Read between counting the confirmed seats and saving the new row: a few
        # milliseconds there make the race certain instead of likely.
        time.sleep(0.02)
        return get_setting(name)

    monkeypatch.setattr(services, "lock_workshop", lambda workshop_key: None)
    monkeypatch.setattr(services, "get_setting", slow_get_setting)

    def register(number):
        return lambda: services.register(
            workshop=workshop, data=form_data(number), language="de"
        )

    outcome = rush([register(number) for number in range(RUSH_SIZE)])

    confirmed, _waitlisted = report(capsys, "control (no lock)", workshop, outcome)
    assert confirmed > CASE_PRESENTER_SEATS + PARTICIPANT_SEATS


def test_same_email_at_once_gives_one_registration(workshop, capsys):
    def register():
        return services.register(
            workshop=workshop,
            data=form_data(1, email="Twice@Example.org"),
            language="de",
        )

    outcome = rush([register] * 20)

    report(capsys, "same email", workshop, outcome)
    assert outcome.errors == []
    assert sorted(result.created for result in outcome.results) == [False] * 19 + [True]
    assert Registration.objects.for_workshop(workshop).count() == 1
    assert {result.registration.pk for result in outcome.results} == {
        Registration.objects.get().pk
    }


@pytest.mark.slow
def test_rush_through_the_view_gives_no_error_page(workshop, capsys):
    """The same rush as real POSTs, one test client per thread: every one answered
    with the redirect to its registration (no 500, no "database is locked"), and
    the seats respected. On SQLite this is the proof that its settings are right."""
    cache.clear()  # the throttle counts in the default cache
    url = workshop.url + workshop.reverse_subpage("register")

    def post(number):
        # One address per visitor, so the throttle per IP stays in the path.
        return lambda: Client(REMOTE_ADDR=f"10.0.{number // 250}.{number % 250}").post(
            url, form_data(number)
        )

    outcome = rush([post(number) for number in range(RUSH_SIZE)])

    report(capsys, "view", workshop, outcome)
    assert outcome.errors == []
    assert [response.status_code for response in outcome.results] == [302] * RUSH_SIZE
    assert all("/registered/" in response["Location"] for response in outcome.results)
    assert_seats_respected(workshop)
