"""What the workshop's contact is told of registrations: by default one digest a day
per workshop with the counts per role and what changed since the previous one; a
mail for each registration or nothing when the site chose so. Either way in the
language the workshop is held in, and naming nobody."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from freezegun import freeze_time
from wagtail.models import Page, Site

from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    registration_data,
    translate,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.models import (
    AtelierSettings,
    MailKind,
    OutgoingMail,
    WorkshopSeats,
)
from wagtail_atelier.models.registration import ROLE_PLURAL_LABELS
from wagtail_atelier.services import notifications
from wagtail_atelier.services import registration as services

pytestmark = pytest.mark.django_db


def register(workshop, email, role="participant", **overrides):
    return services.register(
        workshop=workshop,
        data=registration_data(email, role, **overrides),
        language=workshop.locale.language_code,
    ).registration


def choose(mode: str) -> None:
    AtelierSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"registration_notifications": mode},
    )


def notices():
    return OutgoingMail.objects.filter(kind=MailKind.CONTACT_NOTIFICATION).order_by(
        "pk"
    )


def digests():
    return notices().filter(registration__isnull=True)


def role_lines(body_text: str, role: str, language: str = "de") -> list[str]:
    """The lines of ``role``'s block in a digest's plain text."""
    with translation.override(language):
        label = str(ROLE_PLURAL_LABELS[role])
    lines = body_text.splitlines()
    start = lines.index(label) + 1
    block = []
    for line in lines[start:]:
        if not line.startswith("- "):
            break
        block.append(line)
    return block


def expected_lines(
    *,
    new_confirmed=0,
    new_waiting=0,
    moved_up=0,
    cancelled=0,
    confirmed,
    waiting,
    capacity,
    language="de",
) -> list[str]:
    with translation.override(language):
        now = gettext("%(confirmed)s confirmed, %(waiting)s waiting") % {
            "confirmed": confirmed,
            "waiting": waiting,
        }
        left = gettext("places left: %(left)s") % {"left": max(capacity - confirmed, 0)}

        def labelled(label, value):
            # The colon is translated too (French puts a space before it).
            return pgettext("mail label", "%(label)s: %(value)s") % {
                "label": gettext(label),
                "value": value,
            }

        return [
            f"- {labelled('New registrations with a place', new_confirmed)}",
            f"- {labelled('New registrations on the waiting list', new_waiting)}",
            f"- {labelled('Moved up from the waiting list', moved_up)}",
            f"- {labelled('Cancellations', cancelled)}",
            f"- {labelled('Now', now)} / {capacity}, {left}",
        ]


# -- the site's choice -----------------------------------------------------------------


def test_by_default_the_contact_gets_no_mail_per_registration(
    workshop, django_capture_on_commit_callbacks
):
    assert not AtelierSettings.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            register(workshop, f"p{n}@example.org")

    assert not notices().exists()
    assert [m.to for m in mail.outbox] == [[f"p{n}@example.org"] for n in range(3)]
    # They are told in the digest instead.
    assert notifications.send_due_digests() == 1
    (digest,) = notices()
    assert digest.to == ["anna@example.org"]


def test_the_each_choice_sends_one_mail_per_registration_and_no_digest(
    workshop, django_capture_on_commit_callbacks
):
    choose("each")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            register(workshop, f"p{n}@example.org")

    assert [n.registration.email for n in notices()] == [
        f"p{n}@example.org" for n in range(3)
    ]
    assert len([m for m in mail.outbox if m.to == ["anna@example.org"]]) == 3
    assert notifications.send_due_digests() == 0
    assert notices().count() == 3


def test_the_none_choice_sends_neither(workshop, django_capture_on_commit_callbacks):
    choose("none")
    with django_capture_on_commit_callbacks(execute=True):
        register(workshop, "p@example.org")

    assert notifications.send_due_digests() == 0
    assert not notices().exists()
    assert [m.to for m in mail.outbox] == [["p@example.org"]]


def test_a_change_of_the_choice_applies_to_the_next_registration(workshop):
    register(workshop, "p0@example.org")  # the digest: no mail, choice remembered
    choose("each")
    register(workshop, "p1@example.org")
    assert [n.registration.email for n in notices()] == ["p1@example.org"]


def test_the_choice_is_per_site(workshop, root_page):
    other_root = Page.get_first_root_node().add_child(
        instance=Page(title="Andere", slug="andere", locale=root_page.locale)
    )
    Site.objects.create(hostname="other.example.org", root_page=other_root)
    other_index = WorkshopIndexPageFactory(parent=other_root)
    other = WorkshopPageFactory(parent=other_index)
    AtelierSettings.objects.create(
        site=Site.objects.get(hostname="other.example.org"),
        registration_notifications="each",
    )

    register(workshop, "here@example.org")
    register(other, "there@example.org")

    assert [n.registration.email for n in notices()] == ["there@example.org"]
    assert notifications.send_due_digests() == 1
    assert digests().get().workshop_key == workshop.translation_key


# -- one digest per period -------------------------------------------------------------


def test_one_digest_per_period_and_the_next_covers_only_the_new_changes(workshop):
    with freeze_time(timezone.now()) as clock:
        register(workshop, "p0@example.org")
        register(workshop, "c0@example.org", "case_presenter")
        assert notifications.send_due_digests() == 1
        assert notifications.send_due_digests() == 0  # the same run again

        clock.tick(timedelta(hours=1))
        register(workshop, "p1@example.org")
        assert notifications.send_due_digests() == 0  # within the period
        clock.tick(timedelta(hours=22))
        assert notifications.send_due_digests() == 0

        clock.tick(timedelta(hours=1))
        assert notifications.send_due_digests() == 1
        assert notifications.send_due_digests() == 0

        clock.tick(timedelta(hours=48))
        assert notifications.send_due_digests() == 0  # nothing changed since

    first, second = digests()
    assert role_lines(first.body_text, "participant") == expected_lines(
        new_confirmed=1, confirmed=1, waiting=0, capacity=3
    )
    assert role_lines(first.body_text, "case_presenter") == expected_lines(
        new_confirmed=1, confirmed=1, waiting=0, capacity=2
    )
    assert role_lines(second.body_text, "participant") == expected_lines(
        new_confirmed=1, confirmed=2, waiting=0, capacity=3
    )
    assert role_lines(second.body_text, "case_presenter") == expected_lines(
        confirmed=1, waiting=0, capacity=2
    )


def test_the_period_is_a_setting(workshop, settings):
    settings.WAGTAIL_ATELIER_DIGEST_HOURS = 1
    with freeze_time(timezone.now()) as clock:
        register(workshop, "p0@example.org")
        assert notifications.send_due_digests() == 1
        clock.tick(timedelta(minutes=30))
        register(workshop, "p1@example.org")
        assert notifications.send_due_digests() == 0
        clock.tick(timedelta(minutes=30))
        assert notifications.send_due_digests() == 1


def test_an_hourly_run_a_few_seconds_early_is_not_pushed_back_a_day(workshop):
    """Cron starts at the same minute every hour; a run takes some seconds."""
    with freeze_time(timezone.now()) as clock:
        register(workshop, "p0@example.org")
        assert notifications.send_due_digests() == 1
        clock.tick(timedelta(hours=24) - timedelta(seconds=5))
        register(workshop, "p1@example.org")
        assert notifications.send_due_digests() == 1


def test_the_counts_per_role_and_the_changes_are_exact(workshop):
    """2 places for case presenters, 3 for participants."""
    with freeze_time(timezone.now()) as clock:
        first_case = register(workshop, "c1@example.org", "case_presenter")
        register(workshop, "c2@example.org", "case_presenter")
        register(workshop, "c3@example.org", "case_presenter")  # waiting
        register(workshop, "p1@example.org")
        second_participant = register(workshop, "p2@example.org")
        gone = register(workshop, "p-gone@example.org")
        services.cancel(gone)  # made and cancelled within the period
        assert notifications.send_due_digests() == 1

        clock.tick(timedelta(hours=24))
        services.cancel(first_case)  # c3 moves up
        register(workshop, "p3@example.org")
        register(workshop, "p4@example.org")  # waiting
        services.cancel(second_participant)  # p4 moves up
        register(workshop, "p5@example.org")  # waiting
        assert notifications.send_due_digests() == 1

    first, second = digests()
    assert role_lines(first.body_text, "case_presenter") == expected_lines(
        new_confirmed=2, new_waiting=1, confirmed=2, waiting=1, capacity=2
    )
    assert role_lines(first.body_text, "participant") == expected_lines(
        new_confirmed=2, cancelled=1, confirmed=2, waiting=0, capacity=3
    )
    assert role_lines(second.body_text, "case_presenter") == expected_lines(
        moved_up=1, cancelled=1, confirmed=2, waiting=0, capacity=2
    )
    assert role_lines(second.body_text, "participant") == expected_lines(
        new_confirmed=1,
        new_waiting=2,
        moved_up=1,
        cancelled=1,
        confirmed=3,
        waiting=1,
        capacity=3,
    )
    # The HTML tells the same.
    with translation.override("de"):
        assert f"{gettext('Moved up from the waiting list')}: 1" in second.body_html
    assert workshop.title in second.subject
    admin_url = (
        "http://testserver/admin/wagtail_atelier/registration/"
        f"?workshop_key={workshop.translation_key}"
    )
    assert admin_url in second.body_text
    assert f'href="{admin_url}"' in second.body_html


def test_the_digest_says_since_when(workshop):
    with freeze_time("2031-03-04 08:00:00+00:00"):
        workshop.start_at = timezone.now() + timedelta(days=30)
        workshop.end_at = workshop.start_at + timedelta(hours=3)
        workshop.save_revision().publish()
        register(workshop, "p0@example.org")
        assert notifications.send_due_digests() == 1
    with freeze_time("2031-03-05 08:00:00+00:00"):
        register(workshop, "p1@example.org")
        assert notifications.send_due_digests() == 1
    first, second = digests()
    assert "09:00" not in first.body_text
    assert "4. März 2031, 09:00" in second.body_text  # Swiss time


def test_a_digest_is_sent_only_for_upcoming_or_just_ended_workshops(index):
    now = timezone.now()
    just_ended = WorkshopPageFactory(
        parent=index, start_at=now - timedelta(hours=6), end_at=now - timedelta(hours=3)
    )
    long_ended = WorkshopPageFactory(
        parent=index, start_at=now - timedelta(days=3), end_at=now - timedelta(days=2)
    )
    for page in (just_ended, long_ended):
        RegistrationFactory(workshop=page)

    assert notifications.send_due_digests() == 1
    assert digests().get().workshop_key == just_ended.translation_key


def test_without_a_contact_only_the_site_wide_addresses_get_the_digest(
    workshop, settings
):
    workshop.contact_email = ""
    workshop.save_revision().publish()
    register(workshop, "p0@example.org")
    assert notifications.send_due_digests() == 0

    settings.WAGTAIL_ATELIER_NOTIFY_EMAILS = ["team@example.org"]
    assert notifications.send_due_digests() == 1
    assert digests().get().to == ["team@example.org"]


def test_the_digest_is_mailed_once_stored(workshop, django_capture_on_commit_callbacks):
    register(workshop, "p0@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_due_digests()
    (message,) = mail.outbox
    digest = digests().get()
    assert message.to == ["anna@example.org"]
    assert message.subject == digest.subject
    assert digest.status == "sent"
    assert digest.workshop_key == workshop.translation_key


def test_the_command_and_the_task_queue_the_digests(workshop):
    from wagtail_atelier.tasks import send_digests

    register(workshop, "p0@example.org")
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("atelier_send_digests", stdout=Out())
    assert "1 digest(s) queued" in "".join(out)
    assert send_digests.call() == 0  # already sent in this period


# -- language and privacy --------------------------------------------------------------


def test_the_digest_is_in_the_language_the_workshop_is_held_in(workshop, settings):
    workshop.workshop_language = "fr"
    workshop.save_revision().publish()
    french = translate(workshop, "fr", title="Atelier pratique Suhr")
    assert settings.LANGUAGE_CODE == "de"

    register(workshop, "p0@example.org")  # on the German page
    assert notifications.send_due_digests() == 1

    digest = digests().get()
    assert digest.language == "fr"
    assert 'lang="fr"' in digest.body_html
    assert french.title in digest.subject and french.title in digest.body_text
    with translation.override("fr"):
        all_registrations = gettext("All registrations")
    assert all_registrations != "All registrations"
    assert all_registrations in digest.body_html
    assert role_lines(digest.body_text, "participant", "fr") == expected_lines(
        new_confirmed=1, confirmed=1, waiting=0, capacity=3, language="fr"
    )


def _held_in(workshop, language: str) -> None:
    with freeze_time("2031-03-04 08:00:00+00:00"):
        workshop.workshop_language = language
        workshop.start_at = timezone.now() + timedelta(days=30)
        workshop.end_at = workshop.start_at + timedelta(hours=3)
        workshop.save_revision().publish()


def _two_digests(workshop) -> tuple:
    """The first digest on 4 March 2031 and the second, a day later, which says
    since when."""
    with freeze_time("2031-03-04 08:00:00+00:00"):
        register(workshop, "p0@example.org")
        assert notifications.send_due_digests() == 1
    with freeze_time("2031-03-05 08:00:00+00:00"):
        register(workshop, "p1@example.org", role="case_presenter")
        assert notifications.send_due_digests() == 1
    first, second = digests()
    return first, second


def test_a_french_workshops_digest_is_in_french_with_french_dates(workshop, settings):
    _held_in(workshop, "fr")
    translate(workshop, "fr", title="Atelier pratique Suhr")
    assert settings.LANGUAGE_CODE == "de"

    first, second = _two_digests(workshop)

    assert first.language == second.language == "fr"
    assert (
        second.subject == "Inscriptions à Atelier pratique Suhr\u00a0: ce qui a changé"
    )
    assert second.body_text.startswith(
        "Ce qui a changé dans les inscriptions à «\u00a0Atelier pratique Suhr\u00a0» "
        "depuis le 4 mars 2031, 09:00\u00a0:"
    )
    assert "4 mars 2031, 09:00" in second.body_html
    assert "März" not in second.body_text + second.body_html
    assert "Toutes les inscriptions" in second.body_html
    assert role_lines(second.body_text, "case_presenter", "fr") == expected_lines(
        new_confirmed=1, confirmed=1, waiting=0, capacity=2, language="fr"
    )


def test_an_italian_workshops_digest_is_in_italian_with_italian_dates(
    workshop, settings
):
    _held_in(workshop, "it")
    translate(workshop, "it", title="Laboratorio pratico Suhr")
    assert settings.LANGUAGE_CODE == "de"

    _first, second = _two_digests(workshop)

    assert second.language == "it"
    assert (
        second.subject == "Iscrizioni a Laboratorio pratico Suhr: che cosa è cambiato"
    )
    assert second.body_text.startswith(
        "Che cosa è cambiato nelle iscrizioni a «Laboratorio pratico Suhr» "
        "dal 4 marzo 2031, 09:00:"
    )
    assert "Tutte le iscrizioni" in second.body_html
    assert 'lang="it"' in second.body_html


def test_without_a_version_in_its_language_the_digest_keeps_the_language(workshop):
    """A workshop held in Italian announced only on a German page: the words are
    Italian, the title the one there is."""
    _held_in(workshop, "it")

    _first, second = _two_digests(workshop)

    assert second.subject == "Iscrizioni a Praxiswerkstatt Suhr: che cosa è cambiato"
    assert "dal 4 marzo 2031, 09:00:" in second.body_text


def test_the_digest_is_in_the_contacts_preferred_language(workshop, django_user_model):
    from wagtail.users.models import UserProfile

    _held_in(workshop, "fr")
    translate(workshop, "fr", title="Atelier pratique Suhr")
    translate(workshop, "it", title="Laboratorio pratico Suhr")
    user = django_user_model.objects.create_user(
        username="anna", email="Anna@Example.org", password="x"
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "it"
    profile.save()

    _first, second = _two_digests(workshop)

    assert second.language == "it"
    # The Italian version of the page, in Italian words, with an Italian date.
    assert (
        second.subject == "Iscrizioni a Laboratorio pratico Suhr: che cosa è cambiato"
    )
    assert "dal 4 marzo 2031, 09:00:" in second.body_text


def test_a_contact_of_workshops_in_two_languages_gets_each_digest_in_its_language(
    index,
):
    """One digest per workshop, so one language per digest: the workshop's."""
    french = WorkshopPageFactory(
        parent=index, title="Atelier Sion", slug="sion", workshop_language="fr"
    )
    italian = WorkshopPageFactory(
        parent=index,
        title="Laboratorio Bellinzona",
        slug="bellinzona",
        workshop_language="it",
    )
    assert french.contact_email == italian.contact_email
    register(french, "p0@example.org")
    register(italian, "p1@example.org")

    assert notifications.send_due_digests() == 2

    subjects = {d.workshop_key: (d.language, d.subject) for d in digests()}
    assert subjects == {
        french.translation_key: (
            "fr",
            "Inscriptions à Atelier Sion\u00a0: ce qui a changé",
        ),
        italian.translation_key: (
            "it",
            "Iscrizioni a Laboratorio Bellinzona: che cosa è cambiato",
        ),
    }


