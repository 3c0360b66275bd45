"""The retention: a past workshop's personal data anonymised or deleted, its
statistics kept, links ended; closed host requests anonymised; the dry run and the
management command; idempotency and a query budget."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import PageLogEntry

from tests.factories import (
    HostRequestFactory,
    RegistrationFactory,
    WorkshopPageFactory,
    both_page_classes,
    route,
)
from wagtail_atelier import links
from wagtail_atelier.models import (
    FeedbackAnswer,
    FeedbackRequest,
    HostRequest,
    OutgoingMail,
    Registration,
    TableHarvest,
    TablePlan,
    WorkshopStatistics,
)
from wagtail_atelier.models import Testimonial as Quote
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.models.personal_data import REGISTRY
from wagtail_atelier.services import feedback as feedback_services
from wagtail_atelier.services import retention
from wagtail_atelier.services import table_plan as table_plan_services
from wagtail_atelier.tasks import apply_retention as apply_retention_task

pytestmark = [pytest.mark.django_db, both_page_classes]

#: What the people of the aged workshop told the package: none of it may survive
#: the retention outside the testimonial (quoted with consent) and the kept harvest.
SECRETS = {
    "name": "Quellenberger",
    "other_name": "Rüeggsegger",
    "email": "zora.quellenberger@example.org",
    "case": "Unsere Nachbarin mit Demenz lebt allein",
    "needs": "Rollstuhlgerechter Zugang nötig",
    "diet": "Glutenfrei bitte",
    "takeaway_private": "Privat: mein Burnout letztes Jahr",
    "harvest_private": "Zora sollte mit der Spitex reden",
    "mail_body": "Liebe Zora Quellenberger",
}
QUOTE = "Wir haben gelernt, einander zuzuhören."
KEPT_HARVEST = "Früh mit der Gemeinde sprechen hilft allen."


def ended(days_ago: int):
    """Factory arguments of a workshop that ended ``days_ago`` days ago."""
    start = timezone.now() - timedelta(days=days_ago, hours=3)
    return {"start_at": start, "end_at": start + timedelta(hours=3)}


def populate(workshop) -> dict:
    """Registrations of both roles in every status, attendance, mails, feedback (one
    answer quoted in a published testimonial, one not), a table plan and two
    harvests (one marked to keep)."""
    now = timezone.now()
    people = {
        "zora": RegistrationFactory(
            workshop=workshop,
            role="case_presenter",
            first_name="Zora",
            last_name=SECRETS["name"],
            email=SECRETS["email"],
            phone="+41 79 123 45 67",
            canton="BE",
            languages=["de", "fr"],
            case_description=SECRETS["case"],
            accessibility_needs=SECRETS["needs"],
            dietary_note=SECRETS["diet"],
            share_contact=True,
            attended_at=now,
        ),
        "bruno": RegistrationFactory(
            workshop=workshop,
            role="case_presenter",
            last_name=SECRETS["other_name"],
            canton="AG",
            languages=["de"],
        ),
        "waiting_presenter": RegistrationFactory(
            workshop=workshop, role="case_presenter", status="waiting", canton="SO"
        ),
        "dora": RegistrationFactory(
            workshop=workshop,
            role="participant",
            canton="ZH",
            languages=["de", "it"],
            attended_at=now,
        ),
        "cancelled": RegistrationFactory(
            workshop=workshop,
            role="participant",
            status="cancelled",
            cancelled_at=now,
            canton="GE",
        ),
        "waiting": RegistrationFactory(
            workshop=workshop, role="participant", status="waiting", canton="TI"
        ),
    }
    for person in people.values():
        OutgoingMail.objects.create(
            kind=MailKind.CONFIRMATION,
            registration=person,
            workshop_key=workshop.translation_key,
            to=[person.email],
            language="de",
            subject="Anmeldung",
            body_text=f"{SECRETS['mail_body']}, {person.case_description}",
            next_attempt_at=now,
        )
    # A notification to the workshop's contact: about the workshop, nobody's row.
    OutgoingMail.objects.create(
        kind=MailKind.CONTACT_NOTIFICATION,
        workshop_key=workshop.translation_key,
        to=["anna@example.org"],
        language="de",
        subject="Neue Anmeldung",
        body_text=f"Neue Anmeldung von {SECRETS['email']}",
        next_attempt_at=now,
    )
    # Feedback: Zora may be quoted (and is, once an editor published it), Dora not.
    requests = {
        name: FeedbackRequest.objects.create(
            registration=people[name],
            workshop_key=workshop.translation_key,
            language="de",
            role=people[name].role,
        )
        for name in ("zora", "dora")
    }
    quoted = feedback_services.answer(
        requests["zora"],
        data={"takeaway": QUOTE, "may_quote": True, "naming": "full_name"},
    )
    quoted.testimonial.save_revision().publish()
    feedback_services.answer(
        requests["dora"], data={"takeaway": SECRETS["takeaway_private"]}
    )
    plan = table_plan_services.generate(workshop, rounds=2, min_size=2, max_size=3)
    harvests = {
        "kept": TableHarvest.objects.create(
            presenter=people["zora"],
            workshop_key=workshop.translation_key,
            key_insights=KEPT_HARVEST,
            keep_after_retention=True,
        ),
        "private": TableHarvest.objects.create(
            presenter=people["bruno"],
            workshop_key=workshop.translation_key,
            key_insights=SECRETS["harvest_private"],
        ),
    }
    return {
        "people": people,
        "requests": requests,
        "testimonial": quoted.testimonial,
        "plan": plan,
        "harvests": harvests,
    }


def package_dump(*, but: tuple[str, ...] = ("wagtail_atelier.Testimonial",)) -> str:
    """Every row of every model in the personal-data registry, as text (the
    testimonial, quoted with consent, left out unless asked)."""
    rows = []
    for label, entry in REGISTRY.items():
        if label in but:
            continue
        rows.extend(entry.model_class.objects.values())
    return json.dumps(rows, default=str, ensure_ascii=False)


@pytest.fixture
def aged(index):
    """A workshop that ended eight months ago (past the six months' retention)."""
    return WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Aarau", slug="aarau", **ended(240)
    )


