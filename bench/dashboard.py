"""Dashboard benchmark: the whole /admin/dashboard (every figure, 12-month trends, rankings,
breakdowns) and the wall screen's data, cold and warm, on a synthetic region.

    .venv/bin/python bench/dashboard.py --subjects 1000000        # PostgreSQL (goal: ≤ 1 s warm)
    .venv/bin/python bench/dashboard.py --subjects 2000 --sqlite      # smoke run

PostgreSQL: a fresh database `xinyong_bench_dashboard` on XINYONG_BENCH_POSTGRES_URL (make bench
starts a cluster) or --postgres-url. Loads N subjects (10 % persons), `--records` records per
subject (penalty / licence, 1 % court-defaulter list entries) spread over 12 months, 20
departments with monthly batches, and N/10 joint checks; then times, in-process (no HTTP), the
full computation of the dashboard (`indicators.dashboard.refresh`: what `xinyong jobs run dashboard`
or a read of a stale snapshot pays), the page's read of the stored snapshot
(`indicators.dashboard.current`: what the office waits for) and the wall screen's data. Prints
one markdown row for bench/RESULTS.md.

Generation: PostgreSQL loads by COPY from a generator (about 25,000 records a second here, most
of it index upkeep and the COPY protocol): 20,000 subjects / 200,000 records take ≈ 8 s, so the
1M / 10M database takes ≈ 7–10 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, make_url, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import stored_records

from xinyong import catalog, indicators
from xinyong.audit import Actor
from xinyong.config import REPO_ROOT
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import Batch, Check, Provider, Record, Subject
from xinyong.indicators import dashboard

TODAY = date(2026, 11, 23)
REGIONS = [f"9901{i:02d}" for i in range(1, 11)]
INDUSTRIES = ["I65", "F51", "E48", "H62", "G58", "C14", "F52", "N77", "A01", "K70"]
PROVIDERS = 20
CHUNK = 100_000
OFFICE = Actor.system("bench")


def _stamp(rng: random.Random) -> datetime:
    """A moment in the twelve months up to TODAY."""
    return datetime(2026, 11, 23, tzinfo=UTC) - timedelta(seconds=rng.randrange(365 * 86400))


def subjects(n: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    for i in range(n):
        person = i % 10 == 9
        kind, code_kind = ("person", "id_number") if person else ("enterprise", "uscc")
        yield (kind, f"B{i:017d}", code_kind, f"基准主体{i}", [], "active", rng.choice(REGIONS),
               None if person else rng.choice(INDUSTRIES), True, _stamp(rng))  # fmt: skip


RECORD_CLASSES = ("court_defaulter", "penalty", "licence")


def authority_ids(engine: object) -> dict[str, dict[str, int]]:
    """Each class's id of every department's name (`db.authorities`, as collection adds them)."""
    names = {f"基准部门{p}" for p in range(1, PROVIDERS + 1)}
    with engine.begin() as conn:  # type: ignore[attr-defined]
        return {cls: stored_records.authority_ids(conn, cls, names) for cls in RECORD_CLASSES}


def records(
    n: int, per: int, rng: random.Random, ids: dict[str, dict[str, int]], *, postgres: bool
) -> Iterator[tuple[object, ...]]:
    """Full source rows stored as collection stores them (`stored_records`): the natural key, the
    column values, the lean `data`, the content hash and the authority's id."""
    serial = 0
    for subject_id in range(1, n + 1):
        code = f"B{subject_id - 1:017d}"
        holder = "subject_id_number" if subject_id % 10 == 0 else "subject_uscc"  # persons: 10 %
        for _ in range(per):
            serial += 1
            roll = rng.random()
            cls = RECORD_CLASSES[0] if roll < 0.01 else RECORD_CLASSES[1 if roll < 0.6 else 2]
            decided = (TODAY - timedelta(days=rng.randrange(900))).isoformat()
            provider = rng.randrange(1, PROVIDERS + 1)
            authority = f"基准部门{provider}"
            if cls == "court_defaulter":
                number = f"文号{serial}"
                row = {"case_number": number, holder: code, "basis_number": number,
                       "published_on": decided, "court": authority}  # fmt: skip
            else:
                row = {"decision_number": f"文号{serial}", "decision_date": decided,
                       "authority_name": authority, "authority_uscc": f"P{provider:017d}",
                       holder: code}  # fmt: skip
            s = stored_records.stored(cls, row)
            yield (subject_id, cls, s.natural_key, 1, True, "active", *s.values(),
                   ids[cls][authority], provider, "bench",
                   s.content_hash_copy if postgres else s.digest, s.data if postgres else s.lean,
                   _stamp(rng))  # fmt: skip


SUBJECT_COLS = ("kind", "code", "code_kind", "name", "former_names", "status", "region_code",
                "industry_code", "verified", "created_at")  # fmt: skip
RECORD_COLS = ("subject_id", "info_class", "natural_key", "version", "is_current", "status",
               *stored_records.COLUMNS, "authority_id", "provider_id", "catalog_version",
               "content_hash", "data", "created_at")  # fmt: skip


def _copy(url: str, table: str, cols: tuple[str, ...], rows: Iterator[tuple[object, ...]]) -> None:
    import psycopg  # noqa: PLC0415

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    statement = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
    with psycopg.connect(plain) as conn, conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, (list, dict)) else v for v in row])


