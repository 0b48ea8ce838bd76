"""docs/dev/reach.md — every capability × page / CLI / API — is generated and kept true."""

from __future__ import annotations

import pytest

from tools import reach
from tools.reach_decisions import INTENDED, MAIN_READS, SKIPPED_ENTRIES, TITLES


@pytest.fixture(scope="module")
def table() -> list[reach.Capability]:
    return reach.table()


def test_the_committed_table_is_up_to_date(table: list[reach.Capability]) -> None:
    committed = reach.DOC.read_text(encoding="utf-8")
    assert committed == reach.render(table), (
        "docs/dev/reach.md is out of date: run `python -m tools.reach` and commit the result"
    )


def test_every_capability_has_a_chinese_title(table: list[reach.Capability]) -> None:
    untitled = [c.key for c in table if not c.title]
    assert not untitled, f"add a title in tools/reach_decisions.py TITLES for {untitled}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.title) for c in table)


def test_every_missing_surface_is_decided(table: list[reach.Capability]) -> None:
    """A capability without a page, a command or an endpoint says which one its user needs (or
    that none is needed), and why."""
    undecided = [c.key for c in table if reach.missing(c) and c.key not in INTENDED]
    assert not undecided, f"decide the surfaces of {undecided} in tools/reach_decisions.py"
    for key, (wanted, why) in INTENDED.items():
        assert set(wanted.split()) <= {"page", "cli", "api"}, key
        assert why.strip(), f"{key}: give the reason"


def test_no_decision_or_title_outlives_its_capability(table: list[reach.Capability]) -> None:
    keys = {c.key for c in table}
    assert set(INTENDED) <= keys, f"stale decisions: {set(INTENDED) - keys}"
    assert set(TITLES) <= keys, f"stale titles: {set(TITLES) - keys}"
    gapless = {c.key for c in table if not reach.missing(c)}
    assert not (set(INTENDED) & gapless), "a capability with every surface needs no decision"
    assert set(MAIN_READS) <= keys


def test_skipped_entries_exist() -> None:
    labels = {label for _, label, _ in reach.cli_entries()}
    assert set(SKIPPED_ENTRIES) <= labels


def test_the_scan_follows_the_ways_surfaces_call(table: list[reach.Capability]) -> None:
    """Not vacuous: a route reaching an action through a table of lambdas, a command importing
    its domain module inside the function, a re-export from a package's __init__."""
    by_key = {c.key: c for c in table}
    decide = by_key["lists.procedure.decide_entry"]
    assert "POST /admin/lists/{entry_id}/{step}" in decide.surfaces["page"]
    assert "xinyong lists decide" in decide.surfaces["cli"]
    revoke = by_key["repair.procedure.revoke"]
    assert "POST /api/v1/repairs/{repair_id}/revoke" in revoke.surfaces["api"]
    assert by_key["lists.procedure.propose_entry"].kind == "写"
    assert by_key["disclosure.access.read_archive_page"].kind == "读"