@pytest.fixture
def recent(index):
    """A workshop that ended a month ago: not due yet."""
    return WorkshopPageFactory(
        parent=index, title="Praxiswerkstatt Olten", slug="olten", **ended(30)
    )


# -- the aged workshop, run twice ---------------------------------------------------


def test_retention_removes_the_aged_workshops_personal_data_and_keeps_its_counts(
    client, aged, recent
):
    data = populate(aged)
    zora = data["people"]["zora"]
    control = RegistrationFactory(
        workshop=recent, last_name="Kontrollmann", case_description="Kontrollfall"
    )
    OutgoingMail.objects.create(
        kind=MailKind.CONFIRMATION,
        registration=control,
        to=[control.email],
        language="de",
        subject="Anmeldung",
        body_text="Kontrolle",
        next_attempt_at=timezone.now(),
    )
    # The links as mailed, before the retention.
    self_service = links.registration_url(zora, aged)
    quoted_link = route(aged, "feedback", data["requests"]["zora"].token)
    private_link = route(aged, "feedback", data["requests"]["dora"].token)
    with override_settings(WAGTAIL_ATELIER_LINK_GRACE_DAYS=10_000):
        assert SECRETS["name"] in client.get(self_service).content.decode()
    assert client.get(private_link).status_code == 200
    assert SECRETS["case"] in package_dump()

    report = apply_retention_task.call()

    # What it says it did.
    assert report["workshops"] == 1
    assert report["registrations_anonymised"] == 6
    assert report["mails_deleted"] == 7
    assert report["feedback_answers_deleted"] == 1
    assert report["feedback_answers_blanked"] == 1
    assert report["feedback_links_ended"] == 1
    assert report["table_plans_deleted"] == 1
    assert report["harvests_deleted"] == 1
    assert report["harvests_kept"] == 1

    # Gone: names, addresses, case texts, mails, the unquoted answer, the plan.
    dump = package_dump(but=("wagtail_atelier.Testimonial",))
    for name, secret in SECRETS.items():
        assert secret not in dump, name
    people = Registration.objects.filter(workshop_key=aged.translation_key)
    assert people.count() == 6
    for person in people:
        assert person.anonymised_at is not None
        assert (person.first_name, person.last_name, person.email) == ("", "", "")
        assert (person.phone, person.organisation, person.town, person.canton) == (
            ("", "", "", "")
        )
        assert person.languages == []
        assert not (
            person.case_description or person.accessibility_needs or person.dietary_note
        )
        assert person.token == ""
        assert str(person) == gettext("Anonymised registration")
    assert not OutgoingMail.objects.filter(workshop_key=aged.translation_key).exists()
    assert not OutgoingMail.objects.filter(registration__in=people).exists()
    assert not FeedbackAnswer.objects.filter(request=data["requests"]["dora"]).exists()
    assert not TablePlan.objects.filter(workshop_key=aged.translation_key).exists()
    assert not TableHarvest.objects.filter(pk=data["harvests"]["private"].pk).exists()

    # Kept: what the network reports on, the harvest marked to keep, the quote.
    statistics = WorkshopStatistics.objects.get(workshop_key=aged.translation_key)
    assert statistics.counts == {
        "roles": {
            "case_presenter": {
                "confirmed": 2,
                "waiting": 1,
                "cancelled": 0,
                "attended": 1,
            },
            "participant": {
                "confirmed": 1,
                "waiting": 1,
                "cancelled": 1,
                "attended": 1,
            },
        },
        "cantons": {"AG": 1, "BE": 1, "ZH": 1},
        "languages": {"de": 3, "fr": 1, "it": 1},
        "share_contact": 1,
    }
    kept = TableHarvest.objects.get(pk=data["harvests"]["kept"].pk)
    assert kept.key_insights == KEPT_HARVEST
    testimonial = Quote.objects.get(pk=data["testimonial"].pk)
    assert testimonial.live and testimonial.quote == QUOTE
    assert Quote.objects.public().filter(pk=testimonial.pk).exists()
    quoted_answer = FeedbackAnswer.objects.get(request=data["requests"]["zora"])
    assert quoted_answer.takeaway == "" and quoted_answer.has_consent
    assert quoted_answer.request.registration is None

    # The links: the self-service and the plain feedback link open nothing any
    # more, even with the expiry pushed away; the quoted person can still withdraw.
    with override_settings(WAGTAIL_ATELIER_LINK_GRACE_DAYS=10_000):
        response = client.get(self_service)
        assert response.status_code == 404
        assert SECRETS["name"] not in response.content.decode()
    assert client.get(private_link).status_code == 404
    assert client.get(quoted_link).status_code == 200

    # The page's history says it happened, with counts only.
    entry = PageLogEntry.objects.get(action=retention.PURGE_ACTION, page=aged)
    assert entry.data["registrations_anonymised"] == 6
    logged = json.dumps([entry.label, entry.data], ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret not in logged

    # The control workshop is untouched.
    control.refresh_from_db()
    assert control.last_name == "Kontrollmann" and control.anonymised_at is None
    assert control.case_description == "Kontrollfall"
    assert OutgoingMail.objects.filter(registration=control).count() == 1
    assert not WorkshopStatistics.objects.filter(
        workshop_key=recent.translation_key
    ).exists()

    # Twice: nothing more to do, nothing changed, zeros reported.
    computed_at = statistics.computed_at
    dump_after_first = package_dump(but=())
    second = retention.apply_retention()
    assert second.workshops == [] and second.host_requests == []
    assert set(second.totals().values()) == {0}
    assert package_dump(but=()) == dump_after_first
    statistics.refresh_from_db()
    assert statistics.computed_at == computed_at
    assert statistics.counts["cantons"] == {"AG": 1, "BE": 1, "ZH": 1}
    assert PageLogEntry.objects.filter(action=retention.PURGE_ACTION).count() == 1

    # The quoted person withdraws with the link kept for it; the next run then ends
    # that link too.
    withdraw = route(aged, "withdraw_consent", data["requests"]["zora"].token)
    assert client.post(withdraw).status_code == 302
    assert not Quote.objects.public().filter(pk=testimonial.pk).exists()
    (third,) = retention.apply_retention().workshops
    assert third.feedback_links_ended == 1
    assert client.get(quoted_link).status_code == 404


def test_a_link_kept_for_withdrawal_ends_once_its_window_closed(aged):
    data = populate(aged)
    retention.apply_retention()
    kept = FeedbackRequest.objects.get(pk=data["requests"]["zora"].pk)
    assert kept.token
    later = timezone.now() + timedelta(days=3 * 365 + 1)
    report = retention.apply_retention(now=later)
    assert [w.feedback_links_ended for w in report.workshops] == [1]
    kept.refresh_from_db()
    assert kept.token == ""
    # The answer stays blank beside the testimonial, whose consent stands.
    assert FeedbackAnswer.objects.get(request=kept).takeaway == ""
    assert retention.apply_retention(now=later).workshops == []


def test_an_answer_whose_consent_was_withdrawn_is_deleted_by_the_next_run(aged):
    data = populate(aged)
    retention.apply_retention()
    feedback_services.withdraw_consent(data["requests"]["zora"])
    report = retention.apply_retention()
    assert [
        (w.feedback_answers_deleted, w.feedback_links_ended) for w in report.workshops
    ] == [(1, 1)]
    assert not FeedbackAnswer.objects.exists()


def test_nothing_is_due_before_the_retention_period(aged):
    populate(aged)
    with override_settings(WAGTAIL_ATELIER_RETENTION_MONTHS=12):
        report = retention.apply_retention()
    assert not report.changed
    assert not Registration.objects.filter(anonymised_at__isnull=False).exists()
    with override_settings(WAGTAIL_ATELIER_RETENTION_MONTHS=None):
        assert not retention.apply_retention().changed
    assert SECRETS["case"] in package_dump()


def test_statistics_are_computed_before_and_survive_after(aged):
    populate(aged)
    before = retention.workshop_statistics(aged.translation_key)
    retention.purge_workshop(aged.translation_key)
    assert retention.workshop_statistics(aged.translation_key) == before
    assert (
        WorkshopStatistics.objects.get(workshop_key=aged.translation_key).counts
        == before
    )


def test_people_registered_after_a_purge_are_added_to_the_counts(aged):
    """A workshop purged by hand while registration was still open: the second
    purge adds the newcomers' cantons to those stored, and counts nobody twice."""
    populate(aged)
    retention.purge_workshop(aged.translation_key)
    RegistrationFactory(workshop=aged, canton="BE", languages=["fr"])
    retention.purge_workshop(aged.translation_key)
    counts = WorkshopStatistics.objects.get(workshop_key=aged.translation_key).counts
    assert counts["cantons"] == {"AG": 1, "BE": 2, "ZH": 1}
    assert counts["languages"] == {"de": 3, "fr": 2, "it": 1}
    assert counts["roles"]["participant"]["confirmed"] == 2


def test_a_workshop_whose_pages_were_deleted_is_due_after_its_last_change(index):
    gone = WorkshopPageFactory(parent=index, **ended(400))
    key = gone.translation_key
    old = RegistrationFactory(workshop=gone, last_name=SECRETS["name"])
    gone.delete()
    # Registered long ago, and nothing happened since.
    Registration.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=300)
    )
    index.refresh_from_db()  # treebeard's child count, after the delete
    fresh_page = WorkshopPageFactory(parent=index, **ended(400))
    fresh = RegistrationFactory(workshop=fresh_page, last_name=SECRETS["other_name"])
    fresh_page.delete()

    report = retention.apply_retention()

    assert [w.workshop_key for w in report.workshops] == [key]
    assert report.workshops[0].title == ""
    assert report.workshops[0].ended_at < timezone.now() - timedelta(days=299)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.anonymised_at is not None and old.last_name == ""
    assert fresh.anonymised_at is None and fresh.last_name == SECRETS["other_name"]


