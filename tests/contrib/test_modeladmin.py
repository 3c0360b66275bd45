"""Registrations and mails in the Wagtail admin: who sees what, the actions, the
exports, the summary panel on the workshop page, and the listing's query budget."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield
from wagtail.users.models import UserProfile

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    registration_data,
    route,
    translate,
)
from wagtail_atelier.links import registration_url as registration_self_service_url
from wagtail_atelier.models import OutgoingMail, Registration, WorkshopPage
from wagtail_atelier.models.mail import MailKind, MailStatus
from wagtail_atelier.panels import RegistrationSummaryPanel
from wagtail_atelier.services import registration as services
from wagtail_atelier.services.mail import render_intent

pytestmark = pytest.mark.django_db

# The person whose data must not leak: searched for in every denied response.
SECRET_LAST_NAME = "Verborgenhuber"
SECRET_EMAIL = "zoe.verborgenhuber@example.org"


# -- users -----------------------------------------------------------------------------


def admin_user(django_user_model, username, *permissions, editor=True):
    """A Wagtail admin user in the "Editors" group (pages, images, documents; no
    registrations), plus ``permissions`` ("app_label.codename")."""
    user = django_user_model.objects.create_user(username=username, password="x")
    english_admin(user)
    if editor:
        user.groups.add(Group.objects.get(name="Editors"))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def english_admin(user):
    # Assertions read the admin in English, whatever the catalogues translate.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def users(django_user_model):
    return {
        "anonymous": None,
        "editor": admin_user(django_user_model, "editor"),
        "viewer": admin_user(
            django_user_model, "viewer", "wagtail_atelier.view_registration"
        ),
        "changer": admin_user(
            django_user_model, "changer", "wagtail_atelier.change_registration"
        ),
        "mail_viewer": admin_user(
            django_user_model, "mail_viewer", "wagtail_atelier.view_outgoingmail"
        ),
        "mail_changer": admin_user(
            django_user_model, "mail_changer", "wagtail_atelier.change_outgoingmail"
        ),
        "superuser": english_admin(
            django_user_model.objects.create_superuser(
                username="root", email="root@example.org", password="x"
            )
        ),
    }


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


# -- data ------------------------------------------------------------------------------


@pytest.fixture
def workshop(index):
    """A German workshop in a month: 2 places for case presenters, 3 for
    participants."""
    return WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        start_at=timezone.now() + timedelta(days=30),
        case_presenter_capacity=2,
        participant_capacity=3,
    )


@pytest.fixture
def people(workshop):
    """The secret person (confirmed case presenter), one attended participant, one
    cancelled and one waiting participant."""
    return {
        "secret": RegistrationFactory(
            workshop=workshop,
            role="case_presenter",
            first_name="Zoé",
            last_name=SECRET_LAST_NAME,
            email=SECRET_EMAIL,
        ),
        "attended": RegistrationFactory(
            workshop=workshop,
            last_name="Anwesend",
            email="anwesend@example.org",
            attended_at=timezone.now(),
        ),
        "cancelled": RegistrationFactory(
            workshop=workshop,
            last_name="Abgemeldet",
            email="abgemeldet@example.org",
            status="cancelled",
            cancelled_at=timezone.now(),
        ),
        "waiting": RegistrationFactory(
            workshop=workshop,
            last_name="Wartend",
            email="wartend@example.org",
            status="waiting",
        ),
    }


def new_mail(status=MailStatus.FAILED, **fields):
    defaults = {
        "kind": MailKind.CONFIRMATION,
        "to": [SECRET_EMAIL],
        "language": "de",
        "subject": "Anmeldung bestätigt",
        "body_text": f"Guten Tag Zoé {SECRET_LAST_NAME}",
        "status": status,
        "attempts": 3,
        "last_error": "SMTPServerDisconnected: Connection unexpectedly closed",
        "next_attempt_at": timezone.now() + timedelta(hours=1),
    }
    defaults.update(fields)
    return OutgoingMail.objects.create(**defaults)


# -- URLs ------------------------------------------------------------------------------


def registration_url(action, registration=None, query=""):
    if action in ("promote", "cancel", "attended", "not_attended"):
        url = reverse(
            f"wagtail_atelier_admin:registration_{action}", args=[registration.pk]
        )
    elif action in ("index", "create"):
        url = reverse(f"wagtail_atelier_registration_modeladmin_{action}")
    else:
        url = reverse(
            f"wagtail_atelier_registration_modeladmin_{action}", args=[registration.pk]
        )
    return url + query


def mail_url(action, outgoing=None):
    if action == "retry":
        return reverse("wagtail_atelier_admin:outgoingmail_retry", args=[outgoing.pk])
    if action in ("index", "create"):
        return reverse(f"wagtail_atelier_outgoingmail_modeladmin_{action}")
    return reverse(
        f"wagtail_atelier_outgoingmail_modeladmin_{action}", args=[outgoing.pk]
    )


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


LOGIN = "login"
DENIED = "denied"
OK = "ok"

ROLES = (
    "anonymous",
    "editor",
    "viewer",
    "changer",
    "mail_viewer",
    "mail_changer",
    "superuser",
)
SEE_REGISTRATIONS = {"viewer", "changer", "superuser"}
CHANGE_REGISTRATIONS = {"changer", "superuser"}
SEE_MAILS = {"mail_viewer", "mail_changer", "superuser"}


def expected(role: str, ok_for: set[str]) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role in ok_for else DENIED


def reg(action, who=None, query=""):
    return lambda people, outgoing: registration_url(
        action, people[who] if who else None, query
    )


def ml(action, with_mail=True):
    return lambda people, outgoing: mail_url(action, outgoing if with_mail else None)


# Every URL of the two admins: (name, URL from the people and a failed mail, who may
# use it, whether a permitted response shows the secret person: the control that
# proves the leak check below would catch a leak).
ADMIN_URLS = [
    ("index", reg("index"), SEE_REGISTRATIONS, True),
    (
        "index filtered",
        reg("index", query="?role__exact=case_presenter"),
        SEE_REGISTRATIONS,
        True,
    ),
    ("search", reg("index", query=f"?q={SECRET_LAST_NAME}"), SEE_REGISTRATIONS, True),
    ("export csv", reg("index", query="?export=csv"), SEE_REGISTRATIONS, True),
    ("export xlsx", reg("index", query="?export=xlsx"), SEE_REGISTRATIONS, False),
    ("inspect", reg("inspect", "secret"), SEE_REGISTRATIONS, True),
    ("history", reg("history", "secret"), SEE_REGISTRATIONS, True),
    ("edit", reg("edit", "secret"), CHANGE_REGISTRATIONS, True),
    # Only the superuser has delete_registration (and only for a cancelled one or one
    # of a past workshop, see test_delete_*).
    ("delete", reg("delete", "cancelled"), {"superuser"}, False),
    ("create", reg("create"), set(), False),
    ("promote", reg("promote", "waiting"), CHANGE_REGISTRATIONS, False),
    ("cancel", reg("cancel", "secret"), CHANGE_REGISTRATIONS, True),
    ("attended", reg("attended", "secret"), CHANGE_REGISTRATIONS, True),
    ("not attended", reg("not_attended", "attended"), CHANGE_REGISTRATIONS, False),
    ("mail index", ml("index", False), SEE_MAILS, False),
    ("mail inspect", ml("inspect"), SEE_MAILS, True),
    ("mail history", ml("history"), SEE_MAILS, False),
    ("mail edit", ml("edit"), set(), False),  # a mail is a record
    ("mail delete", ml("delete"), {"superuser"}, False),
    ("mail create", ml("create", False), set(), False),
    ("mail retry", ml("retry"), {"mail_changer", "superuser"}, False),
]
OBJECT_URLS = [entry for entry in ADMIN_URLS if "index" not in entry[0]]
OBJECT_URLS = [
    entry for entry in OBJECT_URLS if not entry[0].startswith(("export", "search"))
]


def check_outcome(response, outcome) -> list[str]:
    """What is wrong with ``response`` for ``outcome`` (an empty list if nothing)."""
    problems = []
    status, location = response.status_code, response.get("Location", "")
    if outcome == LOGIN:
        if status != 302 or not location.startswith(reverse("wagtailadmin_login")):
            problems.append(f"not sent to the login ({status} {location})")
    elif outcome == DENIED:
        # Wagtail's answer: back to the dashboard with "Sorry, you do not have
        # permission to access this area."
        levels = [m.level_tag for m in get_messages(response.wsgi_request)]
        if status != 302 or location != reverse("wagtailadmin_home"):
            problems.append(f"not denied ({status} {location})")
        elif "error" not in levels:
            problems.append("denied without a message")
    elif status != 200:
        problems.append(f"refused ({status} {location})")
    if outcome != OK:
        content = body(response).decode("utf-8", "replace")
        if SECRET_LAST_NAME in content or SECRET_EMAIL in content:
            problems.append("PERSONAL DATA IN THE RESPONSE")
    return problems


def assert_outcome(response, outcome):
    assert check_outcome(response, outcome) == []


@pytest.mark.parametrize(
    ("build_url", "ok_for", "shows_secret"),
    [entry[1:] for entry in ADMIN_URLS],
    ids=[entry[0] for entry in ADMIN_URLS],
)
def test_every_admin_url_obeys_the_permissions(
    users, people, build_url, ok_for, shows_secret
):
    url = build_url(people, new_mail())
    problems = {}
    for role in ROLES:
        client = client_for(Client(), users[role])
        response = client.get(url)
        outcome = expected(role, ok_for)
        if found := check_outcome(response, outcome):
            problems[role] = found
        if outcome == OK and shows_secret:
            assert SECRET_LAST_NAME in body(response).decode(), role
    assert problems == {}


@pytest.mark.parametrize(
    ("build_url", "ok_for"),
    [entry[1:3] for entry in OBJECT_URLS],
    ids=[entry[0] for entry in OBJECT_URLS],
)
def test_unknown_ids_are_not_revealed_to_users_without_permission(
    users, build_url, ok_for
):
    # Someone who may not see the model cannot tell an id that exists from one
    # that does not: both answer "no permission".
    class Missing:
        pk = 999999

    missing = dict.fromkeys(("secret", "cancelled", "waiting", "attended"), Missing())
    url = build_url(missing, Missing())
    may_see = SEE_MAILS if "/outgoingmail/" in url else SEE_REGISTRATIONS
    problems = {}
    for role in ROLES:
        response = client_for(Client(), users[role]).get(url)
        if role in may_see:
            # Not found (the test site's i18n URLs redirect to /de/admin/... first),
            # or no permission for this action.
            assert response.status_code in (302, 404)
            if response.status_code == 302:
                assert response["Location"] in (
                    "/de" + url,
                    reverse("wagtailadmin_home"),
                )
        elif found := check_outcome(response, expected(role, ok_for)):
            problems[role] = found
    assert problems == {}


ACTIONS = [
    ("promote", "waiting"),
    ("cancel", "secret"),
    ("attended", "secret"),
    ("not_attended", "attended"),
]


def registration_state(registration):
    registration.refresh_from_db()
    return (registration.status, registration.attended_at, registration.cancelled_at)


@pytest.mark.parametrize(("action", "who"), ACTIONS)
def test_actions_change_nothing_without_the_change_permission(
    users, people, action, who, django_capture_on_commit_callbacks
):
    registration = people[who]
    before = registration_state(registration)
    for role in ("anonymous", "editor", "viewer", "mail_changer"):
        client = client_for(Client(), users[role])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(registration_url(action, registration))
        assert_outcome(response, LOGIN if role == "anonymous" else DENIED)
        assert registration_state(registration) == before, role
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["changer", "superuser"])
@pytest.mark.parametrize(("action", "who"), ACTIONS)
def test_actions_work_with_the_change_permission(
    client, users, people, role, action, who, django_capture_on_commit_callbacks
):
    registration = people[who]
    before = registration_state(registration)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(client, users[role]).post(
            registration_url(action, registration)
        )
    assert response.status_code == 302
    assert registration_state(registration) != before


@pytest.mark.parametrize(("action", "who"), ACTIONS)
def test_a_get_only_asks(client, users, people, action, who):
    registration = people[who]
    before = registration_state(registration)
    response = client_for(client, users["changer"]).get(
        registration_url(action, registration)
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'method="post"' in content
    assert registration.last_name in content
    assert registration_state(registration) == before


# -- the actions -----------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_cancel_frees_the_seat_and_moves_the_first_waiting_person_up(
    client, users, workshop, django_capture_on_commit_callbacks
):
    first, second = (
        RegistrationFactory(workshop=workshop, role="case_presenter", last_name=name)
        for name in ("Erste", "Zweite")
    )
    waiting = RegistrationFactory(
        workshop=workshop, role="case_presenter", status="waiting", last_name="Wartend"
    )
    back = registration_url("index", query=f"?workshop_key={workshop.translation_key}")
    client = client_for(client, users["changer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(registration_url("cancel", first), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.is_cancelled and first.cancelled_at is not None
    assert waiting.is_confirmed and waiting.promoted_at is not None
    assert {tuple(message.to) for message in mail.outbox} == {
        (first.email,),
        (waiting.email,),
    }
    [message] = messages_of(response)
    assert "Erste" in message and "Wartend" in message
    second.refresh_from_db()
    assert second.is_confirmed


def test_staff_may_cancel_after_the_workshop_started(
    client, users, index, django_capture_on_commit_callbacks
):
    past = WorkshopPageFactory(parent=index, past=True)
    registration = RegistrationFactory(workshop=past)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(client, users["changer"]).post(
            registration_url("cancel", registration)
        )
    registration.refresh_from_db()
    assert registration.is_cancelled


def test_promote_warns_when_it_goes_beyond_the_limit(
    client, users, workshop, django_capture_on_commit_callbacks
):
    for name in ("Eins", "Zwei"):
        RegistrationFactory(workshop=workshop, role="case_presenter", last_name=name)
    waiting = RegistrationFactory(
        workshop=workshop, role="case_presenter", status="waiting"
    )
    client = client_for(client, users["changer"])

    page = client.get(registration_url("promote", waiting)).content.decode()
    assert "All 2 places for Case presenters are taken" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(registration_url("promote", waiting))
    waiting.refresh_from_db()
    assert waiting.is_confirmed
    assert [message.to for message in mail.outbox] == [[waiting.email]]
    assert response["Location"] == registration_url("index")


def test_an_action_that_no_longer_applies_changes_nothing_and_says_so(
    client, users, people, django_capture_on_commit_callbacks
):
    confirmed = people["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(client, users["changer"]).post(
            registration_url("promote", confirmed)
        )
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.promoted_at is None
    assert mail.outbox == []
    assert len(messages_of(response)) == 1

    response = client.post(registration_url("cancel", people["cancelled"]))
    assert response.status_code == 302
    assert mail.outbox == []


def test_attendance_is_marked_and_unmarked(client, users, people):
    registration = people["secret"]
    client = client_for(client, users["changer"])
    client.post(registration_url("attended", registration))
    registration.refresh_from_db()
    assert registration.attended_at is not None

    client.post(registration_url("not_attended", registration))
    registration.refresh_from_db()
    assert registration.attended_at is None


def test_waiting_people_cannot_be_marked_attended(client, users, people):
    waiting = people["waiting"]
    client_for(client, users["changer"]).post(registration_url("attended", waiting))
    waiting.refresh_from_db()
    assert waiting.attended_at is None


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.org/", "//evil.example.org/x", ""]
)
def test_actions_only_redirect_inside_the_site(client, users, people, next_url):
    response = client_for(client, users["changer"]).post(
        registration_url("attended", people["secret"]), {"next": next_url}
    )
    assert response["Location"] == registration_url("index")


def test_actions_are_in_the_audit_log_without_the_persons_name(client, users, people):
    registration = people["secret"]
    client = client_for(client, users["changer"])
    client.post(registration_url("attended", registration))

    entry = ModelLogEntry.objects.get(action="wagtail_atelier.registration.attended")
    assert entry.user == users["changer"]
    assert SECRET_LAST_NAME not in entry.label
    history = client.get(registration_url("history", registration)).content.decode()
    assert "Marked as attended" in history


# -- buttons ---------------------------------------------------------------------------


def row_of(content: str, last_name: str) -> str:
    """The listing's table row that shows ``last_name``."""
    start = content.index(last_name)
    row_start = content.rindex("<tr", 0, start)
    return content[row_start : content.index("</tr>", start)]


