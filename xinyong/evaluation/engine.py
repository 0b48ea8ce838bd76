"""Grade a whole population: one plan, two engines.

The plan, shared by both engines so they cannot drift:
1. the **fact table** — one row per (subject, fact), asked of the modules that own each rule
   (disclosure windows, list validity, workflows) — as a Polars frame (`fact_table.FACT_SCHEMA`),
   built set-based by `fact_table.table` (one column select of a chunk's records; a window per
   distinct input); `xinyong export parquet DIR` writes the same frame to Parquet;
2. the **vectorised plan** (`plan.score_frame`): tallies per subject and indicator as Polars
   expressions, then the pure scoring's own steps once per distinct input. It gives exactly what
   `scoring.score` gives (tests/evaluation/test_plan.py); `score` stays the reference and the
   single-subject path (`service.assess`).
The embedded engine (default; SQLite and PostgreSQL) runs both in-process: one pass over the
records for the tallies, then every subject scored at once (each distinct tally vector once,
`plan.score_shared`); the Spark engine (`spark.py`) reads the Parquet table and runs step 2
per partition.
Results are appended to `evaluation_results` with the run's id (COPY on PostgreSQL in pieces of
`PIECE` rows, executemany on SQLite), each referencing its explanation (`Evaluation.compact`),
stored once per distinct text in `evaluation_explanations`; a run row keeps the counts per grade
(docs/decisions/0010-evaluation-engine.md).
"""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import column, insert, select, table
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import EvaluationResult, EvaluationRun, Subject
from xinyong.enums import SubjectStatus
from xinyong.evaluation import fact_table, plan, reading
from xinyong.evaluation import facts as facts_mod
from xinyong.evaluation.models import LoadedModel
from xinyong.evaluation.record_windows import Window
from xinyong.evaluation.scoring import Fact
from xinyong.evaluation.service import store_explanations

CHUNK = 100_000  # subjects per chunk: bounds memory (≈ 1 M facts at 10 per subject)
GRADED_STATUSES = (SubjectStatus.ACTIVE.value, SubjectStatus.UNKNOWN.value)  # 存续 (and unknown)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RunSummary:
    model: str
    version: str
    as_of: date
    subjects: int
    grades: dict[str, int]
    seconds: float
    engine: str
    run_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "version": self.version,
            "as_of": self.as_of.isoformat(),
            "subjects": self.subjects,
            "grades": self.grades,
            "seconds": round(self.seconds, 3),
        }


def to_frame(facts: Mapping[int, Sequence[Fact]]) -> pl.DataFrame:
    """The fact table of the plan (one row per subject and fact) from facts built in Python."""
    return fact_table.fact_frame(facts)


def graded_subjects(session: Session, loaded: LoadedModel) -> list[int]:
    kinds = [k.value for k in loaded.model.subject_kinds]
    stmt = select(Subject.id).where(Subject.kind.in_(kinds), Subject.status.in_(GRADED_STATUSES))
    frame = reading.read_frame(session, stmt.order_by(Subject.id), {"id": pl.Int64})
    return frame["id"].to_list()


def spans(subject_ids: Sequence[int], size: int = CHUNK) -> Iterator[tuple[int, int, list[int]]]:
    """Consecutive chunks of the (sorted) ids: (low, high, ids) with low ≤ id < high."""
    for start in range(0, len(subject_ids), size):
        ids = list(subject_ids[start : start + size])
        yield ids[0], ids[-1] + 1, ids


def fact_chunks(
    session: Session, subject_ids: Sequence[int], *, catalog: Catalog, today: date
) -> Iterator[tuple[list[int], pl.DataFrame]]:
    """Step 1 of the plan, chunk by chunk: (subject ids, their fact table), set-based
    (`fact_table.table`: one column select of the chunk's records, windows per distinct input)."""
    hits = facts_mod.all_hits(session, catalog=catalog, today=today)
    memo: dict[tuple[Any, ...], Window] = {}  # disclosure windows, shared by the chunks
    for low, high, ids in spans(sorted(subject_ids)):
        chunk_hits = {sid: hits[sid] for sid in ids if sid in hits}
        frame = fact_table.table(
            session,
            fact_table.in_range(low, high),
            catalog=catalog,
            today=today,
            hits=chunk_hits,
            memo=memo,
        )
        yield ids, frame.filter(pl.col("subject_id").is_in(ids))


