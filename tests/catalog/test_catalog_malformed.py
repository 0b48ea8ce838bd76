"""A malformed catalog is refused, and the message names the file, the key and the reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import Edit, read_yaml, write_yaml
from xinyong.catalog import CatalogError, load_catalog
from xinyong.errors import ConfigurationError

Mutate = Callable[[dict[str, Any]], None]


def _set(path: list[str | int], value: object) -> Mutate:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(key: str) -> Mutate:
    def mutate(data: dict[str, Any]) -> None:
        del data[key]

    return mutate


def _measure_index(catalog_copy: Path, measure_id: str) -> int:
    measures = read_yaml(catalog_copy / "measures/national_basic.yaml")["measures"]
    return next(i for i, m in enumerate(measures) if m["id"] == measure_id)


CASES = [
    # (file, mutation, key, reason fragment)
    ("info_classes/penalty.yaml", _set(["colour"], "red"), "colour", "不允许的键"),
    (
        "info_classes/penalty.yaml",
        _set(["fields", 3, "colour"], "red"),
        "fields[3].colour",
        "不允许的键",
    ),
    ("lists/watch.yaml", _delete("deciding_authority"), "deciding_authority", "缺少必填键"),
    (
        "info_classes/licence.yaml",
        _set(["timeliness_working_days"], "seven"),
        "timeliness_working_days",
        "类型不符",
    ),
    (
        "info_classes/licence.yaml",
        _set(["fields", 0, "type"], "string"),
        "fields[0].type",
        "取值不在允许范围内",
    ),
    (
        "info_classes/penalty.yaml",
        _set(["fields", 1, "code_table"], "no_such_table"),
        "fields[1].code_table",
        "不存在的代码表",
    ),
    (
        "info_classes/penalty.yaml",
        _set(["natural_key", 0], "no_such_field"),
        "natural_key[0]",
        "不是本信息类的数据项",
    ),
    (
        "info_classes/penalty.yaml",
        _set(["fields", 2, "required_when", "field"], "nobody"),
        "fields[2].required_when.field",
        "不存在的数据项",
    ),
    (
        "info_classes/penalty.yaml",
        _set(["fields", 2, "required_when", "in"], ["法人"]),
        "fields[2].required_when",
        "不是数据项 subject_category 的代码表",
    ),
    (
        "info_classes/penalty.yaml",
        _set(["disclosure", "rule"], "forever"),
        "disclosure.rule",
        "不存在的公示规则",
    ),
    ("info_classes/honour.yaml", _set(["legal_basis"], []), "legal_basis", "不能为空"),
    ("lists/red.yaml", _set(["kind"], "pink"), "kind", "取值不在允许范围内"),
    ("lists/watch.yaml", _set(["max_measure_class"], 1), "", "重点关注名单只能适用第二、三类措施"),
    (
        "severity/default.yaml",
        _set(["rules", 0, "when", "kinds_any"], ["打板子"]),
        "rules[0].when.kinds_any[0]",
        "不在代码表 penalty_kind 中",
    ),
    (
        "disclosure_rules.yaml",
        _set(["rules", 0, "severity_table"], "nowhere"),
        "rules[0].severity_table",
        "不存在的严重程度分类表",
    ),
]


@pytest.mark.parametrize(("rel", "mutate", "key", "reason"), CASES)
def test_malformed_file_is_refused_with_file_key_and_reason(
    catalog_copy: Path, edit: Edit, rel: str, mutate: Mutate, key: str, reason: str
) -> None:
    path = edit(rel, mutate)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    error = caught.value
    assert isinstance(error, ConfigurationError)
    assert error.file == str(path)
    assert error.key == key
    assert reason in error.reason
    assert str(path) in error.message
    assert reason in error.message
    if key:
        assert key in error.message


def test_class_one_measure_without_legal_basis_is_refused(catalog_copy: Path, edit: Edit) -> None:
    i = _measure_index(catalog_copy, "high_consumption_ban")
    path = edit("measures/national_basic.yaml", _set(["measures", i, "legal_basis"], []))
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert caught.value.file == str(path)
    assert caught.value.key == f"measures[{i}].legal_basis"
    assert "第一类措施" in caught.value.message


def test_class_one_measure_citing_only_a_policy_is_refused(catalog_copy: Path, edit: Edit) -> None:
    i = _measure_index(catalog_copy, "procurement_exclusion")
    policy = [{"law": "国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见"}]
    edit("measures/national_basic.yaml", _set(["measures", i, "legal_basis"], policy))
    with pytest.raises(CatalogError, match="第一类措施"):
        load_catalog(catalog_copy)


def test_measure_heavier_than_its_list_allows_is_refused(catalog_copy: Path, edit: Edit) -> None:
    i = _measure_index(catalog_copy, "procurement_exclusion")
    edit("measures/national_basic.yaml", _set(["measures", i, "target_list_types"], ["watch"]))
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert caught.value.key == f"measures[{i}].measure_class"
    assert "过惩相当" in caught.value.reason


def test_measure_with_unknown_list_and_matter_reports_both(catalog_copy: Path, edit: Edit) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["measures"][0]["target_list_types"] = ["blacklist"]
        data["measures"][0]["matters"] = ["lottery"]

    edit("measures/red_list_incentives.yaml", mutate)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    keys = [issue["key"] for issue in caught.value.details["issues"]]
    assert keys == ["measures[0].target_list_types[0]", "measures[0].matters[0]"]


def test_yaml_syntax_error_names_file_and_line(catalog_copy: Path) -> None:
    path = catalog_copy / "lists/watch.yaml"
    path.write_text("id: watch\ntitle: 重点关注名单\nentry_criteria: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert caught.value.file == str(path)
    assert "YAML 语法错误" in caught.value.reason
    assert "第 4 行" in caught.value.reason or "第 3 行" in caught.value.reason


def test_duplicate_yaml_key_is_refused(catalog_copy: Path) -> None:
    path = catalog_copy / "matters.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "title: 又一个标题\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="重复的键“title”"):
        load_catalog(catalog_copy)


def test_top_level_must_be_a_mapping(catalog_copy: Path) -> None:
    (catalog_copy / "code_tables/publicity.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="顶层须为键值映射"):
        load_catalog(catalog_copy)


def test_duplicate_measure_id_across_files_is_refused(catalog_copy: Path) -> None:
    group = read_yaml(catalog_copy / "measures/red_list_incentives.yaml")
    group["id"] = "zz_local_incentives"  # loaded after the shipped file (sorted)
    path = write_yaml(catalog_copy / "measures/zz_local_incentives.yaml", group)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert caught.value.file == str(path)
    assert caught.value.key == "measures[0].id"
    assert "重复" in caught.value.reason
    assert "red_list_incentives.yaml" in caught.value.reason


def test_file_name_must_match_id(catalog_copy: Path) -> None:
    data = read_yaml(catalog_copy / "lists/watch.yaml")
    path = write_yaml(catalog_copy / "lists/watch_copy.yaml", data)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert caught.value.file == str(path)
    assert caught.value.key == "id"


def test_missing_required_file_is_refused(catalog_copy: Path) -> None:
    (catalog_copy / "disclosure_rules.yaml").unlink()
    with pytest.raises(CatalogError, match=r"disclosure_rules\.yaml"):
        load_catalog(catalog_copy)


def test_bad_catalog_fixture_is_refused(tmp_path: Path, catalog_copy: Path) -> None:
    """tests/catalog/data/bad_info_class.yaml: a hand-written file with several faults at once."""
    fixture = Path(__file__).parent / "data" / "bad_info_class.yaml"
    target = catalog_copy / "info_classes" / "bad_info_class.yaml"
    target.write_bytes(fixture.read_bytes())
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    keys = {issue["key"] for issue in caught.value.details["issues"]}
    assert {"provider", "quality.min_fill_rate", "fields[0].type"} <= keys
    assert "等共" in caught.value.message or "另有" in caught.value.message