def test_the_listing_offers_the_actions_that_apply_to_each_row(client, users, people):
    content = client_for(client, users["changer"]).get(registration_url("index"))
    content = content.content.decode()

    waiting = row_of(content, "Wartend")
    assert registration_url("promote", people["waiting"]) in waiting
    assert registration_url("cancel", people["waiting"]) in waiting
    assert registration_url("attended", people["waiting"]) not in waiting

    secret = row_of(content, SECRET_LAST_NAME)
    assert registration_url("promote", people["secret"]) not in secret
    assert registration_url("cancel", people["secret"]) in secret
    assert registration_url("attended", people["secret"]) in secret

    assert registration_url("not_attended", people["attended"]) in row_of(
        content, "Anwesend"
    )
    cancelled = row_of(content, "Abgemeldet")
    assert "/cancel/" not in cancelled and "/promote/" not in cancelled
    # Each action returns to the listing it was started from.
    assert "?next=%2Fadmin%2Fwagtail_atelier%2Fregistration%2F" in secret


def test_viewers_get_no_action_edit_or_add_buttons(client, users, people):
    content = client_for(client, users["viewer"]).get(registration_url("index"))
    content = content.content.decode()
    assert SECRET_LAST_NAME in content
    for action in ("promote", "cancel", "attended", "not_attended"):
        assert f"/registration/{action}/" not in content
    assert "/registration/edit/" not in content
    assert "/registration/create/" not in content


