"""A real browser (Debian's Chromium through Playwright, against the live server) for
host requests and testimonials:

1. an organisation sends the French host request form, with the keyboard for the
   fieldsets, and gets the thank-you page and the acknowledgement;
2. a participant answers the feedback mail's form and lets us quote her; an editor
   publishes the draft in the Wagtail admin; the quote then shows on a page, named as
   she chose.

Skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.factories import (
    HostRequestPageFactory,
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    translate,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.models import FeedbackAnswer, HostRequest
from wagtail_atelier.models import Testimonial as Quote
from wagtail_atelier.services.feedback import send_due_feedback_requests

pytestmark = BROWSER_MARKS


@pytest.fixture
def site(live_server, settings):
    """The site on the live server, with its home page in German and French. Nothing
    from conftest: the live server needs committed data."""
    settings.WAGTAIL_ATELIER_MIN_FILL_SECONDS = 0
    cache.clear()
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    translate(home, "fr", title="Accueil")
    return home


def test_an_organisation_sends_the_french_host_request_form(live_server, site):
    german = HostRequestPageFactory(
        parent=site, title="Gastgeber werden", slug="gastgeber"
    )
    french = translate(german, "fr", title="Organiser un atelier", slug="accueillir")
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)

    with chromium() as browser:
        page = browser.new_page(locale="fr-CH")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server.url + french.url)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        form = page.locator("form.atelier-form")
        # Sent empty first: the errors are listed, in French, and linked to fields.
        form.get_by_role("button").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_visible()
        expect(summary.locator("a[href='#id_organisation']")).to_be_visible()

        form.locator("#id_organisation").fill("Association Sion solidaire")
        form.locator("#id_contact_name").fill("Chloé Martin")
        form.locator("#id_email").fill("chloe.martin@example.org")
        form.locator("#id_canton").select_option("VS")
        form.locator("#id_region").fill("Sion")
        form.locator("#id_preferred_period").fill("printemps 2027")
        # The page's language is ticked; she adds German with the keyboard.
        expect(form.locator("input[name=languages][value=fr]")).to_be_checked()
        form.locator("input[name=languages][value=de]").focus()
        page.keyboard.press("Space")
        form.locator("input[name=format][value=either]").check()
        form.locator("input[name=venue][value=yes]").check()
        form.locator("#id_venue_accessibility").fill("Accès de plain-pied")
        form.locator("#id_expected_people").fill("30")
        form.locator("#id_message").fill("Nous nous réjouissons !")
        form.locator("#id_privacy_consent").check()
        form.get_by_role("button").click()

        expect(page).to_have_url(re.compile(r"/fr/accueillir/thanks/(#host-request)?$"))
        expect(page.locator("#host-request-sent")).to_be_visible()

    request = HostRequest.objects.get()
    assert request.organisation == "Association Sion solidaire"
    assert request.languages == ["de", "fr"]
    assert request.format == "either"
    assert request.language == "fr"
    [acknowledgement] = [m for m in mail.outbox if m.to == ["chloe.martin@example.org"]]
    assert "Chloé Martin" in acknowledgement.body


def test_feedback_becomes_a_testimonial_an_editor_publishes(live_server, site):
    index = WorkshopIndexPageFactory(parent=site, title="Praxiswerkstatt", slug="pw")
    past = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Aarau",
        slug="aarau",
        start_at=timezone.now() - timedelta(days=3, hours=3),
    )
    translate(index, "fr", title="Atelier pratique", slug="atelier-pratique")
    past_french = translate(past, "fr", title="Atelier pratique Aarau")
    RegistrationFactory(
        workshop=past_french,
        attended_at=timezone.now(),
        first_name="Chloé",
        last_name="Martin",
        town="Sion",
        email="chloe.martin@example.org",
    )
    upcoming = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        body=[("testimonials", {"heading": "Stimmen", "random_count": 2})],
    )
    upcoming_french = translate(upcoming, "fr", title="Atelier pratique Suhr")
    get_user_model().objects.create_superuser(
        username="redaktion", email="redaktion@example.org", password="pw-4711"
    )
    send_due_feedback_requests()
    [feedback_mail] = [m for m in mail.outbox if "/feedback/" in m.body]
    link = re.search(r"http://\S+/feedback/[\w-]+/", feedback_mail.body).group(0)
    assert link.startswith(live_server.url + "/fr/")
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)

    with chromium() as browser:
        page = browser.new_page(locale="fr-CH")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        form = page.locator("form.atelier-form")
        form.locator("#id_takeaway").fill(
            "Il faut du courage pour amener une question, mais cela en vaut la peine."
        )
        form.locator("#id_may_quote").check()
        # She sees exactly how she would be named.
        form.get_by_label("Chloé, Sion").check()
        form.get_by_role("button").click()
        expect(page.get_by_role("status")).to_be_visible()
        expect(page.locator("a[href$='/withdraw/']")).to_be_visible()

    [draft] = Quote.objects.all()
    assert not draft.live
    assert draft.locale.language_code == "fr"
    assert (draft.first_name, draft.last_name, draft.town) == ("Chloé", "", "Sion")
    assert FeedbackAnswer.objects.get().may_quote
    edit_url = live_server.url + reverse(
        "wagtailsnippets_wagtail_atelier_testimonial:edit", args=[draft.pk]
    )

    with chromium() as browser:
        admin = browser.new_page()
        admin.set_default_timeout(TIMEOUT_MS)
        admin.goto(live_server.url + "/admin/login/")
        admin.locator("#id_username").fill("redaktion")
        admin.locator("#id_password").fill("pw-4711")
        admin.locator("#id_password").press("Enter")
        admin.wait_for_url(re.compile(r"/admin/$"))
        admin.goto(edit_url)
        expect(admin.locator("#id_quote")).to_have_value(
            re.compile("Il faut du courage")
        )
        # "Publish" sits in the dropdown of the footer's "Save draft".
        admin.locator("footer .w-dropdown__toggle").first.click()
        admin.locator("button[name=action-publish]").click()
        expect(admin.locator(".messages li.success")).to_be_visible()

    draft.refresh_from_db()
    assert draft.live

    with chromium() as browser:
        page = browser.new_page(locale="fr-CH")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server.url + upcoming_french.url)
        quote = page.locator("figure.atelier-testimonial")
        expect(quote.locator("blockquote")).to_contain_text(
            "Il faut du courage pour amener une question"
        )
        expect(quote.locator("figcaption cite")).to_contain_text("Chloé, Sion")
        expect(quote.locator("figcaption")).not_to_contain_text("Martin")
