"""The table planner (wagtail_atelier.planner): pure Python, no database."""

from __future__ import annotations

import ast
import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wagtail_atelier.planner import (
    DIAGNOSTICS,
    INPUT_ERRORS,
    SUGGESTIONS,
    VIOLATIONS,
    Adviser,
    Lock,
    Plan,
    PlannerInputError,
    Problem,
    Table,
    Weights,
    analyse,
    evaluate,
    locks_from_plan,
    make_plan,
    move,
    random_rotation,
    replan,
    score,
)
from wagtail_atelier.planner.search import Instance, State, _apply, construct

PLANNER_DIR = (
    Path(__file__).resolve().parent.parent.parent / "wagtail_atelier" / "planner"
)


# -- helpers ---------------------------------------------------------------------------


def tables_in(*languages: str) -> list[Table]:
    return [
        Table(id=f"t{i}", presenter_id=f"p{i}", language=lang, name=f"Table {i}")
        for i, lang in enumerate(languages)
    ]


def advisers_speaking(*language_sets: str, orgs: str = "", cantons: str = "") -> list:
    """One adviser per argument; "de+fr" speaks both."""
    return [
        Adviser(
            id=f"a{i}",
            languages=frozenset(spec.split("+")),
            organisation=orgs[i % len(orgs)] if orgs else "",
            canton=cantons[i % len(cantons)] if cantons else "",
            name=f"Adviser {i}",
        )
        for i, spec in enumerate(language_sets)
    ]


def check_hard_rules(plan: Plan) -> list[str]:
    """The hard rules, checked here from scratch rather than through evaluate()."""
    problem = plan.problem
    tables = {t.id: t for t in problem.active_tables}
    broken = []
    for adviser in problem.active_advisers:
        seen = []
        for r in range(1, problem.rounds + 1):
            table_id = plan.table_of(adviser.id, r)
            if table_id not in tables:
                broken.append(f"{adviser.id} has no table in round {r}")
                continue
            if tables[table_id].language not in adviser.languages:
                broken.append(f"{adviser.id} does not speak at {table_id} in round {r}")
            if table_id in seen:
                broken.append(f"{adviser.id} back at {table_id} in round {r}")
            seen.append(table_id)
    for r in range(1, problem.rounds + 1):
        for table_id, group in plan.round(r).items():
            if not problem.min_size <= len(group) + 1 <= problem.max_size:
                broken.append(f"{table_id} has {len(group) + 1} people in round {r}")
    for lock in problem.active_locks:
        if plan.table_of(lock.adviser_id, lock.round) != lock.table_id:
            broken.append(f"lock {lock} not kept")
    return broken


def codes(plan_or_list) -> set[str]:
    items = plan_or_list.diagnostics if isinstance(plan_or_list, Plan) else plan_or_list
    return {d.code for d in items}


# -- purity ----------------------------------------------------------------------------


def test_planner_imports_without_django():
    code = (
        "import sys, wagtail_atelier.planner\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'wagtail')]\n"
        "assert not bad, bad\n"
    )
    root = PLANNER_DIR.parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_planner_sources_import_no_web_framework():
    for path in PLANNER_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("django", "wagtail"), (path, name)


# -- hard rules on hand-made instances -------------------------------------------------


def test_nine_advisers_three_tables_three_rounds():
    problem = Problem(
        tables=tables_in("de", "de", "de"),
        advisers=advisers_speaking(*["de"] * 9, orgs="ABC", cantons="XY"),
        seed=3,
    )
    plan = make_plan(problem)
    assert plan.feasible
    assert check_hard_rules(plan) == []
    assert evaluate(plan).violations == ()
    # Nine advisers at three tables in three rounds: each visits every table once.
    for adviser in problem.advisers:
        assert sorted(plan.tables_of(adviser.id)) == ["t0", "t1", "t2"]


