"""The command line: open the window, list the analyses, or run one on a file and write its
tables, summary and plots. Same ``run`` functions as the tabs. Exit codes: 0 success, 1 a data
or project problem, 2 bad usage; always a one-line message on stderr, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bizops_desktop import __version__
from bizops_desktop.core.errors import BizOpsError, Cancelled, DataError, UsageError, first_line
from bizops_desktop.core.i18n import APP, _, _l, _n, format_list

PROG = "bizops-desktop"

# argparse's own messages (it asks gettext's "argparse" domain, which has no Chinese): kept in our
# catalog under their English text, so the usage errors and --help read in the language of --lang.
ARGPARSE_MESSAGES = (
    _l("usage: "),
    _l("positional arguments"),
    _l("options"),
    _l("show this help message and exit"),
    _l("argument %(argument_name)s: %(message)s"),
    _l("unrecognized arguments: %s"),
    _l("the following arguments are required: %s"),
    _l("one of the arguments %s is required"),
    _l("not allowed with argument %s"),
    _l("expected one argument"),
    _l("expected at most one argument"),
    _l("expected at least one argument"),
    _l("ambiguous option: %(option)s could match %(matches)s"),
    _l("unexpected option string: %s"),
    _l("ignored explicit argument %r"),
    _l("invalid %(type)s value: %(value)r"),
    _l("invalid choice: %(value)r (choose from %(choices)s)"),
    _l("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def _argparse_gettext(message: str) -> str:
    return APP.translations().gettext(message)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return _n("expected %s argument", "expected %s arguments", n)
    return APP.translations().ngettext(singular, plural, n)


class _argparse_in_our_language:
    """While the command line is parsed, argparse's messages come from our catalog."""

    def __enter__(self) -> None:
        self._saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
        argparse._, argparse.ngettext = _argparse_gettext, _argparse_ngettext  # type: ignore[attr-defined]

    def __exit__(self, *exc) -> None:
        argparse._, argparse.ngettext = self._saved  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints usage + message)
        raise UsageError(message, hint=_("see '{command}'", command=PROG + " --help"))


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the current language (build it inside ``_argparse_in_our_language``
    so that argparse's own words are translated too)."""
    p = _Parser(prog=PROG, description=_("BizOps Desktop: shop analytics for small online shops."))
    p.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help=_("show the program's version and exit")
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument(
        "--lang",
        metavar="LANG",
        help=_("language of messages and of everything written for people: en or zh_CN (default: the system's, LANG)"),
    )
    eng = argparse.ArgumentParser(add_help=False)
    eng.add_argument(
        "--engine",
        choices=("local", "dask"),
        help=_("where batch work runs: this computer's cores (local, the default) or a Dask cluster"),
    )
    eng.add_argument("--scheduler", metavar="ADDRESS", help=_("with --engine dask: the scheduler, tcp://HOST:8786"))
    o = sub.add_parser("open", help=_("open the window (the default)"), parents=[lang])
    o.add_argument("file", nargs="?", help=_("a .bizops project or a CSV/Excel file to open"))
    o.add_argument("--demo", action="store_true", help=_("open on the built-in demo shop"))

    sub.add_parser("analyses", help=_("list the analyses and their parameters"), parents=[lang])

    r = sub.add_parser("run", help=_("run one analysis and write its results to a folder"), parents=[lang, eng])
    r.add_argument("analysis", help=_("analysis id (see 'analyses')"))
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--data",
        action="append",
        help=_("CSV/TSV/TXT/Excel file; give it twice to combine an orders report with its items report"),
    )
    src.add_argument("--project", help=_(".bizops project file"))
    src.add_argument("--demo", action="store_true", help=_("the built-in demo shop's orders"))
    r.add_argument("--sheet", help=_("Excel sheet name (default: the first)"))
    r.add_argument(
        "--keep-cancelled",
        action="store_true",
        help=_("count cancelled, closed, refunded and unpaid orders as sales (left out by default)"),
    )
    r.add_argument("--dataset", help=_("with --project/--demo: which table to use (default: the first that fits)"))
    r.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help=_("column role, e.g. --role date=Day (repeat; feature may list columns: feature=a,b)"),
    )
    r.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help=_("analysis parameter, e.g. --set min_support=0.02 (repeat)"),
    )
    r.add_argument("--out", required=True, help=_("folder for <table>.csv, summary.json, <plot>.png"))
    r.add_argument("--no-plots", action="store_true", help=_("skip the PNG plots"))
    r.add_argument(
        "--titles",
        action="store_true",
        help=_("CSV columns titled in the language of --lang (default: stable column ids for scripts)"),
    )
    r.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    r.add_argument(
        "--timings",
        action="store_true",
        help=_("print where the time went (reading, analysis, tables, plots) as a JSON line on stderr"),
    )

    rp = sub.add_parser(
        "report",
        help=_("write a report (PDF and a self-contained HTML file) of every analysis"),
        parents=[lang, eng],
    )
    rsrc = rp.add_mutually_exclusive_group(required=True)
    rsrc.add_argument("--data", help=_("CSV/TSV/TXT/Excel file"))
    rsrc.add_argument("--project", help=_(".bizops project file (its saved results; tabs never run are run now)"))
    rsrc.add_argument("--demo", action="store_true", help=_("the built-in demo shop"))
    rp.add_argument("--sheet", help=_("Excel sheet name (default: the first)"))
    rp.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help=_("with --data: column role, e.g. --role date=Day (repeat)"),
    )
    rp.add_argument(
        "--out", required=True, help=_("report.pdf or report.html; the other of the two is written beside it")
    )
    rp.add_argument("--tab", action="append", default=[], metavar="ID", help=_("only this analysis (repeat)"))
    rp.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The program (``argv`` None: the command line it was started with) or one command (tests,
    scripts: ``main(["run", ...])`` returns the exit code). As the program, a finished ``run``
    ends the process at once (see ``_end_now``)."""
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    code = _main(argv, program)
    if program and argv and argv[0] == "run":
        _end_now(code)
    return code


def _end_now(code: int) -> None:
    """End the process now that ``run`` has written and closed every file: the exit handlers
    run (the log is flushed, temporary folders go) and the streams are flushed, but Python's
    teardown, which frees every object of a big run one by one (0.2-0.4 s of CPU after a
    1.7M-line basket run, more with the Qt plot renderer loaded), is left to the operating
    system. Only when nothing else is running: a live non-daemon thread or worker process
    (which a normal exit waits for) means the normal exit."""
    import atexit
    import threading

    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and mp.active_children():
        return
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the normal exit says so
        return
    run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def _main(argv: list[str], program: bool = False) -> int:
    # `bizops-desktop`, `bizops-desktop --demo`, `bizops-desktop FILE.bizops` open the window.
    if not argv or argv[0] not in ("open", "analyses", "run", "report", "-h", "--help", "--version"):
        argv = ["open"] + argv
    _set_language(argv)
    try:
        with _argparse_in_our_language():
            args = build_parser().parse_args(argv)
        if getattr(args, "engine", None) or getattr(args, "scheduler", None):
            from bizops_desktop.core.engine import set_engine

            set_engine(args.engine or "dask", args.scheduler)
        if args.command == "analyses":
            return cmd_analyses()
        if args.command == "run":
            return cmd_run(args, program=program)
        if args.command == "report":
            return cmd_report(args)
        return cmd_open(args)
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    except BizOpsError as exc:
        return _fail(exc.user_message(), exc, exc.exit_code)
    except Cancelled as exc:
        return _fail(_("Stopped."), exc, 130)
    except KeyboardInterrupt as exc:
        return _fail(_("Interrupted."), exc, 130)
    except MemoryError as exc:
        return _fail(_("The computer ran out of memory. Try a stricter setting or a smaller file."), exc, 1)
    except Exception as exc:  # a bug: one line, no traceback (set BIZOPS_DEBUG=1 to see it)
        if os.environ.get("BIZOPS_DEBUG"):
            raise
        from bizops_desktop.core.log import log_path

        return _fail(
            _(
                "internal error ({error}); please report it with the log file {log} (or run with "
                "BIZOPS_DEBUG=1 for details)",
                error=first_line(exc),
                log=str(log_path()),
            ),
            exc,
            1,
        )


def _fail(message: str, exc: BaseException, code: int) -> int:
    """Every error the user sees goes to stderr as one line and to the log in full."""
    from bizops_desktop.core.log import log_error

    _err(message)
    log_error(message, exc)
    return code


def _set_language(argv: list[str]) -> None:
    """``--lang X`` (anywhere on the line, so that even argparse's errors are in X), else the
    system's language. An unknown language falls back to English without complaint."""
    from bizops_desktop.core.i18n import set_language

    lang = None
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    set_language(lang)


def _printable(text: str) -> str:
    """A message as one line of plain characters: names from files may hold escape codes, BEL,
    NUL or newlines that would rewrite the terminal or split the line."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _err(message: str) -> None:
    print(f"{PROG}: {_printable(message)}", file=sys.stderr)


def _registry():
    from bizops_desktop.core.plugins import load_registry

    reg = load_registry()
    for problem in reg.problems:
        _err(str(problem))
    return reg


def cmd_analyses() -> int:
    reg = _registry()
    for a in reg.ordered():
        print(_("{id}: {title} — {summary}", id=a.id, title=a.title, summary=a.summary))
        if a.needs:
            print("  " + _("needs columns: {roles}", roles=format_list(["+".join(opt) for opt in a.needs], style="or")))
        if a.optional_roles:
            print("  " + _("uses when present: {roles}", roles=", ".join(a.optional_roles)))
        for p in a.params:
            print("  --set " + p.describe())
    return 0


def _progress_printer(quiet: bool):
    from bizops_desktop.core.progress import Progress

    if quiet or not sys.stderr.isatty():
        return Progress()
    last = [""]

    def cb(fraction: float, text: str) -> None:
        line = f"\r{fraction * 100:5.1f}%  {text[:60]:<60}"
        if line != last[0]:
            sys.stderr.write(line)
            sys.stderr.flush()
            last[0] = line

    return Progress(cb)


def _apply_roles(ds, role_args: list[str]) -> None:
    from bizops_desktop.core.params import parse_assignments
    from bizops_desktop.core.roles import MULTI_ROLES, ROLES

    for role, value in parse_assignments(role_args, "--role").items():
        if role not in ROLES:
            raise UsageError(
                _("--role {role}: unknown role", role=role), hint=_("the roles are {roles}", roles=", ".join(ROLES))
            )
        cols = [c.strip() for c in value.split(",")] if role in MULTI_ROLES else [value.strip()]
        missing = [c for c in cols if c not in ds.frame.columns]
        if missing:
            raise DataError(
                _(
                    "--role {role}={value}: there is no column {column}",
                    role=role,
                    value=value,
                    column=repr(missing[0]),
                ),
                where=ds.source or ds.name,
                hint=_("the columns are: {names}", names=", ".join(map(str, ds.frame.columns[:30]))),
            )
        # a column has one role: take it away from another role that had it
        for other, other_cols in list(ds.roles.items()):
            if other != role:
                kept = [c for c in other_cols if c not in cols]
                if kept:
                    ds.roles[other] = kept
                else:
                    del ds.roles[other]
        ds.roles[role] = cols


def _pick_dataset(datasets, analysis, wanted: str | None):
    """The table to run on: --dataset's, else the first that fits (the one rule, shared with the
    tabs and Run all), else the first (its missing roles are then said in words)."""
    from bizops_desktop.core.overview import pick_dataset

    if wanted and not any(ds.name == wanted for ds in datasets):
        raise UsageError(
            _("--dataset {name}: no such table", name=repr(wanted)),
            hint=_("the tables are: {names}", names=", ".join(d.name for d in datasets)),
        )
    return pick_dataset(analysis, datasets, wanted) or (datasets[0] if datasets else None)


def cmd_run(args, program: bool = False) -> int:
    """``program``: this process is the command line itself (not a test or a script calling
    ``main``), so its collector may be tuned for one run (``_settle_heap``)."""
    from bizops_desktop.core.params import parse_assignments

    clock = [time.perf_counter()]
    timings: dict[str, float] = {}
    cpu_clock = [_cpu_seconds()]  # what the interpreter and the imports took before this
    cpu_timings: dict[str, float] = {"start": cpu_clock[0]}

    def lap(name: str) -> None:
        now, cpu_now = time.perf_counter(), _cpu_seconds()
        timings[name] = timings.get(name, 0.0) + now - clock[0]
        cpu_timings[name] = cpu_timings.get(name, 0.0) + cpu_now - cpu_clock[0]
        clock[0], cpu_clock[0] = now, cpu_now

    reg = _registry()
    analysis = reg.analysis(args.analysis)
    given = parse_assignments(args.set, "--set")
    analysis.resolve(given, from_text=True)  # bad parameters fail before any file is read
    progress = _progress_printer(args.quiet)
    saved_params: dict = {}
    if args.data:
        from bizops_desktop.core.importer import ImportOptions

        opts = ImportOptions(sheet=args.sheet, keep_cancelled=args.keep_cancelled)
        if len(args.data) == 2:
            from bizops_desktop.core.importer.combine import combine_files

            ds = combine_files([Path(p) for p in args.data], opts, progress.sub(0.0, 0.2))
            for note in ds.notes:
                if getattr(note, "msgid", "").startswith(("Combined", "{n} line of")):
                    _err(str(note))
        elif len(args.data) > 2:
            raise UsageError(_("--data combines two files at most, not {n}", n=len(args.data)))
        else:  # a file bigger than memory opens out of core (core/bigfile.py)
            from bizops_desktop.core.bigfile import open_data

            ds = open_data(Path(args.data[0]), opts, progress.sub(0.0, 0.2))
        tables = [ds]  # --set NAME=FILE reads another table from a file
    elif args.project:
        from bizops_desktop.core.project import load_project

        project = load_project(Path(args.project), known_analyses=reg.analyses, progress=progress.sub(0.0, 0.2))
        tables = list(project.datasets.values())  # a parameter may name another of them (a stock sheet)
        ds = _pick_dataset(tables, analysis, args.dataset)
        if ds is None:
            raise DataError(_("the project holds no data tables"), where=args.project)
        state = project.analyses.get(analysis.id)
        if state is not None and state.problem:  # saved by a plugin version this one cannot read
            _err(_("{problem} This run uses the default parameters and --set.", problem=state.problem))
        elif state is not None:
            saved_params = analysis.resolve(state.params, ignore_unknown=True)
    else:
        from bizops_desktop.core.demo import load_demo

        tables = load_demo(progress.sub(0.0, 0.2))
        ds = _pick_dataset(tables, analysis, args.dataset)
    _apply_roles(ds, args.role)
    # saved params of the project, overridden by --set
    overrides = {k: v for k, v in analysis.resolve(given, from_text=True).items() if k in given}
    params = {**saved_params, **overrides}
    # a table named by --set may be a file the user points at; one named by the project may not
    typed = {p.name for p in analysis.params if p.kind == "dataset" and p.name in given}
    from bizops_desktop.core.params import resolve_tables

    params.update(
        {
            k: v
            for k, v in resolve_tables(
                [p for p in analysis.params if p.name in typed], params, ds, tables, files=True
            ).items()
            if k in typed
        }
    )
    lap("read")
    if program:
        _settle_heap()
    t0 = time.perf_counter()
    result = analysis.execute(ds, params, progress.sub(0.2, 0.95), tables=tables)
    seconds = time.perf_counter() - t0
    lap("analysis")
    from bizops_desktop.core.export import write_result

    plot_writer = None
    if not args.no_plots and result.plots:
        plot_writer = _save_plot_png
    extra = {} if "seconds" in result.metrics else {"seconds": round(seconds, 3)}
    written = write_result(
        result,
        args.out,
        plot_writer=plot_writer,
        extra_metrics=extra,
        titles=args.titles,
        timings=timings,
        cpu_timings=cpu_timings,
    )
    if args.timings:
        from bizops_desktop.core.jsonable import dumps_strict

        sys.stderr.write("timings " + dumps_strict({k: round(v, 4) for k, v in timings.items()}) + "\n")
        # the same steps in CPU seconds (this process and its workers): a busy machine stretches
        # the wall clock of each step, not its CPU time
        sys.stderr.write("cpu " + dumps_strict({k: round(v, 4) for k, v in cpu_timings.items()}) + "\n")
    if not args.quiet and sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 70 + "\r")
    print(
        _n(
            "{title}: wrote {n} file to {folder} ({names})",
            "{title}: wrote {n} files to {folder} ({names})",
            len(written),
            title=analysis.title,
            folder=args.out,
            names=", ".join(p.name for p in written),
        )
    )
    return 0


FULL_PASS_EVERY = 100  # young passes (of the middle generation) between two full passes: Python's is 10


def _settle_heap() -> None:
    """Once the data is read: what exists now (modules, the table, its roles) lives until the end
    of the run, so it is frozen (``gc.freeze``), and the collector's full pass, which walks every
    tracked object, runs a tenth as often. A run builds a result of hundreds of thousands of
    lists and sentence cells that all stay alive; Python walked them all again six times during
    a 65,000-rule basket run (0.5 s of its 2 s) and found nothing to free. Young garbage is
    collected as before (the first two generations keep their thresholds). Only in a process
    that is the command line: a caller's own heap and thresholds are left alone."""
    import gc

    gc.freeze()
    young, middle, full = gc.get_threshold()
    if young:  # 0: collection switched off by whoever runs us; leave it so
        gc.set_threshold(young, middle, max(full, FULL_PASS_EVERY))


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished workers (user + system)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _save_plot_png(spec, path):
    """The Qt renderer, imported when the first plot is drawn, after the tables are written:
    PySide6 hooks every later ``import`` statement, which slows the export's own code."""
    from bizops_desktop.qt.plots import save_plot_png

    return save_plot_png(spec, path)


