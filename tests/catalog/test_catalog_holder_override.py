"""Override directory merging by file, and the holder that keeps the last good catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.catalog.conftest import Edit, read_yaml, write_yaml
from xinyong.catalog import CatalogError, CatalogHolder, load_catalog


def test_holder_keeps_last_good_version_when_a_bad_file_arrives(
    catalog_copy: Path, edit: Edit
) -> None:
    holder = CatalogHolder(catalog_copy)
    good = holder.current

    def bad(data: dict[str, Any]) -> None:
        data["fields"][0]["colour"] = "red"

    edit("info_classes/penalty.yaml", bad)
    with pytest.raises(CatalogError):
        holder.reload()
    assert holder.current is good

    def fixed(data: dict[str, Any]) -> None:
        del data["fields"][0]["colour"]
        data["title"] = "行政处罚信息（修订）"

    edit("info_classes/penalty.yaml", fixed)
    new = holder.reload()
    assert holder.current is new
    assert new.version != good.version
    assert new.info_class("penalty").title == "行政处罚信息（修订）"


def test_override_file_replaces_the_shipped_file(shipped_dir: Path, tmp_path: Path) -> None:
    override = tmp_path / "override"
    data = read_yaml(shipped_dir / "lists/watch.yaml")
    data["validity"] = {"months": 24}
    data["domain"] = "交通运输"
    write_yaml(override / "lists/watch.yaml", data)
    catalog = load_catalog(shipped_dir, override)
    watch = catalog.list_type("watch")
    assert watch.validity.months == 24
    assert watch.domain == "交通运输"
    assert catalog.files["lists/watch.yaml"] == str(override / "lists/watch.yaml")
    assert catalog.version != load_catalog(shipped_dir).version


def test_override_new_files_add_entries(shipped_dir: Path, tmp_path: Path) -> None:
    override = tmp_path / "override"
    local_list = read_yaml(shipped_dir / "lists/watch.yaml")
    local_list.update(id="food_watch", title="食品安全重点关注名单", domain="食品安全")
    write_yaml(override / "lists/food_watch.yaml", local_list)
    write_yaml(
        override / "measures/local.yaml",
        {
            "id": "local",
            "title": "地方补充措施清单",
            "version": "2026.1",
            "measures": [
                {
                    "id": "food_extra_inspection",
                    "content": "食品经营抽检频次加倍",
                    "measure_class": 2,
                    "kind": "punishment",
                    "target_list_types": ["food_watch"],
                    "matters": ["supervision"],
                    "implementer": "市场监督管理局",
                    "mandatory": False,
                    "source": "地方补充",
                }
            ],
        },
    )
    catalog = load_catalog(shipped_dir, override)
    shipped = load_catalog(shipped_dir)
    assert set(catalog.list_types) == set(shipped.list_types) | {"food_watch"}
    assert set(catalog.measures) == set(shipped.measures) | {"food_extra_inspection"}
    assert [m.id for m in catalog.measures_for("food_watch")] == ["food_extra_inspection"]


def test_override_entry_clashing_with_a_shipped_id_is_refused(
    shipped_dir: Path, tmp_path: Path
) -> None:
    override = tmp_path / "override"
    group = read_yaml(shipped_dir / "measures/red_list_incentives.yaml")
    group["id"] = "zz_copy"
    write_yaml(override / "measures/zz_copy.yaml", group)
    with pytest.raises(CatalogError, match="重复"):
        load_catalog(shipped_dir, override)


def test_missing_override_directory_is_an_error(shipped_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="覆盖目录不存在"):
        load_catalog(shipped_dir, tmp_path / "nowhere")
