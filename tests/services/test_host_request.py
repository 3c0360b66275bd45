"""Host requests: the public page and form, the mails, the workflow and its log, the
admin (who sees what), and that the requests never become public."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django import forms
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry, Page, Site
from wagtail.search.index import class_is_indexed

from tests.factories import (
    HostRequestFactory,
    HostRequestPageFactory,
    admin_user,
    host_request_form_data,
    route,
    translate,
)
from wagtail_atelier.models import (
    AtelierSettings,
    HostRequest,
    HostRequestPage,
    HostRequestStatus,
    OutgoingMail,
)
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.public.forms import HostRequestForm
from wagtail_atelier.services import host_request as services

pytestmark = pytest.mark.django_db

SECRET_CONTACT = "Verborgenhuber"


@pytest.fixture
def host_pages(translated_roots):
    german = HostRequestPageFactory(
        parent=translated_roots["de"], title="Gastgeber werden", slug="gastgeber"
    )
    return {
        "de": german,
        "fr": translate(german, "fr", title="Organiser un atelier", slug="accueillir"),
        "it": translate(german, "it", title="Ospitare un laboratorio", slug="ospitare"),
    }


@pytest.fixture
def coordinators():
    site = Site.objects.get(is_default_site=True)
    AtelierSettings.objects.update_or_create(
        site=site,
        defaults={
            "host_request_recipients": "koordination@example.org\nnetz@example.org"
        },
    )
    return ["koordination@example.org", "netz@example.org"]


def required_message(language: str) -> str:
    with translation.override(language):
        return str(forms.Field.default_error_messages["required"])


# -- the page -------------------------------------------------------------------------


def test_one_host_request_page_per_language_under_any_page(
    host_pages, translated_roots
):
    other_parent = translated_roots["de"]
    assert not HostRequestPage.can_create_at(other_parent)  # German one exists
    Page.objects.filter(pk__in=[p.pk for p in host_pages.values()]).delete()
    assert HostRequestPage.can_create_at(other_parent)
    assert HostRequestPage.can_create_at(translated_roots["fr"])


def test_the_page_shows_the_form_in_its_language(client, host_pages):
    for language, page in host_pages.items():
        response = client.get(page.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert 'name="organisation"' in html and 'name="privacy_consent"' in html
        assert 'class="atelier-honeypot"' in html
        # The page's language is ticked for the workshop.
        assert re.search(rf'value="{language}"[^>]*checked', html)


def test_a_valid_request_is_stored_acknowledged_and_notified(
    client, host_pages, coordinators, django_capture_on_commit_callbacks
):
    page = host_pages["fr"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page.url,
            host_request_form_data(
                contact_name="Chloé Martin",
                email="Chloe@Example.org",
                languages=["fr", "de"],
                format="either",
                expected_people="30",
            ),
        )
    assert response.status_code == 302
    assert response["Location"] == route(page, "thanks")
    request = HostRequest.objects.get()
    assert request.status == HostRequestStatus.NEW
    assert request.language == "fr"
    assert request.email == "chloe@example.org"
    assert request.languages == ["fr", "de"]
    assert request.expected_people == 30
    assert request.site == Site.objects.get(is_default_site=True)
    assert request.privacy_notice_version == "1"
    acknowledgement, notification = sorted(mail.outbox, key=lambda m: len(m.to))
    assert acknowledgement.to == ["chloe@example.org"]
    with translation.override("fr"):
        assert str(translation.gettext("What you sent us:")) in acknowledgement.body
    assert notification.to == coordinators
    # Who sent it is in the admin, not in the coordinators' mailboxes.
    assert notification.reply_to == []
    assert (
        f"/admin/wagtail_atelier/hostrequest/inspect/{request.pk}/" in notification.body
    )
    kinds = set(OutgoingMail.objects.values_list("kind", flat=True))
    assert kinds == {
        MailKind.HOST_REQUEST_ACKNOWLEDGEMENT,
        MailKind.HOST_REQUEST_NOTIFICATION,
    }
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert 'id="host-request-sent"' in thanks.content.decode()


def test_the_coordinators_learn_where_a_request_is_from_but_not_who_sent_it(
    client, host_pages, coordinators, django_capture_on_commit_callbacks
):
    """The recipients are a site setting, not the host-request permissions: the
    mail says a request came in, from which region, and links to the admin."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            host_pages["de"].url,
            host_request_form_data(
                organisation="Nachbarschaftshilfe Wynental",
                contact_name=f"Regula {SECRET_CONTACT}",
                email="regula.verborgen@example.org",
                phone="+41 79 555 12 34",
                region="Wynental",
                canton="AG",
                venue_accessibility="Rampe beim Hintereingang",
                message="Unsere Präsidentin ist schwer erkrankt.",
            ),
        )
    request = HostRequest.objects.get()
    stored = OutgoingMail.objects.get(kind=MailKind.HOST_REQUEST_NOTIFICATION)
    (sent,) = [m for m in mail.outbox if m.to == coordinators]
    html = sent.alternatives[0][0]
    everything = " ".join(
        [sent.subject, sent.body, html, *sent.reply_to, stored.body_html]
    )
    for secret in (
        SECRET_CONTACT,
        "regula.verborgen",
        "555 12 34",
        "schwer erkrankt",
        "Rampe",
        "Nachbarschaftshilfe",
    ):
        assert secret not in everything, secret
    assert sent.reply_to == []
    assert "Wynental" in sent.subject and "Aargau" in sent.subject
    admin_url = f"/admin/wagtail_atelier/hostrequest/inspect/{request.pk}/"
    assert admin_url in sent.body and admin_url in html