def test_nobody_adds_registrations_in_the_admin(client, users):
    response = client_for(client, users["superuser"]).get(registration_url("index"))
    assert "/registration/create/" not in response.content.decode()
    assert_outcome(client.get(registration_url("create")), DENIED)


def test_inspect_shows_the_workshop_the_waiting_position_and_the_actions(
    client, users, people
):
    response = client_for(client, users["changer"]).get(
        registration_url("inspect", people["waiting"])
    )
    content = response.content.decode()
    assert "Praxiswerkstatt Suhr" in content
    assert "wartend@example.org" in content
    assert registration_url("promote", people["waiting"]) in content
    assert registration_url("cancel", people["waiting"]) in content
    # back to this page after the action
    assert "next=%2Fadmin%2Fwagtail_atelier%2Fregistration%2Finspect%2F" in content


# -- editing and deleting --------------------------------------------------------------


def edit_data(registration, **changes):
    data = {
        name: getattr(registration, name)
        for name in (
            "first_name",
            "last_name",
            "email",
            "phone",
            "organisation",
            "town",
            "canton",
            "accessibility_needs",
            "dietary_note",
        )
    }
    data.update(changes)
    return data


def test_staff_correct_a_typo_but_not_the_status_role_or_workshop(
    client, users, people, index
):
    registration = people["secret"]
    other = WorkshopPageFactory(parent=index)
    response = client_for(client, users["changer"]).post(
        registration_url("edit", registration),
        edit_data(
            registration,
            last_name="Verborgenhuber-Meier",
            email="  Zoe.Meier@Example.org ",
            status="cancelled",
            role="participant",
            workshop_key=str(other.translation_key),
            privacy_notice_version="99",
        ),
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.last_name == "Verborgenhuber-Meier"
    assert registration.email == "zoe.meier@example.org"
    assert registration.status == "confirmed"
    assert registration.role == "case_presenter"
    assert registration.workshop_key == people["waiting"].workshop_key
    assert registration.privacy_notice_version == "1"
    entry = ModelLogEntry.objects.get(action="wagtail.edit")
    assert "Verborgenhuber" not in entry.label


def test_an_address_already_registered_for_the_workshop_is_refused(
    client, users, people
):
    registration = people["secret"]
    response = client_for(client, users["changer"]).post(
        registration_url("edit", registration),
        edit_data(registration, email="WARTEND@example.org"),
    )
    assert response.status_code == 200
    assert "already registered for this workshop" in response.content.decode()
    registration.refresh_from_db()
    assert registration.email == SECRET_EMAIL


def test_delete_only_cancelled_or_past_registrations(client, users, people, index):
    client = client_for(client, users["superuser"])
    # Active, workshop to come: cancel first (frees the seat, moves people up).
    assert_outcome(client.get(registration_url("delete", people["secret"])), DENIED)
    assert_outcome(client.post(registration_url("delete", people["secret"])), DENIED)
    assert Registration.objects.filter(pk=people["secret"].pk).exists()
    listing = client.get(registration_url("index")).content.decode()
    assert registration_url("delete", people["secret"]) not in listing
    assert registration_url("delete", people["cancelled"]) in listing

    response = client.post(registration_url("delete", people["cancelled"]))
    assert response.status_code == 302
    assert not Registration.objects.filter(pk=people["cancelled"].pk).exists()
    entry = ModelLogEntry.objects.get(action="wagtail.delete")
    assert "Abgemeldet" not in entry.label

    past = RegistrationFactory(workshop=WorkshopPageFactory(parent=index, past=True))
    assert client.post(registration_url("delete", past)).status_code == 302
    assert not Registration.objects.filter(pk=past.pk).exists()


# -- menu ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_registrations", "sees_mails"),
    [
        ("editor", False, False),
        ("viewer", True, False),
        ("changer", True, False),
        ("mail_viewer", False, True),
        ("superuser", True, True),
    ],
)
def test_the_menu_shows_only_what_the_user_may_open(
    client, users, role, sees_registrations, sees_mails
):
    content = client_for(client, users[role]).get(reverse("wagtailadmin_home"))
    content = content.content.decode()
    assert (registration_url("index") in content) == sees_registrations
    assert (mail_url("index") in content) == sees_mails


