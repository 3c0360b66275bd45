"""A real browser on the screens of the personal-data life cycle (Debian's Chromium
through Playwright, against the live server), each state checked with axe-core:

1. a coordinator on a laptop (1024 and 1280 px) answers an access and erasure
   request on the "Personal data" screen: a mistyped address, then the records, the
   JSON download, the printable view, and the erasure with its confirmation box;
2. a coordinator previews, downloads and purges the personal data of a workshop;
3. a visitor on a phone (390 px), in French and Italian: the neutral page after
   registering, the self-service page where she withdraws the sharing of her
   contact, and the page of a link that has expired.

With ``ATELIER_SCREENSHOTS=docs/images`` the tests also save the screenshots of the
documentation there (``people.png``, ``purge.png``, ``link-expired.png``). Skipped
when Chromium or Playwright is missing.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.users.models import UserProfile

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    route,
    translate,
)
from tests.services.test_retention import SECRETS, ended, populate
from tests.testapp.tree import site_tree
from wagtail_atelier.links import workshop_admin_url
from wagtail_atelier.models import OutgoingMail, Registration

pytestmark = BROWSER_MARKS

#: Where to save the documentation's screenshots (unset in CI: nothing is written).
SCREENSHOTS = os.environ.get("ATELIER_SCREENSHOTS", "")

#: WCAG 2.2's minimum target size (2.5.8), in CSS pixels.
MIN_TARGET = 24

#: What a real address typed with a typo looks like: it fails the form's validation.
TYPO = "zora.quellenberger@example,org"


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module. Playwright's event loop stays open in this
    thread between the tests, where the fixtures and the database flush use the
    ORM; nothing runs concurrently with them (the live server has its own thread),
    so Django's guard against the ORM inside an event loop is lifted meanwhile."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with chromium() as opened:
            yield opened
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def expect():
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    return expect


@pytest.fixture
def home(live_server):
    """The site on the live server. Nothing from conftest: the live server needs
    committed data, and the flush after each such test empties every table."""
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    return home


@pytest.fixture
def index(home):
    return WorkshopIndexPageFactory(
        parent=home, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )


@pytest.fixture
def aged(index):
    """A workshop that ended eight months ago, with registrations in every status,
    mails, feedback, a table plan and harvests; Zora's address is in all of it."""
    page = WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Aarau", slug="aarau", **ended(240)
    )
    populate(page)
    return page


@pytest.fixture
def admin_user(transactional_db, settings):
    # The avatar from the admin itself: the browser reaches only the live server.
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None
    user = get_user_model().objects.create_superuser(
        username="coordination", email="coordination@example.org", password="pw-4711"
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


# -- helpers -------------------------------------------------------------------------


def outside_the_loop(function, *args):
    """``function(*args)`` in a thread of its own, with its own connection (closed
    before the thread ends): for reads while a page is open."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result(timeout=TIMEOUT_MS / 1000)


def new_context(browser, base_url: str, *, width: int, height: int, **options):
    """A browser context that reaches nothing but the live server (axe-core and
    every asset come from it or are injected from disk), and records every URL it
    requests."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.requested = []

    def only_the_live_server(route_):
        if route_.request.url.startswith(base_url):
            route_.continue_()
        else:
            route_.abort()

    context.route("**/*", only_the_live_server)
    context.on("request", lambda request: context.requested.append(request.url))
    return context


def log_in(context, base_url: str):
    admin = context.new_page()
    admin.goto(base_url + "/admin/login/")
    admin.locator("#id_username").fill("coordination")
    admin.locator("#id_password").fill("pw-4711")
    admin.locator("#id_password").press("Enter")
    admin.wait_for_url(re.compile(r"/admin/$"))
    return admin


def assert_not_in_urls(context, page, address: str) -> None:
    forms = {address, quote(address), quote_plus(address), quote(address, safe="")}
    assert not any(form in page.url for form in forms), page.url
    leaked = [url for url in context.requested if any(f in url for f in forms)]
    assert not leaked, leaked


def assert_fits(page, selector: str) -> None:
    """Each element matching ``selector`` lies within the viewport's width and is
    not cut by the page scrolling sideways."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} px"
    boxes = page.locator(selector)
    assert boxes.count(), selector
    for number in range(boxes.count()):
        box = boxes.nth(number).bounding_box()
        assert box is not None, f"{selector} #{number} is not shown"
        assert box["x"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= width + 0.5, (selector, box, width)
        overflowing = boxes.nth(number).evaluate(
            "(element) => element.scrollWidth > element.clientWidth + 1"
        )
        assert not overflowing, f"{selector} #{number} cuts its content"


def assert_targets_large_enough(page, selector: str) -> None:
    targets = page.locator(selector)
    assert targets.count(), selector
    for number in range(targets.count()):
        target = targets.nth(number)
        if not target.is_visible():
            continue
        box = target.bounding_box()
        label = target.inner_text().strip() or target.get_attribute("name")
        assert box["width"] >= MIN_TARGET, (label, box)
        assert box["height"] >= MIN_TARGET, (label, box)


def screenshot(page, name: str, *, max_height: int = 2000) -> None:
    """The whole of what ``page`` shows, for the documentation (only when asked:
    ``ATELIER_SCREENSHOTS=docs/images``). The admin scrolls inside its own
    container, so the viewport is made as tall as the content first."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(document.documentElement.scrollHeight,"
        " ...[...document.querySelectorAll('main, #main, .content-wrapper')]"
        ".map((e) => e.scrollHeight + e.getBoundingClientRect().top))"
    )
    page.set_viewport_size({"width": size["width"], "height": int(height) + 16})
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, max_height)}
    page.screenshot(path=str(folder / name), clip=clip)
    page.set_viewport_size(size)


