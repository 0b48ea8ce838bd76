"""听证 (hearing) is not a step of the list procedure (ADR 0018 §4): the catalog schema allows only
the steps `enums.ListStep` implements, and a list type naming `hearing` is refused with the file,
the key and the reason (the hearing belongs to the penalty procedure, 行政处罚法 第63–65条)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest

from tests.catalog.conftest import Edit
from xinyong.catalog import CatalogError, load_catalog
from xinyong.catalog.schema_lists import StepId
from xinyong.enums import ListStep


def test_every_catalog_step_is_a_step_the_procedure_runs() -> None:
    assert set(get_args(StepId)) <= {s.value for s in ListStep}
    assert "hearing" not in get_args(StepId)


def test_a_list_type_naming_a_hearing_is_refused_with_file_key_and_reason(
    catalog_copy: Path, edit: Edit
) -> None:
    def add_hearing(data: dict[str, Any]) -> None:
        data["procedure"].insert(2, {"step": "hearing", "title": "听证"})

    edit("lists/market_regulation_serious.yaml", add_hearing)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    err = caught.value
    assert err.file.endswith("lists/market_regulation_serious.yaml")
    assert err.key == "procedure[2].step"
    assert "行政处罚法" in err.reason
    assert "听证" in err.reason


def test_the_shipped_serious_list_notice_tells_the_hearing_right(shipped_dir: Path) -> None:
    lt = load_catalog(shipped_dir).list_type("market_regulation_serious")
    notice = next(s for s in lt.procedure if s.step == "prior_notice")
    assert "听证" in notice.title
