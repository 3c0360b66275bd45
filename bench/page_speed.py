"""Requests per second of a workshop page against a plain Wagtail page.

    .venv/bin/python bench/page_speed.py [--rounds 7] [--requests 150] [--profile]

Serves the example site (``example_site/``, its settings, layout and home page) in
this process with Django's test client, on a throwaway test database created here
and destroyed at the end (SQLite in memory; PostgreSQL when DATABASE_URL is set).
It builds the site's home page (the plain page: a title and a few paragraphs of rich
text in the site's layout), a workshop index and an open workshop with the standard
programme, places left shown, French and Italian versions and 40 registrations.

Each round GETs the plain page and the workshop page ``--requests`` times each,
alternating which side goes first, as an anonymous visitor with no cookie (what a
cache in front of the site would forward). The ratio of a round is the workshop
page's requests per second over the plain page's; the script prints the median of
the rounds and PASS/FAIL against the target (at least 0.8). Every GET reaches
Django and renders the page (a miss of any cache in front of the site); what a
running site shares between requests stays shared, as under a rush of visitors:
Wagtail's site root paths, the loaded templates, and the package's own entries in
Django's cache (the translations list, the places left, the page's fragments; see
docs/performance.md, "Caching"). For comparison, the workshop page is also timed with
Django's cache emptied before every GET ("workshop, empty cache"), not part of the
verdict.

``--profile`` prints the functions that cost the workshop page most (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "example_site"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.base")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-page-speed-only-not-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGET_RATIO = 0.8
PLAIN_TEXT = (
    "<p>Das Netzwerk Caring Communities verbindet Gemeinden, Vereine und "
    "Fachleute, die Sorgende Gemeinschaften aufbauen.</p>"
)


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def build_pages():
    """The plain home page and an open workshop under an index, both live, in
    German with French and Italian versions."""
    from django.utils import timezone
    from home.models import HomePage
    from wagtail.models import Locale, Page, Site

    from wagtail_atelier.blocks import default_programme
    from wagtail_atelier.models import (
        Registration,
        WorkshopIndexPage,
        WorkshopPage,
    )

    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code in ("de", "fr", "it")
    }
    root = Page.get_first_root_node()
    home = HomePage(
        title="Caring Communities",
        slug="home-bench",
        locale=locales["de"],
        body=[("paragraph", PLAIN_TEXT * 4)],
    )
    root.add_child(instance=home)
    _publish(home)
    Site.objects.all().delete()
    Site.objects.create(
        hostname="testserver", port=80, root_page=home, is_default_site=True
    )
    # The plain page as deep in the tree as the workshop (home/section/page): Wagtail
    # routes one level per query, which is the site's structure, not the page's.
    section = HomePage(
        title="Über uns", slug="ueber-uns", body=[("paragraph", PLAIN_TEXT)]
    )
    home.add_child(instance=section)
    _publish(section)
    plain = HomePage(
        title="Das Netzwerk", slug="netzwerk", body=[("paragraph", PLAIN_TEXT * 4)]
    )
    section.add_child(instance=plain)
    _publish(plain)
    index = WorkshopIndexPage(title="Praxiswerkstatt", slug="praxiswerkstatt")
    home.add_child(instance=index)
    _publish(index)
    start_at = timezone.now() + timedelta(days=30)
    workshop = WorkshopPage(
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        start_at=start_at,
        end_at=start_at + timedelta(hours=3),
        venue_name="Gemeindesaal",
        street="Tramstrasse 10",
        postcode="5034",
        town="Suhr",
        canton="AG",
        workshop_language="de",
        intro="Gemeinden und Vereine beraten einander zu ihren Fragen.",
        case_presenter_capacity=8,
        participant_capacity=30,
        show_places_left=True,
        body=default_programme("de"),
        contact_name="Anna Muster",
        contact_email="anna@example.org",
    )
    index.add_child(instance=workshop)
    _publish(workshop)
    for language in ("fr", "it"):
        for page in (home, section, plain, index, workshop):
            _publish(page.copy_for_translation(locales[language], copy_parents=True))
    for number in range(40):
        role = "case_presenter" if number % 4 == 0 else "participant"
        Registration.objects.create(
            workshop_key=workshop.translation_key,
            page_id=workshop.pk,
            language="de",
            role=role,
            status="confirmed",
            first_name=f"Vorname{number}",
            last_name="Muster",
            email=f"person{number}@example.org",
            organisation="Caring Community Suhr",
            town="Suhr",
            canton="AG",
            languages=["de"],
            case_description="Wie gewinnen wir Freiwillige?" if number % 4 == 0 else "",
            privacy_consent_at=timezone.now(),
            privacy_notice_version="1",
        )
    return home, plain, workshop


def timed_gets(client: Client, url: str, count: int, before=None) -> float:
    """Requests per second of ``count`` GETs of ``url``, calling ``before()`` before
    each."""
    started = time.perf_counter()
    for _ in range(count):
        if before is not None:
            before()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return count / (time.perf_counter() - started)


def queries_of(client: Client, url: str, before=None) -> int:
    client.get(url)
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def run(rounds: int, requests: int, profile: bool) -> float:
    home, plain, workshop = build_pages()
    client = Client()
    from django.core.cache import cache

    sides = {
        "plain page": plain.url,
        "workshop page": workshop.url,
        "home page": home.url,
        "workshop, empty cache": workshop.url,
    }
    before = {"workshop, empty cache": cache.clear}
    for url in sides.values():  # warm up: templates, site root paths, translations
        timed_gets(client, url, 20)

    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        timed_gets(client, workshop.url, requests)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(os.environ.get("PROFILE_FILTER", ""), 40)

    ratios = []
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for number in range(rounds):
        order = list(sides.items())
        if number % 2:
            order.reverse()
        round_rates = {
            name: timed_gets(client, url, requests, before.get(name))
            for name, url in order
        }
        for name, rate in round_rates.items():
            rates[name].append(rate)
        ratios.append(round_rates["workshop page"] / round_rates["plain page"])

    print(
        f"\n{rounds} rounds of {requests} GETs per side, database: "
        f"{connection.vendor}, Django test client, anonymous visitor, load average "
        f"{', '.join(f'{value:.2f}' for value in os.getloadavg())}\n"
    )
    print(f"{'':22} {'req/s (median)':>15} {'queries':>8} {'KiB':>6}")
    # The verdict compares pages at the same depth; the home page (the root, one
    # routing level) and the workshop page with an empty cache are shown for
    # comparison.
    for name, url in sides.items():
        size = len(client.get(url).content) / 1024
        print(
            f"{name:22} {statistics.median(rates[name]):15.1f} "
            f"{queries_of(client, url, before.get(name)):8d} {size:6.1f}"
        )
    home_ratio = statistics.median(
        workshop_rate / home_rate
        for workshop_rate, home_rate in zip(
            rates["workshop page"], rates["home page"], strict=True
        )
    )
    print(f"\nworkshop page / home page (the root): {home_ratio:.2f}")
    ratio = statistics.median(ratios)
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(
        f"\nRATIO workshop page / plain page: {ratio:.2f} (median of {rounds} "
        f"rounds, {min(ratios):.2f}-{max(ratios):.2f}) {verdict} "
        f"(target at least {TARGET_RATIO})"
    )
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=150, help="GETs per side")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    # Not setup_test_environment(): its instrumented template rendering would slow
    # the page with more template nodes, which a running site does not do.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        ratio = run(args.rounds, args.requests, args.profile)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