# -- 1. the "Personal data" screen ---------------------------------------------------


@pytest.mark.parametrize("width", [1024, 1280])
def test_coordinator_finds_downloads_and_erases_a_person(
    browser, expect, live_server, aged, admin_user, width
):
    address = SECRETS["email"]
    people_url = live_server.url + reverse("wagtail_atelier_people:index")
    context = new_context(
        browser, live_server.url, width=width, height=800, accept_downloads=True
    )
    admin = log_in(context, live_server.url)

    admin.goto(people_url)
    expect(admin.get_by_role("heading", name="Personal data", level=1)).to_be_visible()
    assert_no_axe_violations(admin)

    # A typo: the error summary takes the focus, the field names its error.
    field = admin.get_by_label("Email address")
    field.fill(TYPO)
    field.press("Enter")
    summary = admin.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a valid email address.")
    field = admin.get_by_label("Email address")
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby").split()
    texts = [admin.locator(f"[id='{id_}']").inner_text() for id_ in described_by]
    assert any("Enter a valid email address." in text for text in texts), texts
    expect(field).to_have_value(TYPO)
    # The error's link in the summary leads to the field.
    summary.get_by_role("link").click()
    expect(field).to_be_focused()
    assert_no_axe_violations(admin)

    # The address in upper case, as people write it: the records are listed.
    field.fill(address.upper())
    admin.get_by_role("button", name="Find").click()
    expect(admin.get_by_role("heading", name="What was found")).to_be_visible()
    registrations = admin.locator("section[data-kind='registrations']")
    expect(registrations.get_by_role("heading")).to_contain_text("(1)")
    expect(registrations).to_contain_text(SECRETS["name"])
    expect(registrations).to_contain_text(SECRETS["case"])
    expect(admin.locator("section[data-kind='mails']")).to_contain_text("Zora")
    assert_no_axe_violations(admin)
    assert_fits(admin, "main section[data-kind], main dl.atelier-record")
    assert_targets_large_enough(admin, "main button, main a.button")
    assert_not_in_urls(context, admin, address)
    if width == 1024:
        screenshot(admin, "people.png", max_height=1400)

    with admin.expect_download() as download_info:
        admin.get_by_role("button", name="Download as JSON").click()
    download = download_info.value
    assert address not in download.suggested_filename
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["registrations"][0]["email"] == address

    with context.expect_page() as printable_info:
        admin.get_by_role("button", name="Printable view").click()
    printable = printable_info.value
    expect(printable.get_by_role("heading", level=1)).to_have_text(
        "Personal data held by the practice workshops"
    )
    expect(printable.locator("body")).to_contain_text(SECRETS["case"])
    assert_no_axe_violations(printable)
    assert_not_in_urls(context, printable, address)
    printable.close()

    # Erasing: first without the box, then with it.
    admin.get_by_role("button", name="Erase all of it…").click()
    expect(
        admin.get_by_role("heading", name="Erase everything about this person")
    ).to_be_visible()
    expect(admin.locator("main")).to_contain_text("Registrations: 1")
    expect(admin.locator("[data-person]")).to_contain_text(address)
    assert_no_axe_violations(admin)
    assert_targets_large_enough(admin, "main button, main a.button")
    admin.get_by_role("button", name="Erase", exact=True).click()
    summary = admin.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Tick the box")
    box = admin.get_by_label(re.compile("cannot be undone"))
    expect(box).to_have_attribute("aria-invalid", "true")
    errors = admin.locator(f"[id='{box.get_attribute('aria-describedby')}']")
    expect(errors).to_contain_text("Tick the box")
    assert_no_axe_violations(admin)
    assert outside_the_loop(Registration.objects.filter(email=address).count) == 1

    box.check()
    admin.get_by_role("button", name="Erase", exact=True).click()
    expect(admin.locator(".messages")).to_contain_text(
        "Everything about this person is erased."
    )
    assert_no_axe_violations(admin)
    assert_not_in_urls(context, admin, address)
    context.close()

    assert not Registration.objects.filter(email=address).exists()
    assert not any(address in mail.to for mail in OutgoingMail.objects.all())


