"""A real browser writes and sends a message to a workshop's waiting list: Debian's
Chromium driven by Playwright against the live server.

From the registrations of the workshop to its messages, a placeholder typed wrong
(the error summary takes focus and names it), the preview in German and French, the
send, and the counts in the list; axe-core finds no serious or critical violation on
the screens. Screenshots go to /tmp/e2e-message-*.png. Skipped when Chromium or
Playwright is missing.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    translate,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.links import admin_registrations_url
from wagtail_atelier.models import Message, OutgoingMail

pytestmark = BROWSER_MARKS

SCREENSHOTS = Path("/tmp")  # noqa: S108 (a fixed place to look at them)
PASSWORD = "pw-4711"
# Wagtail's own chrome (sidebar, header) is not ours to fix.
WAGTAIL_CHROME = ["aside.sidebar", "#wagtail-sidebar", "header.w-header"]


@pytest.fixture
def workshop(live_server):
    """A workshop with German and French versions: two confirmed people, and on
    the waiting list one person who registered in German and one in French."""
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    index = WorkshopIndexPageFactory(
        parent=home, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )
    page = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        start_at=timezone.now() + timedelta(days=30),
        case_presenter_capacity=1,
        participant_capacity=1,
    )
    french = translate(page, "fr", title="Atelier pratique Suhr")
    people = {
        "confirmed": RegistrationFactory(
            workshop=page, role="case_presenter", first_name="Regula"
        ),
        "confirmed2": RegistrationFactory(workshop=page, first_name="Thomas"),
        "waiting": RegistrationFactory(
            workshop=page, status="waiting", first_name="Sandra", last_name="Käser"
        ),
        "waiting_fr": RegistrationFactory(
            workshop=french, status="waiting", first_name="Corinne", last_name="Favre"
        ),
    }
    return page, people


@pytest.fixture
def coordinator(transactional_db):
    user = get_user_model().objects.create_superuser(
        username="coordination", email="coordination@example.org", password=PASSWORD
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def outside_the_loop(function, *args):
    """``function(*args)`` in a thread without Playwright's event loop, where the
    ORM may run; its connection is closed before the thread ends."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result(timeout=TIMEOUT_MS / 1000)


def sent_mails() -> tuple[list[Message], dict[str, str]]:
    mails = OutgoingMail.objects.filter(message__isnull=False)
    return list(Message.objects.all()), {m.to[0]: m.status for m in mails}


def test_coordinator_writes_and_sends_a_message_to_the_waiting_list(
    live_server, workshop, coordinator
):
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    page, people = workshop
    listing_url = live_server.url + admin_registrations_url(page)

    with chromium() as browser:
        admin = browser.new_page(
            locale="en-GB", viewport={"width": 1280, "height": 1800}
        )
        admin.set_default_timeout(TIMEOUT_MS)
        admin.goto(live_server.url + "/admin/login/")
        admin.locator("#id_username").fill("coordination")
        admin.locator("#id_password").fill(PASSWORD)
        admin.locator("#id_password").press("Enter")
        admin.wait_for_url(re.compile(r"/admin/$"))

        # From the workshop's registrations to its messages.
        admin.goto(listing_url)
        admin.get_by_role("link", name="Write to these people").click()
        expect(admin.locator("h1")).to_contain_text("Messages")
        expect(admin.get_by_text("No message has been sent")).to_be_visible()
        admin.get_by_role("link", name="Write a message").click()

        group = admin.get_by_role("radio", name=re.compile(r"^The waiting list"))
        expect(group).to_be_visible()
        expect(admin.get_by_label("The waiting list (2 people)")).to_be_visible()
        assert_no_axe_violations(admin, exclude=WAGTAIL_CHROME)

        # A placeholder typed wrong: the summary takes focus and names it.
        group.check()
        admin.get_by_label("Subject").fill("Neuer Raum am {workshop_date}")
        body = admin.get_by_role("textbox", name="Message")
        body.fill("Hallo {vorname}\n\nWir treffen uns im Saal 2.")
        admin.get_by_role("button", name="Preview", exact=True).click()
        summary = admin.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("{vorname} is not a placeholder")
        expect(body).to_have_attribute("aria-describedby", re.compile(r"id_body_error"))
        assert_no_axe_violations(admin, exclude=WAGTAIL_CHROME)
        summary.get_by_role("link").click()
        expect(body).to_be_focused()

        # Corrected, previewed in each language of the waiting list.
        body.fill("Hallo {first_name}\n\nWir treffen uns im Saal 2.")
        admin.get_by_role("button", name="Preview", exact=True).click()
        preview = admin.locator("[data-message-preview]")
        expect(preview).to_contain_text("The message goes to 2 people.")
        german = preview.locator('[data-language="de"]')
        french = preview.locator('[data-language="fr"]')
        expect(german).to_contain_text("for example Sandra Käser")
        expect(german.locator("[data-preview-text]")).to_contain_text("Hallo Sandra")
        expect(french.locator("[data-preview-text]")).to_contain_text("Hallo Corinne")
        expect(french.locator("[data-preview-text]")).to_contain_text(
            "Atelier pratique Suhr"
        )
        # In the person's language, their link hidden from the screen.
        expect(french.locator("[data-preview-text]")).to_contain_text(
            "Consulter ou annuler votre inscription"
        )
        expect(preview).not_to_contain_text("/registration/")
        assert_no_axe_violations(admin, exclude=WAGTAIL_CHROME)
        admin.screenshot(
            path=str(SCREENSHOTS / "e2e-message-preview.png"), full_page=True
        )

        admin.get_by_role("button", name="Send to 2 people").click()
        expect(
            admin.get_by_text("The message is on its way to 2 people")
        ).to_be_visible()
        row = admin.locator("[data-message]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Neuer Raum am {workshop_date}")
        expect(row).to_contain_text("The waiting list")
        expect(row.locator('[data-count="sent"]')).to_have_text("2 sent")
        expect(row.locator('[data-count="failed"]')).to_have_text("0 failed")
        assert_no_axe_violations(admin, exclude=WAGTAIL_CHROME)
        admin.screenshot(path=str(SCREENSHOTS / "e2e-message-list.png"), full_page=True)

    messages, mails = outside_the_loop(sent_mails)
    assert len(messages) == 1
    assert mails == {
        people["waiting"].email: "sent",
        people["waiting_fr"].email: "sent",
    }
