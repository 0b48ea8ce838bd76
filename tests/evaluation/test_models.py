"""Evaluation models as data: the shipped models load; the loader refuses what it must."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import CATALOG_DIR
from xinyong.catalog import Catalog, CatalogError
from xinyong.evaluation import load_model_file, load_models

KINDS = {"enterprise", "individual_business", "social_org", "public_institution", "government"}


def test_shipped_models_cover_every_organisation_kind_and_no_person(catalog: Catalog) -> None:
    models = load_models(CATALOG_DIR, catalog)
    assert set(models.by_kind) == KINDS
    for loaded in models.models.values():
        assert loaded.version.startswith(loaded.model.version + "+")
        for _dim, ind in loaded.model.indicators:
            assert ind.provenance  # where it comes from
            assert ind.weight_basis  # whose weight


def _write(tmp_path: Path, change: dict[str, object], path: tuple[object, ...] = ()) -> Path:
    data = yaml.safe_load((CATALOG_DIR / "evaluation" / "enterprise.yaml").read_text("utf-8"))
    target = data
    for step in path:
        target = target[step]
    target.update(change)
    out = tmp_path / "evaluation" / "enterprise.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return out


FIRST = ("dimensions", 0, "indicators", 0)
KEY = "dimensions[0].indicators[0].source"


@pytest.mark.parametrize(
    ("change", "path", "key", "reason"),
    [
        (
            {"source": {"info_class": "social_media_posts"}},
            FIRST,
            f"{KEY}.info_class",
            "未编入公共信用信息目录",
        ),
        ({"source": {"info_class": "court_defaulter"}}, FIRST, f"{KEY}.info_class", "名单类信息"),
        (
            {"source": {"info_class": "sector_grade"}},
            FIRST,
            f"{KEY}.info_class",
            "其他机关的信用评价结果",
        ),
        (
            {"source": {"info_class": "penalty", "field": "legal_rep_id_number"}},
            FIRST,
            f"{KEY}.field",
            "个人身份信息",
        ),
        (
            {"source": {"info_class": "penalty", "field": "subject_name"}},
            FIRST,
            f"{KEY}.field",
            "不是数值",
        ),
        ({"source": {"list_type": "blacklist_of_my_own"}}, FIRST, f"{KEY}.list_type", "不在目录中"),
        (
            {"source": {"subject_field": "registered_capital"}},
            FIRST,
            f"{KEY}.subject_field",
            "不允许的键",
        ),
        ({"subject_kinds": ["person"], "legal_basis": []}, (), "legal_basis", "法律依据"),
    ],
)
def test_loader_refuses_naming_file_key_and_reason(
    tmp_path: Path,
    catalog: Catalog,
    change: dict[str, object],
    path: tuple[object, ...],
    key: str,
    reason: str,
) -> None:
    file = _write(tmp_path, change, path)
    with pytest.raises(CatalogError) as caught:
        load_model_file(file, catalog)
    assert caught.value.file == str(file)
    assert caught.value.key == key
    assert reason in caught.value.reason


def test_a_person_model_with_a_legal_basis_is_accepted(tmp_path: Path, catalog: Catalog) -> None:
    file = _write(tmp_path, {"subject_kinds": ["person"]})
    assert load_model_file(file, catalog).model.legal_basis


def test_changed_weight_is_a_new_version(tmp_path: Path, catalog: Catalog) -> None:
    shipped = load_model_file(CATALOG_DIR / "evaluation" / "enterprise.yaml", catalog)
    changed = load_model_file(_write(tmp_path, {"points": 21}, FIRST), catalog)
    assert shipped.model.version == changed.model.version
    assert shipped.version != changed.version


def test_override_directory_replaces_a_model(tmp_path: Path, catalog: Catalog) -> None:
    _write(tmp_path, {"title": "本地企业评价模型"})
    models = load_models(CATALOG_DIR, catalog, tmp_path)
    assert models.get("enterprise").model.title == "本地企业评价模型"
    assert models.for_kind("government") is not None
