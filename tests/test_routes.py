"""Delivery routes on the demo shop's planted delivery day: every stop that can be served is
served in its window by the two default vans, and the planted stop whose window closes before a
van can get there is reported as not served with that reason; plus the pieces (windows, GCJ-02)."""

from __future__ import annotations

import numpy as np
import pytest

from bizops_desktop.core import demo_routes, i18n
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import UsageError
from bizops_routes import ANALYSIS, geo
from bizops_routes import analysis as A


def _deliveries(lang="en") -> Dataset:
    return Dataset("deliveries", demo_routes.frame(lang), roles=demo_routes.roles(lang))


def _minutes(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


@pytest.fixture(scope="module")
def demo_day():
    return ANALYSIS.execute(_deliveries(), {"compare": False})


def test_the_planted_day_is_served_in_every_window(demo_day):
    truth = demo_routes.build("en")["truth"]
    r = demo_day
    stops = r.tables["routes"]
    served = stops[(stops["seq"] > 0) & (stops["row"] > 0)]
    planned = {p["name"]: p["window"] for p in truth["planned_routes"]}
    assert sorted(served["stop"]) == sorted(planned)  # every servable stop, once
    for _i, s in served.iterrows():
        lo, hi = (_minutes(t) for t in planned[s["stop"]].split("-"))
        start = _minutes(s["arrive"]) + s["wait_min"]
        assert lo <= start <= hi, (s["stop"], s["arrive"], planned[s["stop"]])
    vans = r.tables["vans"]
    assert len(vans) <= truth["vans"] and (vans["units"] <= truth["capacity"]).all()
    assert r.metrics["served"] == truth["stops"] - 1 and r.metrics["unserved"] == 1
    # the planted two-van plan is one solution: the solver's is at most as long
    planted_km = _planted_km(truth)
    assert r.metrics["km"] <= planted_km + 0.01, (r.metrics["km"], planted_km)  # km rounded to 10 m
    # each van's own table is its part of the routes table (a CSV per route)
    for v in vans["van"]:
        assert len(r.tables[f"van_{v}"]) == int(vans.loc[vans["van"] == v, "stops"].iloc[0]) + 2


def _planted_km(truth) -> float:
    frame = demo_routes.frame("en")
    where = {row["stop"]: (row["latitude"], row["longitude"]) for _i, row in frame.iterrows()}
    total = 0.0
    for van in (1, 2):
        path = [truth["depot"]] + [where[p["name"]] for p in truth["planned_routes"] if p["van"] == van]
        path.append(truth["depot"])
        for a, b in zip(path[:-1], path[1:]):
            total += float(geo.haversine_km(a[0], a[1], b[0], b[1])) * demo_routes.ROAD_FACTOR
    return total


def test_a_window_that_closes_too_early_is_not_served_and_says_why(demo_day):
    truth = demo_routes.build("en")["truth"]
    un = demo_day.tables["unserved"]
    assert list(un["stop"]) == truth["unservable"]
    assert list(un["reason_code"]) == [truth["unservable_reason"]]
    with i18n.use_language("en"):
        why = i18n.text(un["reason"].iloc[0])
        head = i18n.text(demo_day.headline)
    assert "09:15" in why and "09:00" in why
    assert head.startswith("2 vans,") and "24 of 25 stops" in head and "its window closes" in head


def test_chinese_headline_and_reason():
    r = ANALYSIS.execute(_deliveries("zh_CN"), {"compare": False, "time_limit": 2})
    with i18n.use_language("zh_CN"):
        head = i18n.text(r.headline)
        why = i18n.text(r.tables["unserved"]["reason"].iloc[0])
    assert "2 辆车" in head and "公里" in head, head
    assert "09:15" in why and "分钟" in why, why


def test_what_if_one_more_van_serves_what_two_cannot():
    # 3 vans' worth of units for 2 vans: the third van in the what-if serves the rest
    ds = _deliveries()
    r = ANALYSIS.execute(ds, {"capacity": 25, "time_limit": 2})
    w = r.tables["whatif"].set_index("scenario")
    assert w.loc["plan", "unserved"] > 1
    reasons = set(r.tables["unserved"]["reason_code"])
    assert reasons == {"window_closed", "no_room"}
    assert w.loc["more_van", "served"] > w.loc["plan", "served"]
    assert w.loc["bigger_van", "served"] > w.loc["plan", "served"]
    assert w.loc["more_van", "served_change"] == w.loc["more_van", "served"] - w.loc["plan", "served"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("14:00-16:00", (14 * 3600, 16 * 3600)),
        ("9:30~11:00", (9 * 3600 + 1800, 11 * 3600)),
        ("14点-16点", (14 * 3600, 16 * 3600)),
        ("2pm-4pm", (14 * 3600, 16 * 3600)),
        ("下午2点至下午4点", (14 * 3600, 16 * 3600)),
        ("", None),
    ],
)
def test_delivery_windows_are_read_as_written(text, expected):
    assert A.parse_window(text) == expected


