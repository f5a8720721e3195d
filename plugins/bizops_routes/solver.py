"""Vehicle routing on integer matrices: the one place the solver (PyVRP) is called.

A :class:`Problem` is a depot (index 0) and stops 1..n with a distance and a travel-time matrix,
demands, time windows and minutes at each stop, and one or more kinds of vehicle (how many, how
much each carries, when the shift starts and ends). :func:`solve` runs PyVRP's iterated local
search until the time limit (or until it has stopped finding better routes), reporting progress
and honouring Cancel, and returns a :class:`Plan`. The units are the caller's: the delivery tab
passes metres and seconds, the benchmark instances their own units. No Qt, no pandas.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bizops_desktop.core.progress import Progress

UNLIMITED = 2**40  # "no limit" for windows and capacities, well inside the solver's int64


@dataclass
class Fleet:
    """One kind of vehicle: ``count`` of them, each carrying ``capacity`` units, working from
    ``shift_start`` to ``shift_end`` (the caller's time unit) and costing ``cost_per_unit``
    per unit of distance (an integer weight: only ratios between kinds matter)."""

    count: int
    capacity: int = UNLIMITED
    shift_start: int = 0
    shift_end: int = UNLIMITED
    cost_per_unit: int = 1
    name: str = ""


@dataclass
class Problem:
    """distance/duration: (n+1)x(n+1) integer matrices, row and column 0 the depot.
    demand, early, late, service: one per location (the depot's entries are ignored).
    optional: stops may be left out, each at the cost ``prize`` (in distance x cost units);
    when False every stop must be served (the benchmark instances)."""

    distance: np.ndarray
    duration: np.ndarray
    demand: Sequence[int]
    fleets: Sequence[Fleet]
    early: Sequence[int] | None = None
    late: Sequence[int] | None = None
    service: Sequence[int] | None = None
    coords: np.ndarray | None = None  # (n+1)x2, for plots only
    optional: bool = False
    prize: int = 0
    names: Sequence[str] = ()

    @property
    def n_stops(self) -> int:
        return int(self.distance.shape[0]) - 1


@dataclass
class RoutePlan:
    """One vehicle's trip: ``stops`` in visiting order (indices 1..n), ``arrivals`` and
    ``starts`` (arrival and start of service at each, after any wait for the window),
    ``loads`` (load on board after each stop), departure from and return to the depot."""

    fleet: int
    stops: list[int]
    arrivals: list[int]
    starts: list[int]
    loads: list[int]
    depart: int
    back: int
    distance: int
    legs: list[int] = field(default_factory=list)  # distance driven to each stop, then back home


@dataclass
class Plan:
    routes: list[RoutePlan]
    unserved: list[int]
    distance: int
    feasible: bool
    iterations: int = 0
    seconds: float = 0.0
    stopped_early: bool = False  # stopped before the time limit: no better routes for a while

    @property
    def served(self) -> int:
        return sum(len(r.stops) for r in self.routes)


class _Stop:
    """PyVRP's stopping criterion, doubling as the job's progress and Cancel: it is asked once
    per iteration, so Cancel is honoured within one local-search iteration (milliseconds)."""

    def __init__(self, seconds: float, patience: int, progress: Progress):
        self.seconds = max(float(seconds), 0.05)
        self.patience = patience
        self.progress = progress
        self.start: float | None = None
        self.best = math.inf
        self.since = 0
        self.iterations = 0
        self.stopped_early = False

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if self.start is None:
            self.start = now
        self.iterations += 1
        if best_cost < self.best:
            self.best, self.since = best_cost, 0
        else:
            self.since += 1
        elapsed = now - self.start
        self.progress.report(min(elapsed / self.seconds, 1.0))  # raises Cancelled
        if self.patience and self.since >= self.patience and math.isfinite(self.best):
            self.stopped_early = True
            return True
        return elapsed >= self.seconds


def _ints(values: Sequence[int] | None, n: int, default: int) -> list[int]:
    if values is None:
        return [default] * n
    return [int(v) for v in values]


def to_pyvrp(problem: Problem) -> Any:
    """The problem as PyVRP's ProblemData (one load dimension, one depot)."""
    import pyvrp

    n = problem.n_stops + 1
    early = _ints(problem.early, n, 0)
    late = _ints(problem.late, n, UNLIMITED)
    service = _ints(problem.service, n, 0)
    demand = _ints(problem.demand, n, 0)
    coords = problem.coords if problem.coords is not None else np.zeros((n, 2))
    locations = [pyvrp.Location(x=float(coords[i][0]), y=float(coords[i][1])) for i in range(n)]
    depot = pyvrp.Depot(location=0)
    clients = [
        pyvrp.Client(
            location=i,
            delivery=[demand[i]],
            service_duration=service[i],
            tw_early=early[i],
            tw_late=late[i],
            prize=int(problem.prize) if problem.optional else 0,
            required=not problem.optional,
        )
        for i in range(1, n)
    ]
    fleets = [
        pyvrp.VehicleType(
            num_available=int(f.count),
            capacity=[int(min(f.capacity, UNLIMITED))],
            tw_early=int(f.shift_start),
            tw_late=int(min(f.shift_end, UNLIMITED)),
            unit_distance_cost=int(f.cost_per_unit),
        )
        for f in problem.fleets
        if f.count > 0
    ]
    dist: Any = np.ascontiguousarray(problem.distance, dtype=np.int64)
    dur: Any = np.ascontiguousarray(problem.duration, dtype=np.int64)
    return pyvrp.ProblemData(locations, clients, [depot], fleets, [dist], [dur])


def solve(
    problem: Problem,
    seconds: float = 5.0,
    progress: Progress | None = None,
    *,
    seed: int = 1,
    patience: int | None = None,
) -> Plan:
    """The best routes found within ``seconds``. ``patience``: stop sooner once this many
    iterations in a row found nothing better (default: scaled to the number of stops, so a
    small day is done in a fraction of a second and a large one uses the time it is given)."""
    import pyvrp

    progress = progress or Progress()
    if not any(f.count > 0 for f in problem.fleets):
        raise ValueError("no vehicle")
    if problem.n_stops == 0:
        return Plan([], [], 0, True)
    data = to_pyvrp(problem)
    if patience is None:
        patience = 2_000 + 150 * problem.n_stops
    stop = _Stop(seconds, patience, progress)
    result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    progress.report(1.0)
    return _plan(problem, data, result.best, stop)


def _plan(problem: Problem, data: Any, best: Any, stop: _Stop) -> Plan:
    fleet_index = [i for i, f in enumerate(problem.fleets) if f.count > 0]
    dist = problem.distance
    demand = _ints(problem.demand, problem.n_stops + 1, 0)
    routes: list[RoutePlan] = []
    visited: set[int] = set()
    for route in best.routes():
        sched = [a for a in route.schedule() if a.is_client()]
        stops = [int(a.idx) + 1 for a in sched]  # client numbers 0..n-1 are our stops 1..n
        if not stops:
            continue
        visited.update(stops)
        load = sum(demand[s] for s in stops)
        loads = []
        for s in stops:
            load -= demand[s]
            loads.append(load)
        path = [0, *stops, 0]
        legs = [int(dist[a, b]) for a, b in zip(path[:-1], path[1:], strict=True)]
        routes.append(
            RoutePlan(
                fleet=fleet_index[int(route.vehicle_type())],
                stops=stops,
                arrivals=[int(a.start_time) - int(a.wait_duration) for a in sched],
                starts=[int(a.start_time) for a in sched],
                loads=loads,
                depart=int(route.start_time()),
                back=int(route.end_time()),
                distance=int(route.distance()),
                legs=legs,
            )
        )
    unserved = [i for i in range(1, problem.n_stops + 1) if i not in visited]
    return Plan(
        routes=routes,
        unserved=unserved,
        distance=int(best.distance()),
        feasible=bool(best.is_feasible()),
        iterations=stop.iterations,
        seconds=(time.perf_counter() - stop.start) if stop.start else 0.0,
        stopped_early=stop.stopped_early,
    )


# ---------------------------------------------------------------------------------------------
# Benchmark instances (CVRPLIB's TSPLIB-style .vrp; LKH-3's .vrptw for Solomon's instances)
# ---------------------------------------------------------------------------------------------


@dataclass
class Instance:
    name: str
    problem: Problem
    scale: int  # distances are in 1/scale of the instance's own unit


def read_instance(path: str | Path) -> Instance:
    """A CVRPLIB ``.vrp`` (EUC_2D: Euclidean distance rounded to the nearest integer, TSPLIB's
    nint, the convention CVRPLIB's optimal values use; or an EXPLICIT LOWER_ROW matrix) or an
    LKH-3 ``.vrptw`` Solomon instance (FLOOR_2D with SCALE 10: distance and travel time truncated
    to one decimal, the convention of the published optima of the 25/50/100-customer sets)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    head: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in lines:
        line = raw.strip()
        if not line or line == "EOF":
            continue
        word = line.split()[0].rstrip(":")
        if word.endswith("_SECTION"):
            current = word
            sections[current] = []
            continue
        if ":" in line and line[0].isalpha():
            key, _colon, value = line.partition(":")
            head[key.strip()] = value.strip()
            current = None
            continue
        if current:
            sections[current].append(line.split())
    n = int(head["DIMENSION"])
    scale = int(head.get("SCALE", "1"))
    kind = head.get("EDGE_WEIGHT_TYPE", "EUC_2D")
    coords = None
    if "NODE_COORD_SECTION" in sections:
        coords = np.array([[float(r[1]), float(r[2])] for r in sections["NODE_COORD_SECTION"]])
    if kind == "EXPLICIT":
        values = [int(float(v)) for row in sections["EDGE_WEIGHT_SECTION"] for v in row]
        dist = np.zeros((n, n), dtype=np.int64)
        k = 0
        for i in range(1, n):  # LOWER_ROW: row i lists d(i, 0..i-1)
            for j in range(i):
                dist[i, j] = dist[j, i] = values[k]
                k += 1
    else:
        assert coords is not None
        d = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1))
        dist = np.floor(d * scale).astype(np.int64) if kind == "FLOOR_2D" else np.floor(d + 0.5).astype(np.int64)
    demand = [0] * n
    for r in sections.get("DEMAND_SECTION", []):
        demand[int(r[0]) - 1] = int(r[1])
    early = late = service = None
    if "TIME_WINDOW_SECTION" in sections:
        early, late = [0] * n, [UNLIMITED] * n
        for r in sections["TIME_WINDOW_SECTION"]:
            early[int(r[0]) - 1] = int(float(r[1]) * scale)
            late[int(r[0]) - 1] = int(float(r[2]) * scale)
        service = [int(float(head.get("SERVICE_TIME", "0")) * scale)] * n
        service[0] = 0
    name = head.get("NAME", Path(path).stem)
    vehicles = head.get("VEHICLES")
    if vehicles is None:  # E-n22-k4: k is the number of trucks
        parts = Path(path).stem.rsplit("-k", 1)
        vehicles = parts[1] if len(parts) == 2 else str(n)
    fleet = Fleet(count=int(vehicles), capacity=int(head["CAPACITY"]))
    if early is not None and late is not None:
        fleet.shift_start, fleet.shift_end = early[0], late[0]
    problem = Problem(
        distance=dist,
        duration=dist.copy(),
        demand=demand,
        fleets=[fleet],
        early=early,
        late=late,
        service=service,
        coords=coords,
    )
    return Instance(name=name, problem=problem, scale=scale)
