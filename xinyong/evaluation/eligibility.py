"""Eligibility conditions on a subject's credit standing, evaluated with an explanation.

Owns: one vocabulary of conditions that loan products (信易贷), 白名单推荐 rules and 信易+
scenarios write as data — grade, lists in force, punishment in force, red list, sector, size,
signed commitment — and their evaluation into "eligible or not, and why", one line per condition
in the grade's explanation style (`Evaluation.explanation`), each naming the rule it applies.
Does not: compute the grade (service.current_grade), decide whether a list entry is in force
(lists.current_hits) or whether a commitment still binds (commitments): it asks them.

A condition absent from a rule is not checked. `Rule.parse(data, file, key)` refuses a bad rule
naming file, key and reason (principle 5), so a product form and a catalog file share one check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import lists
from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.db.tables import Commitment, Subject
from xinyong.enums import CommitmentStatus, ListKind
from xinyong.evaluation.service import current_grade

GRADES = ("A", "B", "C", "D")
SIZES = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
LIST_KINDS = {k.value: t for k, t in {
    ListKind.SERIOUS: "严重失信主体名单",
    ListKind.WATCH: "重点关注名单",
    ListKind.IMPORTED: "外部认定名单",
}.items()}  # fmt: skip
KEYS = (
    "grades",
    "no_punishment_in_force",
    "not_on_lists",
    "red_list",
    "sectors",
    "sizes",
    "signed_commitment",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """Conditions, all of which must hold. Empty tuple / False: not checked."""

    grades: tuple[str, ...] = ()
    no_punishment_in_force: bool = False
    not_on_lists: tuple[str, ...] = ()
    red_list: bool = False
    sectors: tuple[str, ...] = ()  # GB/T 4754 门类 letters (subjects.industry_code prefix)
    sizes: tuple[str, ...] = ()
    signed_commitment: bool = False

    @classmethod
    def parse(cls, data: Any, file: str, key: str) -> Rule:  # noqa: C901 — one check per key
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise CatalogError(file, key, "资格条件须为键值表")
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            raise CatalogError(
                file, f"{key}.{unknown[0]}", f"未知的资格条件；可用：{'、'.join(KEYS)}"
            )

        def names(name: str, allowed: Any) -> tuple[str, ...]:
            raw = data.get(name) or []
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list):
                raise CatalogError(file, f"{key}.{name}", "须为列表")
            values = tuple(str(v).strip() for v in raw)
            for v in values:
                if allowed is not None and v not in allowed:
                    raise CatalogError(
                        file, f"{key}.{name}", f"“{v}”无效；可用：{'、'.join(allowed)}"
                    )
            return values

        def flag(name: str) -> bool:
            value = data.get(name, False)
            if not isinstance(value, bool):
                raise CatalogError(file, f"{key}.{name}", "须为 true 或 false")
            return value

        sectors = names("sectors", None)
        for s in sectors:
            if not (len(s) == 1 and s.isalpha() and s.isupper()):
                raise CatalogError(file, f"{key}.sectors", f"“{s}”不是国民经济行业门类字母")
        return cls(
            grades=names("grades", GRADES),
            no_punishment_in_force=flag("no_punishment_in_force"),
            not_on_lists=names("not_on_lists", tuple(LIST_KINDS)),
            red_list=flag("red_list"),
            sectors=sectors,
            sizes=names("sizes", tuple(SIZES)),
            signed_commitment=flag("signed_commitment"),
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in KEYS:
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def describe(self) -> list[str]:
        """The conditions in plain Chinese (for product and scenario pages)."""
        out = []
        if self.grades:
            out.append(f"公共信用综合评价等级为 {'、'.join(self.grades)}")
        if self.no_punishment_in_force:
            out.append("无正在执行的失信惩戒（不在任何失信名单有效期内）")
        if self.not_on_lists:
            out.append("不在" + "、".join(LIST_KINDS[k] for k in self.not_on_lists) + "内")
        if self.red_list:
            out.append("列入守信激励（红名单）")
        if self.sectors:
            out.append(f"所属行业门类为 {'、'.join(self.sectors)}")
        if self.sizes:
            out.append("企业规模为" + "、".join(SIZES[s] for s in self.sizes))
        if self.signed_commitment:
            out.append("已签署有效的信用承诺")
        return out or ["无资格限制"]


@dataclass(frozen=True, slots=True)
class Line:
    """One condition's result: which rule, whether it holds, and what was found."""

    condition: str
    rule: str
    ok: bool
    found: str

    def text(self) -> str:
        verdict = "符合" if self.ok else "不符合"
        return f"{self.rule}：{self.found}，{verdict}。"

    def as_dict(self) -> dict[str, Any]:
        return {"condition": self.condition, "rule": self.rule, "ok": self.ok, "found": self.found}


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    lines: tuple[Line, ...]
    source: str  # what the rule belongs to, e.g. "产品“惠企信用贷”" or "场景 xinyi_pi"

    @property
    def failed(self) -> tuple[Line, ...]:
        return tuple(x for x in self.lines if not x.ok)

    def reason(self) -> str:
        """One sentence: eligible, or the first failed condition naming its rule."""
        if self.eligible:
            return f"符合{self.source}的全部资格条件。"
        return "；".join(f"不符合{self.source}的条件“{x.rule}”（{x.found}）" for x in self.failed)

    def explanation(self) -> list[str]:
        lines = [x.text() for x in self.lines]
        lines.append(f"结论：{'符合' if self.eligible else '不符合'}{self.source}的资格条件。")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "reason": self.reason(),
            "explanation": self.explanation(),
            "conditions": [x.as_dict() for x in self.lines],
        }


