"""What a report says: its sections, counts and domain findings, as facts on the day it is made.

The public report (公共信用信息报告) shows what anyone may see today (disclosure.public_view and
the published lists); the special report (专项信用报告) shows, for each domain asked, every
violation record in the chosen look-back period — repaired ones marked 已修复 — and says
"未发现违法违规记录" for a domain only when nothing was found in the sources the platform holds,
next to a plain statement of the sources 565号 requires that the platform does not hold.
Layout follows rules.md §7.3: header, sections with counts, closing line. No score or grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import archive, commitments, lists, objections, registrations, subjects
from xinyong.catalog import Catalog
from xinyong.db.tables import QueryLogEntry, Record, Subject
from xinyong.disclosure import PUNISHMENT_TAB, public_view
from xinyong.enums import ObjectionStatus, RecordStatus, SubjectKind, SubjectStatus
from xinyong.reports.domains import Domain, ReportDomains, RequiredSource

NOT_YET = "暂无"
CLOSING = "建议秉持诚信理念，合法有序开展经营活动。"
CLEAN = "未发现违法违规记录"
REPAIRED = "已修复"


class ReportKind(StrEnum):
    PUBLIC = "public"
    SPECIAL = "special"

    @property
    def label(self) -> str:
        return {"public": "公共信用信息报告", "special": "专项信用报告"}[self.value]


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered section: a table (columns, rows) or a text, with its count in the header."""

    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    text: str | None = None  # shown instead of rows (e.g. 暂无 with the reason)
    counted: bool = True

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True)
class Finding:
    """One domain of a special report: what was found and the statement made about it."""

    domain: str
    title: str
    violations: int
    repaired: int
    statement: str

    @property
    def clean(self) -> bool:
        return self.violations == 0


@dataclass(frozen=True, slots=True)
class ReportContent:
    number: str
    kind: ReportKind
    issued_at: datetime
    today: date
    valid_until: date
    period_from: date | None
    subject_id: int
    subject_name: str
    subject_code: str
    labels: tuple[str, ...]
    basic: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    findings: tuple[Finding, ...] = ()
    sources: tuple[RequiredSource, ...] = ()
    domains: tuple[str, ...] = ()
    verify_url: str = ""
    issuer: str = ""
    closing: str = CLOSING
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.kind.label


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "—"
    return str(value)


def _basic(subject: Subject, code: str) -> tuple[tuple[str, str], ...]:
    kind = SubjectKind(subject.kind)
    rows = [
        ("主体名称", subject.name),
        ("统一社会信用代码" if subject.code_kind == "uscc" else "身份证件号码", code),
        ("主体类别", kind.label),
    ]
    if kind != SubjectKind.PERSON:
        rows += [
            ("法定代表人/负责人", _text(subject.legal_rep)),
            ("成立日期", _d(subject.established_on)),
            ("登记机关", _text(subject.registration_authority)),
            ("住所", _text(subject.address)),
            ("登记状态", SubjectStatus(subject.status).label),
        ]
    return tuple(rows)


def _record_row(record: Record, *, mark_repair: bool) -> tuple[str, ...]:
    data = archive.source_row(record)
    what = data.get("penalty_kinds") or data.get("content") or data.get("list_type") or ""
    state = REPAIRED if record.status == RecordStatus.REPAIRED else "未修复"
    row = (
        _text(record.decision_number),
        _d(record.decision_date),
        _text(record.authority_name),
        _text(what),
    )
    return (*row, state) if mark_repair else row


RECORD_COLUMNS = ("决定文书号", "决定日期", "决定机关", "内容")


def _query_summary(session: Session, subject_id: int, since: date) -> Section:
    stmt = (
        select(QueryLogEntry.surface, func.count())
        .where(QueryLogEntry.subject_id == subject_id, QueryLogEntry.at >= since)
        .group_by(QueryLogEntry.surface)
    )
    names = {"report": "信用报告", "api": "信用档案", "page": "信用档案", "check": "核查详情"}
    counts: dict[str, int] = {}
    for surface, n in session.execute(stmt):
        label = names.get(surface, surface)
        counts[label] = counts.get(label, 0) + n
    rows = tuple((label, str(n)) for label, n in sorted(counts.items()))
    return Section(f"查询记录摘要（{since.isoformat()} 以来）", ("查询内容", "次数"), rows)


