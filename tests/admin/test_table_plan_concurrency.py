"""Two facilitators change the same table plan at the same instant: one change is
stored, the other is refused as made on an outdated screen, and nothing of it is
lost or mixed. Threads released together by a barrier, each with its own database
connection (PostgreSQL: the plan row is locked; SQLite: writers are serialised)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import (
    RegistrationFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
)
from tests.testapp.tree import site_tree
from wagtail_atelier.models import TablePlan
from wagtail_atelier.services import table_plan as service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def planned():
    _locales, home = site_tree()
    index = WorkshopIndexPageFactory(parent=home, slug="praxiswerkstatt")
    page = WorkshopPageFactory(
        parent=index, slug="tische", start_at=timezone.now() + timedelta(days=5)
    )
    for _ in range(3):
        RegistrationFactory(workshop=page, role="case_presenter")
    people = [RegistrationFactory(workshop=page) for _ in range(9)]
    service.generate(page, rounds=2, min_size=3, max_size=5, seed=3)
    return page, people


def free_table(view, person):
    visited = set(view.tables_of(person))
    return next(t.id for t in view.tables if t.id not in visited)


def test_of_two_simultaneous_moves_one_is_stored_and_one_refused(planned):
    page, people = planned
    table_plan = TablePlan.objects.get(workshop_key=page.translation_key)
    revision = table_plan.revision
    first, second = people[0], people[1]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def facilitator(person) -> None:
        try:
            # Each facilitator looks at the same plan, then both click "Move".
            view = service.plan_view(TablePlan.objects.get(pk=table_plan.pk))
            target = free_table(view, person)
            barrier.wait(timeout=10)
            service.move(view, person.pk, 1, target, revision=revision)
            outcomes[person.pk] = "stored"
        except service.StalePlanError:
            outcomes[person.pk] = "refused"
        except Exception as error:
            outcomes[person.pk] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=facilitator, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["refused", "stored"], outcomes
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "stored")
    after = service.plan_view(TablePlan.objects.get(pk=table_plan.pk))
    assert after.table_plan.revision == revision + 1
    # Only the stored move is fixed; the refused one left no trace.
    assert [lock.adviser_id for lock in after.plan.problem.locks] == [winner]