@override_settings(WAGTAIL_ATELIER_HOST_REQUEST_NOTIFY_EMAILS=["fallback@example.org"])
def test_without_site_recipients_the_setting_is_used(client, host_pages):
    client.post(host_pages["de"].url, host_request_form_data())
    assert OutgoingMail.objects.get(kind=MailKind.HOST_REQUEST_NOTIFICATION).to == [
        "fallback@example.org"
    ]


def test_no_recipients_no_notification(client, host_pages):
    client.post(host_pages["de"].url, host_request_form_data())
    assert list(OutgoingMail.objects.values_list("kind", flat=True)) == [
        MailKind.HOST_REQUEST_ACKNOWLEDGEMENT
    ]


def assert_nothing_stored():
    assert not HostRequest.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_field_errors_are_in_the_page_language(
    client, host_pages, coordinators, language
):
    response = client.post(
        host_pages[language].url,
        host_request_form_data(organisation="", languages=None, privacy_consent=None),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert required_message(language) in html
    with translation.override(language):
        assert str(translation.gettext("Choose at least one language.")) in html
    assert_nothing_stored()


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "not-an-address"},
        {"canton": "XX"},
        {"format": "hybrid"},
        {"venue": "maybe"},
        {"languages": ["en"]},
        {"expected_people": "0"},
        {"expected_people": "501"},
        {"expected_people": "zwanzig"},
        {"phone": "call me"},
        {"organisation": "<script>alert(1)</script>"},
        {"message": "x" * 2001},
        {"region": "R" * 201},
    ],
)
def test_bad_input_stores_and_mails_nothing(
    client, host_pages, coordinators, overrides
):
    response = client.post(host_pages["de"].url, host_request_form_data(**overrides))
    assert response.status_code == 200
    assert "atelier-error-summary" in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert_nothing_stored()


def test_the_honeypot_rejects_without_storing(client, host_pages, coordinators):
    response = client.post(
        host_pages["de"].url, host_request_form_data(website="http://spam.example")
    )
    assert response.status_code == 400
    assert_nothing_stored()


@pytest.mark.parametrize("started", ["now", "tampered", None])
def test_the_fill_time_is_checked(client, host_pages, coordinators, started):
    import time

    from wagtail_atelier.public.spam import form_started_token

    token = {
        "now": form_started_token(time.time()),
        "tampered": form_started_token(time.time() - 10)[:-2] + "xx",
        None: None,
    }[started]
    response = client.post(
        host_pages["de"].url, host_request_form_data(form_started=token)
    )
    assert response.status_code == 200
    assert "atelier-error-summary" in response.content.decode()
    assert_nothing_stored()


