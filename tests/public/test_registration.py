"""Registering on the workshop page and the self-service pages, as a visitor sees
them: the form and its notes, the window, the confirmation page, duplicates, the
secret link, cancelling, "lost my link"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from freezegun import freeze_time

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    both_page_classes,
    lost_link_form_data,
    registration_form_data,
    route,
)
from wagtail_atelier.links import registration_url
from wagtail_atelier.models import OutgoingMail, Registration

pytestmark = [pytest.mark.django_db, both_page_classes]


def t(language: str, message: str, **params) -> str:
    """``message`` as a visitor reads it in ``language``; never the English text."""
    with translation.override(language):
        text = gettext(message)
    if language != "en":
        assert text != message, f"{message!r} is not translated into {language}"
    text = text % params if params else text
    return " ".join(text.split())  # as text_of() reads the page


def squash(text: str) -> str:
    return " ".join(text.split())


def text_of(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return " ".join(soup.get_text(" ").split())


def registration_section(response):
    return BeautifulSoup(response.content.decode(), "html.parser").find(
        id="registration"
    )


def register(submit, page, **overrides):
    return submit(route(page, "register"), registration_form_data(**overrides))


CHECK_YOUR_EMAIL = (
    "Thank you. We have sent an email to the address you gave. It contains your "
    "personal link to your registration, and tells you whether you have a place or "
    "are on the waiting list."
)


def says(language: str, message: str, **params) -> str:
    """Like ``t`` for the texts added in this release, which the lead translates at
    the end: whatever the catalogue holds today, English or not."""
    with translation.override(language):
        text = gettext(message)
    return " ".join((text % params if params else text).split())


def assert_registered_page(response, page):
    """The one answer to every accepted registration: the neutral page."""
    assert response.status_code == 302
    assert response["Location"] == route(page, "registered")


def token_mailed_to(address: str) -> str:
    """The token of the last self-service link mailed to ``address``, read from the
    mail as the person would."""
    [body, *_] = [m.body for m in reversed(mail.outbox) if m.to == [address]]
    return re.search(r"/registration/([A-Za-z0-9_-]+)/", body).group(1)


def register_for_token(submit, page, **overrides) -> str:
    """Register with the form and return the token of the link the mail brings."""
    response = register(submit, page, **overrides)
    assert_registered_page(response, page)
    return token_mailed_to(overrides.get("email", "beatrice.keller@example.org"))


def token_of(registration, page) -> str:
    """The token of ``registration``'s link (the database keeps only a digest)."""
    url = registration_url(registration, page)
    return re.search(r"/registration/([^/]+)/$", url).group(1)


# -- the form on the page --------------------------------------------------------------


def test_the_open_workshop_page_shows_the_form(client, workshop):
    response = client.get(workshop.url)

    section = registration_section(response)
    form = section.find("form")
    assert form["method"] == "post"
    assert form["action"].startswith(route(workshop, "register"))
    assert form.find("button", type="submit")
    assert section.find("a", href=route(workshop, "lost_link"))


def test_get_on_register_goes_back_to_the_form(client, workshop):
    response = client.get(route(workshop, "register"))
    assert response.status_code == 302
    assert response["Location"] == workshop.url + "#registration"


def test_a_full_role_is_announced_before_submitting(client, index):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=1, participant_capacity=5
    )
    RegistrationFactory(workshop=workshop, role="case_presenter")

    section = registration_section(client.get(workshop.url))

    note = t("de", "fully booked: you will join the waiting list")
    role_labels = {
        label["for"]: " ".join(label.get_text(" ").split())
        for label in section.find("fieldset", id="id_role").find_all("label")
    }
    assert note in role_labels["id_role_0"]  # case presenters
    assert note not in role_labels["id_role_1"]  # participants


