"""名单比对 (screening): many subjects against the lists at once.

Rows with a code: the check character is verified first (`identifiers.frames.uscc_ok`, anything
else by `identifiers.validate_subject_code`), then the code is looked up exactly.
Rows with only a name: matched by normalised name (`names.py`), with a score and the reason; a
reviewer's verdict on such a match is remembered, so a confirmed non-match does not return.
The action — a stated purpose, an id, the subjects matched written to the query log — is
`screening_run.screen` (ADR 0018 §2); this module holds the matching rules and the files.
The index of entries in force is built once per run from the database (dicts in memory).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from polars._typing import PolarsDataType
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, auth, identifiers, lists, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import ScreeningDecision
from xinyong.enums import Role, ScreeningOutcome
from xinyong.errors import InvalidInput
from xinyong.identifiers import frames
from xinyong.lists import CurrentEntry
from xinyong.measures import rules
from xinyong.measures.names import normalise_name

EXACT_NAME_SCORE = 0.95  # same name as registered, but no code: still a reviewer's call
CORE_NAME_SCORE = 0.85  # same name once region prefix / legal form / width are normalised
CODE_COLUMNS = ("统一社会信用代码", "代码", "证件号码", "code", "uscc")
NAME_COLUMNS = ("主体名称", "名称", "企业名称", "name")


INPUT_SCHEMA: dict[str, PolarsDataType] = {"row_no": pl.Int64, "code": pl.String, "name": pl.String}
RESULT_SCHEMA: dict[str, PolarsDataType] = {
    "row_no": pl.Int64, "code": pl.String, "name": pl.String, "outcome": pl.String,
    "subject_id": pl.Int64, "subject_code": pl.String, "subject_name": pl.String,
    "lists": pl.List(pl.String), "measures": pl.List(pl.String), "mandatory": pl.Boolean,
    "legal_basis": pl.List(pl.String), "score": pl.Float64, "reason": pl.String,
}  # fmt: skip
HIT_COLUMNS = (
    "subject_id", "subject_code", "subject_name", "lists", "measures", "mandatory", "legal_basis",
)  # fmt: skip


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
    legal_basis: tuple[str, ...] = ()  # of the measures, as cited by the catalog
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
            "legal_basis": list(self.legal_basis),
            "score": self.score,
            "reason": self.reason,
        }


@dataclass
class ScreeningIndex:
    by_code: dict[str, list[CurrentEntry]] = field(default_factory=dict)
    verdicts: dict[tuple[str, int], bool] = field(default_factory=dict)
    _by_name: dict[str, list[CurrentEntry]] | None = None

    @property
    def by_name(self) -> dict[str, list[CurrentEntry]]:
        """Built on first use: only files with name-only rows pay for name normalisation."""
        if self._by_name is None:
            self._by_name = {}
            for entries in self.by_code.values():
                for e in entries:
                    self._by_name.setdefault(normalise_name(e.subject_name)[0], []).append(e)
        return self._by_name

    def code_table(self, matter: str, catalog: Catalog) -> pl.DataFrame:
        """One row per listed code with what a hit on it shows, to join the input against."""
        rows = [(code, *_hit_fields(e, matter, catalog)) for code, e in self.by_code.items()]
        return pl.DataFrame(
            [(c, i, s, n, list(ls), list(ms), m, list(b)) for c, i, s, n, ls, ms, m, b in rows],
            schema={"normalised": pl.String, **{k: RESULT_SCHEMA[k] for k in HIT_COLUMNS}},
            orient="row",
        )


# ---- queries ----------------------------------------------------------------------------------


def build_index(session: Session, *, catalog: Catalog, today: date) -> ScreeningIndex:
    index = ScreeningIndex()
    for e in lists.current_entries(session, catalog=catalog, today=today):
        index.by_code.setdefault(e.subject_code, []).append(e)
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


def _shown(e: CurrentEntry) -> str:
    return (
        identifiers.mask_code(e.subject_code)
        if e.subject_code_kind == "id_number"
        else (e.subject_code)
    )


def _hit_fields(
    entries: list[CurrentEntry], matter: str, catalog: Catalog
) -> tuple[int, str, str, tuple[str, ...], tuple[str, ...], bool, tuple[str, ...]]:
    """Subject, list titles, measure contents, whether one is mandatory and the measures'
    legal basis, for a hit."""
    found = [m for e in entries for m in rules.measures_for_hit(e.hit, matter, catalog)]
    first = entries[0]
    return (
        first.subject_id, _shown(first), first.subject_name,
        tuple(dict.fromkeys(e.hit.list_title for e in entries)),
        tuple(dict.fromkeys(m.content for m in found)), any(m.mandatory for m in found),
        tuple(dict.fromkeys(b for m in found for b in m.legal_basis)),
    )  # fmt: skip


def _result(
    row: ScreeningRow, entries: list[CurrentEntry], outcome: str, matter: str, catalog: Catalog,
    score: float, reason: str,
) -> ScreeningResult:  # fmt: skip
    return ScreeningResult(row.row_no, row.code, row.name, outcome,
                           *_hit_fields(entries, matter, catalog), score, reason)  # fmt: skip


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
    """Row by row results (the HTTP batch API); the same rules as `screen_frame`."""
    listed = list(rows)
    frame = pl.DataFrame(
        {"row_no": [r.row_no for r in listed], "code": [r.code for r in listed],
         "name": [r.name for r in listed]},
        schema=INPUT_SCHEMA,
    )  # fmt: skip
    yield from result_rows(screen_frame(frame, matter, index, catalog=catalog, today=today))


def result_rows(found: pl.DataFrame) -> Iterator[ScreeningResult]:
    """The result frame's rows as `ScreeningResult`s."""
    for r in found.iter_rows(named=True):
        yield ScreeningResult(**{**r, "lists": tuple(r["lists"]), "measures": tuple(r["measures"]),
                                 "legal_basis": tuple(r["legal_basis"])})  # fmt: skip


