"""Indicator definitions: the shipped files load; bad files name file, key and reason; manual
values need the office role, a source and a date, and are audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories.workflows import make_user
from xinyong import indicators
from xinyong.catalog import Catalog, CatalogError
from xinyong.config import REPO_ROOT
from xinyong.db.tables import AuditEntry
from xinyong.enums import Role
from xinyong.errors import Forbidden

SHIPPED = REPO_ROOT / "catalogs"


def test_shipped_definitions_name_every_main_target_and_what_cannot_be_computed() -> None:
    d = indicators.load(SHIPPED)
    keys = [i.key for i in d.indicators]
    assert keys[0] == "records_collected"  # main targets first
    manual = {i.key: i for i in d.indicators if i.source == "manual"}
    assert set(manual) == {"city_monitoring_rank"}  # the only one platform data cannot give
    assert not any(i.pending for i in d.indicators)
    assert d.not_computable
    assert all(n.reason for n in d.not_computable)
    assert all(i.definition.numerator for i in d.indicators)


def _override(tmp_path: Path, text: str, name: str = "main_targets.yaml") -> Path:
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / name).write_text(text, encoding="utf-8")
    return tmp_path


BAD = {
    "unknown key": ("indicators:\n  - key: records_collected\n    titel: x", "indicators[0]"),
    "duplicate key": (
        "id: main_targets\ntitle: t\nindicators:\n"
        "  - {key: joint_checks, title: t, unit: 次, source: computed,"
        " definition: {numerator: n, window: month}}",
        "indicators[0].key",
    ),
    "computed without function": (
        "id: main_targets\ntitle: t\nindicators:\n"
        "  - {key: moon_phase, title: t, unit: 次, source: computed,"
        " definition: {numerator: n, window: month}}",
        "indicators[0].key",
    ),
    "bad window": (
        "id: main_targets\ntitle: t\nindicators:\n"
        "  - {key: x, title: t, unit: 次, source: manual,"
        " definition: {numerator: n, window: year}}",
        "indicators[0].definition.window",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_refused_naming_file_and_key(tmp_path: Path, case: str) -> None:
    text, key = BAD[case]
    override = _override(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        indicators.load(SHIPPED, override)
    assert caught.value.file.endswith("main_targets.yaml")
    assert key in caught.value.message


def test_an_office_override_replaces_the_shipped_targets(tmp_path: Path) -> None:
    shipped = (SHIPPED / "indicators" / "main_targets.yaml").read_text(encoding="utf-8")
    override = _override(
        tmp_path,
        shipped.replace("    target: null", "    target: {value: 5000, basis: 本地规划}", 1),
    )
    d = indicators.load(SHIPPED, override)
    target = d.get("records_collected").target
    assert target is not None
    assert target.value == 5000


def test_month_is_checked(catalog: Catalog) -> None:
    today = date(2026, 11, 23)
    with pytest.raises(indicators.BadMonth):
        indicators.Period.of("2026-13", today=today, catalog=catalog)
    with pytest.raises(indicators.BadMonth):
        indicators.Period.of("2026-12", today=today, catalog=catalog)
    period = indicators.Period.of(None, today=today, catalog=catalog)
    assert (period.month, period.as_of) == ("2026-11", today)
    assert [p.month for p in period.previous(3)] == ["2026-09", "2026-10", "2026-11"]


def test_manual_value_needs_the_office_and_is_audited(session: Session, catalog: Catalog) -> None:
    d = indicators.load(SHIPPED)
    rank = d.get("city_monitoring_rank")
    period = indicators.Period.of("2026-11", today=date(2026, 11, 23), catalog=catalog)
    clerk, _ = make_user(session, Role.AUDITOR)
    with pytest.raises(Forbidden):
        indicators.enter_value(session, rank, period, 12, source="信用中国",
                               source_date=date(2026, 11, 20), note=None, actor=clerk)  # fmt: skip
    admin, _ = make_user(session, Role.ADMIN)
    indicators.enter_value(session, rank, period, 15, source="信用中国城市信用监测", note="初报",
                           source_date=date(2026, 11, 20), actor=admin)  # fmt: skip
    indicators.enter_value(session, rank, period, 12, source="信用中国城市信用监测", note="更正",
                           source_date=date(2026, 11, 21), actor=admin)  # fmt: skip
    (figure,) = indicators.figures(session, d, period, keys=["city_monitoring_rank"])
    assert (figure.value, figure.source, figure.entered_on) == (12, "manual", date(2026, 11, 21))
    assert figure.as_json() == {"key": "city_monitoring_rank", "title": "城市信用状况监测排名",
                                "value": 12, "unit": "名", "target": None, "source": "manual",
                                "month": "2026-11"}  # fmt: skip
    audited = (
        session.execute(select(AuditEntry).where(AuditEntry.action == "indicators.value.entered"))
        .scalars()
        .all()
    )
    assert len(audited) == 2
    with pytest.raises(indicators.manual.NotManual):
        indicators.enter_value(session, d.get("joint_checks"), period, 1, source="x",
                               source_date=date(2026, 11, 20), note=None, actor=admin)  # fmt: skip


def test_cli_stats_json(tmp_path: Path) -> None:
    env = {**os.environ, "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "XINYONG_DATA_DIR": str(tmp_path), "XINYONG_TODAY": "2026-11-23"}  # fmt: skip
    run = [sys.executable, "-m", "xinyong"]
    subprocess.run([*run, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=REPO_ROOT)
    out = subprocess.run([*run, "stats", "--month", "2026-10", "--json"], env=env, check=True,
                         capture_output=True, text=True, cwd=REPO_ROOT)  # fmt: skip
    items = json.loads(out.stdout)
    assert {tuple(sorted(i)) for i in items} == {
        ("key", "month", "source", "target", "title", "unit", "value")
    }
    assert {i["source"] for i in items} == {"computed", "manual"}
    assert all(i["month"] == "2026-10" for i in items)
    bad = subprocess.run([*run, "stats", "--month", "2026-1"], env=env, capture_output=True,
                         text=True, cwd=REPO_ROOT, check=False)  # fmt: skip
    assert bad.returncode == 1
    assert "YYYY-MM" in bad.stderr


def test_cli_jobs_run_dashboard_stores_the_month(tmp_path: Path) -> None:
    env = {**os.environ, "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "XINYONG_DATA_DIR": str(tmp_path), "XINYONG_TODAY": "2026-11-23"}  # fmt: skip
    run = [sys.executable, "-m", "xinyong"]
    subprocess.run([*run, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=REPO_ROOT)
    out = subprocess.run([*run, "jobs", "run", "dashboard", "--json"], env=env, check=True,
                         capture_output=True, text=True, cwd=REPO_ROOT)  # fmt: skip
    result = json.loads(out.stdout)
    assert (result["month"], result["as_of"]) == ("2026-11", "2026-11-23")
    assert result["figures"] == len(indicators.load(SHIPPED).indicators)
    said = subprocess.run([*run, "jobs", "run", "dashboard", "--month", "2026-10"], env=env,
                          check=True, capture_output=True, text=True, cwd=REPO_ROOT)  # fmt: skip
    assert "信用工作看板 2026-10" in said.stderr
