"""Delivery routes: today's stops as one route per van. The pure ``run`` behind the tab, the CLI
and the project file: stops (latitude/longitude, units, delivery window, minutes at the stop) ->
distances (haversine x road factor) -> PyVRP (solver.py) -> route per van, stops left out with the
reason, a map-like plot, and what-ifs (one more van, a bigger van, a later shift end, another
depot) re-solved and compared side by side."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import Message, to_plain
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.roles import normalise_header

from . import geo
from . import solver as S
from .i18n import M, Mn, _, _l

# Names a row of the stops file may carry to say "this is where the vans start" (compared whole,
# after lower-casing and dropping spaces): the depot, the shop, the warehouse.
DEPOT_WORDS = ("depot", "warehouse", "shop", "store", "start", "仓库", "门店", "本店", "店铺", "配送中心", "起点")
# Headers that name a stop when no column has the Stop name role (an address is what a driver reads)
ADDRESS_WORDS = ("address", "deliveryaddress", "收货地址", "地址", "送货地址", "详细地址", "name", "名称", "收货人")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#bcbd22")
WHATIF_SHARE = 0.5  # each what-if gets this share of the main solve's time limit
LATER_SHIFT_HOURS = 2
BIGGER_VAN = 1.5

REASONS = {
    "too_big": _l("more units than the biggest van carries"),
    "window_closed": _l("its window closes before a van can get there"),
    "no_return": _l("a van serving it could not be back by the end of the shift"),
    "no_room": _l("the vans have no room or time left for it at that hour"),
}

STOP_COLUMNS = {
    "van": Column(_l("Van"), "int"),
    "seq": Column(_l("Stop no."), "int", help=_l("the order in which the van serves its stops; 0 is the depot")),
    "stop": Column(_l("Stop"), "text"),
    "arrive": Column(_l("Arrive"), "text", help=_l("when the van gets there (hh:mm)")),
    "window": Column(_l("Window"), "text", help=_l("when the customer wants the delivery")),
    "wait_min": Column(_l("Wait (min)"), "int", help=_l("minutes the driver waits for the window to open")),
    "leave": Column(_l("Leave"), "text", help=_l("when the van leaves the stop (hh:mm)")),
    "units": Column(_l("Units"), "num", help=_l("units delivered at the stop")),
    "load_after": Column(_l("Load after"), "num", help=_l("units still on board after the stop")),
    "leg_km": Column(_l("km from last stop"), "num"),
    "km": Column(_l("km so far"), "num"),
    "lat": Column(_l("Latitude"), "hidden"),
    "lng": Column(_l("Longitude"), "hidden"),
    "row": Column(_l("Row in the file"), "int", details=True),
}
VAN_COLUMNS = {
    "van": Column(_l("Van"), "int"),
    "kind": Column(_l("Kind of van"), "text"),
    "stops": Column(_l("Stops"), "int"),
    "units": Column(_l("Units"), "num"),
    "capacity": Column(_l("Carries"), "num", help=_l("units the van carries")),
    "fill": Column(_l("Full"), "percent", help=_l("share of the van's room the route uses")),
    "km": Column(_l("km"), "num"),
    "depart": Column(_l("Leaves the depot"), "text"),
    "back": Column(_l("Back at the depot"), "text"),
    "cost": Column(_l("Cost"), "money", help=_l("km times the cost per km")),
}
UNSERVED_COLUMNS = {
    "stop": Column(_l("Stop"), "text"),
    "window": Column(_l("Window"), "text"),
    "units": Column(_l("Units"), "num"),
    "reason": Column(_l("Why it is not served"), "text"),
    "reason_code": Column(_l("Reason code"), "hidden"),
    "row": Column(_l("Row in the file"), "int", details=True),
}
SCENARIOS = {
    "plan": _l("Today's plan"),
    "more_van": _l("One more van"),
    "bigger_van": _l("Bigger vans (+50%)"),
    "later_shift": _l("Shift ends 2 hours later"),
    "other_depot": _l("Other depot"),
}
WHATIF_COLUMNS = {
    "scenario": Column(_l("What if"), "code", values=SCENARIOS),
    "vans_used": Column(_l("Vans used"), "int"),
    "km": Column(_l("km"), "num"),
    "served": Column(_l("Stops served"), "int"),
    "unserved": Column(_l("Not served"), "int"),
    "last_back": Column(_l("Last van back"), "text"),
    "cost": Column(_l("Cost"), "money"),
    "km_change": Column(_l("km change"), "num", help=_l("km compared with today's plan")),
    "served_change": Column(_l("Stops change"), "int", help=_l("stops served compared with today's plan")),
    "depot": Column(_l("Depot"), "text", details=True),
}


# ---------------------------------------------------------------------------------------------
# Reading the stops
# ---------------------------------------------------------------------------------------------

_CLOCK = r"(上午|中午|下午|晚上)?\s*(\d{1,2})(?:[:：.点时](\d{1,2})?)?\s*(?:分)?\s*(am|pm)?"
_WINDOW = re.compile(r"^\s*" + _CLOCK + r"\s*(?:-|–|—|~|～|至|到|to)\s*" + _CLOCK + r"\s*$", re.IGNORECASE)


def clock_seconds(text: Any, *, where: str = "") -> int:
    """``"9:00"``, ``"17:30"``, ``"9点"``, ``"14"`` -> seconds after midnight."""
    m = re.fullmatch(r"\s*" + _CLOCK + r"\s*", str(text), re.IGNORECASE)
    if not m:
        raise UsageError(
            _("{value} is not a time of day", value=repr(str(text))), where=where, hint=_("Write it as 9:00 or 17:30")
        )
    return _seconds(m.group(2), m.group(3), m.group(1) or m.group(4), where)


def _seconds(h: str, mi: str | None, half: str | None, where: str) -> int:
    hour, minute = int(h), int(mi or 0)
    if half and half.lower() in ("pm", "下午", "晚上") and hour < 12:
        hour += 12
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise UsageError(_("{value} is not a time of day", value=f"{h}:{mi or '00'}"), where=where)
    return hour * 3600 + minute * 60


def parse_window(value: Any) -> tuple[int, int] | None:
    """``"14:00-16:00"`` (also ``14:00~16:00``, ``14点-16点``, ``2pm-4pm``, ``9-11``) -> (start, end)
    in seconds after midnight; None for an empty cell. ValueError for anything else."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        return None
    m = _WINDOW.match(str(value))
    if not m:
        raise ValueError(str(value))
    a = _seconds(m.group(2), m.group(3), m.group(1) or m.group(4), "")
    b = _seconds(m.group(6), m.group(7), m.group(5) or m.group(8), "")
    if b <= a:
        raise ValueError(str(value))
    return a, b


