"""A real browser on the table plan screen: Debian's Chromium driven by Playwright
against the live server, as in ``test_e2e.py``.

A coordinator (admin in English) makes the plan of an on-site workshop with the
keyboard, moves a participant to a table they already visit in another round, sees
the warning, moves them anyway, and opens the printable sheets and cards. Skipped
when Chromium or Playwright is missing; ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.models import TablePlan
from wagtail_atelier.services import table_plan as service

SCREENSHOT = Path("/tmp/e2e-table-plan.png")  # noqa: S108 (a fixed place to look at it)


pytestmark = BROWSER_MARKS

MOVE_AGAINST_RULES = "wagtail_atelier.table_plan.move_against_rules"


@pytest.fixture
def workshop(live_server):
    """An on-site workshop with 3 case presenters and 9 participants, on a site
    served by the live server. Nothing from conftest: the live server needs
    committed data, and the flush after each such test empties every table."""
    address = urlsplit(live_server.url)
    _locales, home = site_tree(hostname=address.hostname, port=address.port)
    index = WorkshopIndexPageFactory(
        parent=home, title="Praxiswerkstatt", slug="praxiswerkstatt"
    )
    page = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        format="on_site",
        case_presenter_capacity=None,
        participant_capacity=None,
    )
    presenters = [
        RegistrationFactory(
            workshop=page,
            role="case_presenter",
            first_name=first_name,
            last_name=last_name,
            organisation=f"Caring Community {town}",
            town=town,
        )
        for first_name, last_name, town in (
            ("Regula", "Aebischer", "Wettingen"),
            ("Thomas", "Brunner", "Burgdorf"),
            ("Corinne", "Favre", "Biel"),
        )
    ]
    participants = [
        RegistrationFactory(
            workshop=page,
            first_name=first_name,
            last_name=last_name,
            organisation=f"Gemeinde {town}",
            town=town,
        )
        for first_name, last_name, town in (
            ("Sandra", "Käser", "Suhr"),
            ("Peter", "Hostettler", "Suhr"),
            ("Marco", "Bernasconi", "Baden"),
            ("Claudia", "Steiner", "Baden"),
            ("Ursula", "Widmer", "Aarau"),
            ("Daniel", "Schmid", "Rheinfelden"),
            ("Simone", "Gerber", "Frauenfeld"),
            ("Reto", "Caflisch", "Chur"),
            ("Andreas", "Keller", "Bern"),
        )
    ]
    return page, presenters, participants


@pytest.fixture
def admin_user(transactional_db):
    user = get_user_model().objects.create_superuser(
        username="coordination", email="coordination@example.org", password="pw-4711"
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


def stored_tables(page, person_pk: int) -> list[int | None]:
    """The person's table in each round, as stored."""
    table_plan = TablePlan.objects.get(workshop_key=page.translation_key)
    view = service.plan_view(table_plan)
    return view.tables_of(view.registrations[person_pk])


def log_in(browser, base_url: str):
    # Tall: the admin scrolls inside its own container, which a full-page
    # screenshot does not unroll.
    admin = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 3200})
    admin.set_default_timeout(TIMEOUT_MS)
    admin.goto(base_url + "/admin/login/")
    admin.locator("#id_username").fill("coordination")
    admin.locator("#id_password").fill("pw-4711")
    admin.locator("#id_password").press("Enter")
    admin.wait_for_url(re.compile(r"/admin/$"))
    return admin


