"""Shop-system exports as they come: which platform wrote a table (from its headers), which of its
columns hold each role, and the quirks undone before any analysis sees the lines: order fields
written on an order's first line only are carried down, cancelled / closed / refunded / unpaid
orders are left out of the sales (unless asked to keep them), refunds on a line reduce it, order
totals repeated on each line are never taken for a line's money, and a masked buyer column is
marked as such. Every step works on whole columns (or on the few distinct status values), so a
million-line export costs a few vectorised passes.

Where each platform's column list comes from is written down in tests/data/exports/README.md.
The headers are the platforms' own words, compared normalised: English ones are written here with
underscores for spaces ("Paid_at" is the column "Paid at"), as data, not text of the program.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..i18n import M, Message, Mn, format_list
from ..roles import looks_masked, normalise_header, status_columns
from .notes import evenly

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Platform:
    """One shop system's export layout. Header names are compared normalised (case, spaces,
    brackets and dashes ignored). ``roles`` lists, per role, the columns to use in order of
    preference (for ``date``: the order's payment time before its creation time)."""

    id: str
    name: Callable[[], Message]  # "a Taobao order report", as the note says it
    signature: tuple[str, ...]  # headers that together identify the layout
    roles: Mapping[str, tuple[str, ...]]
    status: tuple[str, ...] = ()  # order or line states (交易关闭, Cancelled ...)
    cancelled_when_set: tuple[str, ...] = ()  # a date there means the order was cancelled
    order_level: tuple[str, ...] = ()  # filled on an order's first line only
    order_totals: tuple[str, ...] = ()  # the order's total repeated on each of its lines
    line_refund: tuple[str, ...] = ()  # money refunded on the line
    refund_quantity: tuple[str, ...] = ()  # units refunded on the line
    no_buyer: Callable[[], Message] | None = None  # the export has no stable buyer id: what to use instead
    part_of: Callable[[], Message] | None = None  # half of a two-file export: what to combine it with
    min_hits: int = 4


_PDD_BUYER = lambda: M(  # noqa: E731
    "Pinduoduo masks its buyers; for churn risk and recommendations use an export with buyer ids (a CRM or "
    "member list) combined with the orders"
)
_DOUYIN_BUYER = lambda: M(  # noqa: E731
    "Douyin masks its buyers; for churn risk and recommendations use the 抖店 member (会员) report, which "
    "has buyer ids, combined with the orders"
)
_AMAZON_BUYER = lambda: M(  # noqa: E731
    "Amazon's All Orders report has no buyer id; for churn risk and recommendations use the Order Report "
    "(buyer-email) of your own fulfilled orders"
)
_TAOBAO_PARTS = lambda: M(  # noqa: E731
    "Taobao writes orders and their lines in two reports; open both with Data ▸ Combine (or --data orders.csv "
    "--data items.csv) to get products, buyers and dates in one table"
)

PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "taobao_combined",
        lambda: M("a Taobao/Tmall order report combined with its items report"),
        (
            "订单编号",
            "买家会员名",
            "买家实际支付金额",
            "订单创建时间",
            "订单付款时间",
            "宝贝总数量",
            "标题",
            "价格",
            "购买数量",
            "商家编码",
            "外部系统编号",
            "商品属性",
        ),
        {
            "order_id": ("订单编号",),
            "customer_id": ("买家会员名",),
            "date": ("订单付款时间", "订单创建时间"),
            "product_id": ("商家编码", "外部系统编号", "标题"),
            "product_name": ("标题",),
            "quantity": ("购买数量",),
            "price": ("价格",),
        },
        status=("订单状态", "退款状态"),
        order_totals=("买家实际支付金额", "买家应付货款", "总金额", "宝贝总数量"),
        min_hits=10,
    ),
    Platform(
        "taobao_orders",
        lambda: M("a Taobao/Tmall order report (订单报表)"),
        (
            "订单编号",
            "买家会员名",
            "买家应付货款",
            "买家实际支付金额",
            "订单状态",
            "订单创建时间",
            "订单付款时间",
            "宝贝标题",
            "宝贝种类",
            "宝贝总数量",
            "收货人姓名",
        ),
        {
            "order_id": ("订单编号",),
            "customer_id": ("买家会员名",),
            "date": ("订单付款时间", "订单创建时间"),
            "amount": ("买家实际支付金额",),
            "quantity": ("宝贝总数量",),
        },
        status=("订单状态",),
        part_of=_TAOBAO_PARTS,
    ),
    Platform(
        "taobao_items",
        lambda: M("a Taobao/Tmall items report (宝贝报表)"),
        ("订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "订单状态", "商家编码"),
        {
            "order_id": ("订单编号",),
            "product_id": ("商家编码", "外部系统编号", "标题"),
            "product_name": ("标题",),
            "quantity": ("购买数量",),
            "price": ("价格",),
        },
        status=("订单状态", "退款状态"),
        part_of=_TAOBAO_PARTS,
    ),
    Platform(
        "taobao_erp",
        lambda: M("a Taobao/Tmall order export merged by an ERP (聚水潭/旺店通)"),
        (
            "内部订单号",
            "线上订单号",
            "店铺名称",
            "买家账号",
            "订单状态",
            "下单时间",
            "付款时间",
            "商品编码",
            "商品名称",
            "数量",
            "单价",
            "成交金额",
            "应付金额",
        ),
        {
            "order_id": ("线上订单号", "内部订单号"),
            "customer_id": ("买家账号",),
            "date": ("付款时间", "下单时间"),
            "product_id": ("商品编码",),
            "product_name": ("商品名称",),
            "quantity": ("数量",),
            "price": ("单价",),
            "amount": ("成交金额",),
        },
        status=("订单状态",),
        order_totals=("应付金额",),
    ),
    Platform(
        "jd",
        lambda: M("a JD order export (京东商家)"),
        (
            "订单号",
            "商品ID",
            "商品名称",
            "订购数量",
            "下单时间",
            "京东价",
            "订单金额",
            "结算金额",
            "应付金额",
            "订单状态",
            "下单帐号",
            "客户姓名",
            "付款确认时间",
        ),
        {
            "order_id": ("订单号",),
            "customer_id": ("下单帐号",),
            "date": ("付款确认时间", "下单时间"),
            "product_id": ("商品ID",),
            "product_name": ("商品名称",),
            "quantity": ("订购数量",),
            "price": ("京东价",),
        },
        status=("订单状态",),
        order_totals=("订单金额", "结算金额", "应付金额"),
    ),
    Platform(
        "pinduoduo",
        lambda: M("a Pinduoduo order export (拼多多)"),
        (
            "商品",
            "订单号",
            "订单状态",
            "商品总价(元)",
            "用户实付金额(元)",
            "商家实收金额(元)",
            "商品数量(件)",
            "收货人",
            "支付时间",
            "拼单成功时间",
            "商品id",
            "商品规格",
            "样式ID",
            "售后状态",
        ),
        {
            "order_id": ("订单号",),
            "customer_id": ("收货人", "手机"),
            "date": ("支付时间", "拼单成功时间"),
            "product_id": ("商品id", "样式ID"),
            "product_name": ("商品",),
            "quantity": ("商品数量(件)",),
            "amount": ("商品总价(元)",),
        },
        status=("订单状态", "售后状态"),
        no_buyer=_PDD_BUYER,
    ),
    Platform(
        "douyin",
        lambda: M("a Douyin shop order export (抖店)"),
        (
            "主订单编号",
            "子订单编号",
            "选购商品",
            "商品规格",
            "商品数量",
            "商品ID",
            "商家编码",
            "商品单价",
            "订单应付金额",
            "订单提交时间",
            "支付完成时间",
            "订单状态",
            "售后状态",
            "收件人",
        ),
        {
            "order_id": ("主订单编号",),
            "customer_id": ("收件人", "收件人手机号"),
            "date": ("支付完成时间", "订单提交时间"),
            "product_id": ("商品ID", "商家编码"),
            "product_name": ("选购商品",),
            "quantity": ("商品数量",),
            "price": ("商品单价",),
            "amount": ("订单应付金额",),
        },
        status=("订单状态", "售后状态"),
        no_buyer=_DOUYIN_BUYER,
    ),
    Platform(
        "youzan",
        lambda: M("a Youzan order export (有赞)"),
        (
            "订单号",
            "订单状态",
            "订单创建时间",
            "买家付款时间",
            "商品名称",
            "商品规格",
            "商品编码",
            "规格编码",
            "商品单价",
            "商品数量",
            "商品实际成交金额",
            "订单实付金额",
            "买家手机号",
            "粉丝昵称",
        ),
        {
            "order_id": ("订单号",),
            "customer_id": ("买家手机号", "粉丝昵称"),
            "date": ("买家付款时间", "订单创建时间"),
            "product_id": ("规格编码", "商品编码"),
            "product_name": ("商品名称",),
            "quantity": ("商品数量",),
            "price": ("商品单价",),
            "amount": ("商品实际成交金额",),
        },
        status=("订单状态", "商品退款状态"),
        order_totals=("订单实付金额",),
    ),
    Platform(
        "shopify",
        lambda: M("a Shopify orders export"),
        (
            "Name",
            "Email",
            "Financial_Status",
            "Paid_at",
            "Fulfillment_Status",
            "Subtotal",
            "Total",
            "Created_at",
            "Lineitem_quantity",
            "Lineitem_name",
            "Lineitem_price",
            "Lineitem_sku",
            "Cancelled_at",
        ),
        {
            "order_id": ("Name", "Id"),
            "customer_id": ("Email",),
            "date": ("Paid_at", "Created_at"),
            "product_id": ("Lineitem_sku", "Lineitem_name"),
            "product_name": ("Lineitem_name",),
            "quantity": ("Lineitem_quantity",),
            "price": ("Lineitem_price",),
        },
        status=("Financial_Status",),
        cancelled_when_set=("Cancelled_at",),
        order_level=(
            "Email",
            "Financial_Status",
            "Paid_at",
            "Fulfillment_Status",
            "Currency",
            "Subtotal",
            "Shipping",
            "Taxes",
            "Total",
            "Discount_Amount",
            "Created_at",
            "Cancelled_at",
            "Billing_Name",
            "Payment_Method",
            "Refunded_Amount",
        ),
        order_totals=("Subtotal", "Total", "Taxes", "Shipping", "Refunded_Amount"),
    ),
    Platform(
        "woocommerce",
        lambda: M("a WooCommerce order export"),
        (
            "order_id",
            "order_number",
            "order_date",
            "status",
            "order_total",
            "customer_id",
            "billing_email",
            "item_name",
            "item_sku",
            "item_quantity",
            "item_total",
            "item_refunded",
        ),
        {
            "order_id": ("order_number", "order_id"),
            "customer_id": ("billing_email", "customer_id"),
            "date": ("paid_date", "order_date"),
            "product_id": ("item_sku", "item_product_id", "item_name"),
            "product_name": ("item_name",),
            "quantity": ("item_quantity",),
            "amount": ("item_total",),
        },
        status=("status",),
        order_totals=("order_total", "shipping_total", "tax_total", "discount_total", "refunded_total"),
        line_refund=("item_refunded",),
        refund_quantity=("item_refunded_qty",),
    ),
    Platform(
        "amazon",
        lambda: M("an Amazon Seller Central All Orders report"),
        (
            "amazon-order-id",
            "merchant-order-id",
            "purchase-date",
            "last-updated-date",
            "order-status",
            "fulfillment-channel",
            "sales-channel",
            "product-name",
            "sku",
            "asin",
            "item-status",
            "quantity",
            "item-price",
        ),
        {
            "order_id": ("amazon-order-id",),
            "date": ("purchase-date",),
            "product_id": ("sku", "asin"),
            "product_name": ("product-name",),
            "quantity": ("quantity", "quantity-purchased"),
            # item-price is "an aggregate of the quantity, not a unit price": the line total
            "amount": ("item-price",),
        },
        status=("order-status", "item-status"),
        no_buyer=_AMAZON_BUYER,
    ),
    Platform(
        "ebay",
        lambda: M("an eBay orders report"),
        (
            "Sales_Record_Number",
            "Order_Number",
            "Buyer_Username",
            "Buyer_Name",
            "Item_Number",
            "Item_Title",
            "Custom_Label",
            "Quantity",
            "Sold_For",
            "Total_Price",
            "Sale_Date",
            "Paid_On_Date",
        ),
        {
            "order_id": ("Order_Number", "Sales_Record_Number"),
            "customer_id": ("Buyer_Username",),
            "date": ("Paid_On_Date", "Sale_Date"),
            "product_id": ("Custom_Label", "Item_Number"),
            "product_name": ("Item_Title",),
            "quantity": ("Quantity",),
            "price": ("Sold_For",),
        },
        status=("Order_Status",),
        order_totals=("Total_Price", "Shipping_And_Handling"),
    ),
    Platform(
        "etsy",
        lambda: M("an Etsy sold order items export"),
        (
            "Sale_Date",
            "Item_Name",
            "Buyer",
            "Quantity",
            "Price",
            "Item_Total",
            "Transaction_ID",
            "Listing_ID",
            "Date_Paid",
            "Order_ID",
            "Variations",
            "SKU",
        ),
        {
            "order_id": ("Order_ID",),
            "customer_id": ("Buyer",),
            "date": ("Date_Paid", "Sale_Date"),
            "product_id": ("SKU", "Listing_ID"),
            "product_name": ("Item_Name",),
            "quantity": ("Quantity",),
            "price": ("Price",),
            "amount": ("Item_Total",),
        },
        order_totals=("Order_Shipping", "Order_Sales_Tax"),
    ),
    Platform(
        "shopee",
        lambda: M("a Shopee order export"),
        (
            "Order_ID",
            "Order_Status",
            "Order_Creation_Date",
            "Order_Paid_Time",
            "Parent_SKU_Reference_No.",
            "Product_Name",
            "SKU_Reference_No.",
            "Variation_Name",
            "Deal_Price",
            "Quantity",
            "Product_Subtotal",
            "Grand_Total",
            "Username_(Buyer)",
        ),
        {
            "order_id": ("Order_ID",),
            "customer_id": ("Username_(Buyer)",),
            "date": ("Order_Paid_Time", "Order_Creation_Date"),
            "product_id": ("SKU_Reference_No.", "Parent_SKU_Reference_No."),
            "product_name": ("Product_Name",),
            "quantity": ("Quantity",),
            "price": ("Deal_Price",),
            "amount": ("Product_Subtotal",),
        },
        status=("Order_Status", "Return_/_Refund_Status"),
        order_totals=("Grand_Total", "Buyer_Paid_Shipping_Fee"),
    ),
    Platform(
        "lazada",
        lambda: M("a Lazada order export"),
        (
            "orderItemId",
            "orderNumber",
            "sellerSkuId",
            "lazadaSku",
            "createTime",
            "customerName",
            "customerEmail",
            "paidPrice",
            "unitPrice",
            "itemName",
            "status",
            "refundAmount",
        ),
        {
            "order_id": ("orderNumber",),
            "customer_id": ("customerEmail", "customerName"),
            "date": ("createTime",),
            "product_id": ("sellerSkuId", "lazadaSku"),
            "product_name": ("itemName",),
            "price": ("unitPrice",),
            "amount": ("paidPrice",),
        },
        status=("status",),
        line_refund=("refundAmount",),
    ),
)