def _commitments(session: Session, subject_id: int, *, public_only: bool) -> Section:
    items = (
        commitments.public_items(session, subject_id)
        if public_only
        else commitments.list_for_subject(session, subject_id)
    )
    rows = tuple((c.code, c.reason, _d(c.signed_on)) for c in items)
    return Section("信用承诺", ("承诺编码", "承诺事由", "承诺日期"), rows)


def _objections(session: Session, subject_id: int) -> Section:
    rows = tuple(
        (str(o.record_id), _d(o.filed_on), _d(o.answer_due))
        for o in objections.list_for_subject(session, subject_id)
        if o.status == ObjectionStatus.OPEN
    )
    return Section("异议处理中的信息", ("记录编号", "提出日期", "答复期限"), rows)


def _statement(session: Session, subject_id: int) -> Section:
    rows = tuple(
        (r.title, _d(r.occurred_on), _text(r.evidence))
        for r in registrations.public_items(session, subject_id)
    )
    return Section("主体自述（经核实的自愿注册信息）", ("事项", "日期", "可查证处"), rows)


def _evaluation() -> Section:
    return Section("信用评价", text=f"{NOT_YET}（本平台的公共信用综合评价尚未开展）", counted=False)


def _list_hits(
    session: Session, subject_id: int, catalog: Catalog, today: date, *, published_only: bool
) -> list[dict[str, object]]:
    if published_only:
        return lists.public_entries(session, subject_id, catalog=catalog, today=today)
    return [
        h.as_dict() for h in lists.current_hits(session, subject_id, catalog=catalog, today=today)
    ]


LIST_COLUMNS = ("名单", "认定文书号", "认定日期", "有效期至", "认定机关")


def _list_row(hit: dict[str, object]) -> tuple[str, ...]:
    return (
        _text(hit["list_title"]),
        _text(hit["decision_number"]),
        _text(hit["decided_on"]),
        _text(hit["valid_until"] or "至移出之日"),
        _text(hit["deciding_authority"]),
    )


def public_sections(
    session: Session, subject: Subject, *, catalog: Catalog, today: date
) -> tuple[Section, ...]:
    view = public_view(session, subject, catalog=catalog, today=today)

    def rows(tab: str) -> tuple[tuple[str, ...], ...]:
        return tuple(
            (r.title, _text(r.decision_number), _d(r.decision_date), _text(r.authority_name))
            for r in view.tabs.get(tab, ())
        )

    hits = _list_hits(session, subject.id, catalog, today, published_only=True)
    punish = [h for h in hits if h["kind"] != "red"]
    red = [h for h in hits if h["kind"] == "red"]
    imported = rows(PUNISHMENT_TAB)
    columns = ("名称", "文书号", "决定日期", "决定机关")
    return (
        Section("行政管理信息 — 行政许可", columns, rows("licences")),
        Section("行政管理信息 — 行政处罚", columns, rows("penalties")),
        Section(
            "诚实守信",
            LIST_COLUMNS,
            tuple(_list_row(h) for h in red)
            + tuple((r[0], r[1], r[2], "—", r[3]) for r in rows("incentives")),
        ),
        Section(
            "严重失信主体名单及失信惩戒",
            LIST_COLUMNS,
            tuple(_list_row(h) for h in punish)
            + tuple((r[0], r[1], r[2], "—", r[3]) for r in imported),
        ),
        _commitments(session, subject.id, public_only=True),
        _evaluation(),
        _objections(session, subject.id),
        _statement(session, subject.id),
    )


def _in_domain(record: Record, domain: Domain, provider_kind: str | None) -> bool:
    if provider_kind is not None and provider_kind in domain.provider_kinds:
        return True
    name = record.authority_name or ""
    return any(k in name for k in domain.keywords)


