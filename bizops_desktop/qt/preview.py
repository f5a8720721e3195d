"""Open one analysis tab alone on the demo shop (``python -m bizops_basket``), for a quick look
while working on a plugin (Orange's WidgetPreview)."""

from __future__ import annotations


def preview(analysis_id: str) -> int:
    from bizops_desktop.core.analysis import load_object
    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.i18n import _
    from bizops_desktop.core.plugins import load_registry

    from .app import make_app
    from .host import Host
    from .panel import AnalysisPanel

    app = make_app()
    reg = load_registry()
    a = reg.analysis(analysis_id)
    host = Host()
    host.set_datasets(load_demo())
    factory = load_object(a.panel) if a.panel else AnalysisPanel
    w = factory(a, host)
    w.setWindowTitle(_("{tab} — preview", tab=a.title))
    w.resize(1200, 760)
    w.show()
    rc = app.exec()
    host.jobs.shutdown()
    return rc