# -- exports ---------------------------------------------------------------------------


@pytest.fixture
def two_workshops(workshop, index):
    other = WorkshopPageFactory(parent=index, title="Praxiswerkstatt Olten")
    RegistrationFactory(
        workshop=workshop,
        role="case_presenter",
        first_name="Zoé",
        last_name=SECRET_LAST_NAME,
        email=SECRET_EMAIL,
        phone="+41 79 123 45 67",
        organisation='=HYPERLINK("https://evil.example.org","klick")',
        languages=["de", "fr"],
        share_contact=True,
        created_at=None,
    )
    RegistrationFactory(workshop=workshop, last_name="Wartend", status="waiting")
    RegistrationFactory(workshop=workshop, last_name="Abgemeldet", status="cancelled")
    RegistrationFactory(workshop=other, last_name="Olten")
    return workshop, other


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # utf-8-sig: the export starts with a BOM (for Excel).
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[dict]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    rows = list(workbook.active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_csv_export_holds_the_rows_of_the_current_filter(client, users, two_workshops):
    workshop, _other = two_workshops
    client = client_for(client, users["viewer"])
    query = f"?workshop_key={workshop.translation_key}&status__exact=confirmed"
    rows = csv_rows(client.get(registration_url("index", query=query + "&export=csv")))

    assert [row["Last name"] for row in rows] == [SECRET_LAST_NAME]


def test_exports_show_labels_local_times_and_no_formulas(client, users, two_workshops):
    client = client_for(client, users["viewer"])
    query = f"?q={SECRET_LAST_NAME}"
    registration = Registration.objects.get(last_name=SECRET_LAST_NAME)
    local_created = timezone.localtime(registration.created_at).replace(
        tzinfo=None, microsecond=0
    )
    [row] = csv_rows(client.get(registration_url("index", query=query + "&export=csv")))
    [sheet_row] = xlsx_rows(
        client.get(registration_url("index", query=query + "&export=xlsx"))
    )
    workshop_date = timezone.localtime(two_workshops[0].start_at)
    assert row["Workshop"] == f"Praxiswerkstatt Suhr ({workshop_date:%d.%m.%Y})"
    assert row["Role"] == "I bring a case"
    assert row["Status"] == "Confirmed"
    assert row["Email"] == SECRET_EMAIL
    assert row["Phone"] == "+41 79 123 45 67"  # phone numbers stay as they are
    assert row["Caring community or organisation"].startswith("'=HYPERLINK")
    assert row["Languages for the discussions"] == "German, French"
    assert row["Shares contact with the other participants"] == "yes"
    assert row["Attendance marked at"] == ""
    assert row["Registered at"] == str(local_created)

    assert sheet_row["Last name"] == SECRET_LAST_NAME
    # openpyxl stores a text starting with "=" as a formula: neutralised here too.
    assert sheet_row["Caring community or organisation"].startswith("'=HYPERLINK")
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            body(client.get(registration_url("index", query=query + "&export=xlsx")))
        )
    )
    assert all(
        cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row
    )
    assert sheet_row["Registered at"] == local_created
    assert sheet_row["Role"] == "I bring a case"


