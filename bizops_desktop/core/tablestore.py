"""DataFrame <-> typed, chunked Arrow IPC bytes, for the project file: exact dtypes back, no pickle.

A table is a JSON *spec* (one entry per column: kind, dtype, name, ...) plus a few chunks, each an
Arrow IPC stream (zstd-compressed) holding one record batch of some thousand rows. Arrow IPC is a
documented, typed columnar format that carries only data (no code, unlike pickle) and needs no
per-value parsing: 1,000,000 x 8 orders save in ~0.5 s and load in ~0.3-1 s here, where typed
SQLite rows (executemany / read_sql) took ~2 s and ~4 s before even restoring dtypes; chunks
also give progress and Cancel points and keep BLOBs far below SQLite's size limit. Nothing read is trusted: the
spec's kinds and dtypes come from fixed lists, every chunk's Arrow schema must match what the
spec implies, and batches are fully validated before use; any mismatch raises TableFormatError.

Column kinds:
  int / float / bool     numpy dtypes (NaN and inf stay in the float values, bit for bit)
  masked                 pandas nullable Int8..UInt64, Float32/64, boolean
  datetime / timedelta   datetime64[unit] (optionally with a time zone) / timedelta64[unit], NaT kept
  str                    object column of Python str; its missing cells come back as they went
                         (None, NaN or pd.NA, whichever the column used)
  string                 pandas StringDtype (python or pyarrow storage, NA or NaN missing value)
  category               codes + categories (categories are a column spec of their own), ordered flag
  json                   any other object column: one JSON text per cell. Lists, tuples, sets and
                         frozensets come back as such when a column holds only one of them (itemsets);
                         inf/NaN floats survive (JSON's Infinity/NaN tokens). Cells that are not JSON
                         (timestamps, decimals...) are stored as their text (lossy).
Anything else (period, interval, sparse, pyarrow-backed...) is stored as a json column of its
values as text and comes back as object (lossy).

The index: a default RangeIndex is stored as its start/stop/step; any other index is stored as
extra columns and set back. Column names may be str or int (others are stored as their text);
duplicate names are refused.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .jsonable import dumps

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

FORMAT = "arrow-ipc-1"
_TARGET_CHUNK_BYTES = 8 << 20
# zstd: about a third of the raw size at a small cost in time; any Arrow reader decodes it.
COMPRESSION = "zstd"
_MIN_CHUNK_ROWS = 1024

INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FLOAT_DTYPES = ("float16", "float32", "float64")
MASKED_DTYPES = (
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "Float32",
    "Float64",
    "boolean",
)
UNITS = ("s", "ms", "us", "ns")
NA_KINDS = ("none", "nan", "NA")
CONTAINERS = ("any", "list", "tuple", "set", "frozenset")
_NAT = -(2**63)
# Time-zone names as pandas prints them (Asia/Shanghai, UTC, UTC+08:00, Etc/GMT-8); no paths.
_TZ_RE = re.compile(r"^(dateutil/)?[A-Za-z][A-Za-z0-9_+\-:]*(/[A-Za-z0-9_+\-:]+)*$")


class TableFormatError(ValueError):
    """Stored table content that does not match its spec (damaged or forged file)."""


class UnsupportedFrame(ValueError):
    """A frame that cannot be stored as it is (duplicate column names)."""


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# Names
def _name_out(name: Any, *, allow_none: bool = False) -> Any:
    import numpy as np

    if name is None and allow_none:
        return None
    if isinstance(name, str):
        return name
    if isinstance(name, (int, np.integer)) and not isinstance(name, (bool, np.bool_)):
        return int(name)
    return str(name)


def _name_in(name: Any, *, allow_none: bool = False) -> Any:
    if name is None and allow_none:
        return None
    if isinstance(name, str) or (isinstance(name, int) and not isinstance(name, bool)):
        return name
    raise TableFormatError(f"bad column name {name!r}")


# ---------------------------------------------------------------------------------------------
# Column encoders: a spec (JSON) and a function slice -> pyarrow Array.
class _Enc:
    def __init__(self, spec: dict, to_arrow: Callable[["pd.Series"], "pa.Array"], width: int):
        self.spec = spec
        self.to_arrow = to_arrow
        self.width = width  # rough bytes per cell, for chunk sizing


def _null_kinds(values) -> set[str]:
    import pandas as pd

    kinds = set()
    for v in values:
        if v is None:
            kinds.add("none")
        elif v is pd.NA:
            kinds.add("NA")
        elif isinstance(v, float) and v != v:
            kinds.add("nan")
        else:  # NaT, Decimal('NaN'), np.datetime64('NaT') ...
            kinds.add("other")
        if len(kinds) > 1:
            break
    return kinds


def _column_encoder(s: "pd.Series") -> _Enc:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from pandas.api.types import infer_dtype

    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        cats = pd.Series(dt.categories)
        cat_enc = _column_encoder(cats)
        if cat_enc.spec["kind"] == "category":
            raise UnsupportedFrame("categories of categories")
        dictionary = cat_enc.to_arrow(cats)

        def cat_to_arrow(part):
            codes = part.cat.codes.to_numpy()
            idx = pa.array(codes, mask=codes < 0)
            return pa.DictionaryArray.from_arrays(idx, dictionary)

        return _Enc({"kind": "category", "ordered": bool(dt.ordered), "categories": cat_enc.spec}, cat_to_arrow, 4)
    if isinstance(dt, pd.DatetimeTZDtype) or (isinstance(dt, np.dtype) and dt.kind in "Mm"):
        kind = "timedelta" if dt.kind == "m" else "datetime"
        unit = dt.unit if isinstance(dt, pd.DatetimeTZDtype) else np.datetime_data(dt)[0]
        tz = str(dt.tz) if isinstance(dt, pd.DatetimeTZDtype) else None
        if unit in UNITS and (tz is None or _TZ_RE.match(tz)):
            atype = pa.duration(unit) if kind == "timedelta" else pa.timestamp(unit, tz)

            def time_to_arrow(part):
                i8 = np.asarray(part.array.asi8 if tz else part.to_numpy().view("i8"))
                return pa.array(i8, mask=i8 == _NAT, type=pa.int64()).view(atype)

            spec = {"kind": kind, "unit": unit}
            if kind == "datetime":
                spec["tz"] = tz
            return _Enc(spec, time_to_arrow, 8)
    if isinstance(dt, pd.StringDtype):
        na = "nan" if dt.na_value is not pd.NA else "NA"
        if dt.storage in ("python", "pyarrow"):
            return _Enc(
                {"kind": "string", "storage": dt.storage, "na": na},
                lambda part: pa.array(part.array, type=pa.large_string()),
                32,
            )
    if str(dt) in MASKED_DTYPES and not isinstance(dt, np.dtype):
        return _Enc({"kind": "masked", "dtype": str(dt)}, lambda part: pa.array(part.array), dt.itemsize)
    if isinstance(dt, np.dtype) and dt.name in INT_DTYPES + FLOAT_DTYPES + ("bool",):
        kind = "bool" if dt.kind == "b" else ("float" if dt.kind == "f" else "int")
        return _Enc({"kind": kind, "dtype": dt.name}, lambda part: pa.array(part.to_numpy()), dt.itemsize)
    if isinstance(dt, np.dtype) and dt.kind == "O":
        values = s.to_numpy()
        mask = pd.isna(values)
        inferred = infer_dtype(values, skipna=True)
        nulls = _null_kinds(values[mask]) if mask.any() else {"none"}
        if inferred in ("string", "empty") and len(nulls) == 1 and nulls <= set(NA_KINDS):
            return _Enc(
                {"kind": "str", "na": nulls.pop()},
                lambda part: pa.array(part.to_numpy(), type=pa.large_string(), from_pandas=True),
                32,
            )
        return _json_encoder(values[~mask] if mask.any() else values)
    # Anything else: its values, cell by cell, as JSON (text for what JSON cannot hold).
    return _Enc(_json_encoder(s.to_numpy(dtype=object)).spec, lambda part: _json_cells(part.astype(object)), 48)


def _json_encoder(non_null) -> _Enc:
    container = "any"
    kinds = {type(v) for v in non_null[:100000]}
    for name, typ in (("list", list), ("tuple", tuple), ("set", set), ("frozenset", frozenset)):
        if kinds == {typ} and all(type(v) is typ for v in non_null):
            container = name
            break
    return _Enc({"kind": "json", "container": container}, _json_cells, 48)


def _json_cells(part: "pd.Series") -> "pa.Array":
    import pandas as pd
    import pyarrow as pa

    out: list[str | None] = []
    for v in part.to_numpy(dtype=object):
        if v is None or v is pd.NA:
            out.append(None)  # a JSON null cell; NaN is written as the NaN token instead
        else:
            out.append(dumps(v))
    return pa.array(out, type=pa.large_string())


# ---------------------------------------------------------------------------------------------
# Spec validation and decoding
def _expected_type(spec: dict) -> "pa.DataType":
    import numpy as np
    import pyarrow as pa

    if not isinstance(spec, dict):
        raise TableFormatError("column spec is not an object")
    kind = spec.get("kind")
    if kind in ("int", "float", "bool"):
        dtype = spec.get("dtype")
        allowed = {"int": INT_DTYPES, "float": FLOAT_DTYPES, "bool": ("bool",)}[kind]
        if dtype not in allowed:
            raise TableFormatError(f"unknown dtype {dtype!r}")
        return pa.from_numpy_dtype(np.dtype(dtype))
    if kind == "masked":
        dtype = spec.get("dtype")
        if dtype not in MASKED_DTYPES:
            raise TableFormatError(f"unknown dtype {dtype!r}")
        if dtype == "boolean":
            return pa.bool_()
        return pa.from_numpy_dtype(np.dtype(dtype.lower()))
    if kind in ("datetime", "timedelta"):
        unit = spec.get("unit")
        if unit not in UNITS:
            raise TableFormatError(f"unknown time unit {unit!r}")
        if kind == "timedelta":
            return pa.duration(unit)
        tz = spec.get("tz")
        if tz is not None and not (isinstance(tz, str) and len(tz) <= 64 and _TZ_RE.match(tz) and ".." not in tz):
            raise TableFormatError(f"bad time zone {tz!r}")
        return pa.timestamp(unit, tz)
    if kind == "str":
        if spec.get("na") not in NA_KINDS:
            raise TableFormatError("bad missing-value kind")
        return pa.large_string()
    if kind == "string":
        if spec.get("storage") not in ("python", "pyarrow") or spec.get("na") not in ("nan", "NA"):
            raise TableFormatError("bad string dtype")
        return pa.large_string()
    if kind == "json":
        if spec.get("container") not in CONTAINERS:
            raise TableFormatError("bad json container")
        return pa.large_string()
    if kind == "category":
        cats = spec.get("categories")
        if not isinstance(spec.get("ordered"), bool) or not isinstance(cats, dict) or cats.get("kind") == "category":
            raise TableFormatError("bad category spec")
        return pa.dictionary(pa.int32(), _expected_type(cats))  # index width checked separately
    raise TableFormatError(f"unknown column kind {kind!r}")


def _type_matches(actual: "pa.DataType", expected: "pa.DataType") -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(expected):
        return (
            pa.types.is_dictionary(actual)
            and pa.types.is_signed_integer(actual.index_type)
            and actual.value_type == expected.value_type
        )
    return actual == expected


def _decode_column(spec: dict, arr: "pa.Array", name: Any) -> "pd.Series":
    """One validated Arrow array (all chunks combined) -> the pandas Series it was saved from."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    kind = spec["kind"]
    if kind in ("int", "float", "bool"):
        if arr.null_count:
            raise TableFormatError("missing values in a column that has none")
        return pd.Series(arr.to_numpy(zero_copy_only=False).astype(spec["dtype"], copy=False), name=name)
    if kind == "masked":
        return pd.Series(pd.api.types.pandas_dtype(spec["dtype"]).__from_arrow__(arr), name=name)
    if kind in ("datetime", "timedelta"):
        unit = spec["unit"]
        i8 = arr.view(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)
        if kind == "timedelta":
            return pd.Series(i8.view(f"m8[{unit}]"), name=name)
        s = pd.Series(i8.view(f"M8[{unit}]"), name=name)
        if spec.get("tz"):
            try:
                s = s.dt.tz_localize("UTC").dt.tz_convert(spec["tz"])
            except Exception as e:  # unknown zone name on this machine
                raise TableFormatError(f"unknown time zone {spec['tz']!r}") from e
        return s
    if kind == "str":
        values = arr.to_pandas(deduplicate_objects=True).to_numpy(dtype=object)
        if arr.null_count and spec["na"] != "none":
            values[arr.is_null().to_numpy(zero_copy_only=False)] = np.nan if spec["na"] == "nan" else pd.NA
        return pd.Series(values, dtype=object, name=name)
    if kind == "string":
        dtype = pd.StringDtype(spec["storage"], na_value=np.nan if spec["na"] == "nan" else pd.NA)
        return pd.Series(dtype.__from_arrow__(arr), name=name)
    if kind == "json":
        return pd.Series(_json_values(arr, spec["container"]), dtype=object, name=name)
    if kind == "category":
        cats = _decode_column(spec["categories"], arr.dictionary, None)
        codes = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        try:
            cat = pd.Categorical.from_codes(codes, categories=pd.Index(cats), ordered=spec["ordered"])
        except (ValueError, TypeError) as e:
            raise TableFormatError(f"bad categories: {e}") from e
        return pd.Series(cat, name=name)
    raise TableFormatError(f"unknown column kind {kind!r}")  # unreachable: specs are checked first