@override_settings(WAGTAIL_ATELIER_THROTTLE={"ip": (3, 3600), "email": (2, 3600)})
def test_requests_are_throttled(client, host_pages):
    statuses = [
        client.post(
            host_pages["de"].url, host_request_form_data(email="same@example.org")
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert HostRequest.objects.count() == 2


def test_a_get_on_the_thanks_page_stores_nothing(client, host_pages):
    assert client.get(route(host_pages["de"], "thanks")).status_code == 200
    assert_nothing_stored()


# -- fuzzing --------------------------------------------------------------------------

FIELDS = list(HostRequestForm.field_order)
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
values = st.one_of(
    text,
    st.sampled_from(
        ["", " ", "0", "-1", "501", "AG", "de", "on_site", "yes", "on", "x" * 3000]
    ),
    st.lists(st.one_of(text, st.sampled_from(["de", "fr", "it", "en"])), max_size=4),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@pytest.mark.slow
@override_settings(WAGTAIL_ATELIER_THROTTLE=None)
@settings(  # max_examples: the profile's (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.none(), values)),
)
def test_fuzzing_the_host_request_form_never_fails(client, host_pages, changes):
    before = HostRequest.objects.count(), OutgoingMail.objects.count()
    data = host_request_form_data(**changes)
    response = client.post(host_pages["fr"].url, data)
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert (HostRequest.objects.count(), OutgoingMail.objects.count()) == before


# -- the workflow ---------------------------------------------------------------------


@pytest.fixture
def coordinator(django_user_model):
    return django_user_model.objects.create_user(username="koordinatorin", password="x")


def test_allowed_transitions_are_logged_with_who_and_when(coordinator):
    request = HostRequestFactory()
    services.change_status(
        request, status="in_discussion", user=coordinator, note="Telefoniert"
    )
    services.change_status(request, status="declined", user=coordinator)
    services.change_status(request, status="in_discussion", user=coordinator)
    request.refresh_from_db()
    assert request.status == "in_discussion"
    entries = list(
        ModelLogEntry.objects.filter(
            object_id=str(request.pk), action=services.STATUS_ACTION
        ).order_by("timestamp", "pk")
    )
    assert [(e.data["from"], e.data["to"]) for e in entries] == [
        ("new", "in_discussion"),
        ("in_discussion", "declined"),
        ("declined", "in_discussion"),
    ]
    assert all(e.user == coordinator for e in entries)
    assert entries[0].data["note"] == "Telefoniert"
    assert "Telefoniert" in entries[0].message
    assert request.organisation not in entries[0].label  # a neutral title


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("new", "scheduled"),
        ("new", "new"),
        ("scheduled", "in_discussion"),
        ("scheduled", "declined"),
        ("declined", "scheduled"),
        ("withdrawn", "declined"),
        ("in_discussion", "bogus"),
    ],
)
def test_forbidden_transitions_change_nothing(start, target, workshop):
    request = HostRequestFactory(status=start)
    with pytest.raises(services.TransitionNotAllowedError):
        services.change_status(request, status=target, workshop=workshop)
    request.refresh_from_db()
    assert request.status == start
    assert not ModelLogEntry.objects.filter(action=services.STATUS_ACTION).exists()


def test_scheduled_needs_the_workshop_and_mails_its_link(
    workshop_versions, django_capture_on_commit_callbacks
):
    request = HostRequestFactory(status="in_discussion", language="it")
    with pytest.raises(services.WorkshopRequiredError):
        services.change_status(request, status="scheduled")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            request, status="scheduled", workshop=workshop_versions["de"]
        )
    request.refresh_from_db()
    assert request.status == "scheduled"
    assert request.workshop.specific == workshop_versions["de"]
    [message] = mail.outbox
    assert message.to == [request.email]
    # The Italian page, in Italian.
    assert workshop_versions["it"].get_full_url() in message.body
    assert "Laboratorio pratico Suhr" in message.subject
    assert OutgoingMail.objects.get().kind == MailKind.HOST_REQUEST_SCHEDULED


# -- never public ---------------------------------------------------------------------


def test_host_requests_are_never_public(client, host_pages, workshop):
    HostRequestFactory(
        organisation="GEHEIM-ORGANISATION-4711", contact_name=SECRET_CONTACT
    )
    assert not class_is_indexed(HostRequest)
    for url in [host_pages["de"].url, host_pages["fr"].url, workshop.url, "/de/"]:
        html = client.get(url).content.decode()
        assert "GEHEIM-ORGANISATION-4711" not in html
        assert SECRET_CONTACT not in html
    html = client.get("/de/", {"q": "GEHEIM"}).content.decode()
    assert "GEHEIM-ORGANISATION-4711" not in html