def cmd_report(args) -> int:
    """Every analysis (or those of --tab) as one report: a project's saved results as they are,
    the others run now with their saved or default parameters."""
    from bizops_desktop.core.report import Part, build_report, run_parts, source_name
    from bizops_desktop.qt.report import plot_image, report_font_warning, report_paths, write_report

    report_paths(args.out)  # a wrong --out fails before any work
    if args.role and not args.data:
        raise UsageError(_("--role goes with --data"), hint=_("a project and the demo shop have their roles"))
    reg = _registry()
    analyses = reg.ordered()
    if args.tab:
        for t in args.tab:
            reg.analysis(t)  # an unknown id is a usage error naming the ids
        analyses = [a for a in analyses if a.id in args.tab]
    progress = _progress_printer(args.quiet)
    saved: dict = {}
    done: dict = {}
    if args.data:
        from bizops_desktop.core.bigfile import open_data as load_dataset  # a big file: out of core
        from bizops_desktop.core.importer import ImportOptions

        path = Path(args.data)
        datasets = [load_dataset(path, ImportOptions(sheet=args.sheet) if args.sheet else None, progress.sub(0, 0.1))]
        source = path.name
    elif args.project:
        from bizops_desktop.core.project import load_project

        path = Path(args.project)
        project = load_project(path, known_analyses=reg.analyses, progress=progress.sub(0, 0.1))
        datasets = list(project.datasets.values())
        if not datasets:
            raise DataError(_("the project holds no data tables"), where=args.project)
        source = path.stem
        for aid, state in project.analyses.items():
            if state.problem or aid not in reg.analyses:
                continue
            if state.result is not None:
                done[aid] = Part(reg.analyses[aid], state.result, state.dataset, state.params)
            else:
                saved[aid] = (state.params, state.dataset)
    else:
        from bizops_desktop.core.demo import load_demo

        datasets = load_demo(progress.sub(0, 0.1))
        source = source_name(None, datasets)
    if args.role:
        _apply_roles(datasets[0], args.role)
    t0 = time.perf_counter()
    todo = [a for a in analyses if a.id not in done]
    ran = {p.analysis.id: p for p in run_parts(todo, datasets, saved, progress.sub(0.1, 0.7))}
    parts = [done.get(a.id) or ran[a.id] for a in analyses]
    report = build_report(parts, source, progress=progress.sub(0.7, 0.72))
    warning = report_font_warning(report.lang)
    if warning:
        _err(warning.replace("\n", " "))
    written, seconds = write_report(report, args.out, plot_image, progress.sub(0.72, 1.0))
    if not args.quiet and sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 70 + "\r")
    print(
        _(
            "Report written to {files} ({seconds:num} s in all, {write:num} s to draw and write it)",
            files=format_list([str(p) for p in written]),
            seconds=round(time.perf_counter() - t0, 1),
            write=round(seconds, 1),
        )
    )
    return 0


def cmd_open(args) -> int:
    from bizops_desktop.qt.app import run_app

    return run_app(file=args.file, demo=args.demo, lang=args.lang)


if __name__ == "__main__":
    raise SystemExit(main())
