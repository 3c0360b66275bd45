"""The "new registration" notification to the workshop's contact and the site-wide
addresses: it says that someone registered, in which role, and how many places are
taken, with a link to the admin; never who registered or what they told us. Its
recipients are chosen by people who may not see registrations (a page's contact
email, a setting), so the admin's permissions decide who reads the rest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import registration_data
from wagtail_atelier.models import MailKind, OutgoingMail
from wagtail_atelier.models.registration import ROLE_LABELS
from wagtail_atelier.services import registration as services

# The site chose a mail for each registration (the default, the daily digest, is in
# test_notifications.py).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("notify_each_registration"),
]

#: Everything the person typed that could identify them or says something about
#: their health or situation.
PERSON = {
    "first_name": "Zoë",
    "last_name": "Verborgenhuber",
    "email": "zoe.verborgenhuber@example.org",
    "phone": "+41 79 555 12 34",
    "organisation": "Nachbarschaftshilfe Wynental",
    "town": "Gontenschwil",
    "case_description": "Meine Mutter ist dement und ich pflege sie allein.",
    "accessibility_needs": "Rollstuhl, braucht Begleitperson",
    "dietary_note": "Zöliakie",
}


def register(page, **overrides):
    data = {**registration_data(PERSON["email"], "case_presenter"), **PERSON}
    data.update(overrides)
    return services.register(
        workshop=page, data=data, language=page.locale.language_code
    ).registration


def sent_notification():
    (message,) = [m for m in mail.outbox if m.to and m.to[0] != PERSON["email"].lower()]
    return message


@override_settings(WAGTAIL_ATELIER_NOTIFY_EMAILS=["team@example.org"])
def test_the_notification_names_nobody_and_tells_nothing_of_the_case(
    workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(workshop)

    stored = registration.mails.get(kind=MailKind.CONTACT_NOTIFICATION)
    message = sent_notification()
    assert message.to == ["anna@example.org", "team@example.org"]
    html = message.alternatives[0][0]
    everything = "\n".join(
        [
            stored.subject,
            stored.body_text,
            stored.body_html,
            message.subject,
            message.body,
            html,
            *message.reply_to,
        ]
    )
    for field, value in PERSON.items():
        assert value not in everything, field
        assert value.lower() not in everything.lower(), field
    assert "Keller" not in everything  # nor the form's other defaults
    assert "Verborgen" not in everything


def test_the_notification_tells_the_role_the_status_the_places_and_links_to_the_admin(
    workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(workshop)
        register(workshop, email="b@example.org")
        register(workshop, email="c@example.org")  # 2 places: waiting

    notices = OutgoingMail.objects.filter(kind=MailKind.CONTACT_NOTIFICATION).order_by(
        "pk"
    )
    assert notices.count() == 3
    last = notices.last()
    assert last.language == "de"
    with translation.override("de"):
        case_presenter = str(ROLE_LABELS["case_presenter"])
        waiting = gettext("Waiting list")
        counts = gettext("%(confirmed)s confirmed, %(waiting)s waiting") % {
            "confirmed": 2,
            "waiting": 1,
        }
    assert case_presenter in last.body_text
    assert waiting in last.body_text
    assert counts in last.body_text and counts in last.body_html
    admin_url = (
        "http://testserver/admin/wagtail_atelier/registration/"
        f"?workshop_key={workshop.translation_key}"
    )
    assert admin_url in last.body_text
    assert f'href="{admin_url}"' in last.body_html
    assert workshop.title in last.subject


def test_the_notification_is_in_the_language_the_workshop_is_held_in(
    workshop, settings, django_capture_on_commit_callbacks
):
    from tests.factories import translate

    workshop.workshop_language = "it"
    workshop.save_revision().publish()
    italian = translate(workshop, "it", title="Laboratorio pratico Suhr")
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    assert settings.LANGUAGE_CODE == "de"

    with django_capture_on_commit_callbacks(execute=True):
        register(french)

    notice = OutgoingMail.objects.get(kind=MailKind.CONTACT_NOTIFICATION)
    assert notice.language == "it"
    assert 'lang="it"' in notice.body_html
    assert italian.title in notice.subject
    with translation.override("it"):
        link_label = gettext("All registrations")
    assert link_label != "All registrations"
    assert link_label in notice.body_html


def test_without_a_contact_only_the_site_wide_addresses_are_told(
    workshop, settings, django_capture_on_commit_callbacks
):
    workshop.contact_email = ""
    workshop.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        register(workshop)
    assert not OutgoingMail.objects.filter(kind=MailKind.CONTACT_NOTIFICATION)

    settings.WAGTAIL_ATELIER_NOTIFY_EMAILS = ["team@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        register(workshop, email="second@example.org")
    notice = OutgoingMail.objects.get(kind=MailKind.CONTACT_NOTIFICATION)
    assert notice.to == ["team@example.org"]
    assert notice.reply_to == []


def test_the_notification_is_rendered_after_the_commit_not_under_the_seat_lock(
    workshop, django_capture_on_commit_callbacks
):
    """Stored as an intent while the workshop's seats are locked; its template is
    rendered once the registration has committed, with the places as they are."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = register(workshop)
        stored = registration.mails.get(kind=MailKind.CONTACT_NOTIFICATION)
        assert stored.template == "contact_notification"
        assert stored.rendered_at is None
        assert stored.subject == stored.body_text == stored.body_html == ""
    for callback in callbacks:
        callback()

    stored.refresh_from_db()
    assert stored.rendered_at is not None and stored.template == ""
    assert workshop.title in stored.subject
    with translation.override("de"):
        counts = gettext("%(confirmed)s confirmed, %(waiting)s waiting") % {
            "confirmed": 1,
            "waiting": 0,
        }
    assert counts in stored.body_text


