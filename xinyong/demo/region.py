"""The demo region (示范区): subjects, departments and demo accounts, generated deterministically.

Owns: realistic, valid, reproducible demo data for `make run` and the tests. Every code it makes
passes the identifier checks. Later domains add their demo records through their real actions
(collection for records, the due-process actions for list entries) — never by inserting state.
Does not: invent rules; everything here is inert fact.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from sqlalchemy.orm import Session

from xinyong import auth, identifiers, providers, subjects
from xinyong.audit import Actor
from xinyong.enums import Role, SubjectKind, SubjectStatus
from xinyong.subjects import NewSubject

DEFAULT_SEED = 20261122
DEFAULT_SUBJECTS = 2400
REGION = "990100"  # 示范区: a region code no real place uses
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 — demo accounts only, documented in README.md
_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力燕鹏飞俊峰欣怡晨"
    "宇浩然子轩梓涵雨桐佳琪思远志刚海燕春梅国庆卫东晓东"
)
BRANDS = (
    "鸿瑞恒信华泰汇通金盛宏达丰源鼎新博远嘉禾瑞丰天成兴业联创中科智航盛世永安德润银河"
    "星辰蓝海青松明远华夏长城东方锦程亿佳万通旭日"
)
INDUSTRIES = [
    ("科技", "I65"),
    ("贸易", "F51"),
    ("建筑工程", "E48"),
    ("餐饮管理", "H62"),
    ("物流", "G58"),
    ("食品", "C14"),
    ("医药", "F52"),
    ("环保科技", "N77"),
    ("建材", "C30"),
    ("电子", "C39"),
    ("信息技术", "I65"),
    ("房地产开发", "K70"),
    ("劳务", "L72"),
    ("广告", "L72"),
    ("农业发展", "A01"),
    ("机械制造", "C34"),
    ("服装", "C18"),
    ("汽车销售", "F52"),
    ("文化传媒", "R86"),
    ("物业管理", "K70"),
]
LEGAL_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "有限公司", "有限公司"]
SHOPS = [
    "便利店",
    "小吃店",
    "五金店",
    "美发店",
    "水果店",
    "服装店",
    "快餐店",
    "烟酒商行",
    "副食店",
    "修理部",
]
STREETS = [
    "人民路",
    "解放路",
    "建设大道",
    "中山路",
    "滨江路",
    "新华街",
    "光明路",
    "长江路",
    "和平街",
    "学府路",
]
SCHOOLS = [
    "中学",
    "小学",
    "实验学校",
    "职业技术学校",
    "人民医院",
    "中医院",
    "妇幼保健院",
    "疾病预防控制中心",
    "图书馆",
    "文化馆",
]
ORGS = [
    "商会",
    "行业协会",
    "慈善会",
    "志愿者协会",
    "养老服务中心",
    "培训学校",
    "书画研究会",
    "体育协会",
]
DEPARTMENTS = [
    ("市场监督管理局", "market_regulation"),
    ("生态环境局", "environment"),
    ("税务局", "tax"),
    ("人力资源和社会保障局", "human_resources"),
    ("交通运输局", "transport"),
    ("应急管理局", "emergency"),
    ("住房和城乡建设局", "housing"),
    ("卫生健康委员会", "health"),
    ("发展和改革委员会", "credit_office"),
    ("人民法院", "court"),
    ("公安局", "public_security"),
    ("自然资源局", "natural_resources"),
]
CANCELLED_SHARE = 0.06  # share of demo businesses shown as 注销
OWNER_NAMED_SHOP_SHARE = 0.5
FORMER_NAME_SHARE = 0.1
DISTRIBUTION = [
    (SubjectKind.ENTERPRISE, 0.62),
    (SubjectKind.INDIVIDUAL_BUSINESS, 0.14),
    (SubjectKind.PUBLIC_INSTITUTION, 0.04),
    (SubjectKind.SOCIAL_ORG, 0.03),
    (SubjectKind.PERSON, 0.17),
]


# ---- pure generation --------------------------------------------------------------------------


def make_uscc(rng: random.Random, authority: str, category: str, region: str = REGION) -> str:
    body = "".join(rng.choice(_ALPHA[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = body + identifiers.org_code_check_char(body)
    first17 = authority + category + region + org
    return first17 + identifiers.uscc_check_char(first17)


def make_id_number(rng: random.Random, region: str = REGION) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + identifiers.id_check_char(first17)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def department_subjects(rng: random.Random) -> list[NewSubject]:
    return [
        NewSubject(
            code=make_uscc(rng, "1", "1"),
            name=f"示范区{name}",
            kind=SubjectKind.GOVERNMENT,
            legal_rep=person_name(rng),
            region_code=REGION,
            registration_authority="示范区机构编制委员会办公室",
            established_on=date(1990, 1, 1) + timedelta(days=rng.randrange(0, 3650)),
        )
        for name, _kind in DEPARTMENTS
    ]


def _subject(rng: random.Random, kind: SubjectKind, serial: int) -> NewSubject:
    founded = date(1995, 1, 1) + timedelta(days=rng.randrange(0, 365 * 30))
    status = SubjectStatus.ACTIVE if rng.random() > CANCELLED_SHARE else SubjectStatus.CANCELLED
    street = f"示范区{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
    if kind == SubjectKind.PERSON:
        return NewSubject(
            code=make_id_number(rng), name=person_name(rng), kind=kind, region_code=REGION
        )
    if kind == SubjectKind.INDIVIDUAL_BUSINESS:
        owner = person_name(rng)
        shop = (
            f"示范区{owner}{rng.choice(SHOPS)}"
            if rng.random() < OWNER_NAMED_SHOP_SHARE
            else (f"示范区{rng.choice(STREETS)}{rng.choice(BRANDS)}{rng.choice(SHOPS)}")
        )
        return NewSubject(
            code=make_uscc(rng, "9", "2"),
            name=f"{shop}（{serial}）" if serial % 7 == 0 else shop,
            kind=kind,
            legal_rep=owner,
            region_code=REGION,
            status=status,
            registration_authority="示范区市场监督管理局",
            address=street,
            established_on=founded,
        )
    if kind == SubjectKind.PUBLIC_INSTITUTION:
        name = f"示范区第{serial % 40 + 1}{rng.choice(SCHOOLS)}"
        return NewSubject(
            code=make_uscc(rng, "1", "2"),
            name=name,
            kind=kind,
            legal_rep=person_name(rng),
            region_code=REGION,
            registration_authority="示范区事业单位登记管理局",
            address=street,
            established_on=founded,
        )
    if kind == SubjectKind.SOCIAL_ORG:
        name = f"示范区{rng.choice(BRANDS)}{rng.choice(BRANDS)}{rng.choice(ORGS)}"
        return NewSubject(
            code=make_uscc(rng, "5", rng.choice("123")),
            name=name,
            kind=kind,
            legal_rep=person_name(rng),
            region_code=REGION,
            registration_authority="示范区民政局",
            address=street,
            established_on=founded,
        )
    brand = "".join(rng.sample(BRANDS, 2))
    trade, industry = rng.choice(INDUSTRIES)
    name = f"示范区{brand}{trade}{rng.choice(LEGAL_FORMS)}"
    former = (
        (f"示范区{''.join(rng.sample(BRANDS, 2))}{trade}有限公司",)
        if rng.random() < FORMER_NAME_SHARE
        else ()
    )
    return NewSubject(
        code=make_uscc(rng, "9", "1"),
        name=name,
        kind=kind,
        former_names=former,
        legal_rep=person_name(rng),
        region_code=REGION,
        industry_code=industry,
        status=status,
        registration_authority="示范区市场监督管理局",
        address=street,
        established_on=founded,
        registered_on=founded,
    )


def generate_subjects(count: int = DEFAULT_SUBJECTS, seed: int = DEFAULT_SEED) -> list[NewSubject]:
    """`count` subjects of every kind, unique codes and names, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security
    out = department_subjects(rng)
    codes = {s.code for s in out}
    names = {s.name for s in out}
    kinds = [k for k, _ in DISTRIBUTION]
    weights = [w for _, w in DISTRIBUTION]
    serial = 0
    while len(out) < count:
        serial += 1
        item = _subject(rng, rng.choices(kinds, weights)[0], serial)
        if item.code in codes or (item.kind != SubjectKind.PERSON and item.name in names):
            continue
        codes.add(item.code)
        names.add(item.name)
        out.append(item)
    return out