def run_totals(
    session: Session, loaded: LoadedModel, *, catalog: Catalog, as_of: date
) -> pl.DataFrame:
    """Steps 1 and 2's tallies for every subject (`plan.partial`, added up): the records read in
    ONE statement, in frames of `fact_table.BATCH_ROWS` (chunking the read by subject range
    would visit every heap page once per chunk), tallied once per distinct window key
    (`plan.record_partial`: no fact row per record), then the list entries and workflow facts."""
    memo: dict[tuple[Any, ...], Window] = {}  # disclosure windows, asked once each
    parts = []
    everyone = fact_table.everyone()
    for raw in fact_table.record_batches(session, everyone, catalog=catalog):
        rows, profiles = fact_table.record_rows(
            session, raw, catalog=catalog, today=as_of, memo=memo
        )
        parts.append(plan.record_partial(loaded.model, rows, profiles, as_of))
        if len(parts) > 1:
            parts = [plan.combine(parts)]
    hits = facts_mod.all_hits(session, catalog=catalog, today=as_of)
    others = fact_table.other_facts(session, everyone, hits)
    parts.append(plan.partial(loaded.model, others, as_of))
    return plan.combine(parts)


def score_chunk_vectorised(
    loaded: LoadedModel, ids: Sequence[int], frame: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Step 2 of the plan for a whole chunk at once (`plan.score_frame`), with the facts' hash:
    subject_id, score, grade, explanation (compact JSON text), facts_hash."""
    series = pl.Series("subject_id", list(ids), dtype=pl.Int64)
    scored = plan.score_frame(loaded.model, loaded.version, frame, series, as_of)
    return scored.join(plan.hashes_frame(frame, series), on="subject_id", how="left")


RESULT_COLUMNS = ("subject_id", "score", "grade", "explanation", "facts_hash")
PIECE = 100_000  # result rows per piece of the COPY (built while the server takes the last)


def write_results(
    session: Session,
    scored: pl.DataFrame | plan.Scored,
    run: EvaluationRun,
    known: dict[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Append a run's results — RESULT_COLUMNS with the explanation as JSON text, or
    `plan.Scored` (each distinct tally vector's explanation once): each distinct explanation
    stored once (`known`: its id by text, kept across a run's calls), the result rows
    referencing it; COPY on PostgreSQL, executemany on SQLite. `progress(rows)` after each
    piece of rows."""
    shared = scored if isinstance(scored, plan.Scored) else _shared(scored)
    known = {} if known is None else known
    texts = shared.profiles["explanation"].to_list()
    new = list(dict.fromkeys(t for t in texts if t not in known))
    known.update(zip(new, _store_explanations(session, new), strict=True))
    ids = shared.profiles.select(
        "profile", pl.Series("explanation_id", [known[t] for t in texts], dtype=pl.Int64)
    )
    # the run's constants last: the pieces' text is built column by column in Polars
    frame = shared.subjects.join(ids, on="profile", how="left").select(
        pl.col("subject_id"),
        pl.col("score"),
        pl.col("grade"),
        pl.col("facts_hash"),
        pl.col("explanation_id"),
        pl.lit(run.model_id).alias("model_id"),
        pl.lit(run.model_version).alias("model_version"),
        pl.lit(run.as_of).alias("as_of"),
        pl.lit(run.id).alias("run_id"),
        pl.lit("run").alias("trigger"),
    )
    pieces = [frame.slice(start, PIECE) for start in range(0, frame.height, PIECE)]
    if _copy(session, "evaluation_results", pieces, progress):
        return
    untyped = table("evaluation_results", *(column(c) for c in frame.columns))
    for piece in pieces:
        rows = piece.with_columns(pl.col("as_of").dt.to_string("%Y-%m-%d")).to_dicts()
        session.execute(insert(untyped), rows)
        if progress is not None:
            progress(piece.height)


def _shared(scored: pl.DataFrame) -> plan.Scored:
    """Results with an explanation text per subject (RESULT_COLUMNS) as `plan.Scored`."""
    profiles = scored.select("explanation").unique().with_row_index("profile")
    profiles = profiles.with_columns(pl.col("profile").cast(pl.Int64))
    subjects = scored.join(profiles, on="explanation", how="left")
    return plan.Scored(subjects.drop("explanation"), profiles)


def _store_explanations(session: Session, texts: list[str]) -> list[int]:
    """Store explanations given as JSON text; their ids in order. PostgreSQL: ids drawn from the
    table's sequence in one statement, the rows by COPY (the server checks each text once)."""
    if not texts or session.get_bind().dialect.name != "postgresql":
        return store_explanations(session, [json.loads(t) for t in texts])
    driver = session.connection().connection.driver_connection
    draw = (  # the sequence looked up once, its values as one array
        "SELECT array_agg(nextval(q.seq)) FROM generate_series(1, %s), (SELECT "
        "pg_get_serial_sequence('evaluation_explanations', 'id')::regclass AS seq) AS q"
    )
    found = driver.execute(draw, (len(texts),)).fetchone()  # type: ignore[union-attr]
    ids: list[int] = found[0]
    _copy(session, "evaluation_explanations", [pl.DataFrame({"id": ids, "body": texts})])
    return ids


def _copy(
    session: Session,
    name: str,
    pieces: Sequence[pl.DataFrame],
    progress: Callable[[int], None] | None = None,
) -> bool:
    """COPY the pieces (frames with the same columns) into the table on PostgreSQL (True);
    False elsewhere. Each piece's CSV is built while a psycopg thread sends the previous one
    (`QueuedLibpqWriter`), so the client's share overlaps the server's."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not pieces:
        return True
    from psycopg.copy import QueuedLibpqWriter  # noqa: PLC0415

    driver = session.connection().connection.driver_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    sql = f"COPY {name} ({', '.join(pieces[0].columns)}) FROM STDIN WITH (FORMAT csv)"
    with cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
        for piece in pieces:
            body = io.BytesIO()
            piece.write_csv(body, include_header=False)
            copy.write(body.getvalue())
            if progress is not None:
                progress(piece.height)
    return True


def start_run(
    session: Session, loaded: LoadedModel, *, as_of: date, engine: str, actor: Actor
) -> EvaluationRun:
    run = EvaluationRun(
        model_id=loaded.id,
        model_version=loaded.version,
        as_of=as_of,
        engine=engine,
        subjects=0,
        grades={},
        seconds=0.0,
        actor_label=actor.label,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.EVALUATION_RUN,
        target_type="evaluation_run",
        target_id=run.id,
        after={"model": loaded.id, "version": loaded.version, "as_of": as_of, "engine": engine},
    )
    return run


def finish_run(
    session: Session, run: EvaluationRun, grades: Counter[str], started: float, loaded: LoadedModel
) -> RunSummary:
    ordered = {g.grade: grades.get(g.grade, 0) for g in loaded.model.grades}
    run.subjects, run.grades = sum(ordered.values()), ordered
    run.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    return RunSummary(
        loaded.id, loaded.version, run.as_of, run.subjects, ordered, run.seconds, run.engine, run.id
    )


def run_embedded(
    session: Session,
    loaded: LoadedModel,
    *,
    catalog: Catalog,
    as_of: date,
    actor: Actor,
    progress: Progress | None = None,
) -> RunSummary:
    """Grade every subject the model covers on `as_of`; results stored with the run.

    The plan in one pass over the records (`run_totals`), then every subject scored at once —
    each distinct tally vector once (`plan.score_shared`) — and stored by pieces."""
    started = time.perf_counter()
    totals = run_totals(session, loaded, catalog=catalog, as_of=as_of)  # before any write
    run = start_run(session, loaded, as_of=as_of, engine="embedded", actor=actor)
    ids = pl.Series("subject_id", graded_subjects(session, loaded), dtype=pl.Int64)
    scored = plan.score_shared(loaded.model, loaded.version, totals, ids, as_of)
    del totals
    done = 0

    def stored(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, len(ids))

    write_results(session, scored, run, progress=stored)
    grades = Counter(dict(scored.subjects["grade"].value_counts().iter_rows()))
    return finish_run(session, run, grades, started, loaded)


def grade_distribution(session: Session, loaded: LoadedModel) -> list[dict[str, Any]]:
    """Latest run's grades by (industry, region): for the admin charts."""
    run = session.execute(
        select(EvaluationRun)
        .where(EvaluationRun.model_id == loaded.id)
        .order_by(EvaluationRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if run is None:
        return []
    rows = session.execute(
        select(Subject.industry_code, Subject.region_code, EvaluationResult.grade)
        .join(Subject, Subject.id == EvaluationResult.subject_id)
        .where(EvaluationResult.run_id == run.id)
    ).all()
    frame = pl.DataFrame(
        [{"sector": (r[0] or "—")[:1] or "—", "region": r[1] or "—", "grade": r[2]} for r in rows],
        schema={"sector": pl.Utf8, "region": pl.Utf8, "grade": pl.Utf8},
    )
    counted = (
        frame.group_by(["sector", "region", "grade"]).len().sort(["sector", "region", "grade"])
    )
    return [dict(r) | {"run_id": run.id, "as_of": run.as_of} for r in counted.iter_rows(named=True)]
