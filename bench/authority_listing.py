"""The 双公示 listing filtered by authority, and its department choices, at N records: the plans
(EXPLAIN (ANALYZE, BUFFERS)) and buffers of the statements the listing runs, on a fresh
PostgreSQL database at head holding N synthetic penalties (issue 17, 17w: the filter compares the
authority's integer id, `ix_records_authority_id`, where the index held names; the choices come
from `record_authorities`).

    .venv/bin/python bench/authority_listing.py --rows 1000000 --postgres-url postgresql://…/postgres
    .venv/bin/python bench/authority_listing.py --before …   # the same at 17d5a0c3b2e1 (names)

`--before`: the database at the revision before 17w (`ix_records_authority (authority_name)`, the
choices by a walk of that index, the filter by the name), the same records.

The records: `--authorities` deciding authorities (default 300), one of them common (a fifth of
the records), one rare (one record in 20,000), the rest alike; decision dates over ten years;
1 in 8 superseded. Loaded by SQL (INSERT … SELECT into the penalty partition, ids from the
sequence), then `record_authorities` and `authority_id` filled as the writers fill them, VACUUM
ANALYZE. Prints each statement's plan, its buffers and time on stderr, and one markdown row per
query (buffers hit + read, the plan's top node) for docs/dev/scale.md. Buffers, not times, are
what to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).parent))
from collect import fresh_postgres
from store_parts import authorities

from xinyong import archive
from xinyong.catalog import load_catalog
from xinyong.config import get_settings
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.db.tables import Record, RecordAuthority
from xinyong.disclosure.listing import ListingQuery, class_filter

TODAY = date(2026, 11, 23)
BEFORE = "17d5a0c3b2e1"
# the department choices before 17w: a walk of ix_records_authority, one probe per name
WALK = """WITH RECURSIVE names(name) AS (
  SELECT min(authority_name) FROM records
  WHERE info_class = 'penalty' AND authority_name IS NOT NULL
  UNION ALL
  SELECT (SELECT r.authority_name FROM records r WHERE r.info_class = 'penalty'
          AND r.authority_name > names.name ORDER BY r.authority_name LIMIT 1)
  FROM names WHERE names.name IS NOT NULL)
SELECT name FROM names WHERE name IS NOT NULL LIMIT 200"""
LOAD = """
INSERT INTO records_p_penalty (subject_id, info_class, natural_key, version, is_current, status,
  decision_number, decision_date, authority_name, catalog_version, content_hash, data, created_at,
  severity_class, severity_basis)
SELECT 1, 'penalty', 'k' || g, 1, g %% 8 <> 0, 'active', '罚〔' || g || '〕号',
  DATE '2026-11-23' - (g::bigint * 7919 %% 3650)::int,
  CASE WHEN g %% 5 = 0 THEN (%(names)s::text[])[1]
       WHEN g %% 20000 = 7 THEN (%(names)s::text[])[2]
       ELSE (%(names)s::text[])[3 + g %% (%(count)s - 2)] END,
  'v', %(hash)s, '{}', now(), NULL, NULL
FROM generate_series(1, %(rows)s) g
"""


def load(url: str, rows: int, names: list[str], *, before: bool) -> None:
    import psycopg  # noqa: PLC0415

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        conn.execute(
            "INSERT INTO subjects (id, kind, code, code_kind, name, former_names, status, "
            "verified) VALUES (1, 'enterprise', '91990100MA0000001X', 'uscc', '甲公司', '[]', "
            "'active', true)"
        )
        digest = "md5(g::text) || md5(g::text)"
        load = LOAD.replace("%(hash)s", digest if before else f"decode({digest}, 'hex')")
        conn.execute(load, {"names": names, "count": len(names), "rows": rows})
        if before:
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM (ANALYZE) records")
            return
        conn.execute(
            "INSERT INTO record_authorities (info_class, name) SELECT DISTINCT info_class, "
            "authority_name FROM records ORDER BY 1, 2"
        )
        conn.execute(
            "UPDATE records r SET authority_id = a.id FROM record_authorities a "
            "WHERE a.info_class = r.info_class AND a.name = r.authority_name"
        )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE) records")


def explain(conn: Any, sql: str) -> tuple[str, int, float]:
    """(plan text, shared buffers hit + read, ms) of EXPLAIN (ANALYZE, BUFFERS) of `sql`."""
    plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")))
    top = re.search(r"Buffers: shared((?: hit=\d+)?(?: read=\d+)?)", plan)
    buffers = sum(int(n) for n in re.findall(r"=(\d+)", top.group(1))) if top else 0
    ms = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return plan, buffers, float(ms.group(1)) if ms else 0.0


def statements(session: Any, names: list[str], *, before: bool) -> list[tuple[str, str]]:
    """(label, SQL) of what the listing runs: page 1, filtered by the common, a middle and the
    rare authority (page 1, 20 + 1 rows as the page asks), and the department choices."""
    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir, settings.catalog_override_dir)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    out = []
    for label, name in (("listing page 1", None), ("by the common authority", names[0]),
                        ("by a middle authority", names[5]),
                        ("by the rare authority", names[1])):  # fmt: skip
        where = class_filter(ListingQuery("penalty", authority_name=name), catalog, TODAY)
        if before:  # the filter by the name, as before 17w
            conds = archive.class_conditions(replace(where, authority_name=None))
            conds += [Record.authority_name == name] if name else []
        else:
            where = archive.with_authority_id(session, where)  # as archive.current_of_class
            conds = archive.class_conditions(where)
        shown = [c for c in Record.__table__.c if c.name != "authority_id"]  # both revisions'
        stmt = select(*shown).where(*conds).order_by(Record.decision_date.desc(), Record.id.desc())
        sql = str(stmt.limit(21).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        out.append((label, sql))
    choices = (  # as archive.authorities_of_class
        select(RecordAuthority.name)
        .where(RecordAuthority.info_class == "penalty")
        .order_by(RecordAuthority.name)
        .limit(200)
    )
    sql = str(choices.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    out.append(("department choices", WALK if before else sql))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--authorities", type=int, default=300)
    parser.add_argument("--before", action="store_true", help=f"at {BEFORE}, before 17w")
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    url = fresh_postgres(opts.postgres_url)
    migrate.upgrade(url, BEFORE if opts.before else "head")
    names = authorities(opts.authorities)
    load(url, opts.rows, names, before=opts.before)
    engine = make_engine(url)
    when = f"at {BEFORE}" if opts.before else "at head"
    print(f"| query ({opts.rows:,} penalties, {opts.authorities} authorities, {when}) | buffers "
          "| ms | plan |\n|---|---|---|---|")  # fmt: skip
    with transaction(make_sessionmaker(engine)) as session:
        for label, sql in statements(session, names, before=opts.before):
            plan, buffers, ms = explain(session, sql)
            print(f"# {label}\n{plan}\n", file=sys.stderr)
            first = plan.splitlines()[0].split("  (")[0].strip()
            nodes = [n.strip().split("  (")[0] for n in plan.splitlines() if "->" in n][:3]
            print(f"| {label} | {buffers:,} | {ms:.1f} | {first}; {' / '.join(nodes)} |")
    engine.dispose()


if __name__ == "__main__":
    main()
