"""The demo shop's delivery day (``deliveries.csv``): a depot and 24 stops around it, with units,
delivery windows and minutes at each stop, for the Delivery routes tab.

The truth is planted: two van routes are laid out first (each stop's place on its van's loop),
driven at the tab's default speed and road factor, and each stop's window is put around its
planned arrival, so two vans of the default size can serve every stop in its window. One more
stop is planted whose window closes before any van can get there (it is 12 km out and must be
served by 9:15, while the vans leave at 9:00): it must be reported as not served, with that reason.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SEED = 20240619
N_PER_VAN = 12
VANS = 2
CAPACITY = 60  # units per van, the tab's default
SHIFT_START = 9 * 3600
ROAD_FACTOR = 1.3  # the tab's defaults, so the planted routes are what the tab plans against
SPEED_KMH = 25.0
EARTH_KM = 6371.0088
DEPOT = {"en": (52.5200, 13.4050), "zh_CN": (31.2304, 121.4737)}  # Berlin Mitte; 上海人民广场
LATE_STOP_KM = 12.0

COLUMNS = {
    "en": ("stop", "latitude", "longitude", "quantity", "delivery_window", "service_minutes"),
    "zh_CN": ("站点", "纬度", "经度", "件数", "送达时间段", "服务时长"),
}
ROLES = ("stop_name", "latitude", "longitude", "quantity", "time_window", "service_minutes")
DEPOT_NAME = {"en": "Depot", "zh_CN": "仓库"}
_EN_STREETS = (
    "Torstraße",
    "Invalidenstraße",
    "Kastanienallee",
    "Schönhauser Allee",
    "Prenzlauer Allee",
    "Greifswalder Straße",
    "Frankfurter Allee",
    "Warschauer Straße",
    "Oranienstraße",
    "Kottbusser Damm",
    "Hermannstraße",
    "Karl-Marx-Straße",
    "Potsdamer Straße",
    "Kurfürstendamm",
    "Kantstraße",
    "Turmstraße",
    "Müllerstraße",
    "Badstraße",
    "Brunnenstraße",
    "Bernauer Straße",
    "Danziger Straße",
    "Gneisenaustraße",
    "Yorckstraße",
    "Hauptstraße",
)
_ZH_PLACES = (
    "静安新城",
    "梅园小区",
    "曹家渡花苑",
    "宜川一村",
    "长寿苑",
    "普陀花园",
    "中远两湾城",
    "天目中路",
    "四川北路",
    "虹口公园",
    "鲁迅花园",
    "大连路",
    "杨浦滨江",
    "复兴岛",
    "陆家嘴花园",
    "世纪公园",
    "浦东南路",
    "南码头",
    "打浦桥",
    "田子坊",
    "徐家汇",
    "衡山路",
    "天山路",
    "古北新区",
)
LATE_NAME = {"en": "Early bird café, Pankow", "zh_CN": "早市团长（宝山）"}


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(h, 1.0)))


def _offset(lat: float, lng: float, east_km: float, north_km: float) -> tuple[float, float]:
    return (
        lat + math.degrees(north_km / EARTH_KM),
        lng + math.degrees(east_km / (EARTH_KM * math.cos(math.radians(lat)))),
    )


def _clock(seconds: float) -> str:
    m = int(seconds // 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def build(lang: str = "en") -> dict[str, Any]:
    """{"rows": [[...], ...] (depot first), "columns": (...), "truth": {...}} for one language."""
    lang = "zh_CN" if lang == "zh_CN" else "en"
    rng = np.random.default_rng(SEED)
    lat0, lng0 = DEPOT[lang]
    names = _EN_STREETS if lang == "en" else _ZH_PLACES
    rows: list[list[Any]] = [[DEPOT_NAME[lang], round(lat0, 6), round(lng0, 6), 0, "", 0]]
    planned = []
    k = 0
    for van in range(VANS):
        # van 0 loops through the north-east, van 1 through the south-west: a petal each
        base = van * math.pi
        angles = base + np.linspace(0.25, math.pi - 0.25, N_PER_VAN)
        radii = 2.0 + 4.0 * np.sin(np.linspace(0.15, math.pi - 0.15, N_PER_VAN)) + rng.uniform(-0.4, 0.4, N_PER_VAN)
        t = float(SHIFT_START)
        here = (lat0, lng0)
        load = 0
        for a, r in zip(angles, radii):
            lat, lng = _offset(lat0, lng0, r * math.cos(a), r * math.sin(a))
            t += _km(here[0], here[1], lat, lng) * ROAD_FACTOR / SPEED_KMH * 3600
            units = int(rng.integers(1, 5))
            load += units
            service = int(rng.integers(8, 16))
            # a window of 2 hours that holds the planned arrival, on the half hour
            start = max(SHIFT_START, (t - rng.uniform(15, 90) * 60) // 1800 * 1800)
            window = f"{_clock(start)}-{_clock(start + 2 * 3600)}"
            name = (
                f"{names[k]} {int(rng.integers(1, 120))}" if lang == "en" else f"{names[k]}{int(rng.integers(1, 30))}号"
            )
            rows.append([name, round(lat, 6), round(lng, 6), units, window, service])
            planned.append({"name": name, "van": van + 1, "arrive": _clock(t), "window": window})
            t = max(t, start) + service * 60
            here = (lat, lng)
            k += 1
        assert load <= CAPACITY
    late_lat, late_lng = _offset(lat0, lng0, 0.0, LATE_STOP_KM)
    rows.append([LATE_NAME[lang], round(late_lat, 6), round(late_lng, 6), 2, "08:30-09:15", 5])
    # keep the file's order unrelated to the planted routes
    body = rows[1:]
    order = rng.permutation(len(body))
    rows = [rows[0]] + [body[i] for i in order]
    truth = {
        "stops": len(body),
        "vans": VANS,
        "capacity": CAPACITY,
        "unservable": [LATE_NAME[lang]],
        "unservable_reason": "window_closed",
        "planned_routes": planned,
        "depot": [lat0, lng0],
        "note": "every stop but the unservable one has a window around its arrival on a planted two-van plan",
    }
    return {"rows": rows, "columns": COLUMNS[lang], "truth": truth}


def frame(lang: str = "en"):
    import pandas as pd

    b = build(lang)
    return pd.DataFrame(b["rows"], columns=list(b["columns"]))


def roles(lang: str = "en") -> dict[str, str]:
    cols = COLUMNS["zh_CN" if lang == "zh_CN" else "en"]
    return dict(zip(ROLES, cols))


def write(out_dir, lang: str = "en") -> None:
    """``deliveries.csv`` (UTF-8) into the demo shop's folder."""
    from pathlib import Path

    data = frame(lang).to_csv(index=False, lineterminator="\n").encode("utf-8")
    (Path(out_dir) / "deliveries.csv").write_bytes(data)
