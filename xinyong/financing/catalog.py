"""The 信易贷 catalog file (`catalogs/financing/financing.yaml`): 白名单 rules, refusal reasons.

Loaded and validated like every catalog file: a bad file is refused naming file, key and reason;
the credit office's override directory may replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinyong.catalog.errors import CatalogError
from xinyong.catalog.yaml_io import read_package_file, required_text
from xinyong.config import get_settings
from xinyong.enums import SubjectKind
from xinyong.errors import InvalidInput
from xinyong.evaluation.eligibility import Rule

FILE = Path("financing") / "financing.yaml"


@dataclass(frozen=True, slots=True)
class WhitelistRule:
    id: str
    title: str
    basis: str
    subject_kinds: tuple[str, ...]
    conditions: Rule


@dataclass(frozen=True, slots=True)
class FinancingCatalog:
    version: str
    whitelist_rules: tuple[WhitelistRule, ...]
    refusal_reasons: dict[str, str]

    def refusal_title(self, code: str) -> str:
        if code not in self.refusal_reasons:
            known = "、".join(f"{c}（{t}）" for c, t in self.refusal_reasons.items())
            raise InvalidInput(
                f"未获批原因“{code}”不在码表中；可选：{known}", code="financing.reason"
            )
        return self.refusal_reasons[code]


def parse(data: Any, file: str) -> FinancingCatalog:
    if not isinstance(data, dict):
        raise CatalogError(file, "", "文件须为键值表")
    version = required_text(data, "version", file, "")
    rules = []
    raw_rules = data.get("whitelist_rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise CatalogError(file, "whitelist_rules", "须为非空列表")
    seen: set[str] = set()
    kinds = {k.value for k in SubjectKind}
    for i, raw in enumerate(raw_rules):
        where = f"whitelist_rules[{i}]"
        if not isinstance(raw, dict):
            raise CatalogError(file, where, "须为键值表")
        rule_id = required_text(raw, "id", file, where)
        if rule_id in seen:
            raise CatalogError(file, f"{where}.id", f"重复的 id“{rule_id}”")
        seen.add(rule_id)
        subject_kinds = tuple(raw.get("subject_kinds") or ())
        bad = [k for k in subject_kinds if k not in kinds]
        if not subject_kinds or bad:
            raise CatalogError(
                file, f"{where}.subject_kinds", f"须为主体类别列表（{'、'.join(kinds)}）"
            )
        rules.append(
            WhitelistRule(
                id=rule_id,
                title=required_text(raw, "title", file, where),
                basis=required_text(raw, "basis", file, where),
                subject_kinds=subject_kinds,
                conditions=Rule.parse(raw.get("conditions"), file, f"{where}.conditions"),
            )
        )
    reasons: dict[str, str] = {}
    raw_reasons = data.get("refusal_reasons")
    if not isinstance(raw_reasons, list) or not raw_reasons:
        raise CatalogError(file, "refusal_reasons", "须为非空列表")
    for i, raw in enumerate(raw_reasons):
        where = f"refusal_reasons[{i}]"
        if not isinstance(raw, dict):
            raise CatalogError(file, where, "须为键值表")
        code = required_text(raw, "code", file, where)
        if code in reasons:
            raise CatalogError(file, f"{where}.code", f"重复的码“{code}”")
        reasons[code] = required_text(raw, "title", file, where)
    return FinancingCatalog(version, tuple(rules), reasons)


def load(catalog_dir: Path | None = None, override_dir: Path | None = None) -> FinancingCatalog:
    settings = get_settings()
    catalog_dir = catalog_dir or settings.catalog_dir
    override_dir = override_dir if override_dir is not None else settings.catalog_override_dir
    data, path = read_package_file(FILE, catalog_dir, override_dir)
    return parse(data, path)
