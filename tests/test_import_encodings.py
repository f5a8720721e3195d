"""Encodings other than UTF-8 and GBK: small orders exports written by the test itself (Python strings
encoded in the shop's code page), read back with the encoding left on automatic. The right codec
must be picked, every name must come back exactly, and the note must say the encoding is a guess."""

from __future__ import annotations

import codecs
import random

import pytest

from bizops_desktop.core.i18n import text as shown
from bizops_desktop.core.importer import encoding_name, read_table
from bizops_desktop.core.importer.encoding import guess_encoding

# (code page written, codecs that read it correctly, header, products, cities)
SHOPS = {
    "big5": (
        {"big5", "cp950", "big5hkscs"},
        ["訂單編號", "城市", "商品名稱", "日期", "數量", "金額"],
        [
            "保溫杯 500毫升",
            "綠茶禮盒",
            "帆布購物袋",
            "藍牙耳機",
            "折疊雨傘",
            "純棉毛巾",
            "陶瓷咖啡杯",
            "無線滑鼠",
            "電動牙刷",
            "護手霜禮盒",
            "不鏽鋼餐具組",
            "香氛蠟燭",
            "烏龍茶葉 150克",
            "手工皂",
        ],
        ["台北市", "新北市", "台中市", "高雄市", "桃園市", "台南市", "新竹市"],
    ),
    "euc_kr": (
        {"euc_kr", "cp949"},
        ["주문번호", "도시", "상품명", "날짜", "수량", "금액"],
        [
            "무선 블루투스 이어폰",
            "보온 텀블러 500ml",
            "유기농 녹차 선물세트",
            "캔버스 에코백",
            "접이식 우산",
            "순면 수건 세트",
            "세라믹 머그컵",
            "무선 마우스",
            "전동 칫솔",
            "핸드크림 세트",
            "스테인리스 수저 세트",
            "향초",
            "김치 1kg",
            "홍삼 정과",
        ],
        ["서울", "부산", "인천", "대구", "대전", "광주", "수원"],
    ),
    "shift_jis": (
        {"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213"},
        ["注文番号", "都市", "商品名", "日付", "数量", "金額"],
        [
            "ステンレス水筒 500ml",
            "緑茶ギフトセット",
            "キャンバストートバッグ",
            "ワイヤレスイヤホン",
            "折りたたみ傘",
            "綿タオル",
            "陶器のマグカップ",
            "ワイヤレスマウス",
            "電動歯ブラシ",
            "ハンドクリーム",
            "箸とスプーンのセット",
            "アロマキャンドル",
            "抹茶 100グラム",
            "手ぬぐい",
        ],
        ["東京", "大阪", "名古屋", "札幌", "福岡", "京都", "横浜"],
    ),
    "cp1251": (
        {"cp1251"},
        ["Номер заказа", "Город", "Товар", "Дата", "Количество", "Сумма"],
        [
            "Термос 500 мл",
            "Зелёный чай, подарочный набор",
            "Холщовая сумка",
            "Беспроводные наушники",
            "Складной зонт",
            "Хлопковое полотенце",
            "Керамическая кружка",
            "Беспроводная мышь",
            "Электрическая зубная щётка",
            "Крем для рук",
            "Набор столовых приборов",
            "Ароматическая свеча",
        ],
        ["Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Нижний Новгород"],
    ),
    "cp1252-fr": (
        {"cp1252"},
        ["Numéro de commande", "Ville", "Produit", "Date", "Quantité", "Montant"],
        [
            "Thermos en acier 500 ml",
            "Thé vert, coffret cadeau",
            "Sac en toile écologique",
            "Écouteurs sans fil",
            "Parapluie pliant",
            "Serviette en coton",
            "Tasse en céramique",
            "Souris sans fil",
            "Brosse à dents électrique",
            "Crème pour les mains",
            "Bougie parfumée",
        ],
        ["Paris", "Besançon", "Orléans", "Nîmes", "Saint-Étienne", "Périgueux"],
    ),
    "cp1252-de": (
        {"cp1252"},
        ["Bestellnummer", "Stadt", "Artikel", "Datum", "Menge", "Betrag"],
        [
            "Thermoflasche 500 ml",
            "Grüner Tee Geschenkset",
            "Einkaufstasche aus Baumwolle",
            "Kabellose Kopfhörer",
            "Regenschirm, faltbar",
            "Handtuch aus Baumwolle",
            "Kaffeebecher aus Keramik",
            "Elektrische Zahnbürste",
            "Handcreme für trockene Hände",
            "Besteck aus Edelstahl",
            "Duftkerze Größe M",
        ],
        ["München", "Köln", "Düsseldorf", "Nürnberg", "Würzburg", "Lübeck"],
    ),
    "cp1252-es": (
        {"cp1252"},
        ["Número de pedido", "Ciudad", "Producto", "Fecha", "Cantidad", "Importe"],
        [
            "Termo de acero 500 ml",
            "Té verde, caja de regalo",
            "Bolsa de lona",
            "Auriculares inalámbricos",
            "Paraguas plegable",
            "Toalla de algodón",
            "Taza de cerámica",
            "Ratón inalámbrico",
            "Cepillo de dientes eléctrico",
            "Crema de manos",
            "Piñata de cumpleaños",
        ],
        ["Madrid", "Málaga", "Córdoba", "León", "Cádiz", "A Coruña"],
    ),
}


