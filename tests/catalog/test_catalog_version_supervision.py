"""supervision.yaml is part of the catalog version that every grade and check answer cites: a
change of supervision classes (or ratios, frequencies, mappings) changes the version; a comment
does not; the stored texts rebuild the same version; a bad file is refused naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong.catalog import CatalogError, load_catalog
from xinyong.catalog.loader import load_catalog_texts


def test_a_change_of_supervision_classes_changes_the_version(catalog_copy: Path) -> None:
    before = load_catalog(catalog_copy)
    assert "supervision.yaml" in before.texts
    path = catalog_copy / "supervision.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("# 注释不改变内容\n" + text, encoding="utf-8")
    assert load_catalog(catalog_copy).version == before.version  # content, not formatting
    path.write_text(text.replace("{id: C, title: 信用风险较高}", "{id: C, title: 信用风险偏高}"),
                    encoding="utf-8")  # fmt: skip
    changed = load_catalog(catalog_copy)
    assert changed.version != before.version
    assert load_catalog_texts(changed.texts, "stored").version == changed.version


def test_a_ratio_change_changes_the_version_and_an_override_counts(
    catalog_copy: Path, tmp_path: Path
) -> None:
    before = load_catalog(catalog_copy)
    override = tmp_path / "override"
    override.mkdir()
    text = (catalog_copy / "supervision.yaml").read_text(encoding="utf-8")
    (override / "supervision.yaml").write_text(text.replace("ratio: 0.03", "ratio: 0.05", 1),
                                               encoding="utf-8")  # fmt: skip
    assert load_catalog(catalog_copy, override).version != before.version


def test_a_malformed_supervision_file_is_refused_naming_it(catalog_copy: Path) -> None:
    (catalog_copy / "supervision.yaml").write_text("classes: [A, B\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert "supervision.yaml" in str(caught.value)
