"""``python -m bizops_stock`` opens just this tab on the demo shop (for a quick look)."""

from bizops_desktop.qt.preview import preview

raise SystemExit(preview("stock"))