#: Everything a registrant typed that could identify them or says something about
#: their health or situation.
PERSON = {
    "first_name": "Zoë",
    "last_name": "Verborgenhuber",
    "email": "zoe.verborgenhuber@example.org",
    "phone": "+41 79 555 12 34",
    "organisation": "Nachbarschaftshilfe Wynental",
    "town": "Gontenschwil",
    "case_description": "Meine Mutter ist dement und ich pflege sie allein.",
    "accessibility_needs": "Rollstuhl, braucht Begleitperson",
    "dietary_note": "Zöliakie",
}


def test_the_digest_names_nobody(workshop, django_capture_on_commit_callbacks):
    typed = {name: value for name, value in PERSON.items() if name != "email"}
    first = register(workshop, PERSON["email"], "case_presenter", **typed)
    register(workshop, "other@example.org", first_name="Ulrike", last_name="Zweitens")
    services.cancel(first)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_due_digests() == 1

    digest = digests().get()
    (message,) = mail.outbox
    everything = "\n".join(
        [
            digest.subject,
            digest.body_text,
            digest.body_html,
            message.subject,
            message.body,
            message.alternatives[0][0],
            *message.reply_to,
        ]
    )
    for field, value in {**PERSON, "other": "other@example.org"}.items():
        assert value.lower() not in everything.lower(), field
    for name in ("Verborgen", "Ulrike", "Zweitens"):
        assert name not in everything
    # The digest is the workshop's, not a registrant's: erasing a person keeps it.
    assert digest.registration_id is None