def orders_text(header, products, cities, n: int, seed: int = 7) -> tuple[str, list[str], list[str]]:
    rng = random.Random(seed)
    lines = [",".join(header)]
    names, places = [], []
    for i in range(n):
        name, city = rng.choice(products), rng.choice(cities)
        names.append(name)
        places.append(city)
        cell = f'"{name}"' if "," in name else name
        lines.append(
            f"O{1000 + i},{city},{cell},2024-03-{i % 28 + 1:02d},{rng.randint(1, 5)},"
            f"{rng.randint(10, 500)}.{rng.randint(0, 99):02d}"
        )
    return "\n".join(lines) + "\n", names, places


@pytest.mark.parametrize("shop", list(SHOPS))
@pytest.mark.parametrize("n", [30, 200])
def test_each_code_page_is_guessed_and_read_exactly(tmp_path, shop, n):
    codec = shop.split("-")[0]
    right, header, products, cities = SHOPS[shop]
    text, names, places = orders_text(header, products, cities, n)
    path = tmp_path / f"orders-{shop}.csv"
    path.write_bytes(text.encode(codec))
    r = read_table(path)
    assert codecs.lookup(r.options.encoding).name in right
    assert list(r.frame.columns) == header
    assert r.frame[header[2]].tolist() == names
    assert r.frame[header[1]].tolist() == places
    assert len(r.frame) == n and str(r.frame[header[3]].dtype) == "datetime64[ns]"
    name = encoding_name(r.options.encoding)
    notes = [shown(n) for n in r.notes]
    assert notes[0].startswith(f"Read as {name} text (guessed)")
    assert any("is a guess" in n and name in n for n in notes)
    # the resolved options read the file again the same way (as a project file does)
    again = read_table(path, r.options.to_dict())
    assert again.frame[header[2]].tolist() == names


def test_big5_and_euc_kr_are_not_swallowed_by_gb18030():
    # Both decode as GB18030 without an error, which is how they used to be read (as mojibake).
    for shop in ("big5", "euc_kr"):
        right, header, products, cities = SHOPS[shop]
        data = orders_text(header, products, cities, 60)[0].encode(shop)
        data.decode("gb18030")
        codec, guessed = guess_encoding(data)
        assert codecs.lookup(codec).name in right and guessed


def test_chinese_in_gbk_is_still_read_as_gb_and_not_called_a_guess(tmp_path):
    header = ["订单编号", "城市", "商品名称", "日期", "数量", "金额"]
    products = [
        "保温杯 500毫升",
        "绿茶礼盒",
        "帆布购物袋",
        "蓝牙耳机",
        "折叠雨伞",
        "纯棉毛巾",
        "陶瓷咖啡杯",
        "无线鼠标",
        "电动牙刷",
        "护手霜礼盒",
        "不锈钢餐具套装",
        "香薰蜡烛",
        "乌龙茶叶 150克",
        "手工皂",
    ]
    cities = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉"]
    for n in (30, 200):
        text, names, _ = orders_text(header, products, cities, n)
        path = tmp_path / f"gbk-{n}.csv"
        path.write_bytes(text.encode("gbk"))
        r = read_table(path)
        assert r.options.encoding == "gb18030" and r.frame["商品名称"].tolist() == names
        notes = [shown(n) for n in r.notes]
        assert notes[0].startswith("Read as GBK/GB18030 (Chinese) text (detected)")
        assert not any("is a guess" in n for n in notes)
    # a few words of Chinese, too few to tell GBK from EUC-KR or Big5 by their bytes: GBK, as before
    for tiny in ("订单号\t金额\nT1\t12.5\n", "客户,数量\n张三,1\n"):
        assert guess_encoding(tiny.encode("gbk")) == ("gb18030", False)


def test_utf8_is_not_a_guess():
    assert guess_encoding("订单号,商品\n1,绿茶\n".encode()) == ("utf-8", False)
    assert guess_encoding(b"a,b\n1,2\n") == ("utf-8", False)