# -- 2. the purge of a workshop --------------------------------------------------------


def test_coordinator_previews_downloads_and_purges_a_workshop(
    browser, expect, live_server, aged, admin_user
):
    purge_url = live_server.url + workshop_admin_url("purge", aged)
    context = new_context(
        browser, live_server.url, width=1024, height=800, accept_downloads=True
    )
    admin = log_in(context, live_server.url)

    admin.goto(purge_url)
    expect(admin.get_by_role("heading", name="What will be removed")).to_be_visible()
    expect(admin.locator("[data-purge-workshop]")).to_have_text("Praxiswerkstatt Aarau")
    counts = admin.locator("table[data-purge-counts]")
    expect(counts.locator("tr[data-count='registrations_anonymised'] td")).to_have_text(
        re.compile(r"^\s*[1-9]\d*\s*$")
    )
    assert_no_axe_violations(admin)
    assert_fits(admin, "main table.listing")
    assert_targets_large_enough(admin, "main button, main a.button")
    screenshot(admin, "purge.png")

    with admin.expect_download() as download_info:
        admin.get_by_role("button", name="Download the personal data (JSON)").click()
    document = json.loads(Path(download_info.value.path()).read_text("utf-8"))
    assert document["workshop"]["title"] == "Praxiswerkstatt Aarau"

    # Without the box: nothing happens, and the error is announced and focused on.
    remove = admin.get_by_role("button", name="Remove the personal data now")
    remove.click()
    alert = admin.get_by_role("alert")
    expect(alert).to_contain_text("Tick the box")
    box = admin.get_by_label("I understand that this cannot be undone.")
    # Focus on the error summary (as on every form of the package), whose link
    # takes it to the box.
    expect(admin.locator("#error-summary")).to_be_focused()
    admin.locator("#error-summary a").first.click()
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(re.compile("Tick the box"))
    assert_no_axe_violations(admin)
    assert outside_the_loop(Registration.objects.filter(email=SECRETS["email"]).exists)

    box.check()
    admin.get_by_role("button", name="Remove the personal data now").click()
    expect(admin.locator(".messages")).to_contain_text(
        "The personal data of this workshop are removed"
    )
    expect(admin.locator("[data-purge-nothing]")).to_be_visible()
    assert_no_axe_violations(admin)
    context.close()

    assert not Registration.objects.filter(email=SECRETS["email"]).exists()


# -- 3. the visitor's pages on a phone -------------------------------------------------


def says(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.fixture
def workshops(index):
    """A workshop to come and one that ended 31 days ago (its self-service links
    have expired), in German with their French and Italian versions."""
    coming = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        contact_name="Regula Brunner",
        contact_email="kontakt@example.org",
    )
    end = timezone.now() - timedelta(days=31)
    past = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Olten",
        slug="olten",
        start_at=end - timedelta(hours=3),
        end_at=end,
        contact_name="Regula Brunner",
        contact_email="kontakt@example.org",
    )
    return coming, past


