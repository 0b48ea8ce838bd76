"""The surfaces docs/dev/reach.md showed missing, filled: a credit repair case handled step by
step by the deciding department's system (`POST /api/v1/repairs/{id}/accept|not-accept|extend|
decide`) and by the operator (`xinyong repair …`), an objection answered by API and CLI, a
department edited by `xinyong providers update`. Each calls the domain action that checks the
department and audits."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cli import on_session
from tests.factories import make_provider, make_subject
from tests.factories.accounts import sign_in
from tests.factories.workflows import PDF, make_enterprise, make_penalty, make_user
from tests.financing.conftest import make_bank, make_sme
from xinyong import commitments, inspections, objections, repair
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.cli import app as cli_app
from xinyong.clock import Calendar
from xinyong.db.tables import AuditEntry, Objection, Provider, RepairApplication
from xinyong.enums import NeedStatus, ObjectionStatus, RecordStatus, RepairStatus, Role
from xinyong.financing import market

TODAY = date(2026, 11, 23)


def _case(
    session: Session, catalog: Catalog, calendar: Calendar, data_dir: Path
) -> tuple[RepairApplication, Objection, Provider]:
    """A repair application and an objection of one subject, routed to one department."""
    dept = make_provider(session, name="示范区市场监督管理局", kind="market_regulation")
    subject = make_subject(session)
    enterprise = make_enterprise(session, subject)
    record = make_penalty(session, subject, dept)
    application = commitments.apply_for_repair(
        session, record,
        repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
        actor=enterprise, today=TODAY, catalog=catalog, calendar=calendar,
        data_dir=data_dir, region_code="990100", commitment_affirmed=True,
    )  # fmt: skip
    other = make_penalty(session, subject, dept, decision_date=date(2026, 7, 1))
    objection = objections.file_objection(
        session, other, "金额有误", actor=enterprise, today=TODAY, catalog=catalog,
        calendar=calendar,
    )  # fmt: skip
    return application, objection, dept


def _audited(session: Session, action: AuditAction, target_id: int) -> int:
    stmt = select(AuditEntry).where(
        AuditEntry.action == action.value, AuditEntry.target_id == str(target_id)
    )
    return len(session.execute(stmt).scalars().all())


def _officer(client: TestClient, session: Session, dept: Provider | None) -> Actor:
    actor, username = make_user(session, Role.OFFICER, provider=dept)
    sign_in(client, username, password="password123")
    return actor


# ---- API -----------------------------------------------------------------------------------------


def test_the_department_handles_a_repair_case_through_the_api(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, _objection, dept = _case(session, catalog, calendar, tmp_path)
    _officer(client, session, dept)
    base = f"/api/v1/repairs/{application.id}"
    accepted = client.post(f"{base}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == RepairStatus.ACCEPTED
    assert accepted.json()["decide_due"]
    extended = client.post(f"{base}/extend", json={"reason": "需要现场核查"})
    assert extended.status_code == 200, extended.text
    assert extended.json()["extended"] is True
    again = client.post(f"{base}/extend", json={"reason": "再延一次"})
    assert again.status_code in (409, 422), again.text  # once only, refused in Chinese
    assert "延长" in again.json()["message"]
    decided = client.post(f"{base}/decide", json={"approve": True, "reason": "已整改"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == RepairStatus.APPROVED
    session.refresh(application)
    assert repair.current_version(session, application).status == RecordStatus.REPAIRED
    for action in (AuditAction.REPAIR_ACCEPTED, AuditAction.REPAIR_EXTENDED,
                   AuditAction.REPAIR_DECIDED):  # fmt: skip
        assert _audited(session, action, application.id) == 1


def test_not_accepting_needs_a_reason_and_another_department_is_refused(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, _objection, dept = _case(session, catalog, calendar, tmp_path)
    _officer(client, session, make_provider(session, name="示范区民政局", kind="civil_affairs"))
    refused = client.post(f"/api/v1/repairs/{application.id}/accept")
    assert refused.status_code == 403
    _officer(client, session, dept)
    empty = client.post(f"/api/v1/repairs/{application.id}/not-accept", json={"reason": " "})
    assert empty.status_code == 422
    assert "理由" in empty.json()["message"]
    done = client.post(f"/api/v1/repairs/{application.id}/not-accept", json={"reason": "材料不全"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == RepairStatus.NOT_ACCEPTED
    assert _audited(session, AuditAction.REPAIR_NOT_ACCEPTED, application.id) == 1


def test_the_department_answers_an_objection_through_the_api(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    _application, objection, dept = _case(session, catalog, calendar, tmp_path)
    _officer(client, session, make_provider(session, name="示范区民政局", kind="civil_affairs"))
    path = f"/api/v1/objections/{objection.id}/answer"
    assert client.post(path, json={"outcome": "kept", "answer": "事实清楚"}).status_code == 403
    _officer(client, session, dept)
    bad = client.post(path, json={"outcome": "corrected", "answer": "更正", "changes": {}})
    assert bad.status_code == 422
    answered = client.post(path, json={"outcome": "kept", "answer": "事实清楚，证据充分"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == ObjectionStatus.ANSWERED
    assert answered.json()["outcome"] == "kept"
    assert _audited(session, AuditAction.OBJECTION_ANSWERED, objection.id) == 1


# ---- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, session: Session) -> CliRunner:
    """The CLI on the test's session (flushed, never committed), today fixed."""
    on_session(monkeypatch, session, TODAY)
    return CliRunner()


