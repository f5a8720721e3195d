"""The report's pictures and its PDF: each plot drawn by the one plot renderer
(:func:`bizops_desktop.qt.plots.render_plot`), the PDF printed by Qt itself (QTextDocument on a
QPdfWriter, A4) from the same HTML as the self-contained file, with a Chinese-capable font so
Chinese text is embedded and prints anywhere. No browser, no new dependency.

Threads: a pyqtgraph plot is a widget and is drawn on the GUI thread only; everything else
(gathering, PNG encoding, HTML, QTextDocument layout and the PDF, which are not widgets) runs in
a worker of the job runner. :class:`GuiPlotPictures` lets a worker ask the GUI thread for one
picture at a time, so the window goes on drawing between plots and Cancel is honoured at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from bizops_desktop.core import i18n
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import _
from bizops_desktop.core.plotspec import PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.report import CJK_FONTS, CJK_PREFIXES, LATIN_FONTS, Report, html_file, to_html

PLOT_SIZE = (900, 500)  # pixels of each picture: ~150 dpi across the A4 text width
IMAGE_WIDTH = 640  # the width a picture takes in the page layout (of ~680 across A4's text)
MARGIN_MM = 15.0
PictureFn = Callable[[PlotSpec], QImage]


# -- pictures --------------------------------------------------------------------------------------
def plot_image(spec: PlotSpec, size: tuple[int, int] = PLOT_SIZE) -> QImage:
    """One plot as a picture, drawn by the tabs' renderer (GUI thread only: it is a widget)."""
    from .plots import ensure_app, render_plot

    app = ensure_app()
    w = render_plot(spec.localized())
    try:
        w.resize(*size)
        w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        w.show()
        app.processEvents()
        return w.grab().toImage()
    finally:
        w.close()
        w.deleteLater()


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


class GuiPlotPictures(QObject):
    """Made on the GUI thread; a worker calls it with a PlotSpec and gets the QImage. The GUI thread
    draws the plot in two turns of its event loop (build, then grab after the layout ran), so
    each stall is one small step; the worker waits, checking Cancel."""

    _wanted = Signal(object, object)  # spec, box

    def __init__(self, parent=None, size: tuple[int, int] = PLOT_SIZE):
        super().__init__(parent)
        self.size = size
        self._wanted.connect(self._draw, Qt.ConnectionType.QueuedConnection)

    def __call__(self, spec: PlotSpec, progress: Progress | None = None) -> QImage:
        box: dict = {"done": threading.Event()}
        self._wanted.emit(spec, box)
        while not box["done"].wait(0.05):
            if progress is not None:
                progress.check()  # Cancelled: the GUI thread's picture, if any, is dropped
        if "error" in box:
            raise box["error"]
        return box["image"]

    @Slot(object, object)
    def _draw(self, spec: PlotSpec, box: dict) -> None:  # GUI thread
        from .plots import render_plot

        try:
            w = render_plot(spec.localized())
            w.resize(*self.size)
            w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            w.show()
        except Exception as exc:  # noqa: BLE001 - handed to the worker, which reports it
            box["error"] = exc
            box["done"].set()
            return

        def grab() -> None:
            try:
                box["image"] = w.grab().toImage()
            except Exception as exc:  # noqa: BLE001
                box["error"] = exc
            finally:
                w.close()
                w.deleteLater()
                box["done"].set()

        QTimer.singleShot(0, self, grab)


def pictures(report: Report, draw: Callable[[PlotSpec], QImage], progress: Progress | None = None) -> dict:
    """Each plot of the report as (QImage, PNG bytes), by its key; a plot that cannot be drawn
    is left out of the report (its section says the rest)."""
    from bizops_desktop.core.errors import Cancelled
    from bizops_desktop.core.log import log_error

    out = {}
    plots = report.plots()
    for i, p in enumerate(plots):
        if progress is not None:
            progress.report(i / max(len(plots), 1), _("Drawing “{plot}”", plot=p.title))
            progress.check()
        try:
            img = draw(p.spec.localized(report.lang))  # in the report's language, whatever the thread's
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - one odd plot must not lose the whole report
            log_error(f"report: plot {p.key} could not be drawn", exc)
            continue
        out[p.key] = (img, png_bytes(img))
    return out


