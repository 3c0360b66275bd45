"""No oracle, no lockout, no replay on the public forms.

- The registration form answers the same for an address already registered as for a
  new one, so nobody learns from it who registered.
- Broken forms sent with somebody's address do not use up that person's allowance:
  the throttle per email address counts valid submissions only.
- A form's signed start time works once: a captured form cannot be sent again, and
  a double click registers (or mails, or stores) once.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories import (
    HostRequestPageFactory,
    RegistrationFactory,
    host_request_form_data,
    lost_link_form_data,
    registration_form_data,
    route,
)
from wagtail_atelier.models import HostRequest, MailKind, OutgoingMail, Registration
from wagtail_atelier.public.spam import form_started_token

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_csrf(response) -> str:
    return CSRF.sub("", response.content.decode())


def post_from(submit, url, data, ip):
    return submit(url, data, REMOTE_ADDR=ip)


# -- the same answer for every address -------------------------------------------------


def test_a_registered_and_a_new_address_get_the_same_answer(client, workshop, submit):
    known = RegistrationFactory(workshop=workshop, email="known@example.org")

    for_new = submit(
        route(workshop, "register"), registration_form_data(email="new@example.org")
    )
    for_known = submit(
        route(workshop, "register"), registration_form_data(email="known@example.org")
    )

    assert for_new.status_code == for_known.status_code == 302
    assert for_new["Location"] == for_known["Location"] == route(workshop, "registered")
    assert without_csrf(client.get(for_new["Location"])) == without_csrf(
        client.get(for_known["Location"])
    )
    # The difference is told to the owner of the address only, by mail: the known
    # address gets its link again, and no second registration is stored.
    assert Registration.objects.filter(email="known@example.org").count() == 1
    [link_mail] = OutgoingMail.objects.filter(registration=known)
    assert link_mail.kind == MailKind.LINK
    recipients = [m.to for m in mail.outbox]
    assert ["new@example.org"] in recipients
    assert ["known@example.org"] in recipients


def test_the_answer_names_no_address_and_no_link(client, workshop, submit):
    response = submit(route(workshop, "register"), registration_form_data())

    page = client.get(response["Location"]).content.decode()
    assert "beatrice" not in page.lower()
    assert "/registration/" not in response["Location"] + page


# -- invalid forms do not lock anybody out ---------------------------------------------


@pytest.fixture
def five_per_address(settings):
    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (100, 3600), "email": (5, 3600)}


def broken_registrations(email: str):
    """Five forms with ``email`` that cannot be accepted, each broken differently."""
    return [
        registration_form_data(email=email, first_name=""),
        registration_form_data(email=email, privacy_consent=None),
        registration_form_data(email=email, canton="XX"),
        registration_form_data(email=email, form_started=form_started_token()),
        registration_form_data(email=email, form_started="forged"),
    ]


def test_broken_registrations_with_someones_address_do_not_lock_them_out(
    workshop, submit, five_per_address
):
    url = route(workshop, "register")
    victim = "beatrice.keller@example.org"
    for n, data in enumerate(broken_registrations(victim) * 2):
        assert post_from(submit, url, data, f"192.0.2.{n + 1}").status_code == 200
    assert Registration.objects.count() == 0

    response = post_from(submit, url, registration_form_data(), "198.51.100.1")

    assert response.status_code == 302
    assert Registration.objects.get().email == victim
    assert [victim] in [m.to for m in mail.outbox]


def test_valid_registrations_still_count_for_the_address(
    workshop, submit, five_per_address
):
    url = route(workshop, "register")
    statuses = [
        post_from(submit, url, registration_form_data(), f"192.0.2.{n + 1}").status_code
        for n in range(6)
    ]

    assert statuses == [302] * 5 + [429]


def test_broken_lost_link_requests_do_not_lock_the_address_out(
    workshop, submit, five_per_address
):
    RegistrationFactory(workshop=workshop, email="known@example.org")
    url = route(workshop, "lost_link")
    for n in range(10):
        too_fast = lost_link_form_data(
            email="known@example.org", form_started=form_started_token()
        )
        post_from(submit, url, too_fast, f"192.0.2.{n + 1}")
    assert mail.outbox == []

    response = post_from(
        submit, url, lost_link_form_data(email="known@example.org"), "198.51.100.1"
    )

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_broken_host_requests_do_not_lock_the_address_out(
    client, translated_roots, five_per_address
):
    page = HostRequestPageFactory(parent=translated_roots["de"], slug="gastgeber")
    for n in range(10):
        data = host_request_form_data(privacy_consent=None)
        client.post(page.url, data, REMOTE_ADDR=f"192.0.2.{n + 1}")
    assert HostRequest.objects.count() == 0

    response = client.post(page.url, host_request_form_data())

    assert response.status_code == 302
    assert HostRequest.objects.count() == 1


# -- a form's start time works once ------------------------------------------------


@pytest.fixture(params=["throttle on", "throttle off"])
def throttle(request, settings):
    """The check holds whether or not the throttle is switched on."""
    if request.param == "throttle off":
        settings.WAGTAIL_ATELIER_THROTTLE = None
    return request.param


def test_a_replayed_registration_form_stores_and_mails_nothing(
    workshop, submit, throttle
):
    captured = registration_form_data()
    first = submit(route(workshop, "register"), captured)
    mail.outbox.clear()

    replayed = submit(
        route(workshop, "register"),
        {**captured, "email": "someone.else@example.org", "first_name": "Mallory"},
    )

    # The same neutral answer, not an error page, but nothing done.
    assert replayed.status_code == first.status_code == 302
    assert replayed["Location"] == first["Location"]
    assert list(Registration.objects.values_list("email", flat=True)) == [
        "beatrice.keller@example.org"
    ]
    assert mail.outbox == []


def test_a_double_click_registers_once_and_mails_once(
    workshop, submit, throttle, notify_each_registration
):
    data = registration_form_data()

    answers = [submit(route(workshop, "register"), data) for _ in range(2)]

    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, route(workshop, "registered"))
    }
    assert Registration.objects.count() == 1
    # The confirmation and the notice to the contact; no "your link again".
    assert sorted(OutgoingMail.objects.values_list("kind", flat=True)) == sorted(
        [MailKind.CONFIRMATION, MailKind.CONTACT_NOTIFICATION]
    )


def test_a_form_sent_with_errors_can_be_sent_again_once_corrected(workshop, submit):
    data = registration_form_data(first_name="")
    assert submit(route(workshop, "register"), data).status_code == 200

    corrected = submit(route(workshop, "register"), {**data, "first_name": "Bea"})

    assert corrected.status_code == 302
    assert Registration.objects.get().first_name == "Bea"


def test_the_time_trap_still_works_with_the_throttle_switched_off(
    workshop, submit, settings
):
    settings.WAGTAIL_ATELIER_THROTTLE = None

    response = submit(
        route(workshop, "register"),
        registration_form_data(form_started=form_started_token(time.time())),
    )

    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_a_replayed_lost_link_request_mails_nothing(workshop, submit, throttle):
    RegistrationFactory(workshop=workshop, email="known@example.org")
    captured = lost_link_form_data(email="known@example.org")
    first = submit(route(workshop, "lost_link"), captured)
    assert len(mail.outbox) == 1

    replayed = submit(route(workshop, "lost_link"), captured)

    assert replayed.status_code == first.status_code == 200
    assert without_csrf(replayed) == without_csrf(first)
    assert len(mail.outbox) == 1


def test_a_replayed_host_request_is_stored_once(client, translated_roots, throttle):
    page = HostRequestPageFactory(parent=translated_roots["de"], slug="gastgeber")
    captured = host_request_form_data()
    first = client.post(page.url, captured)

    replayed = client.post(page.url, {**captured, "email": "mallory@example.org"})

    assert replayed.status_code == first.status_code == 302
    assert replayed["Location"] == first["Location"] == route(page, "thanks")
    assert list(HostRequest.objects.values_list("email", flat=True)) == [
        "regula@example.org"
    ]


def test_the_used_mark_keeps_no_token_in_the_cache(workshop, submit, settings):
    settings.WAGTAIL_ATELIER_THROTTLE = None
    data = registration_form_data()
    submit(route(workshop, "register"), data)

    keys = list(cache._cache)  # local memory: the keys as stored
    assert any("form_used" in key for key in keys)
    signature = data["form_started"].rsplit(":", 1)[1]
    assert not any(signature in key for key in keys)