def test_places_left_are_shown_only_when_the_editor_wants_it(client, index):
    hidden = WorkshopPageFactory(
        parent=index, case_presenter_capacity=2, participant_capacity=3
    )
    shown = WorkshopPageFactory(
        parent=index,
        case_presenter_capacity=2,
        participant_capacity=3,
        show_places_left=True,
    )
    RegistrationFactory(workshop=shown, role="participant")
    RegistrationFactory(workshop=shown, role="case_presenter")
    RegistrationFactory(workshop=shown, role="case_presenter")

    hidden_section = registration_section(client.get(hidden.url))
    shown_section = registration_section(client.get(shown.url))

    assert hidden_section.find(class_="atelier-seats") is None
    seats = " ".join(shown_section.find(class_="atelier-seats").get_text(" ").split())
    with translation.override("de"):
        two_left = ngettext("%(left)s place left", "%(left)s places left", 2) % {
            "left": 2
        }
    assert two_left in seats
    assert t("de", "fully booked, waiting list open") in seats


def test_unlimited_roles_say_places_are_available(client, index):
    workshop = WorkshopPageFactory(
        parent=index,
        case_presenter_capacity=None,
        participant_capacity=None,
        show_places_left=True,
    )
    seats = registration_section(client.get(workshop.url)).find(class_="atelier-seats")
    assert seats.get_text().count(t("de", "places available")) == 2


# -- registering -----------------------------------------------------------------------


def test_registering_confirms_the_place_and_mails_the_link(client, workshop, submit):
    response = register(submit, workshop)

    assert_registered_page(response, workshop)
    registration = Registration.objects.get()
    assert registration.is_confirmed
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert says("de", CHECK_YOUR_EMAIL) in text_of(page)
    assert "Beatrice" not in text_of(page)
    # The workshop's contact is told in the day's digest (the default), not now.
    assert [m.to for m in mail.outbox] == [["beatrice.keller@example.org"]]
    # The mailed link opens the registration.
    token = token_mailed_to("beatrice.keller@example.org")
    detail = text_of(client.get(route(workshop, "registration", token)))
    assert t("de", "Your place is confirmed.") in detail
    assert "Beatrice Keller" in detail


def test_the_registered_page_says_what_to_do_if_no_mail_arrives(client, workshop):
    response = client.get(route(workshop, "registered"))

    assert response.status_code == 200
    page = text_of(response)
    assert (
        says(
            "de",
            "It can take a few minutes. Please also look in your spam or junk folder.",
        )
        in page
    )
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.find("a", href=route(workshop, "lost_link"))
    assert soup.find("a", href="mailto:anna@example.org")
    assert soup.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")


def test_a_full_role_puts_people_on_the_waiting_list_with_their_position(
    client, index, submit
):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=1, participant_capacity=1
    )
    register(submit, workshop, email="first@example.org")
    register(submit, workshop, email="second@example.org")
    mail.outbox.clear()

    response = register(submit, workshop, email="third@example.org")

    assert_registered_page(response, workshop)
    registration = Registration.objects.get(email="third@example.org")
    assert registration.is_waiting
    token = token_mailed_to("third@example.org")
    page = text_of(client.get(route(workshop, "registration", token)))
    position_text = t(
        "de",
        "All places for your role are taken, so you are on the waiting list, in "
        "position %(position)s. We will write to you as soon as a place becomes free.",
        position=2,
    )
    assert position_text in page
    notice = mail.outbox[0]
    assert notice.to == ["third@example.org"]
    assert "2" in re.findall(r"\d+", notice.body.split("\n\n")[1])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"registration_opens_at": timedelta(days=2)},
            "Registration opens on",
        ),
        (
            {"registration_closes_at": -timedelta(minutes=1)},
            "Registration for this workshop is closed.",
        ),
        (
            {"start_at": -timedelta(minutes=30)},
            "This workshop has already started or taken place; registration is no "
            "longer possible.",
        ),
        (
            {"start_at": -timedelta(days=400)},
            "This workshop has already started or taken place; registration is no "
            "longer possible.",
        ),
    ],
)
def test_outside_the_window_a_message_replaces_the_form_and_posts_store_nothing(
    client, index, submit, changes, message
):
    now = timezone.now()
    values = {name: now + delta for name, delta in changes.items()}
    values.setdefault("start_at", now + timedelta(days=30))
    workshop = WorkshopPageFactory(parent=index, **values)

    page = client.get(workshop.url)
    section = registration_section(page)
    if workshop.is_past:
        # A workshop that has taken place says so once and has no registration section.
        assert section is None
        assert t("de", "This workshop has taken place.") in text_of(page)
        response = register(submit, workshop)
        assert response.status_code == 409
        assert Registration.objects.count() == 0
        assert OutgoingMail.objects.count() == 0
        assert mail.outbox == []
        return
    assert section.find("form") is None
    if message == "Registration opens on":
        expected = t(
            "de",
            "Registration opens on %(date)s at %(time)s.",
            date="DATE",
            time="TIME",
        ).split("DATE")[0]
    else:
        expected = t("de", message)
    assert expected.strip() in " ".join(section.get_text(" ").split())

    response = register(submit, workshop)

    assert response.status_code == 409
    assert expected.strip() in text_of(response)
    assert registration_section(response).find("form") is None
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0
    assert mail.outbox == []


