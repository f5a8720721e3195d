"""Example third-party plugin: counts orders per weekday. Shows the whole plugin shape in a
few lines: a description with params and needed roles, a pure run, no panel (generic tab)."""

from bizops_desktop.hooks import Analysis, Layer, Param, PlotSpec, Result, hookimpl

__version__ = "0.1.0"  # shown in Help > Plugins when the plugin is not installed as a distribution


def run(dataset, params, progress):
    import pandas as pd

    dates = pd.to_datetime(dataset.frame[dataset.col("date")], errors="coerce").dropna()
    progress.report(0.5, "Counting")
    counts = dates.dt.dayofweek.value_counts().reindex(range(7), fill_value=0)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    table = pd.DataFrame({"weekday": names, "rows": counts.to_numpy()})
    if params["top"]:
        table = table.sort_values("rows", ascending=False).head(params["top"]).reset_index(drop=True)
    plot = PlotSpec(
        "Rows per weekday",
        "weekday",
        "rows",
        [Layer("bar", list(range(7)), counts.to_numpy(), name="rows")],
        x_ticks=[[i, n] for i, n in enumerate(names)],
    )
    return Result(tables={"weekdays": table}, metrics={"rows": int(len(dates))}, plots={"weekdays": plot})


@hookimpl
def bizops_register_analyses(context):  # context: app_version, data_dir, config_dir (may be left out)
    return [
        Analysis(
            id="example_weekdays",
            title="Order count",
            summary="rows per weekday (example plugin)",
            params=(Param("top", "int", 0, "show only the N busiest weekdays (0 = all)", minimum=0, maximum=7),),
            needs=(("date",),),
            run=run,
            order=900,
        )
    ]
