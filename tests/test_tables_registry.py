"""The tables package loads a table's module on first use of its name (issue 12, start-up):
every mapped class is reachable by name, and `register_all` puts every table on the metadata."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

from xinyong.config import REPO_ROOT
from xinyong.db import tables
from xinyong.db.base import Base


def _mapped_classes() -> dict[str, str]:
    found = {}
    for module in pkgutil.iter_modules(tables.__path__):
        loaded = importlib.import_module(f"xinyong.db.tables.{module.name}")
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and issubclass(value, Base)
                and value is not Base
                and value.__module__ == loaded.__name__
            ):
                found[name] = module.name
    return found


def test_every_mapped_class_is_named_by_the_package() -> None:
    classes = _mapped_classes()
    assert classes == tables._MODULE_OF
    assert sorted(tables.__all__) == sorted(classes)
    for name in classes:
        assert getattr(tables, name).__name__ == name


def test_register_all_puts_every_table_on_the_metadata() -> None:
    probe = (
        "from xinyong.db import tables; from xinyong.db.base import Base; "
        "before = len(Base.metadata.tables); tables.register_all(); "
        "print(before, len(Base.metadata.tables))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout.split()
    classes = _mapped_classes()
    expected = {getattr(tables, name).__table__.name for name in classes}
    assert int(shown[0]) == 0
    assert int(shown[1]) == len(expected)


def test_a_name_the_package_does_not_hold_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchTable"):
        tables.NoSuchTable  # noqa: B018


def test_the_package_knows_the_module_of_every_table() -> None:
    classes = _mapped_classes()
    expected = {getattr(tables, name).__table__.name: module for name, module in classes.items()}
    assert expected == tables._MODULE_OF_TABLE


def test_a_table_loads_the_tables_its_foreign_keys_name() -> None:
    """The ORM's flush orders tables by their foreign keys (`Mapper._sorted_tables`): a consent
    alone loads `subjects` too, and its flush order resolves."""
    probe = (
        "from xinyong.db.tables import Consent; from xinyong.db.base import Base; "
        "Consent.__mapper__.base_mapper._sorted_tables; print(sorted(Base.metadata.tables))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout.strip()
    assert shown == "['consents', 'subjects']"