# ---- actions ----------------------------------------------------------------------------------


def load_region(
    session: Session, *, count: int, seed: int, actor: Actor, today: date
) -> list[NewSubject] | None:
    """Subjects, the departments as providers, demo accounts. None if already loaded."""
    generated = generate_subjects(count, seed)
    if subjects.find_by_code(session, generated[0].code) is not None:
        return None
    subjects.register_many(session, generated, actor=actor, today=today, reason="示范区演示数据")
    for dept, (_name, kind) in zip(generated[: len(DEPARTMENTS)], DEPARTMENTS, strict=True):
        providers.add(session, dept.code, dept.name, kind=kind, actor=actor)
    demo_accounts(session, generated, actor=actor)
    return generated


# The demo accounts besides `admin` (whose password `xinyong init` makes and prints), each with the
# page it signs in at; all share DEMO_PASSWORD. `xinyong demo` prints them, README lists them.
DEMO_LOGINS: tuple[tuple[str, Role, str], ...] = (
    ("clerk", Role.PROVIDER_CLERK, "/admin/login"),
    ("officer", Role.OFFICER, "/admin/login"),
    ("auditor", Role.AUDITOR, "/admin/login"),
    ("bank", Role.BANK, "/admin/login"),
    ("enterprise", Role.ENTERPRISE, "/me/login"),
)


# Officers of the departments that verify the demo's commitments besides `officer` (market
# regulation): actors of the demo's history, so pages name their department — not logins (a
# random password nobody is told). Username, department kind, display name.
DEPARTMENT_OFFICERS: tuple[tuple[str, str, str], ...] = (
    ("housing_officer", "housing", "住房城乡建设认定人员"),
)


def demo_accounts(session: Session, generated: list[NewSubject], *, actor: Actor) -> None:
    market = providers.get_by_uscc(session, generated[0].code)
    enterprise = next(s for s in generated if s.kind == SubjectKind.ENTERPRISE)
    company = subjects.get_by_code(session, enterprise.code)
    details = {  # display name, provider, subject
        "clerk": ("市场监管报送员", market.id, None),
        "officer": ("市场监管认定人员", market.id, None),
        "auditor": ("审计员", None, None),
        "bank": ("示范银行信贷员", None, None),
        "enterprise": (enterprise.name, None, company.id),
    }
    for username, role, _page in DEMO_LOGINS:
        label, provider_id, subject_id = details[username]
        if auth.find_user(session, username) is None:
            auth.create_user(
                session,
                username,
                DEMO_PASSWORD,
                role,
                display_name=label,
                provider_id=provider_id,
                subject_id=subject_id,
                actor=actor,
            )
    for username, kind, label in DEPARTMENT_OFFICERS:
        department = providers.find_by_kind(session, kind)
        if department is not None and auth.find_user(session, username) is None:
            auth.create_user(
                session,
                username,
                secrets.token_urlsafe(18),
                Role.OFFICER,
                display_name=label,
                provider_id=department.id,
                actor=actor,
            )
