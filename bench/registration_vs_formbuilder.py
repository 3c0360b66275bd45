"""Time a registration POST against a submission of Wagtail's own form builder.

    .venv/bin/python bench/registration_vs_formbuilder.py [--posts 200] [--warmup 20]

Uses the test settings (SQLite as configured there; PostgreSQL when DATABASE_URL is
set) on a throwaway test database, created here and destroyed at the end. It builds a
workshop page and a form builder page (``tests.testapp.ComparisonFormPage``, an
``AbstractEmailForm``) with the same fields, then posts valid data to each, one after
the other in alternating order so that drift in the machine's load hits both alike.
Each POST goes through the whole Django stack with the test client.

What each side does per POST, as a site would run it:

* registration: spam checks (honeypot, signed fill time, throttle per IP and email in
  the default cache), validation, the seat lock, the registration row and its
  confirmation stored as an intent; answered with a redirect; once the response has
  gone out (``request_finished``), the confirmation rendered (text, HTML, .ics) and
  sent by django-tasks' immediate backend.
  The workshop's contact hears of it in the daily digest (the default), not here.
* form builder: validation, the submission row, one plain-text mail to the page's
  address; answered with the rendered landing page.

Prints median and 95th percentile per POST and the ratio registration/form builder,
and PASS or FAIL against the target: a median ratio of at most 1.3 (issue 12), of the
time until the response is ready (the visitor's wait); the median until the response
is closed (the work left for after it included) is printed beside it. The
machine's load moves both sides alike, but not exactly: run it twice.
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

TARGET_RATIO = 1.3
ROLE_LABELS = ("I bring a case", "I take part in the discussions")
LANGUAGE_LABELS = ("Deutsch", "Français", "Italiano")


def build_pages():
    """The workshop page and the equivalent form builder page, both live."""
    from tests.factories import WorkshopIndexPageFactory, WorkshopPageFactory
    from tests.testapp.models import ComparisonFormField, ComparisonFormPage
    from tests.testapp.tree import site_tree
    from wagtail_atelier.models import Canton

    _locales, home = site_tree(hostname="testserver")
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    # Seats for everyone: the common path, a confirmed place.
    workshop = WorkshopPageFactory(
        parent=index,
        slug="bench",
        case_presenter_capacity=100_000,
        participant_capacity=100_000,
    )

    def field(label, field_type, *, required=True, choices=()):
        return ComparisonFormField(
            label=label,
            field_type=field_type,
            required=required,
            choices="\n".join(choices),
        )

    form_page = ComparisonFormPage(
        title="Anmeldung (Formular-Builder)",
        slug="formular",
        to_address="anna@example.org",
        from_address="noreply@example.org",
        subject="Neue Anmeldung",
        form_fields=[
            field("Role", "radio", choices=ROLE_LABELS),
            field("First name", "singleline"),
            field("Last name", "singleline"),
            field("Email", "email"),
            field("Phone", "singleline", required=False),
            field("Organisation", "singleline"),
            field("Town", "singleline"),
            field(
                "Canton", "dropdown", choices=[str(label) for label in Canton.labels]
            ),
            field("Languages", "checkboxes", choices=LANGUAGE_LABELS),
            field("Case description", "multiline", required=False),
            field("Accessibility needs", "multiline", required=False),
            field("Dietary note", "singleline", required=False),
            field("Privacy consent", "checkbox"),
            field("Share contact", "checkbox", required=False),
        ],
    )
    home.add_child(instance=form_page)
    return workshop, form_page


def person(number: int) -> dict:
    return {
        "first_name": "Beatrice",
        "last_name": f"Keller{number}",
        "email": f"person{number}@example.org",
        "phone": "+41 62 555 12 34",
        "organisation": "Caring Community Suhr",
        "town": "Suhr",
        "case_description": "Wie gewinnen wir Freiwillige für den Besuchsdienst?",
        "accessibility_needs": "",
        "dietary_note": "vegetarisch",
    }


def registration_data(number: int) -> dict:
    from wagtail_atelier.public.spam import form_started_token

    return {
        **person(number),
        "role": "case_presenter",
        "canton": "AG",
        "languages": ["de", "fr"],
        "privacy_consent": "on",
        "share_contact": "on",
        "website": "",
        # Shown ten seconds ago: past the minimum fill time.
        "form_started": form_started_token(time.time() - 10),
    }


def formbuilder_data(number: int) -> dict:
    return {
        **person(number),
        "role": ROLE_LABELS[0],
        "canton": "Aargau",
        "languages": ["Deutsch", "Français"],
        "privacy_consent": "on",
        "share_contact": "on",
    }


class Poster:
    """POSTs one valid submission to a page and checks the answer."""

    def __init__(self, url, data, expected_status, expected_text, expect_mail=True):
        self.url, self.data, self.expect_mail = url, data, expect_mail
        self.expected_status, self.expected_text = expected_status, expected_text
        self.count = 0

    def __call__(self) -> float:
        self.count += 1
        # A fresh visitor each time (own address, own email): the throttle stays in
        # the path without ever refusing.
        client = Client(
            REMOTE_ADDR=f"10.{self.count // 62500 % 256}."
            f"{self.count // 250 % 250}.{self.count % 250}"
        )
        data = self.data(self.count)
        # The moment Django's handler hands the finished response to the server,
        # which sends it before closing it (the close runs what was left for after
        # the response: the registration's mails, with the immediate backend).
        get_response = client.handler.get_response
        answered_at = []

        def timed_get_response(request):
            response = get_response(request)
            answered_at.append(time.perf_counter())
            return response

        client.handler.get_response = timed_get_response
        started = time.perf_counter()
        response = client.post(self.url, data)
        finished = time.perf_counter()
        body = (
            response.get("Location", "")
            if response.status_code == 302
            else (response.content.decode())
        )
        if (
            response.status_code != self.expected_status
            or self.expected_text not in body
        ):
            raise SystemExit(
                f"unexpected answer from {self.url}: "
                f"{response.status_code} {body[:500]}"
            )
        if self.expect_mail and not mail.outbox:
            raise SystemExit(f"no mail sent for the POST to {self.url}")
        mail.outbox.clear()
        # The visitor's wait, and the time until the server is free again.
        return answered_at[0] - started, finished - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(round(fraction * len(ordered)) - 1, 0)]


def run(posts: int, warmup: int) -> float:
    workshop, form_page = build_pages()
    register = Poster(
        workshop.url + workshop.reverse_subpage("register"),
        registration_data,
        302,
        "/registered/",
    )
    formbuilder = Poster(form_page.url, formbuilder_data, 200, "Thank you")
    sides = {"registration": register, "form builder": formbuilder}

    for _ in range(warmup):
        register()
        formbuilder()
    queries = {}
    for name, poster in sides.items():
        with CaptureQueriesContext(connection) as captured:
            poster()
        queries[name] = len(captured)

    timings = {name: [] for name in sides}
    totals = {name: [] for name in sides}
    for number in range(posts):
        # Alternate who goes first, so neither always follows the other's work.
        order = list(sides.items()) if number % 2 == 0 else list(sides.items())[::-1]
        for name, poster in order:
            answered, total = poster()
            timings[name].append(answered)
            totals[name].append(total)

    print(
        f"\n{posts} POSTs each after {warmup} warm-up, database: {connection.vendor}, "
        f"Django test client, mails to the locmem backend\n"
    )
    print(
        "answered: until the response is ready to send (the visitor's wait);\n"
        "until free: until the response is closed, with the work left for after it\n"
    )
    print(
        f"{'':14} {'median ms':>10} {'p95 ms':>10} {'mean ms':>10} "
        f"{'until free':>11} {'queries':>8}"
    )
    for name, values in timings.items():
        print(
            f"{name:14} {1000 * statistics.median(values):10.1f} "
            f"{1000 * percentile(values, 0.95):10.1f} "
            f"{1000 * statistics.fmean(values):10.1f} "
            f"{1000 * statistics.median(totals[name]):11.1f} {queries[name]:8d}"
        )
    ratio = statistics.median(timings["registration"]) / statistics.median(
        timings["form builder"]
    )
    ratio_p95 = percentile(timings["registration"], 0.95) / percentile(
        timings["form builder"], 0.95
    )
    ratio_free = statistics.median(totals["registration"]) / statistics.median(
        totals["form builder"]
    )
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(
        f"\nratio registration / form builder: {ratio:.2f}x median, "
        f"{ratio_p95:.2f}x p95 (answered); {ratio_free:.2f}x median until free\n"
        f"{verdict}: median ratio {ratio:.2f} (target at most {TARGET_RATIO:g})"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", type=int, default=200, help="timed POSTs per side")
    parser.add_argument("--warmup", type=int, default=20, help="untimed POSTs per side")
    parser.add_argument(
        "--worker",
        action="store_true",
        help=(
            "mails queued for a task worker instead of sent in the request (the "
            "production setup of docs/registration.md); the form builder always "
            "sends its mail in the request"
        ),
    )
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if args.worker:
            from django.test import override_settings

            dummy = "django_tasks.backends.dummy.DummyBackend"
            worker = {"default": {"BACKEND": dummy}}
            with override_settings(TASKS=worker):
                print("registration mails: queued for a worker (DummyBackend)")
                ratio = run(args.posts, args.warmup)
        else:
            print("registration mails: sent in the request (immediate backend)")
            ratio = run(args.posts, args.warmup)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
