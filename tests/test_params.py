"""Parameter descriptions: one parser for the form, the CLI and the project file."""

from __future__ import annotations

import pytest

from bizops_desktop.core.errors import UsageError
from bizops_desktop.core.params import Param, parse_assignments, resolve_params

SPECS = [
    Param("min_support", "float", 0.01, "fraction of orders", minimum=0, maximum=1),
    Param("k", "int", 40, "neighbours", minimum=1),
    Param("method", "choice", "user", "user or item", choices=("user", "item")),
    Param("log", "bool", False, "log transform"),
    Param("order", "list", None, "p,d,q", item="int", length=3, optional=True),
    Param("level", "list", [80, 95], "interval levels", item="float"),
    Param("alpha", "float", None, "smoothing", optional=True, minimum=0, maximum=1),
    Param("cutoff", "date", None, "cutoff date", optional=True),
]


def test_text_values_are_parsed_and_checked():
    got = resolve_params(
        SPECS,
        {
            "min_support": "0.002",
            "k": "20",
            "method": "ITEM",
            "log": "yes",
            "order": "0,1,1",
            "level": "[50, 90]",
            "alpha": "auto",
            "cutoff": "2024-06-30",
        },
        from_text=True,
    )
    assert got == {
        "min_support": 0.002,
        "k": 20,
        "method": "item",
        "log": True,
        "order": [0, 1, 1],
        "level": [50.0, 90.0],
        "alpha": None,
        "cutoff": "2024-06-30",
    }


def test_defaults_when_nothing_given():
    assert resolve_params(SPECS, {})["k"] == 40


@pytest.mark.parametrize(
    "name,value,words",
    [
        ("min_support", "2", "at most 1"),
        ("min_support", "abc", "a number"),
        ("k", "2.5", "whole number"),
        ("k", "0", "at least 1"),
        ("method", "both", "one of user, item"),
        ("log", "maybe", "yes or no"),
        ("order", "1,2", "exactly 3"),
        ("cutoff", "30/06/2024", "YYYY-MM-DD"),
    ],
)
def test_bad_values_get_a_message_naming_the_parameter(name, value, words):
    with pytest.raises(UsageError) as e:
        resolve_params(SPECS, {name: value}, from_text=True)
    assert name in str(e.value) and words in str(e.value)
    assert e.value.exit_code == 2


def test_unknown_parameter_lists_the_known_ones():
    with pytest.raises(UsageError, match="unknown parameter 'kk'.*min_support"):
        resolve_params(SPECS, {"kk": 1})
    assert "kk" not in resolve_params(SPECS, {"kk": 1}, ignore_unknown=True)


def test_assignments():
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_assignments(["a"])


def test_messages_and_the_description_in_chinese():
    from bizops_desktop.core.i18n import use_language

    with use_language("zh_CN"):
        for name, value, words in [
            ("min_support", "2", "不大于 1"),
            ("k", "2.5", "整数"),
            ("order", "1,2", "正好 3 个值"),
            ("method", "both", "以下之一：user, item"),
            ("cutoff", "30/06/2024", "YYYY-MM-DD"),
        ]:
            with pytest.raises(UsageError) as e:
                resolve_params(SPECS, {name: value}, from_text=True)
            assert f"参数 {name} 的值" in str(e.value) and words in str(e.value), str(e.value)
            assert str(e.value).endswith("。")
        with pytest.raises(UsageError, match="没有名为 'nosuch' 的参数"):
            resolve_params(SPECS, {"nosuch": 1})
        line = next(p for p in SPECS if p.name == "min_support").describe()
        assert line.startswith("min_support（float [0..1]，默认 ") and "default" not in line
