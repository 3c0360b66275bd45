"""``redact_secret_links``: the self-service and feedback links of a stored mail are
the keys to someone's registration and feedback, so whoever reads the stored mail
(the admin's mail viewers, a database copy) gets a placeholder instead."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import RegistrationFactory, route
from wagtail_atelier.links import registration_url
from wagtail_atelier.services.mail import redact_secret_links, render_mail

HIDDEN = "[personal link hidden]"
TOKEN = "Xy3_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"  # 43 URL-safe characters
BASE = "https://www.caring-communities.ch/de/praxiswerkstatt/suhr"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"Ihr Link: {BASE}/registration/{TOKEN}/", f"Ihr Link: {HIDDEN}"),
        (f"Abmelden: {BASE}/registration/{TOKEN}/cancel/", f"Abmelden: {HIDDEN}"),
        (
            f"Teilen beenden: {BASE}/registration/{TOKEN}/share-contact/",
            f"Teilen beenden: {HIDDEN}",
        ),
        (f"Ihre Meinung: {BASE}/feedback/{TOKEN}/", f"Ihre Meinung: {HIDDEN}"),
        (f"{BASE}/feedback/{TOKEN}/withdraw/", HIDDEN),
        # Punctuation after the link is the sentence's, and stays.
        (f"Hier: {BASE}/registration/{TOKEN}/.", f"Hier: {HIDDEN}."),
        (f"({BASE}/registration/{TOKEN}/), danke", f"({HIDDEN}), danke"),
        # Relative, or without the scheme.
        (f"/suhr/registration/{TOKEN}/", HIDDEN),
        (f"www.example.org/x/feedback/{TOKEN}/?a=1&b=2 ok", f"{HIDDEN} ok"),
        # Two links on a line, and over several lines.
        (
            f"{BASE}/registration/{TOKEN}/ und {BASE}/feedback/{TOKEN}/\nEnde",
            f"{HIDDEN} und {HIDDEN}\nEnde",
        ),
    ],
)
def test_links_in_plain_text_are_hidden(text, redacted):
    with translation.override("en"):
        assert redact_secret_links(text) == redacted


def test_links_in_html_are_hidden_in_the_href_and_the_text():
    html = (
        f'<p>Ihr Link:<br><a href="{BASE}/registration/{TOKEN}/?a=1&amp;b=2" '
        f'style="color: red">{BASE}/registration/{TOKEN}/</a></p>'
        f"<p><a href='{BASE}/feedback/{TOKEN}/'>Zur Umfrage</a></p>"
    )
    with translation.override("en"):
        redacted = redact_secret_links(html)
    assert TOKEN not in redacted
    assert redacted == (
        f'<p>Ihr Link:<br><a href="{HIDDEN}" style="color: red">{HIDDEN}</a></p>'
        f"<p><a href='{HIDDEN}'>Zur Umfrage</a></p>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Guten Tag, bis bald.",
        # The admin's links, public pages and links without a token stay.
        "https://example.org/admin/wagtail_atelier/registration/inspect/5/",
        "https://example.org/admin/wagtail_atelier/registration/?workshop_key="
        "5fe9063d-0af7-4e6e-ad0f-8c2a5f6b655e",
        f"{BASE}/register/ {BASE}/lost-link/ {BASE}/registered/",
        f"{BASE}/registration/ und {BASE}/feedback/",
    ],
)
def test_other_text_and_links_stay_as_they_are(text):
    assert redact_secret_links(text) == text


def test_the_placeholder_is_translated_and_safe_in_html_and_text(monkeypatch):
    """A translation with a quote, an apostrophe, an ampersand or an angle bracket
    would break an ``href`` or the markup: those characters are left out."""
    monkeypatch.setattr(
        translation,
        "gettext",
        lambda message: '<[lien d\'accès "personnel" & masqué]>',
    )
    text = f'<a href="{BASE}/registration/{TOKEN}/">x</a>'
    assert (
        redact_secret_links(text) == '<a href="[lien d’accès personnel  masqué]">x</a>'
    )


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_every_link_of_a_rendered_mail_is_hidden(workshop_versions, language):
    """The real templates: the confirmation carries the self-service link (as text
    and as a link), the placeholder comes in the current language."""
    page = workshop_versions[language]
    registration = RegistrationFactory(workshop=page)
    url = registration_url(registration, page)
    assert registration.token in url
    _subject, text, html = render_mail(
        "confirmation",
        {"registration": registration, "workshop": page, "manage_url": url},
        language,
    )
    assert url in text and url in html  # the control
    # The placeholder is in the active language: the sender redacts in the mail's.
    with translation.override(language):
        placeholder = translation.gettext(HIDDEN)
        redacted_text, redacted_html = (
            redact_secret_links(text),
            redact_secret_links(html),
        )
    assert registration.token not in redacted_text
    assert registration.token not in redacted_html
    assert placeholder in redacted_text
    assert placeholder in redacted_html


def test_a_routed_feedback_link_is_hidden(workshop):
    url = "https://example.org" + route(workshop, "feedback", TOKEN)
    assert redact_secret_links(f"Link: {url}") == f"Link: {translation.gettext(HIDDEN)}"
