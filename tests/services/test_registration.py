"""The registration services: seats per role, waiting list, duplicates, cancelling and
promotion, the registration window. Called directly, as the views and the admin do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    both_page_classes,
    registration_data,
)
from wagtail_atelier.models import MailKind, OutgoingMail, Registration
from wagtail_atelier.services import registration as services
from wagtail_atelier.services.mail import render_intent

pytestmark = [pytest.mark.django_db, both_page_classes]


def register(workshop, email, role="participant", language=None, **overrides):
    return services.register(
        workshop=workshop,
        data=registration_data(email, role, **overrides),
        language=language or workshop.locale.language_code,
    )


def statuses(workshop, role):
    return list(
        Registration.objects.for_workshop(workshop)
        .filter(role=role)
        .order_by("created_at", "pk")
        .values_list("email", "status")
    )


def kinds(registration):
    return sorted(registration.mails.values_list("kind", flat=True))


# -- capacity and waiting list ---------------------------------------------------------


def test_each_role_has_its_own_limit_and_waiting_list(workshop):
    # 2 places for case presenters, 3 for participants.
    for n in range(3):
        register(workshop, f"case{n}@example.org", "case_presenter")
    for n in range(4):
        register(workshop, f"part{n}@example.org", "participant")

    assert statuses(workshop, "case_presenter") == [
        ("case0@example.org", "confirmed"),
        ("case1@example.org", "confirmed"),
        ("case2@example.org", "waiting"),
    ]
    assert statuses(workshop, "participant") == [
        ("part0@example.org", "confirmed"),
        ("part1@example.org", "confirmed"),
        ("part2@example.org", "confirmed"),
        ("part3@example.org", "waiting"),
    ]
    seats = services.seats(workshop)
    assert (seats["case_presenter"].confirmed, seats["case_presenter"].waiting) == (
        2,
        1,
    )
    assert (seats["participant"].confirmed, seats["participant"].waiting) == (3, 1)
    assert seats["case_presenter"].is_full and seats["participant"].left == 0


def test_a_full_role_does_not_send_the_other_role_to_the_waiting_list(index):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=1, participant_capacity=10
    )
    register(workshop, "case0@example.org", "case_presenter")
    waiting = register(workshop, "case1@example.org", "case_presenter").registration
    participant = register(workshop, "part0@example.org", "participant").registration

    assert waiting.is_waiting
    assert participant.is_confirmed


def test_a_blank_capacity_means_no_limit(index):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=None, participant_capacity=0
    )
    for n in range(12):
        register(workshop, f"case{n}@example.org", "case_presenter")
    participant = register(workshop, "part@example.org").registration

    assert {status for _email, status in statuses(workshop, "case_presenter")} == {
        "confirmed"
    }
    seats = services.seats(workshop)
    assert seats["case_presenter"].left is None and not seats["case_presenter"].is_full
    # A capacity of 0 is a limit: everyone waits.
    assert participant.is_waiting


def test_waiting_positions_are_first_come_first_served_per_role(index):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=0, participant_capacity=0
    )
    first = register(workshop, "a@example.org").registration
    other_role = register(workshop, "b@example.org", "case_presenter").registration
    second = register(workshop, "c@example.org").registration

    assert first.waiting_position() == 1
    assert second.waiting_position() == 2
    assert other_role.waiting_position() == 1
    assert register(workshop, "c@example.org").registration.waiting_position() == 2


def test_confirmed_people_get_the_confirmation_and_waiting_people_the_waiting_notice(
    index, notify_each_registration
):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    confirmed = register(workshop, "a@example.org").registration
    waiting = register(workshop, "b@example.org").registration

    assert kinds(confirmed) == [MailKind.CONFIRMATION, MailKind.CONTACT_NOTIFICATION]
    assert kinds(waiting) == [MailKind.CONTACT_NOTIFICATION, MailKind.WAITING_LIST]
    # Rendered after the commit, from the database.
    notice = render_intent(waiting.mails.get(kind=MailKind.WAITING_LIST))
    assert "1" in notice.body_text  # position 1


# -- one workshop, one set of seats ----------------------------------------------------


def test_all_language_versions_share_the_seats(workshop_versions):
    # 3 places for participants, taken from the German, French and Italian pages.
    register(workshop_versions["de"], "de@example.org")
    register(workshop_versions["fr"], "fr@example.org")
    register(workshop_versions["it"], "it@example.org")
    late = register(workshop_versions["fr"], "late@example.org").registration

    assert late.is_waiting
    assert late.waiting_position() == 1
    keys = set(Registration.objects.values_list("workshop_key", flat=True))
    assert keys == {workshop_versions["de"].translation_key}
    assert dict(Registration.objects.values_list("email", "language")) == {
        "de@example.org": "de",
        "fr@example.org": "fr",
        "it@example.org": "it",
        "late@example.org": "fr",
    }
    for version in workshop_versions.values():
        assert services.seats(version)["participant"].confirmed == 3


def test_the_same_address_on_another_language_version_is_a_duplicate(workshop_versions):
    register(workshop_versions["de"], "beatrice@example.org")
    result = register(workshop_versions["fr"], "Beatrice@Example.org")

    assert result.is_duplicate
    assert Registration.objects.count() == 1


# -- duplicates ------------------------------------------------------------------------


def test_the_same_address_twice_gives_one_registration_and_sends_the_link_again(
    workshop, notify_each_registration
):
    first = register(workshop, "beatrice@example.org")
    second = register(workshop, "  BEATRICE@example.ORG ", role="case_presenter")

    assert first.created and not first.is_duplicate
    assert second.is_duplicate
    assert second.registration.pk == first.registration.pk
    assert Registration.objects.count() == 1
    assert second.registration.role == "participant"  # the first registration stands
    assert kinds(first.registration) == [
        MailKind.CONFIRMATION,
        MailKind.CONTACT_NOTIFICATION,
        MailKind.LINK,
    ]


def test_the_database_refuses_a_second_active_registration_for_an_address(workshop):
    RegistrationFactory(workshop=workshop, email="beatrice@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(workshop=workshop, email="Beatrice@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(
            workshop=workshop, email="beatrice@example.org", status="waiting"
        )
    assert Registration.objects.count() == 1


def test_a_cancelled_registration_does_not_block_the_address(workshop):
    first = register(workshop, "beatrice@example.org").registration
    services.cancel(first)

    again = register(workshop, "beatrice@example.org")

    assert again.created
    assert again.registration.pk != first.pk
    assert again.registration.is_confirmed
    # The database agrees: a cancelled row and an active one for the same address.
    RegistrationFactory(
        workshop=workshop, email="beatrice@example.org", status="cancelled"
    )
    assert Registration.objects.filter(email="beatrice@example.org").count() == 3


def test_the_same_address_may_register_for_another_workshop(workshop, index):
    other = WorkshopPageFactory(parent=index)
    register(workshop, "beatrice@example.org")
    assert register(other, "beatrice@example.org").created


# -- consent and stored data -----------------------------------------------------------


def test_consent_time_notice_version_and_opt_in_are_stored(workshop, settings):
    settings.WAGTAIL_ATELIER_PRIVACY_NOTICE_VERSION = "2025-01"
    moment = timezone.now().replace(microsecond=0)
    with freeze_time(moment):
        registration = register(
            workshop, "beatrice@example.org", share_contact=True
        ).registration

    registration.refresh_from_db()
    assert registration.privacy_consent_at == moment
    assert registration.privacy_notice_version == "2025-01"
    assert registration.share_contact is True
    assert registration.page_id == workshop.pk
    assert registration.workshop_key == workshop.translation_key


def test_a_participants_case_description_is_not_kept(workshop):
    registration = register(
        workshop, "p@example.org", "participant", case_description="Geheim"
    ).registration
    assert registration.case_description == ""


# -- the registration window -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({"registration_opens_at": timedelta(days=1)}, "not_yet_open"),
        ({"registration_closes_at": -timedelta(hours=1)}, "closed"),
        ({"start_at": -timedelta(hours=1)}, "past"),
        ({"start_at": -timedelta(days=365)}, "past"),
    ],
)
def test_registering_outside_the_window_is_refused_and_stores_nothing(
    index, changes, state
):
    now = timezone.now()
    values = {name: now + delta for name, delta in changes.items()}
    if "start_at" not in values:
        values["start_at"] = now + timedelta(days=30)
    workshop = WorkshopPageFactory(parent=index, **values)

    assert services.registration_state(workshop) == state
    with pytest.raises(services.RegistrationClosedError) as error:
        register(workshop, "late@example.org")
    assert error.value.state == state
    assert Registration.objects.count() == 0
    assert OutgoingMail.objects.count() == 0


def test_registration_opens_and_closes_on_time(index):
    start = timezone.now() + timedelta(days=30)
    opens = start - timedelta(days=20)
    closes = start - timedelta(days=2)
    workshop = WorkshopPageFactory(
        parent=index,
        start_at=start,
        registration_opens_at=opens,
        registration_closes_at=closes,
    )

    assert services.registration_state(workshop, opens - timedelta(seconds=1)) == (
        "not_yet_open"
    )
    assert services.registration_state(workshop, opens) == "open"
    assert (
        services.registration_state(workshop, closes - timedelta(seconds=1)) == "open"
    )
    assert services.registration_state(workshop, closes) == "closed"
    assert services.registration_state(workshop, start) == "past"


def test_an_unpublished_workshop_takes_no_registrations(workshop):
    workshop.unpublish()
    workshop.refresh_from_db()

    with pytest.raises(services.RegistrationClosedError) as error:
        register(workshop, "x@example.org")
    assert error.value.state == "unpublished"
    assert Registration.objects.count() == 0


# -- cancelling and promotion ----------------------------------------------------------


def test_cancelling_frees_the_seat_for_the_first_person_waiting_for_that_role(index):
    workshop = WorkshopPageFactory(
        parent=index, case_presenter_capacity=1, participant_capacity=1
    )
    confirmed = register(workshop, "c@example.org").registration
    register(workshop, "case0@example.org", "case_presenter")
    case_waiting = register(
        workshop, "case1@example.org", "case_presenter"
    ).registration
    first = register(workshop, "w1@example.org").registration
    second = register(workshop, "w2@example.org").registration

    services.cancel(confirmed)

    confirmed.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    case_waiting.refresh_from_db()
    assert confirmed.is_cancelled and confirmed.cancelled_at is not None
    assert first.is_confirmed and first.promoted_at is not None
    assert second.is_waiting and second.waiting_position() == 1
    assert case_waiting.is_waiting  # the other role's list does not move
    assert MailKind.PROMOTION in kinds(first)
    assert MailKind.PROMOTION not in kinds(second)
    assert MailKind.CANCELLATION in kinds(confirmed)


def test_promotion_follows_registration_order_not_primary_keys(index):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    confirmed = register(workshop, "c@example.org").registration
    now = timezone.now()
    late = RegistrationFactory(workshop=workshop, status="waiting", email="late@x.org")
    early = RegistrationFactory(
        workshop=workshop, status="waiting", email="early@x.org"
    )
    Registration.objects.filter(pk=late.pk).update(
        created_at=now + timedelta(minutes=5)
    )
    Registration.objects.filter(pk=early.pk).update(
        created_at=now - timedelta(minutes=5)
    )

    services.cancel(confirmed)

    assert Registration.objects.get(pk=early.pk).is_confirmed
    assert Registration.objects.get(pk=late.pk).is_waiting


def test_cancelling_a_waiting_registration_promotes_nobody(index):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    register(workshop, "c@example.org")
    waiting1 = register(workshop, "w1@example.org").registration
    waiting2 = register(workshop, "w2@example.org").registration

    services.cancel(waiting1)

    waiting2.refresh_from_db()
    assert waiting2.is_waiting
    assert waiting2.waiting_position() == 1
    assert services.seats(workshop)["participant"].confirmed == 1


def test_cancelling_twice_changes_nothing_more(workshop):
    registration = register(workshop, "c@example.org").registration
    services.cancel(registration)
    mails = OutgoingMail.objects.count()

    services.cancel(registration)

    assert OutgoingMail.objects.count() == mails


def test_people_cannot_cancel_once_the_workshop_has_started_but_staff_can(workshop):
    registration = register(workshop, "c@example.org").registration

    with freeze_time(workshop.start_at + timedelta(minutes=1)):
        with pytest.raises(services.CancellationNotAllowedError):
            services.cancel(registration)
        registration.refresh_from_db()
        assert registration.is_confirmed

        services.cancel(registration, by_staff=True)
    registration.refresh_from_db()
    assert registration.is_cancelled


def test_staff_can_promote_beyond_the_capacity(index):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    register(workshop, "c@example.org")
    waiting = register(workshop, "w@example.org").registration

    services.promote(waiting)

    waiting.refresh_from_db()
    assert waiting.is_confirmed
    assert services.seats(workshop)["participant"].confirmed == 2
    assert MailKind.PROMOTION in kinds(waiting)


def test_raising_capacity_and_filling_from_the_waiting_list(index):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    register(workshop, "c@example.org")
    waiting = [register(workshop, f"w{n}@example.org").registration for n in range(3)]
    workshop.participant_capacity = 3
    workshop.save()

    with transaction.atomic():
        services.lock_workshop(workshop.translation_key)
        promoted = services.fill_from_waiting_list(workshop, "participant")

    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert Registration.objects.get(pk=waiting[2].pk).is_waiting


# -- lost link -------------------------------------------------------------------------


def test_resend_link_mails_only_registered_active_addresses(workshop):
    registration = register(workshop, "beatrice@example.org").registration
    cancelled = register(workshop, "gone@example.org").registration
    services.cancel(cancelled)
    before = OutgoingMail.objects.filter(kind=MailKind.LINK).count()

    services.resend_link(workshop=workshop, email=" Beatrice@EXAMPLE.org ")
    services.resend_link(workshop=workshop, email="nobody@example.org")
    services.resend_link(workshop=workshop, email="gone@example.org")

    links = OutgoingMail.objects.filter(kind=MailKind.LINK)
    assert links.count() == before + 1
    assert links.get().registration == registration


# -- sharing one's contact -------------------------------------------------------------


def test_agreeing_to_share_contact_is_dated_with_the_version_of_the_wording(
    workshop, settings
):
    settings.WAGTAIL_ATELIER_SHARE_CONTACT_VERSION = "2026-01"
    moment = timezone.now().replace(microsecond=0)

    with freeze_time(moment):
        sharing = register(workshop, "a@example.org", share_contact=True).registration
        private = register(workshop, "b@example.org").registration

    sharing.refresh_from_db()
    private.refresh_from_db()
    assert sharing.share_contact is True
    assert sharing.share_contact_at == moment
    assert sharing.share_contact_version == "2026-01"
    assert sharing.share_contact_withdrawn_at is None
    assert (private.share_contact, private.share_contact_at) == (False, None)
    assert private.share_contact_version == ""


def test_the_default_wording_version_is_two(workshop):
    registration = register(workshop, "a@example.org", share_contact=True).registration

    assert Registration.objects.get(pk=registration.pk).share_contact_version == "2"


def test_withdrawing_share_contact_keeps_what_was_agreed_and_when_it_ended(workshop):
    agreed = timezone.now().replace(microsecond=0)
    with freeze_time(agreed):
        registration = register(
            workshop, "a@example.org", share_contact=True
        ).registration
    withdrawn = agreed + timedelta(days=3)

    services.withdraw_share_contact(registration, now=withdrawn)
    services.withdraw_share_contact(registration, now=withdrawn + timedelta(days=1))

    registration.refresh_from_db()
    assert registration.share_contact is False
    assert registration.share_contact_withdrawn_at == withdrawn  # the first time
    assert registration.share_contact_at == agreed
    assert registration.share_contact_version == "2"


def test_withdrawing_without_an_agreement_changes_nothing(workshop):
    registration = register(workshop, "a@example.org").registration

    services.withdraw_share_contact(registration)

    registration.refresh_from_db()
    assert registration.share_contact is False
    assert registration.share_contact_withdrawn_at is None
