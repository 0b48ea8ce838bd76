"""Registration data (登记注册信息) through the collection path: subjects become verified, keep
their former names searchable, keep their archive when 注销, and gain related parties."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from tests.factories.registration import (
    REG_HEADERS,
    SERIOUS_HEADERS,
    csv_bytes,
    reg_row,
    serious_row,
)
from xinyong import (
    archive,
    collection,
    demo,
    identifiers,
    registry_data,
    related_parties,
    subjects,
)
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.db.tables import Provider, RelatedParty


def _collect(
    session: Session, info_class: str, provider: Provider, data: bytes, **kw: object
) -> collection.BatchReport:
    sub = Submission(info_class, provider.uscc, data=data, file_name=f"{info_class}.csv")
    return collection.collect(session, sub, **kw)  # type: ignore[arg-type]


def test_registration_rows_verify_a_subject_known_only_from_records(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    row = penalty_rows(1, seed=41)[0]
    code, old_name = row[2], row[0]
    _collect(session, "penalty", provider, to_csv([row], HEADERS), **kw)
    subject = subjects.get_by_code(session, code)
    assert (subject.verified,) == (False,)  # known only from a penalty record: "unverified"
    rng = random.Random(5)
    rep_id, investor_id = demo.make_id_number(rng), demo.make_id_number(rng)
    parent = demo.make_uscc(rng, "9", "1")
    investors = f"钱七|{investor_id}|60%;示范控股有限公司|{parent}|40%"
    new_row = reg_row(
        "示范新名称有限公司", code, rep="孙八", rep_id=rep_id, investors=investors,
        former="示范更早名称有限公司",
    )  # fmt: skip
    data = csv_bytes(REG_HEADERS, [new_row])
    report = _collect(session, "registration", provider, data, **kw)
    assert (report.accepted, report.rejected, report.new) == (1, 0, 1)
    session.refresh(subject)
    assert subject.verified is True
    assert subject.name == "示范新名称有限公司"
    assert subject.legal_rep == "孙八"
    # fields the lean record keeps in columns (authority, approval date) still reach the subject
    assert (subject.registration_authority, subject.registered_on) == (
        "示范区市场监督管理局",
        date(2026, 10, 8),
    )
    assert set(subject.former_names) == {old_name, "示范更早名称有限公司"}
    parties = session.execute(
        select(RelatedParty).where(RelatedParty.subject_id == subject.id).order_by(RelatedParty.id)
    ).scalars()
    assert [(p.role, p.party_kind, p.party_name, p.party_code, p.share) for p in parties] == [
        ("legal_rep", "person", "孙八", rep_id, None),
        ("investor", "person", "钱七", investor_id, "60%"),
        ("investor", "organisation", "示范控股有限公司", parent, "40%"),
    ]
    # the old name still finds the subject; so does the new one
    assert subject.id in {s.id for s in subjects.search(session, old_name)}
    assert subject.id in {s.id for s in subjects.search(session, "示范新名称")}
    # the same file again changes nothing
    again = _collect(session, "registration", provider, data, **kw)
    assert again.batch_id == report.batch_id
    assert (
        session.execute(select(RelatedParty).where(RelatedParty.subject_id == subject.id))
        .all()
        .__len__()
        == 3
    )


def test_a_cancelled_subject_keeps_its_archive_and_a_new_code_is_registered_verified(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    row = penalty_rows(1, seed=42)[0]
    _collect(session, "penalty", provider, to_csv([row], HEADERS), **kw)
    fresh = demo.make_uscc(random.Random(9), "9", "1")
    data = csv_bytes(REG_HEADERS, [
        reg_row(row[0], row[2], status="注销", cancelled="2026-09-30"),
        reg_row("示范全新有限公司", fresh, rep="周九"),
    ])  # fmt: skip
    report = _collect(session, "registration", provider, data, **kw)
    assert (report.accepted, report.rejected) == (2, 0)
    gone = subjects.get_by_code(session, row[2])
    assert (gone.status, gone.cancelled_on) == ("cancelled", date(2026, 9, 30))
    assert [r.info_class for r in archive.current_records(session, gone.id)].count("penalty") == 1
    new = subjects.get_by_code(session, fresh)
    assert (new.verified, new.name, new.legal_rep) == (True, "示范全新有限公司", "周九")


def test_investor_entries_are_parsed_by_their_number() -> None:
    person = demo.make_id_number(random.Random(3))
    parties = registry_data.parse_investors(f"甲|{person}|30%；乙公司|BAD|70%;丙")
    assert [(p.kind, p.code, p.share, p.note is None) for p in parties] == [
        ("person", person, "30%", True),
        ("organisation", None, "70%", False),
        ("organisation", None, None, False),
    ]


def test_a_related_organisation_on_a_list_in_force_is_shown_with_the_list(
    session: Session,
    provider: Provider,
    catalog: Catalog,
    calendar: Calendar,
    today: date,
    operator: Actor,
) -> None:
    kw = {"catalog": catalog, "calendar": calendar, "today": today, "actor": operator}
    rng = random.Random(77)
    child, parent, sister = (demo.make_uscc(rng, "9", "1") for _ in range(3))
    person = demo.make_id_number(rng)
    rows = [
        reg_row("示范子公司", child, rep="吴十", rep_id=person,
                investors=f"示范母公司|{parent}|40%;吴十|{person}|60%"),
        reg_row("示范母公司", parent, rep="郑一"),
        reg_row("示范姊妹公司", sister, rep="吴十", rep_id=person),
    ]  # fmt: skip
    _collect(session, "registration", provider, csv_bytes(REG_HEADERS, rows), **kw)
    serious = [serious_row("示范母公司", parent, provider.name, provider.uscc, date(2026, 6, 1))]
    report = _collect(session, "serious_list", provider, csv_bytes(SERIOUS_HEADERS, serious), **kw)
    assert (report.accepted, report.rejected) == (1, 0)
    subject = subjects.get_by_code(session, child)
    related = related_parties.related_organisations(session, subject, catalog=catalog, today=today)
    by_code = {r.subject["code"]: r for r in related}
    assert set(by_code) == {parent, sister}
    assert by_code[parent].listed
    assert not by_code[sister].listed
    assert by_code[parent].how == ["本主体的投资人（出资 40%）"]
    assert by_code[parent].lists_in_force[0]["list_title"] == "拖欠农民工工资失信联合惩戒对象名单"
    assert person not in " ".join(by_code[sister].how)  # the ID number only masked
    assert identifiers.mask_code(person) in " ".join(by_code[sister].how)
    # the parent sees the child as the firm it invests in
    mother = subjects.get_by_code(session, parent)
    back = related_parties.related_organisations(session, mother, catalog=catalog, today=today)
    assert [(r.subject["code"], r.how) for r in back] == [(child, ["本主体对其投资（出资 40%）"])]
    # two steps in the admin graph: child → person → sister; child ← parent
    graph = related_parties.graph(session, subject, actor=operator)
    names = {n["name"] for n in graph["nodes"]}
    assert {"示范子公司", "示范母公司", "示范姊妹公司"} <= names
    assert f"吴十 {identifiers.mask_code(person)}" in names
    assert not any(person in str(n) for n in graph["nodes"])
