"""National list files as the national platform sends them (总对总): a 失信被执行人 CSV and a
重大税收违法失信主体 XLSX in their own column layouts (catalogs/exchange/), imported through
collection — each entry attributed to its real deciding authority (the court, the tax
inspection bureau), rejected rows reported by row/field/reason with the file's own row numbers,
the same file twice changes nothing; the layout is told from the headers; the inbox job picks
the files up; a bad layout file is refused naming file, key and reason."""

from __future__ import annotations

import csv
import io
import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from xinyong import archive, providers
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.clock import Calendar
from xinyong.db.tables import Record
from xinyong.demo import make_id_number, make_uscc
from xinyong.exchange import delivery, national
from xinyong.lists import queries

RNG = random.Random(1402)
FIRM, SHOP, PERSON = make_uscc(RNG, "9", "1"), make_uscc(RNG, "9", "2"), make_id_number(RNG)
COURT_HEADERS = [
    "失信被执行人名称", "组织机构代码/统一社会信用代码", "执行法院", "省份", "执行依据文号",
    "立案时间", "案号", "作出执行依据单位", "生效法律文书确定的义务", "履行情况",
    "失信被执行人行为具体情形", "发布时间", "已履行部分", "未履行部分", "数据来源",
]  # fmt: skip


def _court_row(name: str, code: str, court: str, case: str, published: str) -> list[str]:
    return [name, code, court, "示范省", f"（2024）示01民初{case}号", "2024年03月12日",
            f"（2024）示01执{case}号", "示范市中级人民法院", "支付货款人民币十万元", "全部未履行",
            "有履行能力而拒不履行生效法律文书确定义务", published, "0", "100000",
            "最高人民法院"]  # fmt: skip


def court_csv() -> bytes:
    rows = [
        _court_row("示范贸易有限公司", FIRM, "示范市中级人民法院", "101", "2025年12月06日"),
        _court_row("张三", PERSON, "示范区人民法院", "102", "2025-12-07"),
        _court_row("示范小吃店", SHOP, "示范区人民法院", "103", "20251208"),
        _court_row(
            "旧代码公司", "12345678-9", "示范区人民法院", "104", "2025-12-09"
        ),  # 组织机构代码 only
        _court_row("日期错公司", make_uscc(RNG, "9", "1"), "示范区人民法院", "105", "某日"),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COURT_HEADERS)
    writer.writerows(rows[:3])
    writer.writerow([""] * len(COURT_HEADERS))  # a blank line: row numbers stay the file's
    writer.writerows(rows[3:])
    return out.getvalue().encode("utf-8-sig")


TAX_HEADERS = [
    "纳税人名称", "统一社会信用代码（纳税人识别号）", "注册地址", "法定代表人或者负责人姓名",
    "性别",
    "证件名称", "证件号码", "案件性质", "主要违法事实", "相关法律依据及税务处理处罚情况",
    "确定文书文号", "实施检查的单位", "公布日期", "数据来源",
]  # fmt: skip


def tax_xlsx(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, TAX_HEADERS)
    sheet.write_row(1, 0, [
        "示范贸易有限公司", FIRM, "示范市示范路1号", "李四", "男", "身份证", make_id_number(RNG),
        "虚开增值税专用发票", "2023年虚开增值税专用发票50份，价税合计五百万元",
        "依据《中华人民共和国税收征收管理法》第六十三条，追缴税款并处罚款",
        "示税稽确〔2024〕12号", "国家税务总局示范市税务局稽查局", "2025/06/01", "国家税务总局",
    ])  # fmt: skip
    book.close()


@pytest.fixture
def layouts(catalog: Catalog) -> dict[str, national.Layout]:
    return national.load_layouts(CATALOG_DIR, catalog)


@pytest.fixture
def senders(session: Session) -> None:
    admin = Actor.system("测试")
    providers.add(session, make_uscc(RNG, "1", "1"), "最高人民法院", kind="court", actor=admin)
    providers.add(session, make_uscc(RNG, "1", "1"), "国家税务总局", kind="tax", actor=admin)
    session.commit()  # a refused inbox file rolls back to here


def _records(session: Session, info_class: str) -> list[Record]:
    stmt = select(Record).where(Record.info_class == info_class, Record.is_current.is_(True))
    return list(session.execute(stmt.order_by(Record.id)).scalars())