def screen_frame(
    frame: pl.DataFrame, matter: str, index: ScreeningIndex, *, catalog: Catalog, today: date
) -> pl.DataFrame:
    """Screen a frame of rows (`row_no`, `code`, `name`): codes vectorised, names row by row."""
    rules.checked_matter(matter, catalog)
    frame = frame.with_columns(pl.col("code", "name").str.strip_chars())
    has_code = frame["code"].fill_null("") != ""
    by_code = _screen_codes(frame.filter(has_code), matter, index, catalog, today)
    rest = [
        _screen_name(ScreeningRow(n, None, name or None), matter, index, catalog)
        for n, name in frame.filter(~has_code).select("row_no", "name").iter_rows()
    ]
    by_name = pl.DataFrame([_as_row(r) for r in rest], schema=RESULT_SCHEMA, orient="row")
    return pl.concat([by_code, by_name]).sort("row_no")


def _screen_codes(
    frame: pl.DataFrame, matter: str, index: ScreeningIndex, catalog: Catalog, today: date
) -> pl.DataFrame:
    upper = frame["code"].str.to_uppercase()
    fast = frames.uscc_ok(upper)
    slow = (~fast).arg_true()  # the slow lane names the exact error
    normalised, error = upper.clone(), pl.Series([None] * frame.height, dtype=pl.String)
    fixed: list[str | None] = []
    errors: list[str | None] = []
    for raw in frame["code"].gather(slow).to_list():
        try:
            fixed.append(identifiers.validate_subject_code(raw, today=today)[1])
            errors.append(None)
        except identifiers.IdentifierError as exc:
            fixed.append(None)
            errors.append(exc.message)
    if len(slow):
        normalised.scatter(slow, pl.Series(fixed, dtype=pl.String))
        error.scatter(slow, pl.Series(errors, dtype=pl.String))
    found = frame.with_columns(normalised.alias("normalised"), error.alias("error")).join(
        index.code_table(matter, catalog), on="normalised", how="left"
    )
    hit, invalid = pl.col("subject_id").is_not_null(), pl.col("error").is_not_null()
    return found.select(
        "row_no",
        pl.when(hit | invalid).then(pl.col("code")).otherwise("normalised").alias("code"),
        pl.when(pl.col("name") != "").then("name").alias("name"),
        pl.when(invalid).then(pl.lit("invalid_code")).when(hit).then(pl.lit("hit"))
        .otherwise(pl.lit("clean")).alias("outcome"),
        "subject_id", "subject_code", "subject_name",
        pl.col("lists").fill_null([]), pl.col("measures").fill_null([]),
        pl.col("mandatory").fill_null(False), pl.col("legal_basis").fill_null([]),
        pl.when(hit).then(1.0).alias("score"),
        pl.when(invalid).then("error").when(hit).then(pl.lit("代码一致"))
        .otherwise(pl.lit("代码未命中有效名单")).alias("reason"),
    ).cast(RESULT_SCHEMA)  # type: ignore[arg-type]  # fmt: skip


