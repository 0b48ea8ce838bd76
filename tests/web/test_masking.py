"""No unmasked ID number on any public page or API response of the demo data.

The demo region is loaded, then records are written for persons (penalties with the ID number in
the id fields and in free text), individual businesses and companies. Every public page and API
response is walked and searched for an ID-number-shaped token that is a valid ID number.
"""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_record
from xinyong import demo, identifiers, subjects
from xinyong.audit import Actor
from xinyong.db.tables import Subject
from xinyong.enums import SubjectKind

ID_TOKEN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _unmasked(text: str, person_codes: set[str]) -> list[str]:
    found = [code for code in person_codes if code in text]
    found += [
        token
        for token in ID_TOKEN.findall(text)
        if identifiers.is_valid_id_number(token) and not identifiers.is_valid_uscc(token)
    ]
    return found


def _records(session: Session, subjects: list[Subject]) -> None:
    for n, subject in enumerate(subjects):
        person = subject.kind == SubjectKind.PERSON.value
        category = "自然人" if person else "法人及非法人组织"
        data = {
            "decision_number": f"示罚〔2026〕{900 + n}号",
            "subject_category": category,
            "penalty_kinds": ["罚款"],
            "fine_amount": "2",
            "violation_type": f"违法行为（当事人证件号{subject.code}）",
            "facts": f"经查，当事人{subject.name}（{subject.code}）无照经营",
            "subject_id_number": subject.code if person else "",
            "legal_rep_id_number": subject.code,
        }
        make_record(session, subject, decision_date=date(2026, 8, 1), data=data)
        licence = {
            "decision_number": f"示许〔2026〕{900 + n}号",
            "title": f"许可（{subject.code}）",
            "valid_until": "2030-01-01",
            "subject_id_number": subject.code,
        }
        make_record(session, subject, info_class="licence", decision_date=date(2026, 1, 5),
                    data=licence)  # fmt: skip


def test_no_public_surface_shows_an_unmasked_id_number(
    client: TestClient, session: Session, today: date
) -> None:
    demo.load(session, count=60, actor=Actor.system("测试"), today=today)
    everyone = list(session.execute(select(Subject)).scalars())
    persons = [s for s in everyone if s.code_kind == "id_number"]
    assert persons, "the demo region must contain natural persons"
    chosen = persons[:8] + [s for s in everyone if s.code_kind == "uscc"][:8]
    _records(session, chosen)
    person_codes = {s.code for s in persons}
    urls = ["/", "/disclosures/penalty", "/disclosures/licence", "/disclosures/penalty?page=2"]
    hidden = set()  # a person with nothing public has no page (the demo gives some a record)
    for s in everyone:
        ref = subjects.public_ref(s)
        pages = [f"/subjects/{ref}", f"/subjects/{ref}/card", f"/api/v1/subjects/{ref}"]
        urls += pages
        if s.kind == SubjectKind.PERSON.value and s not in chosen:
            hidden.update(pages)
        urls += [f"/search?q={s.name[:2]}", f"/api/v1/subjects?q={s.name[-3:]}"]
    for s in persons:
        urls += [f"/search?q={s.code}", f"/api/v1/subjects?q={s.code}"]
        urls += [f"/search?q={s.name} {s.code}", f"/api/v1/subjects?q={s.name} {s.code}"]
    leaks = {}
    for url in dict.fromkeys(urls):
        response = client.get(url)
        assert response.status_code in ((200, 404) if url in hidden else (200,)), url
        if bad := _unmasked(response.text, person_codes):
            leaks[url] = bad
    assert leaks == {}