@pytest.mark.parametrize(
    ("language", "index_slug", "title"),
    [
        ("fr", "atelier-pratique", "Atelier pratique"),
        ("it", "laboratorio-pratico", "Laboratorio pratico"),
    ],
)
def test_visitor_on_a_phone_sees_her_registration_and_the_expired_link(
    browser, expect, live_server, home, index, workshops, language, index_slug, title
):
    coming, past = workshops
    translate(home, language, title="Home", revision=False)
    translate(index, language, title=title, slug=index_slug, revision=False)
    coming = translate(coming, language, title=f"{title} Suhr")
    past = translate(past, language, title=f"{title} Olten")
    person = {
        "first_name": "Élise",
        "last_name": "Rousseau-Müller",
        "email": "elise.rousseau@example.org",
        "language": language,
        "share_contact": True,
        "share_contact_at": timezone.now() - timedelta(days=2),
        "share_contact_version": "2026-01",
    }
    registration = RegistrationFactory(workshop=coming, **person)
    expired = RegistrationFactory(
        workshop=past, **{**person, "email": "elise@example.org"}
    )
    context = new_context(
        browser,
        live_server.url,
        width=390,
        height=844,
        locale=f"{language}-CH",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    visitor = context.new_page()

    # The neutral page after registering.
    visitor.goto(live_server.url + route(coming, "registered"))
    expect(visitor.locator("html")).to_have_attribute("lang", language)
    expect(visitor.get_by_role("status")).to_contain_text(
        says(
            language,
            "Thank you. We have sent an email to the address you gave. It contains "
            "your personal link to your registration, and tells you whether you have "
            "a place or are on the waiting list.",
        )
    )
    assert_no_axe_violations(visitor)
    assert_fits(visitor, "main")
    # Its links stand in sentences (exempt from the size rule); the language
    # switcher's stand alone.
    assert_targets_large_enough(visitor, ".atelier-languages a")

    # Her registration, where she withdraws the sharing of her contact.
    visitor.goto(live_server.url + route(coming, "registration", registration.token))
    expect(visitor.locator("main")).to_contain_text("Rousseau-Müller")
    section = visitor.locator(".atelier-share-contact")
    expect(section).to_contain_text("2026-01")
    assert_no_axe_violations(visitor)
    assert_fits(visitor, "main, main dl")
    assert_targets_large_enough(visitor, "main .atelier-button, main button")
    section.get_by_role("button").click()
    withdrawn = says(
        language,
        "You have withdrawn your agreement: your contact details will not be shared "
        "with the other participants.",
    )
    expect(visitor.get_by_role("status")).to_contain_text(withdrawn)
    expect(section.get_by_role("button")).to_have_count(0)
    assert_no_axe_violations(visitor)
    assert_targets_large_enough(visitor, "main .atelier-button, main button")

    # An expired link: a page that says so, and nothing about her.
    response = visitor.goto(
        live_server.url + route(past, "registration", expired.token)
    )
    assert response.status == 410
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        says(language, "This link has expired")
    )
    expect(visitor.locator("main")).to_contain_text("Regula Brunner")
    expect(visitor.locator("main")).not_to_contain_text("Rousseau")
    assert_no_axe_violations(visitor)
    assert_fits(visitor, "main")
    context.close()

    registration.refresh_from_db()
    assert not registration.share_contact
    assert registration.share_contact_withdrawn_at is not None


def test_the_expired_page_at_laptop_width_for_the_documentation(
    browser, expect, live_server, workshops
):
    """The screenshot of the documentation (German, 1024 px); also checked with axe
    at that width."""
    _coming, past = workshops
    expired = RegistrationFactory(workshop=past, email="elise@example.org")
    context = new_context(browser, live_server.url, width=1024, height=700)
    visitor = context.new_page()
    response = visitor.goto(
        live_server.url + route(past, "registration", expired.token)
    )
    assert response.status == 410
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(visitor)
    assert_fits(visitor, "main")
    screenshot(visitor, "link-expired.png")
    context.close()
