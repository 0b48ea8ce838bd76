"""Credit repair: eligibility (令36号 §1.4), materials, routing, deadlines, decisions, sync log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from tests.factories import make_provider, make_subject
from tests.factories.workflows import EXE, PDF, PNG, make_enterprise, make_officer, make_penalty
from xinyong import archive, commitments, repair, subjects
from xinyong import catalog as catalog_pkg
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import OutboxEntry, Record, RepairApplication
from xinyong.errors import Forbidden

REGION = "990100"


def _apply(
    session: Session,
    record: Record,
    actor: Actor,
    *,
    catalog: Catalog,
    calendar: Calendar,
    data_dir: Path,
    today: date,
    uploads: tuple[repair.Upload, ...] | None = None,
    fulfilled: bool = True,
) -> RepairApplication:
    proof = (repair.Upload("performance_proof", "缴款凭证.pdf", PDF),)
    return commitments.apply_for_repair(
        session,
        record,
        repair.Application(
            "已缴清罚款并完成整改", fulfilled, proof if uploads is None else uploads
        ),
        actor=actor,
        today=today,
        catalog=catalog,
        calendar=calendar,
        data_dir=data_dir,
        region_code=REGION,
    )


@pytest.fixture
def case(session: Session) -> tuple[Record, Actor, Actor]:
    """A general penalty of 2026-06-01 (minimum period ends 2026-09-01), its subject and officer."""
    provider = make_provider(session)
    subject = make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2026, 6, 1))
    return record, make_enterprise(session, subject), make_officer(session, provider)


def test_approved_repair_makes_the_current_version_repaired_and_is_synced(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    assert app.status == "submitted"
    assert app.eligibility["eligible"] is True
    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    repair.decide(
        session, app, approve=True, reason="已履行义务", actor=officer, today=today, catalog=catalog
    )
    versions = archive.history(session, record.info_class, record.natural_key)
    current = [v for v in versions if v.is_current]
    assert [v.status for v in versions] == ["active", "repaired"]
    assert current[0].id == app.repaired_record_id
    assert f"修复申请第 {app.id} 号" in (current[0].reason or "")
    synced = session.execute(
        select(OutboxEntry).where(
            OutboxEntry.target_type == "repair_application", OutboxEntry.target_id == app.id
        )
    ).scalars()
    assert [e.event for e in synced] == ["repair.approved"]


def test_repair_refused_before_minimum_disclosure_period(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2026, 10, 1))
    with pytest.raises(repair.NotEligible) as caught:
        _apply(
            session,
            record,
            make_enterprise(session, subject),
            catalog=catalog,
            calendar=calendar,
            data_dir=tmp_path,
            today=today,
        )
    assert "2027-01-01" in caught.value.message
    unmet = [c["id"] for c in caught.value.details["conditions"] if not c["met"]]
    assert unmet == ["min_period"]
    assert session.execute(select(RepairApplication)).first() is None


def test_minor_penalty_is_repairable_as_soon_as_the_duty_is_fulfilled(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(
        session, subject, provider, decision_date=date(2026, 11, 20), kinds=("警告",)
    )
    app = _apply(
        session,
        record,
        make_enterprise(session, subject),
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    assert app.severity == "minor"


def test_serious_penalty_needs_a_training_certificate_or_report(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    record = make_penalty(
        session, subject, provider, decision_date=date(2026, 4, 1), kinds=("吊销许可证件",)
    )
    enterprise = make_enterprise(session, subject)
    later = date(2027, 4, 6)  # past the 12-month minimum; 2027 is a provisional year
    result = repair.check_eligibility(
        session,
        record,
        catalog=catalog,
        today=later,
        facts=repair.Facts(frozenset({"performance_proof"}), True, True),
    )
    assert result.period.severity == "serious"
    assert result.period.min_until == date(2027, 4, 1)
    assert [c.id for c in result.unmet] == ["materials"]
    assert "培训" in result.unmet[0].detail
    with pytest.raises(repair.NotEligible):
        _apply(
            session,
            record,
            enterprise,
            catalog=catalog,
            calendar=calendar,
            data_dir=tmp_path,
            today=later,
        )


def test_unfulfilled_obligations_block_the_application(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, _ = case
    with pytest.raises(repair.NotEligible) as caught:
        _apply(
            session,
            record,
            enterprise,
            catalog=catalog,
            calendar=calendar,
            data_dir=tmp_path,
            today=today,
            fulfilled=False,
            uploads=(),
        )
    unmet = {c["id"] for c in caught.value.details["conditions"] if not c["met"]}
    assert unmet == {"obligations", "materials"}


def test_repair_is_routed_to_the_authority_named_on_the_record(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    submitter = make_provider(session, name="示范市公共信用信息中心", kind="credit_office")
    authority = make_provider(session, name="示范市税务局", kind="tax")
    subject = make_subject(session)
    record = make_penalty(session, subject, authority)
    record.provider_id = submitter.id  # submitted by the credit centre, decided by the tax office
    app = _apply(
        session,
        record,
        make_enterprise(session, subject),
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    assert app.provider_id == authority.id
    with pytest.raises(Forbidden):
        repair.accept(
            session,
            app,
            actor=make_officer(session, submitter),
            today=today,
            catalog=catalog,
            calendar=calendar,
        )


def test_another_enterprise_cannot_apply_for_a_record(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, _, _ = case
    stranger = make_enterprise(session, make_subject(session))
    with pytest.raises(Forbidden):
        _apply(
            session,
            record,
            stranger,
            catalog=catalog,
            calendar=calendar,
            data_dir=tmp_path,
            today=today,
        )


def test_second_application_for_the_same_record_is_refused(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, _ = case
    _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    with pytest.raises(repair.NotEligible, match="正在办理"):
        _apply(
            session,
            record,
            enterprise,
            catalog=catalog,
            calendar=calendar,
            data_dir=tmp_path,
            today=today,
        )


# ---- state machine ------------------------------------------------------------------------------


def test_decision_refused_before_acceptance(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    with pytest.raises(repair.StepSkipped):
        repair.decide(
            session, app, approve=True, reason="", actor=officer, today=today, catalog=catalog
        )
    with pytest.raises(repair.StepSkipped):
        repair.extend(
            session, app, "需核查", actor=officer, today=today, catalog=catalog, calendar=calendar
        )
    assert record.is_current
    assert record.status == "active"


def test_double_decisions_and_double_acceptance_are_refused(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    with pytest.raises(repair.AlreadyHandled):
        repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    repair.decide(
        session,
        app,
        approve=False,
        reason="材料不能证明已履行",
        actor=officer,
        today=today,
        catalog=catalog,
    )
    with pytest.raises(repair.AlreadyHandled):
        repair.decide(
            session, app, approve=True, reason="", actor=officer, today=today, catalog=catalog
        )
    assert app.status == "refused"
    assert archive.history(session, record.info_class, record.natural_key)[-1].status == "active"


def test_refusal_needs_reasons(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    repair.accept(session, app, actor=officer, today=today, catalog=catalog, calendar=calendar)
    with pytest.raises(Exception, match="理由"):
        repair.decide(
            session, app, approve=False, reason=" ", actor=officer, today=today, catalog=catalog
        )
    assert app.status == "accepted"


def test_not_accepted_is_an_outcome_with_its_reason_in_the_sync_log(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    repair.refuse_acceptance(session, app, "非本单位认定的信息", actor=officer, today=today)
    entries = repair.pending_sync(session)
    assert [(e.event, e.payload["reason"]) for e in entries if e.target_id == app.id] == [
        ("repair.not_accepted", "非本单位认定的信息")
    ]


# ---- deadlines ----------------------------------------------------------------------------------


def test_deadlines_span_national_day_2026_with_make_up_saturday(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=date(2026, 9, 29),
    )
    assert app.accept_due == date(2026, 10, 9)  # 09-30, (10-01…10-07 off), 10-08, 10-09
    repair.accept(
        session, app, actor=officer, today=date(2026, 9, 30), catalog=catalog, calendar=calendar
    )
    assert app.decide_due == date(2026, 10, 20)  # counts Saturday 10-10 (调休 working day)
    repair.extend(
        session,
        app,
        "需向税务部门核查缴款情况",
        actor=officer,
        today=date(2026, 10, 19),
        catalog=catalog,
        calendar=calendar,
    )
    assert app.decide_due == date(2026, 11, 3)
    assert app.extended
    with pytest.raises(repair.AlreadyHandled, match="只能延长一次"):
        repair.extend(
            session,
            app,
            "再次延长",
            actor=officer,
            today=date(2026, 10, 20),
            catalog=catalog,
            calendar=calendar,
        )


def test_deadlines_into_a_provisional_year_are_given_and_marked(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path
) -> None:
    """2027 has no official arrangement yet: its deadlines are computed provisionally (暂定)."""
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=date(2026, 12, 29),
    )
    assert app.accept_due is not None
    assert app.accept_due.year == 2027
    assert calendar.is_provisional(app.accept_due)
    repair.accept(
        session, app, actor=officer, today=date(2026, 12, 30), catalog=catalog, calendar=calendar
    )
    session.refresh(app)
    assert app.status == "accepted"
    assert app.decide_due is not None
    assert calendar.is_provisional(app.decide_due)


def test_timeliness_per_authority_counts_decisions_within_their_deadlines(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=date(2026, 11, 2),
    )
    repair.accept(
        session, app, actor=officer, today=date(2026, 11, 3), catalog=catalog, calendar=calendar
    )
    late = date(2026, 11, 30)  # decide_due was 2026-11-17
    repair.decide(session, app, approve=True, reason="", actor=officer, today=late, catalog=catalog)
    rows = {t.provider_id: t for t in repair.timeliness(session)}
    assert rows[app.provider_id].handled == 1
    assert rows[app.provider_id].on_time == 0
    assert rows[app.provider_id].rate == 0.0


# ---- materials ----------------------------------------------------------------------------------


def test_executable_named_pdf_is_refused(catalog: Catalog) -> None:
    with pytest.raises(repair.BadMaterial, match="可执行文件"):
        repair.check_upload(
            repair.Upload("performance_proof", "缴款凭证.pdf", EXE), catalog.workflows.repair
        )


def test_file_whose_name_and_content_disagree_is_refused(catalog: Catalog) -> None:
    with pytest.raises(repair.BadMaterial, match="扩展名与内容不符"):
        repair.check_upload(
            repair.Upload("performance_proof", "凭证.pdf", PNG), catalog.workflows.repair
        )


def test_oversized_and_empty_files_are_refused(catalog: Catalog) -> None:
    rules = catalog.workflows.repair
    big = PDF + b"0" * rules.max_upload_bytes
    with pytest.raises(repair.BadMaterial, match="大小上限"):
        repair.check_upload(repair.Upload("performance_proof", "a.pdf", big), rules)
    with pytest.raises(repair.BadMaterial, match="空文件"):
        repair.check_upload(repair.Upload("performance_proof", "a.pdf", b""), rules)


def test_materials_are_stored_under_their_hash_with_the_sniffed_type(
    session: Session, case, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    record, enterprise, _ = case
    uploads = (
        repair.Upload("performance_proof", "../../etc/凭证.pdf", PDF),
        repair.Upload("other", "现场照片.png", PNG),
    )
    app = _apply(
        session,
        record,
        enterprise,
        catalog=catalog,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
        uploads=uploads,
    )
    stored = repair.list_materials(session, app.id)
    assert [(m.filename, m.content_type) for m in stored] == [
        ("凭证.pdf", "application/pdf"),
        ("现场照片.png", "image/png"),
    ]
    assert stored[0].stored_as.endswith(f"{stored[0].sha256}.pdf")
    assert repair.read_material(stored[0], tmp_path) == PDF


# ---- regional override ------------------------------------------------------------------------


def test_region_enables_the_repeat_limit_and_changes_time_limits_by_override(
    session: Session, case, calendar: Calendar, tmp_path: Path, today: date
) -> None:
    override = tmp_path / "override"
    (override / "workflows").mkdir(parents=True)
    text = (CATALOG_DIR / "workflows" / "repair.yaml").read_text(encoding="utf-8")
    text = text.replace("  enabled: false\n", "  enabled: true\n  years: 1\n  max_repairs: 1\n")
    text = text.replace("acceptance:\n  working_days: 3", "acceptance:\n  working_days: 1")
    (override / "workflows" / "repair.yaml").write_text(text, encoding="utf-8")
    regional = catalog_pkg.load_catalog(CATALOG_DIR, override)
    assert regional.workflows.repair.repeat_limit.enabled
    record, enterprise, officer = case
    app = _apply(
        session,
        record,
        enterprise,
        catalog=regional,
        calendar=calendar,
        data_dir=tmp_path,
        today=today,
    )
    assert app.accept_due == date(2026, 11, 24)
    repair.accept(session, app, actor=officer, today=today, catalog=regional, calendar=calendar)
    repair.decide(
        session, app, approve=True, reason="", actor=officer, today=today, catalog=regional
    )
    provider = repair.deciding_provider(session, record)
    assert provider is not None
    second = make_penalty(session, subjects.get(session, record.subject_id), provider)
    result = repair.check_eligibility(session, second, catalog=regional, today=today)
    assert [c.id for c in result.unmet] == ["repeat_limit"]
