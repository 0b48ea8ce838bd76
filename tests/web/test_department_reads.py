"""Reads of one department's case by id are scoped in the domain query (ADR 0018 §3): a batch
(`collection.get(actor=…)`, also behind `GET /api/v1/batches/{id}`, which runs on its own
connection and so is not in the access matrix) and a list entry (`lists.read_entry`, held by the
proposing department until the decision names the deciding one)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_user
from xinyong import collection, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Batch
from xinyong.enums import BatchStatus, Role
from xinyong.errors import Forbidden


def test_a_batch_is_read_by_its_department_and_the_credit_office(
    session: Session, catalog: Catalog, today: date
) -> None:
    dept, other = make_provider(session, name="批次甲局"), make_provider(session, name="批次乙局")
    batch = Batch(
        provider_id=dept.id, info_class="penalty", content_hash=uuid.uuid4().hex * 2,
        file_name="a.csv", source_format="csv", status=BatchStatus.DONE.value, received_on=today,
        catalog_version=catalog.version, submitted_by="甲",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    own, _ = make_user(session, Role.PROVIDER_CLERK, provider=dept)
    assert collection.get(session, batch.id, actor=own) is batch
    assert collection.get(session, batch.id, actor=make_user(session, Role.ADMIN)[0]) is batch
    stranger, _ = make_user(session, Role.PROVIDER_CLERK, provider=other)
    with pytest.raises(Forbidden):
        collection.get(session, batch.id, actor=stranger)


def test_a_list_entry_is_held_by_the_proposing_department(
    session: Session, catalog: Catalog, today: date
) -> None:
    dept, other = make_provider(session, name="名单甲局"), make_provider(session, name="名单乙局")
    officer, _ = make_user(session, Role.OFFICER, provider=dept)
    entry = lists.propose_entry(session, make_subject(session), "wage_arrears", "拖欠工资",
                                catalog=catalog, actor=officer, today=today)  # fmt: skip
    assert entry.provider_id == dept.id
    for reader in (officer, make_user(session, Role.OFFICER)[0],  # the credit office's officer
                   make_user(session, Role.AUDITOR)[0], Actor.system()):  # fmt: skip
        assert lists.read_entry(session, entry.id, actor=reader) is entry
    with pytest.raises(Forbidden):
        lists.read_entry(session, entry.id,
                         actor=make_user(session, Role.OFFICER, provider=other)[0])  # fmt: skip
    with pytest.raises(Forbidden):
        lists.read_entry(session, entry.id, actor=make_user(session, Role.BANK)[0])
