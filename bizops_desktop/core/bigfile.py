"""Files bigger than memory: one place decides whether a file opens in memory (the importer, into
pandas) or out of core. Out of core, the CSV is converted once, by DuckDB, to a Parquet copy in a
cache folder we own (named from the file's sha256, never from its name), and only its first
50,000 lines are read by the normal importer: they give the roles, the preview and the notes. The
Dataset's ``frame`` is that sample; ``dataset.big`` says where the whole table lives, and the views
the analyses start from (core/views/outofcore.py) compute from it.

Stock planning, pricing and customers & campaigns run their own code on a frame DuckDB reduces from
every line (core/views/reduced.py). An analysis that needs more of the table than its view cannot run
on such a file yet: Analysis.execute asks :func:`refuse_if_big`, which says so in one plain line
instead of running on the sample.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Cancelled, DataError
from .i18n import M, Mn, _
from .progress import Progress

if TYPE_CHECKING:
    from .dataset import Dataset

THRESHOLD_ENV = "BIZOPS_BIG_FILE_BYTES"  # files above this many bytes open out of core
CACHE_ENV = "BIZOPS_BIG_CACHE"  # the folder for the Parquet copies (default: the user cache folder)
SAMPLE_LINES = 50_000
DEFAULT_THRESHOLD = 2 * 1024**3  # 2 GiB of CSV (about 45M order lines of benchmarks/bench_scale.py)

# analyses whose whole computation goes through an out-of-core view. The value says what they
# read beside the view, from the first lines only (said in a note), or None.
WHOLE_FILE_READY: dict[str, Any] = {
    "basket": lambda n: M(
        "Basket rules used every line of the file; the money estimates use the prices of its first {n:int} lines.", n=n
    ),
    "recommender": lambda n: M(
        "Recommendations used every line of the file; product names and the check on later weeks come from "
        "its first {n:int} lines.",
        n=n,
    ),
    "forecast": lambda n: M(
        "The forecast used every line of the file; product names and prices come from its first {n:int} lines.", n=n
    ),
    "churn": lambda n: M("Churn used every line of the file; customer names come from its first {n:int} lines.", n=n),
    # these three run their own code on a frame DuckDB reduces from every line (core/views/reduced.py)
    "stock": lambda n: M("Stock planning used every line of the file, added up per day and product by DuckDB."),
    "segments": lambda n: M(
        "Customers & campaigns used every line of the file, added up per customer and day by DuckDB."
    ),
    "pricing": lambda n: M("Pricing used every line of the file, added up per product and period by DuckDB."),
}


@dataclass
class BigSource:
    """Where a big Dataset's whole table lives: a Parquet copy (every column as text, in file
    order), its size and sha256 (checked when a project opens it), its line count and columns."""

    parquet: str
    lines: int
    columns: list[str]
    size: int
    sha256: str
    sample_lines: int = SAMPLE_LINES
    csv: str | None = None  # the file it was converted from
    extra: dict[str, Any] = field(default_factory=dict)


def threshold() -> int:
    """Bytes above which a CSV opens out of core: BIZOPS_BIG_FILE_BYTES, else the smaller of 2 GiB
    and an eighth of the memory available now (pandas needs several times a file's size)."""
    raw = os.environ.get(THRESHOLD_ENV, "").strip()
    if raw:
        try:
            return max(0, int(float(raw)))
        except ValueError:
            pass
    try:
        import psutil

        return int(min(DEFAULT_THRESHOLD, psutil.virtual_memory().available / 8))
    except Exception:  # noqa: BLE001 - no psutil: the fixed threshold
        return DEFAULT_THRESHOLD


def is_big(path) -> bool:
    """Whether ``path`` opens out of core: a text table (CSV/TSV/TXT) larger than :func:`threshold`."""
    from .importer import TEXT_EXTENSIONS

    p = Path(path)
    try:
        return p.suffix.lower() in TEXT_EXTENSIONS and p.is_file() and p.stat().st_size > threshold()
    except OSError:
        return False


def cache_dir() -> Path:
    raw = os.environ.get(CACHE_ENV, "").strip()
    if raw:
        folder = Path(raw)
    else:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("bizops-desktop")) / "bigfiles"
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def open_data(path, options=None, progress: Progress | None = None, name: str | None = None, importers=()) -> "Dataset":
    """The one way in for the window and the command line: a big text file out of core, any other
    file through the importer."""
    if is_big(path):
        return open_big(path, options, progress, name=name)
    from .importer import load_dataset

    return load_dataset(path, options, progress, name=name, importers=importers)


