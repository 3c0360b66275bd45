"""Spam protection without third-party services: the honeypot, the signed minimum
fill time, and the throttle per IP address and per email address, with the database
cache and with Redis. Rejected submissions are neither stored nor mailed."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from freezegun import freeze_time

from tests.factories import lost_link_form_data, registration_form_data, route
from wagtail_atelier.models import OutgoingMail, Registration
from wagtail_atelier.public.spam import fill_time_problem, form_started_token

pytestmark = pytest.mark.django_db

# One Redis database per pytest-xdist worker (gw0: 15, gw1: 14, ...): the tests empty
# it (FLUSHDB) and count in it, which must not reach another worker's test.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{15 - _WORKER % 15}"


def t(language: str, message: str) -> str:
    """``message`` in ``language`` (never English), whitespace collapsed like
    ``text_of``."""
    with translation.override(language):
        text = gettext(message)
    assert text != message, f"{message!r} is not translated into {language}"
    return " ".join(text.split())


def text_of(response) -> str:
    return " ".join(
        BeautifulSoup(response.content.decode(), "html.parser").get_text(" ").split()
    )


def assert_nothing_stored_or_mailed():
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0
    assert mail.outbox == []


REJECTED = "Your registration could not be processed. Please try again or contact us."
TOO_QUICK = "That was quick! Please check your entries and send the form again."
EXPIRED = "This form has expired. Please check your entries and send it again."
THROTTLED = (
    "Too many registrations were sent from here in a short time. Please try again in "
    "an hour, or contact us."
)


# -- honeypot --------------------------------------------------------------------------


def test_a_filled_honeypot_is_rejected_with_a_neutral_message(workshop, submit):
    response = submit(
        route(workshop, "register"),
        registration_form_data(website="https://spam.example"),
    )

    assert response.status_code == 400
    page = text_of(response)
    assert t("de", REJECTED) in page
    # Neutral: no field error tells a bot which field gave it away.
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.find(class_="atelier-errors") is None
    assert_nothing_stored_or_mailed()


@pytest.mark.parametrize("name", ["page", "lost_link"])
def test_the_honeypot_is_hidden_from_people_keyboards_and_screen_readers(
    client, workshop, name
):
    url = workshop.url if name == "page" else route(workshop, "lost_link")
    soup = BeautifulSoup(client.get(url).content.decode(), "html.parser")

    [honeypot] = soup.find_all("input", attrs={"name": "website"})
    assert honeypot["tabindex"] == "-1"
    assert honeypot["autocomplete"] == "off"
    assert not honeypot.has_attr("required")
    wrapper = honeypot.find_parent(attrs={"aria-hidden": "true"})
    assert wrapper is not None
    assert "atelier-honeypot" in wrapper["class"]
    # Labelled, for the rare browser that shows it anyway.
    assert wrapper.find("label", attrs={"for": honeypot["id"]}) is not None


def test_the_honeypot_class_hides_the_field_in_the_stylesheet():
    from django.contrib.staticfiles import finders

    with open(finders.find("wagtail_atelier/css/atelier.css"), encoding="utf-8") as f:
        css = f.read()
    rule = css[css.index(".atelier-honeypot {") :].split("}", 1)[0]
    # Moved off screen (not display: none, which some bots detect).
    assert "position: absolute" in rule
    assert "left: -10000px" in rule


def test_a_filled_honeypot_on_lost_link_mails_nothing(workshop, submit):
    from tests.factories import RegistrationFactory

    RegistrationFactory(workshop=workshop, email="known@example.org")
    response = submit(
        route(workshop, "lost_link"),
        lost_link_form_data(email="known@example.org", website="x"),
    )

    assert response.status_code == 200  # tells a bot nothing either
    assert mail.outbox == []
    assert OutgoingMail.objects.count() == 0


# -- the minimum fill time -------------------------------------------------------------


def hidden_form_started(response) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup.find("input", attrs={"name": "form_started"})["value"]


def test_sending_faster_than_a_person_can_gives_an_error_and_keeps_the_data(
    client, workshop, submit, settings
):
    settings.WAGTAIL_ATELIER_MIN_FILL_SECONDS = 3
    data = registration_form_data(
        first_name="Zoë", form_started=form_started_token(time.time() - 1)
    )

    response = submit(route(workshop, "register"), data)

    assert response.status_code == 200
    page = text_of(response)
    assert t("de", TOO_QUICK) in page
    assert 'value="Zoë"' in response.content.decode()
    assert_nothing_stored_or_mailed()

    # The form shown again carries a fresh start time: a person who checks the
    # entries for a few seconds can send it.
    data["form_started"] = hidden_form_started(response)
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        again = submit(route(workshop, "register"), data)
    assert again.status_code == 302
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "form_started",
    [
        None,  # missing
        "",
        "1700000000.000",  # unsigned
        "1700000000.000:forged-signature",
        "not-a-time:abc",
    ],
)
def test_a_missing_or_tampered_start_time_gives_an_error(
    workshop, submit, form_started
):
    response = submit(
        route(workshop, "register"), registration_form_data(form_started=form_started)
    )

    assert response.status_code == 200
    assert t("de", EXPIRED) in text_of(response)
    assert_nothing_stored_or_mailed()


def test_a_changed_time_in_a_signed_token_is_caught():
    token = form_started_token(time.time() - 10)
    value, signature = token.rsplit(":", 1)
    started, unique = value.split("/")
    earlier = f"{float(started) - 3600:.3f}/{unique}:{signature}"

    assert fill_time_problem(token) is None
    assert fill_time_problem(earlier) == "invalid"


def test_an_expired_form_gives_an_error(workshop, submit, settings):
    settings.WAGTAIL_ATELIER_FORM_MAX_AGE = 3600
    old = form_started_token(time.time() - 3601)

    response = submit(
        route(workshop, "register"), registration_form_data(form_started=old)
    )

    assert response.status_code == 200
    assert t("de", EXPIRED) in text_of(response)
    assert_nothing_stored_or_mailed()


def test_the_errors_are_in_the_pages_language(french_workshop, submit):
    response = submit(
        route(french_workshop, "register"),
        registration_form_data(form_started=form_started_token(time.time())),
    )

    assert t("fr", TOO_QUICK) in text_of(response)
    assert TOO_QUICK not in text_of(response)


def test_lost_link_sent_too_fast_mails_nothing(workshop, submit):
    from tests.factories import RegistrationFactory

    RegistrationFactory(workshop=workshop, email="known@example.org")
    response = submit(
        route(workshop, "lost_link"),
        lost_link_form_data(
            email="known@example.org", form_started=form_started_token(time.time())
        ),
    )

    assert t("de", TOO_QUICK) in text_of(response)
    assert mail.outbox == []


# -- throttle --------------------------------------------------------------------------


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def use_throttle_cache(kind: str, settings) -> None:
    """Point the throttle at Django's database cache (no Redis needed) or at Django's
    Redis cache (skipped when no Redis server runs on the loopback). Through
    pytest-django's ``settings``, so that the test's own settings changes are undone
    in the right order."""
    if kind == "database":
        backend = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "wagtail_atelier_test_cache",
        }
    else:
        if not redis_available():
            pytest.skip(f"no Redis server at {REDIS_URL}")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": backend,
    }
    settings.WAGTAIL_ATELIER_THROTTLE_CACHE = "throttle"
    if kind == "database":
        call_command("createcachetable", verbosity=0)
    caches["throttle"].clear()


@pytest.fixture(params=["database", "redis"])
def throttle_cache(request, settings):
    use_throttle_cache(request.param, settings)
    yield request.param
    caches["throttle"].clear()


@pytest.fixture
def database_cache(settings):
    use_throttle_cache("database", settings)


@pytest.fixture
def redis_cache(settings):
    use_throttle_cache("redis", settings)
    yield
    caches["throttle"].clear()


def post_from(submit, url, data, ip):
    return submit(url, data, REMOTE_ADDR=ip)


def test_too_many_registrations_from_one_address_are_refused(
    workshop, submit, settings, throttle_cache
):
    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (3, 3600), "email": (100, 3600)}
    url = route(workshop, "register")
    for n in range(3):
        response = post_from(
            submit, url, registration_form_data(email=f"p{n}@example.org"), "192.0.2.1"
        )
        assert response.status_code == 302

    refused = post_from(
        submit,
        url,
        registration_form_data(email="p3@example.org", first_name="Zoë"),
        "192.0.2.1",
    )

    assert refused.status_code == 429
    assert t("de", THROTTLED) in text_of(refused)
    assert 'value="Zoë"' in refused.content.decode()  # what was typed is kept
    assert not Registration.objects.filter(email="p3@example.org").exists()
    assert Registration.objects.count() == 3
    # Another address is not held back.
    other = post_from(
        submit, url, registration_form_data(email="p4@example.org"), "192.0.2.2"
    )
    assert other.status_code == 302


def test_too_many_registrations_for_one_email_are_refused(
    workshop, submit, settings, throttle_cache
):
    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (100, 3600), "email": (2, 3600)}
    url = route(workshop, "register")
    assert (
        post_from(submit, url, registration_form_data(), "192.0.2.1").status_code == 302
    )
    # Again from elsewhere, in other letters: answered like the first (the link is
    # mailed again), still counted.
    data = registration_form_data(email="BEATRICE.keller@example.org")
    assert post_from(submit, url, data, "192.0.2.2").status_code == 302
    mail.outbox.clear()

    data = registration_form_data(email="BEATRICE.keller@example.org")
    refused = post_from(submit, url, data, "192.0.2.3")

    assert refused.status_code == 429
    assert Registration.objects.count() == 1
    assert mail.outbox == []  # not even the link again
    assert (
        post_from(
            submit, url, registration_form_data(email="other@example.org"), "192.0.2.3"
        ).status_code
        == 302
    )


def test_the_throttle_window_passes(workshop, submit, settings, database_cache):
    # (Redis expires keys on its own clock, which freezegun cannot move.)
    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (1, 60)}
    url = route(workshop, "register")
    assert (
        post_from(
            submit, url, registration_form_data(email="a@example.org"), "192.0.2.9"
        ).status_code
        == 302
    )
    assert (
        post_from(
            submit, url, registration_form_data(email="b@example.org"), "192.0.2.9"
        ).status_code
        == 429
    )

    with freeze_time(timezone.now() + timedelta(seconds=61)):
        data = registration_form_data(email="b@example.org")
        assert post_from(submit, url, data, "192.0.2.9").status_code == 302


def test_an_hours_window_lasts_an_hour_with_the_database_cache(
    workshop, submit, settings, database_cache
):
    # The database cache's incr() resets the expiry to the default 5 minutes: the
    # count must still hold for the whole hour.
    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (2, 3600)}
    url = route(workshop, "register")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=1
    )
    statuses = []
    for n, minutes in enumerate([1, 2, 3, 10, 30, 59]):
        with freeze_time(start + timedelta(minutes=minutes)):
            data = registration_form_data(email=f"p{n}@example.org")
            statuses.append(post_from(submit, url, data, "192.0.2.7").status_code)

    assert statuses == [302, 302, 429, 429, 429, 429]
    with freeze_time(start + timedelta(minutes=61)):
        data = registration_form_data(email="later@example.org")
        assert post_from(submit, url, data, "192.0.2.7").status_code == 302


def test_lost_link_is_throttled_too(workshop, submit, settings, throttle_cache):
    from tests.factories import RegistrationFactory

    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (2, 3600), "email": (100, 3600)}
    RegistrationFactory(workshop=workshop, email="known@example.org")
    url = route(workshop, "lost_link")
    for _ in range(2):
        assert (
            post_from(
                submit, url, lost_link_form_data(email="known@example.org"), "192.0.2.1"
            ).status_code
            == 200
        )
    mail.outbox.clear()

    refused = post_from(
        submit, url, lost_link_form_data(email="known@example.org"), "192.0.2.1"
    )

    assert refused.status_code == 429
    assert t(
        "de",
        "Too many requests were sent from here in a short time. Please try again in an "
        "hour.",
    ) in text_of(refused)
    assert mail.outbox == []


def test_the_throttle_can_be_switched_off(workshop, submit, settings):
    settings.WAGTAIL_ATELIER_THROTTLE = None
    url = route(workshop, "register")
    workshop.participant_capacity = None
    workshop.save_revision().publish()

    statuses = {
        post_from(
            submit, url, registration_form_data(email=f"p{n}@example.org"), "192.0.2.1"
        ).status_code
        for n in range(25)  # more than the default 20 per hour
    }

    assert statuses == {302}
    assert Registration.objects.count() == 25


def test_the_default_throttle_stops_the_21st_registration_from_one_address(
    workshop, submit, settings
):
    assert not hasattr(settings, "WAGTAIL_ATELIER_THROTTLE")  # the package default
    workshop.participant_capacity = None
    workshop.save_revision().publish()
    url = route(workshop, "register")

    statuses = [
        post_from(
            submit, url, registration_form_data(email=f"p{n}@example.org"), "192.0.2.1"
        ).status_code
        for n in range(21)
    ]

    assert statuses == [302] * 20 + [429]
    assert Registration.objects.count() == 20


def test_the_throttle_keeps_no_address_in_the_cache(
    workshop, submit, settings, redis_cache
):
    import redis

    settings.WAGTAIL_ATELIER_THROTTLE = {"ip": (10, 3600), "email": (10, 3600)}
    submit(route(workshop, "register"), registration_form_data())

    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).keys("*")]
    assert keys
    assert not any("beatrice" in key for key in keys)
