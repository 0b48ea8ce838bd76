"""`xinyong catalog check`: validate the catalog and the calendar, count what was loaded, and warn
about what loads but looks wrong (a list type no measure points to, an unused code table, a YAML
file no loader reads)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from xinyong.catalog.holidays import load_calendar
from xinyong.catalog.loader import SHORT_VERSION, Catalog, collect_files, load_catalog
from xinyong.enums import ListKind


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `xinyong catalog check` prints."""

    version: str
    counts: Mapping[str, int]
    calendar_years: tuple[int, ...]
    warnings: tuple[str, ...]

    @property
    def short_version(self) -> str:
        return self.version[:SHORT_VERSION]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "counts": dict(self.counts),
            "calendar_years": list(self.calendar_years),
            "warnings": list(self.warnings),
        }


def check(
    directory: Path, override_dir: Path | None = None, *, today: date | None = None
) -> CheckReport:
    """Validate catalog and calendar; raise `CatalogError` on the first bad file, else report."""
    catalog = load_catalog(directory, override_dir)
    calendar = load_calendar(directory, override_dir=override_dir)
    warnings = list(_warnings(catalog))
    warnings += [
        f"文件 {path} 不属于任何目录类型，未加载" for path in _stray_files(directory, override_dir)
    ]
    if today is not None and calendar.is_provisional(date(today.year + 1, 1, 1)):
        warnings.append(
            f"{today.year + 1} 年的放假安排尚未录入（catalogs/calendar/{today.year + 1}.yaml）："
            "跨年的工作日期限按《全国年节及纪念日放假办法》推算，标注“暂定”，不会早于正式安排"
        )
    counts = {
        "info_classes": len(catalog.info_classes),
        "list_types": len(catalog.list_types),
        "measures": len(catalog.measures),
        "matters": len(catalog.matters),
        "code_tables": len(catalog.code_tables),
        "severity_tables": len(catalog.severity_tables),
        "disclosure_regimes": len(catalog.disclosure_rules.regimes),
        "disclosure_rules": len(catalog.disclosure_rules.rules),
        "calendar_years": len(calendar.years),
    }
    return CheckReport(
        version=catalog.version,
        counts=MappingProxyType(counts),
        calendar_years=tuple(sorted(calendar.years)),
        warnings=tuple(warnings),
    )


# Sub-directories read by other packages (evaluation models and supervision.yaml, 信易+ scenarios,
# indicators, report domains, national list file layouts) or by load_calendar.
OTHER_DIRS = (
    "calendar", "evaluation", "scenarios", "indicators", "reports", "supervision.yaml",
    "financing", "exchange",
)  # fmt: skip


def _stray_files(directory: Path, override_dir: Path | None) -> list[Path]:
    """YAML files that no loader reads — usually a misspelt name or directory."""
    known = set(collect_files(directory, override_dir).values())
    stray: list[Path] = []
    for root in (directory, override_dir):
        if root is None:
            continue
        for path in sorted(root.rglob("*.y*ml")):
            top = path.relative_to(root).parts[0]
            if path not in known and top not in OTHER_DIRS:
                stray.append(path)
    return stray


def _warnings(catalog: Catalog) -> Iterator[str]:
    for lt in catalog.list_types.values():
        if lt.kind != ListKind.IMPORTED and not catalog.measures_for(lt.id):
            yield f"名单类型 {lt.id} 没有任何措施指向它"
    used_matters = {m for measure in catalog.measures.values() for m in measure.matters}
    for matter in catalog.matters:
        if matter not in used_matters:
            yield f"核查事项 {matter} 没有任何措施"
    used_tables = {f.code_table for i in catalog.info_classes.values() for f in i.fields}
    for table in catalog.code_tables:
        if table not in used_tables:
            yield f"代码表 {table} 未被任何数据项使用"
    for info in catalog.info_classes.values():
        if info.kind == "record" and info.timeliness_working_days is None:
            yield f"信息类 {info.id} 未规定报送时限（timeliness_working_days）"
