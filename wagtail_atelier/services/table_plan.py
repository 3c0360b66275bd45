"""The table plan of a workshop: from registrations to the planner and back.

The planner (``wagtail_atelier.planner``) knows nothing of Django. This module builds
its input from the confirmed registrations of a workshop, stores its output in a
:class:`~wagtail_atelier.models.TablePlan` (person ids are registration primary keys;
no names, organisations, cantons or languages of people are stored), and reads it
back with the names, details and cancellations of the moment. Table ids are table
numbers (1, 2, 3...): they stay the same when the plan is re-planned, so a printed
sheet keeps its number.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from .. import planner
from ..models import Registration, RegistrationRole, TablePlan, WorkshopLanguage
from ..models.choices import language_names
from ..models.registration import RegistrationStatus
from ..planner.messages import render


class StalePlanError(Exception):
    """The plan changed since the screen the user acted on was shown."""


# -- reading registrations ---------------------------------------------------------


def confirmed_registrations(workshop_key) -> list[Registration]:
    """Confirmed case presenters and participants, in the order they registered."""
    return list(
        Registration.objects.filter(
            workshop_key=workshop_key, status=RegistrationStatus.CONFIRMED
        ).order_by("created_at", "pk")
    )


def default_table_language(presenter: Registration, workshop_language: str) -> str:
    """The language a case presenter's table is held in unless the facilitators
    choose another: the workshop's, if the presenter speaks it (or said nothing),
    else the first language the presenter speaks."""
    spoken = [code for code in presenter.languages or [] if code]
    if not spoken or workshop_language in spoken:
        return workshop_language
    return spoken[0]


def _table(number: int, presenter: Registration, language: str) -> planner.Table:
    return planner.Table(
        id=number,
        presenter_id=presenter.pk,
        language=language,
        organisation=_normalise(presenter.organisation),
        canton=presenter.canton,
    )


def _adviser(registration: Registration) -> planner.Adviser:
    return planner.Adviser(
        id=registration.pk,
        languages=frozenset(registration.languages or []),
        organisation=_normalise(registration.organisation),
        canton=registration.canton,
    )


def _normalise(organisation: str) -> str:
    """ "Gemeinde Thun " and "gemeinde thun" are the same organisation."""
    return " ".join((organisation or "").split()).casefold()


def build_problem(
    workshop_key,
    workshop_language: str,
    *,
    rounds: int,
    min_size: int,
    max_size: int,
    seed: int,
    registrations: list[Registration] | None = None,
    previous: planner.Problem | None = None,
    locks: Iterable[planner.Lock] = (),
) -> planner.Problem:
    """The planner's input for the confirmed people of a workshop.

    With ``previous`` (the stored problem), tables keep their numbers and languages,
    new case presenters get the next numbers, and locks of people who are gone are
    dropped. Raises :class:`~wagtail_atelier.planner.PlannerInputError` for
    nonsense parameters.
    """
    if registrations is None:
        registrations = confirmed_registrations(workshop_key)
    presenters = [r for r in registrations if r.role == RegistrationRole.CASE_PRESENTER]
    participants = [r for r in registrations if r.role == RegistrationRole.PARTICIPANT]
    tables = _numbered_tables(presenters, workshop_language, previous)
    advisers = [_adviser(r) for r in participants]
    return planner.Problem(
        tables=tuple(tables),
        advisers=tuple(advisers),
        rounds=rounds,
        min_size=min_size,
        max_size=max_size,
        seed=seed,
        locks=_kept_locks(locks, tables, advisers, rounds),
    )


def _numbered_tables(
    presenters: list[Registration],
    workshop_language: str,
    previous: planner.Problem | None,
) -> list[planner.Table]:
    """A table per case presenter, by number. A presenter who had a table in
    ``previous`` keeps its number and language, so printed sheets stay right; a new
    one gets the next free number and the default language."""
    known: dict[int, planner.Table] = {}
    if previous is not None:
        known = {t.presenter_id: t for t in previous.tables}
    next_number = max((t.id for t in known.values()), default=0) + 1
    tables = []
    for presenter in presenters:
        if presenter.pk in known:
            old = known[presenter.pk]
            tables.append(_table(old.id, presenter, old.language))
        else:
            language = default_table_language(presenter, workshop_language)
            tables.append(_table(next_number, presenter, language))
            next_number += 1
    tables.sort(key=lambda t: t.id)
    return tables


def _kept_locks(
    locks: Iterable[planner.Lock],
    tables: list[planner.Table],
    advisers: list[planner.Adviser],
    rounds: int,
) -> tuple[planner.Lock, ...]:
    """The fixed places that still make sense: the person is still confirmed, the
    table still there, the round still planned."""
    table_ids = {t.id for t in tables}
    adviser_ids = {a.id for a in advisers}
    return tuple(
        lock
        for lock in locks
        if lock.adviser_id in adviser_ids
        and lock.table_id in table_ids
        and lock.round <= rounds
    )


# -- storing -------------------------------------------------------------------------


def _anonymous(plan: planner.Plan) -> dict[str, Any]:
    """The plan as stored: registration ids, the tables' numbers and languages (a
    choice made for the plan, not a person's), seats, locks and the rounds.

    Nothing a person told us: no names, no organisation, canton or languages (read
    back from the registrations, :func:`stored_plan`), no rendered messages (they
    hold names). So a deleted or anonymised registration leaves nothing here.
    """
    problem = replace(
        plan.problem,
        tables=tuple(
            replace(t, name="", organisation="", canton="") for t in plan.problem.tables
        ),
        advisers=tuple(
            replace(a, name="", organisation="", canton="", languages=frozenset())
            for a in plan.problem.advisers
        ),
    )
    data = replace(plan, problem=problem, diagnostics=()).to_dict()
    return data


def save_plan(
    table_plan: TablePlan, plan: planner.Plan, *, user=None, revision=None
) -> TablePlan:
    """Store ``plan``; with ``revision``, only if nobody changed it meanwhile."""
    with transaction.atomic():
        if table_plan.pk is not None:
            current = TablePlan.objects.select_for_update().get(pk=table_plan.pk)
            if revision is not None and current.revision != revision:
                raise StalePlanError
            table_plan.revision = current.revision + 1
        table_plan.data = _anonymous(plan)
        table_plan.rounds = plan.problem.rounds
        table_plan.min_size = plan.problem.min_size
        table_plan.max_size = plan.problem.max_size
        table_plan.seed = int(plan.problem.seed)
        table_plan.feasible = plan.feasible
        table_plan.updated_by = user if getattr(user, "pk", None) else None
        table_plan.save()
    return table_plan


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 1_000_000)


def generate(
    workshop,
    *,
    rounds: int,
    min_size: int,
    max_size: int,
    user=None,
    seed: int | None = None,
    revision: int | None = None,
) -> TablePlan:
    """Plan the rounds from scratch (fixed places are released); table numbers and
    the languages chosen for the tables are kept."""
    key = workshop.translation_key
    table_plan = TablePlan.objects.filter(workshop_key=key).first() or TablePlan(
        workshop_key=key
    )
    previous = stored_problem(table_plan)
    problem = build_problem(
        key,
        workshop.workshop_language,
        rounds=rounds,
        min_size=min_size,
        max_size=max_size,
        seed=new_seed() if seed is None else seed,
        previous=previous,
    )
    return save_plan(
        table_plan, planner.make_plan(problem), user=user, revision=revision
    )


def stored_problem(table_plan: TablePlan | None) -> planner.Problem | None:
    plan = stored_plan(table_plan)
    return plan.problem if plan is not None else None


def stored_plan(
    table_plan: TablePlan | None,
    registrations: Iterable[Registration] | None = None,
) -> planner.Plan | None:
    """The stored plan, with each person's organisation, canton and languages read
    from their registration (from ``registrations`` when given, else with one
    query). A person whose registration is gone has none: callers treat them as
    absent."""
    plan = _stored_seating(table_plan)
    if plan is None:
        return None
    if registrations is None:
        registrations = Registration.objects.filter(
            workshop_key=table_plan.workshop_key, pk__in=_people(plan.problem)
        )
    return _with_people(plan, {r.pk: r for r in registrations})


def _stored_seating(table_plan: TablePlan | None) -> planner.Plan | None:
    """The plan as stored: ids, tables and seats, without the people's details
    (enough for who sits where, not for judging the plan)."""
    if table_plan is None or not table_plan.data:
        return None
    try:
        return planner.Plan.from_dict(table_plan.data)
    except planner.PlannerInputError:
        return None


def _people(problem: planner.Problem) -> list:
    return [t.presenter_id for t in problem.tables] + [a.id for a in problem.advisers]


def _with_people(plan: planner.Plan, by_pk: dict[int, Registration]) -> planner.Plan:
    """``plan`` with the details the planner weighs (organisation, canton,
    languages) taken from today's registrations, as :func:`build_problem` takes
    them. A person not in ``by_pk`` keeps what is stored (nothing, for a plan
    stored since these details are left out)."""
    problem = plan.problem
    tables = tuple(
        _table(t.id, by_pk[t.presenter_id], t.language)
        if t.presenter_id in by_pk
        else t
        for t in problem.tables
    )
    advisers = tuple(
        _adviser(by_pk[a.id]) if a.id in by_pk else a for a in problem.advisers
    )
    return replace(plan, problem=replace(problem, tables=tables, advisers=advisers))


# -- reading a plan back ---------------------------------------------------------------


@dataclass
class Seat:
    registration: Registration
    locked: bool = False
    #: Whether this seat breaks a rule (set by the screen that shows it).
    in_breach: bool = False


@dataclass
class TableRound:
    number: int
    presenter: Registration | None
    language: str
    advisers: list[Seat] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.advisers) + 1


@dataclass
class Round:
    number: int
    tables: list[TableRound]
    unassigned: list[Seat]


@dataclass
class PlanView:
    """A stored plan as the admin shows it: names, rounds, what breaks a rule."""

    table_plan: TablePlan
    plan: planner.Plan
    registrations: dict[int, Registration]
    tables: list[planner.Table]
    rounds: list[Round]
    violations: list[planner.Violation]
    metrics: planner.Metrics
    diagnostics: list[planner.Diagnostic]
    absent: list[int]
    #: Confirmed since the plan was made: not seated until it is re-planned.
    newcomers: list[Registration]

    @property
    def presenters(self) -> list[Registration]:
        return [
            self.registrations[t.presenter_id]
            for t in self.tables
            if t.presenter_id in self.registrations
        ]

    @property
    def people(self) -> list[Registration]:
        """Case presenters and participants, by last then first name."""
        return sorted(
            self.presenters + self.advisers,
            key=lambda r: (r.last_name.casefold(), r.first_name.casefold()),
        )

    @property
    def advisers(self) -> list[Registration]:
        return [
            self.registrations[a.id]
            for a in self.plan.problem.active_advisers
            if a.id in self.registrations
        ]

    def table(self, number) -> planner.Table | None:
        return next((t for t in self.tables if t.id == number), None)

    def tables_of(self, registration: Registration) -> list[int | None]:
        """The table number of a person in each round (a presenter stays)."""
        for table in self.tables:
            if table.presenter_id == registration.pk:
                return [table.id] * self.plan.problem.rounds
        return self.plan.tables_of(registration.pk)

    def is_locked(self, adviser_id, round_number) -> bool:
        return (adviser_id, round_number) in self._locked

    def __post_init__(self) -> None:
        self._locked = {
            (lock.adviser_id, lock.round) for lock in self.plan.problem.locks
        }


def plan_view(
    table_plan: TablePlan, registrations: list[Registration] | None = None
) -> PlanView | None:
    """The stored plan with today's names; people no longer confirmed are absent.

    Costs one query for the registrations (none when they are given).
    """
    plan = _stored_seating(table_plan)
    if plan is None:
        return None
    if registrations is None:
        registrations = confirmed_registrations(table_plan.workshop_key)
    by_pk = {r.pk: r for r in registrations}
    plan = _with_people(plan, by_pk)
    problem = plan.problem
    people = _people(problem)
    gone = {pk for pk in people if pk not in by_pk}
    plan, metrics = _evaluated(_with_names(plan, by_pk, gone))
    problem = plan.problem
    in_plan = set(people)
    view = PlanView(
        table_plan=table_plan,
        plan=plan,
        registrations=by_pk,
        tables=list(problem.active_tables),
        rounds=[],
        violations=list(metrics.violations),
        metrics=metrics,
        diagnostics=list(plan.diagnostics),
        absent=sorted(gone),
        newcomers=[r for r in registrations if r.pk not in in_plan],
    )
    view.rounds = [
        _round(view, number, by_pk) for number in range(1, problem.rounds + 1)
    ]
    return view


def _with_names(
    plan: planner.Plan, by_pk: dict[int, Registration], gone: set[int]
) -> planner.Plan:
    """``plan`` with today's names on its tables and people (the stored plan has
    none), and the people in ``gone`` absent."""
    problem = plan.problem
    tables = tuple(
        replace(t, name=_table_label(t, by_pk.get(t.presenter_id)))
        for t in problem.tables
    )
    advisers = tuple(
        replace(a, name=by_pk[a.id].full_name if a.id in by_pk else str(a.id))
        for a in problem.advisers
    )
    problem = replace(
        problem, tables=tables, advisers=advisers, absent=problem.absent | gone
    )
    return replace(plan, problem=problem)


def _evaluated(plan: planner.Plan) -> tuple[planner.Plan, planner.Metrics]:
    """``plan`` judged again with the people of today: the stored verdict was for
    the people of the day it was planned, and its diagnostics are not stored (they
    hold names). "No plan found" is only said of a plan that breaks a rule."""
    metrics = planner.evaluate(plan)
    plan = replace(
        plan,
        feasible=not metrics.violations,
        diagnostics=tuple(
            d
            for d in planner.analyse(plan.problem)
            if d.code != "no_plan_found" or metrics.violations
        ),
    )
    return plan, metrics


def _round(view: PlanView, number: int, by_pk: dict[int, Registration]) -> Round:
    """Round ``number`` of the plan: who sits at each table, and who at none."""
    plan = view.plan
    groups = plan.round(number)
    return Round(
        number=number,
        tables=[
            TableRound(
                number=table.id,
                presenter=by_pk.get(table.presenter_id),
                language=table.language,
                advisers=[
                    Seat(by_pk[pk], view.is_locked(pk, number))
                    for pk in groups.get(table.id, [])
                ],
            )
            for table in plan.problem.active_tables
        ],
        unassigned=[
            Seat(by_pk[pk], view.is_locked(pk, number))
            for pk in plan.unassigned(number)
            if pk in by_pk
        ],
    )


def _table_label(table: planner.Table, presenter: Registration | None) -> str:
    if presenter is None:
        return str(table.id)
    return f"{table.id} ({presenter.full_name})"


# -- changing a plan -----------------------------------------------------------------


@dataclass
class MoveOutcome:
    saved: bool
    violations: list[planner.Violation]


def move(
    view: PlanView,
    adviser_id: int,
    round_number: int,
    table_id: int | None,
    *,
    force: bool = False,
    user=None,
    revision: int | None = None,
) -> MoveOutcome:
    """Seat a person at another table in one round, and fix them there.

    A move that breaks a rule is stored only with ``force`` (the user saw the
    warning and confirmed). Raises ``PlannerInputError`` for an unknown person,
    table or round, and :class:`StalePlanError` if the plan changed meanwhile.
    """
    result = planner.move(view.plan, adviser_id, round_number, table_id)
    plan = result.plan
    if table_id is not None:
        locks = [
            lock
            for lock in plan.problem.locks
            if not (lock.adviser_id == adviser_id and lock.round == round_number)
        ]
        locks.append(planner.Lock(adviser_id, round_number, table_id))
        plan = replace(plan, problem=replace(plan.problem, locks=tuple(locks)))
    if result.violations and not force:
        return MoveOutcome(False, list(result.violations))
    save_plan(view.table_plan, plan, user=user, revision=revision)
    return MoveOutcome(True, list(result.violations))


def set_locks(
    view: PlanView,
    *,
    round_number: int | None = None,
    adviser_id: int | None = None,
    locked: bool,
    user=None,
    revision: int | None = None,
) -> int:
    """Fix (or release) the places of one round, one person, or everyone.

    Returns how many places changed.
    """
    plan = view.plan
    existing = {(x.adviser_id, x.round): x for x in plan.problem.locks}
    wanted_rounds = None if round_number is None else [round_number]
    wanted_advisers = None if adviser_id is None else [adviser_id]
    targets = planner.locks_from_plan(
        plan, rounds=wanted_rounds, advisers=wanted_advisers
    )
    changed = 0
    if locked:
        for lock in targets:
            if existing.get((lock.adviser_id, lock.round)) != lock:
                existing[(lock.adviser_id, lock.round)] = lock
                changed += 1
    else:
        for key in list(existing):
            if (round_number is None or key[1] == round_number) and (
                adviser_id is None or key[0] == adviser_id
            ):
                del existing[key]
                changed += 1
    if changed:
        new_plan = replace(
            plan, problem=replace(plan.problem, locks=tuple(existing.values()))
        )
        save_plan(view.table_plan, new_plan, user=user, revision=revision)
    return changed


def replan(
    view: PlanView,
    workshop,
    *,
    user=None,
    revision: int | None = None,
) -> TablePlan:
    """Plan again around the fixed places, with the people confirmed now: those who
    cancelled leave, newcomers are seated, table numbers stay."""
    table_plan = view.table_plan
    problem = build_problem(
        table_plan.workshop_key,
        workshop.workshop_language,
        rounds=table_plan.rounds,
        min_size=table_plan.min_size,
        max_size=table_plan.max_size,
        seed=table_plan.seed,
        registrations=list(view.registrations.values()),
        previous=view.plan.problem,
        locks=view.plan.problem.locks,
    )
    return save_plan(
        table_plan, planner.make_plan(problem), user=user, revision=revision
    )


def set_table_language(
    view: PlanView, table_id: int, language: str, *, user=None, revision=None
) -> list[planner.Violation]:
    """Hold a table in another language; returns the violations this causes."""
    if language not in WorkshopLanguage.values:
        raise planner.PlannerInputError("unknown_move_target", kind="language", id="-")
    problem = view.plan.problem
    if table_id not in {t.id for t in problem.tables}:
        raise planner.PlannerInputError(
            "unknown_move_target", kind="table", id=table_id
        )
    before = {_key(v) for v in planner.evaluate(view.plan).violations}
    tables = tuple(
        replace(t, language=language) if t.id == table_id else t for t in problem.tables
    )
    plan = replace(view.plan, problem=replace(problem, tables=tables))
    violations = planner.evaluate(plan).violations
    plan = replace(plan, feasible=not violations)
    save_plan(view.table_plan, plan, user=user, revision=revision)
    return [v for v in violations if _key(v) not in before]


def set_show_in_reminder(table_plan: TablePlan, show: bool) -> None:
    TablePlan.objects.filter(pk=table_plan.pk).update(show_in_reminder=show)
    table_plan.show_in_reminder = show


def _key(v: planner.Violation) -> tuple:
    return (v.code, v.round, v.adviser_id, v.table_id)


# -- messages and the reminder mail -------------------------------------------------


_LANGUAGE_PARAMS = ("language", "languages", "table_languages")


def translate(message) -> str:
    """A planner diagnostic, suggestion or violation in the active language, with
    language codes named ("Französisch", not "fr")."""
    params = dict(message.params)
    for key in _LANGUAGE_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value:
            params[key] = language_names(code.strip() for code in value.split(","))
    return render(gettext(message.template), params)


#: The ``kind`` parameter of planner input errors, in words.
_KINDS = {
    "adviser": gettext_lazy("person"),
    "table": gettext_lazy("table"),
}


def input_error_message(error: planner.PlannerInputError) -> str:
    params = dict(error.params)
    if params.get("kind") in _KINDS:
        params["kind"] = str(_KINDS[params["kind"]])
    return render(gettext(planner.INPUT_ERRORS.get(error.code, error.code)), params)


def reminder_tables(registration: Registration) -> list[tuple[int, int]] | None:
    """``[(round, table number)]`` for the reminder mail of ``registration``, when
    its workshop's plan is to be shown there and seats the person; else None."""
    table_plan = TablePlan.objects.filter(
        workshop_key=registration.workshop_key, show_in_reminder=True
    ).first()
    plan = _stored_seating(table_plan)  # who sits where: no details needed
    if plan is None:
        return None
    for table in plan.problem.tables:
        if table.presenter_id == registration.pk:
            return [(r, table.id) for r in range(1, plan.problem.rounds + 1)]
    if registration.pk not in {a.id for a in plan.problem.advisers}:
        return None
    tables = plan.tables_of(registration.pk)
    if any(t is None for t in tables):
        return None
    return [(r, t) for r, t in enumerate(tables, start=1)]
