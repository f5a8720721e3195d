"""RFM scores and segment names against values worked out by hand on a small table, and the
scheme on a shop where 70% of the customers bought once (fixed frequency bins, no broken
quantiles)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bizops_segments import rfm


def test_scores_and_names_match_the_hand_worked_table():
    # ten customers; recency and money quintiles are pairs of customers (10 / 5 per score)
    t = pd.DataFrame(
        {
            "customer_id": list("ABCDEFGHIJ"),
            "recency_days": [1, 2, 10, 20, 40, 50, 100, 150, 300, 400],
            "frequency": [12, 6, 1, 3, 5, 2, 10, 4, 1, 2],
            "monetary": [900, 500, 20, 150, 300, 40, 800, 200, 10, 30],
        }
    )
    s = rfm.score(t).set_index("customer_id")
    # R: 1-2 days -> 5, 10-20 -> 4, 40-50 -> 3, 100-150 -> 2, 300-400 -> 1
    assert s["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # F bins 1 | 2 | 3-4 | 5-9 | 10+
    assert s["f_score"].tolist() == [5, 4, 1, 3, 4, 2, 5, 3, 1, 2]
    # M ranks: 10,20 -> 1; 30,40 -> 2; 150,200 -> 3; 300,500 -> 4; 800,900 -> 5
    assert s["m_score"].tolist() == [5, 4, 1, 3, 4, 2, 5, 3, 1, 2]
    assert s.loc["A", "rfm"] == "555"
    assert s["segment"].to_dict() == {
        "A": "champions",  # R5 F5
        "B": "champions",  # R5 F4
        "C": "new",  # R4 F1
        "D": "potential_loyalists",  # R4 F3
        "E": "loyal",  # R3 F4
        "F": "need_attention",  # R3 F2
        "G": "cant_lose",  # R2 F5
        "H": "at_risk",  # R2 F3
        "I": "lost",  # R1 F1
        "J": "lost",  # R1 F2
    }
    # 8-class: averages recency 107.3 days, 4.6 orders, 295 money
    assert s["segment_cn8"].to_dict() == {
        "A": "important_value",
        "B": "important_value",
        "C": "general_develop",
        "D": "general_develop",
        "E": "important_value",  # 40 days < 107.3, 5 > 4.6, 300 > 295
        "F": "general_develop",
        "G": "important_value",  # 100 days is still under the 107.3-day average
        "H": "general_retain",  # 150 days, 4 orders, 200: all on the low side
        "I": "general_retain",
        "J": "general_retain",
    }


def test_every_grid_cell_has_a_name_and_the_grid_is_the_stated_one():
    grid = {(r, f): rfm.named_segment(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert set(grid.values()) == set(rfm.NAMED)
    assert grid[(5, 1)] == grid[(4, 1)] == "new"
    assert grid[(1, 5)] == grid[(2, 5)] == "cant_lose"
    assert grid[(2, 1)] == "hibernating" and grid[(1, 1)] == "lost"
    assert grid[(3, 5)] == "loyal" and grid[(3, 3)] == "need_attention"


def test_seventy_percent_one_time_buyers_still_score_every_customer():
    rng = np.random.default_rng(3)
    n = 1000
    freq = np.where(rng.uniform(size=n) < 0.7, 1, rng.integers(2, 15, n))
    t = pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "recency_days": rng.integers(0, 700, n),
            "frequency": freq,
            "monetary": freq * rng.gamma(2, 20, n),
        }
    )
    s = rfm.score(t)
    one = s["frequency"] == 1
    assert one.mean() > 0.65
    # the one-time buyers all share F = 1 (a quantile score would scatter the ties over 1-4)
    assert (s.loc[one, "f_score"] == 1).all() and (s.loc[~one, "f_score"] >= 2).all()
    assert s[["r_score", "f_score", "m_score"]].isin([1, 2, 3, 4, 5]).all().all()
    # recency and money still spread over all five scores, about a fifth each
    for col in ("r_score", "m_score"):
        shares = s[col].value_counts(normalize=True)
        assert len(shares) == 5 and shares.between(0.15, 0.25).all()
    # one-time buyers can only be new, potential loyalists never, need attention, hibernating or lost
    assert set(s.loc[one, "segment"]) <= {"new", "need_attention", "hibernating", "lost"}
    assert s["segment"].notna().all() and len(set(s["segment_cn8"])) == 8
