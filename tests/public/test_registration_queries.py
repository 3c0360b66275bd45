"""Query budgets of the public registration: the workshop page with the form and the
registration POST each cost a fixed number of queries, whatever the number of
registrations the workshop already has.

Measured on SQLite and PostgreSQL (the counts include the savepoints of the
service's transaction, which the test's own transaction turns into savepoints; in
production they are the transaction's BEGIN and COMMIT):

- the workshop page with the registration form:                    9
- a registration POST that is stored (the routing: site, locale,
  three pages, two for the view restrictions; then the seat lock,
  the registration row and its confirmation stored as an intent):
  the workshop's first, which also creates its seat-lock row:      13
  later ones, the seat-lock row found:                             12
  (one more, the count of confirmed places, when the role has a
  limit; no lookup for an existing registration: the unique
  constraint refuses a second one)
- rendering the confirmation and sending it after the commit:       4
- a POST with an address already registered (the insert refused,
  the existing registration read, the link mailed again):          16
- a POST with errors, the form shown again:                         9
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import RegistrationFactory, registration_form_data, route
from wagtail_atelier.models import Registration

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 9
REGISTER_QUERIES = 13
LATER_REGISTER_QUERIES = 12
SEND_QUERIES = 4
DUPLICATE_QUERIES = 16
INVALID_POST_QUERIES = 9


def add_registrations(workshop, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        RegistrationFactory(
            workshop=workshop,
            email=f"existing{n}@example.org",
            role="case_presenter" if n % 4 == 0 else "participant",
            status=("confirmed", "waiting", "cancelled")[n % 3],
        )


@pytest.fixture
def busy_workshop(workshop):
    """A workshop that never fills up, so that every POST registers someone."""
    workshop.case_presenter_capacity = None
    workshop.participant_capacity = None
    workshop.save_revision().publish()
    return workshop


@pytest.mark.parametrize("existing", [10, 100])
def test_the_workshop_page_with_the_form_has_a_fixed_budget(
    client, busy_workshop, existing, django_assert_max_num_queries
):
    add_registrations(busy_workshop, existing)
    client.get(busy_workshop.url)  # warm the site root paths cache

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(busy_workshop.url)

    assert response.status_code == 200
    assert b'name="role"' in response.content


@pytest.mark.parametrize("existing", [10, 100])
def test_a_registration_post_has_a_fixed_budget(
    client,
    busy_workshop,
    existing,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    add_registrations(busy_workshop, existing)
    client.get(busy_workshop.url)

    # The request, then the request and the mails sent after its commit.
    with (
        django_assert_max_num_queries(REGISTER_QUERIES + SEND_QUERIES),
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(REGISTER_QUERIES),
    ):
        response = client.post(
            route(busy_workshop, "register"), registration_form_data()
        )

    assert response.status_code == 302
    assert len(mailoutbox) == 1  # the contact hears of it in the daily digest


@pytest.mark.parametrize("existing", [10, 100])
def test_a_post_with_an_address_already_registered_has_a_fixed_budget(
    client,
    busy_workshop,
    existing,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    add_registrations(busy_workshop, existing)
    client.get(busy_workshop.url)
    client.post(route(busy_workshop, "register"), registration_form_data())

    with (
        django_assert_max_num_queries(DUPLICATE_QUERIES + SEND_QUERIES),
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(DUPLICATE_QUERIES),
    ):
        response = client.post(
            route(busy_workshop, "register"), registration_form_data()
        )

    assert response.status_code == 302
    # The link again, and still one registration.
    assert [m.to for m in mailoutbox] == [["beatrice.keller@example.org"]]
    assert Registration.objects.filter(email="beatrice.keller@example.org").count() == 1


@pytest.mark.parametrize("existing", [10, 100])
def test_a_post_with_errors_has_a_fixed_budget(
    client, busy_workshop, existing, django_assert_max_num_queries
):
    add_registrations(busy_workshop, existing)
    client.get(busy_workshop.url)

    with django_assert_max_num_queries(INVALID_POST_QUERIES):
        response = client.post(
            route(busy_workshop, "register"), registration_form_data(email="nope")
        )

    assert response.status_code == 200
    assert b"atelier-errors" in response.content


def test_the_counts_do_not_grow_with_the_registrations(client, busy_workshop):
    def count(request) -> int:
        with CaptureQueriesContext(connection) as queries:
            request()
        return len(queries)

    add_registrations(busy_workshop, 10)
    client.get(busy_workshop.url)
    # The workshop's first registration also creates its seat-lock row: not compared.
    client.post(route(busy_workshop, "register"), registration_form_data())
    page_10 = count(lambda: client.get(busy_workshop.url))
    post_10 = count(
        lambda: client.post(
            route(busy_workshop, "register"), registration_form_data(email="a@x.org")
        )
    )
    add_registrations(busy_workshop, 90, start=10)
    page_100 = count(lambda: client.get(busy_workshop.url))
    post_100 = count(
        lambda: client.post(
            route(busy_workshop, "register"), registration_form_data(email="b@x.org")
        )
    )

    assert page_10 == page_100 <= PAGE_QUERIES
    assert post_10 == post_100 == LATER_REGISTER_QUERIES