def check(
    session: Session,
    subject: Subject,
    rule: Rule,
    *,
    catalog: Catalog,
    today: date,
    source: str,
    size: str | None = None,
) -> Eligibility:
    """Evaluate every condition of `rule` for `subject` on `today`."""
    out: list[Line] = []
    hits = None
    if rule.no_punishment_in_force or rule.not_on_lists or rule.red_list:
        hits = lists.current_hits(session, subject.id, catalog=catalog, today=today)
    if rule.grades:
        stored = current_grade(session, subject.id)
        rule_text = f"评价等级须为 {'、'.join(rule.grades)}"
        if stored is None:
            out.append(Line("grades", rule_text, False, "尚无公共信用综合评价结果"))
        else:
            title = stored.explanation.get("grade_title") or ""
            found = f"当前等级 {stored.grade}" + (f"（{title}）" if title else "")
            found += f"，评价日 {stored.as_of.isoformat()}"
            out.append(Line("grades", rule_text, stored.grade in rule.grades, found))
    if rule.no_punishment_in_force:
        assert hits is not None
        punishing = [h for h in hits if h.kind != ListKind.RED.value]
        found = (
            "在有效期内的失信名单：" + "、".join(h.list_title for h in punishing)
            if punishing
            else "无有效期内的失信名单"
        )
        out.append(Line("no_punishment_in_force", "无正在执行的失信惩戒", not punishing, found))
    if rule.not_on_lists:
        assert hits is not None
        on = [h for h in hits if h.kind in rule.not_on_lists]
        names = "、".join(LIST_KINDS[k] for k in rule.not_on_lists)
        found = "列入" + "、".join(h.list_title for h in on) if on else f"未列入{names}"
        out.append(Line("not_on_lists", f"不在{names}内", not on, found))
    if rule.red_list:
        assert hits is not None
        red = [h for h in hits if h.kind == ListKind.RED.value]
        found = "列入" + "、".join(h.list_title for h in red) if red else "未列入守信激励名单"
        out.append(Line("red_list", "须列入守信激励（红名单）", bool(red), found))
    if rule.sectors:
        sector = (subject.industry_code or "")[:1].upper()
        found = f"行业门类 {sector}" if sector else "未登记行业"
        out.append(
            Line(
                "sectors", f"行业门类须为 {'、'.join(rule.sectors)}", sector in rule.sectors, found
            )
        )
    if rule.sizes:
        wanted = "、".join(SIZES[s] for s in rule.sizes)
        found = f"申报规模 {SIZES.get(size or '', '未申报')}"
        out.append(Line("sizes", f"企业规模须为{wanted}", size in rule.sizes, found))
    if rule.signed_commitment:
        n = _commitments_in_force(session, subject.id, today)
        found = f"有效信用承诺 {n} 份" if n else "无有效的信用承诺"
        out.append(Line("signed_commitment", "须签署有效的信用承诺", n > 0, found))
    return Eligibility(all(x.ok for x in out), tuple(out), source)


def _commitments_in_force(session: Session, subject_id: int, today: date) -> int:
    """Signed (or kept) commitments whose period covers today; a breached one never counts."""
    rows = session.execute(
        select(Commitment.valid_until).where(
            Commitment.subject_id == subject_id,
            Commitment.status.in_((CommitmentStatus.SIGNED, CommitmentStatus.KEPT)),
            Commitment.signed_on <= today,
        )
    ).scalars()
    return sum(1 for until in rows if until is None or until >= today)
