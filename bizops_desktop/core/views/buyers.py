"""Whether the buyers of a table can be told apart: an export whose buyer column is masked
(张**, 138****1234: Pinduoduo, Douyin, Amazon) has no customer to learn from, and the analyses
that need customers say so in one line instead of taking the masked column for customers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DataError
from ..i18n import _
from ..roles import looks_masked

if TYPE_CHECKING:
    from ..dataset import Dataset


def require_buyer_ids(ds: "Dataset") -> None:
    """Raise a DataError when the column marked as the customer holds masked buyers."""
    col = ds.col("customer_id")
    if col is None or col not in ds.frame.columns or not looks_masked(ds.frame[col]):
        return
    from ..importer.platforms import recognise

    values = ds.frame[col].dropna()
    example = str(values.iloc[0]) if len(values) else ""
    plat = recognise(ds.frame.columns)
    hint = (
        str(plat.no_buyer())
        if plat is not None and plat.no_buyer is not None
        else _("Open an export that has a buyer id (member number, account or email) and mark it as Customer")
    )
    raise DataError(
        _(
            "this export has no buyer id: column {col} holds masked buyers such as {example}, so one customer "
            "cannot be told from another",
            col=repr(col),
            example=example,
        ),
        where=ds.name,
        hint=hint,
    )
