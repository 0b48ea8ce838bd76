"""Collection fixtures: a provider, penalty rows in the national layout, a database of its own,
a client whose requests run in the test's session."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from tests.databases import migrated_database
from tests.factories.subjects import make_provider
from xinyong import demo
from xinyong.config import Settings
from xinyong.db.tables import Provider
from xinyong.web import deps
from xinyong.web.api import batches as api_batches
from xinyong.web.app import create_app

HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人",
    "证件类型", "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据",
    "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "处罚有效期", "处罚机关",
    "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
]  # fmt: skip


def penalty_rows(n: int, *, seed: int = 1, authority: str | None = None) -> list[list[str]]:
    """n valid penalty rows (enterprises and persons), decided in November 2026."""
    rng = random.Random(seed)
    authority = authority or demo.make_uscc(rng, "1", "1")
    rows = []
    for i in range(n):
        person = i % 5 == 4
        code = demo.make_id_number(rng) if person else demo.make_uscc(rng, "9", "1")
        rows.append([
            f"张{i}" if person else f"示范{i}号有限公司",
            "自然人" if person else "法人及非法人组织",
            "" if person else code,
            "" if person else "李四",
            "身份证" if person else "",
            code if person else "",
            f"示市监罚〔2026〕{seed}-{i}号",
            "未按规定公示年度报告",
            "经查，当事人未按规定公示年度报告。",
            "《中华人民共和国行政处罚法》第九条",
            "罚款",
            "罚款2000元",
            "0.2",
            "2026-11-16",
            "2026-11-23",
            "示范区市场监督管理局",
            authority,
            "示范区市场监督管理局",
            authority,
        ])  # fmt: skip
    return rows


def to_csv(rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8") -> bytes:
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def provider(session: Session) -> Provider:
    return make_provider(session)


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> str:
    """A database of its own, migrated, outside the per-test rollback: for code that commits on
    connections of its own (the CLI in a subprocess, the collection writer thread)."""
    return migrated_database(database_url, f"{make_url(database_url).database}_scratch", tmp_path)


@pytest.fixture
def client(session: Session, settings: Settings) -> Iterator[TestClient]:
    """A TestClient whose requests (and the batch work they start) run in the test's session."""
    app = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[deps._db] = _session
    app.dependency_overrides[api_batches.work_session] = _session
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
