"""How long a registration holds its workshop's seat lock.

    .venv/bin/python bench/lock_hold.py [--registrations 200]

Uses the test settings (SQLite as configured there; PostgreSQL when DATABASE_URL is
set) on a throwaway test database. Registers people one after the other through
``services.registration.register`` and times, for each, the span from the moment
``lock_workshop`` has the lock (``SELECT ... FOR UPDATE`` on the workshop's
``WorkshopSeats`` row; on SQLite the write transaction itself) to the commit that
releases it: the first ``on_commit`` callback, registered right after the lock. The
last column is the median time of the COMMIT itself (on PostgreSQL, the WAL flush to
disk), which the lock hold includes.

Two runs: as shipped (the mails stored as intents, rendered after the commit) and,
for comparison, with the mails rendered inside the transaction as before
(``--no-compare`` leaves that one out). Mails go to the locmem backend through
django-tasks' immediate backend, after the commit, as on a site without a worker.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_test_environment,
    teardown_test_environment,
)

TARGET_MS = 5.0  # "a few milliseconds" on PostgreSQL


def build_workshop():
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import WorkshopIndexPageFactory, WorkshopPageFactory
    from tests.testapp.tree import site_tree

    _locales, home = site_tree(hostname="testserver")
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    # Capacities are set in run(): some confirmed, some waiting, both mails measured.
    return WorkshopPageFactory(
        parent=index,
        slug="lock",
        start_at=timezone.now() + timedelta(days=30),
        contact_email="",
    )


def render_inside(services, mail_service):
    """The mails rendered when queued, inside the locked transaction (as before)."""

    def queue_rendered(*, kind, to, language, template, registration, reply_to, known):
        from wagtail_atelier.models import OutgoingMail

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

    return queue_rendered


def measure(workshop, count: int, start: int) -> tuple[list[float], list[float]]:
    """The lock hold of each registration, and the part of it the COMMIT took."""
    from django.db import connections

    from tests.factories import registration_data
    from wagtail_atelier.services import registration as services

    held: list[float] = []
    committing: list[float] = []
    real_lock = services.lock_workshop
    database = connections["default"]
    real_commit = database.commit

    def timed_lock(workshop_key):
        real_lock(workshop_key)
        locked_at = time.perf_counter()
        transaction.on_commit(lambda: held.append(time.perf_counter() - locked_at))

    def timed_commit():
        started = time.perf_counter()
        real_commit()
        committing.append(time.perf_counter() - started)

    services.lock_workshop = timed_lock
    database.commit = timed_commit
    try:
        for number in range(start, start + count):
            role = "case_presenter" if number % 4 == 0 else "participant"
            services.register(
                workshop=workshop,
                data=registration_data(f"person{number}@example.org", role),
                language="de",
            )
            mail.outbox.clear()
    finally:
        services.lock_workshop = real_lock
        del database.commit
    return held, committing


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(round(fraction * len(ordered)) - 1, 0)]


def report(name: str, times: tuple[list[float], list[float]]) -> float:
    held, committing = times
    median = 1000 * statistics.median(held)
    print(
        f"{name:34} {median:8.2f} {1000 * percentile(held, 0.95):8.2f} "
        f"{1000 * max(held):8.2f} {1000 * statistics.median(committing):8.2f}"
    )
    return median


def run(count: int, compare: bool) -> float:
    from wagtail_atelier.services import mail as mail_service
    from wagtail_atelier.services import registration as services

    workshop = build_workshop()
    workshop.case_presenter_capacity = count // 8
    workshop.participant_capacity = count // 4
    workshop.save()
    measure(workshop, 10, start=100_000)  # warm-up
    print(
        f"\n{count} registrations one after the other, database: {connection.vendor}\n"
    )
    print(f"{'lock held (ms)':34} {'median':>8} {'p95':>8} {'max':>8} {'COMMIT':>8}")
    shipped = report("mails rendered after the commit", measure(workshop, count, 0))
    if compare:
        real = services.queue_mail_intent
        services.queue_mail_intent = render_inside(services, mail_service)
        try:
            report(
                "mails rendered in the transaction",
                measure(workshop, count, 200_000),
            )
        finally:
            services.queue_mail_intent = real
    verdict = "PASS" if shipped <= TARGET_MS else "FAIL"
    print(f"\n{verdict}: median lock hold {shipped:.2f} ms (target {TARGET_MS:g} ms)")
    return shipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument(
        "--no-compare",
        dest="compare",
        action="store_false",
        help="leave out the run with the mails rendered in the transaction",
    )
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        shipped = run(args.registrations, args.compare)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0 if shipped <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
