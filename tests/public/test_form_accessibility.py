"""The public forms, as assistive technology sees them after a failed submit: every
id that aria-describedby points at exists, each error is tied to its control, the
error summary links to controls that take focus, the case question is required
only for case presenters, online workshops ask nothing about a venue or an
apéritif, and French error lines follow French typography."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone, translation
from django.utils.translation import trans_real

from tests.factories import (
    HostRequestPageFactory,
    RegistrationFactory,
    WorkshopPageFactory,
    feedback_form_data,
    host_request_form_data,
    lost_link_form_data,
    registration_form_data,
    route,
)
from wagtail_atelier.models import FeedbackRequest, Registration
from wagtail_atelier.public.forms import RegistrationForm
from wagtail_atelier.services import feedback as feedback_services

pytestmark = pytest.mark.django_db

FOCUSABLE = ("input", "select", "textarea", "button")


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def the_form(soup) -> BeautifulSoup:
    return soup.find("form", class_="atelier-form")


def assert_accessible_errors(soup, expected_fields: set[str]) -> None:
    """Every aria-describedby id exists; each field of ``expected_fields`` shows
    its error under ``id_<field>_error`` and its control (or, for a group, its
    fieldset) points at it; the summary's links lead to focusable controls."""
    form = the_form(soup)
    described = form.find_all(attrs={"aria-describedby": True})
    assert described, "nothing in the form has aria-describedby"
    for element in described:
        for ref in element["aria-describedby"].split():
            assert soup.find(id=ref) is not None, f"{element.get('id')} -> {ref}"

    error_lists = {ul["id"] for ul in form.find_all("ul", class_="atelier-errors")}
    assert error_lists == {f"id_{name}_error" for name in expected_fields}
    for name in expected_fields:
        referrers = form.find_all(
            attrs={
                "aria-describedby": lambda v, n=name: (
                    bool(v) and f"id_{n}_error" in v.split()
                )
            }
        )
        assert referrers, f"nothing points at id_{name}_error"
        for element in referrers:
            assert element.name in (*FOCUSABLE, "fieldset")
            if element.name != "fieldset":
                assert element.get("aria-invalid") == "true"

    summary = soup.find(id="error-summary")
    assert summary is not None
    assert summary["tabindex"] == "-1"
    assert summary.find(id="error-summary-heading") is not None
    targets = [link["href"] for link in summary.find_all("a")]
    assert len(targets) >= len(expected_fields)
    for href in targets:
        assert href.startswith("#")
        target = soup.find(id=href[1:])
        assert target is not None, href
        assert target.name in FOCUSABLE, f"{href} is a <{target.name}>"
        assert target.get("type") != "hidden"


# -- the four forms --------------------------------------------------------------------

REGISTRATION_REQUIRED = {
    "role",
    "first_name",
    "last_name",
    "email",
    "organisation",
    "town",
    "canton",
    "languages",
    "privacy_consent",
}


def test_registration_form_errors_are_announced(client, workshop):
    data = registration_form_data(
        **dict.fromkeys(REGISTRATION_REQUIRED), phone="call me maybe"
    )
    response = client.post(route(workshop, "register"), data)

    soup = soup_of(response)
    assert_accessible_errors(soup, REGISTRATION_REQUIRED | {"phone"})
    # The group of radio buttons: its link leads to the first one, not the fieldset.
    summary_links = [a["href"] for a in soup.find(id="error-summary").find_all("a")]
    assert "#id_role_0" in summary_links
    assert "#id_languages_0" in summary_links
    assert "#id_role" not in summary_links
    role = soup.find("fieldset", id="id_role")
    assert role["aria-describedby"] == "id_role_error"


def test_every_help_text_is_referenced_before_any_error(client, workshop):
    form = the_form(soup_of(client.get(workshop.url)))
    helptexts = {p["id"] for p in form.find_all(id=lambda v: v and "_helptext" in v)}
    assert {"id_case_description_helptext", "id_accessibility_needs_helptext"} <= (
        helptexts
    )
    referenced = {
        ref
        for element in form.find_all(attrs={"aria-describedby": True})
        for ref in element["aria-describedby"].split()
    }
    assert helptexts <= referenced


def test_lost_link_form_errors_are_announced(client, workshop):
    response = client.post(
        route(workshop, "lost_link"), lost_link_form_data(email="not an address")
    )
    assert_accessible_errors(soup_of(response), {"email"})


@pytest.fixture
def host_page(translated_roots):
    return HostRequestPageFactory(
        parent=translated_roots["de"], title="Gastgeber werden", slug="gastgeber"
    )


def test_host_request_form_errors_are_announced(client, host_page):
    required = {
        "organisation",
        "contact_name",
        "email",
        "canton",
        "region",
        "languages",
        "format",
        "venue",
        "privacy_consent",
    }
    data = host_request_form_data(**dict.fromkeys(required), expected_people="0")
    response = client.post(route(host_page, "form"), data)

    soup = soup_of(response)
    assert_accessible_errors(soup, required | {"expected_people"})
    # Help texts of fields with and without errors are both still referenced.
    period = soup.find(id="id_preferred_period")
    assert period["aria-describedby"] == "id_preferred_period_helptext"


def test_the_preferred_period_example_names_no_year(client, host_page):
    helptext = soup_of(client.get(host_page.url)).find(
        id="id_preferred_period_helptext"
    )
    text = helptext.get_text()
    assert text.strip()
    assert not any(str(year) in text for year in range(2020, 2100))


