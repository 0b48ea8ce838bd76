"""The records' COPY of `xinyong evaluate` with the column fields read from their columns
(issue "reads": `valid_until` of honours and licences, an undated record's decision date), against
the same COPY with the `LIKE` over `data`'s text on every row that asks such a field (before:
`records.data_overrides` ignored, every row taking the exact, LIKE-guarded branch).

Runs on the database `bench/evaluate.py` loaded (`XINYONG_BENCH_POSTGRES_URL` → its
`xinyong_bench_evaluate`): `fact_table.record_select` as a run sends it, COPY … TO STDOUT read
and dropped by the client, `--rounds` times each way, alternated; the figure is the PostgreSQL
backend's CPU (/proc utime + stime), not wall time (the machine is shared). Also checks that both
statements give the same rows (the same bytes).

    .venv/bin/python bench/column_fields.py --rounds 5
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics

from procstats import cpu_seconds
from sqlalchemy import make_url

from xinyong.catalog.loader import load_catalog
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.evaluation import fact_table

PLAIN = "records.data_overrides IS false"  # the shortcut's condition in the compiled SQL


def statements(url: str) -> tuple[str, str]:
    """(after, before): the run's record select as SQL text, and with the shortcut disabled."""
    engine = make_engine(url)
    catalog = load_catalog(Settings(database_url=url).catalog_dir)
    with make_sessionmaker(engine)() as session:
        stmt, _schema = fact_table.record_select(
            session, fact_table.everyone(), catalog, labels=False
        )
        sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    engine.dispose()
    assert PLAIN in sql, "the statement reads no column field through data_overrides"
    return sql, sql.replace(PLAIN, "false")


def copy_cpu(dsn: str, sql: str) -> tuple[float, str]:
    """(the backend's CPU seconds for one COPY of `sql`, a digest of the rows it sent in any
    order: a sequential scan may start where another one is, `synchronize_seqscans`)."""
    import psycopg  # noqa: PLC0415

    blocks = []
    with psycopg.connect(dsn) as conn:
        pid = conn.info.backend_pid
        before = cpu_seconds(pid)
        with conn.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
            blocks.extend(bytes(block) for block in copy)
        spent = cpu_seconds(pid) - before
    rows = sorted(b"".join(blocks).splitlines())
    return spent, hashlib.sha256(b"\n".join(rows)).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    base = make_url(opts.postgres_url).set(database="xinyong_bench_evaluate")
    dsn = base.render_as_string(hide_password=False).replace("+psycopg", "")
    after, before = statements(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    copy_cpu(dsn, after)  # warm: the heap in the cache
    found: dict[str, list[float]] = {"before (LIKE per row)": [], "after (the column)": []}
    digests: set[str] = set()
    for _ in range(opts.rounds):
        for name, sql in zip(found, (before, after), strict=True):
            seconds, digest = copy_cpu(dsn, sql)
            found[name].append(seconds)
            digests.add(digest)
    assert len(digests) == 1, "the two statements gave different rows"
    print("| the records' COPY, PostgreSQL backend CPU s | median | runs |\n|---|---|---|")
    for name, runs in found.items():
        print(f"| {name} | {statistics.median(runs):.3f} | "
              f"{', '.join(f'{r:.3f}' for r in runs)} |")  # fmt: skip
    print(f"# the same rows both ways; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
