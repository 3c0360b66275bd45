"""The search: a flow-repaired greedy construction, then simulated annealing.

Everything here works on integer indices (advisers ``0..n-1``, tables ``0..T-1``, rounds
``0..R-1``). Hard rules other than the language (sizes, no table twice) are counted in
"hard units" and priced by the annealing, so that the search can walk through a plan
that breaks one to reach a better plan that does not; the language rule and locks are
never broken by the search itself. All randomness comes from the ``random.Random``
passed in, and every loop runs over lists in a fixed order, so a seed always gives the
same plan.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable

from .evaluate import balanced_squares, key
from .models import Problem

# Share of annealing steps spent on chains. When every adviser must visit nearly every
# table (as many rounds as tables), a plain move or swap within a round always makes
# someone visit a table twice; exchanging tables between rounds along a cycle does not.
P_CHAIN = 0.2
# Temperature and hard-unit price schedule (multiples of the largest weight).
HOT = 0.3
COLD = 0.01
HARD_START = 1.0
HARD_RAMP = 0.8
# Attempts at colouring visit sets into rounds around locked places.
COLOUR_TRIES = 12


class Instance:
    """The problem, flattened into lists of integers and precomputed weights."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.tables = problem.active_tables
        self.advisers = problem.active_advisers
        n = self.n = len(self.advisers)
        T = self.T = len(self.tables)
        self.R = problem.rounds
        self.lo = problem.min_size - 1
        self.hi = problem.max_size - 1
        w = problem.weights
        self.w_rep = w.repeat
        self.w_imb = w.imbalance
        self.ok = [
            [t.language in a.languages for t in self.tables] for a in self.advisers
        ]
        self.ok_tables = [[t for t in range(T) if self.ok[a][t]] for a in range(n)]
        self.speakers = [[a for a in range(n) if self.ok[a][t]] for t in range(T)]
        orgs = [key(a.organisation) for a in self.advisers]
        cantons = [key(a.canton) for a in self.advisers]
        self.pair_w = [
            [
                0.0
                if a == b
                else (w.colleague if orgs[a] and orgs[a] == orgs[b] else 0.0)
                + (w.canton if cantons[a] and cantons[a] == cantons[b] else 0.0)
                for b in range(n)
            ]
            for a in range(n)
        ]
        p_orgs = [key(t.organisation) for t in self.tables]
        p_cantons = [key(t.canton) for t in self.tables]
        self.join_w = [
            [
                (w.presenter_organisation if orgs[a] and orgs[a] == p_orgs[t] else 0.0)
                + (w.canton if cantons[a] and cantons[a] == p_cantons[t] else 0.0)
                for t in range(T)
            ]
            for a in range(n)
        ]
        adviser_index = {a.id: i for i, a in enumerate(self.advisers)}
        table_index = {t.id: i for i, t in enumerate(self.tables)}
        self.lock = [[-1] * n for _ in range(self.R)]
        for lock in problem.active_locks:
            self.lock[lock.round - 1][adviser_index[lock.adviser_id]] = table_index[
                lock.table_id
            ]
        # One hard unit must outweigh any soft gain a single step can bring.
        per_person = (
            w.repeat + w.colleague + w.canton + w.presenter_organisation
        ) * max(problem.max_size, 2) + w.imbalance * 4 * max(problem.max_size, 2)
        self.big = 20.0 * per_person + 100.0
        self.max_weight = max(
            w.repeat, w.colleague, w.canton, w.presenter_organisation, w.imbalance, 1.0
        )


