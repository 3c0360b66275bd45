"""The "Remove personal data" screen of a workshop: who may use it, the preview, the
download, the confirmation and the purge, and what the audit log says."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from tests.factories import WorkshopPageFactory, admin_user, both_page_classes
from tests.services.test_retention import SECRETS, ended, populate
from wagtail_atelier import links
from wagtail_atelier.admin.purge import EXPORT_ACTION
from wagtail_atelier.links import workshop_admin_url
from wagtail_atelier.models import (
    OutgoingMail,
    Registration,
    TablePlan,
    WorkshopStatistics,
)
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.services.retention import PURGE_ACTION

pytestmark = [pytest.mark.django_db, both_page_classes]

MANAGE = "wagtail_atelier.manage_personal_data"


@pytest.fixture
def users(django_user_model):
    """Every kind of admin user, as the permission matrix of the other screens."""
    return {
        "anonymous": None,
        "editor": admin_user(django_user_model, "editor"),
        "viewer": admin_user(
            django_user_model, "viewer", "wagtail_atelier.view_registration"
        ),
        "changer": admin_user(
            django_user_model,
            "changer",
            "wagtail_atelier.change_registration",
            "wagtail_atelier.view_case_details",
        ),
        "purger": admin_user(django_user_model, "purger", MANAGE),
        "superuser": django_user_model.objects.create_superuser(
            username="root", email="root@example.org", password="x"
        ),
    }


#: Who may open the screen, download and purge.
MAY_PURGE = {"purger", "superuser"}


@pytest.fixture
def aged(index):
    page = WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Aarau", slug="aarau", **ended(240)
    )
    populate(page)
    return page


def purge_url(page) -> str:
    return workshop_admin_url("purge", page)


def download_url(page) -> str:
    return workshop_admin_url("purge_download", page)


def text(response) -> str:
    return response.content.decode()


def untouched(page) -> bool:
    return (
        not Registration.objects.filter(
            workshop_key=page.translation_key, anonymised_at__isnull=False
        ).exists()
        and TablePlan.objects.filter(workshop_key=page.translation_key).exists()
    )


# -- who may do what -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "editor", "viewer", "changer"])
def test_only_users_who_manage_personal_data_get_in(client, users, aged, role):
    user = users[role]
    if user is not None:
        client.force_login(user)
    for response in (
        client.get(purge_url(aged)),
        client.post(purge_url(aged), {"confirm": "on"}),
        client.post(download_url(aged)),
    ):
        assert response.status_code == 302, role
        if user is None:
            assert reverse("wagtailadmin_login") in response.url
        else:
            assert response.url == reverse("wagtailadmin_home")
            assert "permission" in str(list(get_messages(response.wsgi_request))[-1])
        assert "Content-Disposition" not in response
        assert SECRETS["name"] not in text(response)
    assert untouched(aged)
    assert not PageLogEntry.objects.filter(
        action__in=[PURGE_ACTION, EXPORT_ACTION]
    ).exists()


@pytest.mark.parametrize("role", sorted(MAY_PURGE))
def test_users_who_manage_personal_data_see_the_preview(client, users, aged, role):
    client.force_login(users[role])
    response = client.get(purge_url(aged))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert untouched(aged)


def test_the_screen_of_a_page_that_is_not_a_workshop_is_not_found(client, users, index):
    client.force_login(users["purger"])
    url = reverse("wagtail_atelier_workshops:purge", args=[index.pk])
    assert client.get(url, follow=True).status_code == 404


def test_the_workshop_editor_links_to_the_screen_only_for_those_allowed(
    client, users, aged
):
    edit = reverse("wagtailadmin_pages:edit", args=[aged.pk])
    for role, shown in (
        ("editor", False),
        ("changer", False),
        ("purger", True),
        ("superuser", True),
    ):
        client.force_login(users[role])
        response = client.get(edit)
        assert response.status_code == 200, role
        assert (purge_url(aged) in text(response)) is shown, role


# -- step 1: the preview and the download ------------------------------------------


def count_cell(html: str, name: str) -> str:
    match = re.search(
        rf'data-count="{name}">\s*<th scope="row">[^<]*</th>\s*<td[^>]*>(\d+)</td>',
        html,
    )
    assert match, name
    return match.group(1)


def test_the_preview_counts_what_goes_and_shows_what_stays(client, users, aged):
    client.force_login(users["purger"])
    html = text(client.get(purge_url(aged)))
    assert count_cell(html, "registrations_anonymised") == "6"
    assert count_cell(html, "mails_deleted") == "7"
    assert count_cell(html, "feedback_answers_deleted") == "1"
    assert count_cell(html, "feedback_answers_blanked") == "1"
    assert count_cell(html, "table_plans_deleted") == "1"
    assert count_cell(html, "harvests_deleted") == "1"
    assert count_cell(html, "harvests_kept") == "1"
    # The statistics that will be kept, with their labels.
    assert "Case presenters" in html and "Participants" in html
    assert "Bern" in html and "Zurich" in html and "Italian" in html
    assert "1 confirmed person agreed to share their contact" in html
    # Both steps, and the preview names nobody.
    assert download_url(aged) in html
    assert 'name="confirm"' in html
    for secret in SECRETS.values():
        assert secret not in html
    assert untouched(aged)


def test_the_download_holds_all_the_personal_data_and_is_logged_without_it(
    client, users, aged
):
    # A mail not sent yet still holds the person's self-service link.
    zora = Registration.objects.get(email=SECRETS["email"])
    link = links.registration_url(zora, aged)
    OutgoingMail.objects.create(
        kind=MailKind.REMINDER,
        registration=zora,
        to=[zora.email],
        language="de",
        subject="Erinnerung",
        body_text=f"Ihre Anmeldung: {link}",
        next_attempt_at=timezone.now(),
    )
    client.force_login(users["purger"])
    assert client.get(download_url(aged)).status_code == 405
    response = client.post(download_url(aged))
    assert zora.token not in response.content.decode()
    assert "[personal link hidden]" in response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        'attachment; filename="aarau-personal-data.json"'
    )
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["workshop"]["title"] == "Praxiswerkstatt Aarau"
    data = document["data"]
    assert len(data["wagtail_atelier.Registration"]) == 6
    assert len(data["wagtail_atelier.OutgoingMail"]) == 8
    assert len(data["wagtail_atelier.FeedbackAnswer"]) == 2
    assert len(data["wagtail_atelier.TableHarvest"]) == 2
    assert len(data["wagtail_atelier.TablePlan"]) == 1
    zora = next(
        row
        for row in data["wagtail_atelier.Registration"]
        if row["email"] == SECRETS["email"]
    )
    assert zora["last_name"] == SECRETS["name"]
    assert zora["case_description"] == SECRETS["case"]
    assert zora["languages"] == ["de", "fr"]
    # The links are no part of the export.
    assert "link_nonce" not in zora and "link_digest" not in zora
    # Downloading changes nothing, and is recorded with counts only.
    assert untouched(aged)
    entry = PageLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.page_id == aged.pk and entry.user == users["purger"]
    assert entry.data["wagtail_atelier.Registration"] == 6
    logged = json.dumps([entry.label, entry.data], ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret not in logged


# -- step 2: the purge -------------------------------------------------------------


def test_without_the_confirmation_nothing_is_removed(client, users, aged):
    client.force_login(users["purger"])
    response = client.post(purge_url(aged), {})
    assert response.status_code == 400
    html = text(response)
    assert 'role="alert"' in html
    assert "Tick the box to confirm" in html
    assert 'aria-invalid="true"' in html
    assert untouched(aged)
    assert OutgoingMail.objects.filter(workshop_key=aged.translation_key).count() == 7
    assert not WorkshopStatistics.objects.exists()
    assert not PageLogEntry.objects.filter(action=PURGE_ACTION).exists()


def test_the_purge_removes_the_data_and_logs_counts_only(client, users, aged):
    client.force_login(users["purger"])
    response = client.post(purge_url(aged), {"confirm": "on"})
    assert response.status_code == 302
    assert response.url == purge_url(aged)
    message = str(list(get_messages(response.wsgi_request))[-1])
    assert "Mails deleted: 7" in message
    assert "Registrations anonymised" in message
    for secret in SECRETS.values():
        assert secret not in message

    assert not Registration.objects.filter(
        workshop_key=aged.translation_key, anonymised_at__isnull=True
    ).exists()
    assert not OutgoingMail.objects.filter(workshop_key=aged.translation_key).exists()
    assert not TablePlan.objects.exists()
    statistics = WorkshopStatistics.objects.get(workshop_key=aged.translation_key)
    assert statistics.counts["roles"]["case_presenter"]["confirmed"] == 2

    entry = PageLogEntry.objects.get(action=PURGE_ACTION)
    assert entry.page_id == aged.pk and entry.user == users["purger"]
    assert entry.label == "Praxiswerkstatt Aarau"
    assert entry.data["registrations_anonymised"] == 6
    assert entry.data["mails_deleted"] == 7
    logged = json.dumps([entry.label, entry.data], ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret not in logged
    # The page's history shows the entry with its registered label.
    history = text(client.get(reverse("wagtailadmin_pages:history", args=[aged.pk])))
    assert "Personal data of the workshop removed" in history

    # Afterwards the screen says there is nothing left, and offers no purge.
    html = text(client.get(purge_url(aged)))
    assert "holds no personal data any more" in html
    assert 'name="confirm"' not in html
    # A second purge (an old tab) changes nothing and says so.
    response = client.post(purge_url(aged), {"confirm": "on"})
    assert "nothing was changed" in str(list(get_messages(response.wsgi_request))[-1])
    assert PageLogEntry.objects.filter(action=PURGE_ACTION).count() == 1
