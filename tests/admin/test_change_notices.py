"""The editor's side of the change notices: publishing a change leads to the
decision screen; sending, not telling, cancelling; who may do it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory
from tests.test_workshop_page import add_url, post_data
from wagtail_atelier.models import (
    ChangeNotice,
    ChangeNoticeStatus,
    MailKind,
    OutgoingMail,
    Registration,
    WorkshopPage,
)
from wagtail_atelier.services.change_notices import recipient_counts

pytestmark = pytest.mark.django_db


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def decide_url(notice):
    return reverse("wagtail_atelier_change_notices:decide", args=[notice.pk])


def cancel_url(page):
    return reverse("wagtail_atelier_change_notices:cancel", args=[page.pk])


@pytest.fixture
def published(admin_client, index):
    """A workshop created and published in the admin, with two registrations."""
    response = admin_client.post(add_url(index), post_data())
    assert response.status_code == 302
    workshop = WorkshopPage.objects.get()
    RegistrationFactory(workshop=workshop)
    RegistrationFactory(workshop=workshop)
    return workshop


@pytest.fixture(autouse=True)
def english_admin(admin_user):
    """The assertions read the screens in English: the admin's own language."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()


def test_publishing_a_new_date_asks_whom_to_tell(
    admin_client, published, django_capture_on_commit_callbacks
):
    response = admin_client.post(
        edit_url(published),
        post_data(start_at="2030-11-06 14:00", end_at="2030-11-06 17:30"),
    )
    notice = ChangeNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decide_url(notice)

    screen = admin_client.get(decide_url(notice))
    assert screen.status_code == 200
    text = screen.content.decode()
    assert "2 confirmed people and 0 waiting will be told" in text
    assert "Send notices" in text and "tell</button>" in text
    assert "@example.org" not in text  # counts only, no personal data

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(decide_url(notice), {"action": "send"})
    assert response.status_code == 302
    assert OutgoingMail.objects.filter(kind=MailKind.CHANGE_NOTICE).count() == 2


def test_publishing_a_new_title_asks_nothing(admin_client, published):
    response = admin_client.post(
        edit_url(published), post_data(title="Praxiswerkstatt Olten 2030")
    )
    assert response.status_code == 302
    assert not ChangeNotice.objects.exists()


def test_dont_tell_sends_nothing(admin_client, published):
    admin_client.post(edit_url(published), post_data(town="Aarau"))
    notice = ChangeNotice.objects.get()
    admin_client.post(decide_url(notice), {"action": "dismiss"})
    notice.refresh_from_db()
    assert notice.status == ChangeNoticeStatus.DISMISSED
    assert not OutgoingMail.objects.filter(kind=MailKind.CHANGE_NOTICE).exists()


