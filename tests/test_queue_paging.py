"""The work queue read one page at a time in the query (`workqueue.queue_page`): walked page by
page it is the former whole queue (the owners' open lists sorted by deadline, kind, number),
kinds filter with paging, and a department's officer never sees another department's items."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_record, make_subject
from tests.factories.workflows import PDF, make_enterprise, make_officer, make_user
from xinyong import (
    auth,
    commitments,
    interviews,
    objections,
    registrations,
    repair,
    workqueue,
)
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db import keyset
from xinyong.db.tables import Interview, Objection, Provider, VoluntaryRegistration
from xinyong.enums import Role

PER_PAGE = 2


def former_queue(session: Session, actor: Actor, today: date) -> list[tuple[str, int]]:
    """The queue as it was gathered before it paged in the query: each owner's open list of the
    actor's department, sorted in memory by (no deadline last, deadline, kind, number)."""
    scope = auth.department_scope(actor)
    items = [("repair_acceptance" if a.status == "submitted" else "repair_decision", a.id,
              repair.due_date(a)) for a in repair.list_open(session, scope)]  # fmt: skip
    items += [("objection_answer", o.id, o.answer_due)
              for o in objections.list_open(session, scope)]  # fmt: skip
    items += [("interview_follow_up", i.id, i.follow_up_on)
              for i in interviews.list_follow_ups_due(session, scope)]  # fmt: skip
    items += [("commitment_verification", c.id, c.valid_until)
              for c in commitments.list_unverified(session, scope)]  # fmt: skip
    items += [("registration_verification", r.id, None)
              for r in registrations.list_unverified(session, scope)]  # fmt: skip
    items.sort(key=lambda i: (i[2] is None, i[2] or today, i[0], i[1]))
    return [(k, n) for k, n, _ in items]


def walk(
    session: Session, actor: Actor, today: date, kind: str | None = None
) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    after = None
    while True:
        page = workqueue.queue_page(session, today=today, actor=actor, kind=kind, after=after,
                                    per_page=PER_PAGE)  # fmt: skip
        seen += [(i.kind, i.target_id) for i in page.items]
        if page.next_key is None:
            return seen
        assert len(page.items) == PER_PAGE
        after = keyset.decode(keyset.encode(page.next_key), workqueue.KEY_KINDS)


@pytest.fixture
def departments(
    session: Session, catalog: Catalog, calendar: Calendar, tmp_path: Path, today: date
) -> tuple[Provider, Provider]:
    """Two departments with items of every kind, deadlines tied across kinds and departments."""
    own, other = make_provider(session), make_provider(session, kind="tax")
    subject = make_subject(session)
    day = date(2026, 12, 1)
    for n, provider in enumerate((own, other, own, own, other, own)):
        record = make_record(session, subject)
        session.add(Objection(record_id=record.id, subject_id=subject.id, grounds=f"异议{n}",
                              filed_on=today, answer_due=day + timedelta(days=n % 3),
                              provider_id=provider.id))  # fmt: skip
        session.add(Interview(subject_id=subject.id, provider_id=provider.id, held_on=today,
                              participants="甲", reason=f"约谈{n}", agreed="整改",
                              follow_up_on=day + timedelta(days=n % 2),
                              recorded_by="test"))  # fmt: skip
        session.add(VoluntaryRegistration(subject_id=subject.id, kind="certificate",
                                          title=f"注册{n}", detail="-", truth_commitment="-",
                                          submitted_on=today, provider_id=provider.id))  # fmt: skip
    enterprise = make_enterprise(session, subject)
    for provider in (own, other):
        penalty = make_record(session, subject, provider_id=provider.id)
        commitments.apply_for_repair(
            session, penalty,
            repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
            actor=enterprise, today=today, catalog=catalog, calendar=calendar,
            data_dir=tmp_path, region_code="990100", commitment_affirmed=True,
        )  # fmt: skip
    session.flush()
    return own, other


def test_walking_the_queue_shows_every_item_once_in_the_former_order(
    session: Session, today: date, departments: tuple[Provider, Provider]
) -> None:
    own, other = departments
    admin, _ = make_user(session, Role.ADMIN)
    for actor in (make_officer(session, own), make_officer(session, other), admin):
        expected = former_queue(session, actor, today)
        assert len(expected) > 3 * PER_PAGE
        assert walk(session, actor, today) == expected
        for kind in workqueue.KIND_LABELS:
            assert walk(session, actor, today, kind) == [i for i in expected if i[0] == kind]


def test_an_officer_never_sees_another_departments_items(
    session: Session, today: date, departments: tuple[Provider, Provider]
) -> None:
    own, other = departments
    mine, theirs = make_officer(session, own), make_officer(session, other)
    office, _ = make_user(session, Role.OFFICER)  # the credit office's own officer
    # an officer-role API key of no department that is not the credit office's own
    homeless = Actor("api_client", 10_001, "接口:无部门", Role.OFFICER, None)
    for actor, provider in ((mine, own), (theirs, other)):
        items = walk(session, actor, today)
        found = {(i.kind, i.target_id): i for i in workqueue.work_queue(
            session, today=today, actor=actor)}  # fmt: skip
        assert set(found) == set(items)
        assert {i.provider_id for i in found.values()} == {provider.id}
        page = workqueue.queue_page(session, today=today, actor=actor)
        assert page.total.n == len(items)
        assert sum(c.n for c in page.counts.values()) == len(items)
    assert walk(session, homeless, today) == []
    everyone = walk(session, office, today)  # the credit office sees every department's
    assert set(walk(session, mine, today)) | set(walk(session, theirs, today)) <= set(everyone)


def test_the_previous_page_and_a_typed_page_number(
    session: Session, today: date, departments: tuple[Provider, Provider]
) -> None:
    actor = make_officer(session, departments[0])
    pages, after = [], None
    while True:
        page = workqueue.queue_page(session, today=today, actor=actor, after=after,
                                    per_page=PER_PAGE)  # fmt: skip
        pages.append(page)
        if page.next_key is None:
            break
        after = page.next_key
    for earlier, later in itertools.pairwise(pages):
        back = workqueue.queue_page(session, today=today, actor=actor, before=later.first_key,
                                    per_page=PER_PAGE)  # fmt: skip
        assert back.items == earlier.items
    typed = workqueue.queue_page(session, today=today, actor=actor, page=3, per_page=PER_PAGE)
    assert typed.items == pages[2].items
