"""The bench loaders write the archive collection writes: each loaded record's content hash is
the hash of its source row as the archive rebuilds it (`archive.source_row`), its `data` is lean
(`lean_record`), and it carries its authority's id (`db.authorities`) — no placeholders, so the
figures are measured on the product's data."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive
from xinyong.db import lean_record, migrate
from xinyong.db.session import make_engine
from xinyong.db.tables import Record, RecordAuthority

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench(name: str) -> Any:
    """A module of bench/ (the scripts import each other from there)."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


def test_the_dashboard_loader_writes_what_collection_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    migrate.upgrade(url)
    _bench("dashboard").load(url, 60, 4)
    engine = make_engine(url)
    with Session(engine) as session:
        loaded = session.scalars(select(Record)).all()
        names = {(a.info_class, a.id): a.name for a in session.scalars(select(RecordAuthority))}
        assert len(loaded) == 240
        for record in loaded:
            row = archive.source_row(record)
            assert archive.content_hash(row) == record.content_hash, record.natural_key
            assert record.authority_id is not None
            assert names[(record.info_class, record.authority_id)] == record.authority_name
            assert "decision_number" not in (record.data or {})  # a column holds it
    engine.dispose()


@pytest.mark.parametrize(
    ("info_class", "row"),
    [
        ("penalty", {"decision_number": "示罚〔2026〕1号", "decision_date": "2026-03-01",
                     "authority_name": "示范区市场监管局", "authority_uscc": "11350100MB0000001X",
                     "subject_uscc": "91350100M000100Y43", "fine_amount": "150"}),
        ("licence", {"decision_number": "示许〔2026〕2号", "decision_date": "2026-03-01",
                     "valid_from": "2026-03-01", "authority_name": "示范区行政审批局",
                     "authority_uscc": "11350100MB0000002X", "subject_uscc": "91350100M000100Y43"}),
        ("honour", {"honour_name": "守信企业", "decision_number": "示荣〔2026〕3号",
                    "decision_date": "2026-03-01", "authority_name": "示范区发展改革局",
                    "authority_uscc": "11350100MB0000003X", "subject_uscc": "91350100M000100Y43"}),
        ("court_defaulter", {"case_number": "(2026)示执1号", "subject_uscc": "91350100M000100Y43",
                             "basis_number": "(2026)示执1号", "published_on": "2026-03-01",
                             "court": "示范区人民法院"}),
    ],
)  # fmt: skip
def test_a_loaded_row_rebuilds_to_its_source_row(info_class: str, row: dict[str, str]) -> None:
    """Every class the loaders write: the columns they COPY (`stored_records.COLUMNS`), the
    natural key and the lean data give the archive back the full row, and the hash is its hash."""
    stored_records = _bench("stored_records")
    s = stored_records.stored(info_class, row)
    columns = dict(zip(stored_records.COLUMNS, s.values(), strict=True))
    rebuilt = lean_record.rebuild(info_class, s.natural_key, columns, s.lean)
    assert rebuilt == row
    assert archive.content_hash(rebuilt) == s.digest
