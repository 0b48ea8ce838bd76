"""Pure rules of credit repair: a record's disclosure period and whether it may be repaired.

令36号 (rules.md §1.4): the minimum disclosure period has passed (not for 轻微), all obligations are
performed, a credit commitment is signed, and any further condition of law holds. Nothing here
touches the database or the clock: values in, values out.

`disclosure_period` takes the minimum and maximum period from the disclosure engine
(`disclosure.disclosure_window`), so the portal and the repair gate can never disagree; list
entries take theirs from the list type's early-exit rule. Entries decided on this platform
(`list_entries`, early exit through repair) are judged by `entry_period` / `evaluate_entry`, which
ask the lists module (`lists.in_force`, `lists.early_exit_refusal`) rather than restating its rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong import archive, disclosure, lists
from xinyong.catalog import Catalog, LegalBasis, ListType, RepairRules
from xinyong.clock import period_last_day
from xinyong.db.tables import ListEntry, Record
from xinyong.enums import ListKind, RecordStatus, Severity

COMMITMENT_CATEGORY = "信用承诺及其履行情况信息"
PERFORMANCE_PROOF = "performance_proof"


@dataclass(frozen=True, slots=True)
class DisclosurePeriod:
    """The disclosure period of one dishonesty record and where it comes from."""

    repairable: bool
    severity: Severity | None
    min_until: date | None  # None: no minimum (轻微) or not repairable
    max_until: date | None
    rule: (
        str  # e.g. "repair_2026/general by default:otherwise_general" or "list:abnormal_operation"
    )
    legal_basis: tuple[str, ...]
    note: str = ""
    dishonesty: bool = True  # False: not 失信信息 at all (a licence, a grade) — nothing to repair


NOT_DISHONESTY = "该信息不属于失信信息，无需信用修复"


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of 令36号 §1.4 with whether it holds and why."""

    id: str
    title: str
    met: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether a repair may be applied for, every condition with its reason, and the basis."""

    conditions: tuple[Condition, ...]
    period: DisclosurePeriod
    required_materials: tuple[str, ...]
    catalog_version: str

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def unmet(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if not c.met)

    @property
    def not_applicable(self) -> str | None:
        """Why repair does not apply at all (the information is not 失信信息), else None: the
        pages say this instead of a checklist of unmet conditions."""
        return None if self.period.dishonesty else self.period.note

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "not_applicable": self.not_applicable,
            "conditions": [
                {"id": c.id, "title": c.title, "met": c.met, "detail": c.detail}
                for c in self.conditions
            ],
            "severity": self.period.severity.value if self.period.severity else None,
            "min_until": self.period.min_until,
            "max_until": self.period.max_until,
            "rule": self.period.rule,
            "legal_basis": list(self.period.legal_basis),
            "catalog_version": self.catalog_version,
        }


@dataclass(frozen=True, slots=True)
class Facts:
    """What the applicant supplies and what the platform knows about earlier repairs."""

    materials: frozenset[str]
    obligations_fulfilled: bool
    commitment_signed: bool
    repairs_in_window: int = 0  # approved repairs of the subject inside the repeat-limit window
    open_application: bool = False


def _cite(bases: list[LegalBasis]) -> tuple[str, ...]:
    return tuple(b.cite() for b in bases)


# ---- disclosure period ------------------------------------------------------------------------


def disclosure_period(
    record: Record, catalog: Catalog, *, sector: str | None = None, today: date
) -> DisclosurePeriod:
    """Minimum and maximum disclosure period of a dishonesty record (penalty, list entry, breach).

    Penalties: exactly the window the portal uses (`disclosure.disclosure_window`; `sector` is
    the provider's kind, selecting its severity table). `min_until` is the last day of the
    minimum period (民法典 第二百零二条), so an application is possible from the day after.
    """
    info = catalog.info_class(record.info_class)
    start = record.decision_date
    if start is None:
        return DisclosurePeriod(False, None, None, None, "", (), "记录缺少决定日期，无法计算公示期")
    if info.kind == "list_entry":
        return _list_period(record, catalog, start)
    if info.category == COMMITMENT_CATEGORY:
        return _breach_period(catalog, start)
    facts = disclosure.RecordFacts(
        info_class=record.info_class,
        status=RecordStatus.ACTIVE,  # the period of the record as decided, whatever its state now
        decision_date=start,
        data=archive.source_row(record),
        severity=Severity(record.severity) if record.severity else None,
        provider_kind=sector,
    )
    window = disclosure.disclosure_window(facts, catalog=catalog, today=today)
    if window.severity is None:
        return DisclosurePeriod(False, None, None, None, "", (), NOT_DISHONESTY, dishonesty=False)
    severity = window.severity.severity
    return DisclosurePeriod(
        True,
        severity,
        None if severity == Severity.MINOR else window.min_until,  # 令36号: 轻微 at once
        window.disclosure_ends,
        f"{window.regime_id}/{severity.value} {window.severity.table_id}:{window.severity.rule_id}",
        window.legal_basis,
    )


def _breach_period(catalog: Catalog, start: date) -> DisclosurePeriod:
    """A broken commitment is treated as 一般 information (no national period: rules.md §7.2)."""
    regime = catalog.disclosure_rules.regime_for(start)
    if regime is None:
        return DisclosurePeriod(
            False, None, None, None, "", (), "决定日期不在任何修复规则的适用期间内"
        )
    period = regime.periods[Severity.GENERAL]
    low, high = period.min_months, period.max_months
    return DisclosurePeriod(
        True,
        Severity.GENERAL,
        period_last_day(start, low) if low else None,
        period_last_day(start, high) if high is not None else None,
        f"{regime.id}/general 违诺信息按一般失信信息",
        _cite(regime.legal_basis),
    )


def _list_period(record: Record, catalog: Catalog, start: date) -> DisclosurePeriod:
    info = catalog.info_class(record.info_class)
    list_type_id = (
        info.list_type or archive.source_row(record).get("list_type") or record.info_class
    )
    list_type = lists.find_list_type(catalog, str(list_type_id))
    if list_type is None:
        return DisclosurePeriod(False, None, None, None, "", (), f"未找到名单类型“{list_type_id}”")
    basis = _cite(list_type.legal_basis)
    max_until = lists.expiry(start, list_type)
    rule = f"list:{list_type.id}"
    if not list_type.early_exit.allowed:
        return DisclosurePeriod(
            False, None, None, max_until, rule, basis, "该名单不允许申请提前移出"
        )
    min_until = lists.early_exit_min_until(start, list_type)
    return DisclosurePeriod(True, None, min_until, max_until, rule, basis)


# ---- eligibility ------------------------------------------------------------------------------


def required_materials(rules: RepairRules, severity: Severity | None) -> tuple[str, ...]:
    return tuple(
        m.id
        for m in rules.materials
        if m.required or (severity is not None and severity in m.required_for)
    )


def evaluate(
    record: Record, period: DisclosurePeriod, facts: Facts, *, today: date, catalog: Catalog
) -> Eligibility:
    """Check every condition of 令36号 §1.4 (and the platform's own) and say why each holds."""
    needed = required_materials(catalog.workflows.repair, period.severity)
    conditions = (
        _repairable(record, period),
        _min_period(period, today),
        *_applicant_conditions(catalog.workflows.repair, needed, facts, "该记录"),
    )
    return Eligibility(conditions, period, needed, catalog.version)


def _applicant_conditions(
    rules: RepairRules, needed: tuple[str, ...], facts: Facts, target: str
) -> tuple[Condition, ...]:
    """What the applicant supplies and the platform's own limits, alike for records and entries."""
    missing = [m.title for m in rules.materials if m.id in needed and m.id not in facts.materials]
    return (
        Condition(
            "obligations",
            "已纠正失信行为、履行全部法定义务",
            facts.obligations_fulfilled,
            "申请人声明已履行"
            if facts.obligations_fulfilled
            else "申请人须声明并证明已履行全部义务",
        ),
        Condition(
            "commitment",
            "已签署信用承诺书",
            facts.commitment_signed,
            "已在线签署" if facts.commitment_signed else "须签署信用修复信用承诺书",
        ),
        Condition(
            "materials",
            "已提交所需材料",
            not missing,
            "材料齐全" if not missing else "缺少：" + "、".join(missing),
        ),
        _repeat_limit(rules, facts),
        Condition(
            "no_open_application",
            "无正在办理的修复申请",
            not facts.open_application,
            "无" if not facts.open_application else f"{target}已有正在办理的修复申请，不能重复申请",
        ),
    )


def _repairable(record: Record, period: DisclosurePeriod) -> Condition:
    title = "属于可修复的失信信息"
    if not record.is_current or record.status != RecordStatus.ACTIVE:
        gone = record.status in (RecordStatus.REPAIRED, RecordStatus.WITHDRAWN)
        state = RecordStatus(record.status).label if gone else "已被新版本替代"
        return Condition("repairable", title, False, f"该记录{state}，无需再申请修复")
    if not period.repairable:
        return Condition("repairable", title, False, period.note)
    return Condition("repairable", title, True, period.rule)


def _min_period(period: DisclosurePeriod, today: date) -> Condition:
    title = "最短公示期已届满"
    if period.severity == Severity.MINOR:
        return Condition(
            "min_period", title, True, "轻微失信信息，履行义务后即可申请，不受最短公示期限制"
        )
    if period.min_until is None:
        return Condition("min_period", title, period.repairable, "无最短公示期")
    if today <= period.min_until:
        detail = f"最短公示期至 {period.min_until.isoformat()} 届满，届满后方可申请"
        return Condition("min_period", title, False, detail)
    return Condition("min_period", title, True, f"已于 {period.min_until.isoformat()} 届满")


def _repeat_limit(rules: RepairRules, facts: Facts) -> Condition:
    title = "未超出重复修复限制"
    limit = rules.repeat_limit
    if not limit.enabled or limit.max_repairs is None:
        return Condition("repeat_limit", title, True, "本地区未启用重复修复限制")
    ok = facts.repairs_in_window < limit.max_repairs
    detail = f"{limit.years} 年内已修复 {facts.repairs_in_window} 次（上限 {limit.max_repairs} 次）"
    return Condition("repeat_limit", title, ok, detail)


# ---- list entries decided on this platform (early exit) -----------------------------------------

ENTRY_SEVERITY = {ListKind.SERIOUS: Severity.SERIOUS, ListKind.WATCH: Severity.GENERAL}


def entry_period(entry: ListEntry, list_type: ListType) -> DisclosurePeriod:
    """A platform entry's period: early exit from `lists.earliest_early_exit`, end from the entry.

    Serious-list entries are 严重 information (rules.md §1.3), watch-list entries 一般; that picks
    the required materials. `min_until` is `lists.early_exit_min_until`, as for imported entries.
    """
    basis, rule = _cite(list_type.legal_basis), f"list:{list_type.id}"
    severity = ENTRY_SEVERITY.get(list_type.kind)
    if list_type.kind == ListKind.RED:
        note = "守信激励名单不是失信信息，无需申请提前移出"
        return DisclosurePeriod(False, None, None, entry.valid_until, rule, basis, note)
    if entry.decided_on is None:
        note = "该名单认定尚未作出决定"
        return DisclosurePeriod(False, severity, None, None, rule, basis, note)
    earliest = lists.earliest_early_exit(entry.decided_on, list_type)
    if earliest is None:
        note = f"{list_type.title}不适用提前移出，有效期届满后自动移出"
        return DisclosurePeriod(False, severity, None, entry.valid_until, rule, basis, note)
    min_until = lists.early_exit_min_until(entry.decided_on, list_type)
    return DisclosurePeriod(True, severity, min_until, entry.valid_until, rule, basis)


def evaluate_entry(
    entry: ListEntry,
    list_type: ListType,
    period: DisclosurePeriod,
    facts: Facts,
    *,
    today: date,
    catalog: Catalog,
) -> Eligibility:
    """The conditions of an early exit through repair, in the same shape as for records."""
    needed = required_materials(catalog.workflows.repair, period.severity)
    conditions = (
        _entry_in_force(entry, list_type, period, today),
        _entry_min_period(entry, list_type, today),
        *_applicant_conditions(catalog.workflows.repair, needed, facts, "该名单认定"),
    )
    return Eligibility(conditions, period, needed, catalog.version)


def _entry_in_force(
    entry: ListEntry, list_type: ListType, period: DisclosurePeriod, today: date
) -> Condition:
    title = "名单认定有效且可申请提前移出"
    if not period.repairable:
        return Condition("repairable", title, False, period.note)
    if entry.exited_on is not None and entry.exited_on <= today:
        return Condition("repairable", title, False, f"该名单认定已于 {entry.exited_on} 移出")
    if not lists.in_force(lists.facts_of(entry), list_type, today):
        detail = f"该名单认定已于 {entry.valid_until} 期满，期满自动移出，无需申请"
        return Condition("repairable", title, False, detail)
    return Condition("repairable", title, True, f"{list_type.title} {entry.decision_number}")


def _entry_min_period(entry: ListEntry, list_type: ListType, today: date) -> Condition:
    title = "列入时间已满提前移出的最短期限"
    if entry.decided_on is None:
        return Condition("min_period", title, False, "该名单认定尚未作出决定")
    refusal = lists.early_exit_refusal(list_type, entry.decided_on, today)
    if refusal is not None:
        return Condition("min_period", title, False, refusal)
    earliest = lists.earliest_early_exit(entry.decided_on, list_type)
    return Condition("min_period", title, True, f"自 {earliest} 起可申请提前移出")