def test_months_before_keeps_to_the_calendar():
    zone = timezone.get_current_timezone()
    assert retention.months_before(
        datetime(2026, 3, 31, 12, tzinfo=zone), 1
    ) == datetime(2026, 2, 28, 12, tzinfo=zone)
    assert retention.months_before(datetime(2026, 1, 15, tzinfo=zone), 6) == datetime(
        2025, 7, 15, tzinfo=zone
    )


# -- the dry run and the command -----------------------------------------------------


def test_a_dry_run_changes_nothing_and_names_nobody(aged, recent):
    populate(aged)
    before = package_dump(but=())
    report = retention.apply_retention(dry_run=True)
    assert package_dump(but=()) == before
    assert not WorkshopStatistics.objects.exists()
    assert not PageLogEntry.objects.filter(action=retention.PURGE_ACTION).exists()
    assert [w.registrations_anonymised for w in report.workshops] == [6]
    assert report.totals()["mails_deleted"] == 7

    out = io.StringIO()
    call_command("atelier_retention", "--dry-run", stdout=out)
    output = out.getvalue()
    assert package_dump(but=()) == before
    assert "Praxiswerkstatt Aarau" in output
    assert "Praxiswerkstatt Olten" not in output
    assert "6 registrations anonymised" in output
    assert "Dry run" in output
    for secret in SECRETS.values():
        assert secret not in output
    assert "@" not in output