def test_an_unpublished_workshop_is_not_found_and_takes_nothing(
    client, workshop, submit
):
    url = workshop.url
    register_url = route(workshop, "register")
    workshop.unpublish()

    assert client.get(url).status_code == 404
    response = submit(register_url, registration_form_data())
    assert response.status_code == 404
    assert Registration.objects.count() == 0
    assert mail.outbox == []


# -- one workshop, one set of seats ----------------------------------------------------


def test_german_and_french_pages_fill_the_same_seats(client, workshop_versions, submit):
    german, french = workshop_versions["de"], workshop_versions["fr"]
    # 3 places for participants.
    register(submit, german, email="de1@example.org")
    register(submit, french, email="fr1@example.org")
    register(submit, german, email="de2@example.org")
    mail.outbox.clear()

    response = register(submit, french, email="fr2@example.org")

    late = Registration.objects.get(email="fr2@example.org")
    assert late.is_waiting and late.language == "fr"
    assert late.page_id == french.pk
    assert_registered_page(response, french)
    # The French page says so in French, and the mail is French.
    assert says("fr", CHECK_YOUR_EMAIL) in text_of(client.get(response["Location"]))
    token = token_mailed_to("fr2@example.org")
    assert t(
        "fr",
        "All places for your role are taken, so you are on the waiting list, in "
        "position %(position)s. We will write to you as soon as a place becomes free.",
        position=1,
    ) in text_of(client.get(route(french, "registration", token)))
    waiting_mail = mail.outbox[0]
    assert squash(waiting_mail.subject) == t(
        "fr", "You are on the waiting list: %(title)s", title=french.title
    )
    # Both language versions show the same full role.
    for page in (german, french):
        section = registration_section(client.get(page.url))
        language = page.locale.language_code
        assert t(language, "fully booked: you will join the waiting list") in squash(
            section.get_text(" ")
        )


def test_mails_go_out_in_the_language_of_the_page_used(workshop_versions, submit):
    register(submit, workshop_versions["it"], email="it@example.org")
    register(submit, workshop_versions["de"], email="de@example.org")

    subjects = {m.to[0]: squash(m.subject) for m in mail.outbox}
    assert subjects["it@example.org"] == t(
        "it",
        "Your place is confirmed: %(title)s",
        title=workshop_versions["it"].title,
    )
    assert subjects["de@example.org"] == t(
        "de", "Your place is confirmed: %(title)s", title=workshop_versions["de"].title
    )


# -- duplicates ------------------------------------------------------------------------


def test_registering_twice_answers_as_the_first_time_and_mails_the_link_again(
    client, workshop, submit
):
    first = register(submit, workshop)
    token = token_mailed_to("beatrice.keller@example.org")
    mail.outbox.clear()

    again = register(submit, workshop, email="Beatrice.KELLER@example.org")

    # The same answer: whoever typed the address learns nothing about its owner.
    assert again.status_code == first.status_code
    assert again["Location"] == first["Location"]
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1
    link_mail = mail.outbox[0]
    assert link_mail.to == ["beatrice.keller@example.org"]
    assert token in link_mail.body


