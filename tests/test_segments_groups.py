"""Customer groups named by what they buy: the share of spend bought on discount and the
category a group spends most on, on a planted shop of two customer types whose answers are known
by construction (pet owners: every order a discounted bag of pet food for 10 and a full-price toy
for 5, so 2/3 of their spend on discount and 2/3 on Pet food; gardeners: one full-price Garden
order of 80 now and then)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import Message, text
from bizops_segments import ANALYSIS, rfm

START = pd.Timestamp("2024-01-01")


def planted_shop(discount_header: str | None = "discount", category_header: str = "category") -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    order = 0
    for i in range(30):  # pet owners: every 5-9 days through the year
        day = int(rng.integers(0, 7))
        while day < 360:
            order += 1
            for cat, amount, disc in (("Pet food", 10.0, "yes"), ("Toys", 5.0, "no")):
                rows.append((f"O{order}", f"P{i:02d}", START + pd.Timedelta(days=day), cat, amount, disc))
            day += int(rng.integers(5, 10))
    for i in range(30):  # gardeners: three to five orders in the year, far apart
        for day in sorted(rng.choice(360, size=int(rng.integers(3, 6)), replace=False)):
            order += 1
            rows.append((f"O{order}", f"G{i:02d}", START + pd.Timedelta(days=int(day)), "Garden", 80.0, "no"))
    f = pd.DataFrame(rows, columns=["order_id", "customer_id", "date", category_header, "amount", "disc"])
    if discount_header is None:
        return f.drop(columns="disc")
    return f.rename(columns={"disc": discount_header})


def run(frame: pd.DataFrame, **params):
    roles = {"order_id": "order_id", "customer_id": "customer_id", "date": "date", "amount": "amount"}
    ds = Dataset("planted", frame, roles=roles)
    return ANALYSIS.execute(ds, {"scheme": "named", **params})


def test_discount_share_is_the_planted_one_and_the_groups_are_named_by_their_category():
    r = run(planted_shop())
    cu = r.tables["customers"]
    pets = cu["customer_id"].str.startswith("P")
    assert cu.loc[pets, "discount_share"].to_numpy() == pytest.approx(2 / 3)
    assert (cu.loc[~pets, "discount_share"] == 0).all()
    assert cu.loc[pets, "categories"].eq(2).all() and cu.loc[~pets, "categories"].eq(1).all()
    assert r.metrics["discount_column"] == "discount" and r.metrics["category_column"] == "category"
    groups = r.tables["clusters"]
    for row in groups.itertuples():
        members = cu[cu["cluster"] == row.cluster]["customer_id"].str[0]
        assert members.nunique() == 1  # the two types never share a group
        words = text(Message.from_dict(row.description), "en")
        planted = "Pet food" if members.iloc[0] == "P" else "Garden"
        assert f"mostly {planted}" in words, words
    pet_group = groups[groups["cluster"] == cu.loc[pets, "cluster"].iloc[0]].iloc[0]
    assert "buy mostly on discount" in text(Message.from_dict(pet_group["description"]), "en")
    assert any("share of each customer's spend bought on discount" in text(n, "en") for n in r.notes)


def test_chinese_headers_are_found_and_said_in_chinese():
    f = planted_shop(discount_header="是否参与活动", category_header="类目")
    f["是否参与活动"] = f["是否参与活动"].map({"yes": "是", "no": "否"})
    r = run(f, scheme="cn8")
    assert r.metrics["discount_column"] == "是否参与活动" and r.metrics["category_column"] == "类目"
    assert set(r.tables["clusters"]["main_segment"]) <= set(rfm.CN8)  # the groups speak the tab's scheme
    words = [text(Message.from_dict(d), "zh_CN") for d in r.tables["clusters"]["description"]]
    assert any("主要买Pet food" in w for w in words) and any("主要买Garden" in w for w in words)


def test_without_a_discount_column_the_groups_say_so():
    r = run(planted_shop(discount_header=None))
    assert "discount_share" not in r.tables["customers"].columns
    assert any("say nothing about discounts" in text(n, "en") for n in r.notes)


def test_a_named_column_that_is_missing_is_a_data_error():
    with pytest.raises(DataError, match="not in the table"):
        run(planted_shop(), discount_column="rebate")
