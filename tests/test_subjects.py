"""Subject registry: identifiers decide, names never do; public view masks ID numbers."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import TODAY, make_subject
from xinyong import demo, subjects
from xinyong.audit import Actor
from xinyong.enums import SubjectKind
from xinyong.errors import Conflict, InvalidInput
from xinyong.subjects import NewSubject


def test_register_validates_the_code(session: Session, operator: Actor) -> None:
    with pytest.raises(InvalidInput):
        subjects.register(
            session,
            NewSubject(
                code="914403001922038217", name="华为技术有限公司", kind=SubjectKind.ENTERPRISE
            ),
            actor=operator,
            today=TODAY,
        )


def test_register_twice_is_a_conflict(session: Session, operator: Actor) -> None:
    new = NewSubject(
        code="914403001922038216", name="华为技术有限公司", kind=SubjectKind.ENTERPRISE
    )
    subjects.register(session, new, actor=operator, today=TODAY)
    with pytest.raises(Conflict):
        subjects.register(session, new, actor=operator, today=TODAY)


def test_person_must_use_an_id_number(session: Session, operator: Actor) -> None:
    with pytest.raises(InvalidInput, match="身份证"):
        subjects.register(
            session,
            NewSubject(code="914403001922038216", name="张三", kind=SubjectKind.PERSON),
            actor=operator,
            today=TODAY,
        )


def test_find_by_code_normalises_full_width(session: Session) -> None:
    subject = make_subject(session)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in subject.code)
    assert subjects.find_by_code(session, wide) == subject


def test_search_by_name_former_name_and_code(session: Session, operator: Actor) -> None:
    subjects.register(
        session,
        NewSubject(
            code="91330100716105852F",
            name="阿里巴巴（中国）有限公司",
            kind=SubjectKind.ENTERPRISE,
            former_names=("阿里巴巴网络技术公司",),
        ),
        actor=operator,
        today=TODAY,
    )
    assert [s.code for s in subjects.search(session, "阿里")] == ["91330100716105852F"]
    assert [s.code for s in subjects.search(session, "网络技术")] == ["91330100716105852F"]
    assert [s.code for s in subjects.search(session, "91330100716105852f")] == [
        "91330100716105852F"
    ]


def test_public_view_masks_person_id_number(session: Session) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="王五")
    view = subjects.public_view(person)
    assert view["code"] != person.code
    assert "********" in view["code"]


def test_demo_generator_is_deterministic_and_valid() -> None:
    first = demo.generate_subjects(300, seed=1)
    again = demo.generate_subjects(300, seed=1)
    assert first == again
    assert {s.kind for s in first} == set(SubjectKind)
    assert len({s.code for s in first}) == 300
    for s in first:
        subjects.checked_code(s.code, s.kind, today=TODAY)


def test_unverified_codes_register_as_register_many_would(
    session: Session, operator: Actor
) -> None:
    """Collection's bulk registration (register_unverified: one COPY of a Polars-written CSV on
    PostgreSQL) stores every column as register_many(validated=True) does."""
    import random  # noqa: PLC0415

    from sqlalchemy import select  # noqa: PLC0415

    from xinyong.db.tables import Subject  # noqa: PLC0415

    rng = random.Random(17)
    firm = [demo.make_uscc(rng, "9", "1") for _ in range(2)]
    person = [demo.make_id_number(rng) for _ in range(2)]
    kinds = [SubjectKind.ENTERPRISE.value] * 2 + [SubjectKind.PERSON.value] * 2
    names = [" 甲公司 ", 'q"uote, 乙', "张三", "李四"]
    reason = "归集批次 1 中出现的新主体（未核验）"
    added = subjects.register_unverified(session, firm[:1] + person[:1], names[::2], kinds[::2],
                                         actor=operator, today=TODAY, reason=reason)  # fmt: skip
    later = zip(firm[1:] + person[1:], names[1::2], kinds[1::2], strict=True)
    expected = [NewSubject(code=c, name=n, kind=SubjectKind(k), verified=False)
                for c, n, k in later]  # fmt: skip
    assert added == 2
    subjects.register_many(session, expected, actor=operator, today=TODAY, reason=reason,
                           validated=True)  # fmt: skip
    session.flush()
    wanted = [*firm, *person]
    rows = session.execute(select(Subject).where(Subject.code.in_(wanted))).scalars().all()
    by_code = {s.code: s for s in rows}
    skip = {"id", "code", "name", "kind", "public_token", "created_at", "updated_at"}
    columns = [c.key for c in Subject.__table__.columns if c.key not in skip]
    for copied, inserted in ((firm[0], firm[1]), (person[0], person[1])):
        a, b = by_code[copied], by_code[inserted]
        assert {c: getattr(a, c) for c in columns} == {c: getattr(b, c) for c in columns}
        assert (a.public_token is None) == (b.public_token is None)
    assert by_code[firm[0]].name == "甲公司"
    assert by_code[person[0]].public_token is not None
    assert by_code[firm[0]].former_names == []
    assert by_code[firm[0]].verified is False
