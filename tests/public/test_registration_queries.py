"""Query budgets of the public registration: the workshop page with the form and the
registration POST each cost a fixed number of queries, whatever the number of
registrations the workshop already has.

Measured on SQLite and PostgreSQL (the counts include the savepoints of the
service's transaction, which the test's own transaction turns into savepoints; in
production they are the transaction's BEGIN and COMMIT):

- the workshop page with the registration form:                    9
- a registration POST that is stored, until its redirect is ready
  (what the visitor waits for):
    1. the site (Wagtail's ``Site.find_for_request``)
    2. the active locale (``root_page.localized``)
    3. the index below the home page (Wagtail's ``Page.route``)
    4. the index's specific page
    5. the workshop with its locale (the index's ``route()``, which tells
       without the resolver's Http404 that the path is not one of its own
       routes; the listing image is joined only for the page itself)
    6. the ancestors' aliases and 7. their view restrictions (Wagtail's
       ``before_serve_page`` check)
    8. BEGIN (here a savepoint)
       the seat lock, on PostgreSQL only (``SELECT ... FOR UPDATE`` on the
       workshop's lock row; the workshop's first registration creates the
       row: one query more). SQLite has no row locks: its IMMEDIATE write
       transaction is the lock.
    9. the count of the role's confirmed places (only when it has a limit)
   10. the registration row (no lookup for an existing registration: the
       unique constraint refuses a second one)
   11. its confirmation, stored as an intent
       the site's choice for the contact's notification (a mail for each
       registration or the digest), read once, then remembered in the
       default cache (``services/notifications.py``)
   12. COMMIT (here the savepoint's release)
  SQLite: 11, 12 with the site's choice read (the fixture's workshop has
  no limits: no count); PostgreSQL: 12, 14 for the workshop's first
  registration (the choice read, the lock row created)
- after the response has gone out (the immediate task backend, run by
  the ``request_finished`` signal; with a worker, in the worker):
  the confirmation rendered and stored, claimed, read, marked sent:  4
- a POST with an address already registered (the insert refused,
  the existing registration read, the link mailed again):          16
  (17 on PostgreSQL, with the lock)
- a POST with errors, the form shown again:                         9
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import RegistrationFactory, registration_form_data, route
from wagtail_atelier.models import OutgoingMail, Registration
from wagtail_atelier.models.mail import MailStatus

pytestmark = pytest.mark.django_db

#: PostgreSQL locks the workshop's seat row (one statement); SQLite, which has no
#: row locks and runs one write transaction at a time, needs none.
LOCK_QUERIES = 1 if connection.features.has_select_for_update else 0

#: A view of the workshop page, another visitor having viewed it before: the
#: translations list, the seat counts and the page's fragments come from the cache.
PAGE_QUERIES = 7
#: The first view after the cache was emptied (a deployment, an eviction): also the
#: seat counts, the translations and the site root paths.
COLD_PAGE_QUERIES = 11
# The first also reads the site's notification choice and creates the lock row.
REGISTER_QUERIES = 12 + LOCK_QUERIES + LOCK_QUERIES
LATER_REGISTER_QUERIES = 11 + LOCK_QUERIES
SEND_QUERIES = 4
DUPLICATE_QUERIES = 16 + LOCK_QUERIES
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
    cache.clear()
    with django_assert_max_num_queries(COLD_PAGE_QUERIES):
        cold = client.get(busy_workshop.url)

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(busy_workshop.url)

    assert response.status_code == 200
    assert b'name="role"' in response.content
    assert response.content == cold.content


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

    # The first view after a registration counts the seats again (one query).
    assert page_10 == page_100 <= PAGE_QUERIES + 1
    assert post_10 == post_100 == LATER_REGISTER_QUERIES


@pytest.fixture
def committed_workshop():
    """A workshop without limits, in a tree built here: transactional tests start
    from an emptied database (no default site)."""
    from tests.factories import WorkshopIndexPageFactory, WorkshopPageFactory
    from tests.testapp.tree import site_tree

    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    return WorkshopPageFactory(
        parent=index, case_presenter_capacity=None, participant_capacity=None
    )


@pytest.mark.django_db(transaction=True)
def test_the_mail_is_stored_before_the_answer_and_sent_after_it(
    client, committed_workshop
):
    """With the immediate backend (the default) the visitor does not wait for the
    confirmation's templates and the mail server: when Django hands the redirect
    to the server, the registration and its mail row are committed, nothing has
    been sent, and the request has made its budget of queries; the mail is
    rendered and sent when the server closes the response."""
    busy_workshop = committed_workshop
    client.get(busy_workshop.url)
    client.post(route(busy_workshop, "register"), registration_form_data())
    mail.outbox.clear()
    seen = {}
    get_response = client.handler.get_response

    def answered(request):
        with CaptureQueriesContext(connection) as queries:
            response = get_response(request)
        seen["queries"] = len(queries)
        seen["mails"] = list(
            OutgoingMail.objects.filter(registration__email="a@x.org").values_list(
                "status", flat=True
            )
        )
        seen["outbox"] = len(mail.outbox)
        return response

    client.handler.get_response = answered
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            route(busy_workshop, "register"), registration_form_data(email="a@x.org")
        )

    assert response.status_code == 302
    assert seen == {
        "queries": LATER_REGISTER_QUERIES,
        "mails": [MailStatus.PENDING],
        "outbox": 0,
    }
    # The request, the sending after it, and this test's own look at the rows.
    assert len(queries) == LATER_REGISTER_QUERIES + SEND_QUERIES + 1
    assert [m.to for m in mail.outbox] == [["a@x.org"]]
    sent = OutgoingMail.objects.get(registration__email="a@x.org")
    assert sent.status == MailStatus.SENT
    assert sent.language == busy_workshop.locale.language_code