# -- fonts -----------------------------------------------------------------------------------------
def cjk_font() -> str | None:
    """A font family on this machine that draws Simplified Chinese, the best known first."""
    from .plots import ensure_app

    ensure_app()  # the font database needs the application (the CLI has none yet)
    have = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    if not have:
        return None
    for name in CJK_FONTS:
        if name in have:
            return name
    for prefix in CJK_PREFIXES:
        found = next((f for f in have if f.startswith(prefix) and "Mono" not in f), None)
        if found:
            return found
    return have[0]


def report_fonts(lang: str) -> list[str]:
    """The families the PDF is set in: the machine's usual sans font for Latin text and a Chinese
    one (Chinese first in a Chinese report, so its punctuation is full-width as it should be)."""
    have = set(QFontDatabase.families())
    # a real family: an alias such as "Sans Serif" may resolve to the Chinese font on Linux
    latin = next((f for f in LATIN_FONTS if f in have), None) or QFont().defaultFamily()
    cjk = cjk_font()
    fonts = [cjk, latin] if lang == "zh_CN" else [latin, cjk]
    return [f for f in dict.fromkeys(fonts) if f]


def report_font_warning(lang: str) -> str | None:
    """The words to show when a Chinese report would print its text as boxes (no CJK font)."""
    if lang != "zh_CN" or cjk_font() is not None:
        return None
    from .language import font_warning

    with i18n.use_language("zh_CN"):
        return font_warning()


# -- writing ---------------------------------------------------------------------------------------
def write_pdf(report: Report, images: dict, path: str | os.PathLike) -> Path:
    """The report as an A4 PDF, drawn by Qt from the report's HTML (not a widget: a worker thread
    may call it). Fonts are embedded by Qt's PDF engine (subsets)."""
    path = Path(path)
    fonts = report_fonts(report.lang)
    doc = QTextDocument()
    base = QFont()
    base.setFamilies(fonts)
    base.setPointSizeF(10.0)
    doc.setDefaultFont(base)
    names = {}
    for key, (img, _png) in images.items():
        name = f"plot-{key}.png"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
        names[key] = name
    doc.setHtml(to_html(report, lambda p: names.get(p.key), fonts=fonts, image_width=IMAGE_WIDTH))
    writer = QPdfWriter(str(path))
    writer.setTitle(_("Report: {source}", source=report.source))
    writer.setCreator("BizOps Desktop")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(300)
    doc.print_(writer)
    del writer  # the file is complete once the writer is gone
    if not path.is_file() or path.stat().st_size == 0:
        raise DataError(
            _("the PDF could not be written"), where=str(path), hint=_("Check that you may write to that folder")
        )
    return path


def report_paths(out: str | os.PathLike) -> tuple[Path, Path]:
    """``x.pdf`` -> (x.pdf, x.html); ``x.html`` -> (x.pdf, x.html): both files are always written,
    side by side, so the one sent by mail and the one printed say the same."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        from bizops_desktop.core.errors import UsageError

        raise UsageError(
            _("--out {path}: the report is a .pdf or .html file", path=str(out)),
            hint=_("for example --out report.pdf (the .html is written beside it)"),
        )
    stem = out.with_suffix("")
    return stem.with_suffix(".pdf"), (out if suffix != ".pdf" else stem.with_suffix(".html"))


def write_report(
    report: Report, out: str | os.PathLike, draw: Callable[[PlotSpec], QImage], progress: Progress | None = None
) -> tuple[list[Path], float]:
    """Pictures, the HTML file and the PDF of ``report``; returns the files and the seconds it took."""
    t0 = time.perf_counter()
    progress = progress or Progress()
    pdf, html = report_paths(out)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    images = pictures(report, draw, progress.sub(0.0, 0.7))
    progress.report(0.75, _("Writing the HTML file"))
    try:
        pngs = {k: png for k, (_img, png) in images.items()}
        html.write_text(html_file(report, pngs, report_fonts(report.lang)), encoding="utf-8")
    except OSError as exc:
        raise DataError(
            _("the report could not be written ({reason})", reason=exc.strerror or exc),
            where=str(html),
            hint=_("Pick another folder, or close the file where it is open"),
        ) from exc
    progress.report(0.8, _("Writing the PDF"))
    progress.check()
    with i18n.use_language(report.lang):
        write_pdf(report, images, pdf)
    progress.report(1.0, "")
    return [pdf, html], time.perf_counter() - t0


def plot_image_for_worker(pictures_fn: GuiPlotPictures, progress: Progress) -> PictureFn:
    return lambda spec: pictures_fn(spec, progress)
