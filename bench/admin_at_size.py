"""Time the registrations listing and its exports against Wagtail's own user listing.

    .venv/bin/python bench/admin_at_size.py [--sizes 5000 20000] [--repeat 15]

Uses the test settings (SQLite as configured there; PostgreSQL when DATABASE_URL is
set) on a throwaway test database, created here and destroyed at the end. It builds
40 workshops and, for each size in turn, tops the registrations up to that number
(``tests.factories.RegistrationFactory``, inserted in bulk), plus as many Wagtail
users as a listing page holds. A superuser then requests, through the whole Django
stack with the test client:

* the registrations listing (wagtail-modeladmin, its first page) and Wagtail's user
  listing (``/admin/users/``) with the same page size, one after the other in
  alternating order so that drift in the machine's load hits both alike;
* the CSV and XLSX exports of every registration, read to the end as a server
  would send them: time, time to the first byte, size, and the peak of the memory
  that Python allocated meanwhile (tracemalloc, in a separate untimed request,
  since tracing slows every allocation down).

Templates are not instrumented (no ``setup_test_environment()``): the test runner's
signal per rendered template would charge both listings for the harness.

Prints medians, the ratios against the user listing of the same run, the query
counts, and PASS/FAIL against the targets: the listing at most 2 times the user
listing at every size, the same number of queries at every size, exports well
inside a 30 s proxy timeout, and an export memory that does not grow with the rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGET_RATIO = 2.0
#: A reverse proxy's usual read timeout: an export must answer well inside it.
TIMEOUT_SECONDS = 30.0
#: Flat memory: the peak at the largest size at most this much above the smallest.
MEMORY_GROWTH_LIMIT = 1.25
WORKSHOPS = 40
LISTING_URL = "/admin/wagtail_atelier/registration/"
USERS_URL = "/admin/users/"


def build_site():
    """The site tree, 40 workshops (some past, some to come) and a superuser with
    the admin in English."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from wagtail.users.models import UserProfile

    from tests.factories import WorkshopIndexPageFactory, bulk_create_workshops
    from tests.testapp.tree import site_tree

    _locales, home = site_tree(hostname="testserver")
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    now = timezone.now()
    workshops = bulk_create_workshops(
        index,
        [
            {
                "slug": f"werkstatt-{number}",
                "title": f"Praxiswerkstatt {number}",
                "start_at": now + timedelta(days=7 * (number - WORKSHOPS // 2)),
            }
            for number in range(WORKSHOPS)
        ],
    )
    admin = get_user_model().objects.create_superuser(
        username="bench", email="bench@example.org", password=None
    )
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    return workshops, admin


def add_users(count: int) -> None:
    """``count`` more Wagtail users, so that the user listing's page is full."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    start = user_model.objects.count()
    user_model.objects.bulk_create(
        user_model(
            username=f"user{number}",
            email=f"user{number}@example.org",
            first_name="Beatrice",
            last_name=f"Keller{number}",
        )
        for number in range(start, start + count)
    )


def add_registrations(workshops, count: int) -> None:
    """``count`` more registrations spread over the workshops: every role and
    status, a case text for every case presenter, some attended."""
    from django.utils import timezone

    from tests.factories import RegistrationFactory
    from wagtail_atelier.models import Registration

    start = Registration.objects.count()
    now = timezone.now()
    batch = []
    for number in range(start, start + count):
        batch.append(
            RegistrationFactory.build(
                workshop=workshops[number % len(workshops)],
                role=("participant", "case_presenter")[number % 2],
                status=("confirmed", "confirmed", "waiting", "cancelled")[number % 4],
                phone="+41 62 555 12 34" if number % 3 else "",
                dietary_note="vegetarisch" if number % 5 == 0 else "",
                attended_at=now if number % 7 == 0 else None,
            )
        )
        if len(batch) == 2000:
            Registration.objects.bulk_create(batch)
            batch = []
    Registration.objects.bulk_create(batch)


def set_user_listing_page_size(page_size: int) -> None:
    """Wagtail's user listing shows 20 users a page; the comparison needs the same
    page size as the registrations listing."""
    from django.urls import resolve

    resolve(USERS_URL).func.view_initkwargs["paginate_by"] = page_size


class Requester:
    """GETs one admin URL as the superuser and reads the whole answer."""

    def __init__(self, client: Client, url: str):
        self.client, self.url = client, url

    def __call__(self) -> dict:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = self.client.get(self.url)
        first_byte = None
        size = 0
        if response.streaming:
            for chunk in response.streaming_content:
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
            # Read to the end, the test client has closed it.
        else:
            size = len(response.content)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(
                f"unexpected answer from {self.url}: {response.status_code}"
            )
        return {
            "seconds": elapsed,
            # This process only: the Python work, and SQLite's (not PostgreSQL's).
            "cpu": time.process_time() - cpu_started,
            "first_byte": first_byte if first_byte is not None else elapsed,
            "bytes": size,
            "streaming": response.streaming,
            "content": None if response.streaming else response.content,
        }

    def queries(self) -> int:
        connection.queries_log.clear()  # a full log would make the count 0
        with CaptureQueriesContext(connection) as captured:
            self()
        return len(captured)

    def peak_memory(self) -> int:
        tracemalloc.start()
        try:
            self()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def rows_shown(content: bytes) -> int:
    """The rows of a listing page's table."""
    body = content.rsplit(b"<tbody", 1)[-1].split(b"</tbody>", 1)[0]
    return body.count(b"<tr")


def measure_listings(client, page_size: int, repeat: int) -> dict:
    listing, users = Requester(client, LISTING_URL), Requester(client, USERS_URL)
    sides = {"registrations": listing, "users": users}
    shown = {
        "registrations": rows_shown(listing()["content"]),
        "users": rows_shown(users()["content"]),
    }
    for name, count in shown.items():
        if count != page_size:
            raise SystemExit(f"the {name} listing shows {count} rows, not {page_size}")
    timings = {name: [] for name in sides}
    for number in range(repeat):
        order = list(sides.items()) if number % 2 == 0 else list(sides.items())[::-1]
        for name, requester in order:
            timings[name].append(requester()["seconds"])
    return {
        "median": {name: statistics.median(values) for name, values in timings.items()},
        "queries": {name: requester.queries() for name, requester in sides.items()},
    }


def measure_export(client, export_format: str, repeat: int) -> dict:
    requester = Requester(client, f"{LISTING_URL}?export={export_format}")
    runs = [requester() for _ in range(repeat)]
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "cpu": statistics.median(run["cpu"] for run in runs),
        "first_byte": statistics.median(run["first_byte"] for run in runs),
        "bytes": runs[0]["bytes"],
        "streaming": runs[0]["streaming"],
        "queries": requester.queries(),
        "peak": requester.peak_memory(),
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run(sizes: list[int], repeat: int, export_repeat: int, page_size: int | None):
    from openpyxl import LXML

    from wagtail_atelier.contrib.modeladmin.options import RegistrationAdmin

    page_size = page_size or RegistrationAdmin.list_per_page
    workshops, admin = build_site()
    add_users(page_size)
    set_user_listing_page_size(page_size)
    RegistrationAdmin.list_per_page = page_size
    client = Client()
    client.force_login(admin)

    results = {}
    for size in sorted(sizes):
        from wagtail_atelier.models import Registration

        add_registrations(workshops, size - Registration.objects.count())
        Requester(client, LISTING_URL)()  # warm caches (content types, site, menus)
        Requester(client, USERS_URL)()
        results[size] = {
            "listings": measure_listings(client, page_size, repeat),
            "csv": measure_export(client, "csv", export_repeat),
            "xlsx": measure_export(client, "xlsx", export_repeat),
        }
        median = results[size]["listings"]["median"]
        print(
            f"{size} registrations: listing {1000 * median['registrations']:.0f} ms, "
            f"users {1000 * median['users']:.0f} ms",
            file=sys.stderr,
        )

    print(
        f"\ndatabase: {connection.vendor}, page size {page_size} (both listings), "
        f"{repeat} GETs of each listing and {export_repeat} of each export per size, "
        f"Django test client, superuser, openpyxl with lxml: {'yes' if LXML else 'no'}"
        "\n"
    )
    print(
        f"{'registrations':>13} {'listing ms':>11} {'users ms':>9} {'ratio':>6} "
        f"{'queries':>8} {'users q.':>9}"
    )
    for size, result in results.items():
        listings = result["listings"]
        median, queries = listings["median"], listings["queries"]
        ratio = median["registrations"] / median["users"]
        result["ratio"] = ratio
        print(
            f"{size:>13} {1000 * median['registrations']:11.1f} "
            f"{1000 * median['users']:9.1f} {ratio:5.2f}x "
            f"{queries['registrations']:8d} {queries['users']:9d}"
        )

    print(
        f"\n{'export':>6} {'registrations':>13} {'seconds':>8} {'cpu s':>6} "
        f"{'first byte':>10} "
        f"{'x users':>8} {'MB':>6} {'peak MiB':>9} {'queries':>8} {'streamed':>8}"
    )
    for export_format in ("csv", "xlsx"):
        for size, result in results.items():
            export = result[export_format]
            users_seconds = result["listings"]["median"]["users"]
            print(
                f"{export_format:>6} {size:>13} {export['seconds']:8.2f} "
                f"{export['cpu']:6.2f} "
                f"{export['first_byte']:10.2f} "
                f"{export['seconds'] / users_seconds:7.1f}x "
                f"{export['bytes'] / 1e6:6.2f} {export['peak'] / 2**20:9.2f} "
                f"{export['queries']:8d} {'yes' if export['streaming'] else 'no':>8}"
            )

    smallest, largest = min(results), max(results)
    print()
    checks = []
    worst = max(result["ratio"] for result in results.values())
    checks.append(
        (
            worst <= TARGET_RATIO,
            f"listing at most {TARGET_RATIO:g}x the user listing at every size "
            f"(worst {worst:.2f}x)",
        )
    )
    listing_queries = {
        result["listings"]["queries"]["registrations"] for result in results.values()
    }
    checks.append(
        (
            len(listing_queries) == 1,
            f"listing queries the same at every size ({sorted(listing_queries)})",
        )
    )
    for export_format in ("csv", "xlsx"):
        counts = {result[export_format]["queries"] for result in results.values()}
        checks.append(
            (
                len(counts) == 1,
                f"{export_format} queries the same at every size ({sorted(counts)})",
            )
        )
        seconds = results[largest][export_format]["seconds"]
        first_byte = results[largest][export_format]["first_byte"]
        # A proxy times out when nothing arrives: the streamed CSV sends its first
        # line at once; the XLSX (a zip) is sent when the whole file is built.
        answers = first_byte < TIMEOUT_SECONDS / 3
        checks.append(
            (
                answers,
                f"{export_format} answers inside a {TIMEOUT_SECONDS:g} s proxy timeout "
                f"at {largest} rows (first byte after {first_byte:.2f} s, done after "
                f"{seconds:.2f} s)",
            )
        )
        if largest > smallest:
            low = results[smallest][export_format]["peak"]
            high = results[largest][export_format]["peak"]
            per_row = (high - low) / (largest - smallest) / 1024
            checks.append(
                (
                    high <= low * MEMORY_GROWTH_LIMIT,
                    f"{export_format} memory flat: peak {low / 2**20:.2f} MiB at "
                    f"{smallest}, {high / 2**20:.2f} MiB at {largest} "
                    f"({per_row:+.3f} KiB a row)",
                )
            )
    checks.append((results[largest]["csv"]["streaming"], "csv streamed"))
    for ok, label in checks:
        print(f"{verdict(ok)}  {label}")
    return all(ok for ok, _label in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[5000, 20000],
        help="numbers of registrations, measured in turn (default: 5000 20000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=15, help="timed GETs of each listing per size"
    )
    parser.add_argument(
        "--export-repeat", type=int, default=3, help="timed runs of each export"
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=None,
        help="rows per listing page (default: the registrations listing's, 100)",
    )
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        passed = run(args.sizes, args.repeat, args.export_repeat, args.page_size)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
