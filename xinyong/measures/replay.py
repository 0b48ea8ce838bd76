"""The slim joint-check log and its reproduction.

A check's log row keeps what reproduces its answer, not the answer's text: the catalog version,
the day checked, the ids of the list entries and records that hit, the evaluation result behind
the grade, the measures returned (feedback is checked against them) and the SHA-256 of the
answer's canonical JSON (`archive.canonical_json`). Both paths (sync `joint_check`, PostgreSQL
`fast`) log through `log_fields`, so their rows have the same shape.

`replay_check` rebuilds an answer from a log row with the same pure rules (`rules.answer`) as of the
logged day, under the catalog version the row names (its files' texts are kept in
`catalog_versions`, `catalog.stored_catalog`), and says whether its digest matches. Rows logged
before the slim log carry the whole answer: their inputs are read from it and the digest is that
of the stored answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from xinyong import archive, audit, auth, clock, lists
from xinyong import catalog as catalogs
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.db.tables import Check, EvaluationResult, ListEntry, Record, Subject
from xinyong.enums import Role
from xinyong.evaluation import sector_grades, supervision
from xinyong.lists import EntryFacts
from xinyong.measures import rules
from xinyong.measures.feedback import CheckNotFound
from xinyong.measures.rules import CheckAnswer, SubjectFacts

REPLAYERS = (Role.AUDITOR, Role.ADMIN)
PURPOSE = "核查日志复核（按日志重算答复）"
MAX_ROW_DIGITS = 18  # a row number (bigint); anything longer is a check id


def answer_digest(answer: dict[str, Any]) -> str:
    """SHA-256 (hex) of an answer's canonical JSON (keys sorted, dates as ISO text); an answer's
    keys are all text (`CheckAnswer.as_dict`)."""
    return archive.hash_canonical(archive.canonical_json(answer, text_keys=True))


def log_basis(
    ans: CheckAnswer,
    grade: supervision.GradeRow | None,
    graded: Sequence[sector_grades.SectorGradeRow] = (),
) -> dict[str, Any]:
    """The ids an answer rests on: platform list entries, imported records, the grade result,
    the sector-grade records read, and measure id → mandatory for every measure returned. Empty
    parts are left out."""
    basis: dict[str, Any] = {}
    entries = [h.hit.source_id for h in ans.hits if h.hit.source == "platform"]
    records = [h.hit.source_id for h in ans.hits if h.hit.source != "platform"]
    measures = {m.measure_id: m.mandatory for h in ans.hits for m in h.measures}
    measures.update((m.measure_id, False) for m in ans.incentives)
    if entries:
        basis["entries"] = entries
    if records:
        basis["records"] = records
    if grade is not None and grade.result_id is not None:
        basis["grade_result"] = grade.result_id
    sector = [r.record_id for r in graded if r.record_id is not None]
    if sector:
        basis["sector_grades"] = sector
    if measures:
        basis["measures"] = measures
    return basis


def log_fields(
    ans: CheckAnswer,
    actor: Actor,
    grade: supervision.GradeRow | None,
    graded: Sequence[sector_grades.SectorGradeRow] = (),
) -> dict[str, Any]:
    """The durable log row of one check (both paths)."""
    shown = ans.as_dict()
    return {
        "check_id": ans.check_id,
        "at": clock.now(),
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_label": actor.label,
        "subject_id": ans.subject.id if ans.subject else None,
        "matter": ans.matter,
        "hits": sum(1 for h in ans.hits if h.hit.kind != "red"),
        "mandatory": len(ans.mandatory),
        "catalog_version": ans.catalog_version,
        "checked_on": ans.today,
        "code": None if ans.subject else shown["code"],  # masked for persons
        "basis": log_basis(ans, grade, graded),
        "digest": answer_digest(shown),
    }


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a log row says the answer rested on."""

    check_id: str
    subject_id: int | None
    code: str | None
    matter: str
    checked_on: date
    catalog_version: str
    entries: tuple[int, ...]
    records: tuple[int, ...]
    grade_result: int | None
    digest: str
    legacy: bool  # the row carries the whole answer (logged before the slim log)
    sector_grades: tuple[int, ...] = ()  # the sector-grade records the answer read


def inputs_of(session: Session, check: Check) -> Inputs:
    if check.answer is None:
        basis = check.basis or {}
        return Inputs(
            check.check_id, check.subject_id, check.code, check.matter,
            check.checked_on or check.at.date(), check.catalog_version or "",
            tuple(basis.get("entries", ())), tuple(basis.get("records", ())),
            basis.get("grade_result"), check.digest or "", legacy=False,
            sector_grades=tuple(basis.get("sector_grades", ())),
        )  # fmt: skip
    answer = check.answer
    hits = answer.get("hits", [])
    ev = answer.get("evaluation") or None
    return Inputs(
        check.check_id, check.subject_id, answer.get("code"), check.matter,
        date.fromisoformat(answer["checked_on"]), answer.get("catalog_version", ""),
        tuple(h["source_id"] for h in hits if h["source"] == "platform"),
        tuple(h["source_id"] for h in hits if h["source"] != "platform"),
        _legacy_grade(session, check.subject_id, ev), answer_digest(answer), legacy=True,
    )  # fmt: skip


