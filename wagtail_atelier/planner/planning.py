"""Entry points: make a plan, re-plan around what is fixed, move a person."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from .diagnostics import analyse
from .evaluate import evaluate
from .models import (
    Diagnostic,
    Id,
    Lock,
    Plan,
    PlannerInputError,
    Problem,
    Suggestion,
    Violation,
)
from .search import Instance, anneal, construct, descend

# Search budget, in annealing steps per seat (an adviser in a round). Small instances
# are tight (every table full, as many rounds as tables) and rugged: many short runs
# from fresh starts beat one long run there. Larger ones are smooth: one long run is
# best. The figures are those measured in docs/planner.md: 200 advisers at 50 tables
# for 3 rounds take about a second.
SMALL_SEATS = 60
SMALL_RESTARTS = 64
STEPS_PER_SEAT = 2_000
MIN_STEPS_PER_RUN = 300
MAX_STEPS = 120_000
POLISH_SEATS = 150


def budget(seats: int) -> tuple[int, int]:
    """(runs, annealing steps per run) for an instance with ``seats`` seats."""
    total = min(MAX_STEPS, STEPS_PER_SEAT * seats)
    runs = SMALL_RESTARTS if seats <= SMALL_SEATS else 1
    return runs, max(MIN_STEPS_PER_RUN, total // runs)


class MoveResult(NamedTuple):
    plan: Plan
    violations: tuple[Violation, ...]
    """The hard violations the move causes (present after it, absent before)."""


def make_plan(
    problem: Problem,
    *,
    iterations: int | None = None,
    restarts: int | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Plan the rounds of ``problem``.

    The result always seats everyone it can. ``plan.feasible`` tells whether it keeps
    every hard rule; if not, ``plan.diagnostics`` say why in plain words and what would
    help. ``iterations`` (annealing steps in all) and ``restarts`` (independent runs)
    override the budget of :func:`budget`; ``time_limit`` (seconds) is a safety cap
    which, when reached, makes the plan depend on the machine's speed.
    """
    inst = Instance(problem)
    diagnostics = analyse(problem)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    seats = inst.n * inst.R
    runs, steps = budget(seats)
    if restarts is not None:
        runs = max(1, restarts)
    if iterations is not None:
        steps = max(1, iterations // runs)
    rng = random.Random(problem.seed)  # noqa: S311 - reproducible, not secret
    best_key: tuple[float, float] = (math.inf, math.inf)
    best_seat: list[list[int]] = []
    for _ in range(runs):
        st = construct(inst, rng)
        anneal(inst, st, rng, steps, deadline=deadline)
        if seats <= POLISH_SEATS:
            descend(inst, st)
        soft, hard = st.costs()
        if (hard, soft) < best_key:
            best_key, best_seat = (hard, soft), st.snapshot()
        if deadline is not None and time.monotonic() > deadline:
            break
    return _finish(problem, inst, best_seat, diagnostics)


def random_rotation(problem: Problem, *, attempts: int = 50) -> Plan:
    """A random plan that keeps the hard rules, without optimising anything.

    This is what drawing lots would give, and what the benchmark compares against:
    each adviser goes to a random table they speak and have not visited, the sizes are
    then repaired as in :func:`make_plan`. A draw that still breaks a rule (a dead end
    on a tight instance) is drawn again, up to ``attempts`` times.
    """
    inst = Instance(problem)
    rng = random.Random(problem.seed)  # noqa: S311 - reproducible, not secret
    best_hard = math.inf
    best_seat: list[list[int]] = []
    for _ in range(max(1, attempts)):
        st = construct(inst, rng, greedy=False)
        hard = st.costs()[1]
        if hard < best_hard:
            best_hard, best_seat = hard, st.snapshot()
        if hard == 0:
            break
    return _finish(problem, inst, best_seat, analyse(problem))


def replan(
    plan: Plan,
    *,
    locks: Iterable[Lock] | None = None,
    absent: Iterable[Id] = (),
    seed: int | str | None = None,
) -> Plan:
    """Plan again around fixed places, e.g. after last-minute cancellations.

    ``locks`` replace the problem's locks (default: keep them); ``absent`` people are
    added to those already absent. Locks that involve absent people are dropped.
    """
    problem = replace(
        plan.problem,
        locks=tuple(plan.problem.locks if locks is None else locks),
        absent=plan.problem.absent | frozenset(absent),
        seed=plan.problem.seed if seed is None else seed,
    )
    return make_plan(problem)


def locks_from_plan(
    plan: Plan,
    *,
    rounds: Iterable[int] | None = None,
    advisers: Iterable[Id] | None = None,
) -> tuple[Lock, ...]:
    """Locks that keep where ``plan`` seats the given advisers (default: all) in the
    given rounds (default: all)."""
    wanted_rounds = range(1, plan.problem.rounds + 1) if rounds is None else rounds
    wanted = None if advisers is None else set(advisers)
    locks = []
    for r in wanted_rounds:
        for adviser in plan.problem.active_advisers:
            if wanted is not None and adviser.id not in wanted:
                continue
            table_id = plan.table_of(adviser.id, r)
            if table_id is not None:
                locks.append(Lock(adviser.id, r, table_id))
    return tuple(locks)


def move(plan: Plan, adviser_id: Id, round: int, table_id: Id | None) -> MoveResult:
    """Seat ``adviser_id`` at ``table_id`` (``None``: no table) in ``round``.

    Returns the new plan and the hard violations the move causes, so that the admin can
    show them at once. A lock on that adviser in that round follows the move: the
    facilitator's latest decision is the one kept.
    """
    problem = plan.problem
    if not 1 <= round <= problem.rounds:
        raise PlannerInputError(
            "round_out_of_range", round=round, rounds=problem.rounds
        )
    if adviser_id not in {a.id for a in problem.active_advisers}:
        raise PlannerInputError("unknown_move_target", kind="adviser", id=adviser_id)
    if table_id is not None and table_id not in {t.id for t in problem.active_tables}:
        raise PlannerInputError("unknown_move_target", kind="table", id=table_id)
    before = evaluate(plan)
    seating = list(plan.seating)
    changed = dict(seating[round - 1])
    changed[adviser_id] = table_id
    seating[round - 1] = changed
    locks = []
    for lock in problem.locks:
        if lock.adviser_id == adviser_id and lock.round == round:
            if table_id is not None:
                locks.append(Lock(adviser_id, round, table_id))
        else:
            locks.append(lock)
    new_problem = replace(problem, locks=tuple(locks))
    moved = Plan(problem=new_problem, seating=tuple(seating))
    after = evaluate(moved)
    remaining = Counter(_violation_key(v) for v in before.violations)
    caused = []
    for violation in after.violations:
        k = _violation_key(violation)
        if remaining[k]:
            remaining[k] -= 1
        else:
            caused.append(violation)
    diagnostics = tuple(d for d in analyse(new_problem) if d.code != "no_plan_found")
    result = Plan(
        problem=new_problem,
        seating=tuple(seating),
        feasible=not after.violations,
        diagnostics=diagnostics,
    )
    return MoveResult(result, tuple(caused))


def _violation_key(v: Violation) -> tuple[object, ...]:
    return (v.code, v.round, v.adviser_id, v.table_id)


def _finish(
    problem: Problem,
    inst: Instance,
    seat: list[list[int]],
    diagnostics: list[Diagnostic],
) -> Plan:
    seating = tuple(
        {
            adviser.id: (inst.tables[row[a]].id if row[a] >= 0 else None)
            for a, adviser in enumerate(inst.advisers)
        }
        for row in seat
    )
    plan = Plan(problem=problem, seating=seating)
    metrics = evaluate(plan)
    if metrics.violations and not any(d.level == "error" for d in diagnostics):
        suggestions = []
        if problem.min_size > 2:
            suggestions.append(
                Suggestion("smaller_groups", {"min_size": problem.min_size - 1})
            )
        suggestions.append(
            Suggestion("larger_groups", {"max_size": problem.max_size + 1})
        )
        if problem.rounds > 1:
            suggestions.append(
                Suggestion(
                    "fewer_rounds",
                    {"rounds": problem.rounds - 1, "current": problem.rounds},
                )
            )
        diagnostics = [
            *diagnostics,
            Diagnostic(
                "no_plan_found",
                {"violations": len(metrics.violations)},
                suggestions=tuple(suggestions),
            ),
        ]
    return replace(
        plan, feasible=not metrics.violations, diagnostics=tuple(diagnostics)
    )