def _insert(
    engine: object, table: object, cols: tuple[str, ...], rows: Iterator[tuple[object, ...]]
) -> None:
    chunk: list[dict[str, object]] = []
    with engine.begin() as conn:  # type: ignore[attr-defined]
        for row in rows:
            chunk.append(dict(zip(cols, row, strict=True)))
            if len(chunk) == CHUNK:
                conn.execute(insert(table), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(table), chunk)


def load(url: str, n: int, per: int) -> float:
    rng = random.Random(16)
    engine = make_engine(url)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Provider), [{"uscc": f"P{i:017d}", "name": f"基准部门{i}", "kind": "x"}
                                        for i in range(1, PROVIDERS + 1)])  # fmt: skip
    postgres = url.startswith("postgresql")
    ids = authority_ids(engine)
    for table, cols, rows in (("subjects", SUBJECT_COLS, subjects(n, rng)),
                              ("records", RECORD_COLS,
                               records(n, per, rng, ids, postgres=postgres))):  # fmt: skip
        if postgres:
            _copy(url, table, cols, rows)
        else:
            _insert(
                engine, Subject.__table__ if table == "subjects" else Record.__table__, cols, rows
            )
    months = [date(2025, 12, 10)] + [date(2026, m, 10) for m in range(1, 12)]
    with engine.begin() as conn:
        conn.execute(insert(Batch), [
            {"provider_id": p, "info_class": "penalty", "content_hash": f"{p}-{d}",
             "source_format": "csv", "status": "done", "received_on": d,
             "catalog_version": "bench", "submitted_by": "bench",
             "received": 1000, "accepted": 990, "rejected": 10, "timely": 900, "late": 90}
            for p in range(1, PROVIDERS + 1) for d in months
        ])  # fmt: skip
        conn.execute(insert(Check), [
            {"check_id": f"C{i:031d}", "at": _stamp(rng), "actor_kind": "api_client",
             "actor_label": "公共资源交易系统", "subject_id": rng.randrange(1, n + 1),
             "matter": rng.choice(["procurement", "subsidy", "licensing"]),
             "hits": rng.choice([0, 0, 0, 1])}
            for i in range(max(1, n // 10))
        ])  # fmt: skip
        if postgres:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t0


def time_dashboard(url: str, runs: int) -> dict[str, float | list[float]]:
    """Seconds: the full computation (`dashboard.refresh`, what the job and a stale read pay) cold
    and warm; then the page's read (`dashboard.current` from the stored snapshot) cold and warm;
    then the wall screen's data (read from the same stored document)."""
    cat = catalog.load_catalog(REPO_ROOT / "catalogs")
    defs = indicators.load(REPO_ROOT / "catalogs")
    period = indicators.Period.of("2026-11", today=TODAY, catalog=cat)
    factory = make_sessionmaker(make_engine(url))

    def timed(fn: Callable[[Session], object]) -> float:
        with factory() as session:
            t0 = time.perf_counter()
            fn(session)
            session.commit()  # the snapshots are written, as the web request's transaction does
            return time.perf_counter() - t0

    refresh = [timed(lambda s: dashboard.refresh(s, defs, period, actor=OFFICE))
               for _ in range(runs + 1)]  # fmt: skip
    read = [timed(lambda s: dashboard.current(s, defs, period, actor=OFFICE))
            for _ in range(runs + 1)]  # fmt: skip
    screen_s = timed(lambda s: dashboard.screen(s, defs, period))  # from the stored document
    return {"refresh_cold": refresh[0], "refresh_warm": refresh[1:], "read_cold": read[0],
            "read_warm": read[1:], "screen": screen_s}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10, help="records per subject")
    parser.add_argument("--runs", type=int, default=3, help="warm runs")
    parser.add_argument("--sqlite", action="store_true", help="a throwaway SQLite file")
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    if args.sqlite or not args.postgres_url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='xinyong-bench-')}/dashboard.db"
    else:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "xinyong_bench_dashboard" WITH (FORCE)')
            conn.execute(
                "CREATE DATABASE xinyong_bench_dashboard ENCODING 'UTF8' TEMPLATE template0"
            )
        url = make_url(args.postgres_url).set(database="xinyong_bench_dashboard").render_as_string(
            hide_password=False)  # fmt: skip
    migrate.upgrade(url)
    load_s = load(url, args.subjects, args.records)
    t = time_dashboard(url, args.runs)
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"

    def ms(v: float | list[float]) -> str:
        if isinstance(v, list):
            return f"{statistics.median(v) * 1000:,.0f} ms (min {min(v) * 1000:,.0f})"
        return f"{v * 1000:,.0f} ms"

    print(f"| {TODAY} | {platform.node()}, {os.cpu_count()} cores | bench/dashboard.py {engine}, "
          f"N = {args.subjects:,} subjects, {args.subjects * args.records:,} records "
          f"(generated and loaded in {load_s:.1f} s) | page (stored snapshot) cold "
          f"{ms(t['read_cold'])}, warm median {ms(t['read_warm'])}; full computation "
          f"(job / stale read) cold {ms(t['refresh_cold'])}, warm median "
          f"{ms(t['refresh_warm'])}; screen data (stored) {ms(t['screen'])} | — | — | "
          f"≤ 1 s warm at 1M / 10M |")  # fmt: skip


if __name__ == "__main__":
    main()