def test_a_window_that_cannot_be_read_is_a_note_not_a_crash():
    frame = demo_routes.frame("en")
    frame.loc[3, "delivery_window"] = "morning"
    r = ANALYSIS.execute(Dataset("d", frame, roles=demo_routes.roles("en")), {"compare": False, "time_limit": 1})
    with i18n.use_language("en"):
        assert any("morning" in i18n.text(n) for n in r.notes)


def test_no_depot_is_a_usage_error_with_a_hint():
    frame = demo_routes.frame("en").iloc[1:]
    with pytest.raises(UsageError) as e:
        ANALYSIS.execute(Dataset("d", frame, roles=demo_routes.roles("en")), {"compare": False})
    assert "Depot" in e.value.user_message()


def test_gcj02_and_bd09_match_the_published_formulas():
    # eviltransform's test vectors (WGS-84 -> GCJ-02), Shanghai and Shenzhen
    assert geo.wgs84_to_gcj02(31.1774276, 121.5272106) == pytest.approx((31.17530398364597, 121.531541859215), abs=1e-9)
    assert geo.wgs84_to_gcj02(22.543847, 113.912316) == pytest.approx((22.540796131694766, 113.9171764808363), abs=1e-9)
    lat, lng = geo.gcj02_to_wgs84(31.17530398364597, 121.531541859215)
    assert geo.haversine_km(lat, lng, 31.1774276, 121.5272106) < 1e-4  # back to 10 cm
    # the offset is the few hundred metres the guide warns about
    assert 0.3 < geo.haversine_km(31.1774276, 121.5272106, 31.17530398364597, 121.531541859215) < 0.7
    b = geo.gcj02_to_bd09(31.2304, 121.4737)
    assert geo.bd09_to_gcj02(*b) == pytest.approx((31.2304, 121.4737), abs=2e-6)
    assert geo.out_of_china(52.52, 13.405) and geo.wgs84_to_gcj02(52.52, 13.405) == (52.52, 13.405)
    # Beijing to Shanghai, city centres: 1067 km great circle
    assert float(geo.haversine_km(39.9042, 116.4074, 31.2304, 121.4737)) == pytest.approx(1067.3, abs=0.5)


def test_depot_in_another_system_is_converted():
    frame = demo_routes.frame("zh_CN")
    gcj = geo.wgs84_to_gcj02(31.2304, 121.4737)
    r = ANALYSIS.execute(
        Dataset("d", frame, roles=demo_routes.roles("zh_CN")),
        {"compare": False, "time_limit": 1, "depot": f"{gcj[0]}, {gcj[1]}", "depot_coordinates": "gcj02"},
    )
    assert np.allclose(r.metrics["depot"], [31.2304, 121.4737], atol=1e-6)


def test_the_project_file_keeps_the_routes_and_reads_in_the_other_language(tmp_path, demo_day):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    proj = Project(
        datasets={}, analyses={"routes": AnalysisState("routes", "bizops_routes", 1, {}, "deliveries", demo_day)}
    )
    save_project(proj, tmp_path / "day.bizops")
    back = load_project(tmp_path / "day.bizops").analyses["routes"].result
    for name, frame in demo_day.tables.items():
        got = back.tables[name]
        assert list(got.columns) == list(frame.columns) and len(got) == len(frame), name
    assert list(back.tables["routes"]["stop"]) == list(demo_day.tables["routes"]["stop"])
    with i18n.use_language("zh_CN"):
        assert "辆车" in i18n.text(back.headline)
        assert "分钟" in i18n.text(back.tables["unserved"]["reason"].iloc[0])
        assert back.plots["map"].localized().title == "配送路线"


def test_a_distance_file_replaces_the_straight_lines(tmp_path, demo_day):
    frame = demo_routes.frame("en")
    names = list(frame["stop"])  # the depot first, as in the file
    km = geo.distance_matrix_km(frame["latitude"], frame["longitude"]) * 1.3
    path = tmp_path / "km.csv"
    import pandas as pd

    pd.DataFrame(km, index=names, columns=names).to_csv(path)
    same = ANALYSIS.execute(_deliveries(), {"compare": False, "distance_file": str(path)})
    assert same.metrics["km"] == pytest.approx(demo_day.metrics["km"], abs=0.05)
    # roads twice as long as the straight-line estimate: every km doubles
    pd.DataFrame(km * 2, index=names, columns=names).to_csv(path)
    double = ANALYSIS.execute(_deliveries(), {"compare": False, "distance_file": str(path), "speed_kmh": 50})
    assert double.metrics["km"] == pytest.approx(2 * demo_day.metrics["km"], rel=0.02)
    pd.DataFrame(km[1:, 1:], index=names[1:], columns=names[1:]).to_csv(path)
    from bizops_desktop.core.errors import DataError

    with pytest.raises(DataError) as e:
        ANALYSIS.execute(_deliveries(), {"compare": False, "distance_file": str(path)})
    assert "Depot" in e.value.user_message()