def hhmm(seconds: float) -> str:
    s = int(round(seconds / 60.0))
    return f"{s // 60:02d}:{s % 60:02d}"


def window_text(early: float | None, late: float | None) -> str:
    if early is None or late is None or (early <= 0 and late >= S.UNLIMITED):
        return ""
    return f"{hhmm(early)}–{hhmm(late)}"


def parse_point(text: Any, where: str) -> tuple[float, float]:
    """``"31.23, 121.47"`` (latitude, longitude) -> the pair, checked."""
    parts = [p for p in re.split(r"[,，;\s]+", str(text).strip()) if p]
    try:
        lat, lng = (float(p) for p in parts)
    except ValueError:
        raise UsageError(
            _("{value} is not a latitude and longitude", value=repr(str(text))),
            where=where,
            hint=_("Write the latitude, then the longitude: 31.2304, 121.4737"),
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise UsageError(
            _("{value} is not a latitude and longitude", value=repr(str(text))),
            where=where,
            hint=_("The latitude comes first and lies between -90 and 90"),
        )
    return lat, lng


@dataclass
class Stops:
    """The day's stops, one row per place (order lines for the same place added up), and the depot."""

    frame: pd.DataFrame  # name, lat, lng, units, early, late, service, row
    depot: tuple[float, float]
    depot_name: str
    notes: list


def read_stops(dataset, params: Mapping[str, Any]) -> Stops:
    frame = dataset.frame
    where = dataset.name
    notes: list = []
    lat_col, lng_col = dataset.col("latitude"), dataset.col("longitude")
    if lat_col is None or lng_col is None or lat_col not in frame or lng_col not in frame:
        raise DataError(
            _("Delivery routes needs the latitude and the longitude of each stop"),
            where=where,
            hint=_("Open Column roles and mark the latitude (纬度) and longitude (经度) columns"),
        )
    name_col = dataset.col("stop_name")
    if name_col is None:
        for c in frame.columns:
            if normalise_header(c) in ADDRESS_WORDS and not pd.api.types.is_numeric_dtype(frame[c]):
                name_col = c
                break
    qty_col = dataset.col("quantity")
    win_col = dataset.col("time_window")
    svc_col = dataset.col("service_minutes")
    lat = pd.to_numeric(frame[lat_col], errors="coerce")
    lng = pd.to_numeric(frame[lng_col], errors="coerce")
    names = (
        frame[name_col].astype(str).where(frame[name_col].notna(), "")
        if name_col
        else pd.Series([""] * len(frame), index=frame.index)
    )
    rows = pd.Series(np.arange(len(frame)) + 1, index=frame.index)
    names = names.where(names.str.strip() != "", rows.map(lambda r: _("Stop {n}", n=r)))
    units = pd.to_numeric(frame[qty_col], errors="coerce").fillna(0.0) if qty_col else pd.Series(1.0, index=frame.index)
    default_service = float(params.get("service_minutes") or 0.0)
    service = (
        pd.to_numeric(frame[svc_col], errors="coerce").fillna(default_service)
        if svc_col
        else pd.Series(default_service, index=frame.index)
    )
    early = pd.Series(np.nan, index=frame.index)
    late = pd.Series(np.nan, index=frame.index)
    bad_windows = []
    if win_col:
        for i, v in frame[win_col].items():
            try:
                w = parse_window(v)
            except ValueError:
                bad_windows.append(str(v))
                continue
            if w is not None:
                early[i], late[i] = w
    if bad_windows:
        notes.append(
            Mn(
                "{n:int} delivery window could not be read ({examples:list}); that stop is planned without one",
                "{n:int} delivery windows could not be read ({examples:list}); those stops are planned without one",
                len(bad_windows),
                examples=sorted(set(bad_windows))[:3],
            )
        )
    table = pd.DataFrame(
        {
            "name": names,
            "lat": lat,
            "lng": lng,
            "units": units,
            "early": early,
            "late": late,
            "service": service,
            "row": rows,
        }
    )
    lost = table["lat"].isna() | table["lng"].isna() | ~table["lat"].between(-90, 90) | ~table["lng"].between(-180, 180)
    if lost.any():
        notes.append(
            Mn(
                "{n:int} row has no usable latitude/longitude and is left out",
                "{n:int} rows have no usable latitude/longitude and are left out",
                int(lost.sum()),
            )
        )
        table = table[~lost]
    # the depot: the form's point, or a row named as the depot
    depot_text = params.get("depot")
    is_depot = table["name"].map(
        lambda s: normalise_header(s) in DEPOT_WORDS or normalise_header(s).startswith("depot")
    )
    if depot_text:
        depot = parse_point(depot_text, _("Depot"))
        depot_name = _("Depot")
        system = params.get("depot_coordinates") or "same"
        stops_system = params.get("coordinates") or "wgs84"
        if system != "same" and system != stops_system:
            depot = geo.convert(depot[0], depot[1], system, stops_system)
            notes.append(
                M(
                    "The depot's coordinates were converted from {a} to {b}, the system of the stops",
                    a=system.upper(),
                    b=stops_system.upper(),
                )
            )
        table = table[~is_depot]
    elif is_depot.any():
        first = table[is_depot].iloc[0]
        depot, depot_name = (float(first["lat"]), float(first["lng"])), str(first["name"])
        table = table[~is_depot]
    else:
        raise UsageError(
            _("the depot (where the vans start) is not given"),
            where=_("Depot"),
            hint=_("Type its latitude and longitude in the Depot field, or name one row of the file Depot (仓库)"),
        )
    if table.empty:
        raise DataError(_("the file has no stops to deliver to"), where=where)
    # order lines for the same place are one stop
    key = ["name", "lat", "lng"]
    if table.duplicated(key).any():
        n_rows = len(table)
        table = table.groupby(key, sort=False, as_index=False).agg(
            units=("units", "sum"),
            early=("early", "first"),
            late=("late", "first"),
            service=("service", "max"),
            row=("row", "first"),
        )
        notes.append(
            M(
                "{rows:int} rows for {stops:int} places: the rows of each place are one stop",
                rows=n_rows,
                stops=len(table),
            )
        )
    return Stops(table.reset_index(drop=True), depot, depot_name, notes)


# ---------------------------------------------------------------------------------------------
# The day as a routing problem
# ---------------------------------------------------------------------------------------------

UNIT_SCALE = 100  # units are passed to the solver in hundredths (1.5 crates -> 150)


@dataclass
class Setup:
    vans: int
    capacity: float
    vans2: int
    capacity2: float
    shift_start: int
    shift_end: int
    road_factor: float
    speed_kmh: float
    cost_per_km: float
    penalty: float
    depot: tuple[float, float]
    km: np.ndarray | None = None  # road km from a file (depot first, stops in order), else None


def setup_of(params: Mapping[str, Any], depot: tuple[float, float]) -> Setup:
    start = clock_seconds(params.get("shift_start") or "9:00", where=_("Shift starts"))
    end = clock_seconds(params.get("shift_end") or "18:00", where=_("Shift ends"))
    if end <= start:
        raise UsageError(
            _("the shift ends ({end}) before it starts ({start})", end=hhmm(end), start=hhmm(start)),
            where=_("Shift ends"),
            hint=_("Give a later end, e.g. 18:00"),
        )
    return Setup(
        vans=int(params.get("vans") or 0),
        capacity=float(params.get("capacity") or 0.0),
        vans2=int(params.get("vans2") or 0),
        capacity2=float(params.get("capacity2") or 0.0),
        shift_start=start,
        shift_end=end,
        road_factor=float(params.get("road_factor") or 1.0),
        speed_kmh=float(params.get("speed_kmh") or 30.0),
        cost_per_km=float(params.get("cost_per_km") or 0.0),
        penalty=float(params.get("unserved_penalty") or 0.0),
        depot=depot,
    )


def fleet_of(setup: Setup) -> list[S.Fleet]:
    fleets = [S.Fleet(setup.vans, int(round(setup.capacity * UNIT_SCALE)), setup.shift_start, setup.shift_end)]
    if setup.vans2 > 0 and setup.capacity2 > 0:
        fleets.append(
            S.Fleet(setup.vans2, int(round(setup.capacity2 * UNIT_SCALE)), setup.shift_start, setup.shift_end)
        )
    return fleets


def problem_of(stops: pd.DataFrame, setup: Setup) -> tuple[S.Problem, np.ndarray]:
    """The routing problem in metres and seconds (depot first), and the km matrix."""
    lat = np.concatenate([[setup.depot[0]], stops["lat"].to_numpy(float)])
    lng = np.concatenate([[setup.depot[1]], stops["lng"].to_numpy(float)])
    km = setup.km if setup.km is not None else geo.distance_matrix_km(lat, lng) * setup.road_factor
    metres = np.rint(km * 1000.0).astype(np.int64)
    seconds = np.rint(km / max(setup.speed_kmh, 1e-6) * 3600.0).astype(np.int64)
    early = [setup.shift_start] + [int(v) if not math.isnan(v) else 0 for v in stops["early"]]
    late = [setup.shift_end] + [int(v) if not math.isnan(v) else S.UNLIMITED for v in stops["late"]]
    service = [0] + [int(round(float(v) * 60)) for v in stops["service"]]
    demand = [0] + [int(round(float(v) * UNIT_SCALE)) for v in stops["units"]]
    # a stop left out costs its penalty, in the solver's unit (metres x 1): penalty / cost per km
    per_km = setup.cost_per_km if setup.cost_per_km > 0 else 1.0
    prize = int(min(setup.penalty / per_km * 1000.0, 1e12)) if setup.penalty > 0 else 10**9
    problem = S.Problem(
        distance=metres,
        duration=seconds,
        demand=demand,
        fleets=fleet_of(setup),
        early=early,
        late=late,
        service=service,
        coords=np.column_stack([lng, lat]),
        optional=True,
        prize=prize,
        names=[str(setup.depot)] + list(stops["name"]),
    )
    return problem, km


def reason_of(i: int, problem: S.Problem) -> str:
    """Why stop ``i`` could not be served, checked on the stop alone (a van going straight there
    at the start of the shift): too big for any van, window closed before a van can arrive, no
    way back by the end of the shift; else the vans had no room or time left for it."""
    fleets = [f for f in problem.fleets if f.count > 0]
    if problem.demand[i] > max(f.capacity for f in fleets):
        return "too_big"
    early, late, service = problem.early, problem.late, problem.service
    assert early is not None and late is not None and service is not None
    start = min(f.shift_start for f in fleets)
    end = max(f.shift_end for f in fleets)
    arrive = start + int(problem.duration[0, i])
    if arrive > late[i]:
        return "window_closed"
    if max(arrive, early[i]) + service[i] + int(problem.duration[i, 0]) > end:
        return "no_return"
    return "no_room"


@dataclass
class Solved:
    plan: S.Plan
    problem: S.Problem
    km: np.ndarray
    setup: Setup


def solve_day(stops: pd.DataFrame, setup: Setup, seconds: float, progress: Progress) -> Solved:
    if setup.vans <= 0 or setup.capacity <= 0:
        raise UsageError(
            _("give at least one van that carries something"),
            where=_("Vans"),
            hint=_("Set Vans to 1 or more and its capacity"),
        )
    problem, km = problem_of(stops, setup)
    plan = S.solve(problem, seconds, progress)
    return Solved(plan, problem, km, setup)


# ---------------------------------------------------------------------------------------------
# Tables, plot, headline
# ---------------------------------------------------------------------------------------------


def route_tables(day: Solved, stops: pd.DataFrame, depot_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per stop of each van, depot rows first and last; one row per van)."""
    rows, vans = [], []
    p, setup = day.problem, day.setup
    for v, r in enumerate(day.plan.routes, start=1):
        fleet = p.fleets[r.fleet]
        total_units = sum(p.demand[s] for s in r.stops) / UNIT_SCALE
        km_so_far = 0.0
        rows.append(
            dict(
                van=v,
                seq=0,
                stop=depot_name,
                arrive="",
                window="",
                wait_min=0,
                leave=hhmm(r.depart),
                units=0.0,
                load_after=total_units,
                leg_km=0.0,
                km=0.0,
                lat=setup.depot[0],
                lng=setup.depot[1],
                row=0,
            )
        )
        prev = 0
        for k, s in enumerate(r.stops):
            leg = float(day.km[prev, s])
            km_so_far += leg
            st = stops.iloc[s - 1]
            rows.append(
                dict(
                    van=v,
                    seq=k + 1,
                    stop=str(st["name"]),
                    arrive=hhmm(r.arrivals[k]),
                    window=window_text(_nan_none(st["early"]), _nan_none(st["late"])),
                    wait_min=int(round((r.starts[k] - r.arrivals[k]) / 60)),
                    leave=hhmm(r.starts[k] + (p.service[s] if p.service is not None else 0)),
                    units=float(st["units"]),
                    load_after=r.loads[k] / UNIT_SCALE,
                    leg_km=round(leg, 2),
                    km=round(km_so_far, 2),
                    lat=float(st["lat"]),
                    lng=float(st["lng"]),
                    row=int(st["row"]),
                )
            )
            prev = s
        leg = float(day.km[prev, 0])
        km_so_far += leg
        rows.append(
            dict(
                van=v,
                seq=len(r.stops) + 1,
                stop=depot_name,
                arrive=hhmm(r.back),
                window="",
                wait_min=0,
                leave="",
                units=0.0,
                load_after=0.0,
                leg_km=round(leg, 2),
                km=round(km_so_far, 2),
                lat=setup.depot[0],
                lng=setup.depot[1],
                row=0,
            )
        )
        cap = fleet.capacity / UNIT_SCALE
        vans.append(
            dict(
                van=v,
                kind=to_plain(M("{units:num} units", units=cap)),
                stops=len(r.stops),
                units=total_units,
                capacity=cap,
                fill=total_units / cap if cap else 0.0,
                km=round(km_so_far, 2),
                depart=hhmm(r.depart),
                back=hhmm(r.back),
                cost=round(km_so_far * setup.cost_per_km, 2),
            )
        )
    route_cols = list(STOP_COLUMNS)
    return pd.DataFrame(rows, columns=route_cols), pd.DataFrame(vans, columns=list(VAN_COLUMNS))


def _nan_none(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def unserved_table(day: Solved, stops: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i in day.plan.unserved:
        st = stops.iloc[i - 1]
        code = reason_of(i, day.problem)
        rows.append(
            dict(
                stop=str(st["name"]),
                window=window_text(_nan_none(st["early"]), _nan_none(st["late"])),
                units=float(st["units"]),
                reason=to_plain(reason_sentence(code, i, day)),  # a cell keeps the message's saved form
                reason_code=code,
                row=int(st["row"]),
            )
        )
    return pd.DataFrame(rows, columns=list(UNSERVED_COLUMNS))


def reason_sentence(code: str, i: int, day: Solved) -> Message:
    p, setup = day.problem, day.setup
    assert p.late is not None
    if code == "too_big":
        return M(
            "It needs {units:num} units, more than the biggest van carries ({cap:num}).",
            units=p.demand[i] / UNIT_SCALE,
            cap=max(f.capacity for f in p.fleets) / UNIT_SCALE,
        )
    if code == "window_closed":
        return M(
            "Its window closes at {end}, but the drive from the depot takes {minutes:int} minutes "
            "and the vans leave at {start}.",
            end=hhmm(p.late[i]),
            minutes=int(round(p.duration[0, i] / 60)),
            start=hhmm(setup.shift_start),
        )
    if code == "no_return":
        return M(
            "A van serving it could not be back at the depot by {end}, the end of the shift.",
            end=hhmm(setup.shift_end),
        )
    return M(
        "The vans have no room or time left for it: one more van, a bigger van or a longer shift would serve it "
        "(see What if)."
    )


def van_name(v: int) -> Message:
    return M("Van {n:int}", n=v)


def map_plot(day: Solved, stops: pd.DataFrame, depot_name: str) -> PlotSpec:
    """Stops as dots and each van's route as a coloured line, in km east and north of the depot
    (no map tiles: they need the network)."""
    lat0, lng0 = day.setup.depot
    east, north = geo.local_km(stops["lat"], stops["lng"], lat0, lng0)
    layers = []
    for v, r in enumerate(day.plan.routes, start=1):
        colour = PALETTE[(v - 1) % len(PALETTE)]
        idx = [s - 1 for s in r.stops]
        xs = [0.0, *east[idx].tolist(), 0.0]
        ys = [0.0, *north[idx].tolist(), 0.0]
        layers.append(Layer("line", xs, ys, name=van_name(v), color=colour, width=2.0))
        labels = [f"{k + 1}. {stops.iloc[i]['name']} {hhmm(r.arrivals[k])}" for k, i in enumerate(idx)]
        layers.append(Layer("scatter", east[idx], north[idx], name="", color=colour, size=9, labels=labels))
    if day.plan.unserved:
        idx = [s - 1 for s in day.plan.unserved]
        layers.append(
            Layer(
                "scatter",
                east[idx],
                north[idx],
                name=M("Not served"),
                color="#888888",
                size=11,
                labels=[str(stops.iloc[i]["name"]) for i in idx],
            )
        )
    layers.append(Layer("scatter", [0.0], [0.0], name=M("Depot"), color="#000000", size=16, labels=[depot_name]))
    return PlotSpec(
        title=M("Routes"),
        x_label=M("km east of the depot"),
        y_label=M("km north of the depot"),
        layers=layers,
        equal_axes=True,  # a map: a km east as long as a km north
    )


def _last_back(plan: S.Plan) -> int | None:
    return max((r.back for r in plan.routes), default=None)


def headline_of(day: Solved, unserved: pd.DataFrame) -> Message:
    plan = day.plan
    n = plan.served + len(plan.unserved)
    km = sum(float(r) for r in _route_km(day))
    vans = len(plan.routes)
    back = _last_back(plan)
    if not plan.routes:
        return M("No stop can be served with these vans and this shift: see Not served for why.")
    if not plan.unserved:
        return Mn(
            "{n:int} van, {km:num} km, all {stops:int} stops served by {time}",
            "{n:int} vans, {km:num} km, all {stops:int} stops served by {time}",
            vans,
            km=round(km, 1),
            stops=n,
            time=hhmm(back or 0),
        )
    codes = Counter(unserved["reason_code"])
    top = codes.most_common(1)[0][0]
    return Mn(
        "{n:int} van, {km:num} km, {served:int} of {stops:int} stops served by {time}; "
        "{left:int} cannot be served ({why})",
        "{n:int} vans, {km:num} km, {served:int} of {stops:int} stops served by {time}; "
        "{left:int} cannot be served ({why})",
        vans,
        km=round(km, 1),
        served=plan.served,
        stops=n,
        time=hhmm(back or 0),
        left=len(plan.unserved),
        why=REASONS[top],
    )


def _route_km(day: Solved) -> list[float]:
    out = []
    for r in day.plan.routes:
        path = [0, *r.stops, 0]
        out.append(float(sum(day.km[a, b] for a, b in zip(path[:-1], path[1:]))))
    return out


def whatif_row(key: str, day: Solved, base: Solved | None) -> dict:
    km = sum(_route_km(day))
    back = _last_back(day.plan)
    row = dict(
        scenario=key,
        vans_used=len(day.plan.routes),
        km=round(km, 1),
        served=day.plan.served,
        unserved=len(day.plan.unserved),
        last_back=hhmm(back) if back is not None else "",
        cost=round(km * day.setup.cost_per_km, 2),
        km_change=0.0,
        served_change=0,
        depot=f"{day.setup.depot[0]:.5f}, {day.setup.depot[1]:.5f}",
    )
    if base is not None:
        row["km_change"] = round(km - sum(_route_km(base)), 1)
        row["served_change"] = day.plan.served - base.plan.served
    return row


def centre_of(stops: pd.DataFrame) -> tuple[float, float]:
    """The stops' centre weighted by units: where a depot would be nearest to the deliveries."""
    w = stops["units"].to_numpy(float)
    w = w if w.sum() > 0 else np.ones(len(stops))
    return float(np.average(stops["lat"], weights=w)), float(np.average(stops["lng"], weights=w))


def what_ifs(stops: Stops, setup: Setup, base: Solved, params: Mapping[str, Any], seconds: float, progress: Progress):
    other = params.get("other_depot")
    other_depot = parse_point(other, _("Other depot")) if other else centre_of(stops.frame)
    variants = {
        "more_van": replace(setup, vans=setup.vans + 1),
        "bigger_van": replace(setup, capacity=setup.capacity * BIGGER_VAN, capacity2=setup.capacity2 * BIGGER_VAN),
        "later_shift": replace(setup, shift_end=min(setup.shift_end + LATER_SHIFT_HOURS * 3600, 24 * 3600)),
    }
    if setup.km is None:  # a distance file has no row for another depot
        variants["other_depot"] = replace(setup, depot=other_depot)
    rows = [whatif_row("plan", base, None)]
    for k, (key, variant) in enumerate(variants.items()):
        sub = progress.sub(k / len(variants), (k + 1) / len(variants))
        day = solve_day(stops.frame, variant, seconds, sub)
        rows.append(whatif_row(key, day, base))
    return pd.DataFrame(rows, columns=list(WHATIF_COLUMNS)), other is None


def read_distances(path: str, names: list[str]) -> np.ndarray:
    """Road km between the places from a CSV: the places' names down the first column and along
    the header (the depot's name, or Depot, and each stop's name), km in the cells."""
    from pathlib import Path

    where = Path(path).name
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(
            _("the distance file cannot be read ({reason})", reason=exc.strerror or exc),
            where=str(path),
            hint=_("Check the path in Distance file"),
        ) from None
    import io

    for enc in ("utf-8-sig", "gb18030"):
        try:
            table = pd.read_csv(io.StringIO(raw.decode(enc)), index_col=0)
            break
        except (UnicodeDecodeError, ValueError):
            continue
    else:
        raise DataError(_("the distance file is not a CSV table"), where=where)
    table.index = table.index.map(lambda v: str(v).strip())
    table.columns = [str(c).strip() for c in table.columns]
    missing = [n for n in names if n not in table.index or n not in table.columns]
    if missing:
        raise DataError(
            Mn(
                "{n:int} place is not in the distance file: {names:list}",
                "{n:int} places are not in the distance file: {names:list}",
                len(missing),
                names=missing[:5],
            ),
            where=where,
            hint=_("The first column and the header must name the depot and every stop as the stops file does"),
        )
    km = table.loc[names, names].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    if not np.isfinite(km).all() or (km < 0).any():
        raise DataError(_("the distance file has empty or negative distances"), where=where)
    return km


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    progress.report(0.0, _("Reading the stops"))
    stops = read_stops(dataset, params)
    setup = setup_of(params, stops.depot)
    if params.get("distance_file"):
        names = [stops.depot_name, *map(str, stops.frame["name"])]
        setup.km = read_distances(str(params["distance_file"]), names)
    seconds = float(params.get("time_limit") or 5.0)
    compare = bool(params.get("compare", True))
    main = progress.sub(0.0, 0.55 if compare else 1.0)
    main.report(0.0, _("Planning the routes"))
    day = solve_day(stops.frame, setup, seconds, main)
    routes, vans = route_tables(day, stops.frame, stops.depot_name)
    unserved = unserved_table(day, stops.frame)
    result = Result()
    result.tables["vans"] = vans
    result.tables["routes"] = routes
    result.tables["unserved"] = unserved
    for v in vans["van"]:
        result.tables[f"van_{int(v)}"] = routes[routes["van"] == v].reset_index(drop=True)
    result.columns = {"vans": VAN_COLUMNS, "routes": STOP_COLUMNS, "unserved": UNSERVED_COLUMNS}
    for v in vans["van"]:
        result.columns[f"van_{int(v)}"] = STOP_COLUMNS
    notes = list(stops.notes)
    if setup.km is not None:
        notes.append(
            M(
                "Distances are the road km of the distance file, driven at {speed:num} km/h.",
                speed=setup.speed_kmh,
            )
        )
    else:
        notes.append(
            M(
                "Distances are straight lines between the coordinates times {factor:num} for the roads, driven at "
                "{speed:num} km/h; change Road factor and Speed to match your area.",
                factor=setup.road_factor,
                speed=setup.speed_kmh,
            )
        )
    if compare:
        progress.sub(0.55, 1.0).report(0.0, _("Comparing what-ifs"))
        table, centred = what_ifs(stops, setup, day, params, seconds * WHATIF_SHARE, progress.sub(0.55, 1.0))
        result.tables["whatif"] = table
        result.columns["whatif"] = WHATIF_COLUMNS
        if centred:
            notes.append(
                M(
                    "“Other depot” puts the depot at the centre of the stops (weighted by units); "
                    "set Other depot to try a real place."
                )
            )
    result.plots["map"] = map_plot(day, stops.frame, stops.depot_name)
    result.headline = headline_of(day, unserved)
    result.notes = notes
    total_km = sum(_route_km(day))
    result.metrics = {
        "vans_used": len(day.plan.routes),
        "stops": int(len(stops.frame)),
        "served": day.plan.served,
        "unserved": len(day.plan.unserved),
        "km": round(total_km, 2),
        "cost": round(total_km * setup.cost_per_km, 2),
        "last_back": hhmm(_last_back(day.plan) or 0) if day.plan.routes else None,
        "depot": [setup.depot[0], setup.depot[1]],
        "depot_name": stops.depot_name,
        "shift_start": hhmm(setup.shift_start),
        "shift_end": hhmm(setup.shift_end),
        "solver_seconds": round(day.plan.seconds, 2),
        "solver_iterations": day.plan.iterations,
        "road_factor": setup.road_factor,
        "speed_kmh": setup.speed_kmh,
    }
    result.actions = actions_of(day, vans, unserved)
    progress.report(1.0)
    return result


def actions_of(day: Solved, vans: pd.DataFrame, unserved: pd.DataFrame) -> list[Action]:
    """Send the vans (one line with when and how far; no money: a day's routes are not money at
    stake over four weeks), and call the customers whose delivery cannot be made."""
    out: list[Action] = []
    if len(vans):
        out.append(
            Action(
                kind="other",
                text=Mn(
                    "Send {n:int} van at {time} with its driver sheet",
                    "Send {n:int} vans at {time} with their driver sheets",
                    len(vans),
                    time=str(min(vans["depart"])),
                ),
                why=M(
                    "{stops:int} stops, {km:num} km, back by {back}",
                    stops=int(vans["stops"].sum()),
                    km=round(float(vans["km"].sum()), 1),
                    back=str(max(vans["back"])),
                ),
                table="vans",
            )
        )
    if len(unserved):
        out.append(
            Action(
                kind="contact",
                text=Mn(
                    "Call {n:int} customer whose delivery cannot be made today: {names:list}",
                    "Call {n:int} customers whose delivery cannot be made today: {names:list}",
                    len(unserved),
                    names=[str(s) for s in unserved["stop"].head(5)],
                ),
                why=M("their window or load does not fit the vans (see Not served)"),
                table="unserved",
                key={"stop": str(unserved["stop"].iloc[0])},
            )
        )
    return out
