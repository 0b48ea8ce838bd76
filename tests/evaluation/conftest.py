"""Fixtures: re-evaluation on archive changes switched on for the test, off after it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from xinyong.catalog import Catalog
from xinyong.evaluation import watch


@pytest.fixture
def watching(catalog: Catalog, today: date) -> Iterator[None]:
    watch.install(lambda: (catalog, today))
    yield
    watch.uninstall()


@pytest.fixture
def not_watching() -> Iterator[None]:
    """Re-evaluation on change off for the test, whatever an earlier test in this process (an
    app it created, the CLI) installed; put back after it."""
    saved = watch._state["context"]
    watch.uninstall()
    yield
    watch._state["context"] = saved
