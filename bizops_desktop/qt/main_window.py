"""The main window: datasets on the left, one tab per analysis, running jobs in the status bar,
the File menu, drag and drop, the project file, and the window's language (switched in place)."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenuBar,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop import __version__
from bizops_desktop.core import i18n
from bizops_desktop.core import overview as overview_core
from bizops_desktop.core.analysis import Analysis, load_object
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import first_line
from bizops_desktop.core.i18n import _, _l, _n
from bizops_desktop.core.plugins import Registry, load_registry

from . import warmup
from .host import Host
from .jobs import Job
from .panel import AnalysisPanel, MessageBox, coloured, join_names, role_title
from .table_model import DataFrameTable

# TRANSLATORS: a file-dialog filter: keep each part in ASCII brackets, (*.csv …), exactly as it is,
# and the ;; between the two choices.
# TRANSLATORS: a file-dialog filter: keep the part in ASCII brackets, (*.bizops), exactly as it is.
PROJECT_FILTER = _l("BizOps projects (*.bizops)")
# TRANSLATORS: a file-dialog filter: keep the parts in ASCII brackets exactly as they are.
REPORT_FILTER = _l("PDF report, with an HTML copy beside it (*.pdf);;HTML report, with a PDF beside it (*.html)")
MAX_RECENT = 8


def _tab_text(title) -> str:
    """A tab title as written: Qt reads "&" as a keyboard shortcut ("Customers & campaigns")."""
    return i18n.text(title).replace("&", "&&")


class DatasetPanel(QWidget):
    """The loaded tables: a list, the chosen one's facts and roles, and a preview."""

    def __init__(self, host: Host, parent=None):
        super().__init__(parent)
        self.host = host
        self.list = QListWidget(self)
        self.list.setObjectName("dataset_list")
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.roles_button = QPushButton(_("Column roles…"), self)
        self.remove_button = QPushButton(_("Remove"), self)
        self.preview = DataFrameTable(self, placeholder=_("Search the rows…"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.roles_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.list, 1)
        tl.addWidget(self.info)
        tl.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(self.preview)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        self.list.currentTextChanged.connect(self._show)
        self.roles_button.clicked.connect(lambda: self.current() and host.edit_roles(self.current().name))
        self.remove_button.clicked.connect(self._remove)
        host.datasets_changed.connect(self.refresh)
        self.refresh()

    def current(self) -> Dataset | None:
        item = self.list.currentItem()
        return self.host.dataset(item.text()) if item else None

    def refresh(self) -> None:
        current = self.list.currentItem().text() if self.list.currentItem() else None
        before = {self.list.item(i).text() for i in range(self.list.count())}
        names = [d.name for d in self.host.datasets()]
        added = [n for n in names if n not in before]
        if len(added) == 1 and before:
            current = added[0]  # a table just loaded is the one to look at
        # one preview per refresh: the table's column sizing reads rows of a frame that can be
        # millions long, so selecting the row must not build it a second time
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(names)
        if names:
            self.list.setCurrentRow(names.index(current) if current in names else 0)
        self.list.blockSignals(False)
        self._show(self.list.currentItem().text() if names else "")

    def _show(self, name: str) -> None:
        ds = self.host.dataset(name)
        has = ds is not None
        self.roles_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        if not has:
            self.info.setText(
                coloured(
                    _(
                        "Open a CSV or Excel export of your orders (File ▸ Open data), "
                        "drop it here, or try the demo shop."
                    ),
                    "#555",
                )
            )
            self.preview.set_frame(None)
            return
        roles = [_("{role} ({columns})", role=role_title(r), columns=join_names(c)) for r, c in ds.roles.items()]
        src = Path(ds.source).name if ds.source else _("(made in the program)")
        if ds.sheet:
            src = f"{src} [{ds.sheet}]"
        size = _(
            "{rows} × {columns} from {source}",
            rows=_n("{n} row", "{n} rows", len(ds.frame)),
            columns=_n("{n} column", "{n} columns", ds.frame.shape[1]),
            source=src,
        )
        parts = [escape(size), "<b>" + escape(_("Roles:")) + "</b> " + escape(join_names(roles) or _("none yet"))]
        parts += [coloured("• " + i18n.text(n), "#8a6d00") for n in ds.notes[:6]]
        from bizops_desktop.core.bigfile import sample_note

        if (big_note := sample_note(ds)) is not None:  # a file bigger than memory: the table is its start
            parts.insert(1, coloured(big_note, "#1a5fb4"))
        self.info.setText("<br>".join(parts))
        from bizops_desktop.core.display import Column
        from bizops_desktop.core.roles import ID_ROLES

        # id columns read as numbers (19-digit order numbers) show as written, not as 2,002,281,…
        ids = {c: Column(str(c), "text") for r in ID_ROLES for c in ds.roles.get(r, [])}
        self.preview.set_frame(ds.frame, columns=ids)

    def _remove(self) -> None:
        ds = self.current()
        if ds is not None:
            self.host.remove_dataset(ds.name)


class JobsStatus(QWidget):
    """Status-bar widget: what is running, its progress, and Cancel."""

    def __init__(self, host: Host, parent=None):
        super().__init__(parent)
        self.host = host
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(180)
        self.cancel_button = QPushButton(_("Cancel"), self)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(host.jobs.cancel_all)
        host.jobs.changed.connect(self.update_view)
        self.update_view()

    def update_view(self) -> None:
        jobs = self.host.jobs.jobs()
        self.setVisible(bool(jobs))
        if not jobs:
            return
        j = jobs[-1]
        status = j.text or _("working…")
        if len(jobs) > 1:
            text = _n(
                "{title}: {status} (and {n} more job)",
                "{title}: {status} (and {n} more jobs)",
                len(jobs) - 1,
                title=j.title,
                status=status,
            )
        else:
            text = _("{title}: {status}", title=j.title, status=status)
        self.label.setText(text)
        self.bar.setValue(int(j.fraction * 1000))

    def retranslate(self) -> None:
        self.cancel_button.setText(_("Cancel"))
        self.update_view()


class MainWindow(QMainWindow):
    project_loaded = Signal()
    dataset_loaded = Signal(object)  # Dataset
    saved = Signal(str)
    failed = Signal(str)  # message (also shown to the user)
    language_changed = Signal(str)  # the language the window now speaks
    report_written = Signal(list)  # the report's files

    def __init__(self, registry: Registry | None = None, settings: QSettings | None = None, interactive: bool = True):
        super().__init__()
        self.interactive = interactive  # False in tests: no modal questions
        self.settings = settings or QSettings()
        self.registry = registry or load_registry()
        self.host = Host(self)
        self.host.edit_roles_handler = self.edit_roles
        self.project_path: Path | None = None
        self.project_meta: dict[str, Any] = {}
        self.kept_sections: dict[str, Any] = {}  # analyses whose plugin is not installed
        self.panels: dict[str, AnalysisPanel] = {}
        self.problems: list[str] = [str(p) for p in self.registry.problems]
        self.language = i18n.get_language()  # the language the widgets were built in
        self.setAcceptDrops(True)

        # Tabs are built when first shown: a panel imports its analysis's libraries
        # (statsmodels, scikit-learn...), which must not slow the window's start.
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self._slots: dict[str, QWidget] = {}
        self._pending_state: dict[str, Any] = {}
        self._run_all_inputs: dict[str, tuple | None] = {}
        # the Overview first: the screen a shop owner opens to see this week's actions
        self.overview_slot = QWidget(self.tabs)
        QVBoxLayout(self.overview_slot).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.overview_slot, i18n.text(overview_core.TITLE))
        self.overview: Any = None
        self._build_overview()
        for a in self.registry.ordered():
            slot = QWidget(self.tabs)
            QVBoxLayout(slot).setContentsMargins(0, 0, 0, 0)
            self._slots[a.id] = slot
            self.tabs.addTab(slot, _tab_text(a.title))
        self.tabs.currentChanged.connect(lambda _i: self._build_current())
        # A timer owned by the window: if the window is gone before it fires, so is the timer
        # (a free QTimer.singleShot would call into a deleted window).
        self._first_tab_timer = QTimer(self)
        self._first_tab_timer.setSingleShot(True)
        self._first_tab_timer.timeout.connect(self._build_current)
        self._first_tab_timer.start(0)
        central = QWidget(self)
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        self.banner = MessageBox(central)
        cl.addWidget(self.banner)
        cl.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        dock = QDockWidget(_("Data"), self)
        dock.setObjectName("data_dock")
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.data_dock = dock
        self.datasets_panel = DatasetPanel(self.host, self)
        dock.setWidget(self.datasets_panel)
        self.resizeDocks([dock], [270], Qt.Orientation.Horizontal)  # the results get the room at 1360 px

        self.jobs_status = JobsStatus(self.host, self)
        self.statusBar().addPermanentWidget(self.jobs_status)
        self._build_menus()
        self.host.datasets_changed.connect(self._mark_dirty)
        self.host.datasets_changed.connect(self._mark_stale_tabs)
        self.host.datasets_changed.connect(self._refresh_overview)
        self.dirty = False
        self._update_title()
        self._show_plugin_problems()
        self._restore_geometry()
        self.apply_engine_setting()
        # the analyses' libraries imported in the background, so that a tab opened later (while a
        # job runs, say) only builds its widgets; tests (not interactive) import as they go
        self.warm_up: Any = warmup.start(self.registry) if interactive else None

    # -- building --------------------------------------------------------------------------------
    def _build_current(self) -> None:
        slot = self.tabs.currentWidget()
        for aid, w in self._slots.items():
            if w is slot:
                self.panel(aid)

    def current_panel(self) -> AnalysisPanel | None:
        """The panel of the tab shown (None before it is built, or if it could not be)."""
        slot = self.tabs.currentWidget()
        return next((self.panels.get(aid) for aid, w in self._slots.items() if w is slot), None)

    def panel(self, analysis_id: str) -> AnalysisPanel | None:
        """The tab's panel, built now if it was not yet (None if it cannot be built)."""
        if analysis_id in self.panels:
            return self.panels[analysis_id]
        slot = self._slots.get(analysis_id)
        if slot is None or slot.layout().count():
            return None
        w = self._make_panel(self.registry.analyses[analysis_id])
        slot.layout().addWidget(w)
        state = self._pending_state.pop(analysis_id, None)
        if isinstance(w, AnalysisPanel):
            if state is not None:  # a saved tab shown again: nothing changed, the project is not dirtied
                w.restore(state.params, state.dataset, state.result)
            w.result_changed.connect(self._mark_dirty)
            w.result_changed.connect(self._refresh_overview)
            w.stale_changed.connect(self._mark_stale_tabs)
            w.stale_changed.connect(self._refresh_overview)
        return self.panels.get(analysis_id)

    # -- where batch work runs -------------------------------------------------------------------
    def apply_engine_setting(self) -> None:
        """The engine saved in the settings (a Dask scheduler's address, or this computer)."""
        from bizops_desktop.core import engine

        address = str(self.settings.value("engine/scheduler", "") or "").strip()
        try:
            engine.set_engine("dask" if address else None, address or None)
        except Exception:  # noqa: BLE001 - a damaged setting: this computer, as by default
            engine.set_engine(None)

    def set_scheduler(self, address: str) -> None:
        self.settings.setValue("engine/scheduler", address.strip())
        self.apply_engine_setting()

    def choose_engine(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        current = str(self.settings.value("engine/scheduler", "") or "")
        text, ok = QInputDialog.getText(
            self,
            _("Where batch work runs"),
            _(
                "Many forecasts at once run on this computer's cores. A shop with tens of thousands of "
                "products can send them to a Dask cluster instead: give its scheduler's address "
                "(tcp://HOST:8786). Leave it empty for this computer."
            ),
            text=current,
        )
        if ok:
            self.set_scheduler(text)

    # -- the Overview ------------------------------------------------------------------------------
    def _build_overview(self) -> None:
        from .overview import OverviewPanel

        self.overview = OverviewPanel(self, self.host.jobs, self.overview_slot)
        self.overview.open_item.connect(self.open_item)
        self.overview_slot.layout().addWidget(self.overview)

    def _refresh_overview(self, *_args) -> None:
        if self.overview is not None:
            self.overview.refresh()

    def _tab_result(self, aid: str) -> tuple[Any, str | None, dict | None]:
        """A tab's result, the dataset and the parameters it ran with, shown or not yet built."""
        panel = self.panels.get(aid)
        if panel is not None:
            return panel.result, panel.result_dataset, panel.result_params
        state = self._pending_state.get(aid)
        if state is not None:
            return state.result, state.dataset, state.params
        return None, None, None

    def overview_entries(self) -> list:
        """For the Overview: each tab's current result and whether it is stale."""
        from bizops_desktop.core.overview import Entry

        if not hasattr(self, "_slots"):
            return []
        stale = set(self.stale_tabs())
        return [
            Entry(a.id, a.title, self._tab_result(a.id)[0], a.id in stale)
            for a in self.registry.ordered()
            if a.id in self._slots
        ]

    def run_all_inputs(self) -> tuple[list, list, dict]:
        """What Run all runs: every tab's analysis, the open datasets, and each tab's settings
        (its form as it is now, or as saved) and dataset."""
        saved: dict[str, tuple[dict | None, str | None]] = {}
        for a in self.registry.ordered():
            panel = self.panels.get(a.id)
            if panel is not None:
                saved[a.id] = (panel.state()["params"], panel.dataset_combo.currentText() or None)
            elif a.id in self._pending_state:
                st = self._pending_state[a.id]
                saved[a.id] = (st.params, st.dataset)
        datasets = self.host.datasets()
        # taken now, as a tab's Run does: data changed during the run leaves its results stale
        self._run_all_inputs = {d.name: self.host.input_of(d.name) for d in datasets}
        analyses = [a for a in self.registry.ordered() if a.id in self._slots and a.id not in self.kept_sections]
        return analyses, datasets, saved

    def apply_outcomes(self, outcomes: list) -> None:
        """Show the results of a Run all in their tabs (built or not)."""
        from bizops_desktop.core.project import AnalysisState

        for o in outcomes:
            if o.result is None:
                continue
            used = self._run_all_inputs.get(o.dataset) if o.dataset else None
            panel = self.panels.get(o.analysis)
            if panel is not None:
                if panel.running:
                    continue  # the tab's own run, started meanwhile, has the last word
                try:
                    panel.set_params(o.params)
                except Exception:  # noqa: BLE001 - the form keeps its values; the result is what counts
                    pass
                panel.select_dataset(o.dataset)
                panel.set_result(o.result, o.dataset, o.params, used)
                continue
            a = self.registry.analyses[o.analysis]
            self._pending_state[o.analysis] = AnalysisState(
                analysis_id=a.id,
                plugin=a.plugin,
                plugin_version=a.plugin_version,
                state_version=a.state_version,
                params=o.params,
                dataset=o.dataset,
                result=o.result,
            )
            self.host.remember_input(a.id, o.result, used if used is not None else self.host.input_of(o.dataset))
        self._mark_dirty()
        self._mark_stale_tabs()
        self._refresh_overview()

    def open_item(self, analysis_id: str, table: str = "", key: dict | None = None) -> bool:
        """Show the tab of ``analysis_id``, on the row of ``table`` that ``key`` finds, if any."""
        slot = self._slots.get(analysis_id)
        if slot is None:
            return False
        self.tabs.setCurrentWidget(slot)
        panel = self.panel(analysis_id)
        if panel is None or not key:
            return panel is not None
        return panel.show_item(table, key)

    def _make_panel(self, analysis) -> QWidget:
        try:
            factory = load_object(analysis.panel) if analysis.panel else AnalysisPanel
            panel = factory(analysis, self.host)
        except Exception as exc:  # a plugin's panel that cannot be built must not take the app down
            error = first_line(exc)[:200]
            msg = _("The {tab} tab could not be shown ({error})", tab=analysis.title, error=error)
            self.problems.append(msg)
            w = QLabel(_("{problem}. The other tabs work.", problem=msg), self)
            w.setWordWrap(True)
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return w
        self.panels[analysis.id] = panel
        return panel

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(_("&File"))
        self.act_open_data = m.addAction(_("Open &data…"), self.open_data_dialog)
        self.act_open_data.setShortcut(QKeySequence("Ctrl+D"))
        self.act_open_project = m.addAction(_("&Open project…"), self.open_project_dialog)
        self.act_open_project.setShortcut(QKeySequence.StandardKey.Open)
        self.recent_menu = m.addMenu(_("Recent projects"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addAction(_("Open the &demo shop"), self.open_demo)
        m.addSeparator()
        self.act_save = m.addAction(_("&Save"), self.save)
        self.act_save.setShortcut(QKeySequence.StandardKey.Save)
        self.act_save_as = m.addAction(_("Save &as…"), self.save_as_dialog)
        self.act_save_as.setShortcut(QKeySequence.StandardKey.SaveAs)
        self.export_menu = m.addMenu(_("&Export"))
        self.export_menu.aboutToShow.connect(self._fill_export)
        self.act_report = m.addAction(_("Export &report (every tab)…"), self.export_report_dialog)
        self.act_report_tab = m.addAction(
            _("Export report of &this tab…"), lambda: self.export_report_dialog(this_tab=True)
        )
        m.addSeparator()
        act = m.addAction(_("&Quit"), self.close)
        act.setShortcut(QKeySequence.StandardKey.Quit)
        d = mb.addMenu(_("&Data"))
        d.addAction(
            _("Column roles…"),
            lambda: self.datasets_panel.current() and self.edit_roles(self.datasets_panel.current().name),
        )
        d.addAction(_("Combine two files…"), self.combine_data)
        d.addSeparator()
        self.act_engine = d.addAction(_("Where batch work runs…"), self.choose_engine)
        # TRANSLATORS: keep the English word too ("语言 Language"): whoever picked a language they
        # cannot read must still find the way back
        self.language_menu = mb.addMenu(_("&Language"))
        group = QActionGroup(self.language_menu)
        self.language_actions = {}
        for code, name in i18n.LANGUAGES.items():
            act = self.language_menu.addAction(name)  # each language in its own words
            act.setCheckable(True)
            act.setChecked(code == self.language)
            act.triggered.connect(lambda _checked=False, code=code: self.switch_language(code))
            group.addAction(act)
            self.language_actions[code] = act
        h = mb.addMenu(_("&Help"))
        self.act_guide = h.addAction(_("&Guide"), self.show_guide)
        self.act_guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        h.addAction(_("&Plugins…"), self._show_plugins)
        self.act_log_folder = h.addAction(_("Open &log folder"), self.open_log_folder)
        h.addAction(_("About BizOps Desktop"), self._about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_projects()
        if not recent:
            a = self.recent_menu.addAction(_("(none yet)"))
            a.setEnabled(False)
        for p in recent:
            self.recent_menu.addAction(p, lambda p=p: self.open_project(p))

    def _fill_export(self) -> None:
        self.export_menu.clear()
        panel = self.current_panel()
        if panel is not None and panel.result is not None:
            panel._fill_export_menu()
            for act in panel.export_menu.actions():
                self.export_menu.addAction(act)
        else:
            a = self.export_menu.addAction(_("Run an analysis first; its tables and plots can then be exported"))
            a.setEnabled(False)

    # -- the report ------------------------------------------------------------------------------
    def report_parts(self, tab: str | None = None) -> list:
        """What a report holds: each tab's current result (or only ``tab``'s), shown or not."""
        from bizops_desktop.core.report import Part

        stale = set(self.stale_tabs())
        parts = []
        for a in self.registry.ordered():
            if a.id not in self._slots or (tab is not None and a.id != tab):
                continue
            result, dataset, params = self._tab_result(a.id)
            parts.append(Part(a, result, dataset, params, a.id in stale))
        return parts

    def export_report_dialog(self, this_tab: bool = False) -> Job | None:
        from bizops_desktop.core.export import safe_filename

        tab = self._current_tab_id() if this_tab else None
        if this_tab and tab is None:
            self.banner.show_message(_("Pick an analysis tab first: this tab has no report of its own."), "info")
            return None
        name = safe_filename((self.project_path.stem if self.project_path else "") or _("report"))
        path, _chosen = QFileDialog.getSaveFileName(
            self, _("Export report"), str(Path(self._last_dir()) / f"{name}.pdf"), str(REPORT_FILTER)
        )
        return self.export_report(path, tab) if path else None

    def _current_tab_id(self) -> str | None:
        return next((aid for aid, w in self._slots.items() if w is self.tabs.currentWidget()), None)

    def export_report(self, path: str | os.PathLike, tab: str | None = None) -> Job | None:
        """Write the report (PDF and HTML side by side) of every tab with a result, or of ``tab``,
        in the window's language, in the job runner: the worker gathers and writes, the GUI thread
        only draws each plot when the worker asks for it (pyqtgraph plots are widgets)."""
        from bizops_desktop.core.report import build_report, source_name

        from .report import GuiPlotPictures, report_font_warning, report_paths, write_report

        parts = self.report_parts(tab)
        if not any(p.result is not None for p in parts):
            self.banner.show_message(_("Run an analysis first; the report shows its results."), "info")
            return None
        try:
            report_paths(path if Path(path).suffix else f"{path}.pdf")
        except Exception as exc:  # noqa: BLE001 - a wrong name is a message
            from .jobs import describe_error

            self.show_error(*describe_error(exc))
            return None
        if not Path(path).suffix:
            path = f"{path}.pdf"
        source = source_name(self.project_path, self.host.datasets())
        lang = self.language
        warning = report_font_warning(lang)
        if warning:
            self.banner.show_message(warning, "warning")
        draw = GuiPlotPictures(self)

        def work(progress):
            report = build_report(parts, source, lang=lang, progress=progress.sub(0.0, 0.05))
            return write_report(report, path, lambda spec: draw(spec, progress), progress.sub(0.05, 1.0))

        def done(r) -> None:
            files, seconds = r
            self.last_report = (files, seconds)
            self.statusBar().showMessage(
                _("Report written to {files}.", files=i18n.format_list([str(f) for f in files])), 10000
            )
            self.report_written.emit([str(f) for f in files])

        self.settings.setValue("last_dir", str(Path(path).parent))
        return self.host.jobs.submit(_("Writing the report"), work, on_result=done, on_error=self.show_error)

    # -- the language ------------------------------------------------------------------------------
    def switch_language(self, lang: str) -> bool:
        """Show the window in ``lang`` from now on (and at the next start) without losing
        anything: the project in memory (datasets, every tab's settings and result) is taken,
        the menus, tabs, panels and data panel are built again in the new language, and the
        project is put back the way opening a project does: nothing is read again or recomputed;
        the project's file and unsaved state stay. Refused while a job runs (its tab would be
        rebuilt under it). Returns whether the window now speaks ``lang``."""
        from .language import apply_language

        lang = i18n.normalize_language(lang) or i18n.SOURCE_LANGUAGE
        if self.host.jobs.jobs():
            self._check_language(self.language)
            self.banner.show_message(
                _(
                    "The language can be changed once the running work has finished. "
                    "Wait for it, or press Cancel in the status bar, then choose the "
                    "language again."
                ),
                "warning",
            )
            return False
        if lang == self.language:
            apply_language(lang, self.settings, remember=True)
            self._check_language(lang)
            return True
        project = self.current_project()
        dirty, path, tab = self.dirty, self.project_path, self.tabs.currentIndex()
        selected = self.datasets_panel.current()
        apply_language(lang, self.settings, remember=True)
        self.language = lang
        self._rebuild()
        self._apply_project(project)
        self.project_path, self.dirty = path, dirty
        if selected is not None:
            items = self.datasets_panel.list.findItems(selected.name, Qt.MatchFlag.MatchExactly)
            if items:
                self.datasets_panel.list.setCurrentItem(items[0])
        self.tabs.setCurrentIndex(tab)
        self._build_current()
        self._update_title()
        if not self.banner.isVisibleTo(self):
            self._show_plugin_problems()
        self.statusBar().clearMessage()
        self.language_changed.emit(lang)
        return True

    def _check_language(self, lang: str) -> None:
        for code, act in self.language_actions.items():
            act.setChecked(code == lang)

    def _rebuild(self) -> None:
        """Every widget with words built again in the current language: the menus, the tab
        titles, the panels (built again when shown), the data panel, the status bar."""
        self._first_tab_timer.stop()
        for slot in self._slots.values():
            lay = slot.layout()
            while lay.count():
                w = lay.takeAt(0).widget()
                if w is not None:
                    self._discard(w)
        self.panels = {}
        self._pending_state = {}
        self.problems = [str(p) for p in self.registry.problems]
        lay = self.overview_slot.layout()
        while lay.count():
            w = lay.takeAt(0).widget()
            if w is not None:  # connected to nothing of the host's: no _discard needed
                w.blockSignals(True)
                w.deleteLater()
        self.tabs.setTabText(self.tabs.indexOf(self.overview_slot), i18n.text(overview_core.TITLE))
        self._build_overview()
        for a in self.registry.ordered():
            slot = self._slots.get(a.id)
            if slot is not None:
                self.tabs.setTabText(self.tabs.indexOf(slot), _tab_text(a.title))
        old = self.datasets_panel
        self.datasets_panel = DatasetPanel(self.host, self)
        self.data_dock.setWidget(self.datasets_panel)
        self.data_dock.setWindowTitle(_("Data"))
        self._discard(old)
        self.jobs_status.retranslate()
        self.setMenuBar(QMenuBar(self))  # the old bar is deleted by the window
        self._build_menus()
        self.banner.clear()

    def _discard(self, w: QWidget) -> None:
        """Take a panel out of service: no more updates from the host, then gone."""
        for slot in (getattr(w, "refresh_datasets", None), getattr(w, "refresh", None)):
            if slot is not None:
                try:
                    self.host.datasets_changed.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        w.blockSignals(True)
        w.close()
        w.hide()
        w.deleteLater()

    def stale_tabs(self) -> list[str]:
        """The analyses whose result was computed from data that has changed since, shown or not."""
        out = []
        for aid in self._slots:
            panel = self.panels.get(aid)
            if panel is not None:
                if panel.is_stale():
                    out.append(aid)
                continue
            state = self._pending_state.get(aid)
            if state is None or state.result is None:
                continue
            used = self.host.remembered_input(aid, state.result)
            now = self.host.input_of(state.dataset)
            if used is not None and now is not None and used != now:
                out.append(aid)
        return out

    def _mark_stale_tabs(self, *_args) -> None:
        """A warning sign on the tab of each stale result, so the user sees it without opening every tab."""
        stale = set(self.stale_tabs())
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        tip = _("The data has changed since this result was computed. Run again to update it.")
        for aid, slot in self._slots.items():
            i = self.tabs.indexOf(slot)
            self.tabs.setTabIcon(i, icon if aid in stale else QIcon())
            self.tabs.setTabToolTip(i, tip if aid in stale else "")

    # -- messages ------------------------------------------------------------------------------
    def show_error(self, message: str, details: str = "") -> None:
        message = i18n.text(message)
        self.banner.show_message(message, "error", details)
        self.statusBar().showMessage(message.splitlines()[0][:160] if message else "", 10000)
        self.failed.emit(message)

    def _show_plugin_problems(self) -> None:
        plugin_problems = [str(p) for p in self.registry.problems]
        if plugin_problems:
            self.banner.show_message(
                _("Some plugins were skipped; the rest of the program works:")
                + "\n"
                + "\n".join("• " + p for p in plugin_problems),
                "warning",
            )

    def open_log_folder(self) -> bool:
        """Show the folder of the log file (what a bug report should include)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from bizops_desktop.core.log import log_path, setup_logging

        setup_logging()
        folder = log_path().parent
        folder.mkdir(parents=True, exist_ok=True)
        ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not ok:
            self.banner.show_message(_("The log is in {folder}", folder=str(folder)), "info")
        return ok

    def plugins_text(self) -> str:
        """Help ▸ Plugins: every plugin with its version and tabs, then what went wrong."""
        text = "\n".join(self.registry.describe()) or _("No plugins are loaded.")
        if self.problems:
            text += "\n\n" + _("Problems:") + "\n" + "\n".join("• " + i18n.text(p) for p in self.problems)
        return text

    def show_guide(self) -> None:
        """Help ▸ Guide, open on the current tab's guide."""
        from .guide import GuideDialog

        current = next((aid for aid, slot in self._slots.items() if slot is self.tabs.currentWidget()), None)
        if self.tabs.currentWidget() is self.overview_slot:
            current = "overview"
        old = getattr(self, "guide_dialog", None)
        if old is not None:
            old.close()
            old.deleteLater()
        first = Analysis(
            id="overview", title=overview_core.TITLE, summary=overview_core.SUMMARY, guide=overview_core.GUIDE
        )
        self.guide_dialog = GuideDialog([first, *self.registry.ordered()], current, self)
        self.guide_dialog.show()

    def _show_plugins(self) -> None:
        QMessageBox.information(self, _("Plugins"), self.plugins_text())

    def _about(self) -> None:
        QMessageBox.about(
            self,
            _("About BizOps Desktop"),
            _("BizOps Desktop {version}\nShop analytics for small online shops.", version=__version__),
        )

    def _mark_dirty(self, *_args) -> None:
        self.dirty = True
        self._update_title()

    def _update_title(self) -> None:
        name = self.project_path.name if self.project_path else _("untitled")
        self.setWindowTitle(_("{project} — BizOps Desktop", project=name + (" •" if self.dirty else "")))

    # -- data --------------------------------------------------------------------------------
    def open_data_dialog(self) -> None:
        from bizops_desktop.core.importer import file_dialog_filter

        # the filter lists every type an importer reads, plugin importers included
        flt = file_dialog_filter(self.registry.importers)
        path, _chosen = QFileDialog.getOpenFileName(self, _("Open data"), self._last_dir(), flt)
        if path:
            self.open_data(path)

    def open_data(self, path: str | os.PathLike, options=None, *, ask: bool | None = None) -> Job | None:
        """Preview (when interactive), then load in the job runner (a file bigger than memory
        out of core: core/bigfile.py)."""
        from bizops_desktop.core.bigfile import open_data as load_dataset

        path = Path(path)
        self.settings.setValue("last_dir", str(path.parent))
        ask = self.interactive if ask is None else ask
        if ask and options is None:
            try:
                from .import_dialog import ImportDialog

                dlg = ImportDialog(path, self, importers=self.registry.importers)
            except Exception as exc:
                from .jobs import describe_error

                self.show_error(*describe_error(exc))
                return None
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            options = dlg.options()
        return self.host.jobs.submit(
            _("Reading {file}", file=path.name),
            load_dataset,
            path,
            options,
            importers=self.registry.importers,
            on_result=self._data_loaded,
            on_error=self.show_error,
        )

    def combine_data(self, paths=(), key=None, *, ask: bool | None = None) -> Job | None:
        """Data ▸ Combine: two files of one export (Taobao's orders and items reports) joined on
        the order number, previewed in a dialog when interactive, then loaded in the job runner."""
        from bizops_desktop.core.importer.combine import combine_files

        ask = self.interactive if ask is None else ask
        if ask:
            from .combine_dialog import CombineDialog

            dlg = CombineDialog(paths, self, jobs=self.host.jobs)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            paths, key = dlg.paths(), dlg.key()
        return self.host.jobs.submit(
            _("Combining {files}", files=" + ".join(Path(p).name for p in paths)),
            combine_files,
            [Path(p) for p in paths],
            None,
            key=key,
            on_result=self._data_loaded,
            on_error=self.show_error,
        )

    def _data_loaded(self, ds: Dataset) -> None:
        ds.name = self.host.unique_name(ds.name)
        self.host.add_dataset(ds)
        self.datasets_panel.list.setCurrentRow(self.datasets_panel.list.count() - 1)
        self.statusBar().showMessage(
            _n("Loaded {name}: {n} row.", "Loaded {name}: {n} rows.", len(ds.frame), name=ds.name), 8000
        )
        self.dataset_loaded.emit(ds)
        if self.interactive:
            self.edit_roles(ds.name)

    def open_demo(self) -> Job:
        """The demo shop in the window's language (the Chinese shop in Chinese)."""
        from bizops_desktop.core.demo import load_demo

        def loaded(datasets: list[Dataset]) -> None:
            taken: set[str] = set()
            for ds in datasets:
                ds.name = self.host.unique_name(ds.name, taken)
                taken.add(ds.name)
            # all tables at once: one refresh of the tabs and the data list (which opens on the
            # orders), not one per table
            self.host.set_datasets(self.host.datasets() + list(datasets))
            self.dirty = False
            self._update_title()
            for ds in datasets:
                self.dataset_loaded.emit(ds)

        return self.host.jobs.submit(
            _("Opening the demo shop"), load_demo, lang=self.language, on_result=loaded, on_error=self.show_error
        )

    def edit_roles(self, name: str) -> None:
        from .roles_dialog import RolesDialog

        ds = self.host.dataset(name)
        if ds is None:
            return
        dlg = RolesDialog(ds, self.registry.ordered(), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            ds.roles = dlg.roles()
            self.host.roles_changed(name)

    # -- project -------------------------------------------------------------------------------
    def open_project_dialog(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(self, _("Open project"), self._last_dir(), str(PROJECT_FILTER))
        if path:
            self.open_project(path)

    def open_project(self, path: str | os.PathLike) -> Job:
        from bizops_desktop.core.project import load_project

        path = Path(path)
        known = self.registry.analyses  # the analyses themselves: saved state versions are checked

        def work(progress):
            from bizops_desktop.core.project import stale_sources

            project = load_project(path, known, progress)
            return project, stale_sources(project)  # hashing sources is file work: not on the GUI thread

        return self.host.jobs.submit(
            _("Opening {file}", file=path.name),
            work,
            on_result=lambda r: self._project_loaded(r[0], path, r[1]),
            on_error=self.show_error,
        )

    def _project_loaded(self, project, path: Path, stale: list[str]) -> None:
        self._apply_project(project)
        self.project_path = path
        self.dirty = False
        self._remember_recent(path)
        self._update_title()
        self.statusBar().showMessage(_("Opened {file}.", file=path.name), 8000)
        self.project_loaded.emit()
        if stale:
            self._offer_reload(stale)

    def _apply_project(self, project) -> None:
        """Show a project's datasets and tabs (its settings and results, as saved): opening a
        project file, and the window built again in another language."""
        self.host.set_datasets(list(project.datasets.values()))
        self.kept_sections = {}
        self._pending_state = {}
        for panel in self.panels.values():
            panel.restore(None, None, None)
        for aid, state in project.analyses.items():
            if aid not in self._slots or state.raw is not None:
                self.kept_sections[aid] = state  # not installed here: written back untouched
            elif aid in self.panels:
                self.panels[aid].restore(state.params, state.dataset, state.result)
            else:
                self._pending_state[aid] = state  # restored when its tab is first shown
                if state.result is not None and self.host.remembered_input(aid, state.result) is None:
                    # computed from the data as it is now: a change before the tab is shown makes it stale
                    self.host.remember_input(aid, state.result, self.host.input_of(state.dataset))
        self.project_meta = dict(project.meta)
        self._mark_stale_tabs()
        self._refresh_overview()
        self.banner.clear()
        unopened = [i18n.text(s.problem) for s in project.analyses.values() if s.problem]
        if unopened:
            self.banner.show_message("\n".join(unopened), "warning")

    def _offer_reload(self, names: list[str]) -> None:
        text = _n(
            "The source file of {names:list} has changed since it was imported. Reload it? "
            "(Results stay until you run again.)",
            "The source files of {names:list} have changed since they were imported. Reload them? "
            "(Results stay until you run again.)",
            len(names),
            names=names,
        )
        if not self.interactive:
            self.banner.show_message(text, "warning")
            return
        if QMessageBox.question(self, _("Source changed"), text) == QMessageBox.StandardButton.Yes:
            for name in names:
                self.reload_dataset(name)

    def reload_dataset(self, name: str) -> Job | None:
        from bizops_desktop.core.bigfile import open_data as load_dataset  # a big file: out of core
        from bizops_desktop.core.importer import ImportOptions

        ds = self.host.dataset(name)
        if ds is None or not ds.source:
            return None
        opts = ImportOptions.from_dict(ds.import_options) if ds.import_options else None

        def done(new: Dataset) -> None:
            new.name = name
            # keep the user's roles where the columns still exist
            new.roles = {r: [c for c in cols if c in new.frame.columns] for r, cols in ds.roles.items()}
            new.roles = {r: c for r, c in new.roles.items() if c}
            self.host.add_dataset(new)

        return self.host.jobs.submit(
            _("Reloading {name}", name=name),
            load_dataset,
            Path(ds.source),
            opts,
            importers=self.registry.importers,
            on_result=done,
            on_error=self.show_error,
        )

    def current_project(self):
        from bizops_desktop.core.project import AnalysisState, Project

        analyses = dict(self.kept_sections)
        analyses.update(self._pending_state)
        for aid, panel in self.panels.items():
            st = panel.state()
            if aid in self.kept_sections and st["result"] is None:
                continue  # a section this version could not open stays as saved until the tab is run
            a = panel.analysis
            analyses[aid] = AnalysisState(
                analysis_id=aid,
                plugin=a.plugin,
                plugin_version=a.plugin_version,
                state_version=a.state_version,
                params=st["params"],
                dataset=st["dataset"],
                result=st["result"],
            )
        meta = dict(self.project_meta)
        meta["app_version"] = __version__
        return Project(
            datasets={d.name: d for d in self.host.datasets()}, analyses=analyses, path=self.project_path, meta=meta
        )

    def save(self) -> Job | None:
        if self.project_path is None:
            return self.save_as_dialog()
        return self.save_to(self.project_path)

    def save_as_dialog(self) -> Job | None:
        path, _chosen = QFileDialog.getSaveFileName(self, _("Save project"), self._last_dir(), str(PROJECT_FILTER))
        if not path:
            return None
        if not path.endswith(".bizops"):
            path += ".bizops"
        return self.save_to(path)

    def save_to(self, path: str | os.PathLike) -> Job:
        from bizops_desktop.core.project import save_project

        path = Path(path)
        project = self.current_project()

        def done(_r) -> None:
            self.project_path = path
            self.dirty = False
            self._remember_recent(path)
            self._update_title()
            self.statusBar().showMessage(_("Saved {file}.", file=path.name), 8000)
            self.saved.emit(str(path))

        return self.host.jobs.submit(
            _("Saving {file}", file=path.name), save_project, project, path, on_result=done, on_error=self.show_error
        )

    # -- recent files, geometry -----------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        v = self.settings.value("recent_projects", [])
        if isinstance(v, str):
            v = [v]
        return [p for p in (v or []) if isinstance(p, str)]

    def _remember_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        recent = [p] + [r for r in self.recent_projects() if r != p]
        self.settings.setValue("recent_projects", recent[:MAX_RECENT])

    def _last_dir(self) -> str:
        return str(self.settings.value("last_dir", str(Path.home())))

    def _restore_geometry(self) -> None:
        geo = self.settings.value("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1360, 840)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        if self.interactive and self.dirty and (self.host.datasets() or self.project_path):
            ans = QMessageBox.question(
                self,
                _("Save changes?"),
                _("Save the project before closing?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if ans == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if ans == QMessageBox.StandardButton.Save:
                job = self.save()
                if job is None:
                    event.ignore()
                    return
                finished = job.wait(120)
                if not finished or job.state != "done":
                    # a failed save keeps the window open: its message is shown, nothing is lost
                    event.ignore()
                    return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.host.jobs.shutdown(10000)  # running jobs are cancelled cleanly
        super().closeEvent(event)

    # -- drag and drop ---------------------------------------------------------------------------
    def accepts_file(self, path: str | os.PathLike) -> bool:
        """A file this window opens when dropped: a project, or any type an importer reads."""
        from bizops_desktop.core.importer import data_extensions

        suffix = Path(path).suffix.lower()
        return suffix == ".bizops" or suffix in data_extensions(self.registry.importers)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(self.accepts_file(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            self.open_path(url.toLocalFile())
        event.acceptProposedAction()

    def open_path(self, path: str | os.PathLike) -> Job | None:
        p = Path(path)
        if p.suffix.lower() == ".bizops":
            return self.open_project(p)
        return self.open_data(p)
