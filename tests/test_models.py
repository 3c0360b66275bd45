"""WorkshopPage / WorkshopIndexPage models: page tree rules, validation, defaults."""

from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from wagtail.models import Page

from tests.factories import WorkshopPageFactory, zurich
from wagtail_atelier.models import WorkshopIndexPage, WorkshopPage

pytestmark = pytest.mark.django_db

START = zurich(2030, 10, 30, 14)


# -- where pages may be created ---------------------------------------------------


def test_workshop_page_can_only_be_created_under_an_index(root_page, index):
    assert WorkshopPage.can_create_at(index)
    assert not WorkshopPage.can_create_at(root_page)
    assert not WorkshopPage.can_create_at(Page.get_first_root_node())


def test_workshop_page_cannot_be_created_under_another_workshop(index):
    workshop = WorkshopPageFactory(parent=index)
    assert not WorkshopPage.can_create_at(workshop)
    assert WorkshopPage.allowed_subpage_models() == []


def test_index_accepts_only_workshops(root_page, index):
    assert WorkshopIndexPage.can_create_at(root_page)
    assert WorkshopIndexPage.allowed_subpage_models() == [WorkshopPage]


def test_workshop_page_cannot_be_moved_out_of_the_index(root_page, index):
    other_index = WorkshopIndexPage(title="Andere", slug="andere")
    root_page.add_child(instance=other_index)
    workshop = WorkshopPageFactory(parent=index)
    assert workshop.can_move_to(other_index)
    assert not workshop.can_move_to(root_page)


# -- validation -------------------------------------------------------------------


def _errors(workshop) -> dict:
    with pytest.raises(ValidationError) as excinfo:
        workshop.full_clean()
    return excinfo.value.message_dict


@pytest.fixture
def workshop(index):
    return WorkshopPageFactory(
        parent=index, start_at=START, end_at=START + timedelta(hours=3)
    )


def test_a_valid_workshop_passes_validation(workshop):
    workshop.registration_opens_at = START - timedelta(days=60)
    workshop.registration_closes_at = START
    workshop.case_presenter_capacity = 0
    workshop.participant_capacity = 30
    workshop.full_clean()


@pytest.mark.parametrize("end_delta", [timedelta(hours=-1), timedelta(0)])
def test_end_must_follow_start(workshop, end_delta):
    workshop.end_at = START + end_delta
    errors = _errors(workshop)
    assert errors["end_at"] == [gettext("The workshop must end after it starts.")]
    # The friendly message replaces the database constraint's generic one.
    assert NON_FIELD_ERRORS not in errors


def test_registration_must_close_before_the_workshop_starts(workshop):
    workshop.registration_closes_at = START + timedelta(minutes=1)
    errors = _errors(workshop)
    assert errors["registration_closes_at"] == [
        gettext("Registration must close before the workshop starts.")
    ]
    assert NON_FIELD_ERRORS not in errors


def test_registration_must_open_before_it_closes(workshop):
    workshop.registration_opens_at = START - timedelta(days=1)
    workshop.registration_closes_at = START - timedelta(days=2)
    errors = _errors(workshop)
    assert errors["registration_opens_at"] == [
        gettext("Registration must open before it closes.")
    ]


def test_registration_must_open_before_the_workshop_when_it_has_no_close(workshop):
    workshop.registration_opens_at = START + timedelta(hours=1)
    assert "registration_opens_at" in _errors(workshop)


@pytest.mark.parametrize("field", ["case_presenter_capacity", "participant_capacity"])
def test_capacity_cannot_be_negative(workshop, field):
    setattr(workshop, field, -1)
    errors = _errors(workshop)
    assert list(errors) == [field]


@pytest.mark.parametrize("workshop_format", ["on_site", "hybrid"])
def test_town_is_required_for_a_workshop_with_a_venue(workshop, workshop_format):
    workshop.format = workshop_format
    workshop.town = ""
    errors = _errors(workshop)
    assert errors["town"] == [gettext("Give the town of a workshop held on site.")]


def test_online_workshop_needs_no_town(index):
    workshop = WorkshopPageFactory(parent=index, online=True)
    assert workshop.town == ""
    workshop.full_clean()


def test_invalid_workshop_is_not_saved(index):
    workshop = WorkshopPage(
        title="Kaputt",
        slug="kaputt",
        start_at=START,
        end_at=START - timedelta(hours=1),
        town="Suhr",
        workshop_language="de",
    )
    with pytest.raises(ValidationError):
        index.add_child(instance=workshop)
    assert not WorkshopPage.objects.filter(slug="kaputt").exists()


# -- database constraints: the rules hold even when clean() is bypassed -------------


def test_database_refuses_an_end_before_the_start(workshop):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkshopPage.objects.filter(pk=workshop.pk).update(
            end_at=START - timedelta(hours=1)
        )


def test_database_refuses_registration_closing_after_the_start(workshop):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkshopPage.objects.filter(pk=workshop.pk).update(
            registration_closes_at=START + timedelta(days=1)
        )


# -- defaults -----------------------------------------------------------------------


def test_blank_end_defaults_to_three_hours(index):
    workshop = WorkshopPageFactory(parent=index, start_at=START, end_at=None)
    workshop.refresh_from_db()
    assert workshop.end_at == START + timedelta(hours=3)


def test_default_duration_is_a_setting(index, settings):
    settings.WAGTAIL_ATELIER_DEFAULT_DURATION = timedelta(hours=2)
    workshop = WorkshopPageFactory(parent=index, start_at=START, end_at=None)
    assert workshop.end_at == START + timedelta(hours=2)


def test_new_workshop_is_free_and_on_site_by_default():
    workshop = WorkshopPage()
    assert workshop.is_free is True
    assert workshop.format == "on_site"


# -- presentation helpers -------------------------------------------------------------


def test_times_are_shown_in_zurich_time(index):
    # 13:00 UTC in winter is 14:00 in Zurich.
    workshop = WorkshopPageFactory(parent=index, start_at=START, end_at=None)
    workshop.refresh_from_db()
    assert (workshop.start_local.hour, workshop.start_local.minute) == (14, 0)
    assert (workshop.end_local.hour, workshop.end_local.minute) == (17, 0)
    assert str(workshop.start_local.tzinfo) == "Europe/Zurich"


def test_address_lines_of_an_on_site_workshop(index):
    workshop = WorkshopPageFactory(parent=index)
    assert workshop.address_lines == ["Gemeindesaal", "Tramstrasse 10", "5034 Suhr"]


def test_online_workshop_has_no_address(index):
    workshop = WorkshopPageFactory(parent=index, online=True)
    assert workshop.address_lines == []
    assert workshop.is_online and not workshop.has_venue


def test_is_past(index):
    assert WorkshopPageFactory(parent=index, past=True).is_past
    assert not WorkshopPageFactory(parent=index).is_past
