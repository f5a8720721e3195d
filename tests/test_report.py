"""The report (File ▸ Export report, `bizops-desktop report`): the whole demo shop as a PDF and a
self-contained HTML file in English and Chinese. The PDF is read back with pypdf: its fonts are
embedded and its text holds every section title and the planted truths of the demo shop; the HTML
has no external reference; the window writes it in the job runner without freezing."""

from __future__ import annotations

import re
import time

import pytest

from bizops_desktop.core import i18n
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.display import cell_text
from bizops_desktop.core.plugins import load_registry
from bizops_desktop.core.report import build_report, html_file, run_parts, source_name, to_html

pypdf = pytest.importorskip("pypdf")

LANGS = ("en", "zh_CN")


def _needs_a_chinese_font(lang: str) -> None:
    """Without a CJK font on the machine a Chinese PDF prints boxes (and says so, tested below):
    its text cannot be read back."""
    from bizops_desktop.qt.report import cjk_font

    if lang == "zh_CN" and cjk_font() is None:
        pytest.skip("no Chinese font on this machine (apt-get install fonts-wqy-microhei)")


def test_without_a_chinese_font_the_report_says_so(qapp, monkeypatch):
    from bizops_desktop.qt import language
    from bizops_desktop.qt import report as qreport

    monkeypatch.setattr(qreport, "cjk_font", lambda: None)
    monkeypatch.setattr(language, "has_chinese_font", lambda: False)
    assert qreport.report_font_warning("zh_CN")
    assert qreport.report_font_warning("en") is None


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory):
    """The whole demo shop, every analysis run with its defaults, written in each language."""
    from bizops_desktop.qt.report import plot_image, write_report

    reg = load_registry()
    out = {}
    for lang in LANGS:
        with i18n.use_language(lang):
            datasets = load_demo(lang=lang)
            parts = run_parts(reg.ordered(), datasets)
            report = build_report(parts, source_name(None, datasets), lang=lang)
            folder = tmp_path_factory.mktemp(f"report_{lang}")
            t0 = time.perf_counter()
            files, seconds = write_report(report, folder / "report.pdf", plot_image)
            print(f"{lang}: drew and wrote the whole demo report in {time.perf_counter() - t0:.2f} s")
            out[lang] = {"parts": parts, "report": report, "pdf": files[0], "html": files[1], "seconds": seconds}
    return out


def pdf_text(path) -> str:
    import unicodedata

    reader = pypdf.PdfReader(str(path))
    # NFKC: the PDF sets "ff", "fi" as ligatures (one glyph), extracted as U+FB00...
    text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in reader.pages))
    return re.sub(r"[ \t]+", " ", text)  # words may come out separated by tabs


def embedded_fonts(path) -> dict[str, bool]:
    """Each font of the PDF -> whether its program is in the file (FontFile, FontFile2/3)."""
    reader = pypdf.PdfReader(str(path))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            descs = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descs:
                fd = d.get("/FontDescriptor")
                fd = fd.get_object() if fd is not None else {}
                fonts[str(d.get("/BaseFont"))] = any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_embeds_its_fonts_and_has_every_section(demo_reports, lang):
    _needs_a_chinese_font(lang)
    r = demo_reports[lang]
    fonts = embedded_fonts(r["pdf"])
    assert fonts and all(fonts.values()), fonts
    text = pdf_text(r["pdf"])
    flat = re.sub(r"\s+", "", text)  # extraction breaks lines and may split words
    with i18n.use_language(lang):
        titles = [i18n.text(a.title) for a in load_registry().ordered()]
        expected = titles + [i18n._("This week"), i18n._("How this was computed")]
    for t in expected:
        assert re.sub(r"\s+", "", t) in flat, t
    if lang == "zh_CN":
        assert "本周要做的事" in flat and "购物篮规则" in flat and "示例店铺" in flat
        assert any("WenQuanYi" in f or "Noto" in f or "CJK" in f for f in fonts)