def test_an_unknown_choice_is_no_error(admin_client, published):
    admin_client.post(edit_url(published), post_data(town="Aarau"))
    notice = ChangeNotice.objects.get()
    response = admin_client.post(decide_url(notice), {"action": "bogus"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.is_pending


def test_who_cannot_publish_can_neither_decide_nor_cancel(
    client, admin_client, published, users
):
    admin_client.post(edit_url(published), post_data(town="Aarau"))
    notice = ChangeNotice.objects.get()
    client.force_login(users["viewer"])
    assert client.get(decide_url(notice)).status_code in (302, 403)
    assert client.post(decide_url(notice), {"action": "send"}).status_code in (
        302,
        403,
    )
    assert client.post(cancel_url(published), {"confirm": "on"}).status_code in (
        302,
        403,
    )
    notice.refresh_from_db()
    assert notice.is_pending
    published.refresh_from_db()
    assert not published.is_cancelled


def test_cancelling_needs_the_confirmation(admin_client, published):
    screen = admin_client.get(cancel_url(published))
    assert screen.status_code == 200
    assert "2 confirmed people and 0 waiting will be told at once" in (
        screen.content.decode()
    )
    response = admin_client.post(cancel_url(published), {"reason": "Krank"})
    assert response.status_code == 400
    assert "Tick the box to confirm the cancellation" in response.content.decode()
    published.refresh_from_db()
    assert not published.is_cancelled


def test_cancelling_tells_everyone(
    admin_client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            cancel_url(published), {"reason": "Krank", "confirm": "on"}
        )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.is_cancelled
    assert published.cancellation_reason == "Krank"
    assert OutgoingMail.objects.filter(kind=MailKind.WORKSHOP_CANCELLED).count() == 2
    # Twice is no error and tells nobody again.
    admin_client.post(cancel_url(published), {"confirm": "on"})
    assert OutgoingMail.objects.filter(kind=MailKind.WORKSHOP_CANCELLED).count() == 2


def test_the_cancel_button_is_in_the_page_header(admin_client, published):
    response = admin_client.get(edit_url(published))
    assert cancel_url(published) in response.content.decode()


def test_an_unknown_notice_is_a_404(admin_client, db):
    url = reverse("wagtail_atelier_change_notices:decide", args=[999999])
    assert admin_client.get(url, follow=True).status_code == 404


# -- query budgets ---------------------------------------------------------------------

#: The decision screen and the cancellation screen: counts, never a row per person.
DECIDE_BUDGET = 11
CANCEL_BUDGET = 10
#: Telling everyone: the mails are written in bulk, whatever the number of people.
SEND_BUDGET = 17


def crowd(workshop, size):
    for n in range(size):
        RegistrationFactory(
            workshop=workshop, role="case_presenter" if n % 4 == 0 else "participant"
        )
    RegistrationFactory(workshop=workshop, status="waiting")


def publish_new_date(admin_client, workshop) -> ChangeNotice:
    admin_client.post(
        edit_url(workshop),
        post_data(start_at="2030-11-06 14:00", end_at="2030-11-06 17:30"),
    )
    return ChangeNotice.objects.get()


@pytest.mark.parametrize("size", [2, 30])
def test_the_decision_costs_the_same_whatever_the_registrations(
    admin_client,
    published,
    size,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    crowd(published, size)
    notice = publish_new_date(admin_client, published)
    admin_client.get(decide_url(notice))  # warm the session and the caches
    with django_assert_max_num_queries(DECIDE_BUDGET):
        screen = admin_client.get(decide_url(notice))
    # Publishing may have moved the waiting person up: the counts are the stored ones.
    counts = recipient_counts(published.translation_key)
    assert counts["confirmed"] + counts["waiting"] == size + 3
    told = f"{counts['confirmed']} confirmed people and {counts['waiting']} waiting"
    assert f"{told} will be told" in screen.content.decode()
    with (
        django_capture_on_commit_callbacks(execute=False),
        django_assert_max_num_queries(SEND_BUDGET),
    ):
        response = admin_client.post(decide_url(notice), {"action": "send"})
    assert response.status_code == 302
    assert OutgoingMail.objects.filter(kind=MailKind.CHANGE_NOTICE).count() == size + 3


@pytest.mark.parametrize("size", [2, 30])
def test_the_cancellation_screen_costs_the_same_whatever_the_registrations(
    admin_client, published, size, django_assert_max_num_queries
):
    crowd(published, size)
    admin_client.get(cancel_url(published))
    with django_assert_max_num_queries(CANCEL_BUDGET):
        screen = admin_client.get(cancel_url(published))
    assert f"{size + 2} confirmed people and 1 waiting will be told at once" in (
        screen.content.decode()
    )


def test_the_messages_say_one_person_or_several(
    admin_client, published, django_capture_on_commit_callbacks
):
    registrations = Registration.objects.filter(workshop_key=published.translation_key)
    registrations.exclude(pk=registrations.order_by("pk").first().pk).delete()
    notice = publish_new_date(admin_client, published)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            decide_url(notice), {"action": "send"}, follow=True
        )
    assert "1 person will be told of the change." in response.content.decode()


def test_a_notice_left_undecided_is_recalled_on_the_workshop(admin_client, published):
    notice = publish_new_date(admin_client, published)
    # The editor went elsewhere; opening the workshop again recalls the decision.
    html = admin_client.get(edit_url(published)).content.decode()
    assert "has not been told to the registrants yet" in html
    assert decide_url(notice) in html
    admin_client.post(decide_url(notice), {"action": "dismiss"})
    html = admin_client.get(edit_url(published)).content.decode()
    assert "has not been told to the registrants yet" not in html
