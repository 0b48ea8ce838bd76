"""Checks across catalog files: every reference resolves, and the measure rules of
国办发〔2020〕49号 hold (class-1 measures cite a law and an article; no measure is heavier
than its list allows).

`check_references` returns issues as (file, key, reason); the loader raises the first file's issues.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from xinyong.catalog.schema import CodeTable, InfoClass, names_law_and_article
from xinyong.catalog.schema_lists import ListType, Matter, Measure
from xinyong.catalog.schema_rules import DisclosureRules, SeverityTable
from xinyong.enums import ListKind

PENALTY_KIND_TABLE = "penalty_kind"  # values allowed in severity rules' kinds_any / kinds_only
SUBJECT_CATEGORY_TABLE = "subject_category"  # values allowed in subject_categories

Issue = tuple[str, str, str]  # file, key, reason


@dataclass(frozen=True, slots=True)
class Parsed:
    """Everything parsed, with the file each entry came from (and its key prefix in that file)."""

    info_classes: Mapping[str, InfoClass]
    list_types: Mapping[str, ListType]
    measures: Mapping[str, Measure]
    matters: Mapping[str, Matter]
    code_tables: Mapping[str, CodeTable]
    disclosure_rules: DisclosureRules
    severity_tables: Mapping[str, SeverityTable]
    origin: Mapping[tuple[str, str], tuple[str, str]]  # (kind, id) → (file, key prefix)


def check_references(p: Parsed) -> list[Issue]:
    issues: list[Issue] = []
    for info in p.info_classes.values():
        issues += _info_class(p, info)
    for lt in p.list_types.values():
        file, _ = p.origin[("list_types", lt.id)]
        if lt.info_class is not None and lt.info_class not in p.info_classes:
            issues.append((file, "info_class", _missing("信息类", lt.info_class, p.info_classes)))
    for measure in p.measures.values():
        issues += _measure(p, measure)
    rules_file, _ = p.origin[("disclosure_rules", p.disclosure_rules.id)]
    for i, rule in enumerate(p.disclosure_rules.rules):
        if rule.severity_table is not None and rule.severity_table not in p.severity_tables:
            reason = _missing("严重程度分类表", rule.severity_table, p.severity_tables)
            issues.append((rules_file, f"rules[{i}].severity_table", reason))
    for table in p.severity_tables.values():
        issues += _severity_table(p, table)
    return issues


def _missing(what: str, wanted: str, known: Mapping[str, object]) -> str:
    return f"引用了不存在的{what}“{wanted}”（已有：{'、'.join(sorted(known)) or '无'}）"


def _info_class(p: Parsed, info: InfoClass) -> list[Issue]:
    file, _ = p.origin[("info_classes", info.id)]
    out = [(file, key, reason) for key, reason in _fields(p, info)]
    for i, key in enumerate(info.natural_key):
        if key not in {f.id for f in info.fields}:
            out.append((file, f"natural_key[{i}]", f"“{key}”不是本信息类的数据项"))
    rule = p.disclosure_rules.rule(info.disclosure.rule)
    if rule is None:
        known = {r.id: r for r in p.disclosure_rules.rules}
        out.append((file, "disclosure.rule", _missing("公示规则", info.disclosure.rule, known)))
    else:
        roles = {f.role for f in info.fields if f.role is not None}
        for needed in (rule.start_role, rule.end_role, *rule.stopped_by):
            if needed is not None and needed not in roles:
                reason = f"公示规则 {rule.id} 需要 role 为 {needed.value} 的数据项，本信息类没有"
                out.append((file, "disclosure.rule", reason))
    if info.list_type is not None and info.list_type not in p.list_types:
        out.append((file, "list_type", _missing("名单类型", info.list_type, p.list_types)))
    return out


def _fields(p: Parsed, info: InfoClass) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    by_id = {f.id: f for f in info.fields}
    for i, f in enumerate(info.fields):
        if f.code_table is not None and f.code_table not in p.code_tables:
            out.append((f"fields[{i}].code_table", _missing("代码表", f.code_table, p.code_tables)))
        cond = f.required_when
        if cond is None:
            continue
        target = by_id.get(cond.field)
        if target is None:
            out.append((f"fields[{i}].required_when.field", f"引用了不存在的数据项“{cond.field}”"))
            continue
        table = p.code_tables.get(target.code_table or "")
        for value in cond.values:
            if table is not None and table.normalise(value) is None:
                reason = f"“{value}”不是数据项 {target.id} 的代码表 {table.id} 中的值"
                out.append((f"fields[{i}].required_when", reason))
    return out


def _measure(p: Parsed, m: Measure) -> list[Issue]:
    file, prefix = p.origin[("measures", m.id)]
    out: list[Issue] = []
    if m.measure_class == 1 and not any(names_law_and_article(b) for b in m.legal_basis):
        reason = "第一类措施（减损权益或增加义务）须有写明法律、法规名称及具体条款的 legal_basis"
        out.append((file, f"{prefix}.legal_basis", reason))
    for i, lt_id in enumerate(m.target_list_types):
        lt = p.list_types.get(lt_id)
        key = f"{prefix}.target_list_types[{i}]"
        if lt is None:
            out.append((file, key, _missing("名单类型", lt_id, p.list_types)))
            continue
        is_red = lt.kind == ListKind.RED
        if m.kind == "incentive" and not is_red:
            out.append((file, key, f"激励措施只能针对守信激励名单，{lt_id} 不是"))
        if m.kind == "punishment" and is_red:
            out.append((file, key, f"惩戒措施不能针对守信激励名单 {lt_id}"))
        if m.kind == "punishment" and m.measure_class < lt.max_measure_class:
            reason = (
                f"第{m.measure_class}类措施重于名单 {lt_id} 允许的最重类别"
                f"（第{lt.max_measure_class}类），违反过惩相当"
            )
            out.append((file, f"{prefix}.measure_class", reason))
    for i, matter in enumerate(m.matters):
        if matter not in p.matters:
            out.append((file, f"{prefix}.matters[{i}]", _missing("核查事项", matter, p.matters)))
    return out


def _severity_table(p: Parsed, table: SeverityTable) -> list[Issue]:
    file, _ = p.origin[("severity_tables", table.id)]
    out: list[Issue] = []
    kinds = p.code_tables.get(PENALTY_KIND_TABLE)
    categories = p.code_tables.get(SUBJECT_CATEGORY_TABLE)
    for i, rule in enumerate(table.rules):
        checks = (
            ("kinds_any", rule.when.kinds_any, kinds),
            ("kinds_only", rule.when.kinds_only, kinds),
            ("subject_categories", rule.when.subject_categories, categories),
        )
        for name, values, code_table in checks:
            if values is None:
                continue
            if code_table is None:
                continue
            for j, value in enumerate(values):
                if code_table.normalise(value) is None:
                    reason = f"“{value}”不在代码表 {code_table.id} 中"
                    out.append((file, f"rules[{i}].when.{name}[{j}]", reason))
    return out