def test_after_cancelling_one_can_register_again(client, workshop, submit):
    token = register_for_token(submit, workshop)
    submit(route(workshop, "cancel_registration", token))

    response = register(submit, workshop)

    assert_registered_page(response, workshop)
    assert token_mailed_to("beatrice.keller@example.org") != token
    assert Registration.objects.active().count() == 1
    assert Registration.objects.count() == 2


# -- the secret link -------------------------------------------------------------------


def test_the_link_carries_a_long_secret_token_not_the_id(workshop, submit):
    tokens = {
        register_for_token(submit, workshop, email=f"p{n}@example.org")
        for n in range(3)
    }

    assert len(tokens) == 3
    for token in tokens:
        registration = Registration.objects.with_token(token).get()
        assert len(token) >= 40
        assert str(registration.pk) != token
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_the_detail_page_shows_status_and_is_private(client, workshop, submit):
    token = register_for_token(
        submit,
        workshop,
        role="case_presenter",
        case_description="Wie finden wir Freiwillige?",
    )

    response = client.get(route(workshop, "registration", token))

    assert response.status_code == 200
    page = text_of(response)
    assert t("de", "Your place is confirmed.") in page
    assert "Wie finden wir Freiwillige?" in page
    assert route(workshop, "cancel_registration", token) in response.content.decode()
    assert_private(response)


def test_the_detail_page_of_a_waiting_registration_gives_the_position(client, index):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=0)
    RegistrationFactory(workshop=workshop, status="waiting")
    mine = RegistrationFactory(workshop=workshop, status="waiting")

    page = text_of(client.get(registration_url(mine, workshop)))

    assert (
        t(
            "de",
            "All places for your role are taken, so you are on the waiting list, in "
            "position %(position)s. We will write to you as soon as a place becomes "
            "free.",
            position=2,
        )
        in page
    )


def assert_private(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    # The secret link never goes to another site in a Referer header: same-origin
    # (no-referrer made Chromium post the cancel form with "Origin: null", which
    # Django's CSRF check refuses).
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("name", ["registration", "cancel_registration"])
def test_unknown_or_tampered_tokens_are_not_found(client, workshop, submit, name):
    registration = RegistrationFactory(workshop=workshop)
    real = token_of(registration, workshop)
    tampered = real[:-1] + ("A" if real[-1] != "A" else "B")

    for token in (tampered, "x" * 43, str(registration.pk), real.upper()):
        assert client.get(route(workshop, name, token)).status_code == 404
        assert submit(route(workshop, name, token)).status_code == 404
    registration.refresh_from_db()
    assert registration.is_confirmed


def test_a_token_only_works_on_its_own_workshop(client, workshop, index, submit):
    other = WorkshopPageFactory(parent=index)
    registration = RegistrationFactory(workshop=other)
    token = token_of(registration, other)

    assert client.get(route(workshop, "registration", token)).status_code == 404
    response = submit(route(workshop, "cancel_registration", token))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.is_confirmed


def test_the_link_works_on_every_language_version(client, workshop_versions):
    registration = RegistrationFactory(workshop=workshop_versions["de"])

    response = client.get(
        route(
            workshop_versions["fr"],
            "registration",
            token_of(registration, workshop_versions["de"]),
        )
    )

    assert response.status_code == 200
    assert t("fr", "Your place is confirmed.") in text_of(response)


# -- cancelling ------------------------------------------------------------------------


def test_cancelling_asks_first_then_cancels_and_promotes_the_next_person(
    client, index, submit
):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=1, participant_capacity=1
    )
    mine = register_for_token(submit, workshop, email="mine@example.org")
    register(
        submit,
        workshop,
        email="case@example.org",
        role="case_presenter",
        case_description="Frage",
    )
    register(
        submit,
        workshop,
        email="case2@example.org",
        role="case_presenter",
        case_description="Frage",
    )
    register(submit, workshop, email="next@example.org")
    register(submit, workshop, email="after@example.org")
    mail.outbox.clear()
    cancel_url = route(workshop, "cancel_registration", mine)

    confirm = client.get(cancel_url)
    assert confirm.status_code == 200
    assert_private(confirm)
    assert confirm.content.decode().count('method="post"') == 1
    # A GET changes nothing.
    assert Registration.objects.get(email="mine@example.org").is_confirmed

    response = submit(cancel_url)

    assert response.status_code == 302
    assert_private(response)
    assert (
        response["Location"] == route(workshop, "registration", mine) + "?cancelled=1"
    )
    assert t(
        "de",
        "Your registration is cancelled. Thank you for letting us know: your place can "
        "go to someone else.",
    ) in text_of(client.get(response["Location"]))
    status = dict(Registration.objects.values_list("email", "status"))
    assert status == {
        "mine@example.org": "cancelled",
        "case@example.org": "confirmed",
        "case2@example.org": "waiting",
        "next@example.org": "confirmed",
        "after@example.org": "waiting",
    }
    assert sorted((m.to[0], squash(m.subject)) for m in mail.outbox) == sorted(
        [
            (
                "mine@example.org",
                t("de", "Registration cancelled: %(title)s", title=workshop.title),
            ),
            (
                "next@example.org",
                t("de", "A place is free for you: %(title)s", title=workshop.title),
            ),
        ]
    )
    # Whatever the page class, the workshop is found for both mails: the cancellation
    # names it, the promotion links the person's own self-service page.
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert f"{workshop.title}\n" in by_recipient["mine@example.org"]
    promoted = Registration.objects.get(email="next@example.org")
    assert registration_url(promoted, workshop) in by_recipient["next@example.org"]


