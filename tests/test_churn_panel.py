"""The Churn risk tab as a user meets it: run on the demo orders, move the threshold slider and
watch the confusion matrix change to the counts the stored probabilities give, filter the at-risk
list and export it for a mailing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import run_panel

from bizops_churn import ANALYSIS
from bizops_churn.panel import ChurnPanel
from bizops_desktop.core.i18n import format_money, text


@pytest.fixture
def panel(open_panel):
    return open_panel(ChurnPanel, ANALYSIS)


_run = run_panel


def _shown_cm(panel):
    return {k: int(lab.text().replace(",", "")) for k, lab in panel.cm_labels.items()}


def test_slider_updates_the_confusion_matrix_live(qtbot, panel, tmp_path):
    _run(qtbot, panel, "orders", {"source": "orders"})
    r = panel.result
    assert "customers are already lost" in panel.headline.text()
    assert panel.headline.text() == text(r.headline)
    assert "Cross-validated ROC AUC" in panel.details_label.text()  # the statistics under Details
    # At the run's threshold the matrix is the one in the result.
    assert _shown_cm(panel) == r.metrics["confusion"]
    assert panel.slider.value() == 500
    # The ROC drawn is the analysis' (the CLI's PNG), plus hover texts along the curve.
    view = panel.roc_plot.plot_view
    shown = view.spec.to_dict()
    assert shown["layers"][1].pop("labels")[0].startswith("threshold ")
    cli = r.plots["roc"].to_dict()
    cli["layers"][1].pop("labels")
    assert shown == cli
    curve = view.item(1)

    p = np.asarray(r.extra["oof_probability"])
    y = np.asarray(r.extra["oof_actual"])
    runs_before = r
    for v in (80, 300, 950):
        panel.slider.setValue(v)  # the user drags the slider
        t = v / 1000
        want = {
            "tp": int(((p >= t) & (y == 1)).sum()),
            "fn": int(((p < t) & (y == 1)).sum()),
            "fp": int(((p >= t) & (y == 0)).sum()),
            "tn": int(((p < t) & (y == 0)).sum()),
        }
        assert _shown_cm(panel) == want
        # The ROC marker sits at that threshold's (false-alarm rate, catch rate).
        xs, ys = panel.roc_plot.plot_view.item(2).getData()
        assert xs[0] == pytest.approx(want["fp"] / (want["fp"] + want["tn"]))
        assert ys[0] == pytest.approx(want["tp"] / (want["tp"] + want["fn"]))
        assert panel.rate_labels["recall"].text() == f"{want['tp'] / (want['tp'] + want['fn']):.1%}"
    assert panel.result is runs_before  # no rerun happened
    assert view.item(1) is curve  # the slider moved the marker only
    assert text(view.spec.layers[2].name) == "threshold 95%"
    assert panel.form.values()["threshold"] == pytest.approx(0.95)

    # The at-risk list follows the threshold once the slider rests.
    panel.only_flagged.setChecked(True)
    panel.slider.setValue(500)
    flagged = int((r.tables["scores"]["churn_probability"] >= 0.5).sum())
    qtbot.waitUntil(lambda: panel.scores_table.model.rowCount() == flagged, timeout=3000)
    assert (panel.scores_table.frame()["predicted"] == "churn").all()

    # Filter by a reason, export the shown rows for a mailing.
    panel.only_flagged.setChecked(False)
    panel.scores_table.search.setText("C0021")  # the search box filters after a short pause
    qtbot.waitUntil(lambda: panel.scores_table.model.rowCount() == 1, timeout=3000)
    assert panel.scores_table.frame()["customer_id"].tolist() == ["C0021"]
    panel.scores_table.search.setText("")
    qtbot.waitUntil(lambda: panel.scores_table.model.rowCount() == 400, timeout=3000)
    out = panel.export_list(tmp_path / "mailing.csv")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) == 400 and list(back.columns[:3]) == ["customer_id", "churn_probability", "rank"]
    xlsx = panel.export_list(tmp_path / "mailing.xlsx")
    assert len(pd.read_excel(xlsx)) == 400


def test_customer_table_mode_and_cost_threshold(qtbot, panel):
    _run(qtbot, panel, "customers", {"source": "customers", "contact_cost": 5, "customer_value": 60, "cv_folds": 5})
    m = panel.result.metrics
    assert m["threshold_source"] == "cost"
    assert _shown_cm(panel) == m["confusion"]
    assert panel.rate_labels["value"].text().startswith(format_money(m["expected_value"]))
    assert panel.scores_table.model.rowCount() == 400
    assert "actual" in panel.scores_table.frame().columns
    bars = panel.result.plots["odds_ratios"].layers[0]
    assert len(bars.x) > 0
    # churn_days and cutoff mean nothing for a customer table: their rows are hidden.
    assert not panel.form.editors["churn_days"].isVisibleTo(panel)


def test_result_survives_the_project_file(qtbot, panel, tmp_path):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    _run(qtbot, panel, "orders", {"source": "orders", "churn_days": 60})
    panel.slider.setValue(250)
    st = panel.state()
    proj = Project(
        datasets={},
        analyses={"churn": AnalysisState("churn", "bizops_churn", 1, st["params"], st["dataset"], st["result"])},
    )
    save_project(proj, tmp_path / "shop.bizops")
    back = load_project(tmp_path / "shop.bizops").analyses["churn"]
    assert back.params["threshold"] == pytest.approx(0.25) and back.params["churn_days"] == 60
    pd.testing.assert_frame_equal(back.result.tables["scores"], panel.result.tables["scores"])
    other = ChurnPanel(ANALYSIS, panel.host)
    qtbot.addWidget(other)
    other.restore(back.params, back.dataset, back.result)  # reopening shows it without a rerun
    assert _shown_cm(other) == back.result.metrics["confusion"]
    other.slider.setValue(250)
    assert _shown_cm(other) == _shown_cm(panel)
    assert other.scores_table.model.rowCount() == 400
