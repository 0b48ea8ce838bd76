"""名单比对 (screening): many subjects against the lists at once.

Rows with a code: the check character is verified first, then the code is looked up exactly.
Rows with only a name: matched by normalised name (`names.py`), with a score and the reason; a
reviewer's verdict on such a match is remembered, so a confirmed non-match does not return.
The index of entries in force is built once per run from the database (dicts in memory).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import mul
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, identifiers, lists, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import ScreeningDecision
from xinyong.enums import Role
from xinyong.errors import InvalidInput
from xinyong.lists import CurrentEntry
from xinyong.measures import rules
from xinyong.measures.names import normalise_name

EXACT_NAME_SCORE = 0.95  # same name as registered, but no code: still a reviewer's call
CORE_NAME_SCORE = 0.85  # same name once region prefix / legal form / width are normalised
CODE_COLUMNS = ("统一社会信用代码", "代码", "证件号码", "code", "uscc")
NAME_COLUMNS = ("主体名称", "名称", "企业名称", "name")


class ScreeningFileError(InvalidInput):
    code = "measures.screening_file"


@dataclass(frozen=True, slots=True)
class ScreeningRow:
    row_no: int
    code: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    row_no: int
    code: str | None
    name: str | None
    outcome: str  # hit | possible_hit | clean | invalid_code | no_input
    subject_id: int | None = None
    subject_code: str | None = None  # masked for persons
    subject_name: str | None = None
    lists: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    mandatory: bool = False
    score: float | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row_no": self.row_no,
            "code": identifiers.mask_code(self.code) if self.code else None,
            "name": self.name,
            "outcome": self.outcome,
            "subject_code": self.subject_code,
            "subject_name": self.subject_name,
            "lists": list(self.lists),
            "measures": list(self.measures),
            "mandatory": self.mandatory,
            "score": self.score,
            "reason": self.reason,
        }


@dataclass
class ScreeningIndex:
    by_code: dict[str, list[CurrentEntry]] = field(default_factory=dict)
    by_name: dict[str, list[CurrentEntry]] = field(default_factory=dict)
    verdicts: dict[tuple[str, int], bool] = field(default_factory=dict)


# ---- queries ----------------------------------------------------------------------------------


def build_index(session: Session, *, catalog: Catalog, today: date) -> ScreeningIndex:
    index = ScreeningIndex()
    for e in lists.current_entries(session, catalog=catalog, today=today):
        index.by_code.setdefault(e.subject_code, []).append(e)
        index.by_name.setdefault(normalise_name(e.subject_name)[0], []).append(e)
    for name, sid, is_match in session.execute(
        select(
            ScreeningDecision.normalised_name,
            ScreeningDecision.subject_id,
            ScreeningDecision.is_match,
        )
    ):
        index.verdicts[(name, sid)] = is_match
    return index


# ---- pure rules -------------------------------------------------------------------------------

_VALUE = {c: i for i, c in enumerate(identifiers.USCC_ALPHABET)}
_ORG_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # GB 32100: 3^i mod 31
_ORG_W = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714
_ORG_MOD = 11
_USCC_LEN = 18


def quick_uscc(code: str) -> bool:
    """True when `code` is a plain, well-formed USCC whose two check characters hold.

    The fast lane of screening (1M codes in seconds); anything else goes through
    `identifiers.validate_subject_code`, which names the exact error.
    """
    if len(code) != _USCC_LEN or not code[2:8].isdigit() or code[0] not in "123456789ANY":
        return False
    try:
        total = sum(map(mul, map(_VALUE.__getitem__, code[:17]), _USCC_W))
        org = sum(map(mul, map(_ORG_VALUE.__getitem__, code[8:16]), _ORG_W))
    except KeyError:
        return False
    rest = _ORG_MOD - org % _ORG_MOD
    org_check = "0" if rest == _ORG_MOD else "X" if rest == _ORG_MOD - 1 else str(rest)
    return code[16] == org_check and code[17] == identifiers.USCC_ALPHABET[(31 - total % 31) % 31]


def _shown(e: CurrentEntry) -> str:
    return (
        identifiers.mask_code(e.subject_code)
        if e.subject_code_kind == "id_number"
        else (e.subject_code)
    )


def _result(
    row: ScreeningRow, entries: list[CurrentEntry], outcome: str, matter: str, catalog: Catalog,
    score: float, reason: str,
) -> ScreeningResult:  # fmt: skip
    found = [m for e in entries for m in rules.measures_for_hit(e.hit, matter, catalog)]
    first = entries[0]
    return ScreeningResult(
        row.row_no, row.code, row.name, outcome, first.subject_id, _shown(first),
        first.subject_name, tuple(dict.fromkeys(e.hit.list_title for e in entries)),
        tuple(dict.fromkeys(m.content for m in found)), any(m.mandatory for m in found),
        score, reason,
    )  # fmt: skip


def _by_name(row: ScreeningRow, name: str, index: ScreeningIndex) -> tuple[list[CurrentEntry], str]:
    core, steps = normalise_name(name)
    kept, notes = [], []
    for e in index.by_name.get(core, []):
        verdict = index.verdicts.get((core, e.subject_id))
        if verdict is False:
            continue
        kept.append(e)
        if verdict:
            notes.append("已经复核确认为同一主体")
    how = "、".join(steps) if steps else "无需规范化"
    return kept, f"名称规范化后一致（{how}）" + ("；" + notes[0] if notes else "")


def screen_rows(
    rows: Iterable[ScreeningRow], matter: str, index: ScreeningIndex, *, catalog: Catalog,
    today: date,
) -> Iterator[ScreeningResult]:  # fmt: skip
    rules.checked_matter(matter, catalog)
    for row in rows:
        code, name = (row.code or "").strip(), (row.name or "").strip()
        if code:
            normalised = code.upper()
            if not quick_uscc(normalised):
                try:
                    _kind, normalised = identifiers.validate_subject_code(code, today=today)
                except identifiers.IdentifierError as exc:
                    yield ScreeningResult(row.row_no, code, name or None, "invalid_code",
                                          reason=exc.message)  # fmt: skip
                    continue
            entries = index.by_code.get(normalised)
            if entries:
                yield _result(row, entries, "hit", matter, catalog, 1.0, "代码一致")
            else:
                yield ScreeningResult(row.row_no, normalised, name or None, "clean",
                                      reason="代码未命中有效名单")  # fmt: skip
        elif name:
            entries, reason = _by_name(row, name, index)
            if not entries:
                yield ScreeningResult(row.row_no, None, name, "clean", reason="名称未命中有效名单")
                continue
            exact = entries[0].subject_name == name
            score = EXACT_NAME_SCORE if exact else CORE_NAME_SCORE
            yield _result(row, entries, "possible_hit", matter, catalog, score, reason)
        else:
            yield ScreeningResult(row.row_no, None, None, "no_input", reason="既无代码也无名称")


# ---- files ------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[ScreeningRow]:
    """CSV or XLSX with a code column and/or a name column (Chinese or English headers)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pl.read_csv(path, infer_schema=False)
    elif suffix in (".xlsx", ".xls"):
        frame = pl.read_excel(path, infer_schema_length=0)
    else:
        raise ScreeningFileError(f"只支持 CSV 或 XLSX 文件：{path.name}")
    code_col = next((c for c in CODE_COLUMNS if c in frame.columns), None)
    name_col = next((c for c in NAME_COLUMNS if c in frame.columns), None)
    if code_col is None and name_col is None:
        raise ScreeningFileError(
            f"文件须有代码列（{'/'.join(CODE_COLUMNS)}）或名称列（{'/'.join(NAME_COLUMNS)}）"
        )
    codes = frame[code_col].to_list() if code_col else [None] * frame.height
    names = frame[name_col].to_list() if name_col else [None] * frame.height
    return [ScreeningRow(i + 2, c, n) for i, (c, n) in enumerate(zip(codes, names, strict=True))]


