"""Fixtures for catalog tests: the shipped catalog directory and editable copies of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "catalogs"

Edit = Callable[[str, Callable[[dict[str, Any]], None]], Path]


@pytest.fixture
def shipped_dir() -> Path:
    return SHIPPED


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A private copy of catalogs/ that a test may break."""
    target = tmp_path / "catalogs"
    shutil.copytree(SHIPPED, target)
    return target


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def edit(catalog_copy: Path) -> Edit:
    """edit("info_classes/penalty.yaml", mutate) rewrites one file of the copy through `mutate`."""

    def apply(rel: str, mutate: Callable[[dict[str, Any]], None]) -> Path:
        path = catalog_copy / rel
        data = read_yaml(path)
        mutate(data)
        return write_yaml(path, data)

    return apply
