"""双随机、一公开: a draw re-run from its recorded seed is identical; conflicted inspectors are
never drawn; results are recorded by the inspecting department and published in the period."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.archive import make_record
from tests.factories.workflows import make_officer
from xinyong import clock, evaluation, inspections
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.errors import Forbidden
from xinyong.inspections import DrawInputs, conflicted, draw

REGION = "990100"


def _inputs(
    seed: str,
    n: int,
    related: dict[int, frozenset[int]],
    previous: frozenset[tuple[int, int]] = frozenset(),
) -> DrawInputs:
    classes = "ABCD"
    return DrawInputs(
        seed=seed,
        population=tuple((i, classes[i % 4]) for i in range(1, n + 1)),
        ratios={"A": 0.03, "B": 0.1, "C": 0.4, "D": 0.8},
        min_ratio=0.03,
        inspectors=tuple(range(100, 108)),
        related=related,
        previous=previous,
        per_subject=2,
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.text(min_size=1, max_size=12),
    n=st.integers(1, 300),
    related=st.dictionaries(st.integers(100, 107), st.frozensets(st.integers(1, 300))),
    previous=st.frozensets(st.tuples(st.integers(100, 107), st.integers(1, 300))),
)
def test_draw_is_reproducible_and_never_picks_a_conflicted_inspector(
    seed: str, n: int, related: dict[int, frozenset[int]], previous: frozenset[tuple[int, int]]
) -> None:
    inputs = _inputs(seed, n, related, previous)
    first = draw(inputs)
    assert draw(DrawInputs.from_json(inputs.as_json())) == first  # from the recorded inputs
    assert len(first) >= 1
    for d in first:
        assert all(not conflicted(inputs, i, d.subject_id) for i in d.inspector_ids)
        assert len(d.inspector_ids) in (0, 2)


def test_higher_risk_classes_are_drawn_at_higher_ratios() -> None:
    drawn = draw(_inputs("2026-市监-01", 400, {}))
    per_class = {c: sum(1 for d in drawn if d.supervision_class == c) for c in "ABCD"}
    assert per_class == {"A": 3, "B": 10, "C": 40, "D": 80}


def test_plan_redraw_reproduces_and_conflicts_are_excluded(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    dept = make_provider(session)
    officer = make_officer(session, dept)
    subjects = [make_subject(session, region_code=REGION) for _ in range(30)]
    for s in subjects[:10]:
        evaluation.evaluate_subject(session, s, catalog=catalog, today=today)
    pool = [
        inspections.add_inspector(
            session,
            f"检查员{i}",
            f"ZF{i:04d}",
            dept,
            actor=officer,
            related_codes=tuple(s.code for s in subjects if i == 0),
        )
        for i in range(4)
    ]
    first = inspections.create_plan(
        session,
        code="2026-SJ-01",
        title="2026年第一批双随机抽查",
        provider=dept,
        sector="market_regulation",
        region_code=REGION,
        period_start=date(2026, 11, 23),
        period_end=date(2026, 12, 31),
        seed="seed-one",
        actor=officer,
        catalog=catalog,
        today=today,
    )
    again = inspections.redraw(session, first, actor=officer)
    assert again.identical
    assert again.drawn
    related_to_all = pool[0].id
    rows = inspections.drawn_of(session, first)
    assert all(related_to_all not in r.inspector_ids for r in rows)  # related: never drawn
    second = inspections.create_plan(
        session,
        code="2026-SJ-02",
        title="第二批",
        provider=dept,
        sector="market_regulation",
        region_code=REGION,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 3, 31),
        seed="seed-two",
        actor=officer,
        catalog=catalog,
        today=today,
    )
    assert second.previous_plan_id == first.id
    before = {(int(i), r.subject_id) for r in rows for i in r.inspector_ids}
    for r in inspections.drawn_of(session, second):
        assert not {(int(i), r.subject_id) for i in r.inspector_ids} & before
    assert inspections.redraw(session, second, actor=officer).identical


def test_stored_draw_changed_by_hand_is_detected(
    session: Session, catalog: Catalog, today: date
) -> None:
    dept = make_provider(session)
    officer = make_officer(session, dept)
    for _ in range(20):
        make_subject(session, region_code=REGION)
    for i in range(3):
        inspections.add_inspector(session, f"检查员{i}", f"ZG{i:04d}", dept, actor=officer)
    plan = inspections.create_plan(
        session,
        code="2026-SJ-09",
        title="抽查",
        provider=dept,
        sector="market_regulation",
        region_code=REGION,
        period_start=today,
        period_end=today,
        seed="x",
        actor=officer,
        catalog=catalog,
        today=today,
    )
    row = inspections.drawn_of(session, plan)[0]
    row.subject_id = next(s for s, _c in plan.inputs["population"] if s != row.subject_id)
    session.flush()
    assert not inspections.redraw(session, plan, actor=officer).identical


def test_results_by_the_inspecting_department_are_published_in_the_period(
    session: Session, catalog: Catalog, calendar: Calendar, today: date
) -> None:
    dept, other = make_provider(session), make_provider(session)
    officer = make_officer(session, dept)
    for _ in range(10):
        make_subject(session, region_code=REGION)
    for i in range(2):
        inspections.add_inspector(session, f"检查员{i}", f"ZH{i:04d}", dept, actor=officer)
    plan = inspections.create_plan(
        session,
        code="2026-SJ-05",
        title="抽查",
        provider=dept,
        sector="market_regulation",
        region_code=REGION,
        period_start=today,
        period_end=today,
        seed="r",
        actor=officer,
        catalog=catalog,
        today=today,
    )
    row = inspections.drawn_of(session, plan)[0]
    with pytest.raises(Forbidden):
        inspections.record_result(
            session,
            row,
            "未发现问题",
            "",
            actor=make_officer(session, other),
            today=today,
            calendar=calendar,
            catalog=catalog,
        )
    done = inspections.record_result(
        session,
        row,
        "发现问题已责令整改",
        "未按规定公示年报",
        actor=officer,
        today=today,
        calendar=calendar,
        catalog=catalog,
    )
    assert done.publish_by == clock.add_working_days(today, 20, calendar)
    published = inspections.public_results(session, today=today)
    assert [p["result"] for p in published] == ["发现问题已责令整改"]


def test_a_tax_plan_classes_subjects_by_their_tax_grade_and_other_plans_by_ours(
    session: Session, catalog: Catalog, today: date
) -> None:
    """The plan's sector decides how its population is classed: the tax sector's rule reads the
    纳税信用等级 in force (catalogs/supervision.yaml), market regulation reads our grade."""
    dept = make_provider(session)
    officer = make_officer(session, dept)
    firm = make_subject(session, region_code=REGION)
    ours = evaluation.evaluate_subject(session, firm, catalog=catalog, today=today)
    assert ours is not None
    assert ours.grade == "B"
    make_record(session, firm, info_class="sector_grade", decision_date=date(2026, 4, 10),
                data={"sector": "tax_credit", "grade": "D", "grading_year": "2025"},
                valid_until=date(2027, 4, 9), authority_name="示范区税务局")  # fmt: skip

    def classes(sector: str) -> dict[int, str]:
        plan = inspections.create_plan(
            session, code=f"2026-{sector}", title="抽查", provider=dept, sector=sector,
            region_code=REGION, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31),
            seed="s", actor=officer, catalog=catalog, today=today,
        )  # fmt: skip
        return {int(sid): cls for sid, cls in DrawInputs.from_json(plan.inputs).population}

    assert classes("tax")[firm.id] == "D"  # the tax grade decides (sector_first)
    assert classes("market_regulation")[firm.id] == "B"  # ours
