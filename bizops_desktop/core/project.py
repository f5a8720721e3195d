"""The project file (.bizops): one SQLite file with the imported tables, their sources and column
roles, and each tab's parameters and last result, so a reopened project shows every result at once.

Layout (schema 3; ``PRAGMA application_id`` = APPLICATION_ID, ``PRAGMA user_version`` = schema):
  meta(key, value JSON)                      app version, created/modified times, ui state
  tables(table_id, n_rows, spec JSON)        one stored DataFrame: column kinds/dtypes/names, index
  table_chunks(table_id, chunk, n_rows, crc32, data BLOB)   its rows, Arrow IPC (see tablestore.py)
  datasets(position, name, source, source_hash, sheet, roles, import_options, notes, dtypes, table_id)
  analyses(position, analysis_id, plugin, plugin_version, state_version, params, dataset,
           has_result, metrics, plots, notes, extra)   JSON text columns; plots are PlotSpec.to_dict()
  result_tables(analysis_id, position, name, table_id)
Table data lives in BLOBs addressed by number, so no SQL is ever built from file content.

Schema 1 (the first files) had no meta table and kept ``analyses.params`` as a JSON list of
``[name, value]`` pairs; schema 2 had no ``analyses.plugin_version``. MIGRATIONS turn an older
file into schema 3 when it is opened (in memory: opening never writes to the file; the next save
writes schema 3).

Each tab's ``state_version`` is its plugin's layout of params and result. Opened with the
installed analyses (``load_project(path, registry.analyses)``), an older section is converted by
the analysis's ``migrate``; one from a newer plugin, or one that cannot be converted, is kept
untouched like the section of a plugin that is not installed, with a message saying why.

A project file is untrusted input: nothing is pickled or evaluated, every JSON field is checked
for its type, table specs only name known dtypes, chunks carry a CRC, and SQLite's quick_check
runs before anything is read. Saving writes a temporary file next to the target, fsyncs it and
renames it over the target, so a crash mid-save leaves the previous file as it was.
"""

from __future__ import annotations

import datetime as _dt
import glob
import json
import os
import secrets
import sqlite3
import stat
import time
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analysis import Analysis, Result
from .dataset import Dataset
from .errors import Cancelled, ProjectError, UsageError
from .i18n import Message, _, to_plain
from .jsonable import dumps
from .plotspec import PlotSpec
from .progress import Progress
from .tablestore import EncodedTable, MemoryBudget, TableFormatError, UnsupportedFrame, check_spec, decode_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AnalysisState",
    "Project",
    "save_project",
    "load_project",
    "stale_sources",
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "MIGRATIONS",
    "PROJECT_SUFFIX",
]

APPLICATION_ID = 0x42495A4F  # "BIZO"
PROJECT_SUFFIX = ".bizops"
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class AnalysisState:
    """One tab's saved state. ``raw`` is set for sections that are not opened (their plugin is
    not installed, or saved them in a layout this version cannot read): their stored row and
    result tables, kept as they were read and written back untouched. ``problem`` says, for the
    user, why an installed analysis's section was not opened."""

    analysis_id: str
    plugin: str = ""
    state_version: int = 1
    params: dict = field(default_factory=dict)
    dataset: str | None = None
    result: Result | None = None
    raw: dict | None = None
    plugin_version: str = ""
    problem: str = ""


@dataclass
class Project:
    datasets: dict[str, Dataset] = field(default_factory=dict)
    analyses: dict[str, AnalysisState] = field(default_factory=dict)
    path: Path | None = None
    meta: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Schema and migrations
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE tables (table_id INTEGER PRIMARY KEY, n_rows INTEGER NOT NULL, spec TEXT NOT NULL)",
    "CREATE TABLE table_chunks (table_id INTEGER NOT NULL, chunk INTEGER NOT NULL,"
    " n_rows INTEGER NOT NULL, crc32 INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (table_id, chunk))",
    "CREATE TABLE datasets (position INTEGER NOT NULL, name TEXT PRIMARY KEY, source TEXT,"
    " source_hash TEXT, sheet TEXT, roles TEXT NOT NULL, import_options TEXT NOT NULL,"
    " notes TEXT NOT NULL, dtypes TEXT NOT NULL, table_id INTEGER NOT NULL)",
    "CREATE TABLE analyses (position INTEGER NOT NULL, analysis_id TEXT PRIMARY KEY,"
    " plugin TEXT NOT NULL, plugin_version TEXT, state_version INTEGER NOT NULL, params TEXT NOT NULL,"
    " dataset TEXT, has_result INTEGER NOT NULL, metrics TEXT, plots TEXT, notes TEXT, extra TEXT,"
    " display TEXT)",
    "CREATE TABLE result_tables (analysis_id TEXT NOT NULL, position INTEGER NOT NULL,"
    " name TEXT NOT NULL, table_id INTEGER NOT NULL, PRIMARY KEY (analysis_id, name))",
)
_ANALYSIS_COLUMNS = (
    "analysis_id",
    "plugin",
    "plugin_version",
    "state_version",
    "params",
    "dataset",
    "has_result",
    "metrics",
    "plots",
    "notes",
    "extra",
    "display",
)
_DATASET_COLUMNS = ("name", "source", "source_hash", "sheet", "roles", "import_options", "notes", "dtypes", "table_id")
_RESULT_TABLE_COLUMNS = ("analysis_id", "position", "name", "table_id")


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} (" + ",".join(columns) + ") VALUES (" + ",".join("?" * len(columns)) + ")"