def test_xlsx_export_holds_the_rows_of_the_current_filter(client, users, two_workshops):
    _workshop, other = two_workshops
    client = client_for(client, users["superuser"])
    rows = xlsx_rows(
        client.get(
            registration_url(
                "index", query=f"?workshop_key={other.translation_key}&export=xlsx"
            )
        )
    )
    assert len(rows) == 1
    assert "Olten" in rows[0].values()
    all_rows = xlsx_rows(client.get(registration_url("index", query="?export=xlsx")))
    assert len(all_rows) == 4


def test_control_characters_typed_by_a_registrant_do_not_break_the_xlsx(
    client, users, workshop
):
    RegistrationFactory(workshop=workshop, organisation="Verein\x0bSuhr\x1f")
    rows = xlsx_rows(
        client_for(client, users["viewer"]).get(
            registration_url("index", query="?export=xlsx")
        )
    )
    assert rows[0]["Caring community or organisation"] == "VereinSuhr"


def test_html_typed_by_a_registrant_is_shown_as_text(client, users, workshop):
    registration = RegistrationFactory(
        workshop=workshop, first_name="<script>alert(1)</script>", last_name="Muster"
    )
    client = client_for(client, users["changer"])
    pages = [
        client.get(registration_url("index")),
        client.get(registration_url("inspect", registration)),
        client.get(registration_url("cancel", registration)),
    ]
    response = client.post(registration_url("attended", registration), follow=True)
    pages.append(response)  # the listing with the success message
    for page in pages:
        content = page.content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# -- mails -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [MailStatus.FAILED, MailStatus.GAVE_UP])