def _sha256(path: Path, progress: Progress, start: float, end: float) -> str:
    h = hashlib.sha256()
    size = max(1, path.stat().st_size)
    done = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(8 << 20), b""):
            h.update(block)
            done += len(block)
            progress.report(start + (end - start) * done / size)
    return h.hexdigest()


def open_big(path, options=None, progress: Progress | None = None, name: str | None = None) -> "Dataset":
    """Convert the CSV once to Parquet (reused when the same bytes are opened again) and read its
    first lines through the importer. Progress by bytes hashed and by DuckDB's own progress; Cancel
    stops the conversion and leaves no partial copy."""
    from .dataset import Dataset
    from .importer import ImportOptions, preview
    from .importer.platforms import guess_export_roles
    from .views import outofcore

    progress = progress or Progress()
    p = Path(path).resolve()
    opts = ImportOptions.from_dict(options)
    csv = outofcore.open_big_csv(p, roles={})  # the reading options (and checks) of the out-of-core reader
    progress.report(0.0, _("Checking the file..."))
    digest = _sha256(p, progress, 0.0, 0.15)
    key = hashlib.sha256(
        f"{digest}|{csv.delimiter}|{csv.encoding}|{csv.skip}|{outofcore.PARQUET_LAYOUT}".encode()
    ).hexdigest()[:40]
    target = cache_dir() / f"{key}.parquet"
    progress.report(0.15, _("Converting the file to a compact copy (once)..."))
    if not target.is_file():
        outofcore.csv_to_parquet(csv, target, progress.sub(0.15, 0.9))
    source = describe_parquet(target, csv=str(p))
    progress.report(0.9, _("Reading the first lines..."))
    sample_opts = ImportOptions.from_dict({**opts.to_dict(), "keep_cancelled": True})
    result = preview(p, sample_opts, nrows=SAMPLE_LINES)
    sample = result.frame
    if [str(c) for c in sample.columns] != source.columns:
        raise DataError(
            _("this file's column names cannot be read out of core (duplicate or empty names)"),
            where=p.name,
            hint=_("Give every column a distinct name in the first line, or open a smaller part of the file"),
        )
    source.sample_lines = len(sample)
    roles = guess_export_roles(sample)
    from .importer.read import preview_note

    notes: list[Any] = [
        M(
            "The file is opened out of core ({size:.1f} GB): the table shows the first {shown:int} of {lines:int} "
            "lines; the analyses use the whole file.",
            size=p.stat().st_size / 1e9,
            shown=len(sample),
            lines=source.lines,
        ),
        *[
            _sample_note(n, opts.keep_cancelled, len(sample))
            for n in result.notes
            if getattr(n, "msgid", None) != preview_note(1).msgid
        ],
    ]
    ds = Dataset(
        name=name or p.stem,
        frame=sample,
        roles=roles,
        source=str(p),
        source_hash=digest,
        import_options=result.options.to_dict(),
        notes=notes,
    )
    ds.big = source
    register_sample(ds.frame, source)
    progress.report(1.0, _("Loaded"))
    return ds