# -- site settings --------------------------------------------------------------------


def test_recipient_addresses_are_validated():
    from django.core.exceptions import ValidationError

    from wagtail_atelier.models.settings import split_addresses, validate_addresses

    assert split_addresses("a@example.org, b@example.org;\na@example.org\n") == [
        "a@example.org",
        "b@example.org",
    ]
    validate_addresses("a@example.org\nb@example.org")
    with pytest.raises(ValidationError):
        validate_addresses("a@example.org\nnot an address")


def test_the_settings_page_in_the_admin(admin_client):
    site = Site.objects.get(is_default_site=True)
    url = reverse(
        "wagtailsettings:edit", args=["wagtail_atelier", "ateliersettings", site.pk]
    )
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"host_request_recipients": "not valid", "registration_notifications": "each"},
    )
    assert response.status_code == 200
    assert not AtelierSettings.objects.filter(
        host_request_recipients="not valid"
    ).exists()
    admin_client.post(
        url,
        {
            "host_request_recipients": "k@example.org",
            "registration_notifications": "each",
        },
    )
    assert services.coordinator_recipients(site) == ["k@example.org"]
    assert AtelierSettings.objects.get(site=site).registration_notifications == "each"


# -- the admin ------------------------------------------------------------------------


@pytest.fixture
def users(django_user_model):
    return {
        "editor": admin_user(django_user_model, "editor"),
        "viewer": admin_user(
            django_user_model, "viewer", "wagtail_atelier.view_hostrequest"
        ),
        "changer": admin_user(
            django_user_model,
            "changer",
            "wagtail_atelier.view_hostrequest",
            "wagtail_atelier.change_hostrequest",
        ),
    }


def admin_urls(request) -> dict[str, str]:
    index = reverse("wagtail_atelier_hostrequest_modeladmin_index")
    return {
        "index": index,
        "csv": index + "?export=csv",
        "xlsx": index + "?export=xlsx",
        "search": index + "?q=" + SECRET_CONTACT,
        "inspect": reverse(
            "wagtail_atelier_hostrequest_modeladmin_inspect", args=[request.pk]
        ),
        "edit": reverse(
            "wagtail_atelier_hostrequest_modeladmin_edit", args=[request.pk]
        ),
        "delete": reverse(
            "wagtail_atelier_hostrequest_modeladmin_delete", args=[request.pk]
        ),
        "history": reverse(
            "wagtail_atelier_hostrequest_modeladmin_history", args=[request.pk]
        ),
        "status": reverse(
            "wagtail_atelier_admin:hostrequest_status", args=[request.pk]
        ),
    }


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_every_admin_url_checks_permissions(client, users):
    request = HostRequestFactory(contact_name=f"Zoé {SECRET_CONTACT}")
    for name, url in admin_urls(request).items():
        client.logout()
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/admin/login/" in response["Location"], name

        client.force_login(users["editor"])
        response = client.get(url)
        assert response.status_code in (302, 403), (name, response.status_code)
        assert SECRET_CONTACT not in content(response), name
        # Nor does a POST change anything.
        if name in ("edit", "delete", "status"):
            client.post(url, {"status": "declined", "internal_notes": "x"})
            request.refresh_from_db()
            assert request.status == "new" and not request.internal_notes, name

    client.force_login(users["viewer"])
    for name in ("index", "csv", "xlsx", "search", "inspect", "history"):
        response = client.get(admin_urls(request)[name])
        assert response.status_code == 200, name
    for name in ("edit", "delete", "status"):
        response = client.get(admin_urls(request)[name])
        assert response.status_code in (302, 403), name

    client.force_login(users["changer"])
    for name in ("index", "inspect", "edit", "status", "history"):
        assert client.get(admin_urls(request)[name]).status_code == 200, name
    assert client.get(admin_urls(request)["delete"]).status_code in (302, 403)


