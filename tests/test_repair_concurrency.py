"""Two officers decide the same repair at the same moment: exactly one decision stands.

Each officer works in its own connection and transaction (committed data, cleaned up afterwards),
as two web requests would. On PostgreSQL the loser's conditional UPDATE waits for the winner's row
lock, then finds the status changed and gets `AlreadyHandled`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_provider, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_penalty
from xinyong import commitments, repair
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import (
    Commitment,
    EvaluationPending,
    EvaluationResult,
    OutboxEntry,
    Provider,
    Record,
    RepairApplication,
    RepairMaterial,
    Subject,
    User,
)

TODAY = date(2026, 11, 23)


@pytest.fixture
def accepted_case(
    engine: Engine, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> Iterator[tuple[int, Actor, Actor]]:
    """A committed, accepted repair application and two officers of the deciding authority."""
    with Session(engine) as s, s.begin():
        provider, subject = make_provider(s), make_subject(s)
        record = make_penalty(s, subject, provider)
        app = commitments.apply_for_repair(
            s, record, repair.Application("已履行", True,
                                          (repair.Upload("performance_proof", "p.pdf", PDF),)),
            actor=make_enterprise(s, subject), today=TODAY, catalog=catalog, calendar=calendar,
            data_dir=tmp_path, region_code="990100",
        )  # fmt: skip
        first, second = make_officer(s, provider), make_officer(s, provider)
        repair.accept(s, app, actor=first, today=TODAY, catalog=catalog, calendar=calendar)
        ids = (app.id, subject.id, provider.id)
    try:
        yield ids[0], first, second
    finally:
        _clean(engine, subject_id=ids[1], provider_id=ids[2])


def _clean(engine: Engine, *, subject_id: int, provider_id: int) -> None:
    with Session(engine) as s, s.begin():
        apps = select(RepairApplication.id).where(RepairApplication.subject_id == subject_id)
        s.execute(delete(OutboxEntry).where(OutboxEntry.subject_id == subject_id))
        s.execute(delete(RepairMaterial).where(RepairMaterial.repair_id.in_(apps)))
        s.execute(delete(RepairApplication).where(RepairApplication.subject_id == subject_id))
        s.execute(delete(Commitment).where(Commitment.subject_id == subject_id))
        s.execute(delete(Record).where(Record.subject_id == subject_id))
        s.execute(delete(User).where(User.subject_id == subject_id))
        s.execute(delete(User).where(User.provider_id == provider_id))
        s.execute(delete(EvaluationResult).where(EvaluationResult.subject_id == subject_id))
        s.execute(delete(EvaluationPending).where(EvaluationPending.subject_id == subject_id))
        s.execute(delete(Subject).where(Subject.id == subject_id))
        s.execute(delete(Provider).where(Provider.id == provider_id))


def test_two_officers_deciding_the_same_repair_at_once_exactly_one_succeeds(
    engine: Engine, db_kind: str, catalog: Catalog, accepted_case: tuple[int, Actor, Actor]
) -> None:
    repair_id, first, second = accepted_case
    factory = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name: str, officer: Actor, approve: bool) -> None:
        try:
            with factory() as s, s.begin():
                app = repair.get(s, repair_id, actor=officer)
                barrier.wait(timeout=10)
                repair.decide(s, app, approve=approve, reason="同时决定", actor=officer,
                              today=TODAY, catalog=catalog)  # fmt: skip
            outcomes[name] = "ok"
        except (repair.AlreadyHandled, OperationalError) as exc:
            outcomes[name] = exc

    threads = [
        threading.Thread(target=decide, args=("approve", first, True)),
        threading.Thread(target=decide, args=("refuse", second, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [name for name, result in outcomes.items() if result == "ok"]
    losers = [result for result in outcomes.values() if result != "ok"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    if db_kind == "postgresql":  # row lock, then the conditional UPDATE changes nothing
        assert isinstance(losers[0], repair.AlreadyHandled)
    with Session(engine) as s:
        app = repair.get(s, repair_id, actor=Actor.system())
        assert app.status == ("approved" if winners == ["approve"] else "refused")
        versions = s.execute(
            select(Record.status)
            .where(Record.natural_key == app.natural_key)
            .order_by(Record.version)
        ).scalars()
        expected = ["active", "repaired"] if winners == ["approve"] else ["active"]
        assert list(versions) == expected
        synced = s.execute(
            select(OutboxEntry.event).where(
                OutboxEntry.target_id == repair_id, OutboxEntry.target_type == "repair_application"
            )
        )
        assert len(list(synced)) == 1