_BY_HEADER = {p.id: frozenset(normalise_header(h) for h in p.signature) for p in PLATFORMS}


def recognise(columns) -> Platform | None:
    """The platform whose export has these headers, or None. At least ``min_hits`` of its
    signature headers and most (60%) of them must be there; the fullest match wins."""
    have = {normalise_header(c) for c in columns}
    best: tuple[float, int, Platform] | None = None
    for p in PLATFORMS:
        sig = _BY_HEADER[p.id]
        hits = len(sig & have)
        share = hits / len(sig)
        if hits >= p.min_hits and share >= 0.6 and (best is None or (share, hits) > best[:2]):
            best = (share, hits, p)
    return best[2] if best else None


def platform_by_id(pid: str | None) -> Platform | None:
    return next((p for p in PLATFORMS if p.id == pid), None)


# ---------------------------------------------------------------------------------------------
# Order and line states
# ---------------------------------------------------------------------------------------------

# States that are not a sale (normalised as headers are: lower case, no spaces or dashes).
# "Partial" refunds stay (the refund reduces the line where the export says by how much); a refund
# that was closed, refused or withdrawn (退款关闭, 售后取消, 无售后) means the sale stands.
_KEEP = (
    "partial",
    "部分",
    "退款关闭",
    "售后关闭",
    "售后取消",
    "无售后",
    "退款失败",
    "拒绝",
    "refundrejected",
    "declined",
)
_LEFT_OUT = (
    "关闭",
    "取消",
    "未付款",
    "待付款",
    "待支付",
    "未支付",
    "等待买家付款",
    "等待付款",
    "退款成功",
    "已退款",
    "全额退款",
    "退货退款成功",
    "锁定",
    "cancel",
    "void",
    "refunded",
    "refundaccepted",
    "closed",
    "unpaid",
    "pending",
    "awaitingpayment",
    "waitbuyerpay",
    "failed",
    "returned",
)


