"""A subject page section's count: the statements it sends and the buffers they touch, for
subjects with few and many records (issue "reads": the count no longer walks the subject's rows).

Builds bench/subject_page.py's database (`--sizes` penalties per enterprise, loaded by
`xinyong collect`, VACUUM ANALYZE), or reuses it (`--reuse`), then for each enterprise asks the
penalties section's count (`disclosure.sections._count`, what a page beyond the first asks)
and re-runs each statement it sent as `EXPLAIN (ANALYZE, BUFFERS)`: buffers (shared hit + read)
per statement, the plan's top scan, and the count. Buffers, not times, compare on a shared
machine. `--no-seqscan` plans as a database with many subjects would (the bench database holds
only these few, so PostgreSQL may scan the partition instead of the subject index).

    .venv/bin/python bench/section_count.py --postgres-url postgresql://…/postgres
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url
from subject_page import DATABASE, fresh_postgres, load, write_file

from xinyong import subjects
from xinyong.catalog.loader import load_catalog
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.disclosure import sections

TODAY = date(2026, 11, 23)  # bench/collect.py's TODAY (subject_page loads with it)
BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")


def explain(raw: Any, sql: str, params: Any, *, seqscan: bool) -> tuple[int, str]:
    """(buffers of the statement's execution, its plan's first scan line)."""
    with raw.cursor() as cursor:
        cursor.execute(f"SET enable_seqscan = {'on' if seqscan else 'off'}")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET enable_seqscan")
    top = next((m for line in plan if (m := BUFFERS.search(line))), None)  # the root's buffers
    buffers = sum(int(g) for g in top.groups() if g) if top else 0
    scan = next((line.strip() for line in plan if " Scan " in line), "")
    return buffers, re.sub(r"\s*\(actual.*", "", scan)


def measure(url: str, codes: list[str], *, seqscan: bool) -> list[dict[str, Any]]:
    engine = make_engine(url)
    catalog = load_catalog(Settings(database_url=url).catalog_dir)
    sent: list[tuple[str, Any]] = []
    out = []

    @event.listens_for(engine, "before_cursor_execute")
    def _grab(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: Any) -> None:
        sent.append((sql, params))

    with make_sessionmaker(engine)() as session:
        filters, _ = sections._filters(catalog, "penalties", TODAY)
        for code in codes:
            subject = subjects.get_by_code(session, code)
            held = (
                session.connection()
                .exec_driver_sql(
                    "SELECT count(*) FROM records WHERE subject_id = %(s)s AND is_current",
                    {"s": subject.id},
                )
                .scalar_one()
            )
            sent.clear()
            count, floor = sections._count(session, subject.id, filters, catalog=catalog,
                                           today=TODAY)  # fmt: skip
            raw = session.connection().connection.driver_connection
            plans = [explain(raw, sql, p, seqscan=seqscan) for sql, p in list(sent)]
            out.append({"records": held, "count": f"{'至少 ' if floor else ''}{count:,}",
                        "statements": len(plans), "buffers": [b for b, _ in plans],
                        "scans": [s for _, s in plans]})  # fmt: skip
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,5000", help="records of each subject")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--reuse", action="store_true", help="the database is already built")
    parser.add_argument("--no-seqscan", action="store_true", help="plan without seq scans")
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    sizes = [int(s) for s in opts.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        codes = write_file(path, sizes, opts.seed)  # the same codes for the same seed
        if opts.reuse:
            base = make_url(opts.postgres_url).set(database=DATABASE)
            url = base.render_as_string(hide_password=False)
        else:
            url = fresh_postgres(opts.postgres_url)
            load(url, path)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    print("| records of the subject | section count | statements | buffers per statement | "
          "scans |\n|---|---|---|---|---|")  # fmt: skip
    for row in measure(url, codes, seqscan=not opts.no_seqscan):
        print(f"| {row['records']:,} | {row['count']} | {row['statements']} | "
              f"{' + '.join(map(str, row['buffers']))} | {'; '.join(row['scans'])} |")  # fmt: skip


if __name__ == "__main__":
    main()