def write_results(path: Path, results: Iterable[ScreeningResult]) -> int:
    rows = [r.as_dict() for r in results]
    for r in rows:
        r["lists"], r["measures"] = "；".join(r["lists"]), "；".join(r["measures"])
    frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    if path.suffix.lower() == ".xlsx":
        frame.write_excel(path, worksheet="比对结果")
    else:
        frame.write_csv(path)
    return len(rows)


# ---- actions ----------------------------------------------------------------------------------


def remember_decision(
    session: Session, name: str, subject_code: str, is_match: bool, reason: str | None,
    *, actor: Actor, today: date,
) -> ScreeningDecision:  # fmt: skip
    """A reviewer's verdict on a name-only match; a non-match is not shown again."""
    auth.require_role(actor, Role.ADMIN, Role.OFFICER, Role.SYSTEM)
    subject = subjects.get_by_code(session, subject_code)
    core, _steps = normalise_name(name)
    found = session.execute(
        select(ScreeningDecision).where(
            ScreeningDecision.normalised_name == core, ScreeningDecision.subject_id == subject.id
        )
    ).scalar_one_or_none()
    before = None if found is None else {"is_match": found.is_match}
    if found is None:
        found = ScreeningDecision(normalised_name=core, subject_id=subject.id, is_match=is_match,
                                  reason=reason, actor_label=actor.label)  # fmt: skip
        session.add(found)
    else:
        found.is_match, found.reason, found.actor_label = is_match, reason, actor.label
    session.flush()
    after = {"name": core, "is_match": is_match, "on": today}
    audit.record(session, actor, AuditAction.SCREENING_DECIDED, target_type="subject",
                 target_id=subject.id, before=before, after=after, reason=reason)  # fmt: skip
    return found
