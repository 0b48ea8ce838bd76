"""Load the evaluation models (`catalogs/evaluation/*.yaml`) and check them against the catalog.

Refused, naming file, key and reason like every catalog file:
- an indicator (or ratio denominator) reading anything not catalogued as credit information: an
  info class or list type the catalog does not have, a list-entry class read as records (list
  entries are read through `list_type` / `list_kind`, with their validity), another body's
  evaluation result (category 信用评价结果信息: sector grades stay beside ours), a field that is not
  a numeric field of the class, or a personal identifier;
- a model for natural persons that names no legal basis (none ships);
- two models for the same subject kind.
A model's version is its `version` plus the first 8 hex digits of the SM3 hash of its content, so a
changed weight is a new version even when the author forgot to bump `version`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from cryptography.hazmat.primitives import hashes
from pydantic import ValidationError

from xinyong.catalog import Catalog, CatalogError, InfoClass
from xinyong.catalog.yaml_io import read_yaml
from xinyong.enums import SubjectKind
from xinyong.evaluation.schema import EvaluationModel, Source
from xinyong.evaluation.sector_grades import EXCLUDED_CATEGORY

DIRECTORY = "evaluation"
NUMERIC = ("decimal", "integer")


@dataclass(frozen=True, slots=True)
class LoadedModel:
    model: EvaluationModel
    version: str  # "2026.1+1a2b3c4d"
    file: str

    @property
    def id(self) -> str:
        return self.model.id


@dataclass(frozen=True, slots=True)
class ModelSet:
    models: Mapping[str, LoadedModel]
    by_kind: Mapping[str, str]  # subject kind → model id

    def get(self, model_id: str) -> LoadedModel:
        try:
            return self.models[model_id]
        except KeyError:
            raise CatalogError(
                DIRECTORY, model_id, f"没有评价模型“{model_id}”，可选：" + "、".join(self.models)
            ) from None

    def for_kind(self, kind: str) -> LoadedModel | None:
        model_id = self.by_kind.get(kind)
        return self.models[model_id] if model_id else None


def load_models(directory: Path, catalog: Catalog, override_dir: Path | None = None) -> ModelSet:
    """Every model under `<directory>/evaluation/`; an override file of that name replaces it."""
    files: dict[str, Path] = {}
    for root in (directory, override_dir):
        if root is not None:
            files.update({p.name: p for p in sorted((root / DIRECTORY).glob("*.yaml"))})
    models: dict[str, LoadedModel] = {}
    by_kind: dict[str, str] = {}
    for name in sorted(files):
        loaded = load_model_file(files[name], catalog)
        for kind in loaded.model.subject_kinds:
            if kind.value in by_kind:
                raise CatalogError(
                    loaded.file,
                    "subject_kinds",
                    f"主体类型 {kind.value} 已由模型 {by_kind[kind.value]} 评价",
                )
            by_kind[kind.value] = loaded.id
        models[loaded.id] = loaded
    return ModelSet(MappingProxyType(models), MappingProxyType(by_kind))


def load_model_file(path: Path, catalog: Catalog) -> LoadedModel:
    raw = read_yaml(path)
    try:
        model = EvaluationModel.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError.from_validation(str(path), exc) from None
    if model.id != path.stem:
        raise CatalogError(str(path), "id", f"id（{model.id}）须与文件名（{path.stem}）一致")
    issues = model_issues(model, catalog)
    if issues:
        raise CatalogError.from_issues(str(path), issues)
    return LoadedModel(model, f"{model.version}+{content_hash(model)[:8]}", str(path))


def model_issues(model: EvaluationModel, catalog: Catalog) -> list[tuple[str, str]]:
    issues: list[tuple[str, str]] = []
    if SubjectKind.PERSON in model.subject_kinds and not model.legal_basis:
        issues.append(
            ("legal_basis", "评价自然人的模型须写明法律依据（legal_basis），否则不得评价个人")
        )
    for d_index, dim in enumerate(model.dimensions):
        for i_index, ind in enumerate(dim.indicators):
            key = f"dimensions[{d_index}].indicators[{i_index}]"
            issues += [(f"{key}.source{k}", r) for k, r in source_issues(ind.source, catalog)]
            if ind.rule.of is not None:
                issues += [(f"{key}.rule.of{k}", r) for k, r in source_issues(ind.rule.of, catalog)]
    for o_index, o in enumerate(model.overrides):
        for t_index, lt in enumerate(o.when.list_type):
            if lt not in catalog.list_types:
                issues.append(
                    (f"overrides[{o_index}].when.list_type[{t_index}]", f"名单类型“{lt}”不在目录中")
                )
    return issues


def source_issues(source: Source, catalog: Catalog) -> list[tuple[str, str]]:
    """Why a source is not catalogued credit information ([] when it is)."""
    if source.list_type is not None and source.list_type not in catalog.list_types:
        return [(".list_type", f"名单类型“{source.list_type}”不在目录中，不是已编目的信用信息")]
    info = catalog.info_classes.get(source.info_class or "")
    if source.info_class is not None and info is None:
        return [(".info_class", f"“{source.info_class}”未编入公共信用信息目录，评价不得读取")]
    if info is not None and (why := _class_issue(info)):
        return [(".info_class", why)]
    if info is None or source.field is None:
        return []
    field = next((f for f in info.fields if f.id == source.field), None)
    if field is None:
        why = f"信息类“{info.id}”没有数据项“{source.field}”"
    elif field.type == "id_number" or (not field.public and field.type not in NUMERIC):
        why = f"数据项“{field.label}”是个人身份信息，评价不得读取"
    elif field.type not in NUMERIC:
        why = f"数据项“{field.label}”不是数值，无法用于阈值规则"
    else:
        return []
    return [(".field", why)]


def _class_issue(info: InfoClass) -> str | None:
    """Why a catalogued class cannot be read as records by an indicator (None: it can)."""
    if info.category == EXCLUDED_CATEGORY:
        return f"“{info.id}”是其他机关的信用评价结果，只与本评价并列展示，不得作为评价指标"
    if info.kind == "list_entry":
        return f"“{info.id}”是名单类信息，请用 list_type 读取（含有效期）"
    return None


def content_hash(model: EvaluationModel) -> str:
    canonical = json.dumps(
        model.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    digest = hashes.Hash(hashes.SM3())
    digest.update(canonical.encode("utf-8"))
    return digest.finalize().hex()
