"""谁查询了我的信用信息 lists the joint checks of the subject (issue 13 item 4: a check by a
business system is a query of the subject) beside the query log, newest first and paged; the
checks are read by subject through `ix_checks_subject_at`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.accounts import sign_in
from tests.factories.workflows import make_user
from xinyong import audit, measures
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Check
from xinyong.enums import Role

TODAY = date(2026, 11, 23)
SYSTEM = Actor(kind="api_client", id=9, label="接口:政府采购系统", role=Role.SYSTEM)
OFFICER = Actor(kind="user", id=4, label="信用科:王敏", role=Role.OFFICER)


def test_a_check_is_shown_with_who_when_matter_and_basis(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    subject = make_subject(session, name="示范核查可见有限公司")
    other = make_subject(session, name="示范他人有限公司")
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    audit.log_query(session, OFFICER, subject.id, purpose="行政许可审查", surface="page",
                    basis="duty")  # fmt: skip
    ans = measures.check(session, subject.code, "procurement", catalog=catalog, actor=SYSTEM,
                         today=TODAY)  # fmt: skip
    measures.check(session, other.code, "subsidy", catalog=catalog, actor=SYSTEM, today=TODAY)

    reads, total = audit.reads_of_subject(session, subject.id)
    assert total == 2
    assert [r.surface for r in reads] == ["check", "page"]  # newest first
    (check,) = [r for r in reads if r.surface == "check"]
    assert (check.who, check.matter, check.basis, check.check_id) == (
        "接口:政府采购系统",
        "procurement",
        "duty",
        ans.check_id,
    )

    sign_in(client, username)
    page = client.get("/me/queries")
    assert page.status_code == 200
    text = page.text
    assert "接口:政府采购系统" in text
    assert "联合奖惩核查：政府采购" in text
    assert "履职查询" in text
    assert "财政资金" not in text  # the other subject's check is not shown
    assert "共 2 条" in text

    got = client.get("/api/v1/financing/queries").json()
    assert got["total"] == 2
    first = got["queries"][0]
    assert (first["surface"], first["matter"], first["check_id"]) == (
        "check",
        "procurement",
        ans.check_id,
    )


def test_reads_are_paged_across_both_sources(client: TestClient, session: Session) -> None:
    subject = make_subject(session, name="示范核查分页有限公司")
    _, username = make_user(session, Role.ENTERPRISE, subject=subject)
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    session.execute(insert(Check), [
        {"check_id": f"{subject.id:08d}{n:024d}", "at": start + timedelta(minutes=2 * n),
         "actor_kind": "api_client", "actor_id": 9, "actor_label": f"接口:系统{n}",
         "subject_id": subject.id, "matter": "bidding", "hits": 0, "mandatory": 0}
        for n in range(60)
    ])  # fmt: skip
    for n in range(10):
        logged = audit.log_query(session, OFFICER, subject.id, purpose=f"查阅{n}",
                                 surface="page", basis="duty")  # fmt: skip
        logged.at = start + timedelta(minutes=2 * n + 1)
    session.flush()

    first, total = audit.reads_of_subject(session, subject.id, page=1, per_page=50)
    second, _ = audit.reads_of_subject(session, subject.id, page=2, per_page=50)
    assert total == 70
    assert (len(first), len(second)) == (50, 20)
    times = [r.at for r in first + second]
    assert times == sorted(times, reverse=True)
    assert {r.purpose for r in second} >= {f"查阅{n}" for n in range(10)}

    sign_in(client, username)
    text = client.get("/me/queries?page=2").text
    assert "第 2 / 2 页" in text
    assert "上一页" in text
    assert "接口:系统0<" in text
    assert "<td>2026-11-01 17:00</td>" in text  # 09:00 UTC shown in Beijing time
    assert client.get("/me/queries?page=0").status_code == 422


def test_the_check_log_is_indexed_by_subject(session: Session) -> None:
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(session.bind).get_indexes("checks")}
    assert indexes["ix_checks_subject_at"] == ["subject_id", "at"]