def test_languages_are_respected():
    problem = Problem(
        tables=tables_in("de", "de", "fr", "fr", "it"),
        advisers=advisers_speaking(
            *["de"] * 4, *["fr"] * 4, *["de+fr"] * 4, *["it+de"] * 3, "it+fr"
        ),
        rounds=2,
        min_size=2,
        seed=1,
    )
    plan = make_plan(problem)
    assert plan.feasible, [d.message for d in plan.diagnostics]
    assert check_hard_rules(plan) == []


def test_group_size_includes_the_presenter():
    # min 3 / max 3 people: exactly two advisers per table in every round.
    problem = Problem(
        tables=tables_in("de", "de", "de"),
        advisers=advisers_speaking(*["de"] * 6),
        min_size=3,
        max_size=3,
        seed=0,
    )
    plan = make_plan(problem)
    assert plan.feasible
    for r in (1, 2, 3):
        assert sorted(len(g) for g in plan.round(r).values()) == [2, 2, 2]


def test_one_round_one_table():
    problem = Problem(
        tables=tables_in("fr"),
        advisers=advisers_speaking("fr", "fr"),
        rounds=1,
    )
    plan = make_plan(problem)
    assert plan.feasible
    assert plan.round(1) == {"t0": ["a0", "a1"]}


def test_objective_mixes_people():
    """With room to spare the planner avoids every repeat, presenter colleague and
    colleague pair that a sensible plan can avoid."""
    problem = Problem(
        tables=[
            Table(f"t{i}", f"p{i}", "de", organisation=f"org{i}") for i in range(6)
        ],
        advisers=[
            Adviser(f"a{i}", {"de"}, organisation=f"org{i % 6}") for i in range(18)
        ],
        seed=5,
    )
    metrics = evaluate(make_plan(problem))
    assert metrics.violations == ()
    assert metrics.repeated_encounters == 0
    assert metrics.same_organisation_presenter == 0
    assert metrics.same_organisation_pairs == 0
    assert metrics.size_imbalance == 0


def test_quality_against_random_rotation():
    rng = random.Random(7)  # noqa: S311
    problem = Problem(
        tables=tables_in(*["de"] * 7, *["fr"] * 3),
        advisers=[
            Adviser(
                f"a{i}",
                {"de"} if i < 26 else {"fr"} if i < 36 else {"de", "fr"},
                organisation=f"org{rng.randrange(8)}",
                canton=rng.choice(["BE", "ZH", "VD", "GE"]),
            )
            for i in range(40)
        ],
        seed=2,
    )
    planned = evaluate(make_plan(problem))
    drawn = evaluate(random_rotation(problem))
    assert planned.violations == drawn.violations == ()
    assert planned.repeated_encounters <= 0.5 * drawn.repeated_encounters
    assert planned.objective < drawn.objective


# -- determinism -----------------------------------------------------------------------


def _mixed_problem(seed):
    rng = random.Random(11)  # noqa: S311
    return Problem(
        tables=tables_in("de", "de", "fr", "de", "fr", "it"),
        advisers=[
            Adviser(
                f"a{i}",
                frozenset(rng.sample(["de", "fr", "it"], rng.randint(1, 3))) | {"de"}
                if i % 3
                else frozenset({"fr", "it", "de"}),
                organisation=f"o{rng.randrange(5)}",
                canton=rng.choice(["BE", "TI", "VD"]),
            )
            for i in range(20)
        ],
        seed=seed,
    )


def test_same_seed_same_plan():
    assert make_plan(_mixed_problem(4)) == make_plan(_mixed_problem(4))
    assert random_rotation(_mixed_problem(4)) == random_rotation(_mixed_problem(4))


def test_other_seed_other_plan():
    plans = {json.dumps(make_plan(_mixed_problem(s)).to_dict()) for s in range(4)}
    assert len(plans) > 1


def test_plan_does_not_depend_on_hash_randomisation():
    code = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests/planner')\n"
        "from test_planner import _mixed_problem\n"
        "from wagtail_atelier.planner import make_plan\n"
        "print(json.dumps(make_plan(_mixed_problem('x')).to_dict()))\n"
    )
    root = PLANNER_DIR.parent.parent
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", code],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