def test_retry_sends_a_failed_mail_now(client, users, status):
    outgoing = new_mail(status=status)
    client = client_for(client, users["mail_changer"])
    listing = client.get(
        mail_url("index") + "?status__exact=" + status
    ).content.decode()
    assert mail_url("retry", outgoing) in listing

    response = client.post(mail_url("retry", outgoing))
    assert response.status_code == 302
    outgoing.refresh_from_db()
    assert outgoing.status == MailStatus.SENT
    assert [message.to for message in mail.outbox] == [[SECRET_EMAIL]]
    assert ModelLogEntry.objects.filter(action="wagtail_atelier.mail.retry").exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@override_settings(EMAIL_BACKEND="tests.contrib.test_modeladmin.BrokenBackend")
def test_a_retry_that_fails_again_says_so_and_keeps_the_mail(client, users):
    outgoing = new_mail(status=MailStatus.GAVE_UP)
    response = client_for(client, users["mail_changer"]).post(
        mail_url("retry", outgoing)
    )
    outgoing.refresh_from_db()
    assert outgoing.status in (MailStatus.FAILED, MailStatus.GAVE_UP)
    assert "mail server down" in outgoing.last_error
    assert outgoing.attempts == 4
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error"
    assert "mail server down" in str(message)


def test_sent_mails_are_not_retried(client, users):
    outgoing = new_mail(status=MailStatus.SENT)
    client = client_for(client, users["mail_changer"])
    assert (
        mail_url("retry", outgoing)
        not in client.get(mail_url("index")).content.decode()
    )
    client.post(mail_url("retry", outgoing))
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["mail_viewer", "mail_changer", "superuser"])
def test_nobody_copies_a_self_service_or_feedback_link_from_a_mail(
    client, users, workshop, who, notify_each_registration
):
    """Whoever may read the mails must not get the key to someone's registration
    or feedback: the links are hidden in the admin, as text and as HTML."""
    registration = services.register(
        workshop=workshop,
        data=registration_data(SECRET_EMAIL, "case_presenter"),
        language="de",
    ).registration
    # Rendered as after the commit but not sent: the stored body has the link.
    confirmation = render_intent(registration.mails.get(kind=MailKind.CONFIRMATION))
    self_service = registration_self_service_url(registration, workshop)
    assert registration.token and self_service.endswith(f"/{registration.token}/")
    assert self_service in confirmation.body_text  # the control
    feedback_token = "fEeDbAcK" + "x" * 35
    feedback = "http://testserver" + route(workshop, "feedback", feedback_token)
    feedback_mail = new_mail(
        kind=MailKind.FEEDBACK_REQUEST,
        body_text=f"Ihre Meinung: {feedback}\nZurückziehen: {feedback}withdraw/",
        body_html=f'<p><a href="{feedback}">{feedback}</a></p>',
    )

    client = client_for(client, users[who])
    for outgoing, token in (
        (confirmation, registration.token),
        (feedback_mail, feedback_token),
    ):
        response = client.get(mail_url("inspect", outgoing))
        assert response.status_code == 200
        content = response.content.decode()
        assert token not in content
        assert "[personal link hidden]" in content
    listing = client.get(mail_url("index")).content.decode()
    assert registration.token not in listing and feedback_token not in listing
    # The admin's own links in a mail stay usable.
    notice = render_intent(registration.mails.get(kind=MailKind.CONTACT_NOTIFICATION))
    inspect = client.get(mail_url("inspect", notice)).content.decode()
    assert f"workshop_key={workshop.translation_key}" in inspect


