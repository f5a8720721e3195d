"""Delivery routes: today's stops as one route per van (PyVRP: capacities, delivery windows,
several vans, stops left out with the reason), driver sheets, what-ifs.

Registers the analysis with BizOps Desktop. The solver is imported only when the analysis runs.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l

DEFAULT_SECONDS = 5.0  # the solver's default time limit (a day of a few dozen stops needs far less)

SYSTEM_LABELS = {
    "wgs84": _l("WGS-84 (GPS, Google Maps outside China)"),
    "gcj02": _l("GCJ-02 (Amap/Gaode, Tencent Maps)"),
    "bd09": _l("BD-09 (Baidu Maps)"),
}

PARAMS = (
    Param(
        "depot",
        "text",
        None,
        label=_l("Depot"),
        optional=True,
        help=_l(
            "where the vans start and end: latitude, longitude (31.2304, 121.4737); empty: the row of the file "
            "named Depot (仓库, 门店)"
        ),
    ),
    Param("vans", "int", 2, label=_l("Vans"), minimum=1, maximum=50, help=_l("how many vans drive today")),
    Param(
        "capacity",
        "float",
        60.0,
        label=_l("Each van carries"),
        minimum=0.01,
        help=_l("units per van, in the unit of the Quantity column (crates, parcels, kg)"),
    ),
    Param("shift_start", "text", "9:00", label=_l("Shift starts"), help=_l("when the vans may leave the depot")),
    Param("shift_end", "text", "18:00", label=_l("Shift ends"), help=_l("when the vans must be back")),
    Param(
        "service_minutes",
        "float",
        5.0,
        label=_l("Minutes at each stop"),
        minimum=0.0,
        help=_l("to park, hand over and get a signature; a Minutes at the stop column overrides it"),
    ),
    Param(
        "cost_per_km",
        "float",
        1.0,
        label=_l("Cost per km"),
        minimum=0.0,
        help=_l("fuel and wear per km, in the shop's money"),
    ),
    Param(
        "time_limit",
        "float",
        DEFAULT_SECONDS,
        label=_l("Seconds to search"),
        minimum=0.2,
        maximum=600.0,
        help=_l("how long the solver looks for shorter routes (it stops sooner when it finds nothing better)"),
    ),
    Param(
        "compare",
        "bool",
        True,
        label=_l("Compare what-ifs"),
        help=_l("also plan with one more van, bigger vans, a later shift end and another depot"),
    ),
    Param(
        "road_factor",
        "float",
        1.3,
        label=_l("Road factor"),
        minimum=1.0,
        maximum=3.0,
        advanced=True,
        help=_l("road km per straight-line km (1.3 is typical in a city)"),
    ),
    Param(
        "speed_kmh",
        "float",
        25.0,
        label=_l("Speed (km/h)"),
        minimum=1.0,
        maximum=150.0,
        advanced=True,
        help=_l("average speed on the road km, stops and traffic lights included"),
    ),
    Param(
        "unserved_penalty",
        "float",
        200.0,
        label=_l("Cost of a stop not served"),
        minimum=0.0,
        advanced=True,
        help=_l(
            "what leaving a stop out costs the shop; a stop is left out only when it cannot fit, or when "
            "reaching it would cost more than this in km"
        ),
    ),
    Param(
        "vans2",
        "int",
        0,
        label=_l("Second kind of van: how many"),
        minimum=0,
        maximum=50,
        advanced=True,
        help=_l("vans of another size, besides the ones above"),
    ),
    Param(
        "capacity2",
        "float",
        None,
        label=_l("Second kind of van carries"),
        optional=True,
        minimum=0.01,
        advanced=True,
        help=_l("units per van of the second kind"),
    ),
    Param(
        "other_depot",
        "text",
        None,
        label=_l("Other depot (what-if)"),
        optional=True,
        advanced=True,
        help=_l("latitude, longitude of another place to start from; empty: the centre of the stops"),
    ),
    Param(
        "distance_file",
        "text",
        None,
        label=_l("Distance file"),
        optional=True,
        advanced=True,
        help=_l(
            "a CSV of road km between the places (the depot's and each stop's name down the first column and "
            "along the header), from a map service; empty: straight lines times the road factor"
        ),
    ),
    Param(
        "coordinates",
        "choice",
        "wgs84",
        choices=("wgs84", "gcj02", "bd09"),
        choice_labels=SYSTEM_LABELS,
        label=_l("Coordinates of the file"),
        advanced=True,
        help=_l("the map system the file's latitudes and longitudes come from"),
    ),
    Param(
        "depot_coordinates",
        "choice",
        "same",
        choices=("same", "wgs84", "gcj02", "bd09"),
        choice_labels={"same": _l("the same as the file"), **SYSTEM_LABELS},
        label=_l("Coordinates of the depot"),
        advanced=True,
        help=_l("when the depot was picked on another map than the stops, it is converted to the stops' system"),
    ),
)

GUIDE = _l(
    "## What it answers\n\n"
    "Which van drives to which stops in which order today, so that every delivery arrives in its window with "
    "the fewest km; which stops cannot be served and why; and what one more van, bigger vans, a later shift or "
    "another depot would change.\n\n"
    "## What data it needs\n\n"
    "One row per stop (or per order line: the rows of one place are added up) with its latitude and longitude "
    "(columns named lat/lng, latitude/longitude, 纬度/经度). Optional: the units to deliver (Quantity), a "
    "delivery window such as 14:00-16:00 (送达时间段), the minutes at the stop and the stop's name or address. "
    "The depot is typed in the form or is the row named Depot (仓库).\n\n"
    "All coordinates of one file must come from one map system. Maps published in China use GCJ-02 (Amap/"
    "Gaode, Tencent) or BD-09 (Baidu); GPS and most maps elsewhere use WGS-84. Mixing them moves points by "
    "hundreds of metres: set Coordinates of the depot when the depot was picked on another map than the "
    "stops, and it is converted with the published formulas.\n\n"
    "## How to read the result\n\n"
    "The first line says how many vans, how many km and by when the last van is back. Each van has its list "
    "of stops with arrival times, the load left on board and the km; Driver sheets prints one page per van "
    "in the program's language. Not served lists the stops that do not fit, with the reason. What if "
    "compares the same day planned with one change each.\n\n"
    "Distances are straight lines times the road factor (1.3 by default), driven at the set speed: real "
    "roads, one-way streets and traffic differ, so keep some slack in the windows. The solver (PyVRP) "
    "searches for the set number of seconds; the routes are very good, not proven the shortest."
)

ANALYSIS = Analysis(
    id="routes",
    title=_l("Delivery routes"),
    summary=_l("which van delivers which stops in which order, in the customers' delivery windows"),
    guide=GUIDE,
    params=PARAMS,
    needs=(("latitude", "longitude"),),
    optional_roles=("stop_name", "quantity", "time_window", "service_minutes"),
    run="bizops_routes.analysis:run",
    panel="bizops_routes.panel:RoutesPanel",
    order=80,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
