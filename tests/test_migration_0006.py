"""Migration 0006 on data stored before it: clear tokens replaced by digests, table
plans stripped of person data, opt-ins dated."""

import importlib
import json

import pytest
from django.apps import apps

from tests.factories import RegistrationFactory, WorkshopPageFactory
from wagtail_atelier.models import Registration, TablePlan

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "wagtail_atelier.migrations.0006_personal_data_life_cycle"
)


def test_existing_rows_get_a_working_link_and_no_clear_token(index):
    registration = RegistrationFactory(workshop=WorkshopPageFactory(parent=index))
    Registration.objects.filter(pk=registration.pk).update(
        link_nonce="", link_digest=None
    )

    migration.new_links(apps, None)

    registration.refresh_from_db()
    token = registration.token
    assert len(token) == 43
    assert Registration.objects.with_token(token).get() == registration
    stored = json.dumps(list(Registration.objects.values()), default=str)
    assert token not in stored


def test_stored_table_plans_lose_organisations_cantons_and_languages():
    problem = {
        "tables": [{"id": 1, "organisation": "Verein Alpha", "canton": "BE"}],
        "advisers": [
            {
                "id": 7,
                "organisation": "Gemeinde Beta",
                "canton": "VS",
                "languages": ["fr"],
            }
        ],
    }
    plan = TablePlan.objects.create(
        workshop_key="8c5b6a4e-0000-4000-8000-000000000001",
        data={
            "problem": problem,
            "seating": [[[7, 1]]],
            "diagnostics": [{"x": "Anna"}],
        },
    )

    migration.strip_table_plans(apps, None)

    plan.refresh_from_db()
    stored = json.dumps(plan.data)
    for value in ("Verein Alpha", "Gemeinde Beta", "BE", "VS", '"fr"', "Anna"):
        assert value not in stored
    assert plan.data["seating"] == [[[7, 1]]]
    assert plan.data["problem"]["advisers"][0]["id"] == 7


def test_existing_opt_ins_are_dated_with_the_privacy_consent(index):
    registration = RegistrationFactory(
        workshop=WorkshopPageFactory(parent=index), share_contact=True
    )
    Registration.objects.filter(pk=registration.pk).update(share_contact_at=None)

    migration.date_share_contact(apps, None)

    registration.refresh_from_db()
    assert registration.share_contact_at == registration.privacy_consent_at
