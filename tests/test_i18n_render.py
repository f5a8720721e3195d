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


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_fast_number_path_writes_what_babel_writes(lang):
    """Our own decimal rounding and grouping against Babel's, on 20,000 values of every size and
    sign, half-way cases, integers, and each pattern the formatters use."""
    import numpy as np
    from babel.numbers import format_decimal
    from babel.numbers import format_percent as babel_percent

    from bizops_desktop.core.i18n import _babel, _fast_decimal

    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            rng.normal(0, 1, 4000),
            rng.lognormal(0, 4, 4000) * rng.choice([-1, 1], 4000),
            np.round(rng.uniform(-1000, 1000, 4000), 3),  # many exact half-way decimals
            np.arange(-50, 50) / 8,  # binary-exact halves: 0.125, 0.625 ...
            rng.uniform(0, 1, 4000),
            [0.0, -0.0, 0.5, 1.5, 2.5, 0.005, 0.015, 0.285, 1e-9, 123456789.125, 1e15],
        ]
    )
    patterns = ["#,##0", "#,##0.#", "#,##0.##", "#,##0.###", "#,##0.####"]
    percents = ["#,##0%", "#,##0.0%", "#,##0.00%"]
    loc = _babel(lang)
    for v in values.tolist():
        for p in patterns:
            assert _fast_decimal(v, lang, p) == format_decimal(v, format=p, locale=loc), (v, p)
        for p in percents:
            assert _fast_decimal(v, lang, p) == babel_percent(v, format=p, locale=loc), (v, p)
    for i in (0, 7, -7, 1234567, -1234567):
        assert _fast_decimal(i, lang, "#,##0") == format_decimal(i, format="#,##0", locale=loc)
    assert _fast_decimal(1.5, lang, "¤#,##0") is None  # not ours: Babel writes it


def test_messages_in_a_list_render_in_the_language_asked_for():
    from bizops_desktop.core.i18n import M, text

    inner = [M("Done."), M("Done.")]  # an app message with a Chinese translation
    outer = M("{steps:list}", steps=inner)
    assert text(outer, "en") == "Done. and Done."
    zh = text(outer, "zh_CN")
    assert "Done" not in zh and zh.startswith(text(M("Done."), "zh_CN"))
