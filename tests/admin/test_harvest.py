"""The harvest of each case table: the admin screen, sending it to the case presenter,
the service's counts and the dashboard section."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry, Site

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    admin_user,
    both_page_classes,
    translate,
)
from wagtail_atelier.admin.actions import log_title
from wagtail_atelier.admin.dashboard import AtelierDashboardPanel, harvest_workshops
from wagtail_atelier.models import OutgoingMail, TableHarvest
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.services import harvest as service
from wagtail_atelier.services.mail import render_mail
from wagtail_atelier.templatetags.wagtail_atelier_tags import atelier_date

pytestmark = [pytest.mark.django_db, both_page_classes]

HOME = "/admin/"
SECRET_LAST_NAME = "Verborgenhuber"


# -- users and data ----------------------------------------------------------------


@pytest.fixture
def presenters(workshop, french_workshop):
    """Two confirmed case presenters (one registered on the French page), a waiting
    and a cancelled one, and a participant."""
    return {
        "german": RegistrationFactory(
            workshop=workshop,
            role="case_presenter",
            first_name="Zoe",
            last_name=SECRET_LAST_NAME,
            case_description="Wie gewinnen wir junge Freiwillige?",
        ),
        "french": RegistrationFactory(
            workshop=french_workshop,
            role="case_presenter",
            first_name="Léa",
            last_name="Dubois",
            email="lea@example.org",
            case_description="Comment garder nos bénévoles ?",
        ),
        "waiting": RegistrationFactory(
            workshop=workshop, role="case_presenter", status="waiting"
        ),
        "cancelled": RegistrationFactory(
            workshop=workshop,
            role="case_presenter",
            status="cancelled",
            last_name="Abgemeldet",
        ),
        "participant": RegistrationFactory(workshop=workshop, role="participant"),
    }


@pytest.fixture
def facilitators(django_user_model):
    """Users who may also read the case questions: one who sees the registrations,
    one who may change them."""
    case = "wagtail_atelier.view_case_details"
    return {
        "viewer": admin_user(
            django_user_model, "case_viewer", "wagtail_atelier.view_registration", case
        ),
        "changer": admin_user(
            django_user_model,
            "case_changer",
            "wagtail_atelier.change_registration",
            case,
        ),
    }


def harvest_url(workshop) -> str:
    return reverse("wagtail_atelier_workshops:harvest", args=[workshop.pk])


def send_url(workshop, presenter) -> str:
    return reverse(
        "wagtail_atelier_workshops:harvest_send", args=[workshop.pk, presenter.pk]
    )


def form_data(presenter, key_insights="", next_steps="", **extra) -> dict:
    prefix = f"harvest-{presenter.pk}"
    return {
        "presenter": presenter.pk,
        f"{prefix}-key_insights": key_insights,
        f"{prefix}-next_steps": next_steps,
        **extra,
    }


def message_texts(response) -> list[str]:
    return [str(m).strip() for m in get_messages(response.wsgi_request)]


# -- who may do what -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, workshop, presenters):
    for url in (harvest_url(workshop), send_url(workshop, presenters["german"])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("wagtailadmin_login") in response.url
    response = client.post(harvest_url(workshop), form_data(presenters["german"], "x"))
    assert response.status_code == 302
    assert not TableHarvest.objects.exists()


def test_editors_without_registration_permissions_are_denied(
    client, users, workshop, presenters
):
    client.force_login(users["editor"])
    for url in (harvest_url(workshop), send_url(workshop, presenters["german"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
        assert SECRET_LAST_NAME not in response.content.decode()
    response = client.post(harvest_url(workshop), form_data(presenters["german"], "x"))
    assert response.url == reverse("wagtailadmin_home")
    assert not TableHarvest.objects.exists()


def test_viewers_read_the_harvest_but_cannot_change_or_send_it(
    client, users, facilitators, workshop, presenters
):
    service.save_harvest(presenters["german"], "Mut tut gut", "", users["changer"])
    client.force_login(facilitators["viewer"])
    response = client.get(harvest_url(workshop))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mut tut gut" in html
    assert f"Zoe {SECRET_LAST_NAME}" in html
    assert "Wie gewinnen wir junge Freiwillige?" in html
    assert 'name="presenter"' not in html
    assert "<textarea" not in html
    assert send_url(workshop, presenters["german"]) not in html

    response = client.post(
        harvest_url(workshop), form_data(presenters["german"], "Geändert")
    )
    assert response.url == reverse("wagtailadmin_home")
    assert TableHarvest.objects.get().key_insights == "Mut tut gut"
    for method in (client.get, client.post):
        response = method(send_url(workshop, presenters["german"]))
        assert response.url == reverse("wagtailadmin_home")
    assert not OutgoingMail.objects.exists()


def test_the_screen_lists_the_confirmed_case_presenters_of_every_language_version(
    client, facilitators, workshop, presenters
):
    client.force_login(facilitators["changer"])
    response = client.get(harvest_url(workshop))
    assert response.status_code == 200
    html = response.content.decode()
    sections = re.findall(r'data-presenter="(\d+)"', html)
    assert sections == [str(presenters["german"].pk), str(presenters["french"].pk)]
    assert "Comment garder nos bénévoles ?" in html
    assert "Abgemeldet" not in html
    assert html.count('name="presenter"') == 2
    assert f'name="harvest-{presenters["french"].pk}-key_insights"' in html
    assert "Not recorded yet." in html
    # Personal data: never cached, never indexed.
    assert "no-store" in response["Cache-Control"]
    assert (
        "private" in response["Cache-Control"]
        or "no-cache" in response["Cache-Control"]
    )


def test_the_screen_of_a_page_that_is_not_a_workshop_is_not_found(client, users, index):
    client.force_login(users["changer"])
    url = reverse("wagtail_atelier_workshops:harvest", args=[index.pk])
    # (LocaleMiddleware first tries the URL with a language prefix.)
    assert client.get(url, follow=True).status_code == 404


# -- recording -----------------------------------------------------------------------


def test_saving_and_changing_a_harvest(
    client, users, workshop, presenters, django_user_model
):
    client.force_login(users["changer"])
    presenter = presenters["french"]
    response = client.post(
        harvest_url(workshop),
        form_data(presenter, "  Demander de l'aide  ", "Appeler la commune"),
    )
    assert response.status_code == 302
    assert response.url.startswith(harvest_url(workshop))
    assert message_texts(response) == ["The harvest of Léa Dubois is saved."]
    harvest = TableHarvest.objects.get()
    assert harvest.presenter == presenter
    assert harvest.workshop_key == workshop.translation_key
    assert harvest.key_insights == "Demander de l'aide"
    assert harvest.next_steps == "Appeler la commune"
    assert harvest.updated_by == users["changer"]

    other = admin_user(
        django_user_model, "second", "wagtail_atelier.change_registration"
    )
    client.force_login(other)
    client.post(harvest_url(workshop), form_data(presenter, "Autre chose", ""))
    harvest.refresh_from_db()
    assert TableHarvest.objects.count() == 1
    assert harvest.key_insights == "Autre chose"
    assert harvest.next_steps == ""
    assert harvest.updated_by == other
    html = client.get(harvest_url(workshop)).content.decode()
    assert "Autre chose" in html
    assert "Recorded, not sent yet." in html

    entries = ModelLogEntry.objects.filter(action="wagtail_atelier.harvest.edit")
    assert entries.count() == 2


@pytest.mark.parametrize(
    "which", ["unknown", "foreign", "cancelled", "waiting", "participant", "garbage"]
)
def test_bad_presenters_are_refused_with_a_message(
    client, users, workshop, presenters, index, which
):
    other_workshop = WorkshopPageFactory(parent=index, title="Andere Werkstatt")
    targets = {
        "unknown": 999_999,
        "foreign": RegistrationFactory(
            workshop=other_workshop, role="case_presenter"
        ).pk,
        "cancelled": presenters["cancelled"].pk,
        "waiting": presenters["waiting"].pk,
        "participant": presenters["participant"].pk,
        "garbage": "1 OR 1=1",
    }
    client.force_login(users["changer"])
    data = {
        "presenter": targets[which],
        f"harvest-{targets[which]}-key_insights": "Sollte nicht gespeichert werden",
    }
    response = client.post(harvest_url(workshop), data)
    assert response.status_code == 302
    assert message_texts(response) == [
        "This person is not a confirmed case presenter of this workshop: nothing "
        "was saved or sent."
    ]
    assert not TableHarvest.objects.exists()
    assert not ModelLogEntry.objects.filter(
        action__startswith="wagtail_atelier.harvest"
    ).exists()
    if which not in ("unknown", "garbage"):
        response = client.get(
            reverse(
                "wagtail_atelier_workshops:harvest_send",
                args=[workshop.pk, targets[which]],
            )
        )
        assert response.status_code == 302


def test_too_long_a_text_is_shown_again_with_the_error(
    client, users, workshop, presenters
):
    client.force_login(users["changer"])
    response = client.post(
        harvest_url(workshop), form_data(presenters["german"], "x" * 5001)
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not TableHarvest.objects.exists()


def test_the_service_refuses_someone_who_is_not_a_confirmed_case_presenter(
    users, presenters
):
    for key in ("cancelled", "waiting", "participant"):
        with pytest.raises(service.NotACasePresenterError):
            service.save_harvest(presenters[key], "a", "b", users["changer"])
    assert not TableHarvest.objects.exists()


def test_the_audit_log_names_nobody(
    users, presenters, django_capture_on_commit_callbacks
):
    harvest = service.save_harvest(
        presenters["german"], "Einsichten", "Schritte", users["changer"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        service.send_harvest(harvest, users["changer"])
    entries = ModelLogEntry.objects.filter(action__startswith="wagtail_atelier.harvest")
    assert sorted(e.action for e in entries) == [
        "wagtail_atelier.harvest.edit",
        "wagtail_atelier.harvest.send",
    ]
    for entry in entries:
        assert entry.label == log_title(harvest)
        assert entry.user_id == users["changer"].pk
        for personal in ("Zoe", SECRET_LAST_NAME, presenters["german"].email):
            assert personal not in entry.label
            assert personal not in str(entry.data)


# -- sending -------------------------------------------------------------------------


def test_a_french_case_presenter_gets_the_harvest_in_french(
    client,
    users,
    workshop,
    french_workshop,
    presenters,
    django_capture_on_commit_callbacks,
):
    presenter = presenters["french"]
    service.save_harvest(
        presenter, "Oser demander <de l'aide>", "Appeler la commune", users["changer"]
    )
    client.force_login(users["changer"])

    response = client.get(send_url(workshop, presenter))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Send the harvest to Léa Dubois in French?" in html
    assert "already sent" not in html
    assert "no-store" in response["Cache-Control"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url(workshop, presenter))
    assert response.status_code == 302
    assert response.url.startswith(harvest_url(workshop))
    assert message_texts(response) == [
        "The harvest is on its way to Léa Dubois, in French."
    ]

    stored = OutgoingMail.objects.get()
    assert stored.kind == MailKind.HARVEST
    assert stored.language == "fr"
    assert stored.to == ["lea@example.org"]
    assert stored.reply_to == [french_workshop.contact_email]
    assert stored.registration == presenter
    with translation.override("fr"):
        expected_subject = translation.gettext("What you take away from %(title)s") % {
            "title": "Atelier pratique Suhr"
        }
        french_date = atelier_date(french_workshop.start_at)
    with translation.override("de"):
        german_date = atelier_date(workshop.start_at)
    assert stored.subject == expected_subject
    assert french_date != german_date
    assert french_date in stored.body_text
    assert "Léa" in stored.body_text
    assert "Oser demander <de l'aide>" in stored.body_text
    assert "Oser demander &lt;de l&#x27;aide&gt;" in stored.body_html

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["lea@example.org"]
    assert sent.subject == expected_subject
    harvest = TableHarvest.objects.get()
    assert harvest.sent_at is not None
    html = client.get(harvest_url(workshop)).content.decode()
    assert "Sent to the case presenter:" in html


def test_sending_again_after_a_change(
    client, users, workshop, presenters, django_capture_on_commit_callbacks
):
    presenter = presenters["german"]
    harvest = service.save_harvest(presenter, "Erste Fassung", "", users["changer"])
    with django_capture_on_commit_callbacks(execute=True):
        service.send_harvest(harvest, users["changer"])
    client.force_login(users["changer"])
    response = client.post(
        harvest_url(workshop), form_data(presenter, "Zweite Fassung", "")
    )
    assert "It was sent before this change" in message_texts(response)[0]
    html = client.get(harvest_url(workshop)).content.decode()
    assert "Changed since it was sent." in html
    assert "Send again" in html

    html = client.get(send_url(workshop, presenter)).content.decode()
    assert "It was already sent (" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url(workshop, presenter))
    assert OutgoingMail.objects.filter(kind=MailKind.HARVEST).count() == 2
    assert "Zweite Fassung" in OutgoingMail.objects.latest("pk").body_text
    assert len(mail.outbox) == 2
    with translation.override("de"):
        expected_subject = translation.gettext("What you take away from %(title)s") % {
            "title": "Praxiswerkstatt Suhr"
        }
    assert mail.outbox[1].subject == expected_subject


@pytest.mark.parametrize("recorded", [False, True])
def test_an_empty_harvest_is_not_sent(
    client, users, workshop, presenters, recorded, django_capture_on_commit_callbacks
):
    presenter = presenters["german"]
    if recorded:
        service.save_harvest(presenter, "   ", "\n", users["changer"])
    client.force_login(users["changer"])
    for method in (client.get, client.post):
        with django_capture_on_commit_callbacks(execute=True):
            response = method(send_url(workshop, presenter))
        assert response.status_code == 302
        assert message_texts(response)[-1].startswith("There is nothing to send yet")
    assert not OutgoingMail.objects.exists()
    assert mail.outbox == []
    if recorded:
        harvest = TableHarvest.objects.get()
        assert harvest.sent_at is None
        with pytest.raises(service.EmptyHarvestError):
            service.send_harvest(harvest, users["changer"])


def test_the_mail_in_german_reads_well(users, workshop, presenters):
    harvest = service.save_harvest(
        presenters["german"], "Einsicht", "Nächster Schritt", users["changer"]
    )
    subject, text, html = render_mail(
        "harvest",
        {
            "registration": presenters["german"],
            "workshop": workshop,
            "harvest": harvest,
        },
        "de",
    )
    assert subject
    assert "Zoe" in text
    assert "Praxiswerkstatt Suhr" in text
    assert "Einsicht" in text and "Nächster Schritt" in text
    assert "{%" not in text and "{{" not in text
    assert '<html lang="de">' in html
    assert "Nächster Schritt" in html


# -- counts and dashboard ------------------------------------------------------------


def test_harvest_counts_in_one_query(
    users, workshop, presenters, index, django_assert_num_queries
):
    service.save_harvest(presenters["german"], "a", "", users["changer"])
    sent = service.save_harvest(presenters["french"], "", "b", users["changer"])
    TableHarvest.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    empty_workshop = WorkshopPageFactory(parent=index)
    other = WorkshopPageFactory(parent=index)
    quiet = RegistrationFactory(workshop=other, role="case_presenter")
    service.save_harvest(quiet, " ", "", users["changer"])
    with django_assert_num_queries(1):
        counts = service.harvest_counts(
            [
                workshop.translation_key,
                other.translation_key,
                empty_workshop.translation_key,
            ]
        )
    assert counts == {
        workshop.translation_key: (2, 2, 1),
        other.translation_key: (1, 0, 0),
    }
    with django_assert_num_queries(0):
        assert service.harvest_counts([]) == {}


def past_workshop(index, days_ago: int, **kwargs):
    start = timezone.now() - timedelta(days=days_ago)
    return WorkshopPageFactory(
        parent=index, start_at=start, end_at=start + timedelta(hours=3), **kwargs
    )


def test_the_dashboard_shows_the_harvest_of_recent_workshops(
    client, users, index, django_user_model
):
    recent = past_workshop(index, 10, title="Werkstatt Aarau")
    translate(recent, "fr", title="Atelier Aarau")
    first, second = RegistrationFactory.create_batch(
        2, workshop=recent, role="case_presenter"
    )
    RegistrationFactory(workshop=recent, role="case_presenter", status="cancelled")
    harvest = service.save_harvest(first, "Einsicht", "", users["changer"])
    TableHarvest.objects.filter(pk=harvest.pk).update(sent_at=timezone.now())
    past_workshop(index, 90, title="Werkstatt Olten")  # too long ago
    WorkshopPageFactory(parent=index, title="Werkstatt Luzern")  # still to come

    client.force_login(users["viewer"])
    html = client.get(HOME).content.decode()
    assert 'id="atelier-dashboard-harvest"' in html
    section = html[html.index('id="atelier-dashboard-harvest"') :]
    assert section.count("data-harvest-workshop=") == 1
    assert "Werkstatt Aarau" in section
    assert "Werkstatt Olten" not in section
    assert "Werkstatt Luzern" not in section
    assert "1 of 2 tables recorded, 1 sent to the case presenters" in section
    assert harvest_url(recent) in section

    client.force_login(users["editor"])
    html = client.get(HOME).content.decode()
    assert "atelier-dashboard-harvest" not in html
    assert harvest_url(recent) not in html


def test_the_dashboard_shows_a_workshop_once_in_the_admin_language(index):
    recent = past_workshop(index, 5, title="Werkstatt Aarau")
    french = translate(recent, "fr", title="Atelier Aarau")
    assert [w.pk for w in harvest_workshops("fr")] == [french.pk]
    assert [w.pk for w in harvest_workshops("de")] == [recent.pk]
    assert [w.pk for w in harvest_workshops("en")] != []
    assert harvest_workshops("de")[0].harvest_tables == 0


def test_the_dashboard_lists_at_most_five_recent_workshops_the_latest_first(index):
    for days in range(1, 8):
        past_workshop(index, days, title=f"Vor {days} Tagen")
    titles = [w.title for w in harvest_workshops("de")]
    assert titles == [f"Vor {days} Tagen" for days in range(1, 6)]


@pytest.mark.parametrize("size", [1, 4])
def test_the_harvest_section_costs_the_same_whatever_the_number_of_workshops(
    rf, users, index, size, django_assert_max_num_queries
):
    for n in range(size):
        workshop = past_workshop(index, 3 + n, title=f"Werkstatt {n}")
        translate(workshop, "fr", title=f"Atelier {n}")
        first, _second = RegistrationFactory.create_batch(
            2, workshop=workshop, role="case_presenter"
        )
        service.save_harvest(first, "Einsicht", "", users["changer"])
    request = rf.get(HOME)
    request.user = users["viewer"]
    users["viewer"].has_perm("wagtail_atelier.view_hostrequest")  # warm the cache
    panel = AtelierDashboardPanel(request)
    # Warm, as on a running site: the first render also fills Wagtail's cache of
    # the sites' root paths (which workshops belong to the current site).
    panel.render_html({})
    with translation.override("en"), django_assert_max_num_queries(3):
        html = panel.render_html({})
    assert html.count("data-harvest-workshop=") == size
    assert html.count("1 of 2 tables recorded, 0 sent to the case presenters") == size


def test_the_panel_query_count_does_not_grow(rf, users, index):
    """The same number of queries for 1 and 4 recent workshops, measured."""
    counts = []
    Site.get_site_root_paths()  # warm, as on a running site
    for new in (1, 3):  # 1 workshop, then 4
        for n in range(new):
            workshop = past_workshop(index, 3 + n + len(counts) * 10)
            presenter = RegistrationFactory(workshop=workshop, role="case_presenter")
            service.save_harvest(presenter, "Einsicht", "", users["changer"])
        request = rf.get(HOME)
        request.user = users["viewer"]
        users["viewer"].has_perm("wagtail_atelier.view_hostrequest")
        with CaptureQueriesContext(connection) as queries:
            AtelierDashboardPanel(request).render_html({})
        counts.append(len(queries))
    assert counts[0] == counts[1]


# -- one form for every table ---------------------------------------------------------


def both_data(presenters, german=("", ""), french=("", ""), **extra) -> dict:
    """One POST of the whole screen, as the browser sends it: both presenters,
    each field with the value it was shown with (empty: nothing recorded yet)."""
    data = {"presenter": [presenters["german"].pk, presenters["french"].pk]}
    for key, values in (("german", german), ("french", french)):
        prefix = f"harvest-{presenters[key].pk}"
        data[f"{prefix}-key_insights"] = values[0]
        data[f"{prefix}-next_steps"] = values[1]
        data[f"initial-{prefix}-key_insights"] = ""
        data[f"initial-{prefix}-next_steps"] = ""
    data.update(extra)
    return data


def test_the_screen_is_one_form_with_one_save_button(
    client, facilitators, workshop, presenters
):
    client.force_login(facilitators["changer"])
    html = client.get(harvest_url(workshop)).content.decode()
    assert html.count('id="harvest-form"') == 1
    assert html.count("<textarea") == 4
    assert html.count("Save all harvests") == 1
    # Third person: the coordinator reads someone else's question.
    assert "Question of the case presenter" in html
    assert "Their question or challenge:" not in html


def test_several_harvests_are_saved_together(client, users, workshop, presenters):
    client.force_login(users["changer"])
    response = client.post(
        harvest_url(workshop),
        both_data(
            presenters, german=("Mut tut gut", "Verein fragen"), french=("Oser", "")
        ),
    )
    assert response.status_code == 302
    assert message_texts(response) == [
        f"The harvests of Zoe {SECRET_LAST_NAME}, Léa Dubois are saved."
    ]
    saved = {h.presenter_id: h for h in TableHarvest.objects.all()}
    assert saved[presenters["german"].pk].next_steps == "Verein fragen"
    assert saved[presenters["french"].pk].key_insights == "Oser"


def test_an_invalid_entry_saves_nothing_and_keeps_everything_typed(
    client, users, workshop, presenters
):
    client.force_login(users["changer"])
    too_long = "x" * 5001
    response = client.post(
        harvest_url(workshop),
        both_data(
            presenters, german=("Mut tut gut", "Verein fragen"), french=(too_long, "")
        ),
    )
    assert response.status_code == 400
    assert not TableHarvest.objects.exists()
    html = response.content.decode()
    # What was typed for the other person is still there.
    assert "Mut tut gut" in html
    assert "Verein fragen" in html
    # The error, per person, announced as on the public forms.
    french = f"id_harvest-{presenters['french'].pk}-key_insights"
    assert 'id="error-summary"' in html
    assert "data-atelier-error-summary" in html
    assert f'href="#{french}"' in html
    assert "Léa Dubois – Key insights:" in html
    assert f'id="{french}_error"' in html
    assert f'aria-describedby="{french}_helptext {french}_error"' in html
    assert f'id="{french}_helptext"' in html


def test_unchanged_tables_are_not_saved_again(client, users, workshop, presenters):
    service.save_harvest(presenters["german"], "Alt", "", users["changer"])
    client.force_login(users["changer"])
    data = both_data(presenters, german=("Alt", ""), french=("Neu", ""))
    data[f"initial-harvest-{presenters['german'].pk}-key_insights"] = "Alt"
    response = client.post(harvest_url(workshop), data)
    assert message_texts(response) == ["The harvest of Léa Dubois is saved."]
    assert (
        ModelLogEntry.objects.filter(action="wagtail_atelier.harvest.edit").count()
        == 2  # the first save above, and Léa's
    )


def test_a_change_made_meanwhile_is_not_overwritten(
    client, users, workshop, presenters
):
    client.force_login(users["changer"])
    # Someone else records the German table after the screen was opened empty.
    service.save_harvest(
        presenters["german"], "Von jemand anderem", "", users["changer"]
    )
    response = client.post(
        harvest_url(workshop),
        both_data(presenters, german=("Meine Fassung", ""), french=("Oser", "")),
    )
    assert response.status_code == 409
    harvests = {h.presenter_id: h for h in TableHarvest.objects.all()}
    assert harvests[presenters["german"].pk].key_insights == "Von jemand anderem"
    assert presenters["french"].pk not in harvests  # all or nothing
    html = response.content.decode()
    assert "Meine Fassung" in html and "Von jemand anderem" in html
    assert "someone else changed this harvest" in html


def test_a_presenter_who_left_meanwhile_keeps_the_others_text(
    client, users, workshop, presenters
):
    client.force_login(users["changer"])
    german = presenters["german"]
    german.status = "cancelled"
    german.save()
    response = client.post(
        harvest_url(workshop),
        both_data(presenters, german=("Weg", ""), french=("Oser encore", "")),
    )
    assert response.status_code == 409
    assert not TableHarvest.objects.exists()
    assert "Oser encore" in response.content.decode()