def test_the_host_requests_menu_is_hidden_without_permission(client, users):
    client.force_login(users["editor"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wagtail_atelier_hostrequest_modeladmin_index") not in html
    client.force_login(users["viewer"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wagtail_atelier_hostrequest_modeladmin_index") in html


def test_listing_filters_search_and_export(client, users):
    HostRequestFactory(organisation="Verein Aarau", canton="AG", languages=["de"])
    HostRequestFactory(
        organisation="Association Sion",
        canton="VS",
        languages=["fr", "it"],
        status="in_discussion",
        contact_name="=HYPERLINK(1)",
    )
    client.force_login(users["viewer"])
    index = reverse("wagtail_atelier_hostrequest_modeladmin_index")

    def listed(**params):
        return client.get(index, params).content.decode()

    html = listed()
    assert "Verein Aarau" in html and "Association Sion" in html
    assert "Association Sion" not in listed(status__exact="new")
    assert "Verein Aarau" not in listed(canton__exact="VS")
    html = listed(workshop_language="it")
    assert "Association Sion" in html and "Verein Aarau" not in html
    html = listed(q="Aarau")
    assert "Verein Aarau" in html and "Association Sion" not in html

    response = client.get(index, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(content(response))))
    assert len(rows) == 3
    assert any("Association Sion" in row for row in rows)
    assert "'=HYPERLINK(1)" in content(client.get(index, {"export": "csv"}))
    response = client.get(index, {"export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 3


def test_the_status_action_enforces_the_workflow(client, users, workshop):
    request = HostRequestFactory(status="new")
    url = reverse("wagtail_atelier_admin:hostrequest_status", args=[request.pk])
    client.force_login(users["changer"])
    html = client.get(url).content.decode()
    assert 'value="in_discussion"' in html and 'value="scheduled"' not in html

    # Not offered, so not accepted.
    response = client.post(url, {"status": "scheduled", "workshop": workshop.pk})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == "new"

    response = client.post(url, {"status": "in_discussion", "note": "Erstes Gespräch"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "in_discussion"

    # "Scheduled" without the workshop is refused with a field error.
    response = client.post(url, {"status": "scheduled"})
    assert response.status_code == 400
    assert "error" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "in_discussion"

    response = client.post(url, {"status": "scheduled", "workshop": workshop.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "scheduled" and request.workshop_id == workshop.pk
    entries = ModelLogEntry.objects.filter(
        object_id=str(request.pk), action=services.STATUS_ACTION
    )
    assert entries.count() == 2
    assert set(entries.values_list("user__username", flat=True)) == {"changer"}

    # Nothing further: the action is no longer offered.
    response = client.get(url)
    assert response.status_code == 302
    inspect = client.get(
        reverse("wagtail_atelier_hostrequest_modeladmin_inspect", args=[request.pk])
    ).content.decode()
    assert "Erstes Gespräch" in inspect  # the history with the note


def test_the_edit_view_assigns_a_coordinator_and_notes_only(client, users):
    request = HostRequestFactory()
    client.force_login(users["changer"])
    url = reverse("wagtail_atelier_hostrequest_modeladmin_edit", args=[request.pk])
    response = client.post(
        url,
        {
            "coordinator": users["changer"].pk,
            "internal_notes": "Ruft am Montag zurück",
            "status": "scheduled",
            "email": "other@example.org",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.coordinator == users["changer"]
    assert request.internal_notes == "Ruft am Montag zurück"
    assert request.status == "new"
    assert request.email != "other@example.org"


def test_the_admin_has_no_create_view(client, users):
    client.force_login(users["changer"])
    response = client.get(reverse("wagtail_atelier_hostrequest_modeladmin_create"))
    assert response.status_code in (302, 403)


def test_the_listing_costs_the_same_whatever_its_length(
    client, users, django_assert_max_num_queries
):
    client.force_login(users["changer"])
    index = reverse("wagtail_atelier_hostrequest_modeladmin_index")
    counts = []
    client.get(index)  # warm, as on a running site (the sites' root paths)
    for size in (1, 20):
        HostRequestFactory.create_batch(size, coordinator=users["changer"])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(index).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# -- the language of the mails --------------------------------------------------------


def test_the_coordinators_are_told_in_the_language_the_request_asks_for(
    client, host_pages, coordinators, django_capture_on_commit_callbacks
):
    """Sent from the German page for a workshop in French: the coordinators read
    about it in French, the requester is answered in German, the site's default."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            host_pages["de"].url,
            host_request_form_data(region="Sion", canton="VS", languages=["fr"]),
        )

    stored = OutgoingMail.objects.get(kind=MailKind.HOST_REQUEST_NOTIFICATION)
    assert stored.language == "fr"
    (notification,) = [m for m in mail.outbox if m.to == coordinators]
    (acknowledgement,) = [m for m in mail.outbox if m.to == ["regula@example.org"]]
    assert notification.subject == "Nouvelle demande d’accueil\u00a0: Sion (Valais)"
    assert "Sion (Valais)" in notification.body
    assert "La consulter dans l’administration" in notification.alternatives[0][0]
    assert 'lang="fr"' in notification.alternatives[0][0]
    assert acknowledgement.subject == (
        "Wir haben Ihre Anfrage für eine Praxiswerkstatt erhalten"
    )
    acknowledged = OutgoingMail.objects.get(kind=MailKind.HOST_REQUEST_ACKNOWLEDGEMENT)
    assert acknowledged.language == "de"


def test_an_italian_request_is_acknowledged_and_notified_in_italian(
    client, host_pages, coordinators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            host_pages["it"].url,
            host_request_form_data(
                region="Bellinzona", canton="TI", languages=["de", "it"]
            ),
        )

    (notification,) = [m for m in mail.outbox if m.to == coordinators]
    (acknowledgement,) = [m for m in mail.outbox if m.to == ["regula@example.org"]]
    assert notification.subject == (
        "Nuova richiesta di ospitare da Bellinzona (Ticino)"
    )
    assert acknowledgement.subject == (
        "Abbiamo ricevuto la sua richiesta di ospitare un laboratorio pratico"
    )


@pytest.mark.parametrize(
    ("form_language", "asked", "expected"),
    [
        pytest.param("de", ["fr"], "fr", id="the-one-asked-for"),
        pytest.param("it", ["de", "it"], "it", id="of-several-the-forms"),
        pytest.param("fr", ["it", "de"], "de", id="of-several-the-sites-first"),
        pytest.param("fr", [], "fr", id="none-the-forms"),
        pytest.param("it", ["en"], "it", id="not-a-site-language-the-forms"),
    ],
)
def test_the_language_of_the_coordinators_notification(form_language, asked, expected):
    request = HostRequestFactory(language=form_language, languages=asked)
    assert services.notification_language(request) == expected


def test_the_scheduled_mail_is_in_the_requesters_language(
    index, django_capture_on_commit_callbacks
):
    from tests.factories import WorkshopPageFactory

    workshop = WorkshopPageFactory(parent=index, title="Praxiswerkstatt Bellinzona")
    translate(workshop, "it", title="Laboratorio pratico Bellinzona")
    request = HostRequestFactory(language="it", languages=["de"])
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(request, status=HostRequestStatus.IN_DISCUSSION)
        services.change_status(
            request, status=HostRequestStatus.SCHEDULED, workshop=workshop
        )

    stored = OutgoingMail.objects.get(kind=MailKind.HOST_REQUEST_SCHEDULED)
    assert stored.language == "it"
    assert "Laboratorio pratico Bellinzona" in stored.subject
    with translation.override("de"):
        german = translation.gettext("Feel free to share this link in your community.")
    with translation.override("it"):
        italian = translation.gettext("Feel free to share this link in your community.")
    assert italian != german
    assert italian in stored.body_text and german not in stored.body_text


def test_the_acknowledgements_labels_take_their_colon_from_the_translation(
    client, host_pages, monkeypatch, django_capture_on_commit_callbacks
):
    """French writes "E-mail : …" with a space before the colon: the copy of the
    request goes through one translatable "label: value" string."""
    real_pgettext = translation.pgettext

    def french_typography(context, message):
        if (context, message) == ("mail label", "%(label)s: %(value)s"):
            return "%(label)s\u00a0: %(value)s"
        if (context, message) == ("mail label", "%(label)s:"):
            return "%(label)s\u00a0:"
        return real_pgettext(context, message)

    monkeypatch.setattr(translation, "pgettext", french_typography)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(host_pages["fr"].url, host_request_form_data(languages=["fr"]))

    (acknowledgement,) = [m for m in mail.outbox if m.to == ["regula@example.org"]]
    with translation.override("fr"):
        email_label = translation.gettext("Email")
        message_label = translation.gettext("Message")
    html = acknowledgement.alternatives[0][0]
    assert f"{email_label}\u00a0: regula@example.org" in acknowledgement.body
    assert f"<li>{email_label}\u00a0: regula@example.org</li>" in html
    assert f"{message_label}\u00a0:\nWir freuen uns!" in acknowledgement.body
    assert f"{email_label}: " not in acknowledgement.body + html
