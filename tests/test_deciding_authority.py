"""A 认定单位 / 决定机关 is a department, never an actor's label: a breach recorded by the
command line names the accepting department (or the credit office); the demo acts as named
officers of its departments; and a stored record that still holds "命令行:…" is shown to the
public as the credit authority."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.archive import make_record
from tests.factories.workflows import make_enterprise
from xinyong import commitments, demo, disclosure
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Commitment, Record

CLI = Actor.command_line("root")


def _breach(session: Session, catalog: Catalog, today: date, provider_id: int | None) -> Record:
    subject = make_subject(session)
    made = commitments.sign(
        session, subject, "approval_notified", actor=make_enterprise(session, subject),
        today=today, catalog=catalog, region_code="990100", acceptance_provider_id=provider_id,
    )  # fmt: skip
    found = commitments.record_verification(
        session, made, fulfilment="全部未履行", unperformed="未按期补交材料", actor=CLI,
        today=today, catalog=catalog,
    )  # fmt: skip
    assert found.breach_record is not None
    return found.breach_record


def test_a_breach_recorded_from_the_command_line_names_the_accepting_department(
    session: Session, catalog: Catalog, today: date
) -> None:
    dept = make_provider(session)
    record = _breach(session, catalog, today, dept.id)
    assert record.authority_name == dept.name
    assert record.provider_id == dept.id
    public = disclosure.public_record(record, _window(session, record, catalog, today), catalog)
    assert dict(public.fields)["认定单位"] == dept.name
    assert "命令行" not in str(public.as_json())


def test_a_stored_command_line_label_is_shown_as_the_credit_authority(
    session: Session, catalog: Catalog, today: date
) -> None:
    subject = make_subject(session)
    old = make_record(
        session, subject, info_class="commitment_breach", decision_date=today,
        data={"decision_number": "99010020261123000009", "authority_name": "命令行:root",
              "acceptance_unit": "命令行:root"},
        authority_name="命令行:root",
    )  # fmt: skip
    public = disclosure.public_record(old, _window(session, old, catalog, today), catalog)
    assert public.authority_name == "信用主管部门"
    assert "命令行" not in str(public.as_json())


def test_the_demo_acts_as_named_officers_of_its_departments(
    session: Session, catalog: Catalog
) -> None:
    demo.load(session, count=120, actor=Actor.system("测试"), today=date(2026, 11, 23))
    verifiers = set(
        session.execute(
            select(Commitment.verified_by).where(Commitment.verified_by.is_not(None))
        ).scalars()
    )
    assert verifiers
    assert all("（" in str(v) and "测试" not in str(v) for v in verifiers)  # "…认定人员（…）"
    breaches = session.execute(
        select(Record).where(Record.info_class == "commitment_breach")
    ).scalars()
    names = {r.authority_name for r in breaches}
    assert names
    assert all(n and n.startswith("示范区") for n in names)


def _window(session: Session, record: Record, catalog: Catalog, today: date):
    ((_, window),) = disclosure.windows(session, [record], catalog=catalog, today=today)
    return window