def _json_values(arr: "pa.Array", container: str):
    import numpy as np

    make = {"list": None, "any": None, "tuple": tuple, "set": set, "frozenset": frozenset}[container]
    texts = arr.to_numpy(zero_copy_only=False)
    out = np.empty(len(texts), dtype=object)
    for i, t in enumerate(texts):
        if t is None:
            out[i] = None
            continue
        try:
            v = json.loads(t)
        except (ValueError, RecursionError) as e:
            raise TableFormatError("a cell is not valid JSON") from e
        if container != "any":
            if not isinstance(v, list):
                raise TableFormatError(f"a {container} cell is not a JSON array")
            if make is not None:
                try:
                    v = make(v)
                except TypeError as e:  # unhashable member of a set
                    raise TableFormatError("a set cell holds unhashable values") from e
        out[i] = v
    return out


# ---------------------------------------------------------------------------------------------
# Whole tables
class EncodedTable:
    """A frame ready to be written: ``spec`` (JSON-able) and ``chunks()`` yielding
    ``(n_rows, ipc_bytes)``, at least one chunk even for an empty table."""

    def __init__(self, frame: "pd.DataFrame"):
        import pandas as pd
        import pyarrow as pa

        names = [_name_out(c) for c in frame.columns]
        if len(set(names)) != len(names):
            dup = sorted({str(n) for n in names if names.count(n) > 1})
            raise UnsupportedFrame("duplicate column names: " + ", ".join(dup))
        self.frame = frame
        self.n_rows = len(frame)
        self._encs = []
        cols = []
        for i, name in enumerate(names):
            enc = _column_encoder(frame.iloc[:, i])
            enc.spec["name"] = name
            self._encs.append((frame.iloc[:, i], enc))
            cols.append(enc.spec)
        idx = frame.index
        if isinstance(idx, pd.RangeIndex) and _json_name_ok(idx.name):
            index_spec: dict = {
                "kind": "range",
                "start": int(idx.start),
                "stop": int(idx.stop),
                "step": int(idx.step),
                "name": _name_out(idx.name, allow_none=True),
            }
        else:
            levels = []
            for j in range(idx.nlevels):
                level = pd.Series(idx.get_level_values(j))
                enc = _column_encoder(level)
                enc.spec["name"] = _name_out(idx.names[j], allow_none=True)
                self._encs.append((level, enc))
                levels.append(enc.spec)
            index_spec = {"kind": "levels", "levels": levels}
        self.spec = {"format": FORMAT, "n_rows": self.n_rows, "columns": cols, "index": index_spec}
        fields = [pa.field(f"c{i}", _expected_type(c)) for i, c in enumerate(cols)]
        fields += [pa.field(f"i{j}", _expected_type(lv)) for j, lv in enumerate(index_spec.get("levels", []))]
        self._field_names = [f.name for f in fields]
        width = sum(enc.width for _, enc in self._encs) or 8
        self.rows_per_chunk = max(_MIN_CHUNK_ROWS, _TARGET_CHUNK_BYTES // width)

    def n_chunks(self) -> int:
        return max(1, -(-self.n_rows // self.rows_per_chunk))

    def chunks(self) -> Iterator[tuple[int, bytes]]:
        import pyarrow as pa

        options = pa.ipc.IpcWriteOptions(compression=COMPRESSION)
        for k in range(self.n_chunks()):
            a, b = k * self.rows_per_chunk, min(self.n_rows, (k + 1) * self.rows_per_chunk)
            arrays = [enc.to_arrow(series.iloc[a:b]) for series, enc in self._encs]
            batch = pa.record_batch(arrays, names=self._field_names)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
                writer.write_batch(batch)
            yield b - a, sink.getvalue().to_pybytes()


def _json_name_ok(name: Any) -> bool:
    return name is None or isinstance(name, str) or (isinstance(name, int) and not isinstance(name, bool))


def check_spec(spec: Any) -> dict:
    """Validate a stored table spec (from JSON); return it. Raises TableFormatError."""
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise TableFormatError("unknown table format")
    n = spec.get("n_rows")
    cols = spec.get("columns")
    index = spec.get("index")
    if (
        not isinstance(n, int)
        or isinstance(n, bool)
        or n < 0
        or not isinstance(cols, list)
        or not isinstance(index, dict)
    ):
        raise TableFormatError("bad table header")
    names = []
    for c in cols:
        _expected_type(c)
        names.append(_name_in(c.get("name")))
    if len(set(names)) != len(names):
        raise TableFormatError("duplicate column names")
    if index.get("kind") == "range":
        for key in ("start", "stop", "step"):
            if not isinstance(index.get(key), int) or isinstance(index.get(key), bool):
                raise TableFormatError("bad range index")
        try:
            length = len(range(index["start"], index["stop"], index["step"]))
        except (ValueError, OverflowError):  # step 0, or absurd bounds
            length = -1
        if length != n:
            raise TableFormatError("range index does not match the row count")
        _name_in(index.get("name"), allow_none=True)
    elif index.get("kind") == "levels":
        levels = index.get("levels")
        if not isinstance(levels, list) or not levels:
            raise TableFormatError("bad index levels")
        for lv in levels:
            _expected_type(lv)
            _name_in(lv.get("name"), allow_none=True)
    else:
        raise TableFormatError("unknown index kind")
    return spec


# A chunk we write holds about _TARGET_CHUNK_BYTES; one that says it unpacks to far more is a
# decompression bomb (a 1 MB file can claim many GB). Each compressed Arrow buffer starts with its
# unpacked length (int64) followed by a zstd frame, so the claims can be added up before Arrow
# allocates anything.
MAX_CHUNK_BYTES = 32 * _TARGET_CHUNK_BYTES
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def memory_budget() -> int:
    """How much unpacked table data one project may bring into memory: half the machine's RAM,
    at most 32 GiB (a project file is untrusted: it may not exhaust the machine)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        total = 16 << 30
    return int(min(total // 2, 32 << 30))


def claimed_bytes(blob: bytes) -> int:
    """The memory a chunk's compressed buffers say they unpack to: the int64 before every zstd
    frame in the IPC stream (an overestimate if the magic also occurs inside compressed data)."""
    total, at = 0, blob.find(_ZSTD_MAGIC, 8)
    while at != -1:
        n = int.from_bytes(blob[at - 8 : at], "little", signed=True)
        if n > 0:
            total += n
        at = blob.find(_ZSTD_MAGIC, at + 4)
    return total


class MemoryBudget:
    """Unpacked bytes still allowed for the tables of one project being opened."""

    def __init__(self, limit: int | None = None):
        self.left = memory_budget() if limit is None else limit

    def take(self, n: int) -> None:
        if n > MAX_CHUNK_BYTES:
            raise TableFormatError(f"a table chunk claims to unpack to {n:,} bytes (at most {MAX_CHUNK_BYTES:,})")
        if n > self.left:
            raise TableFormatError("the tables claim to unpack to more memory than this computer can give")
        self.left -= n


def decode_table(
    spec: dict,
    chunks: Iterable[tuple[int, bytes]],
    progress: Callable[[int], None] | None = None,
    budget: MemoryBudget | None = None,
) -> "pd.DataFrame":
    """Rebuild the frame from its spec and its chunks ``(n_rows, ipc_bytes)`` in order.
    ``progress(rows_done)`` is called after each chunk (it may raise Cancelled). ``budget``
    bounds what the chunks may unpack to (a project shares one across its tables)."""
    import pyarrow as pa

    budget = budget if budget is not None else MemoryBudget()

    check_spec(spec)
    col_specs = list(spec["columns"])
    level_specs = list(spec["index"].get("levels", [])) if spec["index"]["kind"] == "levels" else []
    all_specs = col_specs + level_specs
    names = [f"c{i}" for i in range(len(col_specs))] + [f"i{j}" for j in range(len(level_specs))]
    expected = [_expected_type(s) for s in all_specs]
    parts: list[list] = [[] for _ in all_specs]
    rows = 0
    n_chunks = 0
    for n, blob in chunks:
        n_chunks += 1
        budget.take(claimed_bytes(blob))  # before Arrow allocates what the chunk claims
        try:
            reader = pa.ipc.open_stream(pa.py_buffer(blob))
            schema = reader.schema
            if schema.names != names or not all(_type_matches(f.type, t) for f, t in zip(schema, expected)):
                raise TableFormatError("a table chunk does not match its column list")
            got = 0
            for batch in reader:
                batch.validate(full=True)
                for i in range(batch.num_columns):
                    parts[i].append(batch.column(i))
                got += batch.num_rows
        except TableFormatError:
            raise
        except Exception as e:  # noqa: BLE001 - any failure to parse foreign bytes means "damaged"
            raise TableFormatError(f"unreadable table chunk ({type(e).__name__})") from e
        if got != n and (all_specs or got != 0):  # a batch without columns cannot carry its length
            raise TableFormatError("a table chunk has the wrong number of rows")
        rows += n
        if progress is not None:
            progress(rows)
    if n_chunks == 0 or rows != spec["n_rows"]:
        raise TableFormatError("the table has the wrong number of rows")
    if any(not arrs for arrs in parts):
        raise TableFormatError("a table chunk holds no rows at all")  # not even the empty batch we write

    series = []
    for i, (s, t) in enumerate(zip(all_specs, expected)):
        arrs = parts[i]
        try:
            if s["kind"] == "category":
                # The dictionary is written whole into every chunk; they must agree.
                first = arrs[0].dictionary
                if any(not a.dictionary.equals(first) for a in arrs[1:]):
                    raise TableFormatError("category chunks disagree")
                indices = pa.chunked_array([a.indices.cast(pa.int64()) for a in arrs], pa.int64()).combine_chunks()
                arr = pa.DictionaryArray.from_arrays(indices, first)
            else:
                arr = pa.chunked_array(arrs, t).combine_chunks() if len(arrs) != 1 else arrs[0]
            series.append(_decode_column(s, arr, None))
        except TableFormatError:
            raise
        except Exception as e:  # noqa: BLE001 - validated bytes that still do not make a column
            raise TableFormatError(f"column {i} cannot be read back ({type(e).__name__})") from e

    try:
        return _assemble(spec, series, col_specs, level_specs, rows)
    except Exception as e:  # noqa: BLE001
        raise TableFormatError(f"the table cannot be put together ({type(e).__name__})") from e


def _assemble(spec: dict, series: list, col_specs: list, level_specs: list, rows: int) -> "pd.DataFrame":
    import pandas as pd

    data = series[: len(col_specs)]
    frame = pd.concat(data, axis=1, ignore_index=True) if data else pd.DataFrame(index=pd.RangeIndex(rows))
    frame.columns = pd.Index([s["name"] for s in col_specs]) if col_specs else pd.RangeIndex(0)
    idx = spec["index"]
    if idx["kind"] == "range":
        frame.index = pd.RangeIndex(idx["start"], idx["stop"], idx["step"], name=idx.get("name"))
    else:
        levels = series[len(col_specs) :]
        level_names = [lv.get("name") for lv in level_specs]
        if len(levels) == 1:
            frame.index = pd.Index(levels[0], name=level_names[0])
        else:
            frame.index = pd.MultiIndex.from_arrays(levels, names=level_names)
    return frame
