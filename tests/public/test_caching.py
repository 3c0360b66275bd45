"""Caching the workshop pages: an anonymous GET is public and the same for everyone,
the per-visitor tokens come from the private form-token/ route, a form sent without
them is shown again (never a 403), and a seat change or a publication purges the
frontend cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from freezegun import freeze_time
from wagtail.contrib.frontend_cache.backends import BaseBackend

from tests.factories import (
    WorkshopPageFactory,
    registration_form_data,
    route,
    translate,
)
from wagtail_atelier import page_cache
from wagtail_atelier.models import OutgoingMail, Registration, RegistrationStatus
from wagtail_atelier.public.spam import fill_time_problem
from wagtail_atelier.services import registration as services

pytestmark = pytest.mark.django_db

SEND_AGAIN = (
    "Your registration has not been sent yet. Please check your entries and send "
    "the form again."
)
FAILURE_VIEW = "wagtail_atelier.public.csrf.csrf_failure"


def in_german(message: str) -> str:
    with translation.override("de"):
        return " ".join(gettext(message).split())


def text_of(response) -> str:
    return " ".join(
        BeautifulSoup(response.content.decode(), "html.parser").get_text(" ").split()
    )


def hidden(response, name: str) -> str:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    form = soup.find("form", class_="atelier-form")
    return form.find("input", attrs={"name": name})["value"]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def assert_public(response, max_age: int = 60) -> None:
    assert response.status_code == 200
    assert cache_control(response) == {"public", f"max-age={max_age}"}
    assert not response.cookies, "a cacheable page sets no cookie"
    assert "cookie" not in response.get("Vary", "").lower()


def assert_private(response) -> None:
    directives = cache_control(response)
    assert "private" in directives
    assert "no-store" in directives
    assert "public" not in directives


@pytest.fixture
def open_workshop(index):
    return WorkshopPageFactory(
        parent=index,
        slug="suhr",
        case_presenter_capacity=2,
        participant_capacity=3,
        show_places_left=True,
    )


# -- the page is the same for every anonymous visitor ------------------------------


def test_an_anonymous_get_of_the_workshop_page_is_public_and_holds_no_token(
    open_workshop,
):
    first = Client().get(open_workshop.url)
    second = Client().get(open_workshop.url)

    assert_public(first)
    assert_public(second)
    # Identical for two visitors: nothing per visitor in it, no csrftoken cookie.
    assert first.content == second.content
    assert hidden(first, "csrfmiddlewaretoken") == ""
    assert hidden(first, "form_started") == ""
    form = BeautifulSoup(first.content.decode(), "html.parser").find(
        "form", class_="atelier-form"
    )
    assert form["data-atelier-token-url"] == route(open_workshop, "form_token")
    assert "wagtail_atelier/js/registration-form.js" in first.content.decode()
    # The places left are in the cached page (purged on a seat change).
    assert BeautifulSoup(first.content.decode(), "html.parser").find(
        class_="atelier-seats"
    )


def test_the_index_is_public_too(client, open_workshop, index):
    assert_public(client.get(index.url))
    assert_public(client.get(index.url, {"format": "on_site"}))


def test_the_max_age_is_a_setting_and_zero_sends_no_header(
    client, open_workshop, settings
):
    settings.WAGTAIL_ATELIER_PAGE_MAX_AGE = 300
    assert_public(client.get(open_workshop.url), max_age=300)

    settings.WAGTAIL_ATELIER_PAGE_MAX_AGE = 0
    assert "Cache-Control" not in client.get(open_workshop.url)


def test_a_visitor_with_a_session_gets_a_private_page(client, open_workshop):
    editor = get_user_model().objects.create_user("editor", password="pw")
    client.force_login(editor)

    response = client.get(open_workshop.url)

    assert response.status_code == 200
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)


def test_the_routes_with_personal_data_stay_private(client, open_workshop, submit):
    submit(route(open_workshop, "register"), registration_form_data())
    token = mail.outbox[0].body.split("/registration/")[1].split("/")[0]

    detail = client.get(route(open_workshop, "registration", token))

    assert detail.status_code == 200
    assert_private(detail)


# -- the tokens come from the private route ------------------------------------------


def test_the_form_token_route_is_private_and_gives_fresh_tokens(open_workshop):
    client = Client(enforce_csrf_checks=True)

    first = client.get(route(open_workshop, "form_token"))
    second = client.get(route(open_workshop, "form_token"))

    assert first.status_code == 200
    assert_private(first)
    tokens = first.json()
    assert set(tokens) == {"form_started", "csrf_token"}
    assert fill_time_problem(tokens["form_started"]) == "too_fast"  # signed, just now
    assert tokens["form_started"] != second.json()["form_started"]  # single-use
    assert "csrftoken" in first.cookies


def test_a_post_with_the_tokens_from_the_route_registers(open_workshop, settings):
    settings.CSRF_FAILURE_VIEW = FAILURE_VIEW
    client = Client(enforce_csrf_checks=True)  # Django's CSRF check, as a browser
    client.get(open_workshop.url)
    tokens = client.get(route(open_workshop, "form_token")).json()

    with freeze_time(timezone.now() + timedelta(seconds=10)):
        response = client.post(
            route(open_workshop, "register"),
            registration_form_data(
                form_started=tokens["form_started"],
                csrfmiddlewaretoken=tokens["csrf_token"],
            ),
        )

    assert response.status_code == 302
    assert response["Location"].endswith("/registered/")
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_without_script_the_form_comes_back_filled_in_and_sends_the_second_time(
    open_workshop, settings
):
    """A browser without JavaScript sends the cached form as it is: no CSRF token,
    no start time. It gets the form again, private, filled in, with both tokens in
    the page and a note; sent again, it registers."""
    settings.CSRF_FAILURE_VIEW = FAILURE_VIEW
    client = Client(enforce_csrf_checks=True)
    page = client.get(open_workshop.url)
    data = registration_form_data(
        first_name="Zoë",
        languages=["de", "fr"],
        form_started=hidden(page, "form_started"),
        csrfmiddlewaretoken=hidden(page, "csrfmiddlewaretoken"),
    )

    again = client.post(route(open_workshop, "register"), data)

    assert again.status_code == 200
    assert_private(again)
    assert in_german(SEND_AGAIN) in text_of(again)
    body = again.content.decode()
    assert 'value="Zoë"' in body
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find("input", attrs={"name": "languages", "value": "fr"}).has_attr(
        "checked"
    )
    assert soup.find("input", attrs={"name": "privacy_consent"}).has_attr("checked")
    assert hidden(again, "csrfmiddlewaretoken")
    assert hidden(again, "form_started")
    assert "csrftoken" in again.cookies
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0

    data.update(
        form_started=hidden(again, "form_started"),
        csrfmiddlewaretoken=hidden(again, "csrfmiddlewaretoken"),
    )
    with freeze_time(timezone.now() + timedelta(seconds=10)):
        sent = client.post(route(open_workshop, "register"), data)
    assert sent.status_code == 302
    registration = Registration.objects.get()
    assert registration.first_name == "Zoë"
    assert registration.languages == ["de", "fr"]


def test_a_post_with_the_csrf_token_but_no_start_is_shown_again_privately(
    open_workshop,
):
    client = Client(enforce_csrf_checks=True)
    tokens = client.get(route(open_workshop, "form_token")).json()

    response = client.post(
        route(open_workshop, "register"),
        registration_form_data(
            form_started="", csrfmiddlewaretoken=tokens["csrf_token"]
        ),
    )

    assert response.status_code == 200
    assert_private(response)
    assert 'value="Beatrice"' in response.content.decode()
    assert hidden(response, "form_started")
    assert Registration.objects.count() == 0


def test_a_cross_site_post_stores_nothing(open_workshop, settings):
    settings.CSRF_FAILURE_VIEW = FAILURE_VIEW
    client = Client(enforce_csrf_checks=True)
    tokens = client.get(route(open_workshop, "form_token")).json()

    response = client.post(
        route(open_workshop, "register"),
        registration_form_data(csrfmiddlewaretoken=tokens["csrf_token"]),
        HTTP_ORIGIN="https://elsewhere.example",
    )

    assert response.status_code == 200  # the form again, for the visitor to check
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0


def test_other_csrf_failures_keep_django_s_answer(open_workshop, settings):
    settings.CSRF_FAILURE_VIEW = FAILURE_VIEW
    client = Client(enforce_csrf_checks=True)

    response = client.post(route(open_workshop, "lost_link"), {"email": "a@b.ch"})

    assert response.status_code == 403


def test_a_closed_registration_is_answered_as_closed_after_a_csrf_failure(
    open_workshop, settings
):
    settings.CSRF_FAILURE_VIEW = FAILURE_VIEW
    open_workshop.registration_closes_at = timezone.now() - timedelta(minutes=1)
    open_workshop.registration_opens_at = timezone.now() - timedelta(days=1)
    open_workshop.save_revision().publish()

    response = Client(enforce_csrf_checks=True).post(
        route(open_workshop, "register"), registration_form_data()
    )

    assert response.status_code == 409
    assert Registration.objects.count() == 0


# -- purging the frontend cache --------------------------------------------------------

PURGED: list[list[str]] = []


class RecordingBackend(BaseBackend):
    """A frontend cache that records what it is told to purge, one list per batch."""

    def purge_batch(self, urls) -> None:
        PURGED.append(sorted(urls))

    def purge(self, url) -> None:
        PURGED.append([url])


@pytest.fixture
def frontend_cache(settings, monkeypatch):
    PURGED.clear()
    settings.WAGTAILFRONTENDCACHE = {
        "recording": {"BACKEND": f"{__name__}.RecordingBackend"}
    }
    # Only what the package purges: the app's own publish receiver is not connected
    # in the test settings.
    monkeypatch.setattr(page_cache, "frontend_cache_installed", lambda: True)
    return PURGED


@pytest.fixture
def translated_workshop(indexes):
    workshop = WorkshopPageFactory(
        parent=indexes["de"],
        slug="suhr",
        case_presenter_capacity=1,
        participant_capacity=1,
        show_places_left=True,
    )
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    return workshop, french, indexes


def purged_urls() -> set[str]:
    return {url for batch in PURGED for url in batch}


def expected_urls(workshop, french, indexes) -> set[str]:
    return {
        page.get_full_url() for page in (workshop, french, indexes["de"], indexes["fr"])
    }


def test_a_registration_purges_the_workshop_in_every_language_and_its_indexes(
    translated_workshop, frontend_cache, submit
):
    workshop, french, indexes = translated_workshop

    submit(route(workshop, "register"), registration_form_data())

    assert Registration.objects.count() == 1
    assert len(PURGED) == 1, "one batch for one registration"
    assert expected_urls(workshop, french, indexes) <= purged_urls()


def test_a_cancellation_and_its_promotion_purge_once(
    translated_workshop, frontend_cache, submit, django_capture_on_commit_callbacks
):
    workshop, french, indexes = translated_workshop
    submit(route(workshop, "register"), registration_form_data())
    submit(
        route(workshop, "register"),
        registration_form_data(email="second@example.org"),
    )
    first = Registration.objects.order_by("pk").first()
    PURGED.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first)

    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == 1
    assert len(PURGED) == 1  # the cancellation and the promotion: one purge
    assert expected_urls(workshop, french, indexes) <= purged_urls()


def test_publishing_a_workshop_purges_every_language(
    translated_workshop, frontend_cache, django_capture_on_commit_callbacks
):
    workshop, french, indexes = translated_workshop
    PURGED.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workshop.participant_capacity = 10
        workshop.save_revision().publish()

    assert expected_urls(workshop, french, indexes) <= purged_urls()


def test_nothing_is_purged_for_a_rolled_back_change(
    translated_workshop, frontend_cache, django_capture_on_commit_callbacks
):
    workshop, _french, _indexes = translated_workshop

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.register(
                workshop=workshop,
                data={
                    **registration_form_data(),
                    "languages": ["de"],
                    "privacy_consent": True,
                },
                language="de",
            )
            raise RuntimeError("rolled back")
        # The rolled-back purge left no mark: the next change still purges.
        services.register(
            workshop=workshop,
            data={
                **registration_form_data(),
                "languages": ["de"],
                "privacy_consent": True,
            },
            language="de",
        )

    assert len(PURGED) == 1


def test_a_retention_sized_delete_purges_once(
    translated_workshop, frontend_cache, submit, django_capture_on_commit_callbacks
):
    workshop, _french, _indexes = translated_workshop
    for number in range(5):
        submit(
            route(workshop, "register"),
            registration_form_data(email=f"person{number}@example.org"),
        )
    PURGED.clear()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for registration in Registration.objects.all():
            registration.delete()

    assert len(PURGED) == 1


def test_without_the_frontend_cache_app_nothing_is_purged(
    open_workshop, submit, settings, monkeypatch
):
    calls = []
    monkeypatch.setattr(page_cache, "purge_workshop", calls.append)

    submit(route(open_workshop, "register"), registration_form_data())

    assert Registration.objects.count() == 1
    assert calls == []


def test_the_seats_are_decided_under_the_lock_not_from_the_cached_page(
    index, submit, settings
):
    """A page cached while one place was left still offers it; the second person
    to send it goes to the waiting list."""
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=1, participant_capacity=1
    )
    cached = Client().get(workshop.url).content
    submit(route(workshop, "register"), registration_form_data())
    submit(
        route(workshop, "register"),
        registration_form_data(email="late@example.org"),
    )

    assert b"atelier-form" in cached
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]


# -- the translations list, shared between requests -----------------------------------


def hreflangs(response) -> dict[str, str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return {
        link["hreflang"]: link["href"]
        for link in soup.find_all("link", rel="alternate", hreflang=True)
    }


def queries_of_get(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_translations_are_looked_up_once_for_many_visitors(client, open_workshop):
    translate(open_workshop, "fr", title="Atelier pratique à Suhr", slug="suhr-fr")
    url = open_workshop.url
    client.get(url)  # the site's root paths and the form fragment
    from django.core.cache import cache

    cache.delete(page_cache.translations_cache_key(open_workshop.translation_key))
    first = queries_of_get(client, url)
    second = queries_of_get(client, url)
    assert second == first - 1
    assert set(hreflangs(client.get(url))) == {"de", "fr"}


def test_a_translation_unpublished_or_renamed_leaves_the_links_at_once(
    client, open_workshop
):
    french = translate(open_workshop, "fr", title="Atelier pratique", slug="suhr-fr")
    italian = translate(open_workshop, "it", title="Laboratorio pratico", slug="it-1")
    assert set(hreflangs(client.get(open_workshop.url))) == {"de", "fr", "it"}
    italian.unpublish()
    assert set(hreflangs(client.get(open_workshop.url))) == {"de", "fr"}
    french.slug = "suhr-neu"
    french.save_revision().publish()
    assert hreflangs(client.get(open_workshop.url))["fr"].endswith("/suhr-neu/")
    french.delete()
    assert set(hreflangs(client.get(open_workshop.url))) == {"de"}


def test_a_parent_with_a_new_slug_changes_the_links_of_its_children(
    client, open_workshop
):
    french = translate(open_workshop, "fr", title="Atelier pratique", slug="suhr-fr")
    assert "/suhr-fr/" in hreflangs(client.get(open_workshop.url))["fr"]
    index = french.get_parent().specific
    index.slug = "ateliers-pratiques"
    index.save()  # Wagtail moves the children's URLs in one UPDATE, no signal for them
    links = hreflangs(client.get(open_workshop.url))
    assert "/ateliers-pratiques/suhr-fr/" in links["fr"]


def test_each_page_marks_itself_current_from_the_shared_list(client, open_workshop):
    french = translate(open_workshop, "fr", title="Atelier pratique", slug="suhr-fr")
    for page, language in ((open_workshop, "de"), (french, "fr")):
        soup = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
        current = soup.select('nav.atelier-languages a[aria-current="page"]')
        assert [link["lang"] for link in current] == [language]


def test_without_a_max_age_the_translations_are_not_shared(
    client, open_workshop, settings
):
    settings.WAGTAIL_ATELIER_PAGE_MAX_AGE = 0
    translate(open_workshop, "fr", title="Atelier pratique", slug="suhr-fr")
    url = open_workshop.url
    client.get(url)
    first = queries_of_get(client, url)
    assert queries_of_get(client, url) == first


# -- what the page shows, shared between requests -------------------------------------


def seats_text(response) -> str:
    seats = BeautifulSoup(response.content.decode(), "html.parser").find(
        class_="atelier-seats"
    )
    return " ".join(seats.get_text(" ").split())


def places_left(count: int) -> str:
    with translation.override("de"):
        return ngettext("%(left)s place left", "%(left)s places left", count) % {
            "left": count
        }


def test_the_places_left_follow_a_registration_and_a_deletion_at_once(
    client, open_workshop
):
    # Two places for case presenters, three for participants.
    before = seats_text(client.get(open_workshop.url))  # counted, then kept
    assert places_left(2) in before and places_left(3) in before
    response = client.post(
        route(open_workshop, "register"),
        registration_form_data(
            role="case_presenter", case_description="Wie finden wir Freiwillige?"
        ),
    )
    assert response.status_code == 302
    after_registering = seats_text(client.get(open_workshop.url))
    assert places_left(1) in after_registering and places_left(3) in after_registering

    Registration.objects.get().delete()
    assert seats_text(client.get(open_workshop.url)) == before


def test_a_cancellation_frees_the_place_shown_at_once(client, open_workshop):
    registration = services.register(
        workshop=open_workshop,
        data=dict(registration_form_data(role="case_presenter"), languages=["de"]),
        language="de",
    ).registration
    shown = seats_text(client.get(open_workshop.url))
    services.cancel(registration)
    assert seats_text(client.get(open_workshop.url)) != shown


def test_a_view_of_the_cached_page_builds_no_registration_form(
    client, open_workshop, monkeypatch
):
    from wagtail_atelier.public import registration as views

    built = []

    class CountedForm(views.RegistrationForm):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(views, "RegistrationForm", CountedForm)
    first = client.get(open_workshop.url)
    assert len(built) == 1  # the form fragment is rendered once
    second = client.get(open_workshop.url)
    assert len(built) == 1
    assert first.content == second.content
    # The answer to a POST with errors still shows the error summary and the form.
    response = client.post(
        route(open_workshop, "register"), registration_form_data(email="nicht-gültig")
    )
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.find(id="error-summary") is not None
    assert soup.find("form", class_="atelier-form") is not None


def test_a_link_in_the_body_follows_the_linked_page_to_its_new_slug(
    client, open_workshop, index
):
    other = WorkshopPageFactory(parent=index, slug="aarau")
    open_workshop.body = [
        ("paragraph", f'<p>Siehe <a linktype="page" id="{other.pk}">Aarau</a>.</p>')
    ]
    open_workshop.save_revision().publish()

    def body_links(response):
        soup = BeautifulSoup(response.content.decode(), "html.parser")
        return [link["href"] for link in soup.select(".atelier-body a")]

    assert body_links(client.get(open_workshop.url)) == [other.url]
    # The workshop itself is unchanged (its cache key too): only the other page's
    # new slug says that the cached body is out of date.
    other.slug = "aarau-neu"
    other.save_revision().publish()
    other.refresh_from_db()
    assert body_links(client.get(open_workshop.url)) == [other.url]
    assert other.url.endswith("/aarau-neu/")


def test_the_header_says_taken_place_once_the_workshop_ended(client, open_workshop):
    assert "taken place" not in text_of(client.get(open_workshop.url))
    # Moved into the past without a save or a publication: the page's cache key
    # and the generation stay the same; the cached header must not.
    now = timezone.now()
    type(open_workshop).objects.filter(pk=open_workshop.pk).update(
        start_at=now - timedelta(hours=4), end_at=now - timedelta(hours=1)
    )
    with translation.override("de"):
        taken_place = gettext("This workshop has taken place.")
    assert taken_place in text_of(client.get(open_workshop.url))
