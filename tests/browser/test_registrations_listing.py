"""A real browser on the registrations listing: Debian's Chromium driven by
Playwright against the live server.

At 1024 and 1280 px wide the table and a row's opened action menu are on screen and
nothing covers them (checked with ``elementFromPoint``), the targets are at least
24 px, and the filter panel pushes the table down instead of covering it. axe-core
finds no serious or critical violation in German, French and Italian. Screenshots
go to /tmp/h1-*.png. Skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
)
from tests.testapp.tree import site_tree

pytestmark = BROWSER_MARKS

SCREENSHOTS = Path("/tmp")  # noqa: S108 (a fixed place to look at them)
PASSWORD = "pw-4711"


@pytest.fixture
def workshops(live_server):
    """Two workshops with registrations in every state, on a site served by the
    live server (committed data: nothing from conftest)."""
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    index = WorkshopIndexPageFactory(
        parent=home, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )
    suhr = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        start_at=timezone.now() + timedelta(days=30),
        case_presenter_capacity=3,
        participant_capacity=8,
    )
    olten = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Olten mit einem recht langen Titel",
        slug="olten",
        start_at=timezone.now() + timedelta(days=90),
    )
    names = [
        ("Regula", "Aebischer-Zwahlen"),
        ("Thomas", "Brunner"),
        ("Corinne", "Favre"),
        ("Sandra", "Käser"),
        ("Peter", "Hostettler"),
        ("Marco", "Bernasconi"),
        ("Claudia", "Steiner"),
        ("Ursula", "Widmer"),
        ("Daniel", "Schmid"),
        ("Simone", "Gerber"),
        ("Reto", "Caflisch"),
        ("Andreas", "Keller"),
    ]
    statuses = ["confirmed", "confirmed", "waiting", "cancelled"]
    for number, (first_name, last_name) in enumerate(names):
        RegistrationFactory(
            workshop=(suhr, olten)[number % 3 == 2],
            role=("participant", "case_presenter")[number % 4 == 0],
            status=statuses[number % 4],
            first_name=first_name,
            last_name=last_name,
            attended_at=timezone.now() if number == 1 else None,
        )
    return suhr, olten


@pytest.fixture
def coordinators(transactional_db):
    """A coordinator per admin language, with every permission."""
    users = {}
    for language in ("en", "de", "fr", "it"):
        user = get_user_model().objects.create_superuser(
            username=f"coordination-{language}",
            email=f"coordination-{language}@example.org",
            password=PASSWORD,
        )
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
        users[language] = user
    return users


def log_in(browser, base_url: str, username: str, width: int):
    admin = browser.new_page(viewport={"width": width, "height": 900})
    admin.set_default_timeout(TIMEOUT_MS)
    admin.goto(base_url + "/admin/login/")
    admin.locator("#id_username").fill(username)
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("#id_password").press("Enter")
    admin.wait_for_url(re.compile(r"/admin/$"))
    return admin


# What covers the centre of each element matching the selector: "" when the element
# itself (or something inside it) is on top there, else a description of the cover.
COVERED = """([selector, limit]) => {
    const found = Array.from(document.querySelectorAll(selector)).slice(0, limit);
    return found.map((element) => {
        element.scrollIntoView({block: "nearest", inline: "nearest"});
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) return "not shown";
        if (box.left < 0 || box.right > window.innerWidth) {
            return `outside the window: ${box.left}-${box.right}`;
        }
        const x = box.left + box.width / 2;
        const y = box.top + box.height / 2;
        const top = document.elementFromPoint(x, y);
        if (top && (element === top || element.contains(top))) return "";
        return top ? `${top.tagName}.${top.className}` : "nothing";
    });
}"""

SIZE = """(selector) => Array.from(document.querySelectorAll(selector)).map((e) => {
    const box = e.getBoundingClientRect();
    return [Math.round(box.width), Math.round(box.height)];
})"""


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_table_and_a_rows_menu_are_on_screen_and_uncovered(
    live_server, workshops, coordinators, width
):
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    listing = live_server.url + reverse("wagtail_atelier_registration_modeladmin_index")
    with chromium() as browser:
        admin = log_in(browser, live_server.url, "coordination-en", width)
        admin.goto(listing)
        table = admin.locator("table.atelier-table")
        expect(table).to_be_visible()
        expect(admin.locator("table.atelier-table tbody tr")).to_have_count(12)

        # Every cell of the first rows, and the table's right edge, are uncovered.
        cells = "table.atelier-table tbody tr td"
        assert admin.evaluate(COVERED, [cells, 18]) == [""] * 18
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        # No column squeezed to letters: the name cell is wider than a word.
        name_cell = admin.locator("td.field-full_name").first.bounding_box()
        assert name_cell["width"] > 120

        # Targets of 24 px at least: the checkboxes and the "⋯" toggles.
        for selector in (".atelier-row-actions__toggle", "td.atelier-select input"):
            sizes = admin.evaluate(SIZE, selector)
            assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), sizes

        # Open the first row's menu: its items are on top, on screen, 24 px high.
        first_row = admin.locator("table.atelier-table tbody tr").first
        first_row.locator(".atelier-row-actions__toggle").click()
        menu = admin.locator(".w-dropdown__content:visible")
        expect(menu).to_have_count(1)
        expect(menu.get_by_role("link", name="Inspect")).to_be_visible()
        items = ".w-dropdown__content:not([hidden]) a.atelier-row-action"
        count = admin.locator(items).count()
        assert count >= 3
        assert admin.evaluate(COVERED, [items, count]) == [""] * count
        sizes = admin.evaluate(SIZE, items)
        assert all(h >= 24 for _w, h in sizes), sizes
        admin.wait_for_timeout(400)  # the menu's fade-in, for the screenshot only
        admin.screenshot(path=str(SCREENSHOTS / f"h1-{width}.png"))
        admin.keyboard.press("Escape")
        expect(admin.locator(".w-dropdown__content:visible")).to_have_count(0)

        # The filter panel opens above the table and pushes it down.
        admin.locator(".atelier-filters__toggle").click()
        panel = admin.locator(".atelier-filters__panel")
        expect(panel).to_be_visible()
        panel_box = panel.bounding_box()
        table_box = table.bounding_box()
        assert panel_box["y"] + panel_box["height"] <= table_box["y"]
        assert admin.evaluate(COVERED, [cells, 6]) == [""] * 6
        admin.screenshot(path=str(SCREENSHOTS / f"h1-{width}-filters.png"))


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_the_listing_has_no_serious_accessibility_violations(
    live_server, workshops, coordinators, language
):
    suhr, _olten = workshops
    listing = live_server.url + reverse("wagtail_atelier_registration_modeladmin_index")
    with chromium() as browser:
        admin = log_in(browser, live_server.url, f"coordination-{language}", 1280)
        # Filtered to one workshop: the seats, the pills and the bulk bar show.
        admin.goto(f"{listing}?workshop_key={suhr.translation_key}")
        playwright_api.expect(admin.locator("html")).to_have_attribute("lang", language)
        playwright_api.expect(admin.locator(".atelier-seats")).to_be_visible()
        # With the filter panel open, then with a row's menu open (the panel
        # closed, so that the menu opens below the row, not over the headings).
        admin.locator(".atelier-filters__toggle").click()
        playwright_api.expect(admin.locator(".atelier-filters__panel")).to_be_visible()
        assert_no_axe_violations(admin)
        admin.locator(".atelier-filters__toggle").click()
        admin.locator("table.atelier-table tbody tr").first.locator(
            ".atelier-row-actions__toggle"
        ).click()
        playwright_api.expect(
            admin.locator(".w-dropdown__content:visible")
        ).to_have_count(1)
        # The rows below the open menu are behind it (as under any open menu);
        # they were checked above.
        assert_no_axe_violations(
            admin, exclude=["table.atelier-table tbody tr:not(:first-child)"]
        )
        admin.screenshot(path=str(SCREENSHOTS / f"h1-axe-{language}.png"))
