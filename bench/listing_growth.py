"""The 双公示 listing (and a subject page) as the archive grows (issue 17): each statement sent,
PostgreSQL buffers it touches (EXPLAIN (ANALYZE, BUFFERS): shared hit + read) and its plan's
top nodes, at the collected size and after growing the archive `--grow` times (bench/collect.py's
`grow_archive`: the records copied under other keys, decisions 37 days earlier per copy).

Buffers are the figure (a page that is flat as the archive grows touches the same number);
times on the shared machine measure the neighbours. A second import of the same size then
adds records over the same decision dates, as bench/collect.py --grow does after growing. Small
by default (100,000 records → 1M → 1.1M):

    .venv/bin/python bench/listing_growth.py --scale 0.1 --grow 10 --postgres-url postgresql://…
    .venv/bin/python bench/listing_growth.py --measure-only --postgres-url postgresql://…

One fresh database (`xinyong_bench_collect`, as bench/collect.py), loaded by `xinyong collect`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import collect
from sqlalchemy import event, make_url, text

logging.getLogger("httpx").setLevel(logging.WARNING)

PAGES = {
    "listing page 1": "/disclosures/penalty",
    "listing page 3 (by number)": "/disclosures/penalty?page=3",
    "listing by authority": "/disclosures/penalty?authority={authority}",
    "subject page (the subject with the most records)": "/subjects/{subject}",
}
# the subject with the most current records (a sample of subjects: no walk of the whole archive)
BUSIEST = text(
    "SELECT s.code, count(*) FROM (SELECT id, code FROM subjects WHERE kind <> 'person' "
    "ORDER BY id LIMIT 200) s JOIN records r ON r.subject_id = s.id AND r.is_current "
    "GROUP BY s.code ORDER BY count(*) DESC LIMIT 1"
)


def statements_of(url: str) -> dict[str, list[tuple[int, str, str]]]:
    """Per page: (buffers, the statement's head, the plan's outline) of each SELECT it sends."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from xinyong.config import Settings  # noqa: PLC0415
    from xinyong.web.app import create_app  # noqa: PLC0415

    os.environ["XINYONG_TODAY"] = collect.TODAY.isoformat()
    app = create_app(Settings(database_url=url))
    captured: list[tuple[str, Any]] = []

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if not many:
            captured.append((statement, params))

    out: dict[str, list[tuple[int, str, str]]] = {}
    with TestClient(app) as client:
        first = client.get("/disclosures/penalty").text
        found = re.search(r'<option value="([^"]+)"', first.split('name="authority"', 1)[-1])
        authority = found.group(1) if found else ""
        with app.state.engine.connect() as conn:
            subject, records = conn.execute(BUSIEST).one()
        print(f"# subject page: {subject}, {records:,} current records", file=sys.stderr)
        for name, path in PAGES.items():
            given = path.format(authority=authority, subject=subject)
            for _ in range(3):  # warm: the catalog, the plan caches
                assert client.get(given).status_code == 200
            captured.clear()
            assert client.get(given).status_code == 200
            out[name] = _explain(app.state.engine, list(captured))
    app.state.engine.dispose()
    return out


def _explain(engine: Any, statements: list[tuple[str, Any]]) -> list[tuple[int, str, str]]:
    rows = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for statement, params in statements:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
                plan = cur.fetchone()[0]
                node = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
                buffers = int(node.get("Shared Hit Blocks", 0)) + int(
                    node.get("Shared Read Blocks", 0)
                )
                rows.append((buffers, " ".join(statement.split())[:90], _outline(node)))
        raw.rollback()
    return rows


def _outline(node: dict[str, Any], depth: int = 0) -> str:
    """The plan's nodes, indented, with each one's buffers and rows (first levels only)."""
    own = int(node.get("Shared Hit Blocks", 0)) + int(node.get("Shared Read Blocks", 0))
    what = node["Node Type"] + (f" on {node['Index Name']}" if "Index Name" in node else "") + (
        f" on {node['Relation Name']}" if "Relation Name" in node and "Index Name" not in node
        else "")  # fmt: skip
    line = f"{'  ' * depth}{what}: {own} buffers, {node.get('Actual Rows', 0)} rows"
    line += f" × {node.get('Actual Loops', 1)} loops" if node.get("Actual Loops", 1) > 1 else ""
    kids = [_outline(k, depth + 1) for k in node.get("Plans", [])] if depth < 4 else []
    return "\n".join([line, *kids])


def report(label: str, figures: dict[str, list[tuple[int, str, str]]]) -> None:
    print(f"\n## {label}")
    for page, rows in figures.items():
        print(f"\n### {page}: {sum(b for b, _, _ in rows):,} buffers, {len(rows)} SELECTs")
        for buffers, head, outline in rows:
            print(f"- {buffers:>6,}  {head}")
            print("\n".join(f"          {line}" for line in outline.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="records collected, millions")
    parser.add_argument("--grow", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--measure-only", action="store_true",
                        help="measure the benchmark database as it is, build nothing")  # fmt: skip
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        sys.exit("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    rows = max(1, round(opts.scale * 1_000_000))
    if opts.measure_only:  # the database as it is (e.g. after `xinyong db upgrade`)
        url = make_url(opts.postgres_url).set(database="xinyong_bench_collect")
        report("as it is", statements_of(url.render_as_string(hide_password=False)))
        return
    url = collect.fresh_postgres(opts.postgres_url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        collect.generate(path, rows, opts.seed)
        collect.run_collect(url, path, rows)
        collect._analyze(url)
        report(f"{rows:,} records", statements_of(url))
        total = collect.grow_archive(url, opts.grow)
        report(f"{total:,} records (grown {opts.grow} ×)", statements_of(url))
        # as bench/collect.py --grow: another file over the same decision dates (the newest
        # days now hold twice the records)
        second = Path(tmp) / "penalties-2.csv"
        collect.generate(second, rows, opts.seed + 1)
        collect.run_collect(url, second, rows, fresh=False)
        collect._analyze(url)
        report(f"{total + rows:,} records (grown, then a second import)", statements_of(url))


if __name__ == "__main__":
    main()
