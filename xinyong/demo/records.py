"""Demo records: department export files (CSV / XLSX in the national layout) for the demo
subjects, loaded through the real collection path as the demo departments.


Penalties have decision dates from 2022 to today in three shapes (轻微: a warning; 一般: a fine of a
few thousand yuan; 严重: a large fine with revocation), plus licences, a few court
defaulters, abnormal-operation entries, serious-list entries, honours (a quarter of the
enterprises) and the tax authority's 纳税信用等级 of every enterprise (an imported sector grade).
Deterministic per seed.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

import xlsxwriter
from sqlalchemy.orm import Session

from xinyong import collection
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import SubjectKind
from xinyong.subjects import NewSubject

FIRST_DAY = date(2022, 1, 1)
# Per department. A region's enterprises are mostly never penalised, and serious 失信 penalties are
# rare: about a third of the demo's subjects have a penalty from the last three years, one penalty
# in twenty is serious (OUR demo choice — no regional statistics were read).
PENALTIES, LICENCES = 500, 800
COURT, ABNORMAL, SERIOUS, HONOURS = 40, 80, 15, 360
# 纳税信用等级 of the demo enterprises (a tax authority grades every taxpayer yearly, in April).
# Shares: OUR demo choice (most B, a fifth A, few D — UNCERTAIN, no regional figures were read).
TAX_GRADES, TAX_WEIGHTS = ("A", "B", "M", "C", "D"), (0.2, 0.55, 0.1, 0.1, 0.05)
TAX_GRADING_MONTH = 4
_T = TypeVar("_T")
_PENALTY_SHAPES = (  # (share, kinds, fine in 万元 or None, content)
    (0.45, "警告", None, "警告"),
    (0.50, "警告；罚款", "0.5", "警告并处罚款5000元"),
    (0.05, "罚款；吊销许可证件", "60", "罚款60万元并吊销许可证"),
)
_VIOLATIONS = ("未按规定公示年度报告", "销售不符合食品安全标准的食品", "超标排放大气污染物",
               "未按规定办理纳税申报", "安全生产隐患未及时整改", "无证经营")  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoFile:
    info_class: str
    provider_uscc: str
    file_name: str
    data: bytes


def _some(rng: random.Random, population: Sequence[_T], k: int) -> list[_T]:
    """A sample of k, or of everyone when a small demo region has fewer (tests use 60 subjects)."""
    return rng.sample(list(population), min(k, len(population)))


def _day(rng: random.Random, today: date, start: date = FIRST_DAY) -> date:
    return start + timedelta(days=rng.randrange(0, max(1, (today - start).days)))


def _csv(headers: Sequence[str], rows: Sequence[Sequence[object]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    return out.getvalue().encode(encoding)


def _xlsx(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def _category(s: NewSubject) -> str:
    if s.kind == SubjectKind.PERSON:
        return "自然人"
    return "个体工商户" if s.kind == SubjectKind.INDIVIDUAL_BUSINESS else "法人及非法人组织"


def _ids(s: NewSubject) -> tuple[str, str, str]:
    """(USCC, 证件类型, 证件号码) cells for a subject."""
    return ("", "身份证", s.code) if s.kind == SubjectKind.PERSON else (s.code, "", "")


def penalties(
    rng: random.Random, subs: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    headers = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)",
               "法定代表人",
               "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据",
               "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "处罚有效期", "处罚机关",
               "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
               "暂扣或吊销证照名称及编号"]  # fmt: skip
    rows = []
    for i in range(PENALTIES):
        s = rng.choice(subs)
        shape = rng.choices(_PENALTY_SHAPES, [p[0] for p in _PENALTY_SHAPES])[0]
        decided = _day(rng, today)
        uscc, kind, number = _ids(s)
        rep = "" if s.kind == SubjectKind.PERSON else (s.legal_rep or "王五")
        rows.append([s.name, _category(s), uscc, rep, kind, number,
                     f"示罚〔{decided.year}〕{i + 1}号", rng.choice(_VIOLATIONS),
                     "经查，当事人存在上述违法行为。", "《中华人民共和国行政处罚法》第九条",
                     shape[1], shape[3], shape[2] or "", decided, decided + timedelta(days=365),
                     dept.name, dept.code, dept.name, dept.code,
                     f"营业执照 JY{i:08d}" if "吊销" in shape[1] else ""])  # fmt: skip
    return DemoFile("penalty", dept.code, "行政处罚.xlsx", _xlsx(headers, rows))


def licences(
    rng: random.Random, subs: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    headers = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)",
               "法定代表人",
               "证件类型", "证件号码", "行政许可决定文书名称", "行政许可决定文书号", "许可类别",
               "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关",
               "许可机关统一社会信用代码",
               "当前状态", "数据来源单位", "数据来源单位统一社会信用代码"]  # fmt: skip
    rows = []
    for i in range(LICENCES):
        s = rng.choice(subs)
        decided = _day(rng, today)
        uscc, kind, number = _ids(s)
        rep = "" if s.kind == SubjectKind.PERSON else (s.legal_rep or "王五")
        rows.append([s.name, _category(s), uscc, rep, kind, number, "准予行政许可决定书",
                     f"示许〔{decided.year}〕{i + 1}号", rng.choice(["普通", "登记", "核准"]),
                     "准予从事相关经营活动", decided.isoformat(), decided.isoformat(),
                     (decided + timedelta(days=365 * 5)).isoformat(), dept.name, dept.code, "有效",
                     dept.name, dept.code])  # fmt: skip
    return DemoFile("licence", dept.code, "行政许可.csv", _csv(headers, rows, "gb18030"))


def court_defaulters(
    rng: random.Random, subs: Sequence[NewSubject], court: NewSubject, today: date
) -> DemoFile:
    headers = ["失信被执行人名称", "被执行人类别", "统一社会信用代码", "身份证号码", "执行法院",
               "执行依据文号", "立案时间", "案号", "生效法律文书确定的义务", "被执行人的履行情况",
               "失信被执行人行为具体情形", "发布时间", "数据来源"]  # fmt: skip
    rows = []
    for i in range(COURT):
        s = rng.choice(subs)
        filed = _day(rng, today, date(2023, 1, 1))
        uscc, _kind, number = _ids(s)
        published = min(filed + timedelta(days=60), today)
        rows.append([s.name, _category(s), uscc, number, court.name,
                     f"（{filed.year}）示民初{i + 1}号", filed.isoformat(),
                     f"（{filed.year}）示执{i + 1}号", "支付货款及利息", "全部未履行",
                     "有履行能力而拒不履行生效法律文书确定义务", published.isoformat(),
                     court.name])  # fmt: skip
    return DemoFile(
        "court_defaulter", court.code, "失信被执行人.csv", _csv(headers, rows, "utf-8-sig")
    )


def abnormal(
    rng: random.Random, firms: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    headers = ["企业名称", "统一社会信用代码", "列入日期", "列入原因", "作出决定机关",
               "作出决定机关统一社会信用代码", "数据来源单位"]  # fmt: skip
    reasons = ["未按照规定的期限公示年度报告", "通过登记的住所或者经营场所无法联系"]
    rows = [[s.name, s.code, _day(rng, today).isoformat(), rng.choice(reasons), dept.name,
             dept.code,
             dept.name] for s in _some(rng, firms, ABNORMAL)]  # fmt: skip
    return DemoFile(
        "abnormal_operation", dept.code, "经营异常名录.csv", _csv(headers, rows, "utf-8")
    )


def serious(
    rng: random.Random, firms: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    headers = ["名单类型", "主体名称", "主体类别", "统一社会信用代码", "列入事由", "认定依据",
               "列入决定文书号", "列入日期", "有效期至", "认定部门", "认定部门统一社会信用代码",
               "数据来源单位", "数据来源单位统一社会信用代码"]  # fmt: skip
    rows = []
    for i, s in enumerate(_some(rng, firms, SERIOUS)):
        decided = _day(rng, today, date(2023, 6, 1))
        rows.append(["拖欠农民工工资失信联合惩戒对象名单", s.name, "法人及非法人组织", s.code,
                     "拖欠农民工工资数额较大",
                     "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
                     f"示人社欠〔{decided.year}〕{i + 1}号", decided.isoformat(),
                     (decided + timedelta(days=365 * 3)).isoformat(), dept.name, dept.code,
                     dept.name,
                     dept.code])  # fmt: skip
    data = _csv(headers, rows, "utf-8")
    return DemoFile("serious_list", dept.code, "严重失信主体名单.csv", data)


def honours(
    rng: random.Random, firms: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    headers = ["主体名称", "主体类别", "统一社会信用代码", "荣誉名称", "荣誉级别", "表彰文件文号",
               "授予日期", "授予单位", "授予单位统一社会信用代码", "数据来源单位",
               "数据来源单位统一社会信用代码"]  # fmt: skip
    rows = []
    names = ("守合同重信用企业", "诚信经营示范企业", "优秀民营企业")
    for i, s in enumerate(_some(rng, firms, HONOURS)):
        decided = _day(rng, today, date(2024, 1, 1))
        rows.append([s.name, "法人及非法人组织", s.code, rng.choice(names), "区级",
                     f"示发改〔{decided.year}〕{i + 1}号", decided.isoformat(), dept.name,
                     dept.code,
                     dept.name, dept.code])  # fmt: skip
    return DemoFile("honour", dept.code, "诚信荣誉.csv", _csv(headers, rows, "utf-8"))


def tax_grades(
    rng: random.Random, firms: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    """纳税信用等级 (info class sector_grade) of the last full year, graded in April."""
    headers = ["主体名称", "主体类别", "统一社会信用代码", "评价体系", "评价等级", "评价年度",
               "评价日期", "有效期至", "评价机关", "评价机关统一社会信用代码", "数据来源单位",
               "数据来源单位统一社会信用代码"]  # fmt: skip
    year = today.year if today.month > TAX_GRADING_MONTH else today.year - 1
    graded, until = date(year, TAX_GRADING_MONTH, 10), date(year + 1, TAX_GRADING_MONTH, 9)
    grades = rng.choices(TAX_GRADES, TAX_WEIGHTS, k=len(firms))
    rows = [[s.name, "法人及非法人组织", s.code, "纳税信用等级", grade,
             graded.year - 1, graded.isoformat(), until.isoformat(), dept.name, dept.code,
             dept.name, dept.code] for s, grade in zip(firms, grades, strict=True)]  # fmt: skip
    return DemoFile("sector_grade", dept.code, "纳税信用等级.csv", _csv(headers, rows, "utf-8"))


def arrears(
    rng: random.Random, offices: Sequence[NewSubject], firms: Sequence[NewSubject],
    dept: NewSubject, today: date,
) -> DemoFile:  # fmt: skip
    """拖欠企业账款 (info class enterprise_arrears) of a few offices: a large unpaid debt, a small
    one, and one paid since (its window has ended). The region has no 工信 department, so the
    credit office records the findings (demo choice)."""
    headers = ["付款方名称", "付款方类别", "付款方统一社会信用代码", "被拖欠企业名称",
               "被拖欠企业统一社会信用代码", "拖欠事由", "拖欠金额（万元）", "认定文书号",
               "认定日期", "清偿日期", "认定部门", "认定部门统一社会信用代码", "数据来源单位",
               "数据来源单位统一社会信用代码"]  # fmt: skip
    shapes = (("620", ""), ("35", ""), ("80", (today - timedelta(days=20)).isoformat()))
    rows = []
    for i, (office, (amount, paid)) in enumerate(zip(offices, shapes, strict=False)):
        creditor = rng.choice(firms)
        found = today - timedelta(days=rng.randrange(40, 200))
        rows.append([office.name, "法人及非法人组织", office.code, creditor.name, creditor.code,
                     "工程款", amount, f"示发改欠〔{found.year}〕{i + 1}号", found.isoformat(),
                     paid, dept.name, dept.code, dept.name, dept.code])  # fmt: skip
    return DemoFile(
        "enterprise_arrears", dept.code, "拖欠企业账款.csv", _csv(headers, rows, "utf-8")
    )


REGISTRATION_HEADERS = (
    "企业名称", "统一社会信用代码", "曾用名", "企业类型", "登记状态", "法定代表人",
    "法定代表人证件类型", "法定代表人证件号码", "注册资本（万元）", "成立日期", "核准日期",
    "营业期限至", "登记机关", "住所", "经营范围", "注销或吊销日期", "投资人及出资比例",
    "数据来源单位",
)  # fmt: skip
INVESTED_IN_FIRM_SHARE = 0.3


def registrations(
    rng: random.Random, subs: Sequence[NewSubject], dept: NewSubject, today: date
) -> DemoFile:
    """登记注册信息 of the demo enterprises and individual businesses, as the registry sends it:
    a legal representative with an ID number, one or two investors who are persons and, for
    some firms, another demo firm as investor (so related parties link firms to each other)."""
    from xinyong.demo.region import make_id_number, person_name  # noqa: PLC0415

    firms = [s for s in subs if s.kind == SubjectKind.ENTERPRISE]
    rows = []
    for s in subs:
        if s.kind not in (SubjectKind.ENTERPRISE, SubjectKind.INDIVIDUAL_BUSINESS):
            continue
        founded = s.established_on or FIRST_DAY
        rep = s.legal_rep or person_name(rng)
        investors = [
            f"{rep}|{make_id_number(rng)}|{60 if s.kind == SubjectKind.ENTERPRISE else 100}%"
        ]
        if s.kind == SubjectKind.ENTERPRISE:
            other = rng.choice(firms)
            if rng.random() < INVESTED_IN_FIRM_SHARE and other.code != s.code:
                investors.append(f"{other.name}|{other.code}|40%")
            else:
                investors.append(f"{person_name(rng)}|{make_id_number(rng)}|40%")
        cancelled = s.status.value == "cancelled"
        rows.append([
            s.name, s.code, ";".join(s.former_names),
            "有限责任公司" if s.kind == SubjectKind.ENTERPRISE else "个体工商户",
            "注销" if cancelled else "存续", rep, "身份证", make_id_number(rng),
            str(rng.choice((10, 50, 100, 500))), founded.isoformat(), founded.isoformat(),
            "2099-12-31", s.registration_authority or dept.name, s.address or "",
            "一般项目：销售、服务", _day(rng, today, founded).isoformat() if cancelled else "",
            ";".join(investors), dept.name,
        ])  # fmt: skip
    data = _csv(REGISTRATION_HEADERS, rows, "utf-8")
    return DemoFile("registration", dept.code, "登记注册信息.csv", data)


def export_files(
    generated: Sequence[NewSubject], departments: int, *, seed: int, today: date
) -> list[DemoFile]:
    """The files each demo department would export, for the demo subjects."""
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security
    depts, subs = generated[:departments], generated[departments:]
    firms = [s for s in subs if s.kind == SubjectKind.ENTERPRISE]
    offices = depts[4:7]  # 交通运输局, 应急管理局, 住房和城乡建设局 owe some enterprises money
    market, environment, tax, labour = depts[0], depts[1], depts[2], depts[3]
    credit, court = depts[8], depts[9]
    return [
        registrations(random.Random(seed + 3), subs, market, today),  # noqa: S311
        penalties(rng, subs, market, today),
        licences(rng, subs, market, today),
        penalties(random.Random(seed + 1), subs, environment, today),  # noqa: S311
        court_defaulters(rng, subs, court, today),
        abnormal(rng, firms, market, today),
        serious(rng, firms, labour, today),
        honours(rng, firms, credit, today),
        penalties(random.Random(seed + 2), subs, tax, today),  # noqa: S311
        tax_grades(random.Random(seed + 4), firms, tax, today),  # noqa: S311
        arrears(random.Random(seed + 5), offices, firms, credit, today),  # noqa: S311
    ]


def load_records(
    session: Session,
    files: Sequence[DemoFile],
    *,
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
) -> int:
    """Submit every file through collection (one transaction: the caller's); rows accepted."""
    accepted = 0
    for f in files:
        sub = collection.Submission(
            f.info_class, f.provider_uscc, data=f.data, file_name=f.file_name
        )
        report = collection.collect(
            session,
            sub,
            catalog=catalog,
            calendar=calendar,
            durable=False,
            actor=actor,
            today=today,
        )
        accepted += report.accepted
    return accepted


def load_demo_records(
    session: Session,
    generated: Sequence[NewSubject],
    *,
    seed: int,
    actor: Actor,
    today: date,
) -> int:
    """Export files for the demo region and collect them with the shipped catalog and calendar."""
    from xinyong import catalog as catalog_pkg  # noqa: PLC0415
    from xinyong.config import get_settings  # noqa: PLC0415
    from xinyong.demo.region import DEPARTMENTS  # noqa: PLC0415

    settings = get_settings()
    shipped = catalog_pkg.load_catalog(settings.catalog_dir, settings.catalog_override_dir)
    calendar = catalog_pkg.load_calendar(settings.catalog_dir / "calendar")
    files = export_files(generated, len(DEPARTMENTS), seed=seed, today=today)
    return load_records(
        session, files, catalog=shipped, calendar=calendar, actor=actor, today=today
    )
