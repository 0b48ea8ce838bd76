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
