"""Strict YAML reading for catalog files: syntax errors and duplicate keys name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from xinyong.catalog.errors import CatalogError

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's scanner: ~5× faster


class _StrictLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键“{key}”", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse one catalog file; the top level must be a mapping."""
    return parse_yaml(read_text(path), str(path))


def read_text(path: Path) -> str:
    """A catalog file's text (UTF-8), or a CatalogError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(str(path), "", f"无法读取文件（{exc}）") from None


def parse_yaml(text: str, file: str) -> dict[str, Any]:
    """Parse a catalog file's text (`file` names it in errors); the top level must be a mapping."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else "未知位置"
        problem = exc.problem or exc.context or "语法错误"
        raise CatalogError(file, "", f"YAML 语法错误，{line}：{problem}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(file, "", f"YAML 语法错误：{exc}") from None
    if not isinstance(data, dict):
        raise CatalogError(file, "", "文件顶层须为键值映射（mapping）")
    return data


def read_package_file(
    relative: Path, catalog_dir: Path, override_dir: Path | None
) -> tuple[dict[str, Any], str]:
    """A catalog file another package owns (e.g. `financing/financing.yaml`): the override
    directory's copy when there is one; returns the data and the path it came from."""
    path = catalog_dir / relative
    if override_dir is not None and (override_dir / relative).is_file():
        path = override_dir / relative
    if not path.is_file():
        raise CatalogError(str(path), "", "缺少必需的目录文件")
    return read_yaml(path), str(path)


def required_text(data: dict[str, Any], key: str, file: str, where: str = "") -> str:
    """A non-empty text value, or a CatalogError naming file and key."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(file, f"{where}.{key}" if where else key, "必填，须为非空文本")
    return value.strip()