def is_left_out_state(value: object) -> bool:
    """True for a state that is not a sale: cancelled, closed, voided, refunded, unpaid."""
    v = normalise_header(value)
    if not v or any(k in v for k in _KEEP):
        return False
    return any(w in v for w in _LEFT_OUT)


def kept_states_note(n: int, cols: str, states: str) -> Message:
    """The note of lines of orders that are not sales, kept as the user asked (out of core, the
    first lines are read this way and the note is told apart by its msgid: core/bigfile.py)."""
    return Mn(
        "Kept {n} line of cancelled, closed, refunded or unpaid orders as asked ({cols}: {states})",
        "Kept {n} lines of cancelled, closed, refunded or unpaid orders as asked ({cols}: {states})",
        n,
        cols=cols,
        states=states,
    )


def _state_mask(col: "pd.Series"):
    """(rows whose state is not a sale, {state: lines}); classifies the few distinct values only."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(col)
    bad = np.array([is_left_out_state(u) for u in uniques], dtype=bool)
    if not bad.any():
        return np.zeros(len(col), dtype=bool), {}
    mask = np.zeros(len(col), dtype=bool)
    ok = codes >= 0
    mask[ok] = bad[codes[ok]]
    counts = np.bincount(codes[ok], minlength=len(uniques))
    return mask, {str(uniques[i]): int(counts[i]) for i in np.flatnonzero(bad)}


# ---------------------------------------------------------------------------------------------
# The shaping step the importer runs after reading
# ---------------------------------------------------------------------------------------------


@dataclass
class Shaped:
    frame: "pd.DataFrame"
    roles: dict[str, list[str]]
    notes: list[Any] = field(default_factory=list)
    platform: Platform | None = None
    left_out: int = 0  # lines left out as cancelled, closed, refunded or unpaid
    lead: Any = None  # the note that opens the import's notes: which export it looks like, which date


def _present(frame, names) -> list[str]:
    """The frame's columns for these header names (compared normalised), in the names' order."""
    by_norm: dict[str, str] = {}
    for c in frame.columns:
        by_norm.setdefault(normalise_header(c), str(c))
    out = []
    for n in names:
        c = by_norm.get(normalise_header(n))
        if c is not None and c not in out:
            out.append(c)
    return out


def _numeric(col) -> bool:
    from pandas.api import types as pt

    return pt.is_numeric_dtype(col) and not pt.is_bool_dtype(col)


def _fits(frame, col: str, role: str) -> bool:
    from pandas.api import types as pt

    s = frame[col]
    if role in ("quantity", "price", "amount", "cost"):
        return _numeric(s)
    if role == "date":
        return pt.is_datetime64_any_dtype(s)
    return True


def shape_orders(frame: "pd.DataFrame", roles: Mapping[str, list[str]], keep_cancelled: bool = False) -> Shaped:
    """Recognise the export and undo its quirks (see the module's docstring). ``roles`` are the
    ones guessed from the headers; a recognised platform's own columns replace them."""
    roles = {r: list(c) for r, c in roles.items()}
    notes: list[Any] = []
    plat = recognise(frame.columns)
    order_col = None

    if plat is not None:
        # the platform's layout says which column holds each sale role; a guess from the words
        # alone ("宝贝种类" for the product) does not stand beside it
        for role in _SALE_ROLES:
            if role not in plat.roles:
                roles.pop(role, None)
        for role, names in plat.roles.items():
            if role == "date":
                continue
            cols = [c for c in _present(frame, names) if _fits(frame, c, role)]
            if role == "customer_id":
                # a stable buyer id when the export has one; else its masked column, so that
                # the analyses needing customers can say why they cannot run
                stable = [c for c in cols if not looks_masked(frame[c])]
                cols = stable or (cols if plat.no_buyer is not None else [])
            if cols:
                _assign(roles, role, cols[0])
        order_col = roles.get("order_id", [None])[0]
    else:
        order_col = roles.get("order_id", [None])[0]

    # Order-level fields on the first line only: carry them down to the order's other lines.
    if order_col is not None and order_col in frame.columns:
        level = _present(frame, plat.order_level) if plat is not None else []
        generic = [roles[r][0] for r in ("date", "customer_id") if r in roles and roles[r][0] not in level]
        frame, filled = _carry_down(frame, order_col, level, generic)
        if filled:
            notes.append(
                M(
                    "Filled {cols} in on every line of an order (the export writes them on the order's first line "
                    "only)",
                    cols=format_list(filled),
                )
            )

    # Refunds on a line reduce it.
    if plat is not None:
        if _present(frame, plat.line_refund + plat.refund_quantity):
            frame = frame.copy()
        notes.extend(_apply_refunds(frame, roles, plat))

    # States that are not sales.
    left_out = 0
    state_cols = _present(frame, plat.status) if plat is not None else []
    if not state_cols:
        state_cols = status_columns(frame.columns)
    cancelled_cols = _present(frame, plat.cancelled_when_set) if plat is not None else []
    if state_cols or cancelled_cols:
        frame, left_out, note = _leave_out_states(frame, state_cols, cancelled_cols, order_col, keep_cancelled)
        if note is not None:
            notes.append(note)

    # Totals of the whole order repeated on each line are not a line's money.
    totals = set(_present(frame, plat.order_totals)) if plat is not None else set()
    for r in ("amount", "price"):
        if r in roles and roles[r][0] in totals:
            del roles[r]
    if plat is None and "amount" in roles and order_col is not None:
        col = roles["amount"][0]
        if _repeats_within_orders(frame, order_col, col, roles.get("product_id", [None])[0]):
            del roles["amount"]
            notes.append(
                M(
                    "Column {col} holds the same amount on every line of an order: an order total, not a line "
                    "total; it is not used as the line total",
                    col=col,
                )
            )

    # The date: the payment time when the export fills it, else the order's creation time.
    date_note = None
    if plat is not None:
        dates = [c for c in _present(frame, plat.roles.get("date", ())) if _fits(frame, c, "date")]
        chosen = next((c for c in dates if len(frame) == 0 or frame[c].notna().mean() >= 0.9), None)
        if chosen is None and dates:
            chosen = dates[-1]
        if chosen is not None:
            _assign(roles, "date", chosen)
            date_note = M("Looks like {platform}: {col} used as the date", platform=plat.name(), col=chosen)
        else:
            date_note = M("Looks like {platform}", platform=plat.name())
    elif "date" in roles:
        others = [
            str(c)
            for c in frame.columns
            if c != roles["date"][0] and _fits(frame, c, "date") and frame[c].notna().any()
        ]
        if others:
            notes.append(
                M(
                    "{col} used as the date (the file has other dates too: {others})",
                    col=roles["date"][0],
                    others=format_list(others),
                )
            )

    # A masked buyer column names nobody.
    if "customer_id" not in roles:
        masked = _masked_buyer_column(frame)
        if masked is not None:
            roles["customer_id"] = [masked]
    cust = roles.get("customer_id", [None])[0]
    if cust is None and plat is not None and plat.no_buyer is not None:
        notes.append(
            M(
                "This export has no buyer id, so churn risk and recommendations cannot run on it: {advice}",
                advice=plat.no_buyer(),
            )
        )
    if cust is not None and looks_masked(frame[cust]):
        notes.append(
            M(
                "Column {col} holds masked buyers (such as {example}), not buyer ids: churn risk and "
                "recommendations cannot tell one customer from another with this export",
                col=cust,
                example=str(frame[cust].dropna().iloc[0]) if frame[cust].notna().any() else "",
            )
        )
    if plat is not None and plat.part_of is not None and not {"product_id", "date"} <= set(roles):
        notes.append(plat.part_of())
    return Shaped(frame=frame, roles=roles, notes=notes, platform=plat, left_out=left_out, lead=date_note)


_SALE_ROLES = ("order_id", "customer_id", "product_id", "product_name", "date", "quantity", "price", "amount")


def _assign(roles: dict[str, list[str]], role: str, col: str) -> None:
    """Give ``role`` to ``col``, taking the column away from any other single role."""
    for r in list(roles):
        if r != role and r != "feature" and roles[r] == [col]:
            del roles[r]
    roles[role] = [col]


def _carry_down(frame, order_col: str, level: list[str], generic: list[str]):
    """Fill blanks in ``level`` (and in the ``generic`` date and customer columns, where an order's
    other lines have the value) from the order's line that has them. Returns (frame, filled columns)."""
    # blanks on an order's later lines are many where they occur: a spread sample finds them
    cols = [c for c in level + generic if c != order_col and evenly(frame[c], 5000).isna().any()]
    if not cols:
        return frame, []
    orders = frame[order_col]
    if orders.isna().any():
        return frame, []
    grouped = frame.groupby(orders, sort=False)[cols]
    filled_values = grouped.ffill()
    filled_values = filled_values.fillna(frame[cols].groupby(orders, sort=False).bfill())
    changed = [c for c in cols if int(filled_values[c].notna().sum()) > int(frame[c].notna().sum())]
    if not changed:
        return frame, []
    frame = frame.copy()
    for c in changed:
        frame[c] = filled_values[c]
    return frame, changed


def _apply_refunds(frame, roles, plat: Platform) -> list:
    import numpy as np
    import pandas as pd

    notes: list = []
    amount = roles.get("amount", [None])[0]
    qty = roles.get("quantity", [None])[0]
    for target, names in ((amount, plat.line_refund), (qty, plat.refund_quantity)):
        if target is None:
            continue
        for c in _present(frame, names):
            if not _numeric(frame[c]) or not _numeric(frame[target]):
                continue
            refund = pd.to_numeric(frame[c], errors="coerce").abs().fillna(0.0)
            hit = refund.to_numpy() > 0
            if not hit.any():
                continue
            frame[target] = frame[target].astype("float64") - refund
            notes.append(
                Mn(
                    "{n} line was partly refunded: column {target} reduced by column {col}",
                    "{n} lines were partly refunded: column {target} reduced by column {col}",
                    int(np.count_nonzero(hit)),
                    target=target,
                    col=c,
                )
            )
    return notes


def _leave_out_states(frame, state_cols, cancelled_cols, order_col, keep: bool):
    import numpy as np

    mask = np.zeros(len(frame), dtype=bool)
    counts: dict[str, int] = {}
    for c in state_cols:
        m, cnt = _state_mask(frame[c])
        mask |= m
        for k, v in cnt.items():
            counts[k] = counts.get(k, 0) + v
    for c in cancelled_cols:
        m = frame[c].notna().to_numpy()
        if m.any():
            mask |= m
            counts[str(c)] = counts.get(str(c), 0) + int(m.sum())
    n = int(mask.sum())
    if not n:
        return frame, 0, None
    orders = int(frame.loc[mask, order_col].nunique()) if order_col is not None else n
    shown = format_list([f"{k} ({v})" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:6]])
    cols = format_list([str(c) for c in state_cols + cancelled_cols])
    if keep:
        return frame, 0, kept_states_note(n, cols, shown)
    note = Mn(
        "Left out {n} line of {orders:int} cancelled, closed, refunded or unpaid order ({cols}: {states}); "
        "to count them, tick “Keep cancelled and refunded orders” when opening the file (--keep-cancelled)",
        "Left out {n} lines of {orders:int} cancelled, closed, refunded or unpaid orders ({cols}: {states}); "
        "to count them, tick “Keep cancelled and refunded orders” when opening the file (--keep-cancelled)",
        n,
        orders=orders,
        cols=cols,
        states=shown,
    )
    return frame.loc[~mask].reset_index(drop=True), n, note


