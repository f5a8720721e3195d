"""Column roles: what each column of an imported table means to the analyses.

``guess_roles`` proposes a mapping from header names (English and Chinese) and from the data;
the roles dialog shows it and the user confirms or fixes it. The header vocabulary here is the
only one: the importer asks ``header_says_date`` / ``header_says_day`` / ``header_says_id`` to decide
whether a column holds dates or identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .i18n import _, _l, format_list

if TYPE_CHECKING:  # pandas is imported lazily to keep the CLI quick to start
    import pandas as pd

ROLES: tuple[str, ...] = (
    "order_id",
    "customer_id",
    "product_id",
    "product_name",
    "date",
    "quantity",
    "price",
    "amount",
    "cost",
    "rating",
    "label",
    "target",
    "feature",
    # a delivery stop (Delivery routes): where it is, when it may be served, how long it takes
    "latitude",
    "longitude",
    "time_window",
    "service_minutes",
    "stop_name",
    # a stock sheet, one row per product (Stock planning): the cost, price and product roles too
    "on_hand",
    "on_order",
    "arrival_date",
    "lead_time",
    "moq",
    "pack_size",
    "review_period",
)
MULTI_ROLES = frozenset({"feature"})

# The names people read for each role (lazy texts: rendered in the reader's language with str()).
ROLE_TITLES = {
    "order_id": _l("Order number"),
    "customer_id": _l("Customer"),
    "product_id": _l("Product"),
    "product_name": _l("Product name"),
    "date": _l("Date"),
    "quantity": _l("Quantity"),
    "price": _l("Unit price"),
    "amount": _l("Line total"),
    "cost": _l("Unit cost"),
    "rating": _l("Rating"),
    "label": _l("Yes/no outcome (e.g. churned)"),
    "target": _l("Target to explain"),
    "feature": _l("Feature"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "time_window": _l("Delivery window"),
    "service_minutes": _l("Minutes at the stop"),
    "stop_name": _l("Stop name"),
    "on_hand": _l("Stock on hand"),
    "on_order": _l("On order"),
    "arrival_date": _l("Expected arrival"),
    "lead_time": _l("Lead time (days)"),
    "moq": _l("Minimum order quantity"),
    "pack_size": _l("Pack size"),
    "review_period": _l("Review period (days)"),
}

# The header vocabulary: words per role, most specific first, in normalised form (lower case, no
# spaces, underscores, dashes or brackets). The role guesser matches whole headers (exact matches
# win over "contains" matches); the importer matches them word by word (``header_says_*`` below).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_id": (
        "orderid",
        "orderno",
        "ordernumber",
        "ordernr",
        "order",
        "invoiceno",
        "invoice",
        "invoiceid",
        "transactionid",
        "transaction",
        "basketid",
        "basket",
        "receipt",
        "订单号",
        "订单编号",
        "订单id",
        "订单",
        "单号",
        "交易号",
        "交易编号",
        "发票号",
    ),
    "customer_id": (
        "customerid",
        "customer",
        "custid",
        "clientid",
        "client",
        "userid",
        "user",
        "buyerid",
        "buyer",
        "memberid",
        "member",
        "accountid",
        "shopper",
        "household",
        "householdid",
        "householdkey",
        "buyerusername",
        "username",
        "customeremail",
        "buyeremail",
        "billingemail",
        "email",
        "买家会员名",
        "会员名",
        "买家昵称",
        "买家id",
        "买家账号",
        "下单帐号",
        "下单账号",
        "买家手机号",
        "客户id",
        "客户编号",
        "客户号",
        "客户名称",
        "客户",
        "用户id",
        "用户名",
        "用户",
        "会员id",
        "会员",
        "买家",
        "顾客",
    ),
    "product_id": (
        "productid",
        "product",
        "sku",
        "skuid",
        "itemid",
        "item",
        "articleid",
        "article",
        "stockcode",
        "productcode",
        "itemcode",
        "department",
        "商家编码",
        "商品编码",
        "商品id",
        "商品编号",
        "sku编码",
        "商家sku编码",
        "货号",
        "商品",
        "产品id",
        "产品编号",
        "产品编码",
        "产品",
        "宝贝id",
        "宝贝",
    ),
    "product_name": (
        "productname",
        "itemname",
        "productdescription",
        "description",
        "title",
        "productname",
        "name",
        "商品名称",
        "产品名称",
        "品名",
        "宝贝名称",
        "宝贝标题",
        "商品名",
        "名称",
    ),
    "date": (
        "orderdate",
        "date",
        "datetime",
        "timestamp",
        "time",
        "created",
        "createdat",
        "purchasedate",
        "invoicedate",
        "saledate",
        "soldon",
        "transactiontimestamp",
        "transactiondate",
        "transactiontime",
        "paidat",
        "day",
        "month",
        "period",
        "datum",
        "fecha",
        "updated",
        "dt",
        "ts",
        "week",
        "zeit",
        # the moment of the order (created) before the moment it was paid
        "订单创建时间",
        "下单时间",
        "创建时间",
        "订单日期",
        "下单日期",
        "日期",
        "交易时间",
        "成交时间",
        "付款时间",
        "支付时间",
        "时间",
        "月份",
        "時間",
        "下单",
        "创建",
    ),
    "quantity": (
        "quantity",
        "qty",
        "units",
        "unitssold",
        "numberofcds",
        "count",
        "pieces",
        "数量",
        "购买数量",
        "件数",
        "销量",
        "销售数量",
    ),
    "price": ("unitprice", "price", "priceeach", "sellingprice", "单价", "价格", "售价", "销售单价"),
    "amount": (
        "amount",
        "linetotal",
        "total",
        "totalprice",
        "revenue",
        "dollarvalue",
        "salesvalue",
        "value",
        "subtotal",
        "paid",
        "金额",
        "总价",
        "实付金额",
        "付款金额",
        "小计",
        "销售额",
        "总金额",
        "实付款",
        "总额",
    ),
    # what one unit costs the shop (per order line or per product), for profit and suggested prices
    "cost": (
        "unitcost",
        "cost",
        "costprice",
        "cogs",
        "purchaseprice",
        "buyprice",
        "成本价",
        "单位成本",
        "成本",
        "进价",
        "采购价",
        "进货价",
        "采购单价",
    ),
    "rating": ("rating", "stars", "score", "review", "reviewscore", "评分", "评价", "星级", "打分"),
    "label": ("churn", "churned", "label", "left", "exited", "attrition", "流失", "是否流失"),
    "target": ("sales", "target", "y", "销售"),
    "latitude": ("latitude", "lat", "纬度", "维度"),
    "longitude": ("longitude", "lng", "lon", "经度"),
    # one column "14:00-16:00" (送达时间段); read by the Delivery routes tab
    "time_window": (
        "timewindow",
        "deliverywindow",
        "deliverytime",
        "window",
        "送达时间段",
        "配送时间段",
        "送货时间段",
        "收货时间段",
        "时间段",
        "送达时间",
        "配送时间",
    ),
    "service_minutes": (
        "serviceminutes",
        "servicemin",
        "servicetime",
        "stopminutes",
        "minutesatstop",
        "服务时长",
        "停留时长",
        "卸货时长",
        "停留分钟",
        "服务分钟",
    ),
    # not the generic "address"/"地址": every shop export has a buyer's address, which is no stop
    "stop_name": ("stopname", "stop", "pickuppoint", "站点名称", "站点", "自提点", "提货点", "团长", "门店名称"),
    # The stock sheet. 库存 alone is the stock on hand; 在途 (in transit) is ordered, not yet here.
    "on_hand": (
        "onhand",
        "stockonhand",
        "qtyonhand",
        "instock",
        "stock",
        "stocklevel",
        "inventory",
        "现有库存",
        "当前库存",
        "库存数量",
        "可用库存",
        "库存量",
        "现货",
        "库存",
    ),
    "on_order": (
        "onorder",
        "qtyonorder",
        "intransit",
        "incoming",
        "在途数量",
        "在途库存",
        "采购在途",
        "在途",
        "已订购",
    ),
    "arrival_date": (
        "arrivaldate",
        "expectedarrival",
        "eta",
        "duedate",
        "到货日期",
        "预计到货日期",
        "预计到货",
        "到货时间",
        "到货",
    ),
    "lead_time": (
        "leadtime",
        "leadtimedays",
        "supplierleadtime",
        "采购周期",
        "交货周期",
        "到货周期",
        "补货周期",
        "交期",
    ),
    "moq": (
        "moq",
        "minorder",
        "minorderqty",
        "minimumorder",
        "minimumorderquantity",
        "起订量",
        "最小起订量",
        "最低起订量",
    ),
    "pack_size": (
        "packsize",
        "casepack",
        "casesize",
        "packqty",
        "unitspercase",
        "箱规",
        "装箱数",
        "每箱数量",
        "包装数量",
    ),
    "review_period": ("reviewperiod", "reviewdays", "ordercycle", "订货周期", "盘点周期", "补货间隔"),
}

ID_ROLES = ("order_id", "customer_id", "product_id", "product_name")
NUMBER_ROLES = (
    "quantity",
    "price",
    "amount",
    "cost",
    "rating",
    "target",
    "latitude",
    "longitude",
    "service_minutes",
    "on_hand",
    "on_order",
    "lead_time",
    "moq",
    "pack_size",
    "review_period",
)

# Date words that name a calendar day, not a time of day or a span: only a column named so is
# read as Excel day numbers ("time on site" in seconds or a "month" of 1-12 are plain numbers).
DAY_WORDS = (
    "orderdate",
    "date",
    "datetime",
    "timestamp",
    "created",
    "createdat",
    "purchasedate",
    "invoicedate",
    "day",
    "datum",
    "fecha",
    "dt",
    "日期",
)

# Words that mark an identifier without naming a role of their own: "Order no", a phone number, a
# postcode or a barcode stays text (leading zeros matter), like the columns of the ID_ROLES.
ID_WORDS = (
    "id",
    "no",
    "nr",
    "num",
    "number",
    "code",
    "ref",
    "account",
    "barcode",
    "ean",
    "upc",
    "isbn",
    "phone",
    "tel",
    "mobile",
    "zip",
    "postcode",
    "postal",
    "号",
    "编",
    "码",
    "名",
    "电话",
    "手机",
    "邮编",
)

_NORMALISE = re.compile(r"[\s_\-\.\(\)\[\]（）【】:：/#]+")


def normalise_header(name: object) -> str:
    return _NORMALISE.sub("", str(name).strip().lower())


def as_role_map(roles: Mapping[str, str | Iterable[object] | None] | None) -> dict[str, list[str]]:
    """Normalise ``{"date": "Day", "feature": ["a", "b"]}`` to ``{role: [columns]}``."""
    out: dict[str, list[str]] = {}
    for role, cols in (roles or {}).items():
        if cols is None or cols == "" or cols == []:
            continue
        if role not in ROLES:
            from .errors import UsageError

            raise UsageError(
                _("unknown column role {role}", role=repr(role)),
                hint=_("the roles are {roles}", roles=", ".join(ROLES)),
            )
        lst = [cols] if isinstance(cols, str) else [str(c) for c in cols]
        out[role] = lst
    return out


# What may stand next to a header word in a "contains" match: "Order Date (UTC)", "Sales Amount",
# "SKU code". Anything else ("orders_last_year", "days_since_last_order") is another quantity.
_QUALIFIERS = {
    "id",
    "no",
    "nr",
    "code",
    "number",
    "num",
    "key",
    "ref",
    "name",
    "value",
    "sales",
    "total",
    "gross",
    "net",
    "paid",
    "line",
    "order",
    "item",
    "unit",
    "avg",
    "average",
    "usd",
    "eur",
    "cny",
    "rmb",
    "gbp",
    "utc",
    "local",
    "the",
    "of",
    "s",
    # prefixes shop systems put before a line's fields: "Lineitem quantity", "item_price"
    "lineitem",
    "transaction",
    "product",
}

# Prefixes before a whole role word ("Lineitem sku", "item_name"): the rest is matched
# as a header of its own, a little below a match of the whole header.
_PREFIXES = ("lineitem", "line", "item", "product", "order", "sold")


# Chinese words that, after a role's word, make the header name another thing: 客户类型 is a kind of
# customer, 订单状态 a state, 近一年订单数 a count, 复购率 a rate; none of them is the customer or order.
_CJK_OTHER = ("类型", "类别", "分类", "等级", "级别", "状态", "数", "率", "比例", "占比", "备注", "地址")


def _score(header: str, role: str) -> int:
    words = SYNONYMS.get(role, ())
    for i, w in enumerate(words):
        if header == w:
            return 1000 - i
    for p in _PREFIXES:
        if header.startswith(p) and len(header) > len(p):
            rest = header[len(p) :]
            for i, w in enumerate(words):
                if rest == w and (len(w) >= 3 or not w.isascii()):
                    # a line's own field before the order's ("item_total" before "order_total")
                    return (700 if p == "order" else 800) - i
    for i, w in enumerate(words):
        if w not in header:
            continue
        if not w.isascii():
            tail = header[header.find(w) + len(w) :]
            if len(w) >= 2 and not (tail and tail.endswith(_CJK_OTHER)):
                return 500 - i  # 下单时间 contains 时间
            continue
        rest = header.replace(w, "", 1)
        if len(w) >= 4 and (len(rest) <= 2 or rest in _QUALIFIERS):
            return 500 - i
    return 0


def guess_roles(frame: "pd.DataFrame") -> dict[str, list[str]]:
    """Propose ``{role: [column]}`` for a table. Each column gets at most one role and each
    single role at most one column. Data checks veto impossible guesses (a text column is not a
    price); columns left over that are numeric or low-cardinality become features only when a
    label or target was found (a customer table), never for an orders table."""
    from pandas.api import types as pt

    columns = list(frame.columns)
    headers = {c: normalise_header(c) for c in columns}
    candidates: list[tuple[int, str, str]] = []
    for c in columns:
        # "商品金额" (product amount) is an amount and "Review ID" an identifier, as the importer reads them
        kind = _last_kind(c)
        for role in SYNONYMS:
            if (kind == "number" and role in ID_ROLES) or (kind == "id" and role in NUMBER_ROLES):
                continue
            s = _score(headers[c], role)
            if s and _plausible(frame[c], role):
                candidates.append((s, role, c))
    candidates.sort(key=lambda t: -t[0])
    roles: dict[str, list[str]] = {}
    used: set[str] = set()
    for _points, role, c in candidates:
        if role in roles or c in used:
            continue
        roles[role] = [c]
        used.add(c)

    # From the data: a datetime column nobody claimed is the date.
    if "date" not in roles:
        for c in columns:
            if c not in used and pt.is_datetime64_any_dtype(frame[c]):
                roles["date"] = [c]
                used.add(c)
                break

    # A customer table (label or target present): the rest are features. Money or counts in a
    # customer table (近一年消费金额, spend last year) describe the customer, not an order line.
    if "label" in roles or ("target" in roles and "order_id" not in roles):
        if "order_id" not in roles:
            for r in ("quantity", "price", "amount"):
                if r in roles:
                    used.discard(roles.pop(r)[0])
        feats = []
        for c in columns:
            if c in used:
                continue
            col = frame[c]
            n = len(col)
            nun = col.nunique(dropna=True)
            if pt.is_numeric_dtype(col) or pt.is_bool_dtype(col):
                if nun > 1:
                    feats.append(c)
            elif nun > 1 and nun <= max(20, 0.05 * n):
                feats.append(c)  # categorical
        if feats:
            roles["feature"] = feats
    return {r: roles[r] for r in ROLES if r in roles}


def _plausible(col: "pd.Series", role: str) -> bool:
    from pandas.api import types as pt

    if role in NUMBER_ROLES:
        return pt.is_numeric_dtype(col) and not pt.is_bool_dtype(col)
    if role in ("date", "arrival_date"):
        if pt.is_datetime64_any_dtype(col):
            return True
        return False
    if role == "label":
        vals = {str(v).strip().lower() for v in col.dropna().unique()[:10]}
        return 1 <= len(vals) <= 2 and vals <= _BINARY_WORDS
    if role == "customer_id":
        # 张** or 138****1234 names nobody; one value for every row is not a customer either
        from .importer.notes import evenly

        return not looks_masked(col) and not (len(col) >= 3 and evenly(col).nunique(dropna=True) <= 1)
    return True


# Masked personal data as Pinduoduo, Douyin, JD and Amazon write it: 张**, 138****1234, j***n
_MASK = re.compile(r"[*＊]{2,}")


def looks_masked(col: "pd.Series") -> bool:
    """Most values hide part of themselves behind asterisks (张**, 138****1234): the platform
    masked the buyer, so the column tells no customer from another."""
    from .importer.notes import evenly

    sample = evenly(col, 4000).dropna()
    if sample.empty:
        return False
    text = sample.astype(str)
    return bool(text.str.contains(_MASK).mean() >= 0.5)


# Headers of an order's or line's state (paid, shipped, cancelled, refunded...): the importer
# leaves cancelled, closed, refunded and unpaid orders out of the sales (see importer.platforms).
STATUS_WORDS = (
    "status",
    "orderstatus",
    "financialstatus",
    "paymentstatus",
    "itemstatus",
    "tradestatus",
    "订单状态",
    "交易状态",
    "付款状态",
    "支付状态",
    "售后状态",
    "退款状态",
)


def status_columns(columns: Iterable[object]) -> list[str]:
    """The columns named as an order's or a line's state (not its shipping state)."""
    return [str(c) for c in columns if normalise_header(c) in STATUS_WORDS]


_BINARY_WORDS = {
    "yes",
    "no",
    "y",
    "n",
    "true",
    "false",
    "1",
    "0",
    "1.0",
    "0.0",
    "t",
    "f",
    "是",
    "否",
    "churned",
    "stayed",
}


def role_with_id(role: str) -> str:
    """A role as people read it, with the id the command line uses: "Order number (order_id)"."""
    title = ROLE_TITLES.get(role)
    return _("{title} ({role})", title=title, role=role) if title is not None else role


def missing_roles_message(title: object, missing: Iterable[str], alternatives: Iterable[Iterable[str]] = ()) -> str:
    """ "Basket rules needs a column marked as Order number (order_id) and Product (product_id)",
    with the other sets of columns it also works from, in the current language."""
    text = _(
        "{title} needs a column marked as {roles}", title=title, roles=format_list([role_with_id(r) for r in missing])
    )
    alts = [" + ".join(str(ROLE_TITLES.get(r, r)) for r in opt) for opt in alternatives]
    if len(alts) > 1:
        text = _(
            "{problem} (it works from any of: {alternatives})", problem=text, alternatives=format_list(alts, style="or")
        )
    return text


# ---------------------------------------------------------------------------------------------
# What a header says, word by word: the importer's checks, from the same vocabulary
# ---------------------------------------------------------------------------------------------

# Words of a header: "OrderDate (UTC)" -> order, date, utc; a run of Chinese is one word.
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|[^\x00-\x7f]+")


def _split_words(words) -> tuple[frozenset[str], tuple[str, ...]]:
    """(Latin words matched as whole words, Chinese words matched inside a run of Chinese).
    One-letter words ("y") are left to the role guesser's whole-header match."""
    latin = frozenset(w for w in words if w.isascii() and w.isalpha() and len(w) > 1)
    cjk = tuple(w for w in words if not any(c.isascii() for c in w))
    return latin, cjk


