"""Measure a plan: its hard violations and the terms of the soft objective.

This is written directly from the definitions, independently of the incremental
bookkeeping of the search in :mod:`.search`, so that each checks the other in tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from .models import Adviser, Id, Lock, Metrics, Plan, Problem, Table, Violation


def key(value: str) -> str:
    """Compare organisations and cantons without case or surrounding spaces."""
    return value.strip().casefold()


def balanced_squares(people: int, tables: int) -> int:
    """The least sum of squared group sizes for ``people`` spread over ``tables``."""
    if tables <= 0:
        return 0
    q, rem = divmod(people, tables)
    return (tables - rem) * q * q + rem * (q + 1) * (q + 1)


def evaluate(plan: Plan) -> Metrics:
    """Hard violations and soft metrics of ``plan`` (see docs/planner.md)."""
    problem = plan.problem
    tables = problem.active_tables
    advisers = problem.active_advisers
    table_by_id: dict[Id, Table] = {t.id: t for t in tables}
    adviser_by_id: dict[Id, Adviser] = {a.id: a for a in advisers}
    weights = problem.weights
    locks = problem.active_locks
    violations: list[Violation] = []
    meetings: Counter[tuple[int, int]] = Counter()
    presenter_org = colleague_pairs = canton_pairs = imbalance = 0
    index = {a.id: i for i, a in enumerate(advisers)}

    for r, seating in enumerate(plan.seating):
        rn = r + 1
        groups, misplaced = _groups(rn, seating, advisers, table_by_id)
        violations += misplaced
        violations += _locks_not_kept(rn, seating, locks, adviser_by_id, table_by_id)
        violations += _sizes(problem, tables, rn, groups)
        org, colleagues, canton = _pairs(tables, groups, index, meetings)
        presenter_org += org
        colleague_pairs += colleagues
        canton_pairs += canton
        imbalance += _imbalance(tables, groups)
    violations += _revisits(plan, advisers, table_by_id)

    repeats = sum(m - 1 for m in meetings.values() if m > 1)
    objective = (
        weights.repeat * repeats
        + weights.presenter_organisation * presenter_org
        + weights.colleague * colleague_pairs
        + weights.imbalance * imbalance
        + weights.canton * canton_pairs
    )
    violations.sort(key=lambda v: (v.round, _order(v.code)))
    return Metrics(
        violations=tuple(violations),
        repeated_encounters=repeats,
        same_organisation_presenter=presenter_org,
        same_organisation_pairs=colleague_pairs,
        size_imbalance=imbalance,
        same_canton_pairs=canton_pairs,
        objective=objective,
    )


def _groups(
    rn: int,
    seating: Mapping[Id, Id | None],
    advisers: tuple[Adviser, ...],
    table_by_id: dict[Id, Table],
) -> tuple[dict[Id, list[Adviser]], list[Violation]]:
    """Who sits at each table in round ``rn``, and the seats that break a rule.

    An adviser without a table, or at a table that does not exist, joins no group, so
    that the size and pair counts only see real tables.
    """
    groups: dict[Id, list[Adviser]] = {t.id: [] for t in table_by_id.values()}
    violations: list[Violation] = []
    for adviser in advisers:
        table_id = seating.get(adviser.id)
        if table_id is None:
            violations.append(
                Violation("unassigned", rn, adviser.id, None, _p(adviser, rn))
            )
            continue
        table = table_by_id.get(table_id)
        if table is None:
            violations.append(
                Violation(
                    "unknown_table",
                    rn,
                    adviser.id,
                    table_id,
                    _p(adviser, rn, table=str(table_id)),
                )
            )
            continue
        groups[table_id].append(adviser)
        if table.language not in adviser.languages:
            violations.append(
                Violation(
                    "language_mismatch",
                    rn,
                    adviser.id,
                    table_id,
                    _p(adviser, rn, table=table.label, language=table.language),
                )
            )
    return groups, violations


def _locks_not_kept(
    rn: int,
    seating: Mapping[Id, Id | None],
    locks: tuple[Lock, ...],
    adviser_by_id: dict[Id, Adviser],
    table_by_id: dict[Id, Table],
) -> list[Violation]:
    """Locked places of round ``rn`` where the adviser sits elsewhere (or nowhere)."""
    return [
        Violation(
            "lock_not_kept",
            rn,
            lock.adviser_id,
            lock.table_id,
            {
                "adviser": adviser_by_id[lock.adviser_id].label,
                "round": rn,
                "table": table_by_id[lock.table_id].label,
            },
        )
        for lock in locks
        if lock.round == rn and seating.get(lock.adviser_id) != lock.table_id
    ]


def _sizes(
    problem: Problem,
    tables: tuple[Table, ...],
    rn: int,
    groups: dict[Id, list[Adviser]],
) -> list[Violation]:
    """Tables outside the size bounds in round ``rn`` (their presenter counts)."""
    violations: list[Violation] = []
    for table in tables:
        size = len(groups[table.id]) + 1
        if size < problem.min_size or size > problem.max_size:
            code = "table_too_small" if size < problem.min_size else "table_too_large"
            violations.append(
                Violation(
                    code,
                    rn,
                    None,
                    table.id,
                    {
                        "table": table.label,
                        "round": rn,
                        "size": size,
                        "min_size": problem.min_size,
                        "max_size": problem.max_size,
                    },
                )
            )
    return violations


def _pairs(
    tables: tuple[Table, ...],
    groups: dict[Id, list[Adviser]],
    index: dict[Id, int],
    meetings: Counter[tuple[int, int]],
) -> tuple[int, int, int]:
    """Same-organisation and same-canton pairs of one round, counted from scratch.

    Returns (advisers at a presenter colleague's table, colleague pairs, same-canton
    pairs, presenters included); each encounter is added to ``meetings``, whose
    repeats are counted once all rounds are in.
    """
    presenter_org = colleague_pairs = canton_pairs = 0
    for table in tables:
        group = groups[table.id]
        p_org, p_canton = key(table.organisation), key(table.canton)
        for i, a in enumerate(group):
            a_org, a_canton = key(a.organisation), key(a.canton)
            if a_org and a_org == p_org:
                presenter_org += 1
            if a_canton and a_canton == p_canton:
                canton_pairs += 1
            for b in group[i + 1 :]:
                ia, ib = index[a.id], index[b.id]
                meetings[(min(ia, ib), max(ia, ib))] += 1
                if a_org and a_org == key(b.organisation):
                    colleague_pairs += 1
                if a_canton and a_canton == key(b.canton):
                    canton_pairs += 1
    return presenter_org, colleague_pairs, canton_pairs


def _imbalance(tables: tuple[Table, ...], groups: dict[Id, list[Adviser]]) -> int:
    """How far one round's group sizes are from the most even spread of its people:
    the sum of squared sizes minus the least such sum (0 when they are even)."""
    sizes = [len(groups[t.id]) for t in tables]
    return sum(s * s for s in sizes) - balanced_squares(sum(sizes), len(tables))


def _revisits(
    plan: Plan, advisers: tuple[Adviser, ...], table_by_id: dict[Id, Table]
) -> list[Violation]:
    """Each later round in which an adviser is back at a table they sat at before."""
    violations: list[Violation] = []
    for adviser in advisers:
        seen: set[Id] = set()
        for r, seating in enumerate(plan.seating):
            table_id = seating.get(adviser.id)
            if table_id is None or table_id not in table_by_id:
                continue
            if table_id in seen:
                violations.append(
                    Violation(
                        "table_revisited",
                        r + 1,
                        adviser.id,
                        table_id,
                        _p(adviser, r + 1, table=table_by_id[table_id].label),
                    )
                )
            seen.add(table_id)
    return violations


def score(plan: Plan) -> float:
    """The weighted soft objective of ``plan`` (lower is better)."""
    return evaluate(plan).objective


_CODES = (
    "unassigned",
    "unknown_table",
    "language_mismatch",
    "table_revisited",
    "lock_not_kept",
    "table_too_small",
    "table_too_large",
)


def _order(code: str) -> int:
    return _CODES.index(code) if code in _CODES else len(_CODES)


def _p(adviser: Adviser, round: int, **extra: object) -> dict[str, object]:
    return {"adviser": adviser.label, "round": round, **extra}
