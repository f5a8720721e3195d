"""Third-party analyses run in a child process, so that a plugin that hangs, calls ``os._exit``
or crashes the interpreter cannot take the window (and the user's unsaved work) with it, and
Cancel always works: the child is stopped. Built-in analyses run in the process as before (their
speed is measured, and their own code is trusted).

The two processes exchange no pickles: the input goes to the child as a project file (the same
checked format as ``.bizops``), the result comes back as one, and progress arrives as JSON lines
on the child's standard output.

    python -m bizops_desktop.core.sandbox WORKDIR     # what the child runs; not for people
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BizOpsError, Cancelled, DataError, UsageError, first_line
from .i18n import Message, _, text, to_plain

if TYPE_CHECKING:
    from .analysis import Analysis, Result
    from .dataset import Dataset
    from .progress import Progress

NO_ISOLATION_ENV = "BIZOPS_NO_ISOLATION"  # set in the child (and by anyone who wants in-process runs)
_INPUT, _OUTPUT, _REQUEST = "input.bizops", "output.bizops", "request.json"


def wanted(analysis: "Analysis") -> bool:
    return bool(getattr(analysis, "isolated_module", "")) and not os.environ.get(NO_ISOLATION_ENV)


def run_isolated(analysis: "Analysis", dataset: "Dataset", values: dict, progress: "Progress") -> "Result":
    from .dataset import Dataset
    from .jsonable import dumps
    from .project import Project, load_project, save_project

    with tempfile.TemporaryDirectory(prefix="bizops-run-") as work:
        folder = Path(work)
        copy = Dataset("input", dataset.frame, roles=dict(dataset.roles), source=dataset.source)
        save_project(Project(datasets={"input": copy}), folder / _INPUT)
        (folder / _REQUEST).write_text(
            dumps({"module": analysis.isolated_module, "analysis": analysis.id, "params": values}), encoding="utf-8"
        )
        env = dict(os.environ)
        env[NO_ISOLATION_ENV] = "1"
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bizops_desktop.core.sandbox", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        lines: queue.Queue[dict] = queue.Queue()

        def read() -> None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue  # a print() of the plugin's own: not ours
                if isinstance(msg, dict):
                    lines.put(msg)

        reader = threading.Thread(target=read, name="sandbox-reader", daemon=True)
        reader.start()
        final: dict = {}
        try:
            while True:
                if progress.cancelled:
                    raise Cancelled()
                try:
                    msg = lines.get(timeout=0.1)
                except queue.Empty:
                    if proc.poll() is not None and not reader.is_alive():
                        break
                    continue
                if "progress" in msg:
                    try:
                        progress.report(float(msg["progress"]), str(msg.get("text", "")))
                    except (TypeError, ValueError):
                        pass
                else:
                    final = msg
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join(timeout=5)
        if final.get("done"):
            state = load_project(folder / _OUTPUT).analyses.get(analysis.id)
            if state is None or state.result is None:
                raise DataError(_("the analysis sent back no result"), where=str(analysis.title))
            return state.result
        if "error" in final:
            message = final["error"]
            message = Message.from_dict(message) if isinstance(message, dict) else str(message)
            hint = final.get("hint")
            hint = Message.from_dict(hint) if isinstance(hint, dict) else hint
            cls = UsageError if final.get("kind") == "UsageError" else DataError
            raise cls(message, where=final.get("where"), hint=hint)
        plugin = analysis.plugin or analysis.isolated_module
        if "bug" in final:
            raise DataError(
                _(
                    "the {title} analysis failed inside its plugin {plugin} ({error})",
                    title=analysis.title,
                    plugin=plugin,
                    error=str(final["bug"])[:300],
                ),
                hint=_("Your data is unchanged. Tell the plugin's authors, with the log file"),
            )
        raise DataError(
            _(
                "the {title} analysis stopped unexpectedly inside its plugin {plugin} (exit code {code})",
                title=analysis.title,
                plugin=plugin,
                code=proc.returncode,
            ),
            hint=_("The window and your data are fine. Tell the plugin's authors"),
        )


def _child(folder: Path) -> int:
    from .plugins import load_registry
    from .progress import Progress
    from .project import AnalysisState, Project, load_project, save_project

    def say(msg: dict) -> None:
        sys.stdout.write(json.dumps(msg, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    try:
        req = json.loads((folder / _REQUEST).read_text(encoding="utf-8"))
        ds = load_project(folder / _INPUT).datasets["input"]
        reg = load_registry(entry_points=False, builtins=False, extra=[str(req["module"])])
        analysis = reg.analysis(str(req["analysis"]))
        result = analysis.execute(
            ds, req.get("params") or {}, Progress(lambda f, t: say({"progress": f, "text": text(t)}))
        )
        save_project(Project(analyses={analysis.id: AnalysisState(analysis.id, result=result)}), folder / _OUTPUT)
        say({"done": True})
    except BizOpsError as e:
        say({"error": to_plain(e.message), "hint": to_plain(e.hint), "where": e.where, "kind": type(e).__name__})
    except Exception as e:  # noqa: BLE001 - a bug of the plugin's, reported in one line
        say({"bug": first_line(e)})
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(Path(sys.argv[1])))
