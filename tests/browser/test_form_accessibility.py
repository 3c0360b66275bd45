"""The public forms in a real browser (Debian's Chromium through Playwright, against
the live server), after a failed submit: focus is on the error summary, every id
that aria-describedby names exists, the summary's links move focus to a control,
axe-core finds nothing serious in German, French and Italian; and the case question
shows only for case presenters. Skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from tests.browser import BROWSER_MARKS, TIMEOUT_MS, chromium, playwright_api
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    HostRequestPageFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    route,
    translate,
)
from tests.testapp.tree import site_tree

pytestmark = BROWSER_MARKS

#: What the browser says about the page after a failed submit: the focused
#: element, the aria-describedby ids that point nowhere, the summary's links.
STATE_JS = """() => {
    const active = document.activeElement;
    const missing = [];
    for (const element of document.querySelectorAll("[aria-describedby]")) {
        for (const ref of element.getAttribute("aria-describedby").split(/\\s+/)) {
            if (ref && !document.getElementById(ref)) missing.push(ref);
        }
    }
    const links = [...document.querySelectorAll("#error-summary a")]
        .map((a) => a.getAttribute("href"));
    return {active: active && active.id, missing, links};
}"""


@pytest.fixture
def pages(live_server, settings):
    """A German workshop with French and Italian versions, and a host request page,
    on the live server's site. Nothing from conftest: the live server needs
    committed data."""
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
    host = HostRequestPageFactory(parent=home, title="Gastgeber", slug="gastgeber")
    result = {"de": workshop, "host": host}
    for language, title, slug in (
        ("fr", "Atelier pratique", "atelier-pratique"),
        ("it", "Laboratorio pratico", "laboratorio-pratico"),
    ):
        translate(home, language, title=title)
        translate(index, language, title=title, slug=slug)
        result[language] = translate(workshop, language, title=f"{title} Suhr")
    result["lost_link"] = route(workshop, "lost_link")
    return result


def new_page(browser, language: str):
    page = browser.new_page(locale=f"{language}-CH")
    page.set_default_timeout(TIMEOUT_MS)
    return page


def assert_summary_focused_and_linked(page) -> list[str]:
    """After a failed submit: focus on the summary, no dangling aria-describedby,
    and each link of the summary moves focus to an input, select or textarea."""
    expect = playwright_api.expect
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    page.wait_for_load_state("load")
    state = page.evaluate(STATE_JS)
    assert state["active"] == "error-summary", state
    assert state["missing"] == [], state
    assert state["links"], state
    for href in state["links"]:
        summary.locator(f"a[href='{href}']").click()
        focused = page.evaluate(
            "() => [document.activeElement.id, document.activeElement.tagName]"
        )
        assert focused[0] == href[1:], (href, focused)
        assert focused[1] in ("INPUT", "SELECT", "TEXTAREA"), (href, focused)
    return state["links"]


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_a_failed_registration_focuses_the_error_summary(live_server, pages, language):
    playwright_api.expect.set_options(timeout=TIMEOUT_MS)
    with chromium() as browser:
        page = new_page(browser, language)
        page.goto(live_server.url + pages[language].url)
        page.locator("form.atelier-form").get_by_role("button").click()

        links = assert_summary_focused_and_linked(page)
        assert "#id_role_0" in links
        assert "#id_privacy_consent" in links
        page.locator("#error-summary").focus()
        assert_no_axe_violations(page)


def test_lost_link_and_host_request_focus_the_error_summary(live_server, pages):
    playwright_api.expect.set_options(timeout=TIMEOUT_MS)
    with chromium() as browser:
        page = new_page(browser, "de")
        page.goto(live_server.url + pages["lost_link"])
        page.locator("#id_email").fill("kein-e-mail")
        page.locator("form.atelier-form").get_by_role("button").click()
        assert assert_summary_focused_and_linked(page) == ["#id_email"]
        assert_no_axe_violations(page)

        page.goto(live_server.url + pages["host"].url)
        page.locator("form.atelier-form").get_by_role("button").click()
        links = assert_summary_focused_and_linked(page)
        assert "#id_format_0" in links
        assert_no_axe_violations(page)


def test_the_case_question_shows_for_case_presenters_only(live_server, pages):
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    with chromium() as browser:
        page = new_page(browser, "fr")
        page.goto(live_server.url + pages["fr"].url)
        form = page.locator("form.atelier-form")
        case = form.locator("#id_case_description")
        expect(case).to_be_hidden()

        form.locator("input[name=role][value=participant]").check()
        expect(case).to_be_hidden()
        form.locator("input[name=role][value=case_presenter]").check()
        expect(case).to_be_visible()
        expect(case).to_have_attribute("aria-required", "true")
        # The note for people without the script is not shown with it.
        expect(form.locator("[data-atelier-note]")).to_be_hidden()
        form.locator("input[name=role][value=participant]").check()
        expect(case).to_be_hidden()

        # A case presenter who leaves it empty: the server asks for it, and the
        # summary leads to it.
        form.locator("input[name=role][value=case_presenter]").check()
        form.get_by_role("button").click()
        links = assert_summary_focused_and_linked(page)
        assert "#id_case_description" in links
        expect(case).to_be_visible()
        page.locator("#error-summary a[href='#id_case_description']").click()
        expect(case).to_be_focused()
        expect(case).to_be_in_viewport()


def test_controls_have_a_visible_focus_and_24px_targets(live_server, pages):
    with chromium() as browser:
        page = new_page(browser, "de")
        page.goto(live_server.url + pages["de"].url)
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                    "#registration :is(a, button, input, select, textarea)")]
                .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
                .filter((el) => !el.closest(".atelier-honeypot"))
                .map((el) => [el.id || el.textContent.trim(),
                              el.getBoundingClientRect()])
                .filter(([, box]) => box.width < 24 || box.height < 24)
                .map(([name, box]) => `${name} ${box.width}x${box.height}`)"""
        )
        assert small == []
        page.locator("#id_first_name").focus()
        page.keyboard.press("Shift+Tab")
        outline = page.evaluate(
            """() => {
                const style = getComputedStyle(document.activeElement);
                return [style.outlineStyle, parseFloat(style.outlineWidth)];
            }"""
        )
        assert outline[0] != "none" and outline[1] >= 2, outline