def _sample_note(note: Any, keep_cancelled: bool, shown: int) -> Any:
    """A note of the first lines' import, as the big table's note. The first lines are read with
    cancelled and refunded orders kept, as the whole file is (the out-of-core reader does not
    leave them out yet): unless the user asked for that, "kept as asked" would be wrong, and the
    note says plainly what happened and what to do instead."""
    from .importer.platforms import kept_states_note

    if keep_cancelled or getattr(note, "msgid", None) != kept_states_note(1, "", "").msgid:
        return note
    return Mn(
        "Cancelled, closed, refunded or unpaid orders are not left out of a file this big yet: {n} of its "
        "first {shown:int} lines are such orders ({cols}: {states}), and the analyses count them with the "
        "rest. To leave them out, open a smaller extract of the file (fewer months or stores).",
        "Cancelled, closed, refunded or unpaid orders are not left out of a file this big yet: {n} of its "
        "first {shown:int} lines are such orders ({cols}: {states}), and the analyses count them with the "
        "rest. To leave them out, open a smaller extract of the file (fewer months or stores).",
        int(note.n or 0),
        shown=shown,
        cols=note.values.get("cols", ""),
        states=note.values.get("states", ""),
    )


def describe_parquet(path, csv: str | None = None, sha256: str | None = None) -> BigSource:
    """The BigSource of a Parquet copy: its columns and line count from its metadata, its sha256."""
    import pyarrow.parquet as pq

    p = Path(path)
    meta = pq.ParquetFile(p).metadata
    columns = [meta.schema.column(i).name for i in range(meta.num_columns)]
    digest = sha256 or _sha256(p, Progress(), 0.0, 1.0)
    return BigSource(
        parquet=str(p), lines=int(meta.num_rows), columns=columns, size=p.stat().st_size, sha256=digest, csv=csv
    )


# a big table's sample frame -> its BigSource, for the views that are handed a frame, not a Dataset
# (views.prices.price_panel): looked up by identity, so a frame cut from the sample is not taken for it
_SAMPLES: dict[int, tuple[Any, BigSource]] = {}


def register_sample(frame, big: BigSource) -> None:
    import weakref

    for key in [k for k, (ref, _b) in _SAMPLES.items() if ref() is None]:
        del _SAMPLES[key]
    _SAMPLES[id(frame)] = (weakref.ref(frame), big)


def source_of(frame) -> BigSource | None:
    """The BigSource whose sample ``frame`` is (the very object), else None."""
    hit = _SAMPLES.get(id(frame))
    if hit is None or hit[0]() is not frame:
        return None
    return hit[1]


def sample_note(ds: "Dataset") -> str | None:
    """The line the data panel shows above a big table's sample, or None for a table in memory."""
    big = getattr(ds, "big", None)
    if big is None:
        return None
    return _(
        "showing the first {shown:int} of {lines:int} lines; analyses use the whole file",
        shown=len(ds.frame),
        lines=big.lines,
    )


def refuse_if_big(analysis_id: str, dataset: "Dataset") -> Any:
    """For a big dataset: raise a plain DataError unless the analysis runs on its views alone
    (returns the note to add to its result then); for a table in memory: None."""
    big = getattr(dataset, "big", None)
    if big is None:
        return None
    note = WHOLE_FILE_READY.get(analysis_id)
    if note is None or (analysis_id == "churn" and dataset.has("label")):
        raise DataError(
            _(
                "this analysis cannot run on a file this big yet: it reads more of the table than the views "
                "computed out of core"
            ),
            where=dataset.name,
            hint=_("Run it on a smaller extract of the file (fewer months or stores)"),
        )
    return note(big.sample_lines)


__all__ = [
    "BigSource",
    "Cancelled",
    "open_data",
    "open_big",
    "is_big",
    "threshold",
    "refuse_if_big",
    "sample_note",
    "describe_parquet",
]


# ---------------------------------------------------------------------------------------------
# in a project: the Parquet copy of a big table lives in a folder beside the project file,
# ``<name>.bizops.data/``, named from its sha256; the project's meta says which table it is,
# with its size and sha256, and opening checks both before the table is used.

_COPY_NAME = re.compile(r"^[0-9a-f]{64}\.parquet$")
META_KEY = "big_tables"


def data_folder(project_path) -> Path:
    p = Path(project_path)
    return p.with_name(p.name + ".data")


