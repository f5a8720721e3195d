"""The ways in: ``read_table``, ``preview`` (the import dialog) and ``load_dataset`` all go through
one read path, whichever importer reads the file; ``sniff`` and ``list_sheets`` answer quickly
from a sample."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import M, Mn, _
from ..progress import Progress
from ..roles import guess_roles
from ..sheets import sheet_notes
from .excel import close_book, excel_sniff, open_workbook
from .formats import EXCEL_EXTENSIONS, TEXT_EXTENSIONS, Importer, existing_file, importer_for
from .layout import text_plan
from .notes import quality_notes
from .options import ImportOptions, ImportResult
from .platforms import shape_orders

if TYPE_CHECKING:
    from ..dataset import Dataset


def sniff(path, options: ImportOptions | Mapping | None = None) -> ImportOptions:
    """Detect how to read the file from a sample (fast). Given options are kept as they are."""
    path = existing_file(path)
    opts = (
        ImportOptions(**options.to_dict()) if isinstance(options, ImportOptions) else ImportOptions.from_dict(options)
    )
    imp = importer_for(path)
    if imp.id == "excel":
        return excel_sniff(path, opts)
    return text_plan(path, opts).options


def list_sheets(path) -> list[str]:
    """Sheet names of a workbook; [] for a text file."""
    path = existing_file(path)
    if importer_for(path).id != "excel":
        return []
    book = open_workbook(path)
    try:
        return list(book.sheet_names)
    finally:
        close_book(book)


def preview(
    path,
    options: ImportOptions | Mapping | None = None,
    nrows: int = 200,
    importers: Sequence[Importer] = (),
    progress: Progress | None = None,
) -> ImportResult:
    """The first ``nrows`` rows, read exactly as the full import would (for the import dialog and
    the combine dialog's sample, which reads it in the job runner: progress and Cancel)."""
    return _read(path, options, progress, importers, max(1, int(nrows)))[0]


def read_table(
    path,
    options: ImportOptions | Mapping | None = None,
    progress: Progress | None = None,
    importers: Sequence[Importer] = (),
) -> ImportResult:
    """Read the whole file. Reports progress by bytes read and stops at Cancel between chunks."""
    return _read(path, options, progress, importers, None)[0]


def load_dataset(
    path,
    options: ImportOptions | Mapping | None = None,
    progress: Progress | None = None,
    name: str | None = None,
    importers: Sequence[Importer] = (),
) -> "Dataset":
    """Read a file into a :class:`Dataset`: the table, guessed column roles, where it came from."""
    from ..dataset import Dataset

    progress = progress or Progress()
    result, roles = _read(path, options, progress.sub(0.0, 0.95), importers, None)
    progress.report(0.95, _("Checking the file..."))
    p = Path(path)
    ds = Dataset(
        name=name or p.stem,
        frame=result.frame,
        roles=roles,
        source=str(p.resolve()),
        source_hash=file_hash(p),
        sheet=str(result.options.sheet) if result.sheets and result.options.sheet is not None else None,
        import_options=result.options.to_dict(),
        notes=list(result.notes),
    )
    progress.report(1.0, _("Loaded"))
    return ds


def file_hash(path) -> str:
    """sha256 (hex) of the file's bytes, read in blocks so a large file costs no memory."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read(path, options, progress, importers, nrows):
    path = existing_file(path)
    opts = ImportOptions.from_dict(options).validate()
    progress = progress or Progress()
    imp = importer_for(path, importers)
    result = imp.read(path, opts, progress.sub(0.0, 0.97), nrows)
    notes = list(result.notes)
    if imp.id == "excel" and path.suffix.lower() in TEXT_EXTENSIONS:
        notes.insert(0, M("The file is named {ext} but holds an Excel workbook; it was read as one", ext=path.suffix))
    elif imp.id == "csv" and path.suffix.lower() in EXCEL_EXTENSIONS:
        notes.insert(0, M("The file is named {ext} but holds plain text; it was read as a text table", ext=path.suffix))
    progress.report(0.97, _("Checking the data..."))
    roles = guess_roles(result.frame)
    shaped = shape_orders(result.frame, roles, keep_cancelled=opts.keep_cancelled)
    result.frame, roles = shaped.frame, shaped.roles
    if shaped.lead is not None:
        notes.insert(0, shaped.lead)
    notes[:0] = sheet_notes(result.frame, roles)  # a stock or cost sheet says so (core/sheets.py)
    notes.extend(shaped.notes)
    notes.extend(quality_notes(result.frame, roles, result.text_codes))
    result.text_codes = None  # references to the columns' values and codes: not kept beyond the import
    if nrows is not None and len(result.frame) >= nrows and len(notes) > 1:
        notes.append(preview_note(nrows))
    result.notes = notes
    progress.report(1.0, _("Read"))
    return result, roles


def preview_note(n: int):
    """The note a preview of the first ``n`` lines ends with (the out-of-core open leaves it out:
    its analyses use the whole file)."""
    return Mn(
        "This preview reads the first {n} row; counts above are for that row only",
        "This preview reads the first {n} rows; counts above are for those rows only",
        n,
    )
