"""Fuzzing the public registration endpoints with hypothesis: whatever is posted
(unicode, control characters, lists where one value is expected, junk in choices,
missing fields, forged timestamps), the answer is never a server error."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import route
from wagtail_atelier.models import Canton
from wagtail_atelier.public.spam import form_started_token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ALLOWED = {200, 302, 400, 409, 429}
# As many examples as the Hypothesis profile gives a full-stack fuzz test (see
# tests/conftest.py: 50 by default, 500 with HYPOTHESIS_PROFILE=thorough).
FUZZ = settings(
    deadline=None,
    database=None,  # nothing written into the work tree; failures print the example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any unicode but lone surrogates (which no browser can send as UTF-8): accents, ß,
# emoji, right-to-left text, combining marks, NUL and the other control characters.
# Long values are repeated short ones: drawing a thousand random characters costs more
# than the request it feeds.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
long_text = st.builds(
    lambda text, times: (text or "ü") * times, any_text, st.integers(20, 1200)
)
tricky = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\r\n",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "Zoë Strauß 🙂",
        "مرحبا שלום",
        "\u202eevil",
        "İ" * 242 + "@example.org",
        "a" * 5000,
        "%00",
        "{{ 7*7 }}",
        "1e309",
        "nan",
        "-1",
    ]
)
junk = st.one_of(any_text, tricky, long_text, st.lists(any_text, max_size=3))
# Plausible addresses, some valid and some not, with unicode in both parts.
emails = st.builds(
    "{}@{}".format,
    st.text("abcxyz019._+-ßéİ🙂ש", min_size=1, max_size=20),
    st.sampled_from(
        ["example.org", "exämple.ch", "xn--exmple-cua.ch", "localhost", "example..org"]
    ),
)


def field(valid):
    """Mostly plausible values, sometimes junk, sometimes missing (None)."""
    return st.one_of(valid, valid, junk, st.none())


def started():
    return st.one_of(
        st.builds(
            lambda age: form_started_token(time.time() - age), st.floats(0, 10**6)
        ),
        st.just(form_started_token(time.time() - 10)),
        junk,
        st.none(),
    )


names = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40)
registration_data = st.fixed_dictionaries(
    {
        "role": field(st.sampled_from(["participant", "case_presenter"])),
        "first_name": field(names),
        "last_name": field(names),
        "email": field(emails),
        "phone": field(
            st.builds(
                "{}{}".format,
                st.sampled_from(["", "+"]),
                st.text("0123456789 ", min_size=6, max_size=20),
            )
        ),
        "organisation": field(names),
        "town": field(names),
        "canton": field(st.sampled_from(Canton.values)),
        "languages": field(
            st.lists(st.sampled_from(["de", "fr", "it"]), min_size=1, max_size=4)
        ),
        "case_description": field(st.one_of(names, long_text)),
        "accessibility_needs": field(names),
        "dietary_note": field(names),
        "privacy_consent": field(
            st.sampled_from(["on", "true", "1", "false", "0", ""])
        ),
        "share_contact": field(st.sampled_from(["on", "false", ""])),
        "website": st.one_of(st.just(""), st.just(""), st.just(""), junk, st.none()),
        "form_started": started(),
    }
)
lost_link_data = st.fixed_dictionaries(
    {
        "email": field(emails),
        "website": st.one_of(st.just(""), st.just(""), junk, st.none()),
        "form_started": started(),
    }
)


def without_missing(data: dict) -> dict:
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def fuzz_settings(settings):
    settings.WAGTAIL_ATELIER_THROTTLE = None
    settings.WAGTAIL_ATELIER_MIN_FILL_SECONDS = 0


def test_posting_anything_to_register_never_breaks_it(workshop, fuzz_settings):
    client = Client()
    url = route(workshop, "register")
    seen = set()

    @FUZZ
    @given(data=registration_data)
    def post(data):
        response = client.post(url, without_missing(data))
        assert response.status_code in ALLOWED, (response.status_code, data)
        seen.add(response.status_code)

    post()
    # The fuzzing reached both sides: rejected forms and stored registrations.
    assert {200, 302} <= seen


def test_posting_anything_to_lost_link_never_breaks_it(workshop, fuzz_settings):
    from tests.factories import RegistrationFactory

    RegistrationFactory(workshop=workshop, email="known@example.org")
    client = Client()
    url = route(workshop, "lost_link")

    @FUZZ
    @given(data=lost_link_data)
    def post(data):
        response = client.post(url, without_missing(data))
        assert response.status_code in ALLOWED, (response.status_code, data)

    post()


def test_any_token_in_the_self_service_links_is_a_404_not_an_error(workshop):
    client = Client()

    @settings(
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        token=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)
    )
    def visit(token):
        for name in ("registration", "cancel_registration"):
            url = route(workshop, name, "TOKEN").replace("TOKEN", quote(token, safe=""))
            assert client.get(url).status_code == 404
            assert client.post(url).status_code == 404

    visit()