def store_big_tables(datasets: Mapping[str, "Dataset"], project_path, progress: Progress | None = None) -> dict:
    """Put each big table's Parquet copy in the project's data folder (a hard link when the copy
    is on the same disk, else a copy written under a temporary name and renamed) and return the
    references the project file keeps: {table name: {file, size, sha256, lines, columns, ...}}."""
    progress = progress or Progress()
    refs: dict[str, dict] = {}
    big = {name: ds for name, ds in datasets.items() if getattr(ds, "big", None) is not None}
    if not big:
        return refs
    folder = data_folder(project_path)
    folder.mkdir(exist_ok=True)
    for name, ds in big.items():
        src = ds.big
        assert src is not None
        target = folder / f"{src.sha256}.parquet"
        if not (target.is_file() and target.stat().st_size == src.size):
            progress.check()
            part = folder / f"{src.sha256}.parquet.part"
            try:
                try:
                    os.link(src.parquet, part)
                except OSError:
                    shutil.copyfile(src.parquet, part)
                os.replace(part, target)
            finally:
                if part.exists():
                    part.unlink()
        refs[name] = {
            "file": target.name,
            "size": src.size,
            "sha256": src.sha256,
            "lines": src.lines,
            "columns": list(src.columns),
            "sample_lines": src.sample_lines,
        }
    return refs


def prune_data_folder(project_path, refs: Mapping[str, Mapping]) -> None:
    """After a save: the copies in the data folder that no table refers to any more go."""
    folder = data_folder(project_path)
    if not folder.is_dir():
        return
    keep = {str(r.get("file")) for r in refs.values()}
    for f in folder.iterdir():
        if _COPY_NAME.match(f.name) and f.name not in keep:
            f.unlink(missing_ok=True)
    if not refs and not any(folder.iterdir()):
        folder.rmdir()


def attach_big_tables(datasets: Mapping[str, "Dataset"], meta: Mapping, project_path, check: bool = True) -> None:
    """Give each table the project says is big its BigSource, after checking the reference: a file
    name of ours (64 hex digits .parquet, so never a path), resolved inside the data folder, of the
    size and sha256 saved. Anything else is a ProjectError in plain words."""
    from .errors import ProjectError

    refs = meta.get(META_KEY)
    if refs is None:
        return
    where = Path(project_path).name
    if not isinstance(refs, Mapping):
        raise ProjectError(_("the project's list of big tables is damaged"), where=where)
    folder = data_folder(project_path).resolve()
    for name, ref in refs.items():
        ds = datasets.get(name) if isinstance(name, str) else None
        if ds is None or not isinstance(ref, Mapping):
            raise ProjectError(_("the project's list of big tables is damaged"), where=where)
        file, size, digest = ref.get("file"), ref.get("size"), ref.get("sha256")
        columns, lines = ref.get("columns"), ref.get("lines")
        if not (
            isinstance(file, str)
            and _COPY_NAME.match(file)
            and isinstance(size, int)
            and isinstance(lines, int)
            and isinstance(digest, str)
            and file == f"{digest}.parquet"
            and isinstance(columns, list)
            and all(isinstance(c, str) for c in columns)
            and columns == [str(c) for c in ds.frame.columns]
        ):
            raise ProjectError(
                _("the reference to the full data of table {name} is damaged", name=repr(name)), where=where
            )
        path = (folder / file).resolve()
        if path.parent != folder:
            raise ProjectError(
                _("the reference to the full data of table {name} is damaged", name=repr(name)), where=where
            )
        hint = _("Open the original file again with File ▸ Open data and save the project")
        if not path.is_file():
            raise ProjectError(
                _(
                    "the full data of table {name} is missing: the file {file} should be in the folder {folder}",
                    name=repr(name),
                    file=file,
                    folder=folder.name,
                ),
                where=where,
                hint=hint,
            )
        if path.stat().st_size != size or (check and _sha256(path, Progress(), 0.0, 1.0) != digest):
            raise ProjectError(
                _("the full data of table {name} has changed since the project was saved", name=repr(name)),
                where=where,
                hint=hint,
            )
        sample = ref.get("sample_lines")
        ds.big = BigSource(
            parquet=str(path),
            lines=lines,
            columns=list(columns),
            size=size,
            sha256=digest,
            sample_lines=sample if isinstance(sample, int) else len(ds.frame),
        )
        register_sample(ds.frame, ds.big)
