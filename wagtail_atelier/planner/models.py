"""The planner's data: what goes in (a :class:`Problem`) and what comes out (a
:class:`Plan`), plus the structured messages that explain a plan.

Rounds are numbered from 1, as facilitators number them. Identifiers are whatever
the caller uses (registration primary keys, e-mail addresses...), as long as they are
``str`` or ``int`` so that a plan survives a round trip through JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .messages import DIAGNOSTICS, INPUT_ERRORS, SUGGESTIONS, VIOLATIONS, render

Id = str | int

MAX_ROUNDS = 5
FORMAT_VERSION = 1


class PlannerInputError(ValueError):
    """Parameters that make no sense (0 rounds, a minimum above the maximum...).

    ``code`` and ``params`` let the web layer show a translated message; ``str(error)``
    is the English default.
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(render(INPUT_ERRORS.get(code, code), params))


@dataclass(frozen=True)
class Table:
    """One table: a confirmed case presenter, who stays there for every round."""

    id: Id
    presenter_id: Id
    language: str
    organisation: str = ""
    canton: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        """How messages name the table: its name, or its id."""
        return self.name or str(self.id)


@dataclass(frozen=True)
class Adviser:
    """A participant who moves to a different table in each round."""

    id: Id
    languages: frozenset[str]
    organisation: str = ""
    canton: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        """How messages name the adviser: their name, or their id."""
        return self.name or str(self.id)

    def __post_init__(self) -> None:
        if not isinstance(self.languages, frozenset):
            object.__setattr__(self, "languages", frozenset(self.languages))


@dataclass(frozen=True)
class Lock:
    """An adviser who must sit at ``table_id`` in round ``round`` (1-based)."""

    adviser_id: Id
    round: int
    table_id: Id


@dataclass(frozen=True)
class Weights:
    """Weights of the soft objective; see docs/planner.md for the formula.

    The defaults put meeting the same person twice first, then sitting at the table of
    a presenter from one's own organisation, then colleagues at the same table, then
    uneven tables, and same-canton pairs last.
    """

    repeat: float = 10.0
    presenter_organisation: float = 5.0
    colleague: float = 3.0
    imbalance: float = 2.0
    canton: float = 1.0

    def __post_init__(self) -> None:
        for name in (
            "repeat",
            "presenter_organisation",
            "colleague",
            "imbalance",
            "canton",
        ):
            if getattr(self, name) < 0:
                raise PlannerInputError("negative_weight", name=name)