# -- property: a feasible instance never gets a broken rule ---------------------------


@st.composite
def feasible_problems(draw):
    """A random instance with a planted rule-abiding plan, so one is known to exist.

    Adviser ``i`` is planted at table ``order[(i + offset[r]) % T]`` in round ``r``:
    distinct offsets give distinct tables, and the sizes are as even as they can be.
    Each adviser speaks the languages of their planted tables, and maybe more.
    """
    n_tables = draw(st.integers(1, 7))
    rounds = draw(st.integers(1, min(n_tables, 5)))
    min_size = draw(st.integers(2, 4))
    max_size = draw(st.integers(min_size, 6))
    lo, hi = min_size - 1, max_size - 1
    n_advisers = draw(st.integers(n_tables * lo, n_tables * hi))
    languages = draw(
        st.lists(
            st.sampled_from(["de", "fr", "it"]), min_size=n_tables, max_size=n_tables
        )
    )
    order = draw(st.permutations(range(n_tables)))
    offsets = draw(st.permutations(range(n_tables)))[:rounds]
    orgs = draw(
        st.lists(
            st.sampled_from("ABCD"),
            min_size=n_advisers + n_tables,
            max_size=n_advisers + n_tables,
        )
    )
    cantons = draw(
        st.lists(
            st.sampled_from(["BE", "VD", "TI"]),
            min_size=n_advisers + n_tables,
            max_size=n_advisers + n_tables,
        )
    )
    extra = draw(
        st.lists(
            st.sets(st.sampled_from(["de", "fr", "it"]), max_size=2),
            min_size=n_advisers,
            max_size=n_advisers,
        )
    )
    planted = [
        [order[(i + offsets[r]) % n_tables] for r in range(rounds)]
        for i in range(n_advisers)
    ]
    tables = [
        Table(
            f"t{k}",
            f"p{k}",
            languages[k],
            orgs[n_advisers + k],
            cantons[n_advisers + k],
        )
        for k in range(n_tables)
    ]
    advisers = [
        Adviser(
            f"a{i}",
            frozenset({languages[k] for k in planted[i]} | extra[i]),
            orgs[i],
            cantons[i],
        )
        for i in range(n_advisers)
    ]
    # Some planted places are locked: a few here and there, or a whole round (as
    # when the first round has been announced and the rest is planned again).
    locked = draw(st.sets(st.integers(0, n_advisers * rounds - 1), max_size=3))
    if draw(st.integers(0, 4)) == 0:
        whole = draw(st.integers(0, rounds - 1))
        locked |= {i * rounds + whole for i in range(n_advisers)}
    locks = [
        Lock(f"a{x // rounds}", x % rounds + 1, f"t{planted[x // rounds][x % rounds]}")
        for x in sorted(locked)
    ]
    seed = draw(st.integers(0, 2**16))
    return Problem(tables, advisers, rounds, min_size, max_size, seed, locks)


def _assert_keeps_every_rule(plan):
    assert check_hard_rules(plan) == []
    assert plan.feasible
    assert evaluate(plan).violations == ()
    assert not [d for d in plan.diagnostics if d.level == "error"]


