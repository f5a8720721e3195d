"""Rendering many messages fast must not change what they say: the parsed-once templates keep the
safety rules of the untrusted-template renderer, and the per-value memo follows the language and
the shop's currency."""

from __future__ import annotations

import pytest

from bizops_desktop.core import i18n
from bizops_desktop.core.i18n import format_money, format_percent, render


@pytest.mark.parametrize("template", ["{x.__class__}", "{x[0]}", "{x!r}", "{x:{y}}", "{}", "{0}"])
def test_templates_from_a_strangers_file_still_fill_only_plain_names(template):
    with pytest.raises(ValueError):
        render(template, {"x": 1, "y": 2})


def test_the_same_value_renders_by_the_language_and_currency_of_the_moment():
    t = "{share:percent} of {money:money} {n:num} {names:list}"
    values = {"share": 0.853, "money": 1234.5, "n": 18.333, "names": ["tea", "mug", "honey"]}
    en = render(t, values, "en")
    zh = render(t, values, "zh_CN")
    assert en == "85% of $1,234.50 18.3 tea, mug, and honey"
    assert zh.startswith("85% of ¥1,234.50 18.3 tea、mug和honey")
    try:
        i18n.set_currency("EUR")
        assert render(t, values, "en").startswith("85% of €1,234.50")
    finally:
        i18n.set_currency(None)
    assert render(t, values, "en") == en  # the memo does not keep the euro
    assert render("{a}{{b}}{c:int}", {"a": "x", "c": 2.6}) == "x{b}3"


def test_memoised_values_equal_the_formatters_own():
    for v in (0.0, 0.00004, 0.0384, 0.5, 0.9996, 1.0, 12.0):
        assert render("{v:percent}", {"v": v}) == format_percent(v)
    for v in (0.0, 3.14159, 1e6):
        assert render("{v:money}", {"v": v}) == format_money(v)
