"""The "Table plan" screen of a workshop: who may see it, making, changing and
re-planning the plan, the printable view and the exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from wagtail_atelier.models import TablePlan
from wagtail_atelier.services import table_plan as service

from ..factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    admin_user,
    both_page_classes,
)

pytestmark = [pytest.mark.django_db, both_page_classes]


@pytest.fixture
def cafe(index):
    """An online workshop with 3 case presenters and 9 participants from three
    organisations."""
    page = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt online",
        slug="online",
        start_at=timezone.now() + timedelta(days=10),
        format="online",
        case_presenter_capacity=None,
        participant_capacity=None,
    )
    presenters = [
        RegistrationFactory(
            workshop=page,
            role="case_presenter",
            first_name=f"Fall{i}",
            last_name=f"Geberin{i}",
            organisation=f"Org {i}",
        )
        for i in range(3)
    ]
    participants = [
        RegistrationFactory(
            workshop=page,
            first_name=f"Rat{i}",
            last_name=f"Geber{i}",
            organisation=f"Org {i % 3}",
        )
        for i in range(9)
    ]
    return page, presenters, participants


def url(page, name="table_plan", *args):
    return reverse(f"wagtail_atelier_workshops:{name}", args=[page.pk, *args])


def generate(client, page, **data):
    return client.post(
        url(page),
        {"action": "generate", "rounds": 3, "min_size": 3, "max_size": 5, **data},
    )


def stored(page) -> TablePlan:
    return TablePlan.objects.get(workshop_key=page.translation_key)


def view_of(page) -> service.PlanView:
    return service.plan_view(stored(page))


def text(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))


# -- permissions -------------------------------------------------------------------


ALL_URLS = [
    ("table_plan",),
    ("table_plan_print",),
    ("table_plan_csv",),
    ("table_plan_zoom", 1),
]


@pytest.mark.parametrize("name", ALL_URLS, ids=lambda n: n[0])
def test_only_users_who_may_see_registrations_see_the_plan(client, users, cafe, name):
    page, presenters, participants = cafe
    service.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
    target = url(page, *name)
    anonymous = client.get(target)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    client.force_login(users["editor"])
    denied = client.get(target)
    assert denied.status_code == 302
    assert denied["Location"] == reverse("wagtailadmin_home")
    assert participants[0].last_name not in text(denied)
    for role in ("viewer", "changer"):
        client.force_login(users[role])
        response = client.get(target)
        assert response.status_code == 200, role
        assert "no-store" in response["Cache-Control"]
        body = text(response)
        assert participants[0].email in body or participants[0].last_name in body


def test_an_unknown_workshop_is_not_revealed_to_users_without_permission(
    client, users, cafe
):
    client.force_login(users["editor"])
    response = client.get(
        reverse("wagtail_atelier_workshops:table_plan", args=[999999])
    )
    assert response.status_code == 302
    client.force_login(users["viewer"])
    response = client.get(
        reverse("wagtail_atelier_workshops:table_plan", args=[999999]), follow=True
    )
    assert response.status_code == 404


def test_a_page_that_is_not_a_workshop_has_no_plan(client, users, index):
    client.force_login(users["viewer"])
    response = client.get(
        reverse("wagtail_atelier_workshops:table_plan", args=[index.pk]), follow=True
    )
    assert response.status_code == 404


def test_viewers_see_the_plan_but_cannot_change_it(client, users, cafe):
    page, presenters, participants = cafe
    service.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
    before = stored(page).data
    client.force_login(users["viewer"])
    screen = text(client.get(url(page)))
    assert 'name="action"' not in screen
    for action in ("generate", "replan", "move", "lock_round", "unlock_all"):
        response = client.post(
            url(page),
            {
                "action": action,
                "rounds": 2,
                "min_size": 3,
                "max_size": 5,
                "person": participants[0].pk,
                "round": 1,
                "table": 1,
                "force": "1",
                "revision": stored(page).revision,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert stored(page).data == before


def test_the_workshop_editor_links_to_the_plan_only_for_registration_users(
    client, users, cafe
):
    page, presenters, participants = cafe
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    for role, shown in (("editor", False), ("viewer", True)):
        client.force_login(users[role])
        page_html = text(client.get(edit))
        assert (url(page) in page_html) is shown, role


# -- making the plan ---------------------------------------------------------------


def seats_are_valid(view: service.PlanView) -> None:
    """Everyone at exactly one table per round, never twice at the same one."""
    visited = {}
    for round_ in view.rounds:
        seen = []
        for table in round_.tables:
            assert 3 <= table.size <= 5
            for seat in table.advisers:
                seen.append(seat.registration.pk)
                assert table.number not in visited.setdefault(
                    seat.registration.pk, set()
                )
                visited[seat.registration.pk].add(table.number)
        assert sorted(seen) == sorted(r.pk for r in view.advisers)
        assert not round_.unassigned


def test_a_plan_is_made_stored_and_shown_after_a_reload(client, users, cafe):
    page, presenters, participants = cafe
    client.force_login(users["changer"])
    response = generate(client, page)
    assert response.status_code == 302
    assert response["Location"] == url(page)
    table_plan = stored(page)
    assert table_plan.feasible
    assert (table_plan.rounds, table_plan.min_size, table_plan.max_size) == (3, 3, 5)
    seats_are_valid(view_of(page))
    screen = text(client.get(url(page)))
    assert "This plan keeps every rule" in screen
    for person in presenters + participants:
        assert person.full_name in screen
    assert screen.count('data-round="') == 3
    entry = ModelLogEntry.objects.get(action="wagtail_atelier.table_plan.generate")
    assert entry.user == users["changer"]


def test_the_stored_plan_holds_no_names(client, users, cafe):
    page, presenters, participants = cafe
    client.force_login(users["changer"])
    generate(client, page)
    data = str(stored(page).data)
    for person in presenters + participants:
        assert person.first_name not in data
        assert person.last_name not in data
        assert person.email not in data


def test_tables_are_numbered_in_registration_order_in_the_workshop_language(cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    assert [(t.id, t.presenter_id, t.language) for t in view.tables] == [
        (n + 1, p.pk, "de") for n, p in enumerate(presenters)
    ]


def view_of_generated(page, **params):
    service.generate(
        page,
        **{"rounds": 3, "min_size": 3, "max_size": 5, "seed": 7, **params},
    )
    return view_of(page)


def test_a_presenter_who_does_not_speak_the_workshop_language_gets_their_own(index):
    page = WorkshopPageFactory(
        parent=index, start_at=timezone.now() + timedelta(days=3)
    )
    RegistrationFactory(workshop=page, role="case_presenter", languages=["it", "de"])
    RegistrationFactory(workshop=page, role="case_presenter", languages=[])
    presenter = RegistrationFactory(
        workshop=page, role="case_presenter", languages=["fr"]
    )
    for _ in range(6):
        RegistrationFactory(workshop=page, languages=["de", "fr"])
    view = view_of_generated(page, rounds=2)
    languages = {t.presenter_id: t.language for t in view.tables}
    assert languages[presenter.pk] == "fr"
    assert sorted(languages.values()) == ["de", "de", "fr"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"rounds": 0}, "Ensure this value is greater than or equal to 1."),
        ({"rounds": 6}, "Ensure this value is less than or equal to 5."),
        ({"rounds": "drei"}, "Enter a whole number."),
        ({"min_size": 1}, "Ensure this value is greater than or equal to 2."),
        (
            {"min_size": 6, "max_size": 4},
            "The smallest group (6) cannot be larger than the largest (4).",
        ),
    ],
)
def test_nonsense_parameters_are_refused_with_a_clear_message(
    client, users, cafe, data, error
):
    page, presenters, participants = cafe
    client.force_login(users["changer"])
    response = generate(client, page, **data)
    assert response.status_code == 400
    assert error in text(response)
    assert "The plan could not be made" in text(response)
    assert not TablePlan.objects.exists()


def test_the_parameter_error_is_translated_for_a_french_admin(client, users, cafe):
    page, presenters, participants = cafe
    user = users["changer"]
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save()
    client.force_login(user)
    response = generate(client, page, min_size=6, max_size=4)
    assert response.status_code == 400
    body = text(response)
    assert "The smallest group" not in body
    assert "(6)" in body and "(4)" in body


def test_a_workshop_without_case_presenters_explains_what_is_missing(
    client, users, index
):
    page = WorkshopPageFactory(
        parent=index, start_at=timezone.now() + timedelta(days=3)
    )
    RegistrationFactory(workshop=page)
    client.force_login(users["changer"])
    response = generate(client, page)
    assert response.status_code == 302
    screen = client.get(url(page))
    assert screen.status_code == 200
    assert "the plan needs at least one confirmed case presenter" in text(screen)
    assert not stored(page).feasible


def test_one_participant_for_two_tables_gets_the_best_plan_with_advice(
    client, users, index
):
    page = WorkshopPageFactory(
        parent=index, start_at=timezone.now() + timedelta(days=3)
    )
    RegistrationFactory(workshop=page, role="case_presenter")
    RegistrationFactory(workshop=page, role="case_presenter")
    RegistrationFactory(workshop=page, first_name="Einzig", last_name="Allein")
    client.force_login(users["changer"])
    generate(client, page)
    screen = text(client.get(url(page)))
    assert "Too few participants: 1" in screen
    assert "What would help" in screen
    assert "Reduce the number of rounds to 2" in screen
    assert "This plan breaks" in screen
    # The best plan it could make is still there, marked as such.
    assert "Einzig Allein" in screen


def test_an_empty_workshop_shows_no_error_page(client, users, index):
    page = WorkshopPageFactory(
        parent=index, start_at=timezone.now() + timedelta(days=3)
    )
    client.force_login(users["changer"])
    assert client.get(url(page)).status_code == 200
    assert generate(client, page).status_code == 302
    screen = client.get(url(page))
    assert screen.status_code == 200
    assert "There is no table" in text(screen)
    assert client.get(url(page, "table_plan_print")).status_code == 200
    assert len(csv_rows(client.get(url(page, "table_plan_csv")))) == 1


def test_outputs_of_a_workshop_without_plan_are_not_found(client, users, cafe):
    page, presenters, participants = cafe
    client.force_login(users["viewer"])
    for name in ALL_URLS[1:]:
        assert client.get(url(page, *name), follow=True).status_code == 404
    screen = text(client.get(url(page)))
    assert "No table plan has been made for this workshop yet." in screen


# -- moving people -------------------------------------------------------------------


def post(client, page, action, **data):
    return client.post(
        url(page), {"action": action, "revision": stored(page).revision, **data}
    )


def free_table(view, person, round_number):
    """A table the person does not visit in any round."""
    visited = set(view.tables_of(person))
    return next(t.id for t in view.tables if t.id not in visited)


def test_a_move_that_keeps_the_rules_is_stored_and_fixed(client, users, cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page, rounds=2)
    person = participants[0]
    target = free_table(view, person, 1)
    client.force_login(users["changer"])
    response = post(client, page, "move", person=person.pk, round=1, table=target)
    assert response.status_code == 302
    after = view_of(page)
    assert after.tables_of(person)[0] == target
    assert after.is_locked(person.pk, 1)
    assert not after.violations
    entry = ModelLogEntry.objects.get(action="wagtail_atelier.table_plan.move")
    assert entry.data == {
        "registration": person.pk,
        "round": 1,
        "table": target,
        "violations": [],
    }
    assert person.last_name not in str(entry.data) + entry.label


def test_a_move_into_a_violation_is_shown_first_and_stored_only_when_confirmed(
    client, users, cafe
):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    person = participants[0]
    # In round 1, to the table the person visits in round 2: a second visit.
    target = view.tables_of(person)[1]
    before = stored(page).data
    client.force_login(users["changer"])
    response = post(client, page, "move", person=person.pk, round=1, table=target)
    assert response.status_code == 409
    warning = text(response)
    assert "breaks a rule" in warning
    assert f"sits at table {target}" in warning
    assert "Move anyway" in warning
    assert stored(page).data == before
    assert not ModelLogEntry.objects.filter(
        action__startswith="wagtail_atelier.table_plan.move"
    ).exists()

    response = post(
        client, page, "move", person=person.pk, round=1, table=target, force="1"
    )
    assert response.status_code == 302
    after = view_of(page)
    assert after.tables_of(person)[0] == target
    assert not stored(page).feasible
    assert {v.code for v in after.violations} >= {"table_revisited"}
    entry = ModelLogEntry.objects.get(
        action="wagtail_atelier.table_plan.move_against_rules"
    )
    assert "table_revisited" in entry.data["violations"]
    screen = text(client.get(url(page)))
    assert "This plan breaks" in screen
    # The seat of the round that breaks the rule is marked, not the person's others.
    broken = {(v.adviser_id, v.round) for v in after.violations if v.adviser_id}
    assert screen.count("(rule broken)") == len(broken) >= 1
    for adviser_id, round_number in broken:
        section = screen.split(f'data-round="{round_number}"')[1].split("data-round=")[
            0
        ]
        seat = section.split(f'data-person="{adviser_id}"')[1].split("</li>")[0]
        assert "(rule broken)" in seat


@pytest.mark.parametrize(
    "data",
    [
        {"person": "", "round": 1, "table": 1},
        {"person": "x", "round": 1, "table": 1},
        {"person": 999999, "round": 1, "table": 1},
        {"round": 9, "table": 1},
        {"round": 1, "table": 99},
    ],
)
def test_moving_nonsense_changes_nothing_and_says_why(client, users, cafe, data):
    page, presenters, participants = cafe
    view_of_generated(page)
    before = stored(page).data
    data.setdefault("person", participants[0].pk)
    client.force_login(users["changer"])
    response = post(client, page, "move", **data)
    assert response.status_code == 302
    messages = text(client.get(url(page)))
    assert (
        "Choose a person, a round and a table." in messages or "There is no" in messages
    )
    assert stored(page).data == before


def test_a_change_made_on_an_outdated_screen_is_refused(client, users, cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page, rounds=2)
    old_revision = stored(page).revision
    person = participants[0]
    client.force_login(users["changer"])
    post(client, page, "lock_round", round=1)
    data = stored(page).data
    response = client.post(
        url(page),
        {
            "action": "move",
            "revision": old_revision,
            "person": person.pk,
            "round": 1,
            "table": free_table(view, person, 1),
        },
    )
    assert response.status_code == 302
    assert "Someone changed the plan" in text(client.get(url(page)))
    assert stored(page).data == data


def test_an_unknown_action_changes_nothing(client, users, cafe):
    page, presenters, participants = cafe
    view_of_generated(page)
    before = stored(page).data
    client.force_login(users["changer"])
    response = post(client, page, "drop_tables")
    assert response.status_code == 302
    assert "Unknown action" in text(client.get(url(page)))
    assert stored(page).data == before


# -- fixing places and re-planning -----------------------------------------------------


def test_replanning_after_a_cancellation_keeps_the_fixed_round(client, users, cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    round_one = {p.pk: view.tables_of(p)[0] for p in participants}
    client.force_login(users["changer"])
    response = post(client, page, "lock_round", round=1)
    assert response.status_code == 302
    assert "9 places of round 1 are fixed." in text(client.get(url(page)))
    gone = participants[4]
    gone.status = "cancelled"
    gone.cancelled_at = timezone.now()
    gone.save()
    newcomer = RegistrationFactory(workshop=page, first_name="Neu", last_name="Dazu")
    screen = text(client.get(url(page)))
    assert "1 person in the plan is no longer confirmed." in screen
    assert "1 person was confirmed after the plan was made" in screen

    response = post(client, page, "replan")
    assert response.status_code == 302
    after = view_of(page)
    assert gone not in after.advisers
    assert newcomer in after.advisers
    assert all(
        after.tables_of(p)[0] == round_one[p.pk] for p in participants if p != gone
    )
    assert not after.newcomers and not after.absent
    assert [t.id for t in after.tables] == [1, 2, 3]
    seats_are_valid(after)


def test_replanning_keeps_table_numbers_when_a_presenter_cancels(cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page, rounds=2)
    presenters[0].status = "cancelled"
    presenters[0].save()
    RegistrationFactory(workshop=page, role="case_presenter")
    service.replan(service.plan_view(stored(page)), page)
    after = view_of(page)
    assert [t.id for t in after.tables] == [2, 3, 4]
    assert view.tables[1].presenter_id == after.tables[0].presenter_id


def test_releasing_fixed_places(client, users, cafe):
    page, presenters, participants = cafe
    view_of_generated(page)
    client.force_login(users["changer"])
    post(client, page, "lock_round", round=2)
    post(client, page, "lock_round", round=3)
    assert len(view_of(page).plan.problem.locks) == 18
    post(client, page, "unlock_round", round=2)
    assert len(view_of(page).plan.problem.locks) == 9
    post(client, page, "unlock_all")
    assert view_of(page).plan.problem.locks == ()


@pytest.mark.parametrize("value", ["", "x", "0", "4"])
def test_fixing_a_round_that_does_not_exist_changes_nothing(client, users, cafe, value):
    page, presenters, participants = cafe
    view_of_generated(page)
    before = stored(page).data
    client.force_login(users["changer"])
    response = post(client, page, "lock_round", round=value)
    assert response.status_code == 302
    assert "the rounds are 1 to 3" in text(client.get(url(page)))
    assert stored(page).data == before


def test_a_new_plan_releases_fixed_places(client, users, cafe):
    page, presenters, participants = cafe
    view_of_generated(page)
    client.force_login(users["changer"])
    post(client, page, "lock_round", round=1)
    generate(client, page, revision=stored(page).revision)
    assert view_of(page).plan.problem.locks == ()


def test_a_table_held_in_another_language_warns_about_those_who_do_not_speak_it(
    client, users, cafe
):
    page, presenters, participants = cafe
    view_of_generated(page)
    client.force_login(users["changer"])
    response = post(client, page, "table_language", table=2, language="it")
    assert response.status_code == 302
    screen = text(client.get(url(page)))
    assert "Table 2 is now held in Italian." in screen
    assert "do not speak it" in screen
    assert view_of(page).table(2).language == "it"
    response = post(client, page, "table_language", table=2, language="xx")
    assert response.status_code == 302
    assert "Choose one of the languages offered" in text(client.get(url(page)))
    assert view_of(page).table(2).language == "it"
    response = post(client, page, "table_language", table=9, language="fr")
    assert "There is no table 9" in text(client.get(url(page)))


# -- outputs -------------------------------------------------------------------------


def test_the_printable_view_has_a_sheet_per_table_and_a_card_per_person(
    client, django_user_model, cafe
):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    # A facilitator: the names and the cases (which need their own permission).
    facilitator = admin_user(
        django_user_model,
        "facilitator",
        "wagtail_atelier.view_registration",
        "wagtail_atelier.view_case_details",
    )
    client.force_login(facilitator)
    response = client.get(url(page, "table_plan_print"))
    body = text(response)
    assert body.count('class="sheet"') == 3
    assert body.count('class="card"') == 12
    # The sheets lie on the tables: no case question, even for a facilitator.
    assert "Wie gewinnen wir Freiwillige?" not in body
    assert "Facilitators' copy" not in body
    person = participants[0]
    card = body[body.index(f'data-person="{person.pk}"') :]
    card = card[: card.index("</article>")]
    # In the language the workshop is held in (German), not the admin user's.
    assert '<html lang="de">' in body
    for number, table in enumerate(view.tables_of(person), start=1):
        assert f"Runde {number}: Tisch {table}" in card
    presenter_card = body[body.index(f'data-person="{presenters[1].pk}"') :]
    with translation.override("de"):
        stay = translation.gettext(
            "You present your case at table %(number)s and stay there for every round."
        ) % {"number": 2}
    assert stay in presenter_card[:400]
    # The screen's own controls stay in the admin user's language.
    assert ">Back to the table plan</a>" in body


def test_a_french_workshop_is_printed_in_french_for_a_german_admin_user(
    client, django_user_model, cafe
):
    page, presenters, participants = cafe
    page.workshop_language = "fr"
    page.save()
    view = view_of_generated(page)
    user = admin_user(
        django_user_model,
        "redaktion",
        "wagtail_atelier.view_registration",
        "wagtail_atelier.view_case_details",
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    client.force_login(user)
    body = text(client.get(url(page, "table_plan_print")))
    assert '<html lang="fr">' in body
    person = participants[0]
    card = body[body.index(f'data-person="{person.pk}"') :]
    card = card[: card.index("</article>")]
    first_table = view.tables_of(person)[0]
    assert f"Tour 1 : table {first_table}" in card
    assert "Runde 1" not in body
    # The controls that are not printed: in the admin user's language.
    assert '<p class="no-print" lang="de">' in body


def test_the_facilitators_copy_shows_the_cases_and_says_so(
    client, django_user_model, users, cafe
):
    page, presenters, participants = cafe
    view_of_generated(page)
    facilitator = admin_user(
        django_user_model,
        "facilitator",
        "wagtail_atelier.view_registration",
        "wagtail_atelier.view_case_details",
    )
    copy_url = url(page, "table_plan_print") + "?copy=facilitators"
    client.force_login(facilitator)
    screen = text(client.get(url(page)))
    assert copy_url.replace("&", "&amp;") in screen
    body = text(client.get(copy_url))
    assert body.count('class="sheet"') == 3
    assert body.count('class="confidential"') == 3  # on every sheet
    assert presenters[0].case_description in body
    assert 'class="card"' not in body  # the cards go to everyone: not in this copy

    # Without the case permission: neither the link nor the copy.
    client.force_login(users["viewer"])
    assert copy_url not in text(client.get(url(page)))
    response = client.get(copy_url)
    assert response.status_code == 302
    assert presenters[0].case_description not in text(response)


def test_the_csv_lists_everyone_with_their_tables(client, users, cafe):
    page, presenters, participants = cafe
    participants[0].organisation = "=HYPERLINK(1)"
    participants[0].save()
    view = view_of_generated(page)
    client.force_login(users["viewer"])
    response = client.get(url(page, "table_plan_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "Last name",
        "First name",
        "Role",
        "Organisation",
        "Email",
        "Round 1",
        "Round 2",
        "Round 3",
    ]
    assert len(rows) == 13
    by_email = {row[4]: row for row in rows[1:]}
    person = participants[0]
    assert by_email[person.email][5:] == [str(t) for t in view.tables_of(person)]
    assert by_email[person.email][3] == "'=HYPERLINK(1)"
    assert by_email[presenters[2].email][5:] == ["3", "3", "3"]


def test_zoom_files_assign_each_round_to_breakout_rooms(client, users, cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    client.force_login(users["viewer"])
    screen = text(client.get(url(page)))
    for number in (1, 2, 3):
        assert url(page, "table_plan_zoom", number) in screen
    for number in (1, 2, 3):
        response = client.get(url(page, "table_plan_zoom", number))
        raw = text(response)
        assert raw.startswith("Pre-assign Room Name,Email Address")
        rows = csv_rows(response)
        assert len(rows) == 1 + 12
        rooms = {}
        for room, email in rows[1:]:
            rooms.setdefault(room, set()).add(email)
        assert set(rooms) == {"Tisch 1", "Tisch 2", "Tisch 3"}
        for table in view.rounds[number - 1].tables:
            assert rooms[f"Tisch {table.number}"] == {
                table.presenter.email,
                *(s.registration.email for s in table.advisers),
            }
    assert client.get(url(page, "table_plan_zoom", 4), follow=True).status_code == 404


def test_on_site_workshops_offer_no_zoom_files(client, users, cafe):
    page, presenters, participants = cafe
    page.format = "on_site"
    page.save()
    view_of_generated(page)
    client.force_login(users["viewer"])
    assert "zoom-round" not in text(client.get(url(page)))


def test_zoom_rooms_are_named_in_the_language_of_the_workshop(client, users, cafe):
    page, presenters, participants = cafe
    page.workshop_language = "it"
    page.save()
    for person in presenters + participants:
        person.languages = ["it"]
        person.save()
    view_of_generated(page)
    client.force_login(users["viewer"])
    rows = csv_rows(client.get(url(page, "table_plan_zoom", 1)))
    assert {room for room, _ in rows[1:]} == {"Tavolo 1", "Tavolo 2", "Tavolo 3"}


# -- reminder mail ---------------------------------------------------------------------


def starts_soon(page):
    page.start_at = timezone.now() + timedelta(days=2)
    page.end_at = page.start_at + timedelta(hours=3)
    page.save()


def test_the_reminder_tells_each_person_their_tables_when_asked(
    client, users, cafe, mailoutbox, django_capture_on_commit_callbacks
):
    from wagtail_atelier.services import registration as registration_service

    page, presenters, participants = cafe
    starts_soon(page)
    view = view_of_generated(page)
    client.force_login(users["changer"])
    response = post(client, page, "reminder", show_in_reminder="1")
    assert response.status_code == 302
    assert stored(page).show_in_reminder
    with django_capture_on_commit_callbacks(execute=True):
        registration_service.send_due_reminders()
    by_address = {m.to[0]: m for m in mailoutbox}
    person = participants[0]
    body = by_address[person.email].body
    for number, table in enumerate(view.tables_of(person), start=1):
        assert f"Runde {number}: Tisch {table}" in body
    assert "Tisch 1" in by_address[presenters[0].email].body


def test_the_reminder_does_not_mention_tables_by_default(
    cafe, mailoutbox, django_capture_on_commit_callbacks
):
    from wagtail_atelier.services import registration as registration_service

    page, presenters, participants = cafe
    starts_soon(page)
    view_of_generated(page)
    with django_capture_on_commit_callbacks(execute=True):
        registration_service.send_due_reminders()
    assert mailoutbox
    assert not any("Runde 1: Tisch" in m.body for m in mailoutbox)
    assert not any("Tisch 1" in m.body for m in mailoutbox)


# -- queries --------------------------------------------------------------------------


def test_the_screen_costs_the_same_queries_whatever_the_number_of_people(
    client, users, index, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 4):
        page = WorkshopPageFactory(
            parent=index, start_at=timezone.now() + timedelta(days=3)
        )
        for _ in range(3 * size):
            RegistrationFactory(workshop=page, role="case_presenter")
        for _ in range(9 * size):
            RegistrationFactory(workshop=page)
        service.generate(page, rounds=3, min_size=3, max_size=5, seed=1)
        client.force_login(users["changer"])
        client.get(url(page))  # warm caches (site, locale, user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(page)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25, counts


def test_planner_messages_are_translated_with_their_words():
    from django.utils import translation

    from wagtail_atelier import planner

    error = planner.PlannerInputError("unknown_move_target", kind="table", id=9)
    with translation.override("de"):
        assert service.input_error_message(error) == (
            "Es gibt kein Element Tisch 9 zum Verschieben."
        )
    violation = planner.Violation(
        "language_mismatch",
        1,
        params={"adviser": "Anna", "language": "fr", "table": "2", "round": 1},
    )
    with translation.override("it"):
        message = service.translate(violation)
    assert "francese" in message.lower()
    assert "fr," not in message


# -- accessibility of the screen ----------------------------------------------------


def test_ambiguous_words_carry_a_context_for_translators():
    """ "Cancel" of a dialog is not "Cancel" a registration ("Abbrechen", not
    "Stornieren"): the screen asks for its own msgctxt."""
    from pathlib import Path

    import wagtail_atelier

    template = (
        Path(wagtail_atelier.__file__).parent
        / "templates/wagtail_atelier/admin/table_plan.html"
    ).read_text()
    assert '{% translate "Cancel" context "dialog" %}' in template
    assert '{% translate "Cancel" %}' not in template
    assert '{% translate "Save" %}' not in template
    assert '{% translate "Move" %}' not in template


def test_the_dismiss_button_uses_the_dialog_context(client, users, cafe, monkeypatch):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    asked = []
    original = translation._trans.pgettext

    def spy(context, message):
        asked.append((context, message))
        return original(context, message)

    monkeypatch.setattr(translation._trans, "pgettext", spy)
    client.force_login(users["changer"])
    person = participants[0]
    tables = view.tables_of(person)
    response = client.post(
        url(page),
        {
            "action": "move",
            "revision": TablePlan.objects.get().revision,
            "person": person.pk,
            "round": 1,
            "table": tables[1],
        },
    )
    assert response.status_code == 409
    assert ("dialog", "Cancel") in asked
    html = text(response)
    # The warning takes focus, and "Cancel" leads back to the person's name.
    assert 'id="pending-move" tabindex="-1" autofocus' in html
    assert f'#seat-1-{person.pk}">' in html


def test_after_a_move_focus_returns_to_the_person(client, users, cafe):
    page, presenters, participants = cafe
    view = view_of_generated(page)
    person = participants[0]
    tables = view.tables_of(person)
    others = [t.id for t in view.tables if t.id not in tables]
    client.force_login(users["changer"])
    response = client.post(
        url(page),
        {
            "action": "move",
            "revision": TablePlan.objects.get().revision,
            "person": person.pk,
            "round": 1,
            "table": others[0] if others else "",
            "force": "1",
        },
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#seat-1-{person.pk}")
    html = text(client.get(url(page)))
    # That fragment is the person's name in round 1: a link, which takes focus.
    assert f'<a class="atelier-plan__person" id="seat-1-{person.pk}"' in html


def test_invalid_parameters_are_announced_like_the_public_forms(client, users, cafe):
    page, presenters, participants = cafe
    client.force_login(users["changer"])
    response = generate(client, page, rounds="3", min_size="5", max_size="3")
    assert response.status_code == 400
    html = text(response)
    assert 'id="error-summary"' in html
    assert "data-atelier-error-summary" in html
    assert 'href="#id_min_size"' in html
    assert 'aria-describedby="id_min_size_helptext id_min_size_error"' in html
    assert 'id="id_min_size_error"' in html
    assert 'id="id_min_size_helptext"' in html
    assert 'aria-invalid="true"' in html
