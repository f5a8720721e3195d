"""The main window: datasets on the left, one tab per analysis, running jobs in the status bar,
the File menu, drag and drop, and the project file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QDialog, QDockWidget, QFileDialog, QHBoxLayout, QLabel,
                               QListWidget, QMainWindow, QMessageBox, QProgressBar, QPushButton,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from bizops_desktop import __version__
from bizops_desktop.core.analysis import load_object
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.plugins import Registry, load_registry

from .host import Host
from .jobs import Job
from .panel import AnalysisPanel, MessageBox
from .table_model import DataFrameTable

DATA_FILTER = "Data files (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls);;All files (*)"
PROJECT_FILTER = "BizOps projects (*.bizops)"
DATA_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls"}
MAX_RECENT = 8


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
        self.roles_button = QPushButton("Column roles…", self)
        self.remove_button = QPushButton("Remove", self)
        self.preview = DataFrameTable(self, placeholder="Search the rows…")
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
        names = [d.name for d in self.host.datasets()]
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(names)
        self.list.blockSignals(False)
        if names:
            self.list.setCurrentRow(names.index(current) if current in names else 0)
            self._show(self.list.currentItem().text())
        else:
            self._show("")

    def _show(self, name: str) -> None:
        ds = self.host.dataset(name)
        has = ds is not None
        self.roles_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        if not has:
            self.info.setText("<span style='color:#555'>Open a CSV or Excel export of your orders "
                              "(File ▸ Open data), drop it here, or try the demo shop.</span>")
            self.preview.set_frame(None)
            return
        roles = ", ".join(r if c == [r] else f"{r} ({', '.join(c)})" for r, c in ds.roles.items()) or "none yet"
        src = Path(ds.source).name if ds.source else "(made in the program)"
        notes = "".join(f"<br><span style='color:#8a6d00'>• {n}</span>" for n in ds.notes[:6])
        self.info.setText(f"{len(ds.frame):,} rows × {ds.frame.shape[1]} columns from {src}"
                          f"{' [' + ds.sheet + ']' if ds.sheet else ''}<br><b>Roles</b>: {roles}{notes}")
        self.preview.set_frame(ds.frame)

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
        self.cancel_button = QPushButton("Cancel", self)
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
        more = f" (+{len(jobs) - 1} more)" if len(jobs) > 1 else ""
        self.label.setText(f"{j.title}: {j.text or 'working'}{more}")
        self.bar.setValue(int(j.fraction * 1000))


class MainWindow(QMainWindow):
    project_loaded = Signal()
    dataset_loaded = Signal(object)      # Dataset
    saved = Signal(str)
    failed = Signal(str)                 # message (also shown to the user)

    def __init__(self, registry: Registry | None = None, settings: QSettings | None = None,
                 interactive: bool = True):
        super().__init__()
        self.interactive = interactive   # False in tests: no modal questions
        self.settings = settings or QSettings()
        self.registry = registry or load_registry()
        self.host = Host(self)
        self.host.edit_roles_handler = self.edit_roles
        self.project_path: Path | None = None
        self.project_meta: dict[str, Any] = {}
        self.kept_sections: dict[str, Any] = {}   # analyses whose plugin is not installed
        self.panels: dict[str, AnalysisPanel] = {}
        self.problems: list[str] = [str(p) for p in self.registry.problems]
        self.setWindowTitle("BizOps Desktop")
        self.setAcceptDrops(True)

        # Tabs are built when first shown: a panel imports its analysis's libraries
        # (statsmodels, scikit-learn...), which must not slow the window's start.
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self._slots: dict[str, QWidget] = {}
        self._pending_state: dict[str, Any] = {}
        for a in self.registry.ordered():
            slot = QWidget(self.tabs)
            QVBoxLayout(slot).setContentsMargins(0, 0, 0, 0)
            self._slots[a.id] = slot
            self.tabs.addTab(slot, a.title)
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

        self.datasets_panel = DatasetPanel(self.host, self)
        dock = QDockWidget("Data", self)
        dock.setObjectName("data_dock")
        dock.setWidget(self.datasets_panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [320], Qt.Orientation.Horizontal)
        self.data_dock = dock

        self.jobs_status = JobsStatus(self.host, self)
        self.statusBar().addPermanentWidget(self.jobs_status)
        self._build_menus()
        self.host.datasets_changed.connect(self._mark_dirty)
        self.dirty = False
        self._update_title()
        if self.problems:
            self.banner.show_message("Some plugins were skipped; the rest of the program works:\n"
                                     + "\n".join("• " + p for p in self.problems), "warning")
        self._restore_geometry()

    # -- building --------------------------------------------------------------------------------
    def _build_current(self) -> None:
        slot = self.tabs.currentWidget()
        for aid, w in self._slots.items():
            if w is slot:
                self.panel(aid)

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
        if isinstance(w, AnalysisPanel) and state is not None:
            w.restore(state.params, state.dataset, state.result)
        return self.panels.get(analysis_id)

    def _make_panel(self, analysis) -> QWidget:
        try:
            factory = load_object(analysis.panel) if analysis.panel else AnalysisPanel
            panel = factory(analysis, self.host)
        except Exception as exc:  # a plugin's panel that cannot be built must not take the app down
            msg = f"The {analysis.title} tab could not be shown ({type(exc).__name__}: {str(exc)[:200]})"
            self.problems.append(msg)
            w = QLabel(msg + ". The other tabs work.", self)
            w.setWordWrap(True)
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return w
        self.panels[analysis.id] = panel
        panel.result_changed.connect(self._mark_dirty)
        return panel

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        self.act_open_data = m.addAction("Open &data…", self.open_data_dialog)
        self.act_open_data.setShortcut(QKeySequence("Ctrl+D"))
        self.act_open_project = m.addAction("&Open project…", self.open_project_dialog)
        self.act_open_project.setShortcut(QKeySequence.StandardKey.Open)
        self.recent_menu = m.addMenu("Recent projects")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addAction("Open the &demo shop", self.open_demo)
        m.addSeparator()
        self.act_save = m.addAction("&Save", self.save)
        self.act_save.setShortcut(QKeySequence.StandardKey.Save)
        self.act_save_as = m.addAction("Save &as…", self.save_as_dialog)
        self.act_save_as.setShortcut(QKeySequence.StandardKey.SaveAs)
        self.export_menu = m.addMenu("&Export")
        self.export_menu.aboutToShow.connect(self._fill_export)
        m.addSeparator()
        act = m.addAction("&Quit", self.close)
        act.setShortcut(QKeySequence.StandardKey.Quit)
        d = self.menuBar().addMenu("&Data")
        d.addAction("Column roles…", lambda: self.datasets_panel.current() and self.edit_roles(self.datasets_panel.current().name))
        h = self.menuBar().addMenu("&Help")
        h.addAction("&Plugins…", self._show_plugins)
        self.act_log_folder = h.addAction("Open &log folder", self.open_log_folder)
        h.addAction("About BizOps Desktop", self._about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_projects()
        if not recent:
            a = self.recent_menu.addAction("(none yet)")
            a.setEnabled(False)
        for p in recent:
            self.recent_menu.addAction(p, lambda p=p: self.open_project(p))

    def _fill_export(self) -> None:
        self.export_menu.clear()
        panel = self.tabs.currentWidget()
        if isinstance(panel, AnalysisPanel) and panel.result is not None:
            panel._fill_export_menu()
            for act in panel.export_menu.actions():
                self.export_menu.addAction(act)
        else:
            a = self.export_menu.addAction("Run an analysis first; its tables and plots can then be exported")
            a.setEnabled(False)

    # -- messages ------------------------------------------------------------------------------
    def show_error(self, message: str, details: str = "") -> None:
        self.banner.show_message(message, "error", details)
        self.statusBar().showMessage(message.splitlines()[0][:160], 10000)
        self.failed.emit(message)

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
            self.banner.show_message(f"The log is in {folder}", "info")
        return ok

    def plugins_text(self) -> str:
        """Help ▸ Plugins: every plugin with its version and tabs, then what went wrong."""
        text = "\n".join(self.registry.describe()) or "No plugins are loaded."
        if self.problems:
            text += "\n\nProblems:\n" + "\n".join("• " + p for p in self.problems)
        return text

    def _show_plugins(self) -> None:
        QMessageBox.information(self, "Plugins", self.plugins_text())

    def _about(self) -> None:
        QMessageBox.about(self, "About BizOps Desktop",
                          f"BizOps Desktop {__version__}\nShop analytics for small online shops.")

    def _mark_dirty(self, *_args) -> None:
        self.dirty = True
        self._update_title()

    def _update_title(self) -> None:
        name = self.project_path.name if self.project_path else "untitled"
        self.setWindowTitle(f"{name}{' •' if self.dirty else ''} — BizOps Desktop")

    # -- data --------------------------------------------------------------------------------
    def open_data_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open data", self._last_dir(), DATA_FILTER)
        if path:
            self.open_data(path)

    def open_data(self, path: str | os.PathLike, options=None, *, ask: bool | None = None) -> Job | None:
        """Preview (when interactive), then load in the job runner."""
        from bizops_desktop.core.importer import load_dataset

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
        return self.host.jobs.submit(f"Reading {path.name}", load_dataset, path, options,
                                     importers=self.registry.importers,
                                     on_result=self._data_loaded, on_error=self.show_error)

    def _data_loaded(self, ds: Dataset) -> None:
        ds.name = self.host.unique_name(ds.name)
        self.host.add_dataset(ds)
        self.datasets_panel.list.setCurrentRow(self.datasets_panel.list.count() - 1)
        self.statusBar().showMessage(f"Loaded {ds.name}: {len(ds.frame):,} rows.", 8000)
        self.dataset_loaded.emit(ds)
        if self.interactive:
            self.edit_roles(ds.name)

    def open_demo(self) -> Job:
        from bizops_desktop.core.demo import load_demo

        def loaded(datasets: list[Dataset]) -> None:
            for ds in datasets:
                ds.name = self.host.unique_name(ds.name)
                self.host.add_dataset(ds)
            self.dirty = False
            self._update_title()
            for ds in datasets:
                self.dataset_loaded.emit(ds)

        return self.host.jobs.submit("Opening the demo shop", load_demo, on_result=loaded, on_error=self.show_error)

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
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self._last_dir(), PROJECT_FILTER)
        if path:
            self.open_project(path)

    def open_project(self, path: str | os.PathLike) -> Job:
        from bizops_desktop.core.project import load_project

        path = Path(path)
        known = self.registry.analyses   # the analyses themselves: saved state versions are checked

        def work(progress):
            from bizops_desktop.core.project import stale_sources

            project = load_project(path, known, progress)
            return project, stale_sources(project)   # hashing sources is file work: not on the GUI thread

        return self.host.jobs.submit(f"Opening {path.name}", work,
                                     on_result=lambda r: self._project_loaded(r[0], path, r[1]),
                                     on_error=self.show_error)

    def _project_loaded(self, project, path: Path, stale: list[str]) -> None:
        self.host.set_datasets(list(project.datasets.values()))
        self.kept_sections = {}
        self._pending_state = {}
        for panel in self.panels.values():
            panel.restore(None, None, None)
        for aid, state in project.analyses.items():
            if aid not in self._slots or state.raw is not None:
                self.kept_sections[aid] = state      # not installed here: written back untouched
            elif aid in self.panels:
                self.panels[aid].restore(state.params, state.dataset, state.result)
            else:
                self._pending_state[aid] = state     # restored when its tab is first shown
        self.project_path = path
        self.project_meta = dict(project.meta)
        self.dirty = False
        self._remember_recent(path)
        self._update_title()
        self.banner.clear()
        unopened = [s.problem for s in project.analyses.values() if s.problem]
        if unopened:
            self.banner.show_message("\n".join(unopened), "warning")
        self.statusBar().showMessage(f"Opened {path.name}.", 8000)
        self.project_loaded.emit()
        if stale:
            self._offer_reload(stale)

    def _offer_reload(self, names: list[str]) -> None:
        text = ("The source file of " + ", ".join(names) + " has changed since it was imported. "
                "Reload it? (Results stay until you run again.)")
        if not self.interactive:
            self.banner.show_message(text, "warning")
            return
        if QMessageBox.question(self, "Source changed", text) == QMessageBox.StandardButton.Yes:
            for name in names:
                self.reload_dataset(name)

    def reload_dataset(self, name: str) -> Job | None:
        from bizops_desktop.core.importer import ImportOptions, load_dataset

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

        return self.host.jobs.submit(f"Reloading {name}", load_dataset, Path(ds.source), opts,
                                     importers=self.registry.importers, on_result=done, on_error=self.show_error)

    def current_project(self):
        from bizops_desktop.core.project import AnalysisState, Project

        analyses = dict(self.kept_sections)
        analyses.update(self._pending_state)
        for aid, panel in self.panels.items():
            st = panel.state()
            if aid in self.kept_sections and st["result"] is None:
                continue   # a section this version could not open stays as saved until the tab is run
            a = panel.analysis
            analyses[aid] = AnalysisState(analysis_id=aid, plugin=a.plugin, plugin_version=a.plugin_version,
                                          state_version=a.state_version,
                                          params=st["params"], dataset=st["dataset"], result=st["result"])
        meta = dict(self.project_meta)
        meta["app_version"] = __version__
        return Project(datasets={d.name: d for d in self.host.datasets()}, analyses=analyses,
                       path=self.project_path, meta=meta)

    def save(self) -> Job | None:
        if self.project_path is None:
            return self.save_as_dialog()
        return self.save_to(self.project_path)

    def save_as_dialog(self) -> Job | None:
        path, _ = QFileDialog.getSaveFileName(self, "Save project", self._last_dir(), PROJECT_FILTER)
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
            self.statusBar().showMessage(f"Saved {path.name}.", 8000)
            self.saved.emit(str(path))

        return self.host.jobs.submit(f"Saving {path.name}", save_project, project, path,
                                     on_result=done, on_error=self.show_error)

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
            ans = QMessageBox.question(self, "Save changes?", "Save the project before closing?",
                                       QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                       | QMessageBox.StandardButton.Cancel)
            if ans == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if ans == QMessageBox.StandardButton.Save:
                job = self.save()
                if job is None:
                    event.ignore()
                    return
                job.wait(120)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.host.jobs.shutdown(10000)   # running jobs are cancelled cleanly
        super().closeEvent(event)

    # -- drag and drop ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(
                Path(u.toLocalFile()).suffix.lower() in DATA_SUFFIXES | {".bizops"} for u in event.mimeData().urls()):
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