# Pure Python, cheaper than a request: twice the Hypothesis profile's count (see
# tests/conftest.py: 100 by default, 1000 with HYPOTHESIS_PROFILE=thorough).
@settings(
    max_examples=2 * settings().max_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(feasible_problems())
def test_feasible_instances_never_break_a_rule(problem):
    # A tenth of the default search budget, and two runs instead of many: the hard
    # rules must hold even when the search has little time to repair a bad start.
    seats = len(problem.advisers) * problem.rounds
    _assert_keeps_every_rule(make_plan(problem, restarts=2, iterations=200 * seats))


# The whole default search per example: half the profile's count (25 by default).
@settings(max_examples=settings().max_examples // 2, deadline=None)
@given(feasible_problems())
def test_feasible_instances_with_the_default_budget(problem):
    _assert_keeps_every_rule(make_plan(problem))


# -- infeasible instances: a best-effort plan and the reasons -------------------------


def test_too_few_advisers():
    problem = Problem(
        tables=tables_in("de", "de", "de", "fr"),
        advisers=advisers_speaking(*["de"] * 5),
        rounds=2,
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(d for d in plan.diagnostics if d.code == "too_few_advisers")
    assert diagnostic.params == {
        "advisers": 5,
        "tables": 4,
        "min_size": 3,
        "per_table": 2,
        "needed": 8,
    }
    assert diagnostic.message.startswith("Too few participants: 5, while 4 tables")
    suggestions = {s.code: s for s in diagnostic.suggestions}
    assert suggestions["smaller_groups"].params == {"min_size": 2}
    assert suggestions["fewer_tables"].params == {"tables": 2, "current": 4}
    merge = suggestions["merge_tables"]
    assert merge.params["table"] == "Table 0"
    assert merge.params["other_table"] == "Table 1"
    assert "Merge table Table 0 with table Table 1" in merge.message
    # Still a plan: everyone who can sit is seated at a table they speak.
    for r in (1, 2):
        assert plan.unassigned(r) == []
    metrics = evaluate(plan)
    assert {v.code for v in metrics.violations} <= {"table_too_small"}
    # The fr table gets nobody: no de-only adviser may sit there.
    assert "table_language_unmatched" in codes(plan)


def test_no_tables():
    plan = make_plan(Problem(tables=[], advisers=advisers_speaking("de")))
    assert not plan.feasible
    assert codes(plan) == {"no_tables"}
    assert plan.unassigned(1) == ["a0"]


def test_no_advisers():
    plan = make_plan(Problem(tables=tables_in("de"), advisers=[]))
    assert not plan.feasible
    assert codes(plan) == {"no_advisers"}


def test_one_adviser():
    plan = make_plan(
        Problem(tables=tables_in("de", "de"), advisers=advisers_speaking("de"))
    )
    assert not plan.feasible
    assert "too_few_advisers" in codes(plan)
    assert "rounds_exceed_tables" in codes(plan)
    assert plan.tables_of("a0")[0] in ("t0", "t1")


def test_more_rounds_than_tables():
    problem = Problem(
        tables=tables_in("de", "de"), advisers=advisers_speaking(*["de"] * 6), rounds=3
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(d for d in plan.diagnostics if d.code == "rounds_exceed_tables")
    assert [(s.code, s.params) for s in diagnostic.suggestions] == [
        ("fewer_rounds", {"rounds": 2, "current": 3})
    ]
    assert {v.code for v in evaluate(plan).violations} == {"table_revisited"}


def test_adviser_whose_language_no_table_speaks():
    problem = Problem(
        tables=tables_in("de", "de", "de"),
        advisers=advisers_speaking(*["de"] * 6, "it"),
        rounds=3,
        max_size=4,
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(
        d for d in plan.diagnostics if d.code == "adviser_language_unmatched"
    )
    assert diagnostic.params["adviser"] == "Adviser 6"
    assert [(s.code, s.params["language"]) for s in diagnostic.suggestions] == [
        ("allow_language", "de")
    ]
    # The others are planned as if the adviser were not there.
    assert {v.code for v in evaluate(plan).violations} == {"unassigned"}
    assert plan.tables_of("a6") == [None, None, None]


def test_table_whose_language_nobody_speaks():
    problem = Problem(
        tables=tables_in("de", "de", "it"),
        advisers=advisers_speaking(*["de"] * 8, "de+fr"),
        rounds=2,
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(
        d for d in plan.diagnostics if d.code == "table_language_unmatched"
    )
    assert diagnostic.params["table"] == "Table 2"
    suggestion = diagnostic.suggestions[0]
    assert (suggestion.code, suggestion.params["language"]) == (
        "change_table_language",
        "de",
    )
    assert "Hold table Table 2 in de" in suggestion.message


def test_adviser_who_can_follow_too_few_tables():
    problem = Problem(
        tables=tables_in("de", "de", "fr", "fr"),
        advisers=advisers_speaking(*["de+fr"] * 7, "fr"),
        rounds=3,
        min_size=2,
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(d for d in plan.diagnostics if d.code == "adviser_too_few_tables")
    assert diagnostic.params["reachable"] == 2
    assert [s.code for s in diagnostic.suggestions] == [
        "fewer_rounds",
        "allow_language",
    ]


def test_too_many_advisers():
    problem = Problem(
        tables=tables_in("de", "de"), advisers=advisers_speaking(*["de"] * 10), rounds=2
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(d for d in plan.diagnostics if d.code == "too_many_advisers")
    assert {s.code: s.params for s in diagnostic.suggestions} == {
        "larger_groups": {"max_size": 6},
        "more_tables": {"count": 1},
    }
    # Nobody is left standing: the tables are over-full instead.
    assert plan.unassigned(1) == plan.unassigned(2) == []


def test_language_group_too_small():
    problem = Problem(
        tables=tables_in("de", "de", "fr", "fr"),
        advisers=advisers_speaking(*["de"] * 6, "fr", "de+fr"),
        rounds=2,
    )
    found = analyse(problem)
    diagnostic = next(d for d in found if d.code == "language_group_too_small")
    assert diagnostic.params == {
        "speakers": 2,
        "languages": "fr",
        "tables": 2,
        "needed": 4,
    }
    merge = next(s for s in diagnostic.suggestions if s.code == "merge_tables")
    assert (merge.params["table_id"], merge.params["other_table_id"]) == ("t2", "t3")
    assert not make_plan(problem).feasible


def test_language_tables_need_more_visits_than_speakers_can_make():
    # Each round the fr table needs two fr speakers; the three there are can sit there
    # once each: 3 visits for the 6 needed over three rounds.
    problem = Problem(
        tables=tables_in("de", "de", "de", "fr"),
        advisers=advisers_speaking(*["de"] * 9, *["de+fr"] * 3),
    )
    plan = make_plan(problem)
    assert not plan.feasible
    diagnostic = next(
        d for d in plan.diagnostics if d.code == "language_visits_too_few"
    )
    assert diagnostic.params == {
        "languages": "fr",
        "tables": 1,
        "rounds": 3,
        "needed": 6,
        "possible": 3,
    }
    assert ("fewer_rounds", {"rounds": 1, "current": 3}) in [
        (s.code, s.params) for s in diagnostic.suggestions
    ]


def test_language_group_too_large():
    problem = Problem(
        tables=tables_in("de", "de", "fr"),
        advisers=advisers_speaking(*["fr"] * 6, "de", "de", "de", "de"),
        rounds=1,
    )
    assert "language_group_too_large" in codes(analyse(problem))
    assert not make_plan(problem).feasible


def test_every_code_has_a_template_that_renders():
    problems = [
        Problem(
            tables=tables_in("de", "de", "de", "fr"), advisers=advisers_speaking("it")
        ),
        Problem(tables=tables_in("de"), advisers=advisers_speaking(*["de"] * 9)),
        Problem(
            tables=tables_in("de", "it"),
            advisers=advisers_speaking(*["de+it"] * 4, "it"),
            rounds=2,
        ),
    ]
    for problem in problems:
        plan = make_plan(problem)
        for diagnostic in plan.diagnostics:
            assert diagnostic.code in DIAGNOSTICS
            assert "%(" not in diagnostic.message
            for suggestion in diagnostic.suggestions:
                assert suggestion.code in SUGGESTIONS
                assert "%(" not in suggestion.message
        for violation in evaluate(plan).violations:
            assert violation.code in VIOLATIONS
            assert "%(" not in violation.message


# -- bad parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rounds": 0}, "rounds_out_of_range"),
        ({"rounds": 6}, "rounds_out_of_range"),
        ({"min_size": 4, "max_size": 3}, "min_above_max"),
        ({"min_size": 1}, "min_size_too_small"),
        ({"locks": [Lock("nobody", 1, "t0")]}, "unknown_lock_target"),
        ({"locks": [Lock("a0", 1, "nowhere")]}, "unknown_lock_target"),
        ({"locks": [Lock("a0", 4, "t0")]}, "lock_round_out_of_range"),
        ({"locks": [Lock("a0", 1, "t0"), Lock("a0", 1, "t1")]}, "conflicting_locks"),
        ({"advisers": advisers_speaking("de", "de") * 2}, "duplicate_id"),
        ({"weights": None}, "negative_weight"),
    ],
)
def test_bad_parameters_raise_with_a_code(kwargs, code):
    base = {"tables": tables_in("de", "de"), "advisers": advisers_speaking("de", "de")}
    if kwargs.get("weights", 0) is None:
        with pytest.raises(PlannerInputError) as excinfo:
            Weights(repeat=-1)
    else:
        with pytest.raises(PlannerInputError) as excinfo:
            Problem(**{**base, **kwargs})
    assert excinfo.value.code == code
    assert isinstance(excinfo.value, ValueError)
    assert code in INPUT_ERRORS
    assert "%(" not in str(excinfo.value)


def test_presenter_and_adviser_ids_must_differ():
    with pytest.raises(PlannerInputError) as excinfo:
        Problem(tables=tables_in("de"), advisers=[Adviser("p0", {"de"})])
    assert excinfo.value.code == "duplicate_id"


# -- locks, absences, re-planning ------------------------------------------------------


def test_locks_are_kept():
    locks = [Lock("a0", 1, "t2"), Lock("a0", 2, "t1"), Lock("a5", 3, "t0")]
    problem = Problem(
        tables=tables_in("de", "de", "de", "de"),
        advisers=advisers_speaking(*["de"] * 12),
        locks=locks,
        seed=9,
    )
    plan = make_plan(problem)
    assert plan.feasible
    for lock in locks:
        assert plan.table_of(lock.adviser_id, lock.round) == lock.table_id


def test_lock_that_breaks_a_rule_is_kept_and_reported():
    problem = Problem(
        tables=tables_in("de", "de", "fr"),
        advisers=advisers_speaking(*["de+fr"] * 5, "de"),
        rounds=2,
        min_size=2,
        locks=[Lock("a5", 1, "t2")],
    )
    plan = make_plan(problem)
    assert plan.table_of("a5", 1) == "t2"
    assert not plan.feasible
    diagnostic = next(d for d in plan.diagnostics if d.code == "lock_language")
    assert diagnostic.suggestions[0].code == "release_lock"
    assert {v.code for v in evaluate(plan).violations} == {"language_mismatch"}


def test_replan_after_cancellations_keeps_what_is_fixed():
    problem = Problem(
        tables=tables_in(*["de"] * 5),
        advisers=advisers_speaking(*["de"] * 16),
        seed=1,
    )
    plan = make_plan(problem)
    assert plan.feasible
    # Round 1 has been announced; a0, a1 and presenter p4 cancel.
    fixed = locks_from_plan(plan, rounds=[1])
    again = replan(plan, locks=fixed, absent=["a0", "a1", "p4"])
    assert again.feasible, [d.message for d in again.diagnostics]
    assert "t4" not in again.round(2)
    assert "a0" not in again.seating[0]
    kept = [lock for lock in fixed if lock.adviser_id not in ("a0", "a1")]
    moved = [lock for lock in kept if lock.table_id == "t4"]
    for lock in kept:
        if lock not in moved:
            assert again.table_of(lock.adviser_id, 1) == lock.table_id
    assert {d.code for d in again.diagnostics} == {
        "table_removed_absent",
        "lock_ignored_absent",
    }
    assert all(d.level == "info" for d in again.diagnostics)


# -- move ------------------------------------------------------------------------------


def _planned():
    problem = Problem(
        tables=tables_in("de", "de", "de", "fr"),
        advisers=advisers_speaking(*["de"] * 6, *["de+fr"] * 6),
        seed=2,
    )
    plan = make_plan(problem)
    assert plan.feasible
    return plan


def test_move_shows_the_violations_it_causes():
    plan = _planned()
    a0_tables = plan.tables_of("a0")
    moved, caused = move(plan, "a0", 2, a0_tables[0])
    assert not moved.feasible
    assert "table_revisited" in {v.code for v in caused}
    assert all(v.round == 2 for v in caused)
    assert moved.table_of("a0", 2) == a0_tables[0]
    assert plan.table_of("a0", 2) == a0_tables[1]  # the original is untouched

    fr_only = move(plan, "a0", 1, "t3")
    assert "language_mismatch" in {v.code for v in fr_only.violations}
    assert fr_only.violations[0].message


def test_move_that_keeps_the_rules_causes_nothing():
    plan = _planned()
    # Swap two advisers of round 1 in two moves: the second one repairs the first.
    groups = plan.round(1)
    (t_a, group_a), (t_b, group_b) = [(t, g) for t, g in groups.items() if t != "t3"][
        :2
    ]
    for a, b in itertools.product(group_a, group_b):
        if t_b not in plan.tables_of(a) and t_a not in plan.tables_of(b):
            break
    else:
        pytest.skip("no swappable pair in this plan")
    first, caused_first = move(plan, a, 1, t_b)
    second, caused_second = move(first, b, 1, t_a)
    assert second.feasible
    assert caused_second == ()


def test_move_updates_a_lock():
    problem = Problem(
        tables=tables_in("de", "de", "de"),
        advisers=advisers_speaking(*["de"] * 9),
        locks=[Lock("a0", 1, "t0")],
    )
    plan = make_plan(problem)
    moved = move(plan, "a0", 1, "t1").plan
    assert Lock("a0", 1, "t1") in moved.problem.locks
    assert Lock("a0", 1, "t0") not in moved.problem.locks


def test_move_rejects_unknown_targets():
    plan = _planned()
    with pytest.raises(PlannerInputError) as excinfo:
        move(plan, "nobody", 1, "t0")
    assert excinfo.value.code == "unknown_move_target"
    with pytest.raises(PlannerInputError) as excinfo:
        move(plan, "a0", 9, "t0")
    assert excinfo.value.code == "round_out_of_range"


# -- serialisation ---------------------------------------------------------------------


@pytest.mark.parametrize("int_ids", [False, True])
def test_plan_round_trips_through_json(int_ids):
    if int_ids:
        tables = [Table(i, 100 + i, "de", "org", "BE") for i in range(3)]
        advisers = [Adviser(i, {"de", "fr"}, "org", "BE", f"n{i}") for i in range(8)]
        locks = [Lock(0, 2, 1)]
    else:
        tables = tables_in("de", "de", "de")
        advisers = advisers_speaking(*["de+fr"] * 8, orgs="AB", cantons="X")
        locks = [Lock("a0", 2, "t1")]
    problem = Problem(
        tables=tables,
        advisers=advisers,
        locks=locks,
        absent=[advisers[-1].id],
        weights=Weights(canton=0.5),
        seed="workshop-42",
    )
    plan = make_plan(problem)
    data = json.loads(json.dumps(plan.to_dict()))
    assert Plan.from_dict(data) == plan
    assert evaluate(Plan.from_dict(data)) == evaluate(plan)


def test_bad_stored_plan_raises_with_a_code():
    with pytest.raises(PlannerInputError) as excinfo:
        Plan.from_dict({"version": 99})
    assert excinfo.value.code == "bad_plan_data"
    data = _planned().to_dict()
    data["seating"] = data["seating"][:1]
    with pytest.raises(PlannerInputError) as excinfo:
        Plan.from_dict(data)
    assert excinfo.value.code == "bad_plan_data"


# -- the objective ---------------------------------------------------------------------


def test_evaluate_counts_each_term():
    tables = [
        Table("t0", "p0", "de", organisation="A", canton="BE"),
        Table("t1", "p1", "de", organisation="B", canton="ZH"),
    ]
    advisers = [
        Adviser("a0", {"de"}, "A", "BE"),
        Adviser("a1", {"de"}, "A", "BE"),
        Adviser("a2", {"de"}, "C", "ZH"),
        Adviser("a3", {"de"}, "C", "ZH"),
    ]
    problem = Problem(tables=tables, advisers=advisers, rounds=2, min_size=2)
    plan = Plan(
        problem=problem,
        seating=(
            {"a0": "t0", "a1": "t0", "a2": "t1", "a3": "t1"},
            {"a0": "t1", "a1": "t1", "a2": "t0", "a3": "t0"},
        ),
    )
    metrics = evaluate(plan)
    assert metrics.violations == ()
    assert metrics.repeated_encounters == 2  # a0-a1 and a2-a3 meet twice
    assert metrics.same_organisation_presenter == 2  # a0, a1 at A's table in round 1
    assert metrics.same_organisation_pairs == 4  # a0-a1 and a2-a3, in both rounds
    assert metrics.size_imbalance == 0
    # Round 1: a0-a1, a0-p0, a1-p0, a2-a3, a2-p1, a3-p1; round 2: a0-a1, a2-a3.
    assert metrics.same_canton_pairs == 8
    w = problem.weights
    assert (
        metrics.objective
        == score(plan)
        == (
            2 * w.repeat + 2 * w.presenter_organisation + 4 * w.colleague + 8 * w.canton
        )
    )


def test_imbalance_is_zero_only_for_even_tables():
    problem = Problem(
        tables=tables_in("de", "de"),
        advisers=advisers_speaking(*["de"] * 6),
        rounds=1,
        min_size=2,
    )
    even = Plan(
        problem,
        ({"a0": "t0", "a1": "t0", "a2": "t0", "a3": "t1", "a4": "t1", "a5": "t1"},),
    )
    uneven = Plan(
        problem,
        ({"a0": "t0", "a1": "t0", "a2": "t0", "a3": "t0", "a4": "t1", "a5": "t1"},),
    )
    assert evaluate(even).size_imbalance == 0
    assert evaluate(uneven).size_imbalance == (16 + 4) - (9 + 9)


def test_incremental_costs_match_a_full_recount():
    """The search's move deltas agree with a recount, and with evaluate()."""
    problem = _mixed_problem(3)
    inst = Instance(problem)
    rng = random.Random(0)  # noqa: S311
    state = construct(inst, rng, greedy=False)
    soft, hard = state.costs()
    for _ in range(300):
        r = rng.randrange(inst.R)
        a = rng.randrange(inst.n)
        t = rng.choice(inst.ok_tables[a])
        ops = [(r, a, t, state.seat[r][a])]
        if rng.random() < 0.5:
            b = rng.randrange(inst.n)
            if b != a and inst.ok[b][state.seat[r][a]]:
                ops.append((r, b, state.seat[r][a], state.seat[r][b]))
        ds, dh = _apply(inst, state, ops)
        soft += ds
        hard += dh
        fresh_soft, fresh_hard = state.costs()
        assert fresh_soft == pytest.approx(soft)
        assert fresh_hard == hard
    plan = Plan(
        problem,
        tuple(
            {
                adviser.id: inst.tables[row[i]].id
                for i, adviser in enumerate(inst.advisers)
            }
            for row in state.seat
        ),
    )
    assert evaluate(plan).objective == pytest.approx(soft)
    fresh = State(inst)
    fresh.load(state.snapshot())
    assert fresh.costs() == state.costs()