@dataclass(frozen=True)
class Problem:
    """Everything the planner needs.

    ``min_size`` and ``max_size`` count the people at a table *including* its case
    presenter. ``absent`` holds ids of advisers or presenters who are not there (a
    presenter's absence removes their table); locks that involve them are dropped.
    """

    tables: tuple[Table, ...]
    advisers: tuple[Adviser, ...]
    rounds: int = 3
    min_size: int = 3
    max_size: int = 5
    seed: int | str = 0
    locks: tuple[Lock, ...] = ()
    absent: frozenset[Id] = frozenset()
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "advisers", tuple(self.advisers))
        object.__setattr__(self, "locks", tuple(self.locks))
        object.__setattr__(self, "absent", frozenset(self.absent))
        if isinstance(self.rounds, bool) or not 1 <= self.rounds <= MAX_ROUNDS:
            raise PlannerInputError(
                "rounds_out_of_range", rounds=self.rounds, max_rounds=MAX_ROUNDS
            )
        if self.min_size < 2:
            raise PlannerInputError("min_size_too_small", min_size=self.min_size)
        if self.min_size > self.max_size:
            raise PlannerInputError(
                "min_above_max", min_size=self.min_size, max_size=self.max_size
            )
        seen: set[tuple[str, Id]] = set()
        for kind, ident in [("table", t.id) for t in self.tables] + [
            ("person", p)
            for p in [t.presenter_id for t in self.tables]
            + [a.id for a in self.advisers]
        ]:
            if (kind, ident) in seen:
                raise PlannerInputError("duplicate_id", id=ident)
            seen.add((kind, ident))
        adviser_ids = {a.id for a in self.advisers}
        table_ids = {t.id for t in self.tables}
        locked: set[tuple[Id, int]] = set()
        for lock in self.locks:
            if lock.adviser_id not in adviser_ids:
                raise PlannerInputError(
                    "unknown_lock_target", kind="adviser", id=lock.adviser_id
                )
            if lock.table_id not in table_ids:
                raise PlannerInputError(
                    "unknown_lock_target", kind="table", id=lock.table_id
                )
            if not 1 <= lock.round <= self.rounds:
                raise PlannerInputError(
                    "lock_round_out_of_range", round=lock.round, rounds=self.rounds
                )
            if (lock.adviser_id, lock.round) in locked:
                raise PlannerInputError(
                    "conflicting_locks", adviser=lock.adviser_id, round=lock.round
                )
            locked.add((lock.adviser_id, lock.round))

    # Views without the absent people.
    @property
    def active_tables(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.presenter_id not in self.absent)

    @property
    def active_advisers(self) -> tuple[Adviser, ...]:
        return tuple(a for a in self.advisers if a.id not in self.absent)

    @property
    def active_locks(self) -> tuple[Lock, ...]:
        tables = {t.id for t in self.active_tables}
        advisers = {a.id for a in self.active_advisers}
        return tuple(
            lock
            for lock in self.locks
            if lock.adviser_id in advisers and lock.table_id in tables
        )

    def to_dict(self) -> dict[str, Any]:
        w = self.weights
        return {
            "tables": [
                {
                    "id": t.id,
                    "presenter_id": t.presenter_id,
                    "language": t.language,
                    "organisation": t.organisation,
                    "canton": t.canton,
                    "name": t.name,
                }
                for t in self.tables
            ],
            "advisers": [
                {
                    "id": a.id,
                    "languages": sorted(a.languages),
                    "organisation": a.organisation,
                    "canton": a.canton,
                    "name": a.name,
                }
                for a in self.advisers
            ],
            "rounds": self.rounds,
            "min_size": self.min_size,
            "max_size": self.max_size,
            "seed": self.seed,
            "locks": [[x.adviser_id, x.round, x.table_id] for x in self.locks],
            "absent": _sorted_ids(self.absent),
            "weights": {
                "repeat": w.repeat,
                "presenter_organisation": w.presenter_organisation,
                "colleague": w.colleague,
                "imbalance": w.imbalance,
                "canton": w.canton,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        try:
            return cls(
                tables=tuple(Table(**t) for t in data["tables"]),
                advisers=tuple(
                    Adviser(
                        id=a["id"],
                        languages=frozenset(a["languages"]),
                        organisation=a.get("organisation", ""),
                        canton=a.get("canton", ""),
                        name=a.get("name", ""),
                    )
                    for a in data["advisers"]
                ),
                rounds=data.get("rounds", 3),
                min_size=data.get("min_size", 3),
                max_size=data.get("max_size", 5),
                seed=data.get("seed", 0),
                locks=tuple(Lock(a, r, t) for a, r, t in data.get("locks", ())),
                absent=frozenset(data.get("absent", ())),
                weights=Weights(**data.get("weights", {})),
            )
        except (KeyError, TypeError) as exc:
            raise PlannerInputError("bad_plan_data", reason=repr(exc)) from exc


@dataclass(frozen=True)
class Suggestion:
    """Something that would make an infeasible instance plannable."""

    code: str
    params: Mapping[str, Any]

    @property
    def template(self) -> str:
        return SUGGESTIONS.get(self.code, self.code)

    @property
    def message(self) -> str:
        return render(self.template, self.params)


@dataclass(frozen=True)
class Diagnostic:
    """A finding about the instance, in plain words, with what would help.

    ``level`` is ``"error"`` when it makes a rule-abiding plan impossible (or when the
    planner found none), ``"info"`` otherwise.
    """

    code: str
    params: Mapping[str, Any]
    level: str = "error"
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def template(self) -> str:
        return DIAGNOSTICS.get(self.code, self.code)

    @property
    def message(self) -> str:
        return render(self.template, self.params)


@dataclass(frozen=True)
class Violation:
    """A broken hard rule in a plan (round is 1-based; adviser/table may be None)."""

    code: str
    round: int
    adviser_id: Id | None = None
    table_id: Id | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return VIOLATIONS.get(self.code, self.code)

    @property
    def message(self) -> str:
        return render(self.template, self.params)


@dataclass(frozen=True)
class Metrics:
    """What :func:`~wagtail_atelier.planner.evaluate` measures on a plan."""

    violations: tuple[Violation, ...]
    repeated_encounters: int
    same_organisation_presenter: int
    same_organisation_pairs: int
    size_imbalance: int
    same_canton_pairs: int
    objective: float

    @property
    def hard_violations(self) -> int:
        return len(self.violations)


@dataclass(frozen=True)
class Plan:
    """Who sits where: ``seating[r]`` maps each active adviser's id to a table id (or
    ``None``) in round ``r + 1``.

    ``feasible`` is True when the plan keeps every hard rule; ``diagnostics`` explain
    why not, and what would help.
    """

    problem: Problem
    seating: tuple[Mapping[Id, Id | None], ...]
    feasible: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()

    def table_of(self, adviser_id: Id, round: int) -> Id | None:
        return self.seating[round - 1].get(adviser_id)

    def tables_of(self, adviser_id: Id) -> list[Id | None]:
        """The adviser's table in each round, in round order."""
        return [seating.get(adviser_id) for seating in self.seating]

    def round(self, round: int) -> dict[Id, list[Id]]:
        """Table id -> adviser ids for one round, in the problem's order."""
        groups: dict[Id, list[Id]] = {t.id: [] for t in self.problem.active_tables}
        seating = self.seating[round - 1]
        for adviser in self.problem.active_advisers:
            table_id = seating.get(adviser.id)
            if table_id in groups:
                groups[table_id].append(adviser.id)
        return groups

    def unassigned(self, round: int) -> list[Id]:
        seating = self.seating[round - 1]
        return [a.id for a in self.problem.active_advisers if seating.get(a.id) is None]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (ids keep their type: seating is a list of pairs)."""
        return {
            "version": FORMAT_VERSION,
            "problem": self.problem.to_dict(),
            "seating": [
                [[adviser_id, table_id] for adviser_id, table_id in seating.items()]
                for seating in self.seating
            ],
            "feasible": self.feasible,
            "diagnostics": [_diagnostic_to_dict(d) for d in self.diagnostics],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        if data.get("version") != FORMAT_VERSION:
            raise PlannerInputError(
                "bad_plan_data", reason=f"unknown version {data.get('version')!r}"
            )
        try:
            problem = Problem.from_dict(data["problem"])
            seating = tuple(dict(pairs) for pairs in data["seating"])
            diagnostics = tuple(
                Diagnostic(
                    code=d["code"],
                    params=d.get("params", {}),
                    level=d.get("level", "error"),
                    suggestions=tuple(
                        Suggestion(s["code"], s.get("params", {}))
                        for s in d.get("suggestions", ())
                    ),
                )
                for d in data.get("diagnostics", ())
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, PlannerInputError):
                raise
            raise PlannerInputError("bad_plan_data", reason=repr(exc)) from exc
        if len(seating) != problem.rounds:
            raise PlannerInputError(
                "bad_plan_data", reason="the number of rounds does not match"
            )
        return cls(
            problem=problem,
            seating=seating,
            feasible=bool(data.get("feasible", False)),
            diagnostics=diagnostics,
        )


def _diagnostic_to_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "level": d.level,
        "params": dict(d.params),
        "message": d.message,
        "suggestions": [
            {"code": s.code, "params": dict(s.params), "message": s.message}
            for s in d.suggestions
        ],
    }


def _sorted_ids(ids: Iterable[Id]) -> list[Id]:
    # Mixed str/int ids cannot be compared directly; sort by type then value.
    return sorted(ids, key=lambda i: (type(i).__name__, i))