@pytest.mark.parametrize("lang", LANGS)
def test_the_planted_pairs_are_rows_of_the_bought_together_table(demo_reports, lang):
    _needs_a_chinese_font(lang)
    report = demo_reports[lang]["report"]
    basket = next(s for s in report.sections if s.analysis == "basket")
    with i18n.use_language(lang):
        table = next(t for t in basket.tables if t.title == i18n._("Bought together"))
    rows = [" | ".join(r) for r in table.rows]
    for pair in load_truth(lang)["pairs"]["items"]:
        a, b = pair["names"]
        both = i18n.format_int(pair["orders_with_both"], lang)
        assert any(a in row and b in row and both in row for row in rows), (a, b, rows)
    # products by name, never by id
    assert not any(re.search(r"\b(P\d\d|KF\d{3})\b", row) for row in rows)
    pdf = re.sub(r"\s+", "", pdf_text(demo_reports[lang]["pdf"]))
    assert re.sub(r"\s+", "", load_truth(lang)["pairs"]["items"][0]["names"][0]) in pdf


@pytest.mark.parametrize("lang", LANGS)
def test_tables_are_the_top_rows_formatted_as_in_the_window(demo_reports, lang):
    r = demo_reports[lang]
    part = next(p for p in r["parts"] if p.analysis.id == "pricing")
    section = next(s for s in r["report"].sections if s.analysis == "pricing")
    table = section.tables[0]
    frame = part.result.tables["prices"]
    spec = part.result.columns["prices"]
    assert len(table.rows) == min(15, len(frame)) and table.total_rows == len(frame)
    col = table.columns.index(i18n.text(spec["current_price"].title, lang))
    want = [cell_text(v, spec["current_price"], part.result.names, lang) for v in frame["current_price"].head(15)]
    assert [row[col] for row in table.rows] == want
    assert all(("¥" if lang == "zh_CN" else "$") in v for v in want)
    for s in r["report"].sections:
        for t in s.tables:
            assert len(t.columns) <= 8 and sum(t.widths()) == 100


@pytest.mark.parametrize("lang", LANGS)
def test_the_html_file_is_self_contained(demo_reports, lang):
    r = demo_reports[lang]
    html = r["html"].read_text(encoding="utf-8")
    assert f'<html lang="{lang.replace("_", "-")}"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html, re.I)
    assert "<link" not in html and "<script" not in html and "@import" not in html and "url(" not in html
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert len(images) == len(r["report"].plots()) > 0
    assert all(src.startswith("data:image/png;base64,") for src in images)
    # the same report twice gives the same file (nothing random or timed inside)
    pngs = {p.key: b"x" for p in r["report"].plots()}
    assert html_file(r["report"], pngs) == html_file(r["report"], pngs)


def test_a_tab_that_did_not_run_is_named_not_hidden(demo_reports):
    from bizops_desktop.core.report import Part

    r = demo_reports["en"]
    lost = "no open table has it"
    parts = [p if p.analysis.id != "churn" else Part(p.analysis, None, problem=lost) for p in r["parts"]]
    report = build_report(parts, "Shop")
    assert "churn" not in [s.analysis for s in report.sections]
    html = to_html(report, lambda p: None)
    assert "Not in this report" in html and "Churn risk: no open table has it" in html


def test_a_measure_of_the_whole_demo_report(demo_reports):
    # printed for the report's reader (pytest -s); nothing absolute is asserted about speed
    for lang in LANGS:
        r = demo_reports[lang]
        pages = len(pypdf.PdfReader(str(r["pdf"])).pages)
        print(f"{lang}: {pages} pages, {len(r['report'].plots())} plots, written in {r['seconds']:.2f} s")
        assert pages >= 1 + len(r["report"].sections)  # a title page, each section on pages of its own


def test_the_command_line_writes_both_files(tmp_path, capsys):
    from bizops_desktop.cli import main

    assert main(["report", "--demo", "--tab", "basket", "--out", str(tmp_path / "r.pdf"), "--quiet"]) == 0
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-" and (tmp_path / "r.html").is_file()
    assert "r.pdf" in capsys.readouterr().out
    text = pdf_text(tmp_path / "r.pdf")
    assert "Basket rules" in text and "Churn risk" not in text
    assert main(["report", "--demo", "--out", str(tmp_path / "r.txt")]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["report", "--demo", "--tab", "nosuch", "--out", str(tmp_path / "r.pdf")]) == 2


