"""Subject search: the same answers on SQLite (FTS5 + scan) and PostgreSQL (pg_trgm + bigram GIN).

A keyword matches when it is a substring of the name or a former name; results are ranked shortest
name first. Run with --db=sqlite and --db=postgresql.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_subject
from xinyong import subjects
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind

NAMES = {
    "a": ("搜测甲乙丙科技有限公司", []),
    "b": ("搜测甲乙贸易有限公司", ["搜测旧名丁戊公司"]),
    "c": ("搜测丙丁餐饮管理有限公司", []),
    "d": ("搜测ABC_50%实业有限公司", []),
}


@pytest.fixture
def named(session: Session) -> dict[str, Subject]:
    return {
        key: make_subject(session, name=name, former_names=former)
        for key, (name, former) in NAMES.items()
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("甲乙", ["b", "a"]),  # 2 characters, shortest name first
        ("甲乙丙", ["a"]),  # 3 characters
        ("乙丙科技", ["a"]),  # 4 characters
        ("丁戊", ["b"]),  # 2 characters of a former name only
        ("旧名丁戊", ["b"]),  # former name, 4 characters
        ("餐", ["c"]),  # 1 character
        ("丙", ["a", "c"]),
        ("_50%", ["d"]),  # LIKE wildcards are literal
        ("abc", []),  # case-sensitive, like PostgreSQL LIKE
        ("有限公司搜测", []),  # no match across two names
        ("  甲乙丙 ", ["a"]),  # surrounding whitespace is ignored
    ],
)
def test_keyword_is_a_substring_of_name_or_former_name(
    session: Session, named: dict[str, Subject], q: str, expected: list[str]
) -> None:
    found = [s for s in subjects.search(session, q) if s.name.startswith("搜测")]
    by_id = {s.id: key for key, s in named.items()}
    assert [by_id[s.id] for s in found] == expected


def test_search_sees_renames_and_new_subjects_immediately(session: Session) -> None:
    subject = make_subject(session, name="搜测庚辛有限公司")
    subject.name = "搜测壬癸有限公司"
    session.flush()
    assert subjects.search(session, "庚辛") == []
    assert subjects.search(session, "壬癸") == [subject]
    assert subjects.search(session, "壬癸有限") == [subject]


def test_code_is_an_exact_lookup(session: Session) -> None:
    subject = make_subject(session)
    person = make_subject(session, kind=SubjectKind.PERSON, name="孙八")
    assert subjects.search(session, subject.code) == [subject]
    assert subjects.search(session, subject.code.lower()) == [subject]
    assert subjects.search(session, person.code) == []  # a bare ID number lists no person
    assert subjects.search(session, f"孙八 {person.code}") == [person]
    assert subjects.search(session, f"{person.code} 孙八") == [person]
    assert subjects.search(session, f"孙 {person.code}") == []
    assert subjects.search(session, subject.code[:10]) == []