def _screen_name(
    row: ScreeningRow, matter: str, index: ScreeningIndex, catalog: Catalog
) -> ScreeningResult:
    if not row.name:
        return ScreeningResult(row.row_no, None, None, "no_input", reason="既无代码也无名称")
    entries, reason = _by_name(row, row.name, index)
    if not entries:
        return ScreeningResult(row.row_no, None, row.name, "clean", reason="名称未命中有效名单")
    score = EXACT_NAME_SCORE if entries[0].subject_name == row.name else CORE_NAME_SCORE
    return _result(row, entries, "possible_hit", matter, catalog, score, reason)


def _as_row(r: ScreeningResult) -> tuple[Any, ...]:
    return (r.row_no, r.code, r.name, r.outcome, r.subject_id, r.subject_code, r.subject_name,
            list(r.lists), list(r.measures), r.mandatory, list(r.legal_basis), r.score,
            r.reason)  # fmt: skip


# ---- files ------------------------------------------------------------------------------------


def read_frame(path: Path) -> pl.DataFrame:
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
    return frame.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("row_no"),  # row 1 is the header
        _column(code_col, "code"),
        _column(name_col, "name"),
    )


def _column(found: str | None, alias: str) -> pl.Expr:
    return (pl.col(found) if found else pl.lit(None)).cast(pl.String).alias(alias)


def read_rows(path: Path) -> list[ScreeningRow]:
    return [ScreeningRow(*r) for r in read_frame(path).iter_rows()]


def write_frame(path: Path, frame: pl.DataFrame) -> int:
    """The results file: ID numbers masked, lists and measures joined with "；"."""
    out = _for_file(frame)
    if path.suffix.lower() == ".xlsx":
        out.write_excel(path, worksheet="比对结果")
    else:
        out.write_csv(path)
    return out.height


def _for_file(frame: pl.DataFrame) -> pl.DataFrame:
    maybe_person = ~pl.col("code").str.contains(r"^[0-9A-Z]{18}$") | ~pl.col("code").str.contains(
        r"[A-WYZ]"
    )  # only these can be an ID number once normalised
    return frame.drop("subject_id").with_columns(
        pl.when(maybe_person).then(pl.col("code").map_elements(identifiers.mask_code,
                                                               return_dtype=pl.String))
        .otherwise("code").alias("code"),
        pl.col("lists").list.join("；"), pl.col("measures").list.join("；"),
        pl.col("legal_basis").list.join("；"),
    )  # fmt: skip


OUTCOME_TITLES = {
    ScreeningOutcome.HIT: "命中", ScreeningOutcome.POSSIBLE_HIT: "疑似命中（须复核）",
    ScreeningOutcome.CLEAN: "未命中", ScreeningOutcome.INVALID_CODE: "代码有误",
    ScreeningOutcome.NO_INPUT: "无代码无名称",
}  # fmt: skip
COLUMN_TITLES = {
    "row_no": "行号", "code": "代码", "name": "名称", "outcome": "比对结果",
    "subject_code": "命中主体代码", "subject_name": "命中主体名称", "lists": "所在名单",
    "measures": "惩戒措施", "mandatory": "含强制措施", "legal_basis": "法律依据",
    "score": "相似度", "reason": "说明",
}  # fmt: skip


def results_xlsx(frame: pl.DataFrame) -> bytes:
    """The results as an XLSX for people: Chinese headers and outcomes, ID numbers masked."""
    import io  # noqa: PLC0415

    buffer, titles = io.BytesIO(), {k.value: v for k, v in OUTCOME_TITLES.items()}
    out = _for_file(frame.with_columns(pl.col("outcome").replace(titles))).with_columns(
        pl.when(pl.col("mandatory")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("mandatory")
    )
    out.rename(COLUMN_TITLES).write_excel(buffer, worksheet="比对结果")
    return buffer.getvalue()


def write_results(path: Path, results: Iterable[ScreeningResult]) -> int:
    return write_frame(path, pl.DataFrame([_as_row(r) for r in results], schema=RESULT_SCHEMA,
                                          orient="row"))  # fmt: skip


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