def _period_records(
    session: Session, subject_id: int, classes: Sequence[str], since: date, today: date
) -> list[Record]:
    return [
        r
        for r in archive.current_records(session, subject_id)
        if r.info_class in classes
        and r.status != RecordStatus.WITHDRAWN
        and r.decision_date is not None
        and since <= r.decision_date <= today
    ]


def special_sections(
    session: Session,
    subject: Subject,
    *,
    domains: Iterable[Domain],
    config: ReportDomains,
    since: date,
    catalog: Catalog,
    today: date,
) -> tuple[tuple[Finding, ...], tuple[Section, ...]]:
    asked = list(domains)
    records = _period_records(session, subject.id, config.violation_classes, since, today)
    kinds = archive.provider_kinds(session, (r.provider_id for r in records))
    hits = [
        h
        for h in _list_hits(session, subject.id, catalog, today, published_only=False)
        if h["kind"] != "red" and h["source"] == "platform"
    ]
    findings: list[Finding] = []
    chosen: list[Record] = []
    chosen_hits: list[dict[str, object]] = []
    for domain in asked:
        mine = [r for r in records if _in_domain(r, domain, kinds.get(r.provider_id or -1))]
        listed = [
            h for h in hits if any(k in str(h["deciding_authority"] or "") for k in domain.keywords)
        ]
        repaired = sum(1 for r in mine if r.status == RecordStatus.REPAIRED)
        count = len(mine) + len(listed)
        if count == 0:
            statement = (
                f"在本平台归集的该领域信息中，{since.isoformat()} 至 {today.isoformat()} {CLEAN}"
            )
        else:
            statement = (
                f"发现 {count} 条违法违规记录"
                + (f"（其中 {repaired} 条{REPAIRED}）" if repaired else "")
                + "，详见下文"
            )
        findings.append(Finding(domain.id, domain.title, count, repaired, statement))
        chosen.extend(r for r in mine if r not in chosen)
        chosen_hits.extend(h for h in listed if h not in chosen_hits)
    by_class: dict[str, list[Record]] = {}
    for r in chosen:
        by_class.setdefault(r.info_class, []).append(r)
    sections = []
    columns = (*RECORD_COLUMNS, "状态")
    for source in config.required_sources:
        if not source.held:
            sections.append(
                Section(source.title, text=f"本平台未掌握：{source.note}", counted=False)
            )
            continue
        rows = tuple(
            _record_row(r, mark_repair=True)
            for c in source.info_classes
            for r in by_class.get(c, [])
        )
        if source.id == "serious_list":
            rows += tuple(
                (
                    _text(h["decision_number"]),
                    _text(h["decided_on"]),
                    _text(h["deciding_authority"]),
                    _text(h["list_title"]),
                    "有效",
                )
                for h in chosen_hits
            )
        sections.append(Section(source.title, columns, rows))
    named = {c for s in config.required_sources for c in s.info_classes}
    for class_id in config.violation_classes:
        if class_id in named:
            continue
        title = catalog.info_class(class_id).title if class_id in catalog.info_classes else class_id
        rows = tuple(_record_row(r, mark_repair=True) for r in by_class.get(class_id, []))
        sections.append(Section(title, columns, rows))
    sections += [
        _commitments(session, subject.id, public_only=False),
        _evaluation(),
        _objections(session, subject.id),
        _statement(session, subject.id),
    ]
    return tuple(findings), tuple(sections)


def labels_for(sections: Sequence[Section], subject: Subject) -> tuple[str, ...]:
    labels = [SubjectStatus(subject.status).label]
    for s in sections:
        if s.title.startswith("严重失信") and s.count:
            labels.append("失信惩戒对象")
        if s.title == "诚实守信" and s.count:
            labels.append("守信激励对象")
    return tuple(labels)


def shown_code(subject: Subject, *, kind: ReportKind) -> str:
    """Personal ID numbers are masked in a public report; a special report names the subject."""
    return subject.code if kind == ReportKind.SPECIAL else subjects.public_code(subject)


def query_summary(session: Session, subject_id: int, since: date) -> Section:
    return _query_summary(session, subject_id, since)
