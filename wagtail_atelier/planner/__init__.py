"""Table rotation for the Pro Action Café: who sits at which case table in each round.

Pure Python, with no web framework import, so that it can be tested and benchmarked on
its own. See docs/planner.md for the objective and the method.

    >>> from wagtail_atelier.planner import Adviser, Problem, Table, make_plan
    >>> tables = [Table(id=i, presenter_id=f"p{i}", language="de") for i in range(3)]
    >>> advisers = [Adviser(id=i, languages={"de"}) for i in range(9)]
    >>> plan = make_plan(Problem(tables=tables, advisers=advisers, seed=1))
    >>> plan.feasible
    True
"""

from .diagnostics import analyse
from .evaluate import evaluate, score
from .messages import DIAGNOSTICS, INPUT_ERRORS, SUGGESTIONS, VIOLATIONS
from .models import (
    MAX_ROUNDS,
    Adviser,
    Diagnostic,
    Id,
    Lock,
    Metrics,
    Plan,
    PlannerInputError,
    Problem,
    Suggestion,
    Table,
    Violation,
    Weights,
)
from .planning import (
    MoveResult,
    locks_from_plan,
    make_plan,
    move,
    random_rotation,
    replan,
)

__all__ = [
    "DIAGNOSTICS",
    "INPUT_ERRORS",
    "MAX_ROUNDS",
    "SUGGESTIONS",
    "VIOLATIONS",
    "Adviser",
    "Diagnostic",
    "Id",
    "Lock",
    "Metrics",
    "MoveResult",
    "Plan",
    "PlannerInputError",
    "Problem",
    "Suggestion",
    "Table",
    "Violation",
    "Weights",
    "analyse",
    "evaluate",
    "locks_from_plan",
    "make_plan",
    "move",
    "random_rotation",
    "replan",
    "score",
]
