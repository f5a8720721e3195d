"""The one data importer: reads a shop's CSV/TSV/TXT or Excel export into a DataFrame, detecting
encoding, delimiter, header row, decimal comma and dates, and says in plain notes what it did.

One module per job: ``formats`` (extensions, encodings, delimiters, the importer registry),
``options`` (ImportOptions, ImportResult), ``encoding`` (which codec the bytes are in), ``layout``
(delimiter, header line, decimal mark), ``text`` and ``excel`` (the two readers), ``convert``
(names, numbers, dates, ids), ``notes`` (what the user is told), ``read`` (the ways in).

pandas and the Excel readers are imported inside the functions, so importing this package (plugins
do, to describe an :class:`Importer`) keeps the command line quick to start.
"""

from __future__ import annotations

from .convert import parse_date_column, read_dates
from .formats import (
    DELIMITER_NAMES,
    DELIMITERS,
    ENCODING_NAMES,
    ENCODINGS,
    EXCEL_EXTENSIONS,
    TEXT_EXTENSIONS,
    Importer,
    builtin_importers,
    data_extensions,
    encoding_name,
    file_dialog_filter,
    importer_for,
)
from .options import ImportOptions, ImportResult
from .read import file_hash, list_sheets, load_dataset, preview, read_table, sniff

__all__ = [
    "ImportOptions",
    "ImportResult",
    "Importer",
    "builtin_importers",
    "importer_for",
    "sniff",
    "list_sheets",
    "preview",
    "read_table",
    "file_hash",
    "load_dataset",
    "parse_date_column",
    "read_dates",
    "TEXT_EXTENSIONS",
    "EXCEL_EXTENSIONS",
    "ENCODINGS",
    "ENCODING_NAMES",
    "encoding_name",
    "DELIMITERS",
    "DELIMITER_NAMES",
    "data_extensions",
    "file_dialog_filter",
]
