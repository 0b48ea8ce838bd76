"""The store's guarantees beneath collect: references checked per statement, the writer thread."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from psycopg.errors import ForeignKeyViolation
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.factories.archive import make_record
from tests.factories.subjects import make_provider, make_subject
from xinyong import archive
from xinyong.collection import store, writer
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import Batch, BatchChunk, Record, Subject

MISSING = "records 引用了不存在的主体或报送部门"
IN_USE = "仍有信用记录引用该主体或报送部门"


def _bare_record(subject_id: int, provider_id: int | None, key: str) -> Record:
    return Record(
        subject_id=subject_id, info_class="penalty", natural_key=key, version=1,
        is_current=True, status="active", provider_id=provider_id, catalog_version="test",
        content_hash="0" * 64, data={},
    )  # fmt: skip


def test_a_record_must_name_an_existing_subject_and_provider(session: Session) -> None:
    subject, provider = make_subject(session), make_provider(session)
    with session.begin_nested():
        session.add(_bare_record(subject.id, provider.id, "ok"))
    for subject_id, provider_id in ((subject.id + 10_000, provider.id), (subject.id, 999_999)):
        with pytest.raises(DBAPIError, match=MISSING), session.begin_nested():
            session.add(_bare_record(subject_id, provider_id, f"bad-{subject_id}"))
    with pytest.raises(DBAPIError, match=MISSING), session.begin_nested():
        session.execute(
            text("UPDATE records SET subject_id = :bad WHERE natural_key = 'ok'"),
            {"bad": subject.id + 10_000},
        )


def test_a_subject_or_provider_with_records_cannot_be_deleted(session: Session) -> None:
    subject = make_subject(session)
    make_record(session, subject)
    with pytest.raises(DBAPIError, match=IN_USE), session.begin_nested():
        session.execute(delete(Subject).where(Subject.id == subject.id))
    lonely = make_subject(session)
    session.execute(delete(Subject).where(Subject.id == lonely.id))  # no records: allowed


def _chunk(batch: Batch, subject_id: int, first: int) -> store.Chunk:
    frame = pl.DataFrame({
        "subject_id": [subject_id], "info_class": ["penalty"], "natural_key": [f"k{first}"],
        "version": [1], "is_current": [True], "status": ["active"], "decision_number": ["d"],
        "decision_date": [date(2026, 11, 2)], "valid_from": [None], "valid_until": [None],
        "authority_name": ["a"], "authority_uscc": [None], "provider_id": [batch.provider_id],
        "batch_id": [batch.id], "source_row": [first], "catalog_version": ["test"],
        "content_hash": ["0" * 64], "data": ["{}"], "reason": ["test"],
    })  # fmt: skip
    counts = {"new": 1, "updated": 0, "unchanged": 0, "rejected": 0, "timely": 1, "late": 0}
    return store.Chunk(batch.id, first, first, frame, [], [], counts, batch.received_on)


def _batch(provider_id: int, digest: str) -> Batch:
    return Batch(
        provider_id=provider_id, info_class="penalty", content_hash=digest, source_format="csv",
        status="processing", received_on=date(2026, 11, 23), catalog_version="test",
        submitted_by="test", columns=[], warnings=[], fill_counts={},
    )  # fmt: skip


@pytest.mark.postgres
def test_the_writer_thread_commits_in_order_and_hands_its_error_to_the_caller(
    scratch_url: str,
) -> None:
    engine = make_engine(scratch_url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        provider, subject = make_provider(s), make_subject(s)
        batch = _batch(provider.id, "h")
        s.add(batch)
        s.commit()
        sink = writer.for_batch(s, batch, durable=True)
        assert isinstance(sink, writer.Writer)
        with sink:
            sink.put(_chunk(batch, subject.id, 2))
            sink.put(_chunk(batch, subject.id, 3))
        assert s.execute(select(func.count()).select_from(BatchChunk)).scalar_one() == 2
        failing = writer.for_batch(s, batch, durable=True)
        with pytest.raises(ForeignKeyViolation, match=MISSING), failing:  # noqa: PT012
            failing.put(_chunk(batch, subject.id + 10_000, 4))
            failing.put(_chunk(batch, subject.id, 5))  # not written after the failure
        stored = s.execute(select(Record.source_row).order_by(Record.source_row)).scalars()
        assert list(stored) == [2, 3]
        # the advisory lock went with the writer: a new one starts at once
        with writer.for_batch(s, batch, durable=True) as again:
            again.put(_chunk(batch, subject.id, 6))
        assert s.execute(select(func.count()).select_from(BatchChunk)).scalar_one() == 3
    engine.dispose()


@pytest.mark.postgres
def test_the_bulk_writer_checks_references_before_copying_into_the_class_partition(
    session: Session,
) -> None:
    """archive.write_versions_pg copies a chunk straight into its class's partition, which the
    parent's statement trigger does not see: the writer runs the trigger's own check first
    (`xinyong_records_check_refs`, ADR 0012), which refuses the chunk inside its transaction."""
    subject, provider = make_subject(session), make_provider(session)
    batch = _batch(provider.id, "p")
    session.add(batch)
    session.flush()
    raw = session.connection().connection.driver_connection
    assert raw is not None
    good = _chunk(batch, subject.id, 7).records
    ids = archive.write_versions_pg(raw, good, [])
    assert ids is not None
    first, last = ids
    where = text("SELECT tableoid::regclass::text FROM records WHERE id = :id")
    stored = session.execute(where, {"id": first}).scalar_one()
    assert (first, stored) == (last, "records_p_penalty")
    for bad in (
        good.with_columns(pl.lit(subject.id + 10_000).alias("subject_id"), natural_key=pl.lit("s")),
        good.with_columns(pl.lit(999_999).alias("provider_id"), natural_key=pl.lit("p")),
    ):
        with pytest.raises(ForeignKeyViolation, match=MISSING), raw.transaction():  # savepoint
            archive.write_versions_pg(raw, bad, [])
    assert session.execute(select(func.count()).select_from(Record).where(
        Record.batch_id == batch.id)).scalar_one() == 1  # fmt: skip


@pytest.mark.postgres
def test_an_empty_class_is_not_probed_and_a_second_file_is(
    scratch_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.collection.conftest import penalty_rows, to_csv  # noqa: PLC0415
    from xinyong import collection  # noqa: PLC0415
    from xinyong.audit import Actor  # noqa: PLC0415
    from xinyong.cli import context as ctx  # noqa: PLC0415

    asked: list[int] = []
    probe = store.current_versions

    def counted(session: Session, info_class: str, keys: list[str]) -> pl.DataFrame:
        asked.append(len(keys))
        return probe(session, info_class, keys)

    monkeypatch.setattr(store, "current_versions", counted)
    engine = make_engine(scratch_url)
    today = date(2026, 11, 23)
    with make_sessionmaker(engine)() as s:
        provider = make_provider(s)
        s.commit()

        def collect(rows: list[list[str]]) -> collection.BatchReport:
            sub = collection.Submission("penalty", provider.uscc, data=to_csv(rows))
            return collection.collect(
                s, sub, catalog=ctx.load_catalog(), calendar=ctx.load_calendar(),
                actor=Actor.system(), today=today,
            )  # fmt: skip

        rows = penalty_rows(30, seed=9)
        first = collect(rows)
        assert (first.new, first.updated, first.unchanged) == (30, 0, 0)
        assert not any(asked)  # nothing of the class but this batch: no probe
        changed = [list(r) for r in rows[:10]]
        for row in changed[:4]:
            row[12] = "0.5"  # a corrected amount: version 2
        second = collect([*changed, *penalty_rows(5, seed=10)])
        assert (second.new, second.updated, second.unchanged) == (5, 4, 6)
        assert sum(asked) == 15  # the class now holds another batch's records: probed
        batch = collection.get(s, second.batch_id or 0, actor=Actor.system())
        assert store.others_in_class(s, batch)
    engine.dispose()
