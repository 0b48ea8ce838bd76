"""Related parties (关联关系): organisations linked to a subject through registration data.

Owns: the queries over the stored links (`related_parties` rows written by registry_data.py) —
the related organisations of a subject with whether any is on a list in force (the portal), and
the two-step graph around a subject (admin). Persons appear by name and masked ID number only.
Does not: write links (registry_data.py) or decide list validity (lists).

Links: A's investor is organisation B (B → A); A invests in B (A → B); A and B share a person
(the same ID number as legal representative or investor of both). PostgreSQL and SQLite both
answer with two indexed lookups per step (`related_parties.subject_id`, `.party_code`); see
docs/dev/scale.md for 10⁸ links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, identifiers, lists, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import RelatedParty, Subject
from xinyong.enums import Role
from xinyong.registry_data import INVESTOR, LEGAL_REP, ORGANISATION, PERSON

ROLE_LABELS = {LEGAL_REP: "法定代表人", INVESTOR: "投资人"}
MAX_RELATED = 200  # a page shows at most this many related organisations


@dataclass(slots=True)
class RelatedOrganisation:
    """One organisation related to the subject, how, and its lists in force today."""

    subject: dict[str, Any]  # subjects.public_view
    how: list[str] = field(default_factory=list)  # Chinese, e.g. "投资人（出资 40%）"
    lists_in_force: list[dict[str, Any]] = field(default_factory=list)  # punishment lists only

    @property
    def listed(self) -> bool:
        return bool(self.lists_in_force)

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "how": self.how,
            "listed": self.listed,
            "lists_in_force": self.lists_in_force,
        }


def parties_of(session: Session, subject_ids: Iterable[int]) -> list[RelatedParty]:
    ids = list(set(subject_ids))
    if not ids:
        return []
    stmt = select(RelatedParty).where(RelatedParty.subject_id.in_(ids)).order_by(RelatedParty.id)
    return list(session.execute(stmt).scalars())


def naming(session: Session, codes: Iterable[str]) -> list[RelatedParty]:
    """Links whose party is one of these codes (the subjects they invest in or represent)."""
    wanted = list(set(codes))
    if not wanted:
        return []
    stmt = select(RelatedParty).where(RelatedParty.party_code.in_(wanted)).order_by(RelatedParty.id)
    return list(session.execute(stmt).scalars())


def _share(link: RelatedParty) -> str:
    return f"（出资 {link.share}）" if link.share else ""


def person_label(link: RelatedParty) -> str:
    """A person on any surface: name and masked ID number, never the full number."""
    code = f" {identifiers.mask_code(link.party_code)}" if link.party_code else ""
    return f"{link.party_name}{code}"


def related_organisations(
    session: Session, subject: Subject, *, catalog: Catalog, today: date
) -> list[RelatedOrganisation]:
    """Organisations linked to `subject` by registration data, each with the lists it is on
    (in force and published today; 守信激励 lists are not counted)."""
    own = parties_of(session, [subject.id])
    reasons: dict[str, list[str]] = {}

    def add(code: str | None, text: str) -> None:
        if code and code != subject.code and text not in reasons.setdefault(code, []):
            reasons[code].append(text)

    for link in own:
        if link.party_kind == ORGANISATION:
            add(link.party_code, f"本主体的{ROLE_LABELS[link.role]}{_share(link)}")
    incoming = naming(session, [subject.code])
    owners = {link.subject_id: link for link in incoming}
    persons = {
        link.party_code: link for link in own if link.party_kind == PERSON and link.party_code
    }
    shared = [link for link in naming(session, persons) if link.subject_id != subject.id]
    linked = {*owners, *(link.subject_id for link in shared)}
    by_id = {s.id: s for s in subjects.by_ids(session, linked)}
    for sid, link in owners.items():
        if sid in by_id:
            held = f"本主体对其投资{_share(link)}" if link.role == INVESTOR else ""
            add(by_id[sid].code, held or "本主体任其法定代表人")
    for link in shared:
        if link.subject_id in by_id and link.party_code is not None:
            mine = persons[link.party_code]
            add(
                by_id[link.subject_id].code,
                f"同一自然人 {person_label(mine)}：在本主体任{ROLE_LABELS[mine.role]}，"
                f"在该主体任{ROLE_LABELS[link.role]}",
            )
    found = {s.code: s for s in _by_codes(session, list(reasons)[:MAX_RELATED])}
    out = []
    for code, how in reasons.items():
        org = found.get(code)
        if org is None or org.kind == "person":
            continue
        entries = lists.public_entries(session, org.id, catalog=catalog, today=today)
        listed = [e for e in entries if e["kind"] != "red"]
        out.append(RelatedOrganisation(subjects.public_view(org), how, listed))
    out.sort(key=lambda r: (not r.listed, r.subject["name"]))
    return out


def _by_codes(session: Session, codes: list[str]) -> list[Subject]:
    if not codes:
        return []
    return list(session.execute(select(Subject).where(Subject.code.in_(codes))).scalars())


# ---- two-step graph (admin) ---------------------------------------------------------------------


GRAPH_ROLES = (Role.ADMIN, Role.OFFICER)


def graph(session: Session, subject: Subject, *, actor: Actor, steps: int = 2) -> dict[str, Any]:
    """Nodes and edges within `steps` of the subject over the stored links (officers only; the
    query is logged).

    Nodes: organisations by their subject ref (or USCC if not registered here), persons by a
    masked label. Edges: (party → subject, role, share). Each step is two indexed queries.
    """
    auth.require_role(actor, *GRAPH_ROLES)
    audit.log_query(session, actor, subject.id, purpose="关联关系图谱", surface="admin",
                    detail={"steps": steps})  # fmt: skip
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    frontier_subjects, frontier_codes = {subject.id}, {subject.code}
    seen_subjects: set[int] = set()
    seen_codes: set[str] = set()
    _subject_node(nodes, subject, depth=0)
    for depth in range(1, steps + 1):
        links = parties_of(session, frontier_subjects - seen_subjects)
        links += naming(session, frontier_codes - seen_codes)
        seen_subjects |= frontier_subjects
        seen_codes |= frontier_codes
        wanted = {link.subject_id for link in links}
        known = {s.id: s for s in subjects.by_ids(session, wanted)}
        next_subjects: set[int] = set()
        next_codes: set[str] = set()
        for link in links:
            target = known.get(link.subject_id)
            if target is None:
                continue
            target_key = _subject_node(nodes, target, depth=depth)
            party_key = _party_node(nodes, link, depth=depth)
            edge = (party_key, target_key, link.role)
            role = ROLE_LABELS[link.role]
            edges.setdefault(
                edge, {"source": party_key, "target": target_key, "role": role, "share": link.share}
            )
            next_subjects.add(target.id)
            if link.party_code:
                next_codes.add(link.party_code)
        orgs = _by_codes(session, sorted(next_codes - seen_codes))  # investors registered here
        frontier_subjects = next_subjects | {o.id for o in orgs}
        frontier_codes = next_codes | {known[i].code for i in next_subjects if i in known}
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}


def _subject_node(nodes: dict[str, dict[str, Any]], subject: Subject, *, depth: int) -> str:
    view = subjects.public_view(subject)
    key = f"s:{view['ref']}"
    if key not in nodes:
        nodes[key] = {"id": key, "name": view["name"], "kind": "organisation", "depth": depth,
                      "ref": view["ref"], "status_label": view["status_label"]}  # fmt: skip
    return key


def _party_node(nodes: dict[str, dict[str, Any]], link: RelatedParty, *, depth: int) -> str:
    if link.party_kind == PERSON:
        key = f"p:{identifiers.mask_code(link.party_code or '')}:{link.party_name}"
        label, kind = person_label(link), PERSON
    else:
        key = f"s:{link.party_code}" if link.party_code else f"n:{link.party_name}"
        label, kind = link.party_name, ORGANISATION
    nodes.setdefault(key, {"id": key, "name": label, "kind": kind, "depth": depth,
                           "ref": link.party_code if kind == ORGANISATION else None})  # fmt: skip
    return key
