"""axe-core on the package's own admin screens, with the admin in German, French
and Italian: the dashboard panel, the table plan, the harvest, a host request's
inspect and status screens, the personal data screen, the purge, the
networking list, the messages to registrants (list and writing), the change
notice's decision and the cancellation of a workshop. Serious and
critical findings fail; Wagtail's own chrome (sidebar, header) is left out, it is
not ours. Also: focus stays on a control after a person's name in the table plan
is activated, and each screen is photographed at 1024 px (/tmp/h5-*.png).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.browser.axe import axe_violations
from tests.factories import (
    HostRequestFactory,
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.services import change_notices, table_plan
from wagtail_atelier.services.change_notices import notified_state

pytestmark = BROWSER_MARKS

#: Wagtail's own chrome: not ours to fix.
WAGTAIL_CHROME = [
    "#wagtail-sidebar",
    "[data-side-panel]",
    ".w-breadcrumbs",
    "header",
]


@pytest.fixture
def screens(live_server, transactional_db):
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    index = WorkshopIndexPageFactory(parent=home, title="Praxiswerkstatt", slug="pw")
    page = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        format="on_site",
        case_presenter_capacity=None,
        participant_capacity=None,
    )
    for number in range(3):
        RegistrationFactory(
            workshop=page,
            role="case_presenter",
            first_name=f"Fallgeberin{number}",
            last_name="Mustermann-Langername",
            organisation=f"Caring Community {number}",
        )
    participants = [
        RegistrationFactory(
            workshop=page,
            first_name=f"Teilnehmerin{number}",
            last_name="Beispiel",
            organisation=f"Gemeinde {number % 4}",
        )
        for number in range(9)
    ]
    table_plan.generate(page, rounds=3, min_size=3, max_size=5, seed=3)
    # Three on the networking list, so that its screen shows its table.
    for participant in participants[:3]:
        participant.attended_at = participant.created_at
        participant.share_contact = True
        participant.save(update_fields=["attended_at", "share_contact"])
    host_request = HostRequestFactory()
    # A change of place published: the notice waits for the editor's decision.
    previous = dict(notified_state(page), venue_name="Altes Schulhaus", town="Aarau")
    notice = change_notices.record_publication(page, previous)
    page.save(update_fields=["ical_sequence"])
    user = get_user_model().objects.create_superuser(
        username="coordination", email="coordination@example.org", password="pw-4711"
    )
    workshops = "wagtail_atelier_workshops"
    urls = {
        "dashboard": reverse("wagtailadmin_home"),
        "table-plan": reverse(f"{workshops}:table_plan", args=[page.pk]),
        "harvest": reverse(f"{workshops}:harvest", args=[page.pk]),
        "networking-list": reverse(f"{workshops}:networking_list", args=[page.pk]),
        "host-request": reverse(
            "wagtail_atelier_hostrequest_modeladmin_inspect", args=[host_request.pk]
        ),
        "host-request-status": reverse(
            "wagtail_atelier_admin:hostrequest_status", args=[host_request.pk]
        ),
        "people": reverse("wagtail_atelier_people:index"),
        "purge": reverse(f"{workshops}:purge", args=[page.pk]),
        "messages": reverse(f"{workshops}:messages", args=[page.pk]),
        "message-write": reverse(f"{workshops}:message_write", args=[page.pk]),
        "change-notice": reverse(
            "wagtail_atelier_change_notices:decide", args=[notice.pk]
        ),
        "cancel-workshop": reverse(
            "wagtail_atelier_change_notices:cancel", args=[page.pk]
        ),
    }
    return user, urls, participants


def log_in(browser, base_url: str, language: str):
    admin = browser.new_page(locale=language, viewport={"width": 1024, "height": 900})
    admin.set_default_timeout(TIMEOUT_MS)
    admin.goto(base_url + "/admin/login/")
    admin.locator("#id_username").fill("coordination")
    admin.locator("#id_password").fill("pw-4711")
    admin.locator("#id_password").press("Enter")
    admin.wait_for_url(re.compile(r"/admin/$"))
    return admin


def overflow(page) -> int:
    """How far the main content is wider than the window (0: no sideways scroll)."""
    return page.evaluate(
        """() => {
            const main = document.querySelector("main") || document.body;
            return Math.max(0, main.scrollWidth - main.clientWidth);
        }"""
    )


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_the_admin_screens_pass_axe(live_server, screens, language):
    user, urls, _participants = screens
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    found = {}
    wide = {}
    with chromium() as browser:
        admin = log_in(browser, live_server.url, language)
        for name, path in urls.items():
            admin.goto(live_server.url + path)
            playwright_api.expect(admin.locator("html")).to_have_attribute(
                "lang", language
            )
            admin.screenshot(path=f"/tmp/h5-{language}-{name}.png", full_page=True)  # noqa: S108
            violations = axe_violations(admin, exclude=WAGTAIL_CHROME)
            if violations:
                found[name] = violations
            if overflow(admin):
                wide[name] = overflow(admin)
        # The forms' errors, announced: the people search with a bad address.
        admin.goto(live_server.url + urls["people"])
        admin.locator("#id_email").fill("not an address")
        admin.locator("#id_email").press("Enter")
        summary = admin.locator("#error-summary")
        playwright_api.expect(summary).to_be_focused()
        admin.screenshot(path=f"/tmp/h5-{language}-people-error.png", full_page=True)  # noqa: S108
        violations = axe_violations(admin, exclude=WAGTAIL_CHROME)
        if violations:
            found["people with an error"] = violations
    if found:
        Path(f"/tmp/h5-axe-{language}.json").write_text(  # noqa: S108
            json.dumps(found, indent=1)
        )
    assert not found, found
    assert not wide, f"wider than 1024 px: {wide}"


def test_focus_stays_on_a_control_after_a_person_is_chosen(live_server, screens):
    user, urls, participants = screens
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    person = participants[0]
    expect = playwright_api.expect
    with chromium() as browser:
        admin = log_in(browser, live_server.url, "de")
        admin.goto(live_server.url + urls["table-plan"])
        link = admin.locator(f"#seat-2-{person.pk}")
        link.focus()
        admin.keyboard.press("Enter")
        # Not <body>: the next control of the move form, with person and round set.
        expect(admin.locator("#move-table")).to_be_focused()
        expect(admin.locator("#move-person")).to_have_value(str(person.pk))
        expect(admin.locator("#move-round")).to_have_value("2")
        # Moved: focus is back on the person's name.
        admin.locator("#move-table").select_option(index=0)
        with admin.expect_navigation():
            admin.locator("#move button[type=submit]").click()
        if admin.locator("#pending-move").count():
            expect(admin.locator("#pending-move")).to_be_focused()
            with admin.expect_navigation():
                admin.locator("#pending-move button[type=submit]").click()
        admin.wait_for_url(re.compile(rf"#seat-2-{person.pk}$"))
        expect(admin.locator(f"#seat-2-{person.pk}")).to_be_focused()

        # Without the script's help (a name opened in a new tab): same place.
        admin.goto(
            live_server.url + urls["table-plan"] + f"?move={person.pk}&round=1#move"
        )
        expect(admin.locator("#move-table")).to_be_focused()
