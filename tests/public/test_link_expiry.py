"""Secret links expire: the self-service link some days after the workshop, the
feedback link for answering some days after the feedback mail and for withdrawing
consent some years after it. An expired link answers a friendly page (410 Gone)
that says why and whom to write to, and shows nothing of the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from freezegun import freeze_time

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    both_page_classes,
    feedback_form_data,
    route,
)
from wagtail_atelier.models import (
    FeedbackAnswer,
    FeedbackRequest,
    MailKind,
    OutgoingMail,
    Registration,
)
from wagtail_atelier.services import feedback as feedback_services
from wagtail_atelier.services import link_expiry
from wagtail_atelier.templatetags.wagtail_atelier_tags import atelier_date

pytestmark = [pytest.mark.django_db, both_page_classes]

EXPIRED = "This link has expired"
FEEDBACK_CLOSED = (
    "The feedback form could be answered for %(days)s days after the feedback mail."
)


def says(language: str, message: str, **params) -> str:
    """``message`` as the page shows it in ``language``; a message with ``days``
    is the plural form of a ``{% blocktranslate count %}``."""
    with translation.override(language):
        if "days" in params:
            singular = message.replace("%(days)s days", "%(days)s day")
            text = ngettext(singular, message, params["days"])
        else:
            text = gettext(message)
    return " ".join((text % params if params else text).split())


def text_of(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return " ".join(soup.get_text(" ").split())


def ended(index, days_ago: float, **fields):
    """A German workshop that ended ``days_ago`` days ago."""
    end = timezone.now() - timedelta(days=days_ago)
    return WorkshopPageFactory(
        parent=index,
        start_at=end - timedelta(hours=3),
        end_at=end,
        contact_name="Regula Brunner",
        contact_email="kontakt@example.org",
        **fields,
    )


def person(page, **fields) -> Registration:
    return RegistrationFactory(
        workshop=page,
        first_name="Zoë",
        last_name="Einzigartig",
        email="zoe.einzigartig@example.org",
        organisation="Quartierverein Breitsch",
        share_contact=True,
        share_contact_at=timezone.now(),
        **fields,
    )


def assert_expired_page(response, registration=None):
    assert response.status_code == 410
    body = response.content.decode()
    assert says("de", EXPIRED) in text_of(response)
    assert 'lang="de"' in body
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    if registration is not None:
        for detail in (
            registration.first_name,
            registration.last_name,
            registration.email,
            registration.organisation,
        ):
            assert detail not in body


# -- the self-service link -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["registration", "cancel_registration", "withdraw_share_contact"]
)
def test_the_self_service_link_expires_after_the_grace_days(client, index, name):
    page = ended(index, days_ago=31)
    registration = person(page)
    url = route(page, name, registration.token)

    assert_expired_page(client.get(url), registration)
    assert_expired_page(client.post(url), registration)

    registration.refresh_from_db()
    assert registration.is_confirmed  # the POST cancelled nothing
    assert registration.share_contact  # nor withdrew anything


def test_the_expired_page_says_for_how_long_and_whom_to_write_to(client, index):
    page = ended(index, days_ago=31)
    registration = person(page)

    response = client.get(route(page, "registration", registration.token))

    text = text_of(response)
    assert (
        says(
            "de",
            "To protect your data, the personal link to a registration works until "
            "%(days)s days after the workshop.",
            days=30,
        )
        in text
    )
    assert "Regula Brunner" in text
    assert 'href="mailto:kontakt@example.org"' in response.content.decode()
    assert registration.token not in response.content.decode()


def test_the_self_service_link_still_works_during_the_grace_days(client, index):
    page = ended(index, days_ago=29)
    registration = person(page)

    response = client.get(route(page, "registration", registration.token))

    assert response.status_code == 200
    assert "Einzigartig" in response.content.decode()


def test_the_link_expires_exactly_grace_days_after_the_end(client, index):
    page = WorkshopPageFactory(parent=index)
    registration = person(page)
    url = route(page, "registration", registration.token)
    expires_at = page.end_at + timedelta(days=30)
    assert link_expiry.registration_link_expires_at(page) == expires_at

    with freeze_time(expires_at - timedelta(minutes=1)):
        assert client.get(url).status_code == 200
    with freeze_time(expires_at + timedelta(minutes=1)):
        assert client.get(url).status_code == 410


def test_the_grace_days_are_a_setting_read_when_the_link_is_used(client, index):
    page = ended(index, days_ago=31)
    registration = person(page)
    url = route(page, "registration", registration.token)

    with override_settings(WAGTAIL_ATELIER_LINK_GRACE_DAYS=60):
        assert client.get(url).status_code == 200
    with override_settings(WAGTAIL_ATELIER_LINK_GRACE_DAYS=7):
        assert client.get(url).status_code == 410
        assert "7" in text_of(client.get(url))


def test_an_unknown_token_of_an_old_workshop_is_still_not_found(client, index):
    page = ended(index, days_ago=400)
    registration = person(page)
    tampered = registration.token[:-1] + ("A" if registration.token[-1] != "A" else "B")

    assert client.get(route(page, "registration", tampered)).status_code == 404
    assert client.get(route(page, "registration", "x" * 43)).status_code == 404


# -- the feedback link -----------------------------------------------------------------


@pytest.fixture
def asked(index):
    """A workshop that ended three days ago, and the feedback mail sent today to
    the one person who attended."""
    page = ended(index, days_ago=3)
    registration = person(page, attended_at=timezone.now())
    assert feedback_services.send_due_feedback_requests() == 1
    return page, FeedbackRequest.objects.get(registration=registration)


def later(days: float):
    return freeze_time(timezone.now() + timedelta(days=days))


def test_the_feedback_form_can_be_answered_until_the_answer_days(client, asked):
    page, feedback_request = asked
    url = route(page, "feedback", feedback_request.token)

    with later(59):
        assert client.get(url).status_code == 200
    with later(61):
        response = client.get(url)
        assert_expired_page(response, feedback_request.registration)
        assert says("de", FEEDBACK_CLOSED, days=60) in text_of(response)
        assert client.post(url, feedback_form_data()).status_code == 410
    assert not FeedbackAnswer.objects.exists()


def test_after_the_answer_days_the_person_can_still_withdraw_consent(client, asked):
    page, feedback_request = asked
    url = route(page, "feedback", feedback_request.token)
    withdraw = route(page, "withdraw_consent", feedback_request.token)
    client.post(url, feedback_form_data(may_quote="on"))
    assert FeedbackAnswer.objects.get().may_quote

    with later(61):
        response = client.get(url)
        assert response.status_code == 200
        assert withdraw in response.content.decode()
        assert client.get(withdraw).status_code == 200
        assert client.post(withdraw).status_code == 302
    assert FeedbackAnswer.objects.get().consent_withdrawn_at is not None


def test_after_the_withdrawal_days_the_person_writes_to_the_network(client, asked):
    page, feedback_request = asked
    client.post(
        route(page, "feedback", feedback_request.token),
        feedback_form_data(may_quote="on"),
    )
    withdraw = route(page, "withdraw_consent", feedback_request.token)

    with later(3 * 365 + 1):
        for response in (
            client.get(route(page, "feedback", feedback_request.token)),
            client.get(withdraw),
            client.post(withdraw),
        ):
            assert_expired_page(response, feedback_request.registration)
            assert "Netzwerk Caring Communities" in text_of(response)
            with translation.override("de"):
                closed = atelier_date(
                    link_expiry.withdrawal_closes_at(feedback_request)
                )
            assert closed in text_of(response)
    assert FeedbackAnswer.objects.get().consent_withdrawn_at is None


def test_the_feedback_windows_are_settings_read_when_the_link_is_used(asked):
    page, feedback_request = asked
    now = feedback_request.created_at + timedelta(days=10)

    assert link_expiry.feedback_answer_open(feedback_request, now)
    assert link_expiry.withdrawal_open(feedback_request, now)
    with override_settings(
        WAGTAIL_ATELIER_FEEDBACK_ANSWER_DAYS=9, WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS=9
    ):
        assert not link_expiry.feedback_answer_open(feedback_request, now)
        assert not link_expiry.withdrawal_open(feedback_request, now)


def test_the_lost_link_form_says_the_links_expired_instead_of_mailing_one(
    client, index, django_capture_on_commit_callbacks
):
    from tests.factories import RegistrationFactory, WorkshopPageFactory

    workshop = WorkshopPageFactory(
        parent=index, start_at=timezone.now() - timedelta(days=40)
    )
    RegistrationFactory(workshop=workshop, email="old@example.org")
    url = workshop.url + workshop.reverse_subpage("lost_link")

    assert client.get(url).status_code == 410
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "old@example.org"})
    assert response.status_code == 410
    assert not OutgoingMail.objects.filter(kind=MailKind.LINK).exists()
