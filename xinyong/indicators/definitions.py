"""Indicator definitions as data: `catalogs/indicators/*.yaml` (merged with the override directory).

Each file holds a group of indicators (key, Chinese title, unit, definition with numerator,
denominator and window, target, `computed` or `manual`) and, optionally, the city-monitoring
indicators the platform cannot compute. Bad files raise `CatalogError` naming file, key and reason;
a `computed` indicator without a function in `xinyong.indicators.compute` is refused too.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.catalog import CatalogError
from xinyong.catalog.yaml_io import read_yaml

DIRECTORY = "indicators"
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Definition(_Strict):
    numerator: str = Field(min_length=1)
    denominator: str | None = None
    # month: events in the month; cumulative: up to the month's end; at_month_end: state that day
    window: Literal["month", "cumulative", "at_month_end"]


class Target(_Strict):
    value: float
    direction: Literal["at_least", "at_most"] = "at_least"
    basis: str = Field(min_length=1)  # where the target comes from

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.value if self.direction == "at_least" else value <= self.value


class Indicator(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    title: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    source: Literal["computed", "manual"]
    definition: Definition
    target: Target | None = None
    monitoring: str | None = None  # the 城市信用状况监测预警指标 it answers, if any
    pending: str | None = None  # manual for now: which feature will compute it
    screen: bool = False  # shown on the public wall screen (/screen): aggregate figures only

    @model_validator(mode="after")
    def _pending_is_manual(self) -> Indicator:
        if self.pending is not None and self.source != "manual":
            raise ValueError("只有 source: manual 的指标才能写 pending")
        return self


class NotComputable(_Strict):
    title: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class IndicatorGroup(_Strict):
    id: str = Field(pattern=KEY_PATTERN)
    title: str = Field(min_length=1)
    order: int = 100  # groups are shown by order, then file name
    indicators: list[Indicator] = Field(min_length=1)
    not_computable: list[NotComputable] = []


@dataclass(frozen=True, slots=True)
class Definitions:
    groups: tuple[IndicatorGroup, ...]

    @property
    def indicators(self) -> list[Indicator]:
        return [i for g in self.groups for i in g.indicators]

    def get(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        from xinyong.catalog import CatalogEntryNotFound  # noqa: PLC0415

        raise CatalogEntryNotFound("指标", key, [i.key for i in self.indicators])

    @property
    def monitoring(self) -> list[Indicator]:
        return [i for i in self.indicators if i.monitoring]

    @property
    def not_computable(self) -> list[NotComputable]:
        return [n for g in self.groups for n in g.not_computable]


def load_definitions(
    catalog_dir: Path, override_dir: Path | None = None, *, computable: Collection[str]
) -> Definitions:
    """Read every group file; an override file with the same name replaces the shipped one."""
    files: dict[str, Path] = {}
    for root in (catalog_dir, override_dir):
        if root is not None:
            files.update({p.name: p for p in sorted((root / DIRECTORY).glob("*.yaml"))})
    if not files:
        raise CatalogError(str(catalog_dir / DIRECTORY), "", "没有指标定义文件")
    groups: list[IndicatorGroup] = []
    seen: dict[str, str] = {}
    for name in sorted(files):
        path = files[name]
        try:
            group = IndicatorGroup.model_validate(read_yaml(path))
        except ValidationError as exc:
            raise CatalogError.from_validation(str(path), exc) from None
        if group.id != path.stem:
            raise CatalogError(str(path), "id", f"id（{group.id}）须与文件名（{path.stem}）一致")
        for i, indicator in enumerate(group.indicators):
            where = f"indicators[{i}].key"
            if indicator.key in seen:
                raise CatalogError(
                    str(path), where, f"指标“{indicator.key}”与 {seen[indicator.key]} 重复"
                )
            if indicator.source == "computed" and indicator.key not in computable:
                raise CatalogError(
                    str(path), where, f"指标“{indicator.key}”标为 computed，但平台没有它的计算函数"
                )
            seen[indicator.key] = str(path)
        groups.append(group)
    return Definitions(tuple(sorted(groups, key=lambda g: g.order)))
