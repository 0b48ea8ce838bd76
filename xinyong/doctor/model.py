"""What one check of an installation says: its title, 正常 / 警告 / 错误, what was found and what
to do. `xinyong doctor` prints them, `/admin/system` shows them: both call `doctor.run_all`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {"ok": "正常", "warn": "警告", "error": "错误"}[self.value]


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: `key` is stable (monitoring reads it from `--json`), the rest is Chinese."""

    key: str
    title: str
    status: Status
    detail: str
    advice: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "status": self.status.value,
            "status_label": self.status.label,
            "detail": self.detail,
            "advice": self.advice,
            "facts": self.facts,
        }


def ok(key: str, title: str, detail: str, **facts: Any) -> Check:
    return Check(key, title, Status.OK, detail, "", facts)


def warn(key: str, title: str, detail: str, advice: str, **facts: Any) -> Check:
    return Check(key, title, Status.WARN, detail, advice, facts)


def error(key: str, title: str, detail: str, advice: str, **facts: Any) -> Check:
    return Check(key, title, Status.ERROR, detail, advice, facts)


def worst(checks: list[Check]) -> Status:
    statuses = {c.status for c in checks}
    for status in (Status.ERROR, Status.WARN):
        if status in statuses:
            return status
    return Status.OK