# -- the summary panel on the workshop page --------------------------------------------


def edit_page_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def panel_counts(content: str) -> dict[str, tuple[str, str, str]]:
    """{role: (confirmed, capacity, waiting)} read from the rendered panel."""
    import re

    counts = {}
    for role in ("case_presenter", "participant"):
        row = re.search(rf'<tr data-role="{role}">(.*?)</tr>', content, re.S).group(1)
        values = dict(re.findall(r'data-count="(\w+)">([^<]*)<', row))
        counts[role] = (values["confirmed"], values["capacity"], values["waiting"])
    return counts


def test_every_editor_of_the_page_sees_the_counts_but_no_names(
    client, users, people, workshop
):
    content = client_for(client, users["editor"]).get(edit_page_url(workshop))
    assert content.status_code == 200
    content = content.content.decode()
    assert panel_counts(content) == {
        "case_presenter": ("1", "2", "0"),
        "participant": ("1", "3", "1"),
    }
    assert SECRET_LAST_NAME not in content and SECRET_EMAIL not in content
    assert "workshop_key=" not in content  # no link to the registrations


def test_users_who_may_see_registrations_get_a_link_to_them(
    client, users, people, workshop
):
    content = client_for(client, users["viewer"]).get(edit_page_url(workshop))
    content = content.content.decode()
    link = registration_url("index", query=f"?workshop_key={workshop.translation_key}")
    assert link in content
    assert SECRET_LAST_NAME not in content

    listing = client.get(link).content.decode()
    assert SECRET_LAST_NAME in listing