class State:
    """A full seating with the counters the incremental costs need."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self._clear()

    def _clear(self) -> None:
        n, T, R = self.inst.n, self.inst.T, self.inst.R
        self.seat = [[-1] * n for _ in range(R)]
        self.members: list[list[list[int]]] = [[[] for _ in range(T)] for _ in range(R)]
        self.meet = [[0] * n for _ in range(n)]
        self.visits = [[0] * T for _ in range(n)]

    def place(self, r: int, a: int, t: int) -> None:
        """Move adviser ``a`` to table ``t`` (or -1 for none) in round ``r``."""
        old = self.seat[r][a]
        if old == t:
            return
        meet = self.meet
        if old >= 0:
            group = self.members[r][old]
            group.remove(a)
            row = meet[a]
            for b in group:
                row[b] -= 1
                meet[b][a] -= 1
            self.visits[a][old] -= 1
        if t >= 0:
            group = self.members[r][t]
            row = meet[a]
            for b in group:
                row[b] += 1
                meet[b][a] += 1
            group.append(a)
            self.visits[a][t] += 1
        self.seat[r][a] = t

    def load(self, seat: list[list[int]]) -> None:
        for r, row in enumerate(seat):
            for a, t in enumerate(row):
                self.place(r, a, t)

    def reset_to(self, seat: list[list[int]]) -> None:
        """Replace the seating (and recount) with ``seat``."""
        self._clear()
        self.load(seat)

    def snapshot(self) -> list[list[int]]:
        return [row[:] for row in self.seat]

    def costs(self) -> tuple[float, int]:
        """(soft objective, hard units) computed from scratch."""
        inst = self.inst
        soft = 0.0
        hard = 0
        for r in range(inst.R):
            seated = 0
            squares = 0
            for t in range(inst.T):
                group = self.members[r][t]
                s = len(group)
                seated += s
                squares += s * s
                hard += max(0, inst.lo - s) + max(0, s - inst.hi)
                for i, a in enumerate(group):
                    soft += inst.join_w[a][t]
                    row = inst.pair_w[a]
                    for b in group[i + 1 :]:
                        soft += row[b]
            soft += inst.w_imb * (squares - balanced_squares(seated, inst.T))
        for a in range(inst.n):
            for b in range(a + 1, inst.n):
                m = self.meet[a][b]
                if m > 1:
                    soft += inst.w_rep * (m - 1)
            for t in range(inst.T):
                if self.visits[a][t] > 1:
                    hard += self.visits[a][t] - 1
        return soft, hard


# -- construction ----------------------------------------------------------------------


def construct(inst: Instance, rng: random.Random, *, greedy: bool = True) -> State:
    """A first plan: round after round (greedy on the soft costs), or if that breaks a
    rule, by visit sets and edge colouring (without locks, this finds a rule-abiding
    plan whenever one exists).

    With ``greedy=False`` every choice is random: that is the "random valid rotation"
    the benchmark compares against.
    """
    st = construct_by_rounds(inst, rng, greedy=greedy)
    if st.costs()[1] == 0:
        return st
    return construct_by_colouring(inst, rng, greedy=greedy) or st


def construct_by_colouring(
    inst: Instance, rng: random.Random, *, greedy: bool = True
) -> State | None:
    """Choose which tables each adviser visits, then in which round.

    1. Visit sets: each adviser picks R distinct tables they speak so that every table
       gets between ``lo * R`` and ``hi * R`` visits in all. This is a flow with bounds:
       a greedy choice, then augmenting paths (exact: it succeeds whenever any plan
       keeps the rules, since a plan's visits are such sets).
    2. Rounds: split each table's visitors into chunks of R ("copies" of the table) and
       colour the adviser-copy edges with R colours so that no adviser and no copy has
       a colour twice (a bipartite graph of maximum degree R has such a colouring, by
       Konig's theorem, found with alternating paths). Colour = round. Every adviser
       gets one table per round, never the same twice, and a table with d visits gets
       floor(d / R) or ceil(d / R) advisers in each round: within the bounds.

    Locked places are fixed visits with a fixed colour; the colouring then avoids
    recolouring them, which may fail. Returns None when an adviser speaks fewer than R
    tables' languages, when no visit sets exist (the instance is infeasible) or when
    the locks cannot be kept this way; the caller then seats round after round.
    """
    R = inst.R
    people = [a for a in range(inst.n) if inst.ok_tables[a]]
    if not people or any(len(inst.ok_tables[a]) < R for a in people):
        return None
    locked = _locked_visits(inst)
    if locked is None:
        return None
    chosen, fixed, load = locked
    _choose_visits(inst, rng, people, chosen, fixed, load, greedy=greedy)
    if not _repair_visits(inst, chosen, fixed, load, people, inst.lo * R, inst.hi * R):
        return None
    # Without locks the colouring always succeeds; with them it depends on the order
    # in which edges are coloured, so it gets a few tries.
    for _ in range(COLOUR_TRIES):
        seat = _colour(inst, rng, chosen)
        if seat is not None:
            break
    else:
        return None
    st = State(inst)
    st.load(seat)
    return st


def _locked_visits(
    inst: Instance,
) -> tuple[list[list[int]], list[set[int]], list[int]] | None:
    """Visit sets and table loads holding just the locked places, or None if two locks
    send an adviser to one table or a lock is at a table they do not speak.

    Locked visits are chosen first so that the free choice and the repair work around
    them: ``fixed`` marks them as visits that may not be moved.
    """
    chosen: list[list[int]] = [[] for _ in range(inst.n)]
    fixed: list[set[int]] = [set() for _ in range(inst.n)]
    load = [0] * inst.T
    for r in range(inst.R):
        for a, t in enumerate(inst.lock[r]):
            if t < 0:
                continue
            if t in fixed[a] or not inst.ok[a][t]:
                return None
            fixed[a].add(t)
            chosen[a].append(t)
            load[t] += 1
    return chosen, fixed, load


def _choose_visits(
    inst: Instance,
    rng: random.Random,
    people: list[int],
    chosen: list[list[int]],
    fixed: list[set[int]],
    load: list[int],
    *,
    greedy: bool,
) -> None:
    """Complete each adviser's visit set, in random order, with tables that have room.

    Greedy: cheapest tables first (presenter and canton weights, then the tables least
    visited so far, with a little noise to break ties); otherwise in random order. An
    adviser may be left short, or a table below its minimum: the repair sees to that.
    """
    R, hi = inst.R, inst.hi * inst.R
    order = people[:]
    rng.shuffle(order)
    for a in order:
        cands = [t for t in inst.ok_tables[a] if load[t] < hi and t not in fixed[a]]
        if greedy:
            join = inst.join_w[a]
            cands.sort(key=lambda t: join[t] + inst.w_imb * load[t] / R + rng.random())
        else:
            rng.shuffle(cands)
        for t in cands[: R - len(chosen[a])]:
            chosen[a].append(t)
            load[t] += 1


def _repair_visits(
    inst: Instance,
    chosen: list[list[int]],
    fixed: list[set[int]],
    load: list[int],
    people: list[int],
    lo: int,
    hi: int,
) -> bool:
    """Augmenting paths until every adviser has R tables and every load is in bounds.

    Each path is found first and then applied visit by visit, from its far end back to
    where it starts, so that no table goes above ``hi`` or below ``lo`` on the way.
    """
    visitors: list[list[int]] = [[] for _ in range(inst.T)]
    for a in people:
        for t in chosen[a]:
            visitors[t].append(a)

    def shift(x: int, old: int, new: int) -> None:
        if old >= 0:
            chosen[x].remove(old)
            visitors[old].remove(x)
            load[old] -= 1
        chosen[x].append(new)
        visitors[new].append(x)
        load[new] += 1

    for a in people:
        while len(chosen[a]) < inst.R:
            path = _path_to_room(inst, chosen, fixed, load, visitors, a, hi)
            if path is None:
                return False
            for x, old, new in path:
                shift(x, old, new)
    for t0 in range(inst.T):
        while load[t0] < lo:
            path = _path_from_surplus(inst, chosen, fixed, load, t0, lo)
            if path is None:
                return False
            for x, old, new in path:
                shift(x, old, new)
    return True


def _path_to_room(
    inst: Instance,
    chosen: list[list[int]],
    fixed: list[set[int]],
    load: list[int],
    visitors: list[list[int]],
    a: int,
    hi: int,
) -> list[tuple[int, int, int]] | None:
    """Shifts (adviser, old table or -1, new table) that give ``a`` one more visit.

    Breadth first: a -> t1 (full) -> x1 moves on -> t2 ... -> a table with room, so
    the loads stay at most ``hi``. None if no table with room can be reached.
    """
    parent: dict[int, tuple[int, int]] = {}
    used = {a}
    queue: deque[int] = deque()
    for t in inst.ok_tables[a]:
        if t not in chosen[a]:
            parent[t] = (-1, a)
            queue.append(t)
    end = -1
    while queue:
        t = queue.popleft()
        if load[t] < hi:
            end = t
            break
        for x in visitors[t]:
            if x in used or t in fixed[x]:
                continue
            used.add(x)
            for t2 in inst.ok_tables[x]:
                if t2 not in parent and t2 not in chosen[x]:
                    parent[t2] = (t, x)
                    queue.append(t2)
    if end < 0:
        return None
    path = []
    while end >= 0:
        prev, x = parent[end]
        path.append((x, prev, end))
        end = prev
    return path


def _path_from_surplus(
    inst: Instance,
    chosen: list[list[int]],
    fixed: list[set[int]],
    load: list[int],
    t0: int,
    lo: int,
) -> list[tuple[int, int, int]] | None:
    """Shifts (adviser, old table, new table) that give table ``t0`` one more visit.

    Breadth first: t0 <- x1 leaves t1 <- x2 leaves t2 ... <- a table above its
    minimum, so the loads stay at least ``lo``. None if there is no such table.
    """
    back: dict[int, tuple[int, int] | None] = {t0: None}
    used: set[int] = set()
    queue = deque([t0])
    found: tuple[int, int, int] | None = None
    while queue and found is None:
        t = queue.popleft()
        for x in inst.speakers[t]:
            if x in used or t in chosen[x] or not inst.ok[x][t]:
                continue
            used.add(x)
            for t1 in chosen[x]:
                if t1 in back or t1 in fixed[x]:
                    continue
                if load[t1] > lo:
                    found = (x, t1, t)
                    break
                back[t1] = (t, x)
                queue.append(t1)
            if found is not None:
                break
    if found is None:
        return None
    x, t1, t = found
    path = [(x, t1, t)]
    link = back[t]
    while link is not None:
        t_next, y = link
        path.append((y, t, t_next))
        t = t_next
        link = back[t]
    return path


def _colour(
    inst: Instance, rng: random.Random, chosen: list[list[int]]
) -> list[list[int]] | None:
    """Rounds from visit sets by a proper R-edge-colouring (see construct_by_colouring).

    Returns None if locked places cannot be kept.
    """
    n, R = inst.n, inst.R
    locked_colour: dict[tuple[int, int], int] = {}
    for r in range(R):
        for a, t in enumerate(inst.lock[r]):
            if t >= 0:
                locked_colour[a, t] = r
    copies = _split_into_copies(inst, rng, chosen, locked_colour)
    if copies is None:
        return None
    copy_table, copy_of = copies
    left = _colour_edges(inst, rng, locked_colour, copy_table, copy_of)
    if left is None:
        return None
    seat = [[-1] * n for _ in range(R)]
    for a in range(n):
        for colour, c in left[a].items():
            seat[colour][a] = copy_table[c]
    return seat


def _split_into_copies(
    inst: Instance,
    rng: random.Random,
    chosen: list[list[int]],
    locked_colour: dict[tuple[int, int], int],
) -> tuple[list[int], dict[tuple[int, int], int]] | None:
    """Split each table's visitors, in random order, into copies of at most R.

    A copy has one seat per round, so a table whose visits are spread this way gets as
    even a number of advisers in every round as it can. Returns the table of each copy
    and the copy of each visit (adviser, table); None if a table's locked visits
    cannot be spread so that no copy holds two of one round.
    """
    R = inst.R
    copy_table: list[int] = []
    copy_of: dict[tuple[int, int], int] = {}
    for t in range(inst.T):
        visitors = [a for a in range(inst.n) if t in chosen[a]]
        if not visitors:
            continue
        rng.shuffle(visitors)
        first = len(copy_table)
        count = -(-len(visitors) // R)
        # All copies but the last take R visitors: floor(d / R) of them are full.
        room = [R] * (count - 1) + [len(visitors) - R * (count - 1)]
        copy_table += [t] * count
        # A locked visit keeps its round, so no copy may get two of one round.
        colours: list[set[int]] = [set() for _ in range(count)]
        locked = [a for a in visitors if (a, t) in locked_colour]
        for a in locked:
            colour = locked_colour[a, t]
            for k in range(count):
                if room[k] and colour not in colours[k]:
                    room[k] -= 1
                    colours[k].add(colour)
                    copy_of[a, t] = first + k
                    break
            else:
                return None
        k = 0
        for a in visitors:
            if (a, t) in locked_colour:
                continue
            while not room[k]:
                k += 1
            room[k] -= 1
            copy_of[a, t] = first + k
    return copy_table, copy_of


def _colour_edges(
    inst: Instance,
    rng: random.Random,
    locked_colour: dict[tuple[int, int], int],
    copy_table: list[int],
    copy_of: dict[tuple[int, int], int],
) -> list[dict[int, int]] | None:
    """Colour the adviser-copy edges with R colours, none twice at one vertex.

    Locked edges get their round first and are never recoloured; the others are
    coloured in random order, each with a colour free at both ends if there is one,
    else after freeing one by an alternating path. Returns, for each adviser, colour
    -> copy; None if every such path would recolour a locked edge.
    """
    left: list[dict[int, int]] = [{} for _ in range(inst.n)]  # colour -> copy
    right: list[dict[int, int]] = [{} for _ in copy_table]  # colour -> adviser
    frozen: set[tuple[int, int]] = set()  # (adviser, copy) edges with a locked colour
    for (a, t), colour in sorted(locked_colour.items()):
        c = copy_of[a, t]
        left[a][colour] = c
        right[c][colour] = a
        frozen.add((a, c))
    edges = [(a, c) for (a, _), c in copy_of.items() if (a, c) not in frozen]
    rng.shuffle(edges)
    for a, c in edges:
        free_a = [col for col in range(inst.R) if col not in left[a]]
        common = [col for col in free_a if col not in right[c]]
        if common:
            colour = common[int(rng.random() * len(common))]
        else:
            freed = _free_colour(inst.R, rng, left, right, frozen, c, free_a)
            if freed is None:
                return None
            colour = freed
        left[a][colour] = c
        right[c][colour] = a
    return left


def _free_colour(
    R: int,
    rng: random.Random,
    left: list[dict[int, int]],
    right: list[dict[int, int]],
    frozen: set[tuple[int, int]],
    c: int,
    free_a: list[int],
) -> int | None:
    """Make a colour free at adviser and copy ``c`` alike; return it, or None.

    Some alpha is free at the adviser and some beta at ``c`` (both have fewer than R
    edges); swapping alpha and beta along the alternating path from ``c`` frees alpha
    at ``c``, unless the path holds a locked edge. The pairs are tried in random order.
    """
    free_c = [col for col in range(R) if col not in right[c]]
    pairs = [(alpha, beta) for alpha in free_a for beta in free_c]
    rng.shuffle(pairs)
    for alpha, beta in pairs:
        path = _alternating_path(left, right, c, alpha, beta)
        if not any((x, y) in frozen for x, y, _ in path):
            break
    else:
        return None
    # Swap alpha and beta along the path: it cannot reach the adviser (bipartite
    # parity), so alpha becomes free at c and stays free at the adviser.
    for x, y, col in path:
        del left[x][col]
        del right[y][col]
    for x, y, col in path:
        new = beta if col == alpha else alpha
        left[x][new] = y
        right[y][new] = x
    return alpha


def _alternating_path(
    left: list[dict[int, int]],
    right: list[dict[int, int]],
    c: int,
    alpha: int,
    beta: int,
) -> list[tuple[int, int, int]]:
    """Edges (adviser, copy, colour) of the path from copy ``c`` whose colours
    alternate alpha, beta, alpha..."""
    path: list[tuple[int, int, int]] = []
    v, on_right, col = c, True, alpha
    while True:
        if on_right:
            u = right[v].get(col)
            if u is None:
                return path
            path.append((u, v, col))
        else:
            u = left[v].get(col)
            if u is None:
                return path
            path.append((v, u, col))
        v, on_right, col = u, not on_right, beta if col == alpha else alpha


def construct_by_rounds(
    inst: Instance, rng: random.Random, *, greedy: bool = True
) -> State:
    """Seat round after round, then repair each round's sizes with augmenting paths.

    Used when places are locked (the colouring cannot keep them), and for the best
    effort on infeasible instances.
    """
    st = State(inst)
    for r in range(inst.R):
        lock = inst.lock[r]
        for a in range(inst.n):
            if lock[a] >= 0:
                st.place(r, a, lock[a])
        order = [a for a in range(inst.n) if lock[a] < 0]
        rng.shuffle(order)
        members = st.members[r]
        for a in order:
            visits = st.visits[a]
            candidates = [
                t
                for t in inst.ok_tables[a]
                if visits[t] == 0 and len(members[t]) < inst.hi
            ]
            if not candidates:
                continue
            if greedy:
                t = min(candidates, key=lambda t: _join_cost(inst, st, r, a, t, rng))
            else:
                t = candidates[rng.randrange(len(candidates))]
            st.place(r, a, t)
        repair_round(inst, st, r)
    return st


def _join_cost(
    inst: Instance, st: State, r: int, a: int, t: int, rng: random.Random
) -> float:
    group = st.members[r][t]
    meet = st.meet[a]
    pair = inst.pair_w[a]
    cost = inst.join_w[a][t] + inst.w_imb * (2 * len(group) + 1)
    for b in group:
        cost += pair[b]
        if meet[b]:
            cost += inst.w_rep
    return cost + rng.random() * 1e-3


def repair_round(inst: Instance, st: State, r: int) -> None:
    """Bring round ``r`` within the size bounds if the other rounds allow it.

    First every adviser gets a table (augmenting paths towards a table with room), then
    every table below the minimum gets people (paths back to a table above it). A path
    only moves advisers to tables they speak and have not visited in another round; if
    none exists, a second pass allows revisits (the annealing removes them later), and
    an adviser still without a table is put at the emptiest table they can speak.
    """
    for strict in (True, False):
        if _repair(inst, st, r, strict):
            return
    for a in range(inst.n):
        if st.seat[r][a] < 0 and inst.lock[r][a] < 0 and inst.ok_tables[a]:
            t = min(inst.ok_tables[a], key=lambda t: len(st.members[r][t]))
            st.place(r, a, t)


def _repair(inst: Instance, st: State, r: int, strict: bool) -> bool:
    """One pass of :func:`repair_round`; True if round ``r`` ends within the bounds.

    ``strict`` forbids moving an adviser to a table they sit at in another round.
    """
    seat = st.seat[r]
    lock = inst.lock[r]
    visits = st.visits
    ok = inst.ok

    def allowed(x: int, t: int) -> bool:
        if not ok[x][t] or lock[x] >= 0:
            return False
        return not strict or visits[x][t] - (seat[x] == t) == 0

    done = True
    for a in range(inst.n):
        if seat[a] >= 0 or lock[a] >= 0 or not inst.ok_tables[a]:
            continue
        path = _path_to_seat(inst, st, r, a, allowed)
        if path is None:
            done = False
            continue
        for x, t in path:
            st.place(r, x, t)

    for t0 in range(inst.T):
        while len(st.members[r][t0]) < inst.lo:
            path = _path_to_fill(inst, st, r, t0, allowed)
            if path is None:
                done = False
                break
            for x, t in path:
                st.place(r, x, t)
    return done


def _path_to_seat(
    inst: Instance,
    st: State,
    r: int,
    a: int,
    allowed: Callable[[int, int], bool],
) -> list[tuple[int, int]] | None:
    """Places (adviser, table) in round ``r`` that seat ``a``, who has no table.

    Breadth first from the tables ``a`` may take, through full tables whose advisers
    may move on, to a table with room; the places go from that table back to ``a``, so
    that no table is ever above the maximum. None if no table with room is reachable.
    """
    members = st.members[r]
    lock = inst.lock[r]
    parent: dict[int, tuple[int, int]] = {}
    queue: deque[int] = deque()
    for t in inst.ok_tables[a]:
        if allowed(a, t):
            parent[t] = (-1, a)
            queue.append(t)
    end = -1
    while queue:
        t = queue.popleft()
        if len(members[t]) < inst.hi:
            end = t
            break
        for x in members[t]:
            if lock[x] >= 0:
                continue
            for t2 in inst.ok_tables[x]:
                if t2 not in parent and allowed(x, t2):
                    parent[t2] = (t, x)
                    queue.append(t2)
    if end < 0:
        return None
    path = []
    while end >= 0:
        prev, x = parent[end]
        path.append((x, end))
        end = prev
    return path


def _path_to_fill(
    inst: Instance,
    st: State,
    r: int,
    t0: int,
    allowed: Callable[[int, int], bool],
) -> list[tuple[int, int]] | None:
    """Places (adviser, table) in round ``r`` that bring one more adviser to ``t0``.

    Breadth first from ``t0`` back through tables that cannot spare anyone, whose
    advisers would move on to the previous one, to an adviser without a table or at a
    table above the minimum. None if there is none.
    """
    seat = st.seat[r]
    members = st.members[r]
    lock = inst.lock[r]
    parent: dict[int, tuple[int, int] | None] = {t0: None}
    queue = deque([t0])
    found: tuple[int, int, int] | None = None
    while queue and found is None:
        t = queue.popleft()
        for x in inst.speakers[t]:
            tx = seat[x]
            if tx == t or lock[x] >= 0 or (tx >= 0 and tx in parent):
                continue
            if not allowed(x, t):
                continue
            if tx < 0 or len(members[tx]) > inst.lo:
                found = (x, tx, t)
                break
            parent[tx] = (t, x)
            queue.append(tx)
    if found is None:
        return None
    x, _, t = found
    path = [(x, t)]
    link = parent[t]
    while link is not None:
        t_next, y = link
        path.append((y, t_next))
        link = parent[t_next]
    return path


# -- annealing -------------------------------------------------------------------------


def anneal(
    inst: Instance,
    st: State,
    rng: random.Random,
    iterations: int,
    *,
    deadline: float | None = None,
) -> None:
    """Simulated annealing over moves, swaps and chains; keeps the best seating.

    The temperature falls geometrically from ``0.3 * max weight`` to ``0.01 * max
    weight`` over the fixed number of iterations, so the schedule (and the result)
    depends on the seed only. Hard units are priced low at first, so that the search
    can pass through a plan that breaks a rule to reach a better one, then ever higher
    until, over the last fifth of the run, they outweigh any soft gain; the best plan
    kept is the one with the fewest hard units, then the lowest soft cost.
    ``deadline`` (a ``time.monotonic()`` value) is a safety cap; reaching it makes the
    result depend on the machine.
    """
    movable = [
        [a for a in range(inst.n) if inst.lock[r][a] < 0 and st.seat[r][a] >= 0]
        for r in range(inst.R)
    ]
    rounds = [r for r in range(inst.R) if movable[r]]
    if not rounds or iterations <= 0:
        return
    soft, hard = st.costs()
    best = (hard, soft)
    best_seat = st.snapshot()
    temp, cooling, hw, hw_growth, ramp = _schedule(inst, iterations)
    random_ = rng.random
    n_rounds = len(rounds)
    # Chains matter when advisers visit most tables; elsewhere they cost time.
    p_chain = P_CHAIN if 2 * inst.R >= inst.T else P_CHAIN / 4

    for it in range(iterations):
        temp *= cooling
        if it < ramp:
            hw *= hw_growth
        else:
            hw = inst.big
        if deadline is not None and not it & 1023 and time.monotonic() > deadline:
            break
        r = rounds[int(random_() * n_rounds)] if n_rounds > 1 else rounds[0]
        mv = movable[r]
        a = mv[int(random_() * len(mv))]
        if inst.R > 1 and random_() < p_chain:
            change = _step_between_rounds(inst, st, rng, r, a, hw, temp)
        else:
            change = _step_within_round(inst, st, rng, r, a, hw, temp)
        if change is None:
            continue
        soft += change[0]
        hard += change[1]
        if hard < best[0] or (hard == best[0] and soft < best[1] - 1e-9):
            best = (hard, soft)
            best_seat = st.snapshot()
    if (hard, soft) != best:
        st.reset_to(best_seat)


def _schedule(
    inst: Instance, iterations: int
) -> tuple[float, float, float, float, int]:
    """(temperature, its factor per step, hard-unit price, its factor per step, steps
    until the price reaches ``inst.big``) at the start of a run of ``iterations``.

    Both fall (or rise) geometrically, so that each spends as many steps on every
    order of magnitude: the factors depend only on the weights and ``iterations``.
    """
    t_start = HOT * inst.max_weight
    t_end = COLD * inst.max_weight
    cooling = (t_end / t_start) ** (1.0 / iterations)
    hw_start = HARD_START * inst.max_weight
    ramp = max(1, int(iterations * HARD_RAMP))
    hw_growth = (inst.big / hw_start) ** (1.0 / ramp)
    return t_start, cooling, hw_start, hw_growth, ramp


def _accept(d: float, temp: float, random_: Callable[[], float]) -> bool:
    """The Metropolis rule: always take a step that costs nothing, a dearer one with
    probability exp(-d / temp). The random number is drawn only in the second case,
    which keeps the sequence of draws (and so the plan) the same for a seed."""
    return d <= 0 or random_() < math.exp(-d / temp)


def _step_between_rounds(
    inst: Instance,
    st: State,
    rng: random.Random,
    r: int,
    a: int,
    hw: float,
    temp: float,
) -> tuple[float, int] | None:
    """A step that exchanges tables between rounds: a chain, or a swap with repairs.

    Either keeps the table sizes of each round where a plain move could not, which is
    what lets the search through plans in which everyone visits nearly every table.
    Returns the change of soft cost and hard units if the step is taken (the seating
    then holds it), None if it is not.
    """
    random_ = rng.random
    # The other round is drawn for both kinds, though only chains use it.
    r2 = int(random_() * (inst.R - 1))
    if r2 >= r:
        r2 += 1
    if random_() < 0.5:
        ops = _chain(inst, st, rng, r, r2, a)
        if ops is None:
            return None
        ds, h = _apply(inst, st, ops)
    else:
        found = _swap_repair(inst, st, rng, r, a)
        if found is None:
            return None
        ops, ds, h = found
    if _accept(ds + hw * h, temp, random_):
        return ds, h
    _undo(st, ops)
    return None


def _step_within_round(
    inst: Instance,
    st: State,
    rng: random.Random,
    r: int,
    a: int,
    hw: float,
    temp: float,
) -> tuple[float, int] | None:
    """A step in round ``r``: move ``a`` to another table, or swap with someone there.

    Mostly swaps, which keep the sizes; a move when the other table is empty or about
    a third of the time. Returns the change of soft cost and hard units if the step is
    taken (the seating then holds it), None if it is not.
    """
    random_ = rng.random
    cands = inst.ok_tables[a]
    if len(cands) < 2:
        return None
    t2 = cands[int(random_() * len(cands))]
    t1 = st.seat[r][a]
    if t2 == t1:
        return None
    g2 = st.members[r][t2]
    if random_() < 0.35 or not g2:
        ds, h = _step_move_delta(inst, st, r, a, t1, t2)
        if not _accept(ds + hw * h, temp, random_):
            return None
        st.place(r, a, t2)
        return ds, h
    b = g2[int(random_() * len(g2))]
    if inst.lock[r][b] >= 0 or not inst.ok[b][t1]:
        return None
    ds, h = _step_swap_delta(inst, st, r, a, b, t1, t2)
    if not _accept(ds + hw * h, temp, random_):
        return None
    st.place(r, a, t2)
    st.place(r, b, t1)
    return ds, h


def _step_move_delta(
    inst: Instance, st: State, r: int, a: int, t1: int, t2: int
) -> tuple[float, int]:
    """What moving ``a`` from ``t1`` to ``t2`` in round ``r`` would change.

    The same quantity as :func:`_move_delta`, summed term by term rather than in
    pairs: the annealing compares the sum with a random threshold, so summing in
    another order would round differently and change the plan a seed gives.
    """
    g1 = st.members[r][t1]
    g2 = st.members[r][t2]
    row = st.meet[a]
    pw = inst.pair_w[a]
    va = st.visits[a]
    w_rep = inst.w_rep
    ds = inst.join_w[a][t2] - inst.join_w[a][t1]
    for b in g1:
        if b != a:
            ds -= pw[b]
            if row[b] >= 2:
                ds -= w_rep
    for b in g2:
        ds += pw[b]
        if row[b] >= 1:
            ds += w_rep
    s1, s2 = len(g1), len(g2)
    ds += inst.w_imb * (2 * (s2 - s1) + 2)
    h = 0
    if s1 <= inst.lo:
        h += 1
    elif s1 > inst.hi:
        h -= 1
    if s2 >= inst.hi:
        h += 1
    elif s2 < inst.lo:
        h -= 1
    if va[t1] >= 2:
        h -= 1
    if va[t2] >= 1:
        h += 1
    return ds, h


def _step_swap_delta(
    inst: Instance, st: State, r: int, a: int, b: int, t1: int, t2: int
) -> tuple[float, int]:
    """What swapping ``a`` (at ``t1``) and ``b`` (at ``t2``) in round ``r`` would
    change: :func:`_swap_delta`, summed term by term as in :func:`_step_move_delta`."""
    g1 = st.members[r][t1]
    g2 = st.members[r][t2]
    row = st.meet[a]
    pw = inst.pair_w[a]
    rowb = st.meet[b]
    pwb = inst.pair_w[b]
    w_rep = inst.w_rep
    ja = inst.join_w[a]
    jb = inst.join_w[b]
    ds = ja[t2] - ja[t1] + jb[t1] - jb[t2]
    for c in g1:
        if c != a:
            ds -= pw[c]
            if row[c] >= 2:
                ds -= w_rep
            ds += pwb[c]
            if rowb[c] >= 1:
                ds += w_rep
    for c in g2:
        if c != b:
            ds -= pwb[c]
            if rowb[c] >= 2:
                ds -= w_rep
            ds += pw[c]
            if row[c] >= 1:
                ds += w_rep
    va = st.visits[a]
    vb = st.visits[b]
    h = 0
    if va[t1] >= 2:
        h -= 1
    if va[t2] >= 1:
        h += 1
    if vb[t2] >= 2:
        h -= 1
    if vb[t1] >= 1:
        h += 1
    return ds, h


def descend(inst: Instance, st: State, max_passes: int = 50) -> None:
    """First-improvement descent over every move and swap, in a fixed order."""
    R, lo, hi = inst.R, inst.lo, inst.hi
    big = inst.big
    for _ in range(max_passes):
        improved = False
        for r in range(R):
            for a in range(inst.n):
                if inst.lock[r][a] >= 0 or st.seat[r][a] < 0:
                    continue
                for t2 in inst.ok_tables[a]:
                    t1 = st.seat[r][a]
                    if t2 == t1:
                        continue
                    ds, dh = _move_delta(inst, st, r, a, t1, t2, lo, hi)
                    if ds + big * dh < -1e-9:
                        st.place(r, a, t2)
                        improved = True
                        continue
                    for b in list(st.members[r][t2]):
                        if inst.lock[r][b] >= 0 or not inst.ok[b][t1]:
                            continue
                        ds, dh = _swap_delta(inst, st, r, a, b, t1, t2)
                        if ds + big * dh < -1e-9:
                            st.place(r, a, t2)
                            st.place(r, b, t1)
                            improved = True
                            break
        if R > 1 and _descend_chains(inst, st):
            improved = True
        if not improved:
            return


def _descend_chains(inst: Instance, st: State) -> bool:
    """One pass of single exchanges and 2-cycles between every pair of rounds."""
    improved = False
    seat, lock = st.seat, inst.lock
    for r1 in range(inst.R):
        for r2 in range(r1 + 1, inst.R):
            for a in range(inst.n):
                if lock[r1][a] >= 0 or lock[r2][a] >= 0:
                    continue
                t1, t2 = seat[r1][a], seat[r2][a]
                if t1 < 0 or t2 < 0 or t1 == t2:
                    continue
                single = [(r1, a, t2, t1), (r2, a, t1, t2)]
                if _gain(inst, st, single):
                    improved = True
                    continue
                _undo(st, single)
                for b in list(st.members[r1][t2]):
                    if lock[r1][b] >= 0 or lock[r2][b] >= 0 or seat[r2][b] != t1:
                        continue
                    ops = [*single, (r1, b, t1, t2), (r2, b, t2, t1)]
                    if _gain(inst, st, ops):
                        improved = True
                        break
                    _undo(st, ops)
    return improved


def _move_delta(
    inst: Instance,
    st: State,
    r: int,
    a: int,
    t1: int,
    t2: int,
    lo: int,
    hi: int,
) -> tuple[float, int]:
    g1, g2 = st.members[r][t1], st.members[r][t2]
    row, pw, w_rep = st.meet[a], inst.pair_w[a], inst.w_rep
    d = inst.join_w[a][t2] - inst.join_w[a][t1]
    for b in g1:
        if b != a:
            d -= pw[b] + (w_rep if row[b] >= 2 else 0.0)
    for b in g2:
        d += pw[b] + (w_rep if row[b] >= 1 else 0.0)
    s1, s2 = len(g1), len(g2)
    d += inst.w_imb * (2 * (s2 - s1) + 2)
    h = (1 if s1 <= lo else -1 if s1 > hi else 0) + (
        1 if s2 >= hi else -1 if s2 < lo else 0
    )
    h += (-1 if st.visits[a][t1] >= 2 else 0) + (1 if st.visits[a][t2] >= 1 else 0)
    return d, h


def _swap_delta(
    inst: Instance, st: State, r: int, a: int, b: int, t1: int, t2: int
) -> tuple[float, int]:
    g1, g2 = st.members[r][t1], st.members[r][t2]
    ra, rb, w_rep = st.meet[a], st.meet[b], inst.w_rep
    pa, pb = inst.pair_w[a], inst.pair_w[b]
    d = (
        inst.join_w[a][t2]
        - inst.join_w[a][t1]
        + inst.join_w[b][t1]
        - inst.join_w[b][t2]
    )
    for c in g1:
        if c != a:
            d += -pa[c] - (w_rep if ra[c] >= 2 else 0.0)
            d += pb[c] + (w_rep if rb[c] >= 1 else 0.0)
    for c in g2:
        if c != b:
            d += -pb[c] - (w_rep if rb[c] >= 2 else 0.0)
            d += pa[c] + (w_rep if ra[c] >= 1 else 0.0)
    va, vb = st.visits[a], st.visits[b]
    h = (-1 if va[t1] >= 2 else 0) + (1 if va[t2] >= 1 else 0)
    h += (-1 if vb[t2] >= 2 else 0) + (1 if vb[t1] >= 1 else 0)
    return d, h


# -- chains: advisers exchanging their tables between two rounds -----------------------

Op = tuple[int, int, int, int]  # round, adviser, new table, old table


def _chain(
    inst: Instance, st: State, rng: random.Random, r1: int, r2: int, a: int
) -> list[Op] | None:
    """Advisers whose tables in rounds ``r1`` and ``r2`` are exchanged together.

    Alone, ``a`` changes two tables' sizes in both rounds; a second adviser doing the
    opposite exchange (a 2-cycle), or two others closing a 3-cycle, keep every size.
    """
    seat, lock = st.seat, inst.lock
    t1, t2 = seat[r1][a], seat[r2][a]
    if t1 < 0 or t2 < 0 or t1 == t2 or lock[r2][a] >= 0:
        return None
    ops = [(r1, a, t2, t1), (r2, a, t1, t2)]
    if rng.random() < 0.25:
        return ops
    group = st.members[r1][t2]
    size = len(group)
    if not size:
        return None
    start = int(rng.random() * size)

    def free(x: int) -> bool:
        return lock[r1][x] < 0 and lock[r2][x] < 0

    for k in range(size):
        b = group[(start + k) % size]
        if free(b) and seat[r2][b] == t1:
            return [*ops, (r1, b, t1, t2), (r2, b, t2, t1)]
    for k in range(size):
        b = group[(start + k) % size]
        x = seat[r2][b]
        if not free(b) or x < 0 or x in (t1, t2):
            continue
        for c in st.members[r1][x]:
            if c != a and free(c) and seat[r2][c] == t1:
                return [
                    *ops,
                    (r1, b, x, t2),
                    (r2, b, t2, x),
                    (r1, c, t1, x),
                    (r2, c, x, t1),
                ]
    return None


def _swap_repair(
    inst: Instance, st: State, rng: random.Random, r: int, a: int
) -> tuple[list[Op], float, int] | None:
    """Swap ``a`` with someone at another table in round ``r``, then repair the visits
    that makes double: each of the two, if they now sit at a table twice, swaps in that
    other round with someone who has not been there. Returns the applied ops and the
    change of soft cost and hard units."""
    seat, lock, ok = st.seat, inst.lock, inst.ok
    t1 = seat[r][a]
    cands = inst.ok_tables[a]
    t2 = cands[int(rng.random() * len(cands))]
    group = st.members[r][t2]
    if t2 == t1 or not group:
        return None
    b = group[int(rng.random() * len(group))]
    if lock[r][b] >= 0 or not ok[b][t1]:
        return None
    ops: list[Op] = [(r, a, t2, t1), (r, b, t1, t2)]
    ds, dh = _apply(inst, st, ops)
    visits = st.visits
    for x, doubled, freed in ((a, t2, t1), (b, t1, t2)):
        if visits[x][doubled] < 2 or visits[x][freed]:
            continue
        for r2 in range(inst.R):
            if r2 != r and seat[r2][x] == doubled and lock[r2][x] < 0:
                break
        else:
            continue
        there = st.members[r2][freed]
        size = len(there)
        start = int(rng.random() * size) if size else 0
        for k in range(size):
            y = there[(start + k) % size]
            if lock[r2][y] < 0 and ok[y][doubled] and not visits[y][doubled]:
                more: list[Op] = [(r2, x, freed, doubled), (r2, y, doubled, freed)]
                s_, h_ = _apply(inst, st, more)
                ds += s_
                dh += h_
                ops += more
                break
    return ops, ds, dh


def _apply(inst: Instance, st: State, ops: list[Op]) -> tuple[float, int]:
    """Apply ``ops`` in order; return the change of soft cost and of hard units."""
    lo, hi = inst.lo, inst.hi
    ds = 0.0
    dh = 0
    for r, x, t, old in ops:
        if t == old:
            continue
        s, h = _move_delta(inst, st, r, x, old, t, lo, hi)
        ds += s
        dh += h
        st.place(r, x, t)
    return ds, dh


def _gain(inst: Instance, st: State, ops: list[Op]) -> bool:
    """Apply ``ops``; True if that lowered the penalised cost (else they're applied
    all the same and the caller undoes them)."""
    ds, dh = _apply(inst, st, ops)
    return ds + inst.big * dh < -1e-9


def _undo(st: State, ops: list[Op]) -> None:
    for r, x, _, old in reversed(ops):
        st.place(r, x, old)
