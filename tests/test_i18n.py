"""The one translation mechanism: languages, plurals, locale formatting, messages kept in results,
and the checks that keep every catalog complete and every user-visible string translatable."""

from __future__ import annotations

import pytest
from i18n_check import ROOT, source_files, untranslated, untranslated_in

from bizops_desktop.core import catalogs, i18n
from bizops_desktop.core.i18n import Domain, Message, use_language


@pytest.fixture
def demo_domain(tmp_path):
    loc = tmp_path / "locale"
    (loc / "zh_CN").mkdir(parents=True)
    (loc / "zh_CN" / "main.po").write_text(
        """msgid ""
msgstr ""
"Language: zh_CN\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Basket rules"
msgstr "购物篮规则"

msgid "{n} customer"
msgid_plural "{n} customers"
msgstr[0] "{n} 位顾客"

msgid "Raise {product} to {price:money}: {gain:money0} a week"
msgstr "将{product}调价至{price:money}：每周多赚{gain:money0}"

msgid "Broken {name}"
msgstr "坏了 {nme}"
""",
        encoding="utf-8",
    )
    return Domain("test_demo_domain", localedir=loc)


def test_plurals_and_placeholders_in_both_languages(demo_domain):
    d = demo_domain
    with use_language("en"):
        assert d.ngettext("{n} customer", "{n} customers", 1) == "1 customer"
        assert d.ngettext("{n} customer", "{n} customers", 1234) == "1,234 customers"
    with use_language("zh_CN"):
        assert d.ngettext("{n} customer", "{n} customers", 1234) == "1,234 位顾客"
        assert d.gettext("Basket rules") == "购物篮规则"


def test_money_percent_dates_lists_by_locale():
    with use_language("zh_CN"):
        assert i18n.format_money(2.79) == "¥2.79"
        assert i18n.format_percent(0.0384) == "3.8%"
        assert i18n.format_list(["A", "B", "C"]) == "A、B和C"
        assert i18n.format_date("2026-12-03") == "2026年12月3日"
    with use_language("en"):
        assert i18n.format_percent(0.0384) == "3.8%"
        assert i18n.format_number(1.8699999999999999) == "1.87"
        assert i18n.format_number(1234567.0) == "1,234,567"
        assert i18n.format_list(["A", "B", "C"]) == "A, B, and C"
        assert i18n.format_date("2026-12-03") == "Dec 3, 2026"
    i18n.set_currency("EUR")
    try:
        assert i18n.format_money(1234.5, "en") == "€1,234.50"
    finally:
        i18n.set_currency(None)


def test_a_message_saved_in_english_renders_in_chinese(demo_domain):
    m = demo_domain.message(
        "Raise {product} to {price:money}: {gain:money0} a week", product="洗发水", price=2.79, gain=140.4
    )
    saved = m.to_dict()
    back = Message.from_dict(saved)
    assert back.render("en") == "Raise 洗发水 to $2.79: $140 a week"
    assert back.render("zh_CN") == "将洗发水调价至¥2.79：每周多赚¥140"
    plural = Message.from_dict(demo_domain.nmessage("{n} customer", "{n} customers", 3).to_dict())
    assert plural.render("en") == "3 customers" and plural.render("zh_CN") == "3 位顾客"


def test_a_damaged_translation_falls_back_to_english(demo_domain):
    assert demo_domain.message("Broken {name}", name="x").render("zh_CN") == "Broken x"


def test_lazy_text_follows_the_language(demo_domain):
    title = demo_domain.lazy("Basket rules")
    with use_language("en"):
        assert str(title) == "Basket rules" and f"{title}" == "Basket rules"
    with use_language("zh_CN"):
        assert str(title) == "购物篮规则"


@pytest.mark.parametrize(
    "env, lang",
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LC_ALL": "zh_TW.UTF-8"}, "zh_CN"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANGUAGE": "de:zh_CN"}, "zh_CN"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_system_language_follows_the_locale(monkeypatch, env, lang):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(i18n._locale, "getlocale", lambda: (None, None))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert i18n.system_language() == lang


def test_currency_is_found_in_headers_and_cells():
    assert i18n.currency_from_text(["订单号", "单价(元)", "实付金额"]) == "CNY"
    assert i18n.currency_from_text(["Order", "Price (€)", "€12.50"]) == "EUR"
    assert i18n.currency_from_text(["Order", "Price"]) is None


# -- the checks that keep the program translated ---------------------------------------------
PACKAGES = {p.domain: p for p in catalogs.builtin_packages()}


@pytest.mark.parametrize("domain", sorted(PACKAGES))
def test_every_user_visible_string_goes_through_translation(domain):
    assert untranslated(source_files(PACKAGES[domain].source)) == []


@pytest.mark.parametrize("domain", sorted(PACKAGES))
def test_the_chinese_catalog_is_complete_with_the_same_placeholders(domain):
    assert catalogs.problems(PACKAGES[domain], "zh_CN") == []


def test_the_checker_finds_untranslated_text(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from bizops_desktop.core.i18n import _\n"
        "label.setText('Run the analysis')\n"
        "raise DataError(f'{n} rows have no date', hint='Pick a column')\n"
        "notes.append('Something was dropped')\n"
        "x = _(f'{n} bad')\n"
        "msg = 'This sentence reaches a person'\n"
        "ok = _('Run the analysis')\n"
        "label.setObjectName('run_button')\n",
        encoding="utf-8",
    )
    found = untranslated_in(bad)
    text = "\n".join(found)
    for line in (2, 3, 4, 5, 6):
        assert f"bad.py:{line}:" in text
    assert "bad.py:7:" not in text and "bad.py:8:" not in text


def test_the_catalog_check_finds_missing_and_differing_messages(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from x import _\n_('Hello {name}')\n_('Bye')\n", encoding="utf-8")
    p = catalogs.Package("pkg", pkg)
    catalogs.update(p, "zh_CN")
    text = p.po("zh_CN").read_text(encoding="utf-8")
    text = text.replace('msgid "Hello {name}"\nmsgstr ""', 'msgid "Hello {name}"\nmsgstr "你好 {nam}"')
    p.po("zh_CN").write_text(text, encoding="utf-8")
    found = "\n".join(catalogs.problems(p, "zh_CN"))
    assert "placeholders differ in 'Hello {name}'" in found
    assert "not translated: 'Bye'" in found


def test_catalogs_ship_with_the_package():
    tomllib = pytest.importorskip("tomllib")

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = conf["tool"]["setuptools"]["package-data"]
    for domain in PACKAGES:
        assert "locale/*/*.po" in data.get(domain, []), domain


@pytest.mark.parametrize("template", ["{x.__class__}", "{x[0]}", "{x:>999999999}", "{x!r}"])
def test_a_forged_message_cannot_reach_attributes_or_exhaust_memory(template):
    m = Message.from_dict({"domain": "bizops_desktop", "msgid": template, "values": {"x": "abc"}})
    with pytest.raises(ValueError):
        i18n.render(template, {"x": "abc"}, "en")
    text = m.render("en")  # the window still shows something, never raises
    assert isinstance(text, str) and len(text) < 100
