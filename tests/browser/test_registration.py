"""A real browser: Debian's Chromium driven by Playwright against the live server.

A visitor registers on the French page of a workshop as a case presenter, cancels
through the link in the confirmation mail, and an admin finds the registration and
exports it as CSV. ``.ci/run`` installs Chromium, so in CI this test runs; elsewhere it
is skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.factories import WorkshopIndexPageFactory, WorkshopPageFactory, translate
from tests.testapp.tree import site_tree
from wagtail_atelier.models import Registration

SCREENSHOT = Path("/tmp/e2e-form.png")  # noqa: S108 (a fixed place to look at it)


pytestmark = BROWSER_MARKS


@pytest.fixture
def french_workshop(live_server, settings):
    """A German workshop with its French version, on a site served by the live
    server (so links in mails point at it). Nothing from conftest: the live server
    needs committed data, and the flush after each such test empties every table."""
    # Fill time and throttle have their own tests; here the browser is quick.
    settings.WAGTAIL_ATELIER_MIN_FILL_SECONDS = 0
    cache.clear()
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    index = WorkshopIndexPageFactory(
        parent=home, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )
    workshop = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        case_presenter_capacity=2,
        participant_capacity=6,
    )
    translate(home, "fr", title="Accueil")
    translate(index, "fr", title="Atelier pratique", slug="atelier-pratique")
    return translate(workshop, "fr", title="Atelier pratique Suhr")


@pytest.fixture
def admin_user(transactional_db):
    return get_user_model().objects.create_superuser(
        username="coordination", email="coordination@example.org", password="pw-4711"
    )


def mail_to(address: str, subject_part: str):
    matching = [
        message
        for message in mail.outbox
        if address in message.to and subject_part in message.subject
    ]
    assert len(matching) == 1, [message.subject for message in mail.outbox]
    return matching[0]


def register_as_case_presenter(browser, form_url: str):
    """Élise fills the French form, mostly with the keyboard, and sends it; returns
    her tab, showing the neutral "check your email" page."""
    expect = playwright_api.expect
    visitor = browser.new_page(locale="fr-CH")
    visitor.set_default_timeout(TIMEOUT_MS)
    visitor.goto(form_url)
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    form = visitor.locator("form.atelier-form")
    case_presenter = form.get_by_label("J’amène une situation")
    expect(case_presenter).to_have_value("case_presenter")
    case_presenter.focus()
    visitor.keyboard.press("Space")
    expect(case_presenter).to_be_checked()

    # Name, email, (the optional phone skipped), organisation, town: typed, tabbed.
    form.locator("#id_first_name").focus()
    for text, tabs in (
        ("Élise", 1),
        ("Rousseau-Müller", 1),
        ("elise.rousseau@example.org", 2),
        ("Caring Community Yverdon", 1),
        ("Yverdon-les-Bains", 0),
    ):
        visitor.keyboard.type(text)
        for _ in range(tabs):
            visitor.keyboard.press("Tab")
    expect(form.locator("#id_town")).to_have_value("Yverdon-les-Bains")
    form.locator("#id_canton").select_option("VD")
    # The workshop's language (German) comes pre-selected; she adds French.
    expect(form.locator("input[name=languages][value=de]")).to_be_checked()
    form.locator("input[name=languages][value=fr]").focus()
    visitor.keyboard.press("Space")
    form.locator("#id_case_description").focus()
    visitor.keyboard.type(
        "Comment garder nos bénévoles motivés pendant l’hiver ? Nous sommes 12."
    )
    consent = form.locator("#id_privacy_consent")
    consent.focus()
    visitor.keyboard.press("Space")
    expect(consent).to_be_checked()
    visitor.screenshot(path=str(SCREENSHOT), full_page=True)

    form.get_by_role("button", name="S’inscrire").click()

    # The same page whether the address was new or already registered: the link
    # to her registration comes by mail only.
    # The form posts to "register/#registration", and a browser keeps the fragment
    # across the redirect.
    expect(visitor).to_have_url(
        re.compile(r"/fr/atelier-pratique/suhr/registered/(#registration)?$")
    )
    with translation.override("fr"):
        check_your_email = translation.gettext(
            "Thank you. We have sent an email to the address you gave. It contains "
            "your personal link to your registration, and tells you whether you have "
            "a place or are on the waiting list."
        )
    expect(visitor.get_by_role("status")).to_contain_text(check_your_email)
    expect(visitor.locator("body")).not_to_contain_text("Rousseau-Müller")
    return visitor


def test_visitor_registers_on_the_french_page_and_cancels_from_the_mail(
    live_server, french_workshop
):
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    form_url = live_server.url + french_workshop.url

    with chromium() as browser:
        visitor = register_as_case_presenter(browser, form_url)

        confirmation = mail_to(
            "elise.rousseau@example.org", "Votre place est confirmée"
        )
        link = re.search(r"http://\S+/registration/[\w-]+/", confirmation.body)
        assert link, confirmation.body
        assert link.group(0).startswith(live_server.url + "/fr/")
        visitor.goto(link.group(0))
        expect(visitor.get_by_role("status")).to_contain_text(
            "Votre place est confirmée."
        )
        expect(visitor.locator("body")).to_contain_text("Élise Rousseau-Müller")
        visitor.get_by_role("link", name="Annuler mon inscription").click()
        visitor.get_by_role("button", name="Oui, annuler mon inscription").click()
        expect(visitor.get_by_role("status")).to_contain_text(
            "Votre inscription est annulée."
        )
        mail_to("elise.rousseau@example.org", "annul")

    registration = Registration.objects.get(email="elise.rousseau@example.org")
    assert registration.is_cancelled
    assert registration.language == "fr"
    assert registration.role == "case_presenter"
    assert registration.languages == ["de", "fr"]


def test_coordinator_finds_the_registration_and_exports_csv(
    live_server, french_workshop, admin_user
):
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    form_url = live_server.url + french_workshop.url
    registrations_url = live_server.url + reverse(
        "wagtail_atelier_registration_modeladmin_index"
    )

    with chromium() as browser:
        register_as_case_presenter(browser, form_url).close()

        context = browser.new_context(accept_downloads=True)
        admin = context.new_page()
        admin.set_default_timeout(TIMEOUT_MS)
        admin.goto(live_server.url + "/admin/login/")
        admin.locator("#id_username").fill("coordination")
        admin.locator("#id_password").fill("pw-4711")
        admin.locator("#id_password").press("Enter")
        admin.wait_for_url(re.compile(r"/admin/$"))
        admin.goto(registrations_url)
        admin.locator("#id_q").fill("Rousseau")
        admin.locator("#id_q").press("Enter")
        expect(admin.locator("table.listing")).to_contain_text("Élise Rousseau-Müller")
        # "Download CSV" sits in the dropdown of the "Download XLSX" button.
        admin.locator(".w-dropdown-button button").click()
        csv_link = admin.locator("a[href*='export=csv']")
        expect(csv_link).to_have_attribute("href", re.compile(r"q=Rousseau"))
        with admin.expect_download() as download_info:
            csv_link.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        exported = Path(download.path()).read_text(encoding="utf-8-sig")
        context.close()

    assert "Rousseau-Müller" in exported
    assert "elise.rousseau@example.org" in exported
    assert "Yverdon" in exported