def test_the_command_removes_and_says_so(aged):
    populate(aged)
    host = HostRequestFactory(status="declined", contact_name="Regula Gastgeberin")
    HostRequest.objects.filter(pk=host.pk).update(
        status_changed_at=timezone.now() - timedelta(days=800)
    )
    out = io.StringIO()
    call_command("atelier_retention", stdout=out)
    output = out.getvalue()
    assert "Praxiswerkstatt Aarau" in output
    assert f"Host request {host.pk}" in output
    assert "Regula" not in output and "@" not in output
    assert Registration.objects.filter(anonymised_at__isnull=True).count() == 0
    out = io.StringIO()
    call_command("atelier_retention", stdout=out)
    assert "Nothing to remove" in out.getvalue()


# -- host requests -------------------------------------------------------------------


def _host_request(status: str, *, closed_days_ago: int | None, **fields):
    host = HostRequestFactory(status=status, **fields)
    if closed_days_ago is not None:
        HostRequest.objects.filter(pk=host.pk).update(
            status_changed_at=timezone.now() - timedelta(days=closed_days_ago)
        )
    OutgoingMail.objects.create(
        kind=MailKind.HOST_REQUEST_ACKNOWLEDGEMENT,
        host_request=host,
        to=[host.email],
        language="de",
        subject="Ihre Anfrage",
        body_text=f"Guten Tag {host.contact_name}",
        next_attempt_at=timezone.now(),
    )
    return host