def test_cancelling_after_the_start_is_refused_with_a_message(client, workshop, submit):
    token = register_for_token(submit, workshop)
    mail.outbox.clear()
    cancel_url = route(workshop, "cancel_registration", token)
    refusal = t(
        "de",
        "The workshop has already started, so the registration can no longer be "
        "cancelled here.",
    )

    with freeze_time(workshop.start_at + timedelta(minutes=5)):
        confirm = client.get(cancel_url)
        response = submit(cancel_url)
        detail = client.get(route(workshop, "registration", token))

    assert confirm.status_code == 200
    assert refusal in text_of(confirm)
    assert 'method="post"' not in confirm.content.decode()
    assert response.status_code == 409
    assert refusal in text_of(response)
    assert_private(response)
    assert Registration.objects.get().is_confirmed
    assert mail.outbox == []
    assert route(workshop, "cancel_registration", token) not in detail.content.decode()


def test_a_cancelled_registration_cannot_be_cancelled_again(client, workshop, submit):
    registration = RegistrationFactory(workshop=workshop, status="cancelled")
    token = token_of(registration, workshop)

    response = submit(route(workshop, "cancel_registration", token))

    assert response.status_code == 302
    assert OutgoingMail.objects.count() == 0
    page = text_of(client.get(route(workshop, "registration", token)))
    assert t("de", "This registration has been cancelled.") in page


# -- lost link -------------------------------------------------------------------------


def test_lost_link_says_the_same_whether_or_not_the_address_is_registered(
    client, workshop, submit
):
    registration = RegistrationFactory(workshop=workshop, email="known@example.org")
    url = route(workshop, "lost_link")
    assert client.get(url).status_code == 200

    known = submit(url, lost_link_form_data(email="Known@Example.org"))
    assert len(mail.outbox) == 1
    unknown = submit(url, lost_link_form_data(email="stranger@example.org"))

    assert known.status_code == unknown.status_code == 200
    sent = t(
        "de",
        "If this address is registered for the workshop, we have just sent the link "
        "to it. Please also look in your spam folder.",
    )
    assert sent in text_of(known)
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", known.content.decode()) == strip.sub(
        "", unknown.content.decode()
    )
    assert len(mail.outbox) == 1
    link_mail = mail.outbox[0]
    assert link_mail.to == ["known@example.org"]
    assert registration_url(registration, workshop) in link_mail.body


def test_lost_link_with_an_invalid_address_shows_an_error(
    client, french_workshop, submit
):
    response = submit(
        route(french_workshop, "lost_link"), lost_link_form_data(email="nope")
    )

    assert response.status_code == 200
    with translation.override("fr"):
        from django.core.validators import EmailValidator

        invalid = str(EmailValidator.message)
    assert invalid in text_of(response)
    assert mail.outbox == []