def _legacy_grade(
    session: Session, subject_id: int | None, ev: dict[str, Any] | None
) -> int | None:
    """The evaluation result a legacy answer's grade came from (same model version and day)."""
    if subject_id is None or not ev:
        return None
    stmt = (
        select(EvaluationResult.id)
        .where(
            EvaluationResult.subject_id == subject_id,
            EvaluationResult.model_id == ev.get("model"),
            EvaluationResult.model_version == ev.get("version"),
            EvaluationResult.as_of == date.fromisoformat(ev["as_of"]),
        )
        .order_by(EvaluationResult.id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def _facts(session: Session, inputs: Inputs, catalog: Catalog) -> list[EntryFacts]:
    """The logged entries and records by id (any version: a record's id is one version)."""
    entries = select(ListEntry).where(ListEntry.id.in_(inputs.entries)).order_by(ListEntry.id)
    facts = [lists.facts_of(e) for e in session.scalars(entries)]
    if inputs.records:
        classes = lists.list_entry_classes(catalog)
        rows = session.execute(
            select(
                literal("imported").label("source"), Record.id.label("source_id"),
                Record.subject_id, Record.info_class.label("list_type"), Record.decision_number,
                Record.decision_date.label("decided_on"), Record.valid_until,
                Record.authority_name.label("authority"), Record.status, Record.data,
                Record.natural_key, Record.valid_from, Record.authority_uscc,  # lean: rebuild
            ).where(Record.id.in_(inputs.records)).order_by(Record.id)
        )  # fmt: skip
        for row in rows:
            found = lists.facts_of_row(row, classes)
            if found is not None:
                facts.append(found)
    return facts


def _grade(session: Session, result_id: int | None) -> supervision.GradeRow | None:
    if result_id is None:
        return None
    ev = session.get(EvaluationResult, result_id)
    if ev is None:
        return None
    return supervision.GradeRow(ev.grade, ev.model_id, ev.model_version, ev.as_of, ev.score, ev.id)


def rebuild(session: Session, inputs: Inputs, catalog: Catalog) -> CheckAnswer:
    """The answer the logged inputs give with the pure rules, as of the logged day."""
    subject = None
    code = inputs.code or ""
    if inputs.subject_id is not None:
        row = session.execute(
            select(Subject.id, Subject.code, Subject.code_kind, Subject.name, Subject.kind).where(
                Subject.id == inputs.subject_id
            )
        ).first()
        subject = SubjectFacts(*row) if row is not None else None
        code = subject.code if subject else code
    grade = _grade(session, inputs.grade_result)
    return rules.answer(
        inputs.check_id, code, subject, _facts(session, inputs, catalog), inputs.matter,
        catalog=catalog, today=inputs.checked_on,
        grading=supervision.check_grading(
            grade, inputs.matter, sector_grades.rows_by_id(session, inputs.sector_grades),
            catalog=catalog, today=inputs.checked_on,
        ),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Replay:
    check: Check
    inputs: Inputs
    answer: dict[str, Any]
    digest: str  # of the rebuilt answer
    notes: list[str] = field(default_factory=list)
    catalog_version: str = ""  # the catalog the answer was rebuilt under (short form)
    logged_catalog: bool = True  # rebuilt under the version the log names

    @property
    def matches(self) -> bool:
        return self.digest == self.inputs.digest

    @property
    def verdict(self) -> str:
        return "digest matches" if self.matches else "digest differs"

    @property
    def verdict_title(self) -> str:
        return (
            "摘要一致：重算答复与当时答复相同"
            if self.matches
            else "摘要不一致：重算答复与当时答复不同"
        )


def find_check(session: Session, log_id: str) -> Check:
    """A log row by its check id (32 hex) or its row number."""
    wanted = log_id.strip()
    by_row = wanted.isdigit() and len(wanted) <= MAX_ROW_DIGITS
    stmt = select(Check).where(Check.id == int(wanted) if by_row else Check.check_id == wanted)
    found = session.execute(stmt).scalar_one_or_none()
    if found is None:
        raise CheckNotFound(f"未找到核查日志 {wanted}", details={"log_id": wanted})
    return found


def replay_check(session: Session, log_id: str, *, catalog: Catalog, actor: Actor) -> Replay:
    """Rebuild a logged check's answer under the catalog version it names and compare digests
    (auditors; the read is logged). `catalog` (the one loaded now) serves when the log names it,
    or when the named version's content is not kept (said in the notes)."""
    auth.require_role(actor, *REPLAYERS)
    check = find_check(session, log_id)
    inputs = inputs_of(session, check)
    used, notes = _catalog_for(session, inputs.catalog_version, catalog)
    if inputs.legacy:
        notes.append("该日志写于精简日志之前，保存了完整答复：摘要按保存的答复计算")
    rebuilt = rebuild(session, inputs, used)
    answer = audit.jsonable(rebuilt.as_dict())
    if check.subject_id is not None:
        audit.log_query(session, actor, check.subject_id, purpose=PURPOSE, surface="check_replay",
                        detail={"check_id": check.check_id}, basis="duty")  # fmt: skip
    logged = not inputs.catalog_version or used.short_version == inputs.catalog_version
    return Replay(check, inputs, answer, answer_digest(answer), notes, used.short_version, logged)


def _catalog_for(session: Session, logged: str, current: Catalog) -> tuple[Catalog, list[str]]:
    """The catalog to rebuild under: the logged version (current, or from its stored texts),
    else the current one with a note saying so."""
    if not logged or logged == current.short_version:
        return current, []
    try:
        stored = catalogs.stored_catalog(session, logged)
    except catalogs.CatalogError as exc:
        return current, [f"目录版本 {logged} 保存的内容无法使用（{exc.message}）：按当前加载的版本 "
                         f"{current.short_version} 重算，措施或依据可能不同"]  # fmt: skip
    if stored is None:
        return current, [f"目录版本 {logged} 的内容未保存在平台上：按当前加载的版本 "
                         f"{current.short_version} 重算，措施或依据可能不同"]  # fmt: skip
    return stored, [f"按日志记录的目录版本 {logged} 重算（取自平台保存的该版本目录文件；"
                    f"当前加载的版本为 {current.short_version}）"]  # fmt: skip