def test_host_requests_closed_long_enough_are_anonymised():
    old = _host_request(
        "declined",
        closed_days_ago=800,
        contact_name="Regula Altmann",
        phone="+41 62 000 00 00",
        message="Wir möchten gern",
        internal_notes="Rief zweimal an",
    )
    # Scheduled long ago, without a recorded status change: its last change counts.
    unrecorded = _host_request("scheduled", closed_days_ago=None)
    HostRequest.objects.filter(pk=unrecorded.pk).update(
        updated_at=timezone.now() - timedelta(days=800)
    )
    recently_closed = _host_request("withdrawn", closed_days_ago=200)
    still_open = _host_request("in_discussion", closed_days_ago=900)
    brand_new = _host_request("new", closed_days_ago=None)

    report = retention.apply_retention()

    assert {r.id for r in report.host_requests} == {old.pk, unrecorded.pk}
    assert all(r.age_days >= 800 and r.mails_deleted == 1 for r in report.host_requests)
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.contact_name, old.email, old.phone, old.message) == ("", "", "", "")
    assert old.internal_notes == ""
    # What the network keeps of it: who asked, where, and what became of it.
    assert old.organisation and old.canton == "AG" and old.status == "declined"
    assert not OutgoingMail.objects.filter(host_request=old).exists()
    for untouched in (recently_closed, still_open, brand_new):
        untouched.refresh_from_db()
        assert untouched.anonymised_at is None and untouched.email
        assert OutgoingMail.objects.filter(host_request=untouched).exists()

    assert retention.apply_retention().host_requests == []


def test_host_request_retention_can_be_switched_off():
    host = _host_request("declined", closed_days_ago=2000)
    with override_settings(WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS=None):
        assert retention.apply_retention().host_requests == []
    host.refresh_from_db()
    assert host.anonymised_at is None


# -- cost ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 50])
def test_the_retention_costs_the_same_whatever_the_number_of_registrations(
    aged, size, django_assert_max_num_queries
):
    for number in range(size):
        person = RegistrationFactory(
            workshop=aged,
            role="case_presenter" if number % 5 == 0 else "participant",
            attended_at=timezone.now() if number % 2 else None,
        )
        OutgoingMail.objects.create(
            kind=MailKind.CONFIRMATION,
            registration=person,
            to=[person.email],
            language="de",
            subject="Anmeldung",
            body_text="Hallo",
            next_attempt_at=timezone.now(),
        )
        FeedbackRequest.objects.create(
            registration=person,
            workshop_key=aged.translation_key,
            language="de",
            role=person.role,
        )
    with django_assert_max_num_queries(50):
        report = retention.apply_retention()
    assert report.totals()["registrations_anonymised"] == size
    assert report.totals()["mails_deleted"] == size