def _repeats_within_orders(frame, order_col: str, col: str, product_col: str | None) -> bool:
    """The column has one value per order although the order's lines differ: an order total.
    Looks at the lines of about 2,000 orders spread over the file: on a big file first at short
    runs of lines spread over it (an export writes an order's lines together; cheap), and only
    when those hold too few orders of several lines, at every line of orders picked evenly."""
    import numpy as np

    cols = [order_col, col] + ([product_col] if product_col else [])
    n = len(frame)
    if n > 20_000:
        starts = np.linspace(0, n - 20, 300).astype(np.int64)
        rows = np.unique((starts[:, None] + np.arange(20)).ravel())
        verdict = _one_value_per_order(frame.iloc[rows][cols], order_col, col, product_col)
        if verdict is not None:
            return verdict
    ids = frame[order_col]
    pick = evenly(ids, 2000).drop_duplicates()
    return bool(_one_value_per_order(frame.loc[ids.isin(pick), cols], order_col, col, product_col))


def _one_value_per_order(sub, order_col: str, col: str, product_col: str | None) -> bool | None:
    """True when ``col`` holds one value in (nearly) every order of several lines with different
    products; None when there are fewer than 3 such orders to tell."""
    g = sub.groupby(order_col, sort=False)
    size = g.size()
    multi = size[size > 1].index
    if len(multi) < 3:
        return None
    same = g[col].nunique(dropna=False).loc[multi] <= 1
    if product_col is not None:
        varied = g[product_col].nunique(dropna=False).loc[multi] > 1
        same = same[varied]
        if len(same) < 3:
            return None
    return bool(same.mean() >= 0.95)


_BUYER_WORDS = re.compile(r"(buyer|customer|recipient|shipto|收件人|收货人|买家|客户|顾客|会员|手机|电话|phone)", re.I)


def _masked_buyer_column(frame) -> str | None:
    for c in frame.columns:
        if _BUYER_WORDS.search(normalise_header(c)) and looks_masked(frame[c]):
            return str(c)
    return None


def guess_export_roles(frame: "pd.DataFrame") -> dict[str, list[str]]:
    """The roles the importer gives a table: the header vocabulary and the data, then the
    recognised platform's own columns (for the roles dialog's Guess again)."""
    from ..roles import guess_roles

    return shape_orders(frame, guess_roles(frame), keep_cancelled=True).roles
