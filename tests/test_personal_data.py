"""The list of personal data is complete: every field of every record model of the
package is in it, as personal data or as kept, and nothing listed is gone."""

import pytest
from django.apps import apps
from wagtail.models import Page

from wagtail_atelier.models import Registration
from wagtail_atelier.models.personal_data import REGISTRY, personal_data


def record_models():
    config = apps.get_app_config("wagtail_atelier")
    return [
        model
        for model in config.get_models()
        if not issubclass(model, Page) and not model._meta.abstract
    ]


def concrete_field_names(model):
    return {field.name for field in model._meta.concrete_fields}


@pytest.mark.parametrize("model", record_models(), ids=lambda m: m.__name__)
def test_every_field_of_every_record_model_is_classified(model):
    assert model._meta.label in REGISTRY, (
        f"{model._meta.label} holds records: list its fields in "
        "wagtail_atelier/models/personal_data.py"
    )
    entry = REGISTRY[model._meta.label]
    fields = concrete_field_names(model)
    unclassified = fields - set(entry.personal) - entry.kept
    assert not unclassified, (
        f"Say whether {sorted(unclassified)} of {model.__name__} are personal data "
        "in wagtail_atelier/models/personal_data.py"
    )
    assert not set(entry.personal) & entry.kept
    assert not (set(entry.personal) | entry.kept) - fields, "listed but gone"
    assert set(entry.exported_fields()) <= fields


def test_a_new_field_without_an_entry_is_caught():
    # Control: the check above would fail for a field nobody classified.
    entry = personal_data(Registration)
    fields = concrete_field_names(Registration) | {"shoe_size"}
    assert fields - set(entry.personal) - entry.kept == {"shoe_size"}


def test_anonymising_blanks_exactly_the_personal_fields(db):
    from tests.factories import RegistrationFactory, WorkshopPageFactory

    registration = RegistrationFactory(
        workshop=WorkshopPageFactory(), case_description="Mein Anliegen"
    )
    entry = personal_data(Registration)
    role = registration.role
    entry.anonymise(registration)
    assert registration.first_name == registration.email == ""
    assert registration.case_description == ""
    assert registration.languages == []
    assert registration.token == ""
    assert registration.role == role
