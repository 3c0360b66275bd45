"""Why an instance cannot be planned, and what would make it work.

Each check here is a *necessary* condition of a rule-abiding plan (a counting argument),
so an error found here means no planner could do better; the converse does not hold,
which is why :func:`~wagtail_atelier.planner.make_plan` adds ``no_plan_found`` when the
search leaves violations that none of these checks explains.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from .models import Adviser, Diagnostic, Problem, Suggestion, Table


def analyse(problem: Problem) -> list[Diagnostic]:
    """Static findings on ``problem``, most general first."""
    found = _absences(problem)
    tables = problem.active_tables
    advisers = problem.active_advisers
    if not tables:
        found.append(Diagnostic("no_tables", {}))
        return found
    if not advisers:
        found.append(Diagnostic("no_advisers", {}))
        return found
    languages = sorted({t.language for t in tables})
    speakers_per_language = Counter(
        lang for a in advisers for lang in sorted(a.languages) if lang in languages
    )
    unmatched_languages = {
        t.language for t in tables if speakers_per_language[t.language] == 0
    }
    found += _head_counts(problem, tables, advisers)
    found += _adviser_languages(problem, tables, advisers, languages)
    found += _table_languages(tables, speakers_per_language)
    found += _language_groups(problem, tables, advisers, languages, unmatched_languages)
    found += _lock_conflicts(problem)
    return found


def _head_counts(
    problem: Problem, tables: tuple[Table, ...], advisers: tuple[Adviser, ...]
) -> list[Diagnostic]:
    """Too few or too many advisers for the tables, or more rounds than tables.

    These only count people and tables, so they come first; the language checks leave
    out the whole set of languages when one of these already explains its shortage.
    """
    found: list[Diagnostic] = []
    n, T, R = len(advisers), len(tables), problem.rounds
    lo, hi = problem.min_size - 1, problem.max_size - 1
    if n < T * lo:
        found.append(
            Diagnostic(
                "too_few_advisers",
                {
                    "advisers": n,
                    "tables": T,
                    "min_size": problem.min_size,
                    "per_table": lo,
                    "needed": T * lo,
                },
                suggestions=_smaller_or_merge(problem, tables, n),
            )
        )
    if n > T * hi:
        found.append(
            Diagnostic(
                "too_many_advisers",
                {
                    "advisers": n,
                    "tables": T,
                    "max_size": problem.max_size,
                    "room": T * hi,
                },
                suggestions=(
                    Suggestion("larger_groups", {"max_size": -(-n // T) + 1}),
                    Suggestion("more_tables", {"count": -(-n // hi) - T}),
                ),
            )
        )
    if R > T:
        found.append(
            Diagnostic(
                "rounds_exceed_tables",
                {"rounds": R, "tables": T},
                suggestions=(Suggestion("fewer_rounds", {"rounds": T, "current": R}),),
            )
        )
    return found


def _adviser_languages(
    problem: Problem,
    tables: tuple[Table, ...],
    advisers: tuple[Adviser, ...],
    languages: list[str],
) -> list[Diagnostic]:
    """Advisers who can follow no table, or fewer tables than there are rounds.

    Such an adviser cannot be seated in every round whatever the others do, so each is
    named, with the language that would open the most tables to them.
    """
    found: list[Diagnostic] = []
    R, T = problem.rounds, len(tables)
    tables_per_language = Counter(t.language for t in tables)
    for adviser in advisers:
        reach = sum(tables_per_language[lang] for lang in adviser.languages)
        missing = sorted(
            (lang for lang in languages if lang not in adviser.languages),
            key=lambda lang: (-tables_per_language[lang], lang),
        )
        allow = tuple(
            Suggestion("allow_language", {"adviser": adviser.label, "language": lang})
            for lang in missing[:1]
        )
        if reach == 0:
            found.append(
                Diagnostic(
                    "adviser_language_unmatched",
                    {
                        "adviser": adviser.label,
                        "adviser_id": adviser.id,
                        "languages": _join(sorted(adviser.languages)) or "-",
                        "table_languages": _join(languages),
                    },
                    suggestions=allow,
                )
            )
        elif reach < R <= T:
            found.append(
                Diagnostic(
                    "adviser_too_few_tables",
                    {
                        "adviser": adviser.label,
                        "adviser_id": adviser.id,
                        "reachable": reach,
                        "languages": _join(sorted(adviser.languages)),
                        "rounds": R,
                    },
                    suggestions=(
                        Suggestion("fewer_rounds", {"rounds": reach, "current": R}),
                        *allow,
                    ),
                )
            )
    return found


def _table_languages(
    tables: tuple[Table, ...], speakers_per_language: Counter[str]
) -> list[Diagnostic]:
    """Tables held in a language nobody speaks, with the most spoken one instead.

    Reported per table, because the fix (changing the table's language) is per table.
    """
    most_spoken = sorted(
        speakers_per_language.items(), key=lambda item: (-item[1], item[0])
    )
    found: list[Diagnostic] = []
    for table in tables:
        if speakers_per_language[table.language] == 0:
            found.append(
                Diagnostic(
                    "table_language_unmatched",
                    {
                        "table": table.label,
                        "table_id": table.id,
                        "language": table.language,
                    },
                    suggestions=tuple(
                        Suggestion(
                            "change_table_language",
                            {"table": table.label, "language": lang, "speakers": count},
                        )
                        for lang, count in most_spoken[:1]
                    ),
                )
            )
    return found


def _language_groups(
    problem: Problem,
    tables: tuple[Table, ...],
    advisers: tuple[Adviser, ...],
    languages: list[str],
    unmatched_languages: set[str],
) -> list[Diagnostic]:
    """Hall conditions over every set of table languages, smallest sets first.

    Whether an adviser may sit at a table depends only on the table's language, so
    these conditions are exact for one round. A set that fails is reported once: its
    supersets are skipped, since they would only repeat the same shortage.
    """
    found: list[Diagnostic] = []
    reported: list[frozenset[str]] = []
    for size in range(1, len(languages) + 1):
        for subset in combinations(languages, size):
            group = frozenset(subset)
            if any(r <= group for r in reported):
                continue
            diagnostic = _language_group(
                problem, tables, advisers, languages, unmatched_languages, group
            )
            if diagnostic is not None:
                reported.append(group)
                found.append(diagnostic)
    return found


def _language_group(
    problem: Problem,
    tables: tuple[Table, ...],
    advisers: tuple[Adviser, ...],
    languages: list[str],
    unmatched_languages: set[str],
    group: frozenset[str],
) -> Diagnostic | None:
    """The first of three counting arguments that the tables held in ``group`` fail.

    In order: too few speakers for one round, too few possible visits over all rounds,
    too many advisers who speak nothing else. A finding that another check already
    makes (a lone language nobody speaks, too few or too many advisers overall, more
    rounds than tables) is not repeated for the group.
    """
    n, T, R = len(advisers), len(tables), problem.rounds
    lo = problem.min_size - 1
    everything = frozenset(languages)
    too_few = n < T * lo
    lone_unmatched = group <= unmatched_languages and len(group) == 1
    group_tables = [t for t in tables if t.language in group]
    speakers = [a for a in advisers if a.languages & group]
    label = _join(sorted(group))
    if len(speakers) < lo * len(group_tables) and not lone_unmatched:
        if too_few and group == everything:
            return None
        return _too_few_speakers(problem, group_tables, speakers, label)
    if (
        R > 1
        and not lone_unmatched
        and not (group == everything and (too_few or R > T))
    ):
        visits = _too_few_visits(problem, group_tables, speakers, label)
        if visits is not None:
            return visits
    if group == everything and n > T * (problem.max_size - 1):
        return None
    return _too_many_only_speakers(problem, group_tables, advisers, languages, group)


def _too_few_speakers(
    problem: Problem, group_tables: list[Table], speakers: list[Adviser], label: str
) -> Diagnostic:
    """In any one round, the group's tables need more advisers than speak the group."""
    lo = problem.min_size - 1
    count = len(group_tables)
    suggestions = list(_smaller_or_merge(problem, group_tables, len(speakers)))
    suggestions.append(
        Suggestion(
            "add_speakers",
            {"count": lo * count - len(speakers), "languages": label},
        )
    )
    return Diagnostic(
        "language_group_too_small",
        {
            "speakers": len(speakers),
            "languages": label,
            "tables": count,
            "needed": lo * count,
        },
        suggestions=tuple(suggestions),
    )


def _too_few_visits(
    problem: Problem, group_tables: list[Table], speakers: list[Adviser], label: str
) -> Diagnostic | None:
    """Over all rounds, the speakers cannot fill the group's tables without revisits.

    Nobody sits at a table twice, so an adviser fills at most min(R, their tables in
    the group) of the group's R * lo places; enough speakers for one round may still
    fall short over several.
    """
    R, lo = problem.rounds, problem.min_size - 1
    count = len(group_tables)
    reach = [
        sum(1 for t in group_tables if t.language in a.languages) for a in speakers
    ]
    possible = sum(min(R, k) for k in reach)
    if possible >= R * lo * count:
        return None
    fewer = max(
        (
            rounds
            for rounds in range(1, R)
            if sum(min(rounds, k) for k in reach) >= rounds * lo * count
        ),
        default=0,
    )
    suggestions: list[Suggestion] = []
    if fewer:
        suggestions.append(Suggestion("fewer_rounds", {"rounds": fewer, "current": R}))
    suggestions += _smaller_or_merge(problem, group_tables, possible // R)
    suggestions.append(
        Suggestion(
            "add_speakers",
            {
                # Each new speaker fills at most min(R, count) places.
                "count": -(-(R * lo * count - possible) // min(R, count)),
                "languages": label,
            },
        )
    )
    return Diagnostic(
        "language_visits_too_few",
        {
            "languages": label,
            "tables": count,
            "rounds": R,
            "needed": R * lo * count,
            "possible": possible,
        },
        suggestions=tuple(suggestions),
    )


def _too_many_only_speakers(
    problem: Problem,
    group_tables: list[Table],
    advisers: tuple[Adviser, ...],
    languages: list[str],
    group: frozenset[str],
) -> Diagnostic | None:
    """More advisers speak only the group's languages than its tables have room for.

    Those advisers cannot sit anywhere else, so in every round some would be left out
    or the tables over-full.
    """
    hi = problem.max_size - 1
    count = len(group_tables)
    label = _join(sorted(group))
    only = [
        a
        for a in advisers
        if a.languages & set(languages) and a.languages & set(languages) <= group
    ]
    if len(only) <= hi * count:
        return None
    return Diagnostic(
        "language_group_too_large",
        {
            "advisers": len(only),
            "languages": label,
            "tables": count,
            "room": hi * count,
        },
        suggestions=(
            Suggestion("larger_groups", {"max_size": -(-len(only) // count) + 1}),
            Suggestion("more_tables", {"count": -(-len(only) // hi) - count}),
        ),
    )


def _smaller_or_merge(
    problem: Problem, tables: list[Table] | tuple[Table, ...], people: int
) -> tuple[Suggestion, ...]:
    """Smaller groups, or fewer tables (naming which to merge), for ``people``."""
    lo = problem.min_size - 1
    count = len(tables)
    suggestions: list[Suggestion] = []
    if count and people // count >= 1:
        suggestions.append(
            Suggestion("smaller_groups", {"min_size": people // count + 1})
        )
    keep = max(1, people // lo)
    if keep < count:
        suggestions.append(
            Suggestion("fewer_tables", {"tables": keep, "current": count})
        )
        for first, second in _merge_pairs(tables, count - keep):
            suggestions.append(
                Suggestion(
                    "merge_tables",
                    {
                        "table": first.label,
                        "other_table": second.label,
                        "table_id": first.id,
                        "other_table_id": second.id,
                        "language": first.language,
                    },
                )
            )
    return tuple(suggestions)


def _merge_pairs(
    tables: list[Table] | tuple[Table, ...], wanted: int
) -> list[tuple[Table, Table]]:
    """Up to ``wanted`` disjoint pairs of tables held in the same language."""
    pairs: list[tuple[Table, Table]] = []
    waiting: dict[str, Table] = {}
    for table in tables:
        if len(pairs) >= wanted:
            break
        other = waiting.pop(table.language, None)
        if other is None:
            waiting[table.language] = table
        else:
            pairs.append((other, table))
    return pairs


def _absences(problem: Problem) -> list[Diagnostic]:
    found = []
    absent = problem.absent
    advisers = {a.id: a for a in problem.advisers}
    tables = {t.id: t for t in problem.tables}
    for table in problem.tables:
        if table.presenter_id in absent:
            found.append(
                Diagnostic(
                    "table_removed_absent",
                    {"table": table.label, "table_id": table.id},
                    level="info",
                )
            )
    for lock in problem.locks:
        adviser, table = advisers[lock.adviser_id], tables[lock.table_id]
        for person, gone in (
            (adviser.label, adviser.id in absent),
            (table.label, table.presenter_id in absent),
        ):
            if gone:
                found.append(
                    Diagnostic(
                        "lock_ignored_absent",
                        {
                            "adviser": adviser.label,
                            "table": table.label,
                            "round": lock.round,
                            "person": person,
                        },
                        level="info",
                    )
                )
                break
    return found


def _lock_conflicts(problem: Problem) -> list[Diagnostic]:
    found = []
    advisers: dict[object, Adviser] = {a.id: a for a in problem.advisers}
    tables: dict[object, Table] = {t.id: t for t in problem.tables}
    locks = problem.active_locks
    for lock in locks:
        adviser, table = advisers[lock.adviser_id], tables[lock.table_id]
        if table.language not in adviser.languages:
            found.append(
                Diagnostic(
                    "lock_language",
                    {
                        "adviser": adviser.label,
                        "table": table.label,
                        "round": lock.round,
                        "language": table.language,
                    },
                    suggestions=(_release(adviser, lock.round),),
                )
            )
    rounds_at: dict[tuple[object, object], list[int]] = {}
    per_table: Counter[tuple[object, int]] = Counter()
    for lock in locks:
        rounds_at.setdefault((lock.adviser_id, lock.table_id), []).append(lock.round)
        per_table[(lock.table_id, lock.round)] += 1
    for (adviser_id, table_id), rounds in rounds_at.items():
        if len(rounds) > 1:
            adviser = advisers[adviser_id]
            found.append(
                Diagnostic(
                    "lock_revisit",
                    {
                        "adviser": adviser.label,
                        "table": tables[table_id].label,
                        "rounds": _join([str(r) for r in sorted(rounds)]),
                    },
                    suggestions=(_release(adviser, max(rounds)),),
                )
            )
    for (table_id, round_), count in per_table.items():
        if count + 1 > problem.max_size:
            found.append(
                Diagnostic(
                    "lock_overfull",
                    {
                        "table": tables[table_id].label,
                        "round": round_,
                        "count": count,
                        "max_size": problem.max_size,
                    },
                )
            )
    return found


def _release(adviser: Adviser, round_: int) -> Suggestion:
    return Suggestion("release_lock", {"adviser": adviser.label, "round": round_})


def _join(items: list[str]) -> str:
    return ", ".join(items)