def test_the_command_line_reports_a_saved_project_as_saved(tmp_path, demo_datasets):
    from bizops_desktop.cli import main
    from bizops_desktop.core.project import AnalysisState, Project, save_project

    reg = load_registry()
    a = reg.analyses["basket"]
    orders = next(d for d in demo_datasets if d.name == "orders")
    result = a.execute(orders, {"min_support": 0.03})
    project = Project(
        datasets={"orders": orders},
        analyses={"basket": AnalysisState("basket", params={"min_support": 0.03}, dataset="orders", result=result)},
    )
    save_project(project, tmp_path / "shop.bizops")
    out = tmp_path / "out" / "shop.html"
    assert main(["report", "--project", str(tmp_path / "shop.bizops"), "--tab", "basket", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<h1>shop</h1>" in html and (tmp_path / "out" / "shop.pdf").is_file()
    assert "0.03" in html  # the saved setting, as the result was computed


# -- the window ------------------------------------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from bizops_desktop.qt.main_window import MainWindow

    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False)
    qtbot.addWidget(w)
    yield w
    w.host.jobs.shutdown(10000)


def _run_tabs(qtbot, w, ids):
    job = w.open_demo()
    qtbot.waitUntil(lambda: job.delivered, timeout=30000)
    for aid in ids:
        panel = w.panel(aid)
        with qtbot.waitSignal(panel.result_changed, timeout=60000):
            panel.run_analysis()


def test_file_export_works_after_a_run(qtbot, window):
    _run_tabs(qtbot, window, ["basket"])
    window.tabs.setCurrentWidget(window._slots["basket"])
    window._fill_export()
    acts = [a for a in window.export_menu.actions() if not a.isSeparator()]
    assert len(acts) >= 3 and all(a.isEnabled() for a in acts)
    assert any("CSV" in a.text() for a in acts)


def test_the_window_writes_the_report_in_the_job_runner_and_stays_responsive(qtbot, window, tmp_path):
    from PySide6.QtCore import QTimer

    _run_tabs(qtbot, window, ["basket", "churn", "pricing"])
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    t0 = time.perf_counter()
    with qtbot.waitSignal(window.report_written, timeout=60000) as blocker:
        job = window.export_report(tmp_path / "shop.pdf")
        assert job is not None and job in window.host.jobs.jobs()  # in the runner: progress, Cancel
    took = time.perf_counter() - t0
    timer.stop()
    files = blocker.args[0]
    assert [f.rsplit(".", 1)[1] for f in files] == ["pdf", "html"]
    text = pdf_text(files[0])
    assert "Basket rules" in text and "Pricing" in text and "Churn risk" in text
    assert "Forecast: not run yet" in re.sub(r"\s+", " ", text)  # named in the list of what is not in it
    # the GUI thread only drew the plots, one step at a time: no stall near the export's length
    plots = sum(len(window._tab_result(a)[0].plots) for a in ("basket", "churn", "pricing"))
    longest = max(gaps)
    print(f"report from the window: {took:.2f} s, {plots} plots, longest GUI stall {longest * 1000:.0f} ms")
    assert longest < took / 3


def test_cancel_stops_the_report(qtbot, window, tmp_path):
    _run_tabs(qtbot, window, ["basket"])
    job = window.export_report(tmp_path / "r.pdf")
    with qtbot.waitSignal(job.cancelled, timeout=30000):
        job.cancel()
    assert not (tmp_path / "r.pdf").exists()


def test_the_window_reports_this_tab_in_chinese(qtbot, tmp_path):
    _needs_a_chinese_font("zh_CN")
    from PySide6.QtCore import QSettings

    from bizops_desktop.qt.main_window import MainWindow

    with i18n.use_language("zh_CN"):
        w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False)
        qtbot.addWidget(w)
        try:
            _run_tabs(qtbot, w, ["basket"])
            with qtbot.waitSignal(w.report_written, timeout=60000) as blocker:
                w.export_report(tmp_path / "zh.pdf", "basket")
        finally:
            w.host.jobs.shutdown(10000)
    text = re.sub(r"\s+", "", pdf_text(blocker.args[0][0]))
    assert "购物篮规则" in text and "本周要做的事" in text
    assert '<html lang="zh-CN"' in (tmp_path / "zh.html").read_text(encoding="utf-8")
