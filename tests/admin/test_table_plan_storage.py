"""What a stored table plan keeps: registration ids, tables (numbers and the
language chosen for each), seats, locks and rounds; nothing a person told us. The
details the planner weighs (organisation, canton, languages) are read back from
the registrations, so a deleted registration leaves none of them behind."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wagtail_atelier import planner
from wagtail_atelier.models import Registration, TablePlan
from wagtail_atelier.services import table_plan as service

from ..factories import RegistrationFactory, WorkshopPageFactory

pytestmark = pytest.mark.django_db

# Details no plan field could hold by chance: the tables are in German, so "fr"
# and "it" can only be an adviser's languages.
PRESENTER_ORGANISATIONS = ["Gemeinde Thun Süd", "Verein Nachbarschaft Wabern"]
ADVISER_ORGANISATIONS = ["Quartierverein Breitsch", "Kirchgemeinde Spiez"]
CANTONS = ["TI", "GE"]
ADVISER_LANGUAGES = ["fr", "it"]


@pytest.fixture
def workshop(index):
    page = WorkshopPageFactory(
        parent=index,
        start_at=timezone.now() + timedelta(days=10),
        workshop_language="de",
        case_presenter_capacity=None,
        participant_capacity=None,
    )
    presenters = [
        RegistrationFactory(
            workshop=page,
            role="case_presenter",
            organisation=PRESENTER_ORGANISATIONS[i % 2],
            canton=CANTONS[i % 2],
            languages=["de"],
        )
        for i in range(3)
    ]
    advisers = [
        RegistrationFactory(
            workshop=page,
            organisation=ADVISER_ORGANISATIONS[i % 2],
            canton=CANTONS[i % 2],
            languages=["de", ADVISER_LANGUAGES[i % 2]],
        )
        for i in range(9)
    ]
    return page, presenters, advisers


def stored(page) -> TablePlan:
    return TablePlan.objects.get(workshop_key=page.translation_key)


def person_details_in(data: dict) -> list[str]:
    """The organisations, cantons and adviser languages found in a stored plan."""
    dumped = json.dumps(data, ensure_ascii=False).casefold()
    found = [
        organisation
        for organisation in PRESENTER_ORGANISATIONS + ADVISER_ORGANISATIONS
        if organisation.casefold() in dumped
    ]
    found += [
        f'"{code}"'
        for code in CANTONS + ADVISER_LANGUAGES
        if f'"{code}"'.casefold() in dumped
    ]
    return found


def test_a_generated_plan_stores_no_organisation_canton_or_language_of_a_person(
    workshop, client, users
):
    page, presenters, advisers = workshop
    client.force_login(users["changer"])
    response = client.post(
        reverse("wagtail_atelier_workshops:table_plan", args=[page.pk]),
        {"action": "generate", "rounds": 3, "min_size": 3, "max_size": 5},
    )
    assert response.status_code == 302

    data = stored(page).data
    assert person_details_in(data) == []
    assert {t["language"] for t in data["problem"]["tables"]} == {"de"}
    # Control: the people do have these details, and the planner's own format
    # holds them, so the check above would find them.
    people = Registration.objects.filter(workshop_key=page.translation_key)
    assert {r.organisation for r in people} == set(
        PRESENTER_ORGANISATIONS + ADVISER_ORGANISATIONS
    )
    problem = service.build_problem(
        page.translation_key, "de", rounds=3, min_size=3, max_size=5, seed=1
    )
    assert len(person_details_in(planner.make_plan(problem).to_dict())) == 8


def test_changing_the_plan_stores_no_person_details_either(workshop):
    page, presenters, advisers = workshop
    service.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
    view = service.plan_view(stored(page))
    adviser = advisers[0]
    target = next(t for t in view.tables if t.id != view.plan.table_of(adviser.pk, 1))
    service.move(view, adviser.pk, 1, target.id, force=True)
    assert person_details_in(stored(page).data) == []
    service.set_locks(service.plan_view(stored(page)), locked=True)
    assert person_details_in(stored(page).data) == []
    service.set_table_language(service.plan_view(stored(page)), target.id, "it")
    assert person_details_in(stored(page).data) == ['"it"']  # the table's language
    service.set_table_language(service.plan_view(stored(page)), target.id, "de")
    RegistrationFactory(workshop=page, organisation="Neu", languages=["fr"])
    service.replan(service.plan_view(stored(page)), page)
    assert person_details_in(stored(page).data) == []


def test_the_plan_is_judged_with_the_details_read_back_from_the_registrations(
    workshop,
):
    """The screen measures the stored plan as the planner measured it when it made
    it: organisations, cantons and languages come back from the registrations."""
    page, presenters, advisers = workshop
    problem = service.build_problem(
        page.translation_key, "de", rounds=3, min_size=3, max_size=5, seed=7
    )
    made = planner.make_plan(problem)
    service.save_plan(TablePlan(workshop_key=page.translation_key), made)

    view = service.plan_view(stored(page))
    expected = planner.evaluate(made)
    for measure in (
        "repeated_encounters",
        "same_organisation_presenter",
        "same_organisation_pairs",
        "size_imbalance",
        "same_canton_pairs",
        "objective",
        "hard_violations",
    ):
        assert getattr(view.metrics, measure) == getattr(expected, measure), measure
    # Not a trivial match: with everyone from two organisations and two cantons,
    # the details count.
    assert view.metrics.same_canton_pairs > 0
    assert view.metrics.same_organisation_pairs > 0
    assert service.stored_problem(stored(page)).advisers == problem.advisers
    assert service.stored_problem(stored(page)).tables == problem.tables


def test_a_deleted_registration_leaves_nothing_but_its_id(workshop):
    page, presenters, advisers = workshop
    service.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
    gone = advisers[0]
    gone.organisation = "Stiftung Einzigartig"
    gone.save()
    service.set_locks(service.plan_view(stored(page)), locked=True)
    gone_pk = gone.pk
    gone.delete()

    assert "Einzigartig" not in json.dumps(stored(page).data)
    view = service.plan_view(stored(page))
    assert gone_pk in view.absent
    assert gone_pk not in {a.id for a in view.plan.problem.active_advisers}
    assert service.stored_problem(stored(page)).advisers[0].organisation == ""
