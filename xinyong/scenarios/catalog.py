"""The 信易+ scenario catalog (`catalogs/scenarios/scenarios.yaml`).

Loaded and validated like every catalog file: a bad file is refused naming file, key and reason;
the credit office's override directory may replace it. A scenario that serves natural persons
must name the legal basis for it (`person_basis`), or the file is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinyong.catalog.errors import CatalogError
from xinyong.catalog.yaml_io import read_package_file, required_text
from xinyong.config import get_settings
from xinyong.enums import SubjectKind
from xinyong.errors import NotFound
from xinyong.evaluation.eligibility import Rule

FILE = Path("scenarios") / "scenarios.yaml"


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    benefit: str
    grantor: str
    subject_kinds: tuple[str, ...]
    basis: str
    person_basis: str | None
    conditions: Rule

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "benefit": self.benefit,
            "grantor": self.grantor,
            "subject_kinds": list(self.subject_kinds),
            "basis": self.basis,
            "person_basis": self.person_basis,
            "conditions": self.conditions.describe(),
        }


@dataclass(frozen=True, slots=True)
class ScenarioCatalog:
    version: str
    scenarios: tuple[Scenario, ...]

    def get(self, scenario_id: str) -> Scenario:
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise NotFound(f"没有“{scenario_id}”这个信易+场景", code="scenarios.not_found")


def parse(data: Any, file: str) -> ScenarioCatalog:
    if not isinstance(data, dict):
        raise CatalogError(file, "", "文件须为键值表")
    version = required_text(data, "version", file)
    raw_list = data.get("scenarios")
    if not isinstance(raw_list, list) or not raw_list:
        raise CatalogError(file, "scenarios", "须为非空列表")
    kinds = {k.value for k in SubjectKind}
    out: list[Scenario] = []
    for i, raw in enumerate(raw_list):
        where = f"scenarios[{i}]"
        if not isinstance(raw, dict):
            raise CatalogError(file, where, "须为键值表")
        sid = required_text(raw, "id", file, where)
        if any(s.id == sid for s in out):
            raise CatalogError(file, f"{where}.id", f"重复的 id“{sid}”")
        subject_kinds = tuple(raw.get("subject_kinds") or ())
        if not subject_kinds or any(k not in kinds for k in subject_kinds):
            raise CatalogError(
                file, f"{where}.subject_kinds", f"须为主体类别列表（{'、'.join(kinds)}）"
            )
        person_basis = raw.get("person_basis")
        if SubjectKind.PERSON.value in subject_kinds and not (
            isinstance(person_basis, str) and person_basis.strip()
        ):
            raise CatalogError(file, f"{where}.person_basis", "面向自然人的场景须写明法律依据")
        out.append(
            Scenario(
                id=sid,
                title=required_text(raw, "title", file, where),
                benefit=required_text(raw, "benefit", file, where),
                grantor=required_text(raw, "grantor", file, where),
                subject_kinds=subject_kinds,
                basis=required_text(raw, "basis", file, where),
                person_basis=person_basis.strip() if isinstance(person_basis, str) else None,
                conditions=Rule.parse(raw.get("conditions"), file, f"{where}.conditions"),
            )
        )
    return ScenarioCatalog(version, tuple(out))


def load(catalog_dir: Path | None = None, override_dir: Path | None = None) -> ScenarioCatalog:
    settings = get_settings()
    catalog_dir = catalog_dir or settings.catalog_dir
    override_dir = override_dir if override_dir is not None else settings.catalog_override_dir
    data, path = read_package_file(FILE, catalog_dir, override_dir)
    return parse(data, path)
