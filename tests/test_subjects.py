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