# -- the contact's language -----------------------------------------------------------


def contact_account(django_user_model, username, language, *, email="anna@example.org"):
    """A Wagtail account with the workshop contact's address and, in its profile,
    the preferred language ``language`` (Account > Preferences)."""
    from wagtail.users.models import UserProfile

    user = django_user_model.objects.create_user(
        username=username, email=email, password="x"
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


@pytest.fixture
def french_workshop(workshop):
    """``workshop`` held in French, with a French and an Italian version."""
    from tests.factories import translate

    workshop.workshop_language = "fr"
    workshop.save_revision().publish()
    return {
        "de": workshop,
        "fr": translate(workshop, "fr", title="Atelier pratique Suhr"),
        "it": translate(workshop, "it", title="Laboratorio pratico Suhr"),
    }


def test_a_french_workshops_notification_is_in_french_on_a_german_site(
    french_workshop, settings, django_capture_on_commit_callbacks
):
    assert settings.LANGUAGE_CODE == "de"
    with django_capture_on_commit_callbacks(execute=True):
        register(french_workshop["de"])  # on the German page

    notice = OutgoingMail.objects.get(kind=MailKind.CONTACT_NOTIFICATION)
    message = sent_notification()
    assert notice.language == "fr"
    assert notice.subject == message.subject
    assert message.subject == "Nouvelle inscription à Atelier pratique Suhr"
    assert "Atelier pratique Suhr" in message.body
    assert "Praxiswerkstatt" not in message.subject + message.body
    assert (
        "Rôle\u00a0: personne qui amène une situation. Statut\u00a0: Confirmée."
        in message.body
    )
    assert "Toutes les inscriptions" in message.alternatives[0][0]
    assert 'lang="fr"' in message.alternatives[0][0]
    assert "Anmeldungen" not in message.body


def test_the_contacts_preferred_language_wins_over_the_workshops(
    french_workshop, django_user_model, django_capture_on_commit_callbacks
):
    contact_account(django_user_model, "anna", "it")

    with django_capture_on_commit_callbacks(execute=True):
        register(french_workshop["fr"])

    message = sent_notification()
    assert message.subject == "Nuova iscrizione a Laboratorio pratico Suhr"
    assert "Tutte le iscrizioni" in message.alternatives[0][0]
    stored = OutgoingMail.objects.get(kind=MailKind.CONTACT_NOTIFICATION)
    assert stored.language == "it"


@pytest.mark.parametrize(
    "accounts",
    [
        pytest.param([("anna", "en", True)], id="not-a-site-language"),
        pytest.param([("anna", "", True)], id="no-preference"),
        pytest.param([("anna", "it", False)], id="inactive-account"),
        pytest.param([("anna", "it", True), ("anna2", "de", True)], id="disagree"),
    ],
)
def test_without_a_clear_preference_the_workshops_language_is_used(
    french_workshop, django_user_model, django_capture_on_commit_callbacks, accounts
):
    for username, language, active in accounts:
        user = contact_account(django_user_model, username, language)
        user.is_active = active
        user.save()

    with django_capture_on_commit_callbacks(execute=True):
        register(french_workshop["it"])

    assert sent_notification().subject == "Nouvelle inscription à Atelier pratique Suhr"


def test_a_preference_on_another_address_does_not_count(
    french_workshop, django_user_model, django_capture_on_commit_callbacks
):
    contact_account(django_user_model, "other", "it", email="other@example.org")
    contact_account(django_user_model, "anna", "de", email="ANNA@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        register(french_workshop["fr"])

    # The address is compared without regard to case.
    assert sent_notification().subject == "Neue Anmeldung für Praxiswerkstatt Suhr"
