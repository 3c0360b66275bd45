"""The registration form on the workshop page: what it shows, what it accepts, and
what happens with bad input (errors in the page's language, what was typed kept,
nothing stored, nothing mailed)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation
from freezegun import freeze_time

from tests.factories import WorkshopPageFactory, registration_form_data, route
from wagtail_atelier.models import OutgoingMail, Registration
from wagtail_atelier.public.forms import RegistrationForm

pytestmark = pytest.mark.django_db


def registration_section(response) -> BeautifulSoup:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup.find(id="registration")


def field_errors(section, name: str) -> list[str]:
    errors = section.find(id=f"id_{name}_error")
    return (
        [li.get_text(" ", strip=True) for li in errors.find_all("li")] if errors else []
    )


def expected_errors(data: dict, field: str, language: str) -> list[str]:
    """The messages the form gives for ``field``, rendered in ``language``."""
    with translation.override(language):
        form = RegistrationForm(data)
        form.is_valid()
        return [str(message) for message in form.errors.get(field, [])]


def assert_nothing_happened():
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0
    assert mail.outbox == []


# -- what the form shows ---------------------------------------------------------------


def test_role_is_a_fieldset_with_a_legend_and_one_radio_per_role(client, workshop):
    section = registration_section(client.get(workshop.url))

    fieldset = section.find("fieldset", id="id_role")
    with translation.override("de"):
        legend = str(RegistrationForm.base_fields["role"].label)
    assert fieldset.legend.get_text(" ", strip=True).startswith(legend)
    radios = fieldset.find_all("input", attrs={"name": "role"})
    assert [radio["type"] for radio in radios] == ["radio", "radio"]
    assert {radio["value"] for radio in radios} == {"case_presenter", "participant"}
    labels = [fieldset.find("label", attrs={"for": radio["id"]}) for radio in radios]
    assert all(label is not None and label.get_text(strip=True) for label in labels)


def test_role_legend_and_labels_are_in_the_pages_language(client, workshop_versions):
    french = registration_section(client.get(workshop_versions["fr"].url))
    german = registration_section(client.get(workshop_versions["de"].url))

    with translation.override("fr"):
        legend_fr = str(RegistrationForm.base_fields["role"].label)
    assert legend_fr != "How would you like to take part?"
    assert (
        french.find("fieldset", id="id_role")
        .legend.get_text(" ", strip=True)
        .startswith(legend_fr)
    )
    assert "J’amène une situation" in french.get_text()
    assert french.get_text() != german.get_text()


def test_languages_are_checkboxes_with_the_workshops_language_preselected(
    client, index
):
    # A workshop held in French, announced on a German page.
    workshop = WorkshopPageFactory(parent=index, workshop_language="fr")
    section = registration_section(client.get(workshop.url))

    fieldset = section.find("fieldset", id="id_languages")
    assert fieldset.legend is not None
    boxes = {box["value"]: box for box in fieldset.find_all("input", type="checkbox")}
    assert set(boxes) == {"de", "fr", "it"}
    assert boxes["fr"].has_attr("checked")
    assert not boxes["de"].has_attr("checked")
    assert not boxes["it"].has_attr("checked")


def test_at_least_one_language_is_required(client, workshop):
    data = registration_form_data(languages=None)
    response = client.post(route(workshop, "register"), data)

    german = expected_errors(data, "languages", "de")
    assert german != ["Choose at least one language."]
    assert field_errors(registration_section(response), "languages") == german
    assert_nothing_happened()


def test_share_contact_is_an_unticked_opt_in(client, workshop, submit):
    section = registration_section(client.get(workshop.url))
    box = section.find("input", attrs={"name": "share_contact"})
    assert box["type"] == "checkbox"
    assert not box.has_attr("checked")
    assert not box.has_attr("required")

    submit(route(workshop, "register"), registration_form_data())
    submit(
        route(workshop, "register"),
        registration_form_data(email="opt-in@example.org", share_contact="on"),
    )
    shares = dict(Registration.objects.values_list("email", "share_contact"))
    assert shares == {"beatrice.keller@example.org": False, "opt-in@example.org": True}


def test_case_description_has_reassuring_help_and_is_bounded(client, workshop):
    section = registration_section(client.get(workshop.url))
    textarea = section.find("textarea", attrs={"name": "case_description"})
    assert textarea["maxlength"] == "1000"
    assert section.find(id="id_case_description_helptext").get_text(strip=True)


# -- case description ------------------------------------------------------------------


def test_case_presenters_must_describe_their_question(client, workshop):
    data = registration_form_data(role="case_presenter", case_description="   ")
    response = client.post(route(workshop, "register"), data)

    german = expected_errors(data, "case_description", "de")
    assert german != ["Please describe your question in a few sentences."]
    assert field_errors(registration_section(response), "case_description") == german
    assert_nothing_happened()


def test_participants_need_no_case_description_and_none_is_stored(
    client, workshop, submit
):
    response = submit(
        route(workshop, "register"),
        registration_form_data(role="participant", case_description="Nur zur Info"),
    )

    assert response.status_code == 302
    assert Registration.objects.get().case_description == ""


@pytest.mark.parametrize(("length", "accepted"), [(1000, True), (1001, False)])
def test_case_description_is_at_most_1000_characters(
    client, workshop, submit, length, accepted
):
    data = registration_form_data(role="case_presenter", case_description="x" * length)
    response = submit(route(workshop, "register"), data)

    if accepted:
        assert response.status_code == 302
        assert len(Registration.objects.get().case_description) == 1000
    else:
        assert response.status_code == 200
        assert field_errors(registration_section(response), "case_description")
        assert_nothing_happened()


# -- consent ---------------------------------------------------------------------------


def test_consent_is_required(client, workshop):
    data = registration_form_data(privacy_consent=None)
    response = client.post(route(workshop, "register"), data)

    german = expected_errors(data, "privacy_consent", "de")
    assert german != ["Please accept the privacy notice to register."]
    assert field_errors(registration_section(response), "privacy_consent") == german
    assert_nothing_happened()


@override_settings(WAGTAIL_ATELIER_PRIVACY_NOTICE_VERSION="2024-03")
def test_consent_is_stored_with_its_time_and_the_notice_version(workshop, submit):
    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=1)
    with freeze_time(moment):
        submit(route(workshop, "register"), registration_form_data())

    registration = Registration.objects.get()
    assert registration.privacy_consent_at == moment
    assert registration.privacy_notice_version == "2024-03"


def test_the_privacy_notice_is_linked_when_configured(client, workshop, settings):
    settings.WAGTAIL_ATELIER_PRIVACY_NOTICE_URL = "/de/datenschutz/"
    section = registration_section(client.get(workshop.url))
    assert section.find("a", href="/de/datenschutz/") is not None


# -- bad input -------------------------------------------------------------------------

TOO_LONG_EMAIL = "a" * 243 + "@example.org"  # 255 characters
# Valid for Django's validator, but 496 characters once lower-cased ("İ" -> "i̇").
SWELLING_EMAIL = "İ" * 242 + "@example.org"

BAD_INPUT = [
    # missing
    ("role", None),
    ("first_name", None),
    ("first_name", "   "),
    ("last_name", None),
    ("email", None),
    ("organisation", None),
    ("town", None),
    ("canton", None),
    ("canton", ""),
    ("languages", None),
    ("privacy_consent", None),
    # too long
    ("first_name", "A" * 101),
    ("last_name", "B" * 101),
    ("email", TOO_LONG_EMAIL),
    ("email", SWELLING_EMAIL),
    ("phone", "0" * 41),
    ("organisation", "C" * 201),
    ("town", "D" * 101),
    ("accessibility_needs", "E" * 501),
    ("dietary_note", "F" * 201),
    # wrong type or unknown choice
    ("role", "admin"),
    ("role", ""),
    ("canton", "XX"),
    ("canton", "ag"),
    ("languages", ["en"]),
    ("languages", ["de", "xx"]),
    ("phone", "call me maybe"),
    # invalid email
    ("email", "beatrice"),
    ("email", "beatrice@"),
    ("email", "@example.org"),
    ("email", "beatrice keller@example.org"),
    ("email", "beatrice@exa mple.org"),
    ("email", "beatrice@example..org"),
    # HTML or script
    ("first_name", "<b>Beatrice</b>"),
    ("last_name", "<script>alert('x')</script>"),
    ("organisation", '<a href="https://spam.example">Cheap pills</a>'),
    ("town", "<img src=x onerror=alert(1)>"),
    ("accessibility_needs", "<iframe src=//evil.example></iframe>"),
    ("dietary_note", "</textarea><script>alert(1)</script>"),
    # unicode that is not valid where it is typed
    ("email", "béatrice@exämple.org\u202e"),
    ("email", "🙂@example.org"),
    ("email", "מרים@דוגמה"),
    ("phone", "☎ 079 123 45 67"),
    ("phone", "٠٧٩ ١٢٣ ٤٥ ٦٧"),
    ("canton", "ZÜ"),
    ("first_name", "Bea\x00trice"),
    ("languages", ["dé"]),
]


@pytest.mark.parametrize(("field", "value"), BAD_INPUT)
def test_bad_input_gives_a_french_field_error_keeps_the_input_and_stores_nothing(
    client, french_workshop, django_capture_on_commit_callbacks, field, value
):
    page = french_workshop
    data = registration_form_data(
        **{"first_name": "Zoë", "organisation": "Müller & Söhne", field: value}
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(route(page, "register"), data)

    assert response.status_code == 200
    assert callbacks == []
    assert_nothing_happened()
    section = registration_section(response)
    # The field carries its error, in French (the language of the page).
    errors = field_errors(section, field)
    assert errors, f"no error shown for {field}={value!r}"
    english = expected_errors(data, field, "en")
    french = expected_errors(data, field, "fr")
    assert errors == french
    assert errors != english
    summary = section.find(id="error-summary")
    assert "Veuillez corriger les points suivants" in summary.get_text()
    # Every other value is kept; the bad one too where the field can show it.
    content = response.content.decode()
    assert 'value="Zoë"' in content or field == "first_name"
    assert "Müller &amp; Söhne" in content or field == "organisation"
    keeps_value = field not in ("role", "canton") and "\x00" not in str(value)
    if isinstance(value, str) and value.strip() and keeps_value:
        assert html.escape(value) in content
    # Markup typed in is shown escaped, never run.
    assert "<script>alert" not in content
    assert "<b>Beatrice</b>" not in content
    assert "onerror=alert(1)>" not in content.replace("&lt;", "")


def test_a_case_presenters_too_long_description_is_kept_in_the_textarea(
    client, workshop
):
    text = "Über unsere Nachbarschaftshilfe – " + "ü" * 1000
    data = registration_form_data(role="case_presenter", case_description=text)
    response = client.post(route(workshop, "register"), data)

    section = registration_section(response)
    assert field_errors(section, "case_description")
    assert (
        section.find("textarea", attrs={"name": "case_description"}).string.strip()
        == text
    )
    assert_nothing_happened()


def test_all_required_fields_missing_gives_one_error_each(client, french_workshop):
    page = french_workshop
    response = client.post(
        route(page, "register"),
        {"form_started": registration_form_data()["form_started"]},
    )

    section = registration_section(response)
    for field in (
        "role",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "town",
        "canton",
        "languages",
        "privacy_consent",
    ):
        assert field_errors(section, field), field
    with translation.override("fr"):
        required = str(forms.Field.default_error_messages["required"])
    assert required != "This field is required."
    assert required in section.get_text()
    assert "This field is required." not in section.get_text()
    assert_nothing_happened()


def test_valid_unicode_is_stored_intact(workshop, submit):
    data = registration_form_data(
        role="case_presenter",
        first_name="Zoë-Maëlle",
        last_name="Strauß",
        email="ZOE.STRAUSS@Example.ORG",
        phone="+41 79 123 45 67",
        organisation="Café Solidarité 🙂 & Co",
        town="Zürich",
        canton="ZH",
        languages=["de", "fr", "it"],
        case_description=(
            "Wie erreichen wir Nachbar·innen? 🤝\n"
            "مرحبا بكم في مجتمعنا — שלום\n"
            "a < b, <3"
        ),
        accessibility_needs="Rollstuhl ♿, Induktionsschleife",
        dietary_note="végétarien, sans noix 🌰",
    )
    response = submit(route(workshop, "register"), data)

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.first_name == "Zoë-Maëlle"
    assert registration.last_name == "Strauß"
    assert registration.email == "zoe.strauss@example.org"
    assert registration.organisation == "Café Solidarité 🙂 & Co"
    assert registration.town == "Zürich"
    assert registration.case_description == data["case_description"]
    assert registration.accessibility_needs == "Rollstuhl ♿, Induktionsschleife"
    assert registration.dietary_note == "végétarien, sans noix 🌰"
    assert registration.languages == ["de", "fr", "it"]
