"""The report domain catalog (`catalogs/reports/domains.yaml`): domains, 565号 sources, validity.

Loaded and validated like every catalog file: a bad file is refused naming file, key and reason.
The credit office's override directory may replace the file (`reports/domains.yaml`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

import pydantic
from pydantic import ValidationError, model_validator

from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.catalog.schema import Identifier, Model, NonEmpty
from xinyong.catalog.yaml_io import read_yaml
from xinyong.errors import InvalidInput

FILE = Path("reports") / "domains.yaml"


class Domain(Model):
    id: Identifier
    title: NonEmpty
    provider_kinds: tuple[Identifier, ...] = ()
    keywords: tuple[NonEmpty, ...] = ()


class RequiredSource(Model):
    """An item 565号 requires a special report to cover, and whether this platform holds it."""

    id: Identifier
    title: NonEmpty
    held: bool
    info_classes: tuple[Identifier, ...] = ()
    note: NonEmpty


class ReportDomains(Model):
    id: Identifier
    title: NonEmpty
    version: NonEmpty
    max_years: Annotated[int, pydantic.Field(ge=1, le=10)]
    validity_days: Annotated[int, pydantic.Field(ge=1, le=366)]
    violation_classes: tuple[Identifier, ...]
    required_sources: Annotated[tuple[RequiredSource, ...], pydantic.Field(min_length=1)]
    domains: Annotated[tuple[Domain, ...], pydantic.Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> ReportDomains:
        ids = [d.id for d in self.domains]
        if len(set(ids)) != len(ids):
            raise ValueError("domains 中有重复的 id")
        return self

    def domain(self, domain_id: str) -> Domain:
        for d in self.domains:
            if d.id == domain_id:
                return d
        known = "、".join(f"{d.id}（{d.title}）" for d in self.domains)
        raise InvalidInput(f"没有“{domain_id}”这个报告领域；可选：{known}", code="reports.domain")


def check_classes(domains: ReportDomains, catalog: Catalog, path: str) -> None:
    """Every info class named must exist in the catalog."""
    named = list(domains.violation_classes) + [
        c for s in domains.required_sources for c in s.info_classes
    ]
    for class_id in named:
        if class_id not in catalog.info_classes:
            raise CatalogError(path, "info_classes", f"信息类“{class_id}”不在目录中")


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> ReportDomains:
    try:
        return ReportDomains.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise CatalogError.from_validation(str(path), exc) from None


def load_domains(
    catalog_dir: Path, override_dir: Path | None = None, *, catalog: Catalog | None = None
) -> ReportDomains:
    path = catalog_dir / FILE
    if override_dir is not None and (override_dir / FILE).is_file():
        path = override_dir / FILE
    if not path.is_file():
        raise CatalogError(str(path), "", "缺少必需的目录文件")
    domains = _load(path, path.stat().st_mtime)
    if catalog is not None:
        check_classes(domains, catalog, str(path))
    return domains
