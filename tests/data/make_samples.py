"""Regenerate the department-export samples: `python tests/data/make_samples.py`.

行政处罚_样例_gb18030.csv — GB18030, as exported by an older departmental system (5 rows, row 4
has an unknown 处罚类别). 行政处罚_样例.xlsx — header row of Chinese names, decision dates as Excel
date cells, fines as numbers, and in row 3 a USCC that Excel stored as a number (mangled).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "法定代表人",
    "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据",
    "处罚类别", "处罚内容", "罚款金额(万元)", "处罚决定日期", "处罚有效期", "处罚机关",
    "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "地方编码",
]  # fmt: skip
AUTH = "11990100MB12345620"


def rows() -> list[list[object]]:
    base = [
        "违反食品安全法",
        "经查，当事人销售过期食品。",
        "《中华人民共和国食品安全法》第一百二十四条",
    ]
    out: list[list[object]] = []
    people = [
        ("示范区鸿瑞科技有限公司", "法人及非法人组织", "91990100MA0000015X", "王伟", "", ""),
        ("示范区恒信贸易有限公司", "法人及非法人组织", "91990100MA0000023Q", "李娜", "", ""),
        ("张三", "自然人", "", "", "身份证", "990100199001011234"),
        ("示范区汇通物流有限公司", "法人及非法人组织", "91990100MA0000031K", "刘强", "", ""),
        ("示范区金盛餐饮店", "个体工商户", "92990100MA000004X8", "陈静", "", ""),
    ]
    for i, (name, cat, uscc, rep, kind, idno) in enumerate(people, start=1):
        kinds = "罚酒" if i == 4 else "警告；罚款"
        decided, until = date(2026, 11, 10 + i), date(2027, 11, 10 + i)
        number = f"示市监罚〔2026〕{i}号"
        authority = "示范区市场监督管理局"
        out.append([name, cat, uscc, rep, kind, idno, number, *base, kinds, "警告并处罚款5000元",
                    0.5, decided, until, authority, AUTH, authority, AUTH, "990100"])  # fmt: skip
    return out


def write_csv(path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows():
        writer.writerow([v.strftime("%Y/%m/%d") if isinstance(v, date) else v for v in row])
    path.write_bytes(buffer.getvalue().encode("gb18030"))


def write_xlsx(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("行政处罚")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows(), start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.write_number(2, 2, 9.19901e17)  # a USCC Excel turned into a number: 919901000000000000
    book.close()


if __name__ == "__main__":
    write_csv(HERE / "行政处罚_样例_gb18030.csv")
    write_xlsx(HERE / "行政处罚_样例.xlsx")