def _role_words(roles: Iterable[str], extra: Iterable[str] = ()) -> tuple[frozenset[str], tuple[str, ...]]:
    return _split_words([w for r in roles for w in SYNONYMS[r]] + list(extra))


_DATE = _split_words(SYNONYMS["date"] + SYNONYMS["arrival_date"])
_DAY = _split_words(DAY_WORDS)
_ID = _role_words(ID_ROLES, ID_WORDS)
# 订单数 / 近一年订单数 / 次数 count something: a number, whatever word comes before 数
_NUMBER = _role_words(NUMBER_ROLES, ("数",))
_NUMBER_HEADERS = frozenset(w for r in ("on_order",) for w in SYNONYMS[r])


def _header_words(name: object) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(str(name))]


def _says(name: object, words: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    latin, cjk = words
    if any(w in str(name) for w in cjk):
        return True
    return any(t in latin or (t.endswith("date") and len(t) > 4) for t in _header_words(name))


def header_says_date(name: object) -> bool:
    """The header names a date or time ("Order date", "created_at", "下单时间"): the importer reads
    date-shaped text in it as dates even when some values are not."""
    return _says(name, _DATE)


def header_says_day(name: object) -> bool:
    """The header names a calendar day (see DAY_WORDS): plain numbers in it may be Excel day numbers."""
    return _says(name, _DAY)


def header_says_id(name: object) -> bool:
    """The header names an identifier (order, customer, product, SKU, phone, 编号...), so its values
    stay text however much they look like numbers or dates. When the header also names a number,
    the last of the words decides, as the last noun does in English and Chinese: "Order no" and
    "商品编号" are identifiers, "Order total" and "商品金额" are amounts."""
    return _last_kind(name) == "id"


def _last_kind(name: object) -> str | None:
    """ "id" or "number": what the header's last identifier or number word names; None if neither."""
    if normalise_header(name) in _NUMBER_HEADERS:
        return "number"  # a whole number header such as "On order" (stock sheet), whatever its last word
    last: tuple[int, int] = (-1, -1)  # (where the word ends, 1 for an identifier / 0 for a number)
    for m in _TOKEN.finditer(str(name)):
        tok = m.group().lower()
        if tok.isascii():
            for kind, (latin, _) in ((1, _ID), (0, _NUMBER)):
                if tok in latin:
                    last = max(last, (m.end(), kind))
            continue
        for kind, (_, cjk) in ((1, _ID), (0, _NUMBER)):
            for w in cjk:
                at = tok.rfind(w)
                if at >= 0:
                    last = max(last, (m.start() + at + len(w), kind))
    return {1: "id", 0: "number"}.get(last[1])