def test_counts_are_shared_by_the_language_versions(client, users, workshop, indexes):
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    RegistrationFactory(workshop=workshop, role="participant")
    RegistrationFactory(workshop=french, role="participant")
    RegistrationFactory(workshop=french, role="case_presenter", status="waiting")
    client = client_for(client, users["viewer"])
    for page in (workshop, french):
        content = client.get(edit_page_url(page)).content.decode()
        assert panel_counts(content) == {
            "case_presenter": ("0", "2", "1"),
            "participant": ("2", "3", "0"),
        }
        assert f"workshop_key={workshop.translation_key}" in content


def test_a_new_workshop_shows_zeros(client, users, index, people):
    url = reverse(
        "wagtailadmin_pages:add", args=("wagtail_atelier", "workshoppage", index.pk)
    )
    content = client_for(client, users["editor"]).get(url).content.decode()
    assert panel_counts(content) == {
        "case_presenter": ("0", "unlimited", "0"),
        "participant": ("0", "unlimited", "0"),
    }


def test_no_personal_data_enters_the_page_form_or_revision(
    client, users, people, workshop
):
    client = client_for(client, users["superuser"])
    response = client.get(edit_page_url(workshop))
    assert SECRET_LAST_NAME not in response.content.decode()  # only counts
    # The panel claims no form field: it only renders.
    panel = RegistrationSummaryPanel().bind_to_model(WorkshopPage)
    assert panel.get_form_options() == {}

    # Saved through the editor, the revision holds the page's fields only.
    local = timezone.localtime
    data = nested_form_data(
        {
            "title": "Praxiswerkstatt Suhr (neu)",
            "slug": workshop.slug,
            "start_at": local(workshop.start_at).strftime("%Y-%m-%d %H:%M"),
            "end_at": local(workshop.end_at).strftime("%Y-%m-%d %H:%M"),
            "format": "on_site",
            "venue_name": "Gemeindesaal",
            "street": "Tramstrasse 10",
            "postcode": "5034",
            "town": "Suhr",
            "canton": "AG",
            "workshop_language": "de",
            "is_free": "on",
            "contact_name": "Anna Muster",
            "contact_email": "anna@example.org",
            "case_presenter_capacity": "2",
            "participant_capacity": "3",
            "intro": "Kollegiale Beratung.",
            "body": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    response = client.post(edit_page_url(workshop), data)
    assert response.status_code == 302, response.context["form"].errors
    workshop.refresh_from_db()
    dumped = json.dumps(workshop.latest_revision.content)
    assert "Praxiswerkstatt Suhr (neu)" in dumped
    assert SECRET_LAST_NAME not in dumped and SECRET_EMAIL not in dumped


# -- query budget ----------------------------------------------------------------------

# Index of the registrations (page of 100): session, user, permissions, counts,
# filter choices, the page of rows. Independent of the number of rows.
INDEX_QUERY_BUDGET = 20


@pytest.mark.parametrize("size", [10, 100])
def test_the_listing_costs_the_same_for_10_and_100_registrations(
    client, users, workshop, size, django_assert_max_num_queries
):
    RegistrationFactory.create_batch(size, workshop=workshop)
    client = client_for(client, users["changer"])
    client.get(registration_url("index"))  # warm caches (content types, site)
    with django_assert_max_num_queries(INDEX_QUERY_BUDGET):
        response = client.get(registration_url("index"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr ") >= size


def test_the_listing_query_count_does_not_grow_with_the_rows(client, users, workshop):
    client = client_for(client, users["changer"])
    counts = []
    for size in (10, 90):
        RegistrationFactory.create_batch(size, workshop=workshop)
        client.get(registration_url("index"))
        with CaptureQueriesContext(connection) as queries:
            client.get(registration_url("index"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
