"""Load, validate and merge the catalog; compute its version; keep the last good one.

The shipped defaults live in `catalogs/`; a credit office's override directory is merged at the leaf
by file: a file with the same relative path replaces the shipped one, a new file adds entries. The
version is the SM3 hash of a canonical JSON dump of everything parsed, so two platforms with the
same content have the same version, and every stored decision can name the catalog it used.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes
from pydantic import BaseModel, ValidationError

from xinyong.catalog.crossref import Parsed, check_references
from xinyong.catalog.errors import CatalogEntryNotFound, CatalogError
from xinyong.catalog.schema import CodeTable, InfoClass
from xinyong.catalog.schema_lists import ListType, Matter, Matters, Measure, MeasureGroup
from xinyong.catalog.schema_rules import DisclosureRules, SeverityTable
from xinyong.catalog.schema_workflows import (
    WORKFLOW_FILES,
    CommitmentTemplates,
    ObjectionRules,
    RegistrationRules,
    RepairRules,
    Workflows,
    workflow_issues,
)
from xinyong.catalog.yaml_io import parse_yaml, read_text
from xinyong.log import get_logger

log = get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Directories with one entry per file (file stem == id), and single files.
ENTRY_DIRS: dict[str, type[BaseModel]] = {
    "info_classes": InfoClass,
    "lists": ListType,
    "code_tables": CodeTable,
    "severity": SeverityTable,
    "measures": MeasureGroup,
}
SINGLE_FILES: dict[str, type[BaseModel]] = {
    "disclosure_rules.yaml": DisclosureRules,
    "matters.yaml": Matters,
    **WORKFLOW_FILES,
}
# Files another package validates (evaluation: supervision classes, ratios, frequencies) whose
# content the grade and check answers rest on: parsed here only to be part of the version hash
# (and of the stored texts), so a change of supervision classes changes the catalog version.
VERSIONED_FILES = ("supervision.yaml",)
SHORT_VERSION = 16


@dataclass(frozen=True, slots=True)
class Catalog:
    """The parsed, cross-checked catalog. Immutable; a reload builds a new one."""

    version: str  # full SM3 hex digest of the canonical content
    info_classes: Mapping[str, InfoClass]
    list_types: Mapping[str, ListType]
    measures: Mapping[str, Measure]
    matters: Mapping[str, Matter]
    code_tables: Mapping[str, CodeTable]
    disclosure_rules: DisclosureRules
    severity_tables: Mapping[str, SeverityTable]
    workflows: Workflows
    files: Mapping[str, str] = field(default_factory=dict)  # relative path → file actually loaded
    texts: Mapping[str, str] = field(default_factory=dict)  # relative path → the text parsed

    @property
    def short_version(self) -> str:
        return self.version[:SHORT_VERSION]

    def info_class(self, class_id: str) -> InfoClass:
        return _get(self.info_classes, class_id, "信息类")

    def list_type(self, list_type_id: str) -> ListType:
        return _get(self.list_types, list_type_id, "名单类型")

    def measure(self, measure_id: str) -> Measure:
        return _get(self.measures, measure_id, "措施")

    def code_table(self, table_id: str) -> CodeTable:
        return _get(self.code_tables, table_id, "代码表")

    def severity_table(self, table_id: str) -> SeverityTable:
        return _get(self.severity_tables, table_id, "严重程度分类表")

    def measures_for(self, list_type_id: str, matter: str | None = None) -> list[Measure]:
        """Measures targeting a list type, optionally only those for one matter."""
        return [
            m
            for m in self.measures.values()
            if list_type_id in m.target_list_types and (matter is None or matter in m.matters)
        ]


def _get(entries: Mapping[str, T], wanted: str, kind: str) -> T:
    try:
        return entries[wanted]
    except KeyError:
        raise CatalogEntryNotFound(kind, wanted, list(entries)) from None


def load_catalog(directory: Path, override_dir: Path | None = None) -> Catalog:
    """Load `directory` (the shipped `catalogs/`), merge `override_dir`, validate, and hash."""
    files = collect_files(directory, override_dir)
    for name in SINGLE_FILES:
        if name not in files:
            raise CatalogError(str(directory / name), "", "缺少必需的目录文件")
    return _build({rel: (str(path), read_text(path)) for rel, path in files.items()})


def load_catalog_texts(texts: Mapping[str, str], origin: str) -> Catalog:
    """A catalog from the texts of its files (relative path → text) as `catalog_versions` keeps
    them; errors name `origin/<relative path>`. Same checks and hash as `load_catalog`."""
    for name in SINGLE_FILES:
        if name not in texts:
            raise CatalogError(f"{origin}/{name}", "", "缺少必需的目录文件")
    return _build({rel: (f"{origin}/{rel}", texts[rel]) for rel in sorted(texts)})


def _build(sources: Mapping[str, tuple[str, str]]) -> Catalog:
    """Parse, cross-check and hash the files (relative path → (where it came from, text))."""
    parsed: dict[str, list[tuple[str, BaseModel]]] = {}
    versioned: dict[str, dict[str, Any]] = {}
    for rel, (file, text) in sources.items():
        if rel in VERSIONED_FILES:
            versioned[rel] = parse_yaml(text, file)
            continue
        kind = rel.split("/", 1)[0] if "/" in rel else rel
        model = ENTRY_DIRS.get(kind) or SINGLE_FILES.get(rel)
        if model is None:
            raise CatalogError(file, "", "不属于任何目录类型")
        entry = _parse(file, text, model)
        stem = Path(rel).stem
        if "/" in rel and getattr(entry, "id", None) != stem:
            reason = f"id（{getattr(entry, 'id', None)}）须与文件名（{stem}）一致"
            raise CatalogError(file, "id", reason)
        parsed.setdefault(kind, []).append((file, entry))
    data = _assemble(parsed)
    issues = check_references(data)
    if issues:
        first_file = issues[0][0]
        raise CatalogError.from_issues(
            first_file, [(k, r) for f, k, r in issues if f == first_file]
        )
    workflows = _workflows(parsed, data)
    catalog = Catalog(
        version=_content_hash(data, workflows, versioned),
        info_classes=data.info_classes,
        list_types=data.list_types,
        measures=data.measures,
        matters=data.matters,
        code_tables=data.code_tables,
        disclosure_rules=data.disclosure_rules,
        severity_tables=data.severity_tables,
        workflows=workflows,
        files=MappingProxyType({rel: file for rel, (file, _) in sources.items()}),
        texts=MappingProxyType({rel: text for rel, (_, text) in sources.items()}),
    )
    log.info("catalog loaded", version=catalog.short_version, files=len(sources))
    return catalog


def collect_files(directory: Path, override_dir: Path | None) -> dict[str, Path]:
    if not directory.is_dir():
        raise CatalogError(str(directory), "", "目录不存在")
    if override_dir is not None and not override_dir.is_dir():
        raise CatalogError(str(override_dir), "", "覆盖目录不存在")
    files: dict[str, Path] = {}
    for root in (directory, override_dir):
        if root is None:
            continue
        for kind in ENTRY_DIRS:
            for path in sorted((root / kind).glob("*.yaml")):
                files[f"{kind}/{path.name}"] = path
        for name in (*SINGLE_FILES, *VERSIONED_FILES):
            if (root / name).is_file():
                files[name] = root / name
    return dict(sorted(files.items()))


def _parse(file: str, text: str, model: type[M]) -> M:
    raw = parse_yaml(text, file)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError.from_validation(file, exc) from None


def _entries(
    parsed: dict[str, list[tuple[str, BaseModel]]], kind: str
) -> Iterator[tuple[str, Any]]:
    yield from parsed.get(kind, [])


def _assemble(parsed: dict[str, list[tuple[str, BaseModel]]]) -> Parsed:
    origin: dict[tuple[str, str], tuple[str, str]] = {}

    def index(kind: str, items: list[tuple[str, str, T]]) -> Mapping[str, T]:
        out: dict[str, T] = {}
        for file, prefix, item in items:
            item_id: str = getattr(item, "id")  # noqa: B009 — every entry model has an id
            if item_id in out:
                first, _ = origin[(kind, item_id)]
                raise CatalogError(
                    file, f"{prefix}.id" if prefix else "id", f"id“{item_id}”与 {first} 重复"
                )
            out[item_id] = item
            origin[(kind, item_id)] = (file, prefix)
        return MappingProxyType(out)

    def singles(directory: str) -> list[tuple[str, str, Any]]:
        return [(file, "", entry) for file, entry in _entries(parsed, directory)]

    groups: list[tuple[str, MeasureGroup]] = list(_entries(parsed, "measures"))
    measure_items = [(f, f"measures[{i}]", m) for f, g in groups for i, m in enumerate(g.measures)]
    ((rules_file, rules),) = _entries(parsed, "disclosure_rules.yaml")
    ((matters_file, matters),) = _entries(parsed, "matters.yaml")
    origin[("disclosure_rules", rules.id)] = (rules_file, "")
    return Parsed(
        info_classes=index("info_classes", singles("info_classes")),
        list_types=index("list_types", singles("lists")),
        measures=index("measures", measure_items),
        matters=index(
            "matters", [(matters_file, f"matters[{i}]", m) for i, m in enumerate(matters.matters)]
        ),
        code_tables=index("code_tables", singles("code_tables")),
        disclosure_rules=rules,
        severity_tables=index("severity_tables", singles("severity")),
        origin=origin,
    )


def _workflows(parsed: dict[str, list[tuple[str, BaseModel]]], data: Parsed) -> Workflows:
    def pick(model: type[M]) -> tuple[str, M]:
        for file, entry in _entries(parsed, "workflows"):
            if isinstance(entry, model):
                return file, entry
        raise CatalogError("workflows", "", f"缺少必需的目录文件（{model.__name__}）")

    repair_file, repair = pick(RepairRules)
    templates_file, templates = pick(CommitmentTemplates)
    workflows = Workflows(repair, pick(ObjectionRules)[1], templates, pick(RegistrationRules)[1])
    issues = workflow_issues(workflows, set(data.matters))
    if issues:
        file = repair_file if issues[0][0] == "commitment_template" else templates_file
        raise CatalogError.from_issues(file, issues)
    return workflows


def _content_hash(
    data: Parsed, workflows: Workflows, versioned: Mapping[str, dict[str, Any]]
) -> str:
    def dump(entries: Mapping[str, BaseModel]) -> dict[str, Any]:
        return {key: entries[key].model_dump(mode="json", by_alias=True) for key in sorted(entries)}

    content = {
        "info_classes": dump(data.info_classes),
        "list_types": dump(data.list_types),
        "measures": dump(data.measures),
        "matters": dump(data.matters),
        "code_tables": dump(data.code_tables),
        "disclosure_rules": data.disclosure_rules.model_dump(mode="json", by_alias=True),
        "severity_tables": dump(data.severity_tables),
        "workflows": {
            "repair": workflows.repair.model_dump(mode="json", by_alias=True),
            "objections": workflows.objections.model_dump(mode="json", by_alias=True),
            "commitment_templates": workflows.commitment_templates.model_dump(
                mode="json", by_alias=True
            ),
            "registrations": workflows.registrations.model_dump(mode="json", by_alias=True),
        },
    }
    if versioned:  # absent from versions stored before them, whose hashes still verify
        content["versioned"] = {rel: versioned[rel] for rel in sorted(versioned)}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                           default=str)  # fmt: skip
    digest = hashes.Hash(hashes.SM3())
    digest.update(canonical.encode("utf-8"))
    return digest.finalize().hex()


class CatalogHolder:
    """Keeps the last good catalog. A failed reload raises and leaves `current` unchanged."""

    def __init__(self, directory: Path, override_dir: Path | None = None) -> None:
        self.directory = directory
        self.override_dir = override_dir
        self._lock = threading.Lock()
        self._current = load_catalog(directory, override_dir)

    @property
    def current(self) -> Catalog:
        return self._current

    def reload(self) -> Catalog:
        with self._lock:
            try:
                catalog = load_catalog(self.directory, self.override_dir)
            except CatalogError as exc:
                log.warning(
                    "catalog reload refused; keeping last good version",
                    version=self._current.short_version,
                    file=exc.file,
                    key=exc.key,
                )
                raise
            self._current = catalog
            return catalog
