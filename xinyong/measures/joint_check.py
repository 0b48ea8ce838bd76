"""The joint check on the sync path (SQLite, and PostgreSQL when the fast path is off).

Five statements: the subject, its entry facts from both sources (`lists.facts_statement`, the
same query the fast path compiles), its stored grade (`supervision.grade_statement`), its sector
grades (`sector_grades.statement`; both compiled by the fast path too), the log row
(`replay.log_fields`: what reproduces the answer and its digest, not the answer's text).
The log row is written in the caller's transaction; the surface commits before it answers.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong import audit, auth, identifiers, lists
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Check, Subject
from xinyong.enums import Role
from xinyong.evaluation import sector_grades, supervision
from xinyong.measures import replay, rules
from xinyong.measures.rules import CheckAnswer, SubjectFacts

CHECKERS = (Role.SYSTEM, Role.ADMIN, Role.OFFICER)


def prepare(code: str, matter: str, *, catalog: Catalog, actor: Actor, today: date) -> str:
    """Shared preconditions: who may check, a valid code (422 otherwise), a known matter."""
    auth.require_role(actor, *CHECKERS)
    rules.checked_matter(matter, catalog)
    _kind, normalised = identifiers.validate_subject_code(code, today=today)
    return normalised


def answer_json(ans: CheckAnswer) -> str:
    """The answer as JSON text, equal to `json.dumps(audit.jsonable(ans.as_dict()))` but made by
    the C encoder in one pass (dates through `audit.jsonable`)."""
    return json.dumps(ans.as_dict(), ensure_ascii=False, default=audit.jsonable)


def check(
    session: Session, code: str, matter: str, *, catalog: Catalog, actor: Actor, today: date
) -> CheckAnswer:
    """联合奖惩核查: the subject's list hits and the measures for the matter, logged."""
    normalised = prepare(code, matter, catalog=catalog, actor=actor, today=today)
    row = session.execute(
        select(Subject.id, Subject.code, Subject.code_kind, Subject.name, Subject.kind).where(
            Subject.code == normalised
        )
    ).first()
    subject = SubjectFacts(*row) if row is not None else None
    facts = lists.subject_facts(session, subject.id, catalog) if subject else []
    grade = supervision.grade_row(session, subject.id) if subject else None
    graded = sector_grades.rows(session, subject.id) if subject else []
    ans = rules.answer(
        rules.new_check_id(), normalised, subject, facts, matter, catalog=catalog, today=today,
        grading=supervision.check_grading(grade, matter, graded, catalog=catalog, today=today),
    )  # fmt: skip
    session.execute(insert(Check), [replay.log_fields(ans, actor, grade, graded)])
    return ans