def test_the_operator_handles_a_repair_case_on_the_command_line(
    cli: CliRunner, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    application, _objection, _dept = _case(session, catalog, calendar, tmp_path)
    accepted = cli.invoke(cli_app, ["repair", "accept", str(application.id)])
    assert accepted.exit_code == 0, accepted.output
    assert "已受理" in accepted.output
    refused = cli.invoke(cli_app, ["repair", "decide", str(application.id), "--refuse"])
    assert refused.exit_code != 0  # a refusal needs its reason, said in Chinese
    assert "理由" in str(refused.exception)
    decided = cli.invoke(cli_app, ["repair", "decide", str(application.id), "--approve",
                                   "--reason", "已整改", "--json"])  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["status"] == RepairStatus.APPROVED
    assert _audited(session, AuditAction.REPAIR_DECIDED, application.id) == 1


def test_the_operator_answers_an_objection_and_edits_a_department(
    cli: CliRunner, session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    _application, objection, dept = _case(session, catalog, calendar, tmp_path)
    bad = cli.invoke(cli_app, ["objections", "answer", str(objection.id), "--outcome", "改正",
                               "--answer", "x"])  # fmt: skip
    assert bad.exit_code != 0
    assert "更正" in str(bad.exception)  # the valid outcomes, in Chinese
    done = cli.invoke(cli_app, ["objections", "answer", str(objection.id), "--outcome", "维持",
                                "--answer", "事实清楚"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "已答复异议" in done.output
    assert objection.status == ObjectionStatus.ANSWERED
    edited = cli.invoke(cli_app, ["providers", "update", dept.uscc, "--name", "示范区市场监管局",
                                  "--inactive"])  # fmt: skip
    assert edited.exit_code == 0, edited.output
    assert "停用" in edited.output
    assert (dept.name, dept.active) == ("示范区市场监管局", False)
    assert dept.kind == "market_regulation"  # what was not given stays
    assert _audited(session, AuditAction.PROVIDER_UPDATED, dept.id) == 1


# ---- a bank's loan system ----------------------------------------------------------------------


def test_a_bank_system_records_its_loan_outcome_and_the_need_is_served(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    bank = make_bank(session)
    sme = make_sme(session, catalog, TODAY)
    need = market.publish_need(
        session, sme.subject, amount_wan="50", term_months=12, purpose="流动资金", size="small",
        actor=sme.actor, today=TODAY,
    )  # fmt: skip
    sign_in(client, sme.username)
    assert client.post("/api/v1/financing/outcomes", json={}).status_code in (403, 422)
    sign_in(client, bank.username)
    granted = {"code": sme.subject.code, "need_id": need.id, "result": "granted", "amount": "50"}
    incomplete = client.post("/api/v1/financing/outcomes", json=granted)
    assert incomplete.status_code == 422
    assert "放款日期" in incomplete.json()["message"]
    terms = {"granted_on": "2026-11-20", "rate_type": "fixed", "credit_loan": True,
             "first_loan": False}  # fmt: skip
    done = client.post("/api/v1/financing/outcomes", json=granted | terms)
    assert done.status_code == 200, done.text
    outcome = done.json()["outcome"]
    assert (outcome["result"], outcome["need_id"], outcome["amount"]) == (
        "granted",
        need.id,
        "50.00",
    )
    session.refresh(need)
    assert need.status == NeedStatus.SERVED
    assert _audited(session, AuditAction.LOAN_OUTCOME_RECORDED, outcome["id"]) == 1


# ---- an inspecting department's enforcement system -----------------------------------------------


def test_an_enforcement_system_records_an_inspection_result(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    dept = make_provider(session, name="示范区市场监督管理局")
    officer = _officer(client, session, dept)
    for _ in range(3):
        make_subject(session, region_code="990100", name="示范抽查对象有限公司")
    inspections.add_inspector(session, "检查员甲", "ZK9001", dept, actor=officer)
    plan = inspections.create_plan(
        session, code="2026-SJ-API", title="接口抽查", provider=dept, sector="market_regulation",
        region_code="990100", period_start=TODAY, period_end=TODAY, seed="api", actor=officer,
        catalog=catalog, today=TODAY,
    )  # fmt: skip
    row = inspections.drawn_of(session, plan)[0]
    path = f"/api/v1/inspections/2026-SJ-API/{row.id}/result"
    bad = client.post(path, json={"result": "很好"})
    assert bad.status_code == 422
    assert "检查结果须为" in bad.json()["message"]
    assert client.post(f"/api/v1/inspections/2026-SJ-API/{row.id + 999}/result",
                       json={"result": "未发现问题"}).status_code == 404  # fmt: skip
    done = client.post(path, json={"result": "未发现问题", "detail": "现场检查"})
    assert done.status_code == 200, done.text
    assert done.json()["result"] == "未发现问题"
    assert client.post(path, json={"result": "未发现问题"}).status_code == 409  # once
    _officer(client, session, make_provider(session, name="示范区民政局", kind="civil_affairs"))
    assert client.post(path, json={"result": "未发现问题"}).status_code == 403
    assert _audited(session, AuditAction.INSPECTION_RESULT_RECORDED, row.id) == 1
