"""The paged lists read in the query at N list entries: time and buffers of a page view at the
first and at a deep page — the public list (court defaulters, newest first), /admin/lists (every
list, and one list) and the officers' work queue (the credit office's, and one department's).

    .venv/bin/python bench/list_pages.py --scale 300000 --postgres-url postgresql://…/postgres

A fresh PostgreSQL database at head gets `--scale` entries: four fifths imported court
defaulters (`records`), one fifth decided here (`list_entries`, 市场监管严重违法失信名单), over
ten years of decisions, one in ten exited; subjects one per two entries; and `--scale` ÷ 10 open
open work-queue items (interviews to follow up and open objections, beside three times as many
closed ones: the history a queue must not read) over 20 departments. Loaded by SQL (INSERT …
SELECT), then VACUUM ANALYZE.

Each page view is the domain call the page makes (`lists.entries_page`, `lists.public_page`,
`workqueue.queue_page`), timed in process (CPU and wall ms, median of `--repeat`); the deep page
is reached by its position (the key of the row at 90 % of the list), as the next links carry it.
Buffers are those of EXPLAIN (ANALYZE, BUFFERS) of the page's own statement (the rows of the
page, not its capped count). Prints one markdown row per view; the plans go to stderr. Buffers and
CPU, not wall times, are what to compare on a shared machine (docs/dev/scale.md).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from collect import fresh_postgres

from xinyong import auth, lists, workqueue
from xinyong.audit import Actor
from xinyong.catalog import load_catalog
from xinyong.config import get_settings
from xinyong.db import keyset, migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role

TODAY = date(2026, 11, 23)
DEPARTMENTS = 20
LOAD = [
    """INSERT INTO providers (id, uscc, name, kind, active)
       SELECT g, '12990100MB' || lpad(g::text, 8, '0'), '示范部门' || g, 'market_regulation', true
       FROM generate_series(1, %(departments)s) g""",
    """INSERT INTO subjects (id, kind, code, code_kind, name, former_names, status, verified)
       SELECT g, 'enterprise', '91990100MA' || lpad(g::text, 8, '0'), 'uscc',
              '示范分页' || g || '有限公司', '[]', 'active', true
       FROM generate_series(1, %(subjects)s) g""",
    """INSERT INTO records (subject_id, info_class, natural_key, version, is_current, status,
         decision_number, decision_date, authority_name, catalog_version, content_hash, data,
         created_at)
       SELECT 1 + g %% %(subjects)s, 'court_defaulter', '（2020）执' || g || '号', 1, true,
              'active', '（2020）执' || g || '号',
              DATE '2026-11-23' - (g::bigint * 7919 %% 3650)::int,
              '示范区人民法院', 'v', decode(md5(g::text) || md5(g::text), 'hex'),
              (CASE WHEN g %% 10 = 0 THEN '{"removed_on": "2025-01-01"}' ELSE '{}' END)::json,
              now()
       FROM generate_series(1, %(imported)s) g""",
    """INSERT INTO list_entries (list_type, subject_id, stage, facts, basis, measures,
         deciding_authority, provider_id, catalog_version, proposed_on, decision_number,
         decided_on, published_on, exited_on, created_at)
       SELECT 'market_regulation_serious', 1 + g %% %(subjects)s, 'published', '事实', '[]', '[]',
              '示范区市场监督管理局', 1 + g %% %(departments)s, 'v', d, '示认〔' || g || '〕号',
              d, d,
              CASE WHEN g %% 10 = 0 THEN DATE '2025-01-01' END, now()
       FROM (SELECT g, DATE '2026-11-23' - (g::bigint * 7919 %% 3650)::int AS d
             FROM generate_series(1, %(platform)s) g) s""",
    """INSERT INTO interviews (subject_id, provider_id, held_on, participants, reason, agreed,
         record_ids, follow_up_on, followed_up_on, recorded_by, created_at)
       SELECT 1 + g %% %(subjects)s, 1 + g %% %(departments)s, DATE '2026-01-01', '甲', '约谈' || g,
              '整改', '[]', DATE '2026-11-23' + (g %% 90) - 30,
              CASE WHEN g %% 4 <> 0 THEN DATE '2026-06-01' END, 'bench', now()
       FROM generate_series(1, %(queue)s * 2) g""",
    """INSERT INTO objections (record_id, subject_id, status, grounds, filed_on, answer_due,
         provider_id, created_at)
       SELECT g, 1 + g %% %(subjects)s, CASE WHEN g %% 4 = 0 THEN 'open' ELSE 'answered' END,
              '异议' || g, DATE '2026-11-01', DATE '2026-11-23' + (g %% 60) - 20,
              1 + g %% %(departments)s, now()
       FROM generate_series(1, %(queue)s * 2) g""",
]


def load(url: str, scale: int) -> None:
    import psycopg  # noqa: PLC0415

    sizes = {"departments": DEPARTMENTS, "subjects": max(1, scale // 2),
             "imported": scale * 4 // 5, "platform": scale - scale * 4 // 5,
             "queue": max(2, scale // 10)}  # fmt: skip
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        for sql in LOAD:
            conn.execute(sql, sizes)
        for table in ("providers", "subjects", "list_entries", "interviews", "objections"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")  # fmt: skip
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")


def explain(session: Any, stmt: Any) -> tuple[int, str]:
    """(shared buffers hit + read, the plan) of EXPLAIN (ANALYZE, BUFFERS) of `stmt`."""
    compiled = stmt.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )  # bound, as run
    cursor = session.connection().connection.cursor()
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", compiled.params)
    plan = "\n".join(r[0] for r in cursor.fetchall())
    top = re.search(r"Buffers: shared((?: hit=\d+)?(?: read=\d+)?)", plan)
    return (sum(int(n) for n in re.findall(r"=(\d+)", top.group(1))) if top else 0), plan


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median (CPU ms, wall ms) of `call` in this process."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def deep_key(session: Any, q: Any, order: keyset.Order, key_of: Callable[[Any], Any]) -> Any:
    """The position of the row at 90 % of the list (setup: read once by OFFSET, not timed)."""
    total = session.execute(select(func.count()).select_from(q)).scalar_one()
    row = session.execute(select(q).order_by(*order.clauses())
                          .offset(max(0, total * 9 // 10)).limit(1)).first()  # fmt: skip
    return key_of(row) if row is not None else None


def views(session: Any, catalog: Any) -> list[tuple[str, Callable[..., Any], Any, Any, Any]]:
    """(label, page call taking `after`, statement, order, position of a deep row) per list."""
    out = []
    for label, query in (
        ("public list court_defaulter", lists.public_query("court_defaulter")),
        ("/admin/lists every list", lists.EntryQuery()),
        ("/admin/lists one list", lists.EntryQuery(list_type="market_regulation_serious")),
    ):
        e, order = lists.paging.entries_statement(session, catalog, TODAY, query)

        def call(after: Any, query: Any = query) -> Any:
            return lists.entries_page(session, catalog=catalog, today=TODAY, query=query,
                                      after=after)  # fmt: skip

        key = deep_key(session, e, order, lists.paging._key_of(query))
        out.append((label, call, e, order, key))
    for label, actor in (
        ("work queue, credit office", Actor(kind="user", id=1, label="信用办", role=Role.ADMIN)),
        ("work queue, one department", Actor(kind="user", id=2, label="部门", role=Role.OFFICER,
                                             provider_id=1)),
    ):  # fmt: skip
        q, order = workqueue.queue_statement(auth.department_scope(actor))

        def page(after: Any, actor: Actor = actor) -> Any:
            return workqueue.queue_page(session, today=TODAY, actor=actor, after=after)

        out.append((label, page, q, order, deep_key(session, q, order, workqueue._key)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=300_000, help="list entries")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    url = fresh_postgres(opts.postgres_url)
    migrate.upgrade(url, "head")
    started = time.perf_counter()
    load(url, opts.scale)
    print(f"loaded {opts.scale:,} entries in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)  # fmt: skip
    settings = get_settings()
    catalog = load_catalog(settings.catalog_dir, settings.catalog_override_dir)
    engine = make_engine(url)
    print(f"| page view ({opts.scale:,} entries, {opts.scale // 10:,} queue items) | page "
          "| CPU ms | wall ms | buffers | rows |\n|---|---|---|---|---|---|")  # fmt: skip
    with transaction(make_sessionmaker(engine)) as session:
        for label, call, stmt, order, deep in views(session, catalog):
            for where, after in (("first", None), ("deep (90 %)", deep)):
                cpu, wall = timed(lambda call=call, after=after: call(after), opts.repeat)
                shown = call(after)
                rows = len(getattr(shown, "entries", None) or getattr(shown, "items", ()))
                page = select(stmt).order_by(*order.clauses()).limit(101)
                page = page if after is None else page.where(order.beyond(after))
                buffers, plan = explain(session, page)
                print(f"# {label}, {where}\n{plan}\n", file=sys.stderr)
                print(f"| {label} | {where} | {cpu:.1f} | {wall:.1f} | {buffers:,} | {rows} |")
    engine.dispose()


if __name__ == "__main__":
    main()