def test_coordinator_makes_the_plan_moves_against_a_rule_and_prints(
    live_server, workshop, admin_user
):
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    page, presenters, participants = workshop
    person = participants[0]
    plan_url = live_server.url + reverse(
        "wagtail_atelier_workshops:table_plan", args=[page.pk]
    )
    print_url = live_server.url + reverse(
        "wagtail_atelier_workshops:table_plan_print", args=[page.pk]
    )

    with chromium() as browser:
        admin = log_in(browser, live_server.url)
        admin.goto(plan_url)
        expect(admin.locator("html")).to_have_attribute("lang", "en")
        expect(admin.get_by_role("heading", name="Make the plan")).to_be_visible()

        # Make the plan with the keyboard: type over the three numbers, then Enter.
        admin.locator("#id_rounds").focus()
        for value in ("3", "3", "5"):
            admin.keyboard.press("ControlOrMeta+a")
            admin.keyboard.type(value)
            admin.keyboard.press("Tab")
        expect(admin.locator("#id_max_size")).to_have_value("5")
        admin.locator("#id_max_size").press("Enter")

        expect(admin.get_by_role("heading", name="Make a new plan")).to_be_visible()
        expect(admin.locator(".messages")).to_contain_text("The table plan is made.")
        rounds = admin.locator("section[data-round]")
        expect(rounds).to_have_count(3)
        for number in (1, 2, 3):
            expect(
                admin.get_by_role("heading", name=f"Round {number}", exact=True)
            ).to_be_visible()
            expect(
                admin.locator(f"section[data-round='{number}'] li[data-table]")
            ).to_have_count(3)
        expect(admin.locator("li[data-person]")).to_have_count(9 * 3)
        expect(admin.get_by_text("rule broken")).to_have_count(0)

        # In round 1, to the table the person visits in round 2: a second visit.
        tables = outside_the_loop(stored_tables, page, person.pk)
        target = tables[1]
        assert target != tables[0]
        round_1 = admin.locator("section[data-round='1']")
        round_2 = admin.locator("section[data-round='2']")
        expect(
            round_2.locator(f"li[data-table='{target}'] li[data-person='{person.pk}']")
        ).to_have_count(1)

        # Her name pre-fills the move form.
        round_1.get_by_role("link", name=person.full_name).click()
        # The script fills in the move form without a reload; focus goes to the table.
        expect(admin.locator("#move-table")).to_be_focused()
        expect(admin.locator("#move-person")).to_have_value(str(person.pk))
        expect(admin.locator("#move-round")).to_have_value("1")
        admin.locator("#move-table").select_option(str(target))
        move_form = admin.locator("form#move")
        move_form.get_by_role("button", name="Move", exact=True).focus()
        admin.keyboard.press("Enter")

        warning = admin.locator("#pending-move")
        expect(warning).to_have_attribute("role", "alert")
        expect(warning).to_contain_text(
            f"Moving {person.full_name} in round 1 breaks a rule"
        )
        expect(warning).to_contain_text(
            re.compile(rf"{person.full_name} sits at table {target}\b.* again in round")
        )
        assert outside_the_loop(stored_tables, page, person.pk) == tables

        warning.get_by_role("button", name="Move anyway").focus()
        admin.keyboard.press("Enter")

        expect(admin.locator("#pending-move")).to_have_count(0)
        expect(admin.locator(".messages")).to_contain_text(
            "Against the rules, as you confirmed"
        )
        moved = round_1.locator(
            f"li[data-table='{target}'] li[data-person='{person.pk}']"
        )
        expect(moved).to_contain_text(person.full_name)
        # The rule is broken by the second visit: that seat (round 2) is marked.
        expect(moved).not_to_contain_text("(rule broken)")
        again = admin.locator(
            f"[data-round='2'] li[data-table='{target}'] li[data-person='{person.pk}']"
        )
        expect(again).to_contain_text("(rule broken)")
        state = admin.locator("section[aria-labelledby='atelier-plan-state']")
        expect(state).to_contain_text(re.compile(r"This plan breaks \d+ rules?\."))
        admin.screenshot(path=str(SCREENSHOT), full_page=True)

        admin.get_by_role("link", name="Printable sheets and cards").click()
        admin.wait_for_url(print_url)
        expect(admin.locator(".sheet")).to_have_count(len(presenters))
        expect(admin.locator(".card")).to_have_count(
            len(presenters) + len(participants)
        )
        # The cards are in the language the workshop is held in (German).
        expect(admin.locator(f".card[data-person='{person.pk}']")).to_contain_text(
            f"Runde 1: Tisch {target}"
        )
        expect(admin.locator(".warning")).to_be_visible()

    assert stored_tables(page, person.pk)[:2] == [target, target]
    table_plan = TablePlan.objects.get(workshop_key=page.translation_key)
    assert table_plan.feasible is False
    entry = ModelLogEntry.objects.get(action=MOVE_AGAINST_RULES)
    assert entry.user_id == admin_user.pk
    assert entry.data["registration"] == person.pk
    assert entry.data["round"] == 1
    assert entry.data["table"] == target
    assert "table_revisited" in entry.data["violations"]