@pytest.fixture
def feedback_url(index):
    """The feedback form of a workshop that ended three days ago."""
    page = WorkshopPageFactory(
        parent=index, start_at=timezone.now() - timedelta(days=3, hours=3)
    )
    registration = RegistrationFactory(workshop=page, attended_at=timezone.now())
    assert feedback_services.send_due_feedback_requests() == 1
    token = FeedbackRequest.objects.get(registration=registration).token
    return route(page, "feedback", token)


def test_feedback_form_errors_are_announced(client, feedback_url):
    data = feedback_form_data(takeaway="", may_quote="on", naming=None)
    response = client.post(feedback_url, data)

    soup = soup_of(response)
    assert_accessible_errors(soup, {"takeaway", "naming"})
    assert "#id_naming_0" in [a["href"] for a in soup.find(id="error-summary")("a")]


# -- the case question -----------------------------------------------------------------


def test_case_question_is_tied_to_the_case_presenter_role(client, workshop):
    form = the_form(soup_of(client.get(workshop.url)))
    part = form.find(attrs={"data-atelier-show-when": True})
    assert part["data-atelier-show-when"] == "role"
    assert part["data-atelier-show-value"] == "case_presenter"
    # Shown without the script: marked, and the note says for whom.
    assert not part.has_attr("hidden")
    textarea = part.find("textarea", attrs={"name": "case_description"})
    label = part.find("label", attrs={"for": textarea["id"]})
    assert label.find(class_="atelier-required") is not None
    helptext = part.find(id="id_case_description_helptext")
    assert textarea["aria-describedby"] == "id_case_description_helptext"
    with translation.override("de"):
        note = translation.gettext(
            "Required if you bring a case; otherwise leave it empty."
        )
    assert note in helptext.get_text()
    assert not textarea.has_attr("required")  # not for participants


@pytest.mark.parametrize(
    ("role", "accepted"), [("case_presenter", False), ("participant", True)]
)
def test_case_question_is_required_only_for_case_presenters(
    client, workshop, submit, role, accepted
):
    response = submit(
        route(workshop, "register"),
        registration_form_data(role=role, case_description=" "),
    )
    if accepted:
        assert response.status_code == 302
        assert Registration.objects.get().role == role
    else:
        assert response.status_code == 200
        assert not Registration.objects.exists()
        textarea = the_form(soup_of(response)).find(id="id_case_description")
        assert textarea["aria-describedby"].split() == [
            "id_case_description_helptext",
            "id_case_description_error",
        ]


# -- online workshops ------------------------------------------------------------------


def on_site_only_texts(language: str) -> list[str]:
    with translation.override(language):
        form = RegistrationForm()
        return [
            str(form.fields["dietary_note"].label),
            str(form.fields["accessibility_needs"].help_text),
        ]


def test_online_workshop_asks_nothing_about_the_venue_or_the_aperitif(
    client, index, submit
):
    online = WorkshopPageFactory(parent=index, online=True)
    form = the_form(soup_of(client.get(online.url)))

    assert form.find(attrs={"name": "dietary_note"}) is None
    text = form.get_text(" ")
    for on_site_text in on_site_only_texts("de"):
        assert on_site_text not in text
    assert form.find(attrs={"name": "accessibility_needs"}) is not None
    # Sent anyway (an old form, a bot): not stored.
    submit(route(online, "register"), registration_form_data(dietary_note="vegan"))
    assert Registration.objects.get().dietary_note == ""


@pytest.mark.parametrize("workshop_format", ["on_site", "hybrid"])
def test_workshops_with_a_venue_still_ask(client, index, workshop_format):
    page = WorkshopPageFactory(parent=index, format=workshop_format)
    form = the_form(soup_of(client.get(page.url)))

    assert form.find("input", attrs={"name": "dietary_note"}) is not None
    for on_site_text in on_site_only_texts("de"):
        assert on_site_text in form.get_text(" ")


# -- French typography -----------------------------------------------------------------


@pytest.fixture
def french_colon():
    """The French catalogue with the translation the lead adds to the .po file
    ("%(label)s : %(error)s", a no-break space before the colon)."""
    catalog = trans_real.translation("fr")._catalog
    key = "%(label)s: %(error)s"
    had, old = key in catalog, catalog.get(key)
    catalog[key] = "%(label)s\u00a0: %(error)s"
    yield
    if had:
        catalog[key] = old
    else:
        for part in catalog._catalogs:
            part.pop(key, None)


def test_french_error_summary_uses_the_translated_format_and_no_colon_after_a_full_stop(
    client, french_workshop, french_colon
):
    data = registration_form_data(email=None, privacy_consent=None, role=None)
    response = client.post(route(french_workshop, "register"), data)

    summary = soup_of(response).find(id="error-summary")
    lines = [li.get_text(" ", strip=True) for li in summary.find_all("li")]
    with translation.override("fr"):
        form = RegistrationForm()
        email = str(form.fields["email"].label)
        consent = str(form.fields["privacy_consent"].label)
        role = str(form.fields["role"].label)
    assert consent.endswith(".")
    assert role.endswith("?")
    text = " ".join(lines)
    assert ".:" not in text
    assert "?:" not in text
    assert any(line.startswith(f"{email}\u00a0: ") for line in lines), lines
    assert any(line.startswith(f"{consent} ") for line in lines), lines
    assert any(line.startswith(f"{role} ") for line in lines), lines
    assert f"{email}: " not in text