# -- cost and concurrency --------------------------------------------------------------


#: The run (the current workshops, those due, their pages in two page classes, their
#: contacts' preferred languages, the sites' choices) and one workshop's digest
#: (savepoint, lock, counts, the stored mail, the mark, release): the same at any
#: number of registrations.
DIGEST_QUERY_BUDGET = 12


@pytest.mark.parametrize("size", [5, 50])
def test_the_digest_run_costs_the_same_queries_whatever_the_registrations(
    workshop, size, django_assert_max_num_queries
):
    WorkshopSeats.objects.create(workshop_key=workshop.translation_key)
    for n in range(size):
        RegistrationFactory(
            workshop=workshop,
            role="case_presenter" if n % 3 == 0 else "participant",
            status=("confirmed", "waiting", "cancelled")[n % 3],
            cancelled_at=timezone.now() if n % 3 == 2 else None,
        )
    notifications.site_id_of(workshop)  # warm Wagtail's cached site root paths
    with django_assert_max_num_queries(DIGEST_QUERY_BUDGET):
        assert notifications.send_due_digests() == 1


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises whole writes",
)


def _concurrent_runs(count: int) -> list:
    """``send_due_digests`` in ``count`` threads released together."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(notifications.send_due_digests())
        except Exception as error:  # the harness counts every failure
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def committed_workshop():
    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home)
    workshop = WorkshopPageFactory(parent=index)
    # As after the first registration through the service.
    WorkshopSeats.objects.create(workshop_key=workshop.translation_key)
    for n in range(3):
        RegistrationFactory(workshop=workshop, email=f"p{n}@example.org")
    return workshop


def _slow_queue_mail(monkeypatch):
    """Widen the window between reading the mark and writing it, so that runs
    without the lock would overlap there."""
    real = notifications.queue_mail

    def slow(**kwargs):
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(notifications, "queue_mail", slow)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_runs_at_once_send_one_digest(committed_workshop, monkeypatch):
    _slow_queue_mail(monkeypatch)
    results = _concurrent_runs(4)
    assert sorted(results) == [0, 0, 0, 1]
    assert digests().count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_the_harness_sees_two_digests(
    committed_workshop, monkeypatch
):
    _slow_queue_mail(monkeypatch)

    def unlocked(workshop_key):
        return WorkshopSeats.objects.get_or_create(workshop_key=workshop_key)[0]

    monkeypatch.setattr(notifications, "_lock_seats", unlocked)
    _concurrent_runs(4)
    assert digests().count() > 1


def test_the_colon_after_a_label_is_translated_with_it(workshop, monkeypatch):
    """French puts a (non-breaking) space before a colon: the digest's "label: value"
    lines go through one translatable string, never a hard-coded colon."""
    real_pgettext = translation.pgettext

    def french_typography(context, message):
        if (context, message) == ("mail label", "%(label)s: %(value)s"):
            return "%(label)s\u00a0: %(value)s"
        return real_pgettext(context, message)

    monkeypatch.setattr(translation, "pgettext", french_typography)
    _held_in(workshop, "fr")
    _first, second = _two_digests(workshop)

    with translation.override("fr"):
        new_label = gettext("New registrations with a place")
        cancelled_label = gettext("Cancellations")
    assert f"- {new_label}\u00a0: 1" in second.body_text
    assert f"<li>{cancelled_label}\u00a0: 0</li>" in second.body_html
    assert f"{new_label}: " not in second.body_text + second.body_html