def test_a_court_defaulter_file_is_imported_with_each_court_as_deciding_authority(
    session: Session, senders: None, layouts: dict[str, national.Layout], catalog: Catalog,
    calendar: Calendar, today: date, operator: Actor, tmp_path: Path,
) -> None:  # fmt: skip
    path = tmp_path / "失信被执行人_20241201.csv"
    path.write_bytes(court_csv())
    kw: dict[str, Any] = {"layouts": layouts, "catalog": catalog, "calendar": calendar,
                          "actor": operator, "today": today, "durable": False}  # fmt: skip
    result = national.import_file(session, path, national_list="court_defaulter", **kw)
    assert (result["national_list"], result["provider"]) == ("court_defaulter", "最高人民法院")
    assert (result["accepted"], result["rejected"]) == (3, 2)
    # rejected rows by the file's own row numbers (the blank line 5 counted), field and reason
    by_row = {e["row"]: e for e in result["errors"]}
    assert sorted(by_row) == [6, 7]
    # 组织机构代码 only: an organisation needs its USCC
    assert (by_row[6]["field"], by_row[6]["column"]) == (
        "统一社会信用代码",
        "组织机构代码/统一社会信用代码",
    )
    assert (by_row[7]["field"], by_row[7]["column"]) == ("发布时间", "发布时间")
    assert "日期" in by_row[7]["message"]
    records = _records(session, "court_defaulter")
    assert [(archive.source_row(r)["subject_name"], r.authority_name) for r in records] == [
        ("示范贸易有限公司", "示范市中级人民法院"), ("张三", "示范区人民法院"),
        ("示范小吃店", "示范区人民法院"),
    ]  # fmt: skip
    assert [archive.source_row(r)["subject_category"] for r in records] == [
        "法人及非法人组织",
        "自然人",
        "个体工商户",
    ]
    assert records[0].decision_date == date(2025, 12, 6)
    assert archive.source_row(records[2])["published_on"] == "2025-12-08"  # 20251208 as sent
    hits = queries.current_hits(session, records[0].subject_id, catalog=catalog, today=today)
    assert [(h.list_type, h.deciding_authority) for h in hits] == [
        ("court_defaulter", "示范市中级人民法院")
    ]
    again = national.import_file(session, path, national_list=None, **kw)  # told by its headers
    assert again["repeat_of"] == result["batch_id"]
    assert len(_records(session, "court_defaulter")) == 3  # the same file twice: nothing new


def test_a_tax_list_workbook_is_told_by_its_headers_and_the_inbox_picks_files_up(
    session: Session, senders: None, layouts: dict[str, national.Layout], catalog: Catalog,
    calendar: Calendar, today: date, operator: Actor, tmp_path: Path,
) -> None:  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tax_xlsx(inbox / "a-重大税收违法失信主体.xlsx")
    (inbox / "b-court.csv").write_bytes(court_csv())
    (inbox / "c-unknown.csv").write_bytes("名称,金额\n某公司,1\n".encode())
    received = delivery.receive_inbox(session, inbox_dir=inbox, trusted=[], catalog=catalog,
                                      calendar=calendar, actor=operator, today=today,
                                      layouts=layouts)  # fmt: skip
    assert [r.get("national_list") for r in received] == [

        "tax_serious_violation", "court_defaulter", None]  # fmt: skip
    assert (received[0]["accepted"], received[1]["accepted"]) == (1, 3)
    assert "不符合任何国家名单格式" in received[2]["refused"]
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [
        "a-重大税收违法失信主体.xlsx", "b-court.csv"]  # fmt: skip
    [tax] = _records(session, "tax_serious_violation")
    assert tax.authority_name == "国家税务总局示范市税务局稽查局"
    assert (tax.decision_date, tax.decision_number) == (date(2025, 6, 1), "示税稽确〔2024〕12号")
    hits = queries.current_hits(session, tax.subject_id, catalog=catalog, today=today)
    assert ("tax_serious_violation", "国家税务总局示范市税务局稽查局") in [
        (h.list_type, h.deciding_authority) for h in hits]  # fmt: skip


def test_a_file_missing_a_required_column_is_refused_whole(
    session: Session, senders: None, layouts: dict[str, national.Layout], catalog: Catalog,
    calendar: Calendar, today: date, operator: Actor, tmp_path: Path,
) -> None:  # fmt: skip
    text = court_csv().decode("utf-8-sig").replace("执行依据文号", "文号")
    path = tmp_path / "court.csv"
    path.write_text(text, "utf-8")
    before = session.execute(select(func.count()).select_from(Record)).scalar_one()
    with pytest.raises(national.NotANationalList, match="执行依据文号"):
        national.import_file(session, path, national_list="court_defaulter", layouts=layouts,
                             catalog=catalog, calendar=calendar, actor=operator, today=today,
                             durable=False)  # fmt: skip
    assert session.execute(select(func.count()).select_from(Record)).scalar_one() == before


def test_a_bad_layout_file_is_refused_naming_file_key_and_reason(
    catalog: Catalog, tmp_path: Path
) -> None:
    shutil.copytree(CATALOG_DIR / "exchange", tmp_path / "exchange")
    path = tmp_path / "exchange" / "court_defaulter.yaml"
    path.write_text(path.read_text("utf-8").replace("field: court,", "field: courtroom,"), "utf-8")
    with pytest.raises(CatalogError) as caught:
        national.load_layouts(tmp_path, catalog)
    assert "court_defaulter.yaml" in str(caught.value)
    assert "courtroom" in str(caught.value)
