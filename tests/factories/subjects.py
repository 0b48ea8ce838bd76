"""Builders for subjects and providers.

Anything with a procedure is reached through its real actions, never built here.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from xinyong import demo, providers, subjects
from xinyong.audit import Actor
from xinyong.db.tables import Provider, Subject
from xinyong.enums import SubjectKind
from xinyong.subjects import NewSubject

_rng = random.Random(7)
SYSTEM = Actor.system("测试")
TODAY = date(2026, 11, 23)


def make_subject(
    session: Session,
    *,
    kind: SubjectKind = SubjectKind.ENTERPRISE,
    name: str | None = None,
    **over: object,
) -> Subject:
    if kind == SubjectKind.PERSON:
        code = demo.make_id_number(_rng)
    else:
        authority, category = {
            SubjectKind.ENTERPRISE: ("9", "1"),
            SubjectKind.INDIVIDUAL_BUSINESS: ("9", "2"),
            SubjectKind.PUBLIC_INSTITUTION: ("1", "2"),
            SubjectKind.SOCIAL_ORG: ("5", "1"),
            SubjectKind.GOVERNMENT: ("1", "1"),
        }[kind]
        code = demo.make_uscc(_rng, authority, category)
    new = NewSubject(code=code, name=name or f"测试主体{_rng.randrange(10**6)}有限公司", kind=kind)
    subject = subjects.register(session, new, actor=SYSTEM, today=TODAY)
    for key, value in over.items():
        setattr(subject, key, value)
    session.flush()
    return subject


def make_provider(
    session: Session, *, name: str = "测试市场监督管理局", kind: str = "market_regulation"
) -> Provider:
    code = demo.make_uscc(_rng, "1", "1")
    return providers.add(session, code, name, kind=kind, actor=SYSTEM)
