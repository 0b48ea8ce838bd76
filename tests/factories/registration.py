"""Registration files (登记注册信息) and imported serious-list files, as departments send them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

REG_HEADERS = [
    "企业名称", "统一社会信用代码", "曾用名", "企业类型", "登记状态", "法定代表人",
    "法定代表人证件类型", "法定代表人证件号码", "注册资本（万元）", "成立日期", "核准日期",
    "登记机关", "住所", "经营范围", "注销或吊销日期", "投资人及出资比例", "数据来源单位",
]  # fmt: skip
SERIOUS_HEADERS = [
    "名单类型", "主体名称", "主体类别", "统一社会信用代码", "列入事由", "认定依据",
    "列入决定文书号", "列入日期", "有效期至", "认定部门", "认定部门统一社会信用代码",
    "数据来源单位", "数据来源单位统一社会信用代码",
]  # fmt: skip


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def reg_row(
    name: str,
    code: str,
    *,
    rep: str = "赵六",
    rep_id: str = "",
    investors: str = "",
    status: str = "存续",
    former: str = "",
    cancelled: str = "",
) -> list[str]:
    return [name, code, former, "有限责任公司", status, rep, "身份证" if rep_id else "", rep_id,
            "100", "2015-03-02", "2026-10-08", "示范区市场监督管理局", "示范区人民路1号",
            "食品销售", cancelled, investors, "示范区市场监督管理局"]  # fmt: skip


def serious_row(
    name: str, code: str, authority: str, authority_uscc: str, decided: date
) -> list[str]:
    return ["拖欠农民工工资失信联合惩戒对象名单", name, "法人及非法人组织", code,
            "拖欠农民工工资数额较大", "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
            f"示人社欠〔{decided.year}〕{code[-4:]}号", decided.isoformat(),
            (decided + timedelta(days=365 * 3)).isoformat(), authority, authority_uscc,
            authority, authority_uscc]  # fmt: skip
