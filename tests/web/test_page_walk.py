"""Every page, generated from the route table, over the demo region: no raw Python values
(`['`, `{'`, `None`), no traceback in the HTML — for the public, an enterprise and the admin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider
from tests.factories.lists import listed
from tests.factories.workflows import PDF, make_penalty, make_user
from tests.financing.conftest import make_bank
from xinyong import auth, clock, content, demo, inspections, lists, repair, runs, subjects
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.tables import Batch, Objection, Subject, User
from xinyong.enums import Role
from xinyong.financing import catalog as fin_catalog
from xinyong.financing import institutions, whitelist
from xinyong.scenarios import catalog as scenario_catalog
from xinyong.scenarios import verify

TODAY = date(2026, 12, 1)
# a Python list/dict/None rendered into a page (quotes arrive HTML-escaped), or a traceback
RAW = re.compile(r"[\[{](?:'|&#39;|&#x27;|&quot;)|\bNone\b|Traceback \(most recent call last\)")
# routes that answer with a file, not a page
FILES = (".xlsx", "/materials/{material_id}", "/evidence/{step_id}", "/attachments/{attachment_id}")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"today": TODAY, "check_fast_path": False})


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _routes(route.effective_candidates())
        else:
            yield route


def page_paths(app: Any) -> list[str]:
    """GET paths of HTML pages (the API and static files are not pages)."""
    out = []
    for route in _routes(app.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None) or set()
        if not path or "GET" not in methods or path.startswith(("/api", "/static", "/docs")):
            continue
        if path.endswith(FILES):
            continue
        out.append(path)
    return sorted(set(out))


@pytest.fixture
def seeded(session: Session, catalog, calendar, client: TestClient) -> dict[str, Any]:
    """The demo region plus one of every workflow, made through the real actions and pages."""
    demo.load(session, count=150, actor=Actor.system("测试"), today=date(2026, 11, 23))
    provider = make_provider(session, name="示范市人力资源和社会保障局")
    firm = (
        session.execute(
            select(Subject).where(Subject.kind == "enterprise").order_by(Subject.id.desc())
        )
        .scalars()
        .first()
    )
    assert firm is not None
    record = make_penalty(session, firm, provider, kinds=("警告", "罚款"), amount="5000",
                          violation_type="未按规定公示年度报告")  # fmt: skip
    other = make_penalty(session, firm, provider, violation_type="虚假宣传")
    officer_actor = Actor(kind="user", id=1, label="认定人员", role=Role.OFFICER)
    entry = listed(session, firm, "wage_arrears", catalog=catalog, calendar=calendar,
                   actor=officer_actor, proposed_on=date(2026, 6, 1))  # fmt: skip
    proposed = lists.propose_entry(session, firm, "red", "连续三年纳税信用A级", catalog=catalog,
                                   actor=officer_actor, today=TODAY)  # fmt: skip
    lists.send_prior_notice(session, proposed, "示公〔2026〕1号", catalog=catalog,
                            calendar=calendar, actor=officer_actor, today=TODAY)  # fmt: skip
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=firm)
    auth.create_user(session, "walker", "password123", Role.ADMIN, actor=Actor.system())
    auth.add_client(session, "走查系统", "check", actor=Actor.system())
    client.post("/admin/login", data={"username": enterprise, "password": "password123"})
    client.post(f"/me/records/{record.id}/repair",
                data={"statement": "已缴清罚款", "obligations": "true", "commit": "true"},
                files={"performance_proof": ("缴款凭证.pdf", PDF, "application/pdf")})  # fmt: skip
    client.post(f"/me/records/{other.id}/objection", data={"grounds": "事实有误"})
    (application,) = repair.list_for_subject(session, firm.id)
    objection = session.execute(select(Objection.id)).scalars().first()
    batch = session.execute(select(Batch.id)).scalars().first()
    office = Actor(kind="user", id=1, label="信用办", role=Role.ADMIN)
    item = content.create(
        session, content.Draft("news", "信用修复指南", None, "**正文**"), actor=office
    )
    content.move(session, item, "submit", actor=office, today=TODAY)
    content.move(session, item, "publish", actor=office, today=TODAY)
    inspector = Actor(
        kind="user", id=1, label="检查部门", role=Role.OFFICER, provider_id=provider.id
    )
    inspections.add_inspector(session, "检查员甲", "ZF0001", provider, actor=inspector)
    plan = inspections.create_plan(
        session, code="2026-SJ-01", title="2026年第一批双随机抽查", provider=provider,
        sector="market_regulation", region_code="990100", period_start=TODAY,
        period_end=date(2026, 12, 31), seed="walk", actor=inspector, catalog=catalog, today=TODAY,
    )  # fmt: skip
    banker, partner_user, whitelist_id = _financing(session, catalog, firm, enterprise)
    run, _new = runs.start(session, "deadlines", actor=office, now=clock.now(), reason="巡检")
    return {
        "run_id": run.id,
        "banker": banker,
        "firm_code": firm.code,
        "partner": partner_user,
        "whitelist_id": whitelist_id,
        "enterprise": enterprise,
        "ref": subjects.public_view(firm)["ref"],
        "record_id": record.id,
        "entry_id": entry.id,
        "repair_id": application.id,
        "commitment_id": application.commitment_id,
        "user_id": auth.find_user(session, enterprise).id,  # type: ignore[union-attr]
        "objection_id": objection,
        "batch_id": batch,
        "class_id": "penalty",
        "info_class": "penalty",
        "list_type": "wage_arrears",
        "interview_id": 1,
        "section": "news",
        "item_id": item.id,
        "key": "records_collected",
        "kind": "region",
        "value": "990100",
        "table_id": "indicators",
        "code": plan.code,
        "plan_code": plan.code,
        "provider_id": provider.id,
    }


def _financing(session: Session, catalog: Any, firm: Subject, owner: str) -> tuple[str, str, int]:
    """信易贷 and 信易+: a bank user of an institution, a partner, a pushed 白名单."""

    bank = make_bank(session, joined=True)
    owner_user = auth.find_user(session, owner)
    assert owner_user is not None
    institutions.grant(
        session, firm, bank.institution, purpose="贷前审核", today=TODAY,
        valid_until=date(2027, 12, 1), actor=auth.actor_for_user(owner_user),
    )  # fmt: skip
    system = Actor.system("测试")
    rows = whitelist.generate(session, "2026-12", catalog=catalog, fin_catalog=fin_catalog.load(),
                              actor=system, today=TODAY)  # fmt: skip
    mine = next(w for w in rows if w.institution_id == bank.institution.id)
    whitelist.review(session, mine, actor=system)
    whitelist.push(session, mine, actor=system)
    actor, partner = make_user(session, Role.PARTNER)
    user = session.get(User, actor.id)
    assert user is not None
    verify.register_partner(session, scenario_catalog.load().get("xinyi_pi"), "窗口", user,
                            actor=system)  # fmt: skip
    return bank.username, partner, mine.id


def _fill(path: str, values: dict[str, Any]) -> str | None:
    names = re.findall(r"\{(\w+)\}", path)
    if any(values.get(n) is None for n in names):
        return None
    for name in names:
        path = path.replace("{" + name + "}", str(values[name]))
    return path


def _walk(client: TestClient, paths: list[str], values: dict[str, Any]) -> list[str]:
    problems = []
    for template in paths:
        path = _fill(template, values)
        if path is None:
            problems.append(f"{template}: no sample value")
            continue
        page = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
        if page.status_code >= 300:
            problems.append(f"{path}: {page.status_code}")
        if "text/html" not in page.headers.get("content-type", ""):
            continue
        for found in RAW.finditer(page.text):
            around = page.text[max(0, found.start() - 60) : found.end() + 60].replace("\n", " ")
            problems.append(f"{path}: {found.group()!r} in …{around}…")
    return problems


def test_every_page_is_readable(client: TestClient, seeded: dict[str, Any], session) -> None:
    paths = page_paths(client.app)
    assert "/lists/{list_type}" in paths
    assert "/admin/lists/{entry_id}" in paths
    public = [p for p in paths if not p.startswith(("/admin", "/me", "/bank", "/partner"))]
    lender = [p for p in paths if p.startswith("/bank")]
    partner = [p for p in paths if p.startswith("/partner")]
    me = [p for p in paths if p.startswith("/me")]
    admin = [p for p in paths if p.startswith("/admin")]
    problems = []
    client.post("/admin/logout")
    problems += _walk(client, public, seeded)
    client.post("/admin/login", data={"username": seeded["enterprise"], "password": "password123"})
    entry_values = {**seeded, "entry_id": seeded["entry_id"]}
    problems += _walk(client, me, entry_values)
    client.post("/admin/logout")
    client.post("/admin/login", data={"username": "walker", "password": "password123"})
    problems += _walk(client, admin, seeded)
    for username, pages in ((seeded["banker"], lender), (seeded["partner"], partner)):
        client.post("/admin/logout")
        client.post("/admin/login", data={"username": username, "password": "password123"})
        problems += _walk(client, pages, {**seeded, "code": seeded["firm_code"]})
    assert not problems, "\n".join(problems)
    assert len(paths) > 25


def test_penalty_column_names_the_violation_and_repairs_their_decision(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    listing = client.get("/disclosures/penalty")
    assert "未按规定公示年度报告" in listing.text
    client.post("/admin/login", data={"username": seeded["enterprise"], "password": "password123"})
    home = client.get("/me/")
    row = home.text.split('class="repair-row"')[1].split("</tr>")[0]
    assert "行政处罚信息 示市监罚〔2026〕" in row
    assert "|" not in row  # never the natural key
