"""axe-core on every public page state, in German, French and Italian: the index
(empty and with workshops), a workshop page (open, full with waiting list, closed
and full, past), the form with errors, the self-service page and the host request
page. Fails on serious and critical violations. Also takes screenshots of a card and
the teaser at 390 and 1280 px (/tmp/h3-*.png)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium
from tests.browser.axe import assert_no_axe_violations, axe_violations
from tests.factories import (
    HostRequestPageFactory,
    RegistrationFactory,
    TeaserPageFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    translate,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.links import registration_url
from wagtail_atelier.services import networking

pytestmark = BROWSER_MARKS

LANGUAGES = ("de", "fr", "it")
SCREENSHOTS = Path("/tmp")  # noqa: S108 (a fixed place to look at them)


def days(n: int):
    return timezone.now() + timedelta(days=n)


@pytest.fixture
def public_site(live_server, settings):
    """{state: {language: url}} on a site served by the live server."""
    settings.WAGTAIL_ATELIER_MIN_FILL_SECONDS = 0
    cache.clear()
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    index = WorkshopIndexPageFactory(parent=home, title="Praxiswerkstatt", slug="pw")
    empty = WorkshopIndexPageFactory(parent=home, title="Archiv", slug="archiv")
    teaser = TeaserPageFactory(
        parent=home,
        title="Willkommen",
        slug="willkommen",
        body=[("next_workshop", {"heading": "", "propose_page": None})],
    )
    host = HostRequestPageFactory(parent=home, slug="gastgeber")
    workshops = {
        "open": WorkshopPageFactory(
            parent=index,
            title="Praxiswerkstatt Suhr",
            slug="suhr",
            start_at=days(20),
            case_presenter_capacity=3,
            participant_capacity=9,
            show_places_left=True,
        ),
        "waiting_list": WorkshopPageFactory(
            parent=index,
            title="Praxiswerkstatt Olten",
            slug="olten",
            start_at=days(30),
            case_presenter_capacity=1,
            participant_capacity=1,
            hybrid=True,
        ),
        "full": WorkshopPageFactory(
            parent=index,
            title="Atelier Lausanne",
            slug="lausanne",
            start_at=days(40),
            workshop_language="fr",
            online=True,
            participant_capacity=1,
            registration_closes_at=days(-1),
        ),
        "past": WorkshopPageFactory(
            parent=index, title="Praxiswerkstatt Aarau", slug="aarau", past=True
        ),
    }
    for role in ("case_presenter", "participant"):
        RegistrationFactory(workshop=workshops["waiting_list"], role=role)
    RegistrationFactory(workshop=workshops["full"], role="participant")
    mine = RegistrationFactory(workshop=workshops["open"], role="participant")
    # Two attendees of the past workshop, and their networking list.
    attendees = [
        RegistrationFactory(
            workshop=workshops["past"], attended_at=days(-365), share_contact=True
        )
        for _number in range(2)
    ]
    networking.send_list(workshops["past"].translation_key)

    urls: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        pages = {"index": index, "index_empty": empty, "host_request": host}
        pages.update(workshops)
        pages["teaser"] = teaser
        if language != "de":
            translate(home, language, title=f"Home {language}", slug=f"home-{language}")
            pages = {
                name: translate(page, language, title=f"{page.title} ({language})")
                for name, page in pages.items()
            }
        for name, page in pages.items():
            urls.setdefault(name, {})[language] = live_server.url + page.url
        urls.setdefault("self_service", {})[language] = registration_url(
            mine, pages["open"]
        )
        urls.setdefault("networking_list", {})[language] = networking.list_url(
            attendees[0], pages["past"]
        )
    return urls


def test_public_pages_have_no_serious_axe_violations(public_site):
    with chromium() as browser:
        visitor = browser.new_page()
        visitor.set_default_timeout(TIMEOUT_MS)
        for language in LANGUAGES:
            for state, urls in public_site.items():
                response = visitor.goto(urls[language])
                assert response.status == 200, (state, language, urls[language])
                assert visitor.locator("html").get_attribute("lang") == language
                if state == "teaser":
                    # The test app's bare page around the teaser has no <title>:
                    # not ours; the teaser itself is checked.
                    violations = [
                        v
                        for v in axe_violations(visitor)
                        if v["id"] != "document-title"
                    ]
                    assert not violations, (urls[language], violations)
                else:
                    assert_no_axe_violations(visitor)

            # The form sent empty (the browser's own checks switched off): the
            # server's errors, with their summary.
            visitor.goto(public_site["open"][language])
            form = visitor.locator("form.atelier-form")
            form.evaluate("(form) => form.setAttribute('novalidate', '')")
            with visitor.expect_navigation():
                form.locator("button[type=submit]").last.click()
            assert visitor.locator(".atelier-error-summary").first.is_visible()
            assert_no_axe_violations(visitor)


def test_screenshots_of_a_card_and_the_teaser(public_site):
    with chromium() as browser:
        for width in (390, 1280):
            visitor = browser.new_page(viewport={"width": width, "height": 900})
            visitor.set_default_timeout(TIMEOUT_MS)
            visitor.goto(public_site["index"]["de"])
            cards = visitor.locator(".atelier-card")
            assert cards.count() >= 3
            cards.nth(1).screenshot(path=str(SCREENSHOTS / f"h3-card-{width}.png"))
            visitor.screenshot(
                path=str(SCREENSHOTS / f"h3-index-{width}.png"), full_page=True
            )
            visitor.goto(public_site["teaser"]["fr"])
            visitor.locator(".atelier-teaser").first.screenshot(
                path=str(SCREENSHOTS / f"h3-teaser-{width}.png")
            )
            visitor.close()
