"""Every audit action, audited object type and query surface has a Chinese title for pages."""

from __future__ import annotations

import re
from pathlib import Path

from xinyong.audit import AuditAction
from xinyong.audit.titles import ACTION_TITLES, SURFACE_TITLES, TARGET_TITLES

PACKAGE = Path(__file__).resolve().parents[1] / "xinyong"


def _used(keyword: str) -> set[str]:
    pattern = re.compile(rf'\b{keyword}="([a-z_]+)"')
    return {m for p in PACKAGE.rglob("*.py") for m in pattern.findall(p.read_text("utf-8"))}


def test_every_audit_action_has_a_title() -> None:
    assert {str(a) for a in AuditAction} - set(ACTION_TITLES) == set()
    assert set(ACTION_TITLES) - {str(a) for a in AuditAction} == set()  # no stale titles


def test_every_audited_object_type_and_query_surface_has_a_title() -> None:
    assert _used("target_type") - set(TARGET_TITLES) == set()
    assert _used("surface") - set(SURFACE_TITLES) == set()