_INSERT_DATASET = _insert("datasets", ("position",) + _DATASET_COLUMNS)
_INSERT_RESULT_TABLE = _insert("result_tables", _RESULT_TABLE_COLUMNS)
_INSERT_ANALYSIS = (
    "INSERT INTO analyses (position, "
    + ", ".join(_ANALYSIS_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" * (len(_ANALYSIS_COLUMNS) + 1))
    + ")"
)


class _Damaged(Exception):
    """Internal: content that fails a check; load_project turns it into a ProjectError."""


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2: add the meta table; params from ``[[name, value], ...]`` to ``{name: value}``."""
    conn.execute(_SCHEMA[0])
    conn.execute("INSERT INTO meta (key, value) VALUES ('migrated_from_schema', '1')")
    rows = conn.execute("SELECT analysis_id, params FROM analyses").fetchall()
    for aid, text in rows:
        pairs = _loads(text, list, _("parameters (schema 1)"))
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
            raise _Damaged(_("parameters (schema 1) are not [name, value] pairs"))
        conn.execute("UPDATE analyses SET params = ? WHERE analysis_id = ?", (dumps(dict(pairs)), aid))


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    """Schema 2 -> 3: the version of the plugin that saved each tab (unknown for older files)."""
    conn.execute("ALTER TABLE analyses ADD COLUMN plugin_version TEXT")
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('migrated_from_schema', '2')")


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    """Schema 3 -> 4: each result's headline, column titles and product names (shown in the
    reader's language); older results have none and show their column ids."""
    conn.execute("ALTER TABLE analyses ADD COLUMN display TEXT")
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('migrated_from_schema', '3')")


# MIGRATIONS[i] upgrades a file's content from schema i+1 to schema i+2, in place, on a
# connection to an in-memory copy. Append a function here when the layout changes.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_1_to_2, _migrate_2_to_3, _migrate_3_to_4]
SCHEMA_VERSION = len(MIGRATIONS) + 1


# ---------------------------------------------------------------------------------------------
# JSON helpers
def _loads(text: Any, typ: type | tuple | None, what: str) -> Any:
    if not isinstance(text, str):
        raise _Damaged(_("{what} is not text", what=what))
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise _Damaged(_("{what} is not valid JSON", what=what)) from e
    if typ is not None and not isinstance(value, typ):
        raise _Damaged(_("{what} has the wrong type", what=what))
    return value


def _opt_text(v: Any, what: str) -> str | None:
    if v is not None and not isinstance(v, str):
        raise _Damaged(_("{what} is not text", what=what))
    return v


def _str_list(v: Any, what: str) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Damaged(_("{what} is not a list of sentences", what=what))
    return v


def _note_list(v: Any, what: str) -> list:
    """Notes: sentences, or messages (domain, English template, values) rendered when shown."""
    if not isinstance(v, list) or not all(isinstance(x, str) or _is_message(x) for x in v):
        raise _Damaged(_("{what} is not a list of sentences", what=what))
    return [x if isinstance(x, str) else Message.from_dict(x) for x in v]


def _is_message(x: Any) -> bool:
    return (
        isinstance(x, dict)
        and isinstance(x.get("msgid"), str)
        and isinstance(x.get("domain", ""), str)
        and isinstance(x.get("values", {}), dict)
    )


def _display(v: Any, what: str) -> dict:
    if v is None:
        return {}
    d = _loads(v, dict, what)
    h = d.get("headline")
    if h is not None and not (isinstance(h, str) or _is_message(h)):
        raise _Damaged(_("{what}: the headline is not a sentence", what=what))
    if not isinstance(d.get("columns", {}), dict) or not isinstance(d.get("names", {}), dict):
        raise _Damaged(_("{what} is not a column description", what=what))
    return d


def _int(v: Any, what: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise _Damaged(_("{what} is not a whole number", what=what))
    return v


# ---------------------------------------------------------------------------------------------
# Saving
def _progress(progress: Progress | None) -> Progress:
    return progress if progress is not None else Progress()


def save_project(project: Project, path: str | os.PathLike, progress: Progress | None = None) -> None:
    """Write ``project`` to ``path`` atomically. On success ``project.path`` and ``project.meta``
    (modified time, app version) are updated; on failure the previous file and the project in
    memory are unchanged and no temporary file is left. Raises ProjectError or Cancelled."""
    from .. import __version__

    progress = _progress(progress)
    given = Path(path)
    # Saving over a link writes the file it points to; the link stays a link.
    path = given.resolve() if given.is_symlink() else given
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ProjectError(_("the folder does not exist"), where=str(folder), hint=_("Choose another folder"))
    if path.is_dir():
        raise ProjectError(_("this is a folder, not a file"), where=str(path), hint=_("Choose a file name"))
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    meta = dict(project.meta)
    meta.setdefault("created", now)
    meta["modified"] = now
    meta["app_version"] = __version__
    from . import bigfile  # a table bigger than memory: its Parquet copy beside the project, referred to

    big_refs = bigfile.store_big_tables(project.datasets, path, progress)
    meta.pop(bigfile.META_KEY, None)
    if big_refs:
        meta[bigfile.META_KEY] = big_refs

    _remove_stale_temps(folder, path.name)
    tmp = _create_temp(folder, path.name)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            _write(conn, project, meta, progress)
        finally:
            conn.close()
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        _fsync(tmp)
        progress.check()  # last chance to cancel before the old file is replaced
        os.replace(tmp, path)
        _fsync_dir(folder)
        _remove_leftover_journals(path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        hint = _save_hint(exc)
        if isinstance(exc, OSError):
            raise ProjectError(
                _("could not save the project ({error})", error=exc.strerror or exc), where=str(path), hint=hint
            ) from exc
        if isinstance(exc, sqlite3.Error):
            raise ProjectError(
                _("could not save the project ({error})", error=exc), where=str(path), hint=hint
            ) from exc
        raise
    bigfile.prune_data_folder(path, big_refs)
    project.meta = meta
    project.path = given
    progress.report(1.0, _("Saved"))


def _save_hint(exc: BaseException) -> str:
    import errno

    code = getattr(exc, "errno", None)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("The previous file is unchanged; the file or its folder may not be written to: save to another folder")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return _("The previous file is unchanged; free some disk space or save to another folder")
    return _("The previous file is unchanged; try again or save to another folder")


def _remove_leftover_journals(path: Path) -> None:
    """A -journal/-wal/-shm beside the project belongs to no save of ours (saves replace the file
    whole); left there, a stale one would stop SQLite from opening the file."""
    for suffix in ("-journal", "-wal", "-shm"):
        try:
            Path(str(path) + suffix).unlink()
        except OSError:
            pass


STALE_TEMP_SECONDS = 3600


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Temporary files of this project left by a save that was killed: untouched for an hour, no
    save can still be writing them."""
    now = time.time()
    for old in folder.glob(f".{glob.escape(name)}.*.saving"):
        try:
            if now - old.stat().st_mtime > STALE_TEMP_SECONDS or _writer_is_gone(old.name):
                old.unlink()
        except OSError:
            pass


def _writer_is_gone(temp_name: str) -> bool:
    """The temp file's name carries the saving process's id: a process that no longer runs
    cannot be writing it (POSIX only; elsewhere the hour rule decides)."""
    if os.name != "posix":
        return False
    pid_part = temp_name.rsplit(".", 2)[-2].split("-", 1)[0]
    if not pid_part.isdigit():
        return False
    pid = int(pid_part)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as someone else
        return False
    return False


def _create_temp(folder: Path, name: str) -> str:
    # Same folder as the target, so os.replace is a rename on one file system. O_EXCL with the
    # default mode 0o666 lets the umask decide the permissions of a new project file.
    for _attempt in range(100):
        tmp = folder / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.saving"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise ProjectError(
                _("cannot write in this folder ({error})", error=e.strerror or e),
                where=str(folder),
                hint=_("Save to another folder"),
            ) from e
        os.close(fd)
        return str(tmp)
    raise ProjectError(_("cannot create a temporary file"), where=str(folder), hint=_("Save to another folder"))


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse to fsync a directory; the rename is done anyway
        pass
    finally:
        os.close(fd)


def _write(conn: sqlite3.Connection, project: Project, meta: dict, progress: Progress) -> None:
    # The temporary file is thrown away on any failure, so no journal is needed while filling it;
    # durability comes from the explicit fsync before the rename.
    conn.execute("PRAGMA page_size = 65536")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA application_id = {int(APPLICATION_ID)}")
    conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
    conn.execute("BEGIN")
    for ddl in _SCHEMA:
        conn.execute(ddl)
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [(str(k), dumps(v)) for k, v in meta.items()])

    # Encode first (cheap: dtype inference only) so the progress bar can weigh every table.
    work: list[tuple[str, Any]] = []
    for name, ds in project.datasets.items():
        work.append(("dataset", (name, ds, _encode(ds.frame, _("table {name}", name=repr(name))))))
    for aid, st in project.analyses.items():
        if st.raw is not None:
            work.append(("raw", (aid, st.raw)))
        else:
            tables = {}
            if st.result is not None:
                for tname, frame in st.result.tables.items():
                    tables[tname] = _encode(frame, _("result {name} of tab {tab}", name=repr(tname), tab=repr(aid)))
            work.append(("analysis", (aid, st, tables)))

    def weight(item) -> int:
        kind, payload = item
        if kind == "dataset":
            return payload[2].n_rows * max(1, len(payload[2].spec["columns"])) + 1
        if kind == "analysis":
            return sum(t.n_rows * max(1, len(t.spec["columns"])) for t in payload[2].values()) + 1
        return sum(int(t.get("n_rows", 0) or 0) for t in payload[1].get("tables", [])) + 1

    total = sum(weight(w) for w in work) or 1
    done = 0
    next_id = 1
    n_datasets = n_analyses = 0

    def put_table(enc: EncodedTable, label: str, start: int, span: int) -> int:
        nonlocal next_id
        tid = next_id
        next_id += 1
        conn.execute("INSERT INTO tables (table_id, n_rows, spec) VALUES (?, ?, ?)", (tid, enc.n_rows, dumps(enc.spec)))
        rows = 0
        for k, (n, blob) in enumerate(enc.chunks()):
            conn.execute(
                "INSERT INTO table_chunks (table_id, chunk, n_rows, crc32, data) VALUES (?, ?, ?, ?, ?)",
                (tid, k, n, zlib.crc32(blob), blob),
            )
            rows += n
            frac = (start + span * (rows / max(1, enc.n_rows))) / total
            progress.report(frac, _("Saving {what}", what=label))
        return tid

    progress.report(0.0, _("Saving the project"))
    for kind, payload in work:
        w = weight((kind, payload))
        if kind == "dataset":
            name, ds, enc = payload
            tid = put_table(enc, _("table {name}", name=name), done, w)
            dtypes = [
                [spec_name, str(dtype)]
                for spec_name, dtype in zip((c["name"] for c in enc.spec["columns"]), ds.frame.dtypes)
            ]
            conn.execute(
                _INSERT_DATASET,
                (
                    n_datasets,
                    name,
                    _text_or_none(ds.source),
                    _text_or_none(ds.source_hash),
                    _text_or_none(ds.sheet),
                    dumps(ds.roles),
                    dumps(dict(ds.import_options or {})),
                    dumps([_note_out(n) for n in ds.notes or []]),
                    dumps(dtypes),
                    tid,
                ),
            )
            n_datasets += 1
        elif kind == "analysis":
            aid, st, tables = payload
            r = st.result
            plots = _plots_json(r, aid) if r else None
            conn.execute(
                _INSERT_ANALYSIS,
                (
                    n_analyses,
                    aid,
                    st.plugin or "",
                    st.plugin_version or None,
                    int(st.state_version),
                    dumps(dict(st.params or {})),
                    _text_or_none(st.dataset),
                    1 if r is not None else 0,
                    dumps(dict(r.metrics or {})) if r else None,
                    plots,
                    dumps([_note_out(n) for n in r.notes or []]) if r else None,
                    dumps(dict(r.extra or {})) if r else None,
                    dumps(r.display_state()) if r else None,
                ),
            )
            pos = done
            for i, (tname, enc) in enumerate(tables.items()):
                span = enc.n_rows * max(1, len(enc.spec["columns"]))
                tid = put_table(enc, _("result {name}", name=tname), pos, span)
                pos += span
                conn.execute(_INSERT_RESULT_TABLE, (aid, i, tname, tid))
            n_analyses += 1
        else:
            aid, raw = payload
            next_id = _write_raw(conn, aid, raw, n_analyses, next_id)
            n_analyses += 1
        done += w
        progress.report(done / total)
    conn.execute("COMMIT")


def _plots_json(result: Result, aid: str) -> str:
    # Checked as the loader will check it, so a plot we write is a plot we can read back.
    text = dumps({str(k): p.to_dict() for k, p in result.plots.items()})
    for name, d in json.loads(text).items():
        try:
            _check_plot(d, _("plot {name}", name=repr(name)))
        except _Damaged as e:
            raise ProjectError(
                _("cannot save tab {tab}: {error}", tab=repr(aid), error=e),
                hint=_("This is a bug in the analysis that made it; please report it"),
            ) from e
    return text


def _note_out(n: Any) -> Any:
    v = to_plain(n)
    return v if isinstance(v, dict) else str(v)


def _text_or_none(v: Any) -> str | None:
    return None if v is None else str(v)


def _encode(frame: "pd.DataFrame", what: str) -> EncodedTable:
    try:
        return EncodedTable(frame)
    except UnsupportedFrame as e:
        raise ProjectError(
            _("cannot save {what}: {error}", what=what, error=e),
            hint=_("This is a bug in the analysis that made it; please report it"),
        ) from e


def _write_raw(conn: sqlite3.Connection, aid: str, raw: dict, position: int, tid: int) -> int:
    """Write back a section that was not opened (see AnalysisState.raw), exactly as it was read;
    return the next free table id."""
    row = raw["row"]
    conn.execute(_INSERT_ANALYSIS, (position, aid, *(row[c] for c in _ANALYSIS_COLUMNS[1:])))
    for t in raw.get("tables", []):
        conn.execute("INSERT INTO tables (table_id, n_rows, spec) VALUES (?, ?, ?)", (tid, t["n_rows"], t["spec"]))
        conn.executemany(
            "INSERT INTO table_chunks (table_id, chunk, n_rows, crc32, data) VALUES (?, ?, ?, ?, ?)",
            [(tid, k, n, crc, data) for k, (n, crc, data) in enumerate(t["chunks"])],
        )
        conn.execute(_INSERT_RESULT_TABLE, (aid, t["position"], t["name"], tid))
        tid += 1
    return tid


# ---------------------------------------------------------------------------------------------
# Loading
def _not_ours(path: Path) -> ProjectError:
    return ProjectError(
        _("this is not a BizOps Desktop project"),
        where=str(path),
        hint=_("Choose a .bizops file saved by BizOps Desktop; to read a table use File > Open data"),
    )


def _damaged(path: Path, detail: str = "") -> ProjectError:
    # the detail (which check failed) is technical and stays as written, like an error code
    what = (
        _("the project file is damaged or truncated ({detail})", detail=detail)
        if detail
        else _("the project file is damaged or truncated")
    )
    return ProjectError(
        what, where=str(path), hint=_("Open a backup copy or import the data again; the file was not changed")
    )


def load_project(
    path: str | os.PathLike,
    known_analyses: Mapping[str, Analysis] | Collection[str] | None = None,
    progress: Progress | None = None,
) -> Project:
    """Read a project file. Sections whose analysis id is not in ``known_analyses`` (None: all
    are known) are kept as ``raw`` for writing back. Given the analyses themselves (a mapping
    id -> Analysis, such as ``Registry.analyses``), each section's state version is checked:
    an older one is migrated, one that cannot be opened is kept as ``raw`` with a ``problem``
    for the user. Raises ProjectError (not ours, newer schema, damaged/truncated, missing) or
    Cancelled."""
    progress = _progress(progress)
    path = Path(path)
    try:
        path.stat()
    except FileNotFoundError:
        pass  # said below, in words
    except (OSError, ValueError) as e:  # a name too long, a NUL in it...
        raise ProjectError(
            _("the file cannot be reached ({error})", error=getattr(e, "strerror", None) or e),
            where=str(path)[:300],
            hint=_("Check the name and folder"),
        ) from None
    if not path.exists():
        raise ProjectError(
            _("there is no such file"),
            where=str(path),
            hint=_("Check the name or pick the file with File > Open project"),
        )
    if path.is_dir():
        raise ProjectError(_("this is a folder, not a project file"), where=str(path), hint=_("Choose a .bizops file"))
    if not path.is_file():  # a pipe or a device would block the reader forever
        raise ProjectError(
            _("this is not a regular file (a pipe or a device)"), where=str(path), hint=_("Choose a .bizops file")
        )
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as e:
        raise ProjectError(
            _("cannot read the file ({error})", error=e.strerror or e),
            where=str(path),
            hint=_("Check that you may read it and that it is not open in another program"),
        ) from e
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        if header.startswith(_SQLITE_MAGIC[:10]):
            raise _damaged(path, _("the file ends too early"))
        raise _not_ours(path)
    # The SQLite header stores user_version at offset 60 and application_id at 68, big-endian.
    version = int.from_bytes(header[60:64], "big", signed=True)
    app_id = int.from_bytes(header[68:72], "big", signed=True)
    if app_id != APPLICATION_ID:
        raise _not_ours(path)
    if version > SCHEMA_VERSION:
        raise ProjectError(
            _(
                "this project was made by a newer BizOps Desktop (schema {saved}; this program reads "
                "up to schema {known})",
                saved=version,
                known=SCHEMA_VERSION,
            ),
            where=str(path),
            hint=_("Update the program to open it"),
        )
    if version < 1:
        raise _damaged(path, _("no schema version"))

    cancelled = [False]

    def on_sqlite_progress() -> int:
        if progress.cancelled:
            cancelled[0] = True
            return 1  # makes SQLite stop the statement; raised as Cancelled below
        return 0

    conn = None
    try:
        try:
            # immutable: a stale or foreign -journal/-wal beside the file is not rolled back or
            # created (saves replace the file whole, so one is never ours)
            conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
        except sqlite3.Error as e:
            raise ProjectError(
                _("cannot open the file ({error})", error=e), where=str(path), hint=_("Check that you may read it")
            ) from e
        conn.set_progress_handler(on_sqlite_progress, 20000)
        progress.report(0.0, _("Checking the project file"))
        _check_schema(conn, version)
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise _Damaged(_("SQLite integrity check failed"))
        if version < SCHEMA_VERSION:
            mem = sqlite3.connect(":memory:", isolation_level=None)
            conn.backup(mem)
            conn.close()
            conn = mem
            conn.set_progress_handler(on_sqlite_progress, 20000)
            conn.execute("BEGIN")
            for step in MIGRATIONS[version - 1 :]:
                step(conn)
            conn.execute("COMMIT")
        progress.report(0.05, _("Reading the project"))
        project = _read(
            conn,
            set(known_analyses) if known_analyses is not None else None,
            known_analyses if isinstance(known_analyses, Mapping) else {},
            progress.sub(0.05, 1.0),
        )
    except _Damaged as e:
        raise _damaged(path, str(e)) from e
    except TableFormatError as e:
        raise _damaged(path, str(e)) from e
    except sqlite3.Error as e:
        if cancelled[0]:
            raise Cancelled() from e
        raise _damaged(path, str(e)) from e
    except (UnicodeDecodeError, OverflowError) as e:  # text that is not UTF-8, a number SQLite cannot hand over
        raise _damaged(path, _("it holds text or numbers that are not valid ({error})", error=type(e).__name__)) from e
    finally:
        if conn is not None:
            conn.close()
    from .bigfile import attach_big_tables

    attach_big_tables(project.datasets, project.meta, path)  # checked: inside the data folder, same sha256
    project.path = path
    progress.report(1.0, _("Opened"))
    return project


# A project file is data: only our tables and the indexes SQLite makes for their keys. A view,
# trigger or virtual table in a stranger's file would run a query (an endless recursive one hangs
# the loader) when we read or migrate, so such a file is refused before anything is read.
_TABLES_OF_SCHEMA_1 = {"tables", "table_chunks", "datasets", "analyses", "result_tables"}
_MAX_ROWS = {"meta": 10_000, "datasets": 10_000, "analyses": 10_000, "result_tables": 100_000, "tables": 200_000}


def _check_schema(conn: sqlite3.Connection, version: int) -> None:
    conn.execute("PRAGMA trusted_schema = OFF")  # no SQL functions from the schema, whatever it holds
    expected = _TABLES_OF_SCHEMA_1 | ({"meta"} if version >= 2 else set())
    seen = set()
    for typ, name, _tbl, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if typ == "table" and name in expected and not str(sql or "").lstrip().upper().startswith("CREATE VIRTUAL"):
            seen.add(name)
        elif typ == "index" and str(name).startswith("sqlite_autoindex_") and sql is None:
            continue
        else:
            raise _Damaged(_("it holds a {kind} named {name} that is not part of a project", kind=typ, name=repr(name)))
    if seen != expected:
        raise _Damaged(_("tables are missing: {names}", names=", ".join(sorted(expected - seen))))
    for table, limit in _MAX_ROWS.items():
        if table in expected and conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > limit:  # noqa: S608
            raise _Damaged(_("the {table} table has more rows than a project can have", table=table))


def _read(
    conn: sqlite3.Connection, known: set[str] | None, installed: Mapping[str, Analysis], progress: Progress
) -> Project:
    meta = {}
    for key, value in conn.execute("SELECT key, value FROM meta"):
        if not isinstance(key, str):
            raise _Damaged(_("a meta key is not text"))
        meta[key] = _loads(value, None, _("meta {name}", name=repr(key)))

    tables: dict[int, tuple[int, dict]] = {}
    for tid, n_rows, spec_text in conn.execute("SELECT table_id, n_rows, spec FROM tables"):
        spec = check_spec(_loads(spec_text, dict, _("a table description")))
        if _int(n_rows, _("a row count")) != spec["n_rows"]:
            raise _Damaged(_("row counts disagree"))
        tables[tid] = (n_rows, spec)

    ds_rows = conn.execute("SELECT " + ", ".join(_DATASET_COLUMNS) + " FROM datasets ORDER BY position").fetchall()
    an_rows = conn.execute("SELECT " + ", ".join(_ANALYSIS_COLUMNS) + " FROM analyses ORDER BY position").fetchall()
    rt_rows = conn.execute(
        "SELECT " + ", ".join(_RESULT_TABLE_COLUMNS) + " FROM result_tables ORDER BY analysis_id, position"
    ).fetchall()
    result_tables: dict[str, list[tuple[int, str, int]]] = {}
    for aid, pos, name, tid in rt_rows:
        if not isinstance(aid, str) or not isinstance(name, str) or tid not in tables:
            raise _Damaged(_("a result table entry is broken"))
        result_tables.setdefault(aid, []).append((_int(pos, _("a table position")), name, tid))

    # Progress weight: rows of the tables that are decoded.
    to_decode = [r[8] for r in ds_rows] + [
        tid for aid, *_ in an_rows if known is None or aid in known for _, _, tid in result_tables.get(aid, [])
    ]
    total = sum(tables[t][0] if t in tables else 0 for t in to_decode) + len(to_decode) or 1
    done = [0]
    budget = MemoryBudget()  # what all the project's tables together may unpack to

    def read_table(tid: int, label: str) -> "pd.DataFrame":
        if tid not in tables:
            raise _Damaged(_("{what} has no data", what=label))
        n_rows, spec = tables[tid]
        start = done[0]
        frame = decode_table(
            spec,
            _chunks(conn, tid),
            progress=lambda rows: progress.report((start + rows) / total, _("Reading {what}", what=label)),
            budget=budget,
        )
        done[0] = start + n_rows + 1
        return frame

    datasets: dict[str, Dataset] = {}
    for name, source, source_hash, sheet, roles, options, notes, dtypes, tid in ds_rows:
        if not isinstance(name, str) or not name:
            raise _Damaged(_("a table has no name"))
        label = _("table {name}", name=repr(name))
        roles_v = _loads(roles, dict, _("column roles of {what}", what=label))
        notes_of = _("notes of {what}", what=label)
        for cols in roles_v.values():
            if not (isinstance(cols, list) and all(isinstance(c, str) for c in cols)):
                raise _Damaged(_("the column roles of {what} are not lists of column names", what=label))
        frame = read_table(tid, label)
        dtypes_v = _loads(dtypes, list, _("column types of {what}", what=label))
        stored_types = [str(d[1]) if isinstance(d, list) and len(d) == 2 else None for d in dtypes_v]
        if stored_types != [str(t) for t in frame.dtypes]:
            raise _Damaged(_("the column types of {what} disagree with its data", what=label))
        try:
            ds = Dataset(
                name=name,
                frame=frame,
                roles=roles_v,
                source=_opt_text(source, _("the source path")),
                source_hash=_opt_text(source_hash, _("the source hash")),
                sheet=_opt_text(sheet, _("the sheet name")),
                import_options=_loads(options, dict, _("import options of {what}", what=label)),
                notes=_note_list(_loads(notes, list, notes_of), notes_of),
            )
        except UsageError as e:  # an unknown role name
            raise _Damaged(_("the column roles of {what}: {problem}", what=label, problem=e.message)) from e
        datasets[name] = ds

    analyses: dict[str, AnalysisState] = {}
    for row in an_rows:
        values = dict(zip(_ANALYSIS_COLUMNS, row))
        aid = values["analysis_id"]
        if not isinstance(aid, str) or not aid:
            raise _Damaged(_("a tab section has no analysis id"))
        if known is not None and aid not in known:
            analyses[aid] = _read_raw(conn, values, result_tables.get(aid, []), tables)
            continue
        label = _("tab {name}", name=repr(aid))
        st = AnalysisState(
            analysis_id=aid,
            plugin=_opt_text(values["plugin"], _("plugin of {what}", what=label)) or "",
            plugin_version=_opt_text(values["plugin_version"], _("plugin version of {what}", what=label)) or "",
            state_version=_int(values["state_version"], _("state version of {what}", what=label)),
            params=_loads(values["params"], dict, _("parameters of {what}", what=label)),
            dataset=_opt_text(values["dataset"], _("data set of {what}", what=label)),
        )
        if _int(values["has_result"], _("result flag of {what}", what=label)):
            notes_of = _("notes of {what}", what=label)
            plots = {}
            for pname, pd_ in _loads(values["plots"], dict, _("plots of {what}", what=label)).items():
                _check_plot(pd_, _("plot {name} of {what}", name=repr(pname), what=label))
                try:
                    plots[pname] = PlotSpec.from_dict(pd_)
                except (TypeError, ValueError, AttributeError) as e:
                    raise _Damaged(_("plot {name} of {what} is not a plot", name=repr(pname), what=label)) from e
            tables_out = {
                tname: read_table(tid, _("result {name} of {what}", name=repr(tname), what=label))
                for _pos, tname, tid in result_tables.get(aid, [])
            }
            st.result = Result(
                tables=tables_out,
                metrics=_loads(values["metrics"], dict, _("figures of {what}", what=label)),
                plots=plots,
                notes=_note_list(_loads(values["notes"], list, notes_of), notes_of),
                extra=_loads(values["extra"], dict, _("state of {what}", what=label)),
            )
            st.result.set_display_state(_display(values["display"], _("column titles of {what}", what=label)))
        analysis = installed.get(aid)
        if analysis is not None and st.state_version != analysis.state_version:
            try:
                st.params, st.result = analysis.migrate_state(st.params, st.result, st.state_version)
            except ProjectError as e:
                analyses[aid] = _read_raw(conn, values, result_tables.get(aid, []), tables)
                analyses[aid].problem = str(e)
                continue
            st.state_version, st.plugin_version = analysis.state_version, analysis.plugin_version
        analyses[aid] = st
    return Project(datasets=datasets, analyses=analyses, meta=meta)


_SCALAR = (int, float, str, type(None))
_PLOT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "title": (str, dict),
    "x_label": (str, dict),
    "y_label": (str, dict),
    "x_is_date": bool,
    "legend": bool,
}
_PLOT_TEXTS = ("title", "x_label", "y_label")
_LAYER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "name": (str, dict),
    "dashed": bool,
    "color": (str, type(None)),
    "width": (int, float, type(None)),
    "size": (int, float, type(None)),
    "alpha": (int, float, type(None)),
}
_LAYER_LISTS = ("x", "y", "y2", "values", "labels")


def _check_plot(d: Any, what: str) -> None:
    """A stored PlotSpec must have the field types the renderer expects (text where text,
    flat lists of numbers/words where data), so a forged file cannot upset the plot code."""

    def bad(field_name: str):
        return _Damaged(_("{what} has a bad {field}", what=what, field=field_name))

    if not isinstance(d, dict):
        raise _Damaged(_("{what} is not an object", what=what))
    for k, typ in _PLOT_FIELDS.items():
        if k in d and not isinstance(d[k], typ):
            raise bad(k)
        if k in _PLOT_TEXTS and isinstance(d.get(k), dict) and not _is_message(d[k]):
            raise bad(k)
    ticks = d.get("x_ticks")
    if ticks is not None and not (
        isinstance(ticks, list)
        and all(
            isinstance(t, list)
            and len(t) == 2
            and isinstance(t[0], (int, float))
            and (isinstance(t[1], str) or _is_message(t[1]))
            for t in ticks
        )
    ):
        raise bad("x_ticks")
    layers = d.get("layers", [])
    if not isinstance(layers, list):
        raise bad("layers")
    for ly in layers:
        if not isinstance(ly, dict):
            raise bad("layer")
        for k, typ in _LAYER_FIELDS.items():
            if k in ly and not isinstance(ly[k], typ):
                raise bad(k)
        if isinstance(ly.get("name"), dict) and not _is_message(ly["name"]):
            raise bad("name")
        for k in _LAYER_LISTS:
            v = ly.get(k)
            if v is not None and not (isinstance(v, list) and all(isinstance(x, _SCALAR) for x in v)):
                raise bad(k)


def _chunks(conn: sqlite3.Connection, tid: int):
    expected = 0
    for k, n, crc, data in conn.execute(
        "SELECT chunk, n_rows, crc32, data FROM table_chunks WHERE table_id = ? ORDER BY chunk", (tid,)
    ):
        if k != expected or not isinstance(data, bytes) or not isinstance(n, int) or n < 0:
            raise _Damaged(_("a table chunk is missing"))
        if zlib.crc32(data) != crc:
            raise _Damaged(_("a table chunk fails its checksum"))
        expected += 1
        yield n, data


def _read_raw(conn, values: dict, tables_of: list, tables: dict) -> AnalysisState:
    """A section that is not opened: keep the stored row and tables verbatim."""
    raw_tables = []
    for pos, name, tid in tables_of:
        spec_text = conn.execute("SELECT spec FROM tables WHERE table_id = ?", (tid,)).fetchone()[0]
        chunks = [
            (n, crc, data)
            for _, n, crc, data in conn.execute(
                "SELECT chunk, n_rows, crc32, data FROM table_chunks WHERE table_id = ? ORDER BY chunk", (tid,)
            )
        ]
        raw_tables.append(
            {"name": name, "position": pos, "n_rows": tables[tid][0], "spec": spec_text, "chunks": chunks}
        )
    row = {c: values[c] for c in _ANALYSIS_COLUMNS[1:]}
    # Shown in the window ("plugin X is not installed"); lenient because they are not used.
    try:
        params = json.loads(values["params"]) if isinstance(values["params"], str) else {}
    except (ValueError, RecursionError):
        params = {}
    sv = values["state_version"]
    return AnalysisState(
        analysis_id=values["analysis_id"],
        plugin=values["plugin"] if isinstance(values["plugin"], str) else "",
        plugin_version=values["plugin_version"] if isinstance(values["plugin_version"], str) else "",
        state_version=sv if isinstance(sv, int) else 0,
        params=params if isinstance(params, dict) else {},
        dataset=values["dataset"] if isinstance(values["dataset"], str) else None,
        raw={"row": row, "tables": raw_tables},
    )


# ---------------------------------------------------------------------------------------------
# Sources
def stale_sources(project: Project) -> list[str]:
    """Names of data sets whose source file still exists but differs from what was imported
    (the window offers to reload them). Missing or unreadable sources are not listed."""
    from .importer import file_hash  # the importer's hash is what Dataset.source_hash holds

    out = []
    for name, ds in project.datasets.items():
        if not ds.source or not ds.source_hash:
            continue
        src = Path(ds.source)
        if not src.is_file():
            continue
        try:
            digest = file_hash(src)
        except OSError:
            continue
        saved = ds.source_hash.lower().removeprefix("sha256:")
        if digest != saved:
            out.append(name)
    return out
