"""The public pages on a grown archive (issue 17): per page, after a warm-up, N timed requests in
process (TestClient, one at a time) — p50 / p95 / p99 wall ms, the app's CPU ms per request —
and, for one request of each page, the statements it sent and the PostgreSQL buffers they touch
(each statement captured with its parameters and re-run as `EXPLAIN (ANALYZE, BUFFERS)`: shared
hit + read, summed over the page). Buffers and statements are the figures that show whether a
page is flat as the archive grows; wall times on a shared machine measure the neighbours.

Pages: the 双公示 listing (page 1, the keyset's next page, page 3 by number, filtered by the
first authority), the subject page of subjects that hold records (the grown ones), and of
`control` subjects whose records the growth did not copy (`bench/collect.py` leaves them out),
which separates the archive's size from the subject's.

    .venv/bin/python bench/pages.py --postgres-url postgresql://…/xinyong_bench_collect
    (bench/collect.py --grow calls `measure` before and after growing)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import event

logging.getLogger("httpx").setLevel(logging.WARNING)

TODAY = date(2026, 11, 23)  # bench/collect.py's today
REQUESTS = 200
WARMUP = 20
VERBOSE = bool(os.environ.get("BENCH_PAGES_EXPLAIN"))  # each statement's buffers on stderr


@dataclass
class PageFigures:
    name: str
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0
    statements: int = 0
    buffers: int = 0
    subject_records: int | None = None

    def pct(self, q: float) -> float:
        ordered = sorted(self.wall_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def sample_paths(url: str, subjects: int = 20, control: list[int] | None = None) -> dict[str, Any]:
    """The pages to time: {name: ([paths], records of the subject or None)}."""
    import psycopg  # noqa: PLC0415

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        grown = [tuple(r) for r in conn.execute(
            "SELECT s.code, s.id FROM subjects s WHERE s.kind <> 'person' AND EXISTS "
            "(SELECT 1 FROM records r WHERE r.subject_id = s.id) ORDER BY s.id LIMIT %s",
            (subjects,),
        )]  # fmt: skip
        kept = [tuple(r) for r in conn.execute(
            "SELECT code, id FROM subjects WHERE id = ANY(%s) ORDER BY id", (control or [],)
        )]  # fmt: skip
        authority = conn.execute(
            "SELECT authority_name FROM records WHERE info_class = 'penalty' "
            "AND authority_name IS NOT NULL LIMIT 1"
        ).fetchone()

        def size(ids: list[int]) -> int:
            row = conn.execute(
                "SELECT count(*) FROM records WHERE subject_id = ANY(%s) AND is_current", (ids,)
            ).fetchone()
            return int(row[0]) // max(1, len(ids)) if row else 0

        pages: dict[str, Any] = {
            "listing page 1": (["/disclosures/penalty"], None),
            "listing next page (keyset)": (["next"], None),
            "listing page 3 (by number)": (["/disclosures/penalty?page=3"], None),
        }
        if authority:
            pages["listing by authority"] = (
                [f"/disclosures/penalty?authority={authority[0]}"], None)  # fmt: skip
        pages["subject page (grown subjects)"] = (
            [f"/subjects/{c}" for c, _ in grown], size([i for _, i in grown]))  # fmt: skip
        if kept:
            pages["subject page (control: not grown)"] = (
                [f"/subjects/{c}" for c, _ in kept], size([i for _, i in kept]))  # fmt: skip
    return pages


def measure(url: str, *, requests: int = REQUESTS, warmup: int = WARMUP,
            control: list[int] | None = None) -> list[PageFigures]:  # fmt: skip
    """Time every page of `sample_paths` and count its statements and buffers."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from xinyong.config import Settings  # noqa: PLC0415
    from xinyong.web.app import create_app  # noqa: PLC0415

    before = os.environ.get("XINYONG_TODAY")
    os.environ["XINYONG_TODAY"] = TODAY.isoformat()  # the pages' today, as collect's
    app = create_app(Settings(database_url=url))
    captured: list[tuple[str, Any]] = []

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if not many:
            captured.append((statement, params))

    out = []
    with TestClient(app) as client:
        first = client.get("/disclosures/penalty").text
        found = re.search(r'href="(/disclosures/penalty\?[^"]*after=[^"]+)"', first)
        keyset = found.group(1).replace("&amp;", "&") if found else "/disclosures/penalty?page=2"
        for name, (given, records) in sample_paths(url, control=control).items():
            paths = [keyset if p == "next" else p for p in given]
            fig = PageFigures(name, subject_records=records)
            for i in range(warmup):
                _ok(client.get(paths[i % len(paths)]), paths[i % len(paths)])
            cpu = time.process_time()
            for i in range(requests):
                path = paths[i % len(paths)]
                started = time.perf_counter()
                _ok(client.get(path), path)
                fig.wall_ms.append((time.perf_counter() - started) * 1000)
            fig.cpu_ms = (time.process_time() - cpu) / requests * 1000
            captured.clear()
            _ok(client.get(paths[0]), paths[0])
            fig.statements, fig.buffers = len(captured), _buffers(app.state.engine, captured)
            out.append(fig)
    app.state.engine.dispose()
    if before is None:
        del os.environ["XINYONG_TODAY"]
    else:
        os.environ["XINYONG_TODAY"] = before
    return out


def _ok(resp: Any, path: str) -> None:
    assert resp.status_code == 200, (path, resp.status_code)


def _buffers(engine: Any, statements: list[tuple[str, Any]]) -> int:
    """Shared buffers (hit + read) the statements touch, by EXPLAIN (ANALYZE, BUFFERS) of each
    (a read-only page: re-running its statements changes nothing; rolled back anyway)."""
    total = 0
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for statement, params in list(statements):
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
                plan = cur.fetchone()[0]
                node = (plan if isinstance(plan, list) else json.loads(plan))[0]
                total += _plan_buffers(node)
                if VERBOSE:
                    head = " ".join(statement.split())[:150]
                    cost, jit = node["Plan"].get("Total Cost"), "JIT" in node
                    print(f"# {_plan_buffers(node):>6} buffers, cost {cost:,.0f}, JIT {jit}  "
                          f"{head}", file=sys.stderr)  # fmt: skip
        raw.rollback()
    return total


def _plan_buffers(node: dict[str, Any]) -> int:
    """Shared buffers the statement's execution touched (planning's catalog look-ups left out:
    they depend on the connection's cache, not on the archive)."""
    top = node.get("Plan", node)
    return int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))


def table(label: str, figures: list[PageFigures]) -> str:
    rows = [f"| {label} | page | records of the subject | p50 ms | p95 ms | p99 ms | app CPU ms "
            "| statements | buffers |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    rows += [
        f"| | {f.name} | {'' if f.subject_records is None else f.subject_records} | "
        f"{f.pct(0.5):.1f} | {f.pct(0.95):.1f} | {f.pct(0.99):.1f} | {f.cpu_ms:.1f} | "
        f"{f.statements} | {f.buffers} |"
        for f in figures
    ]
    return "\n".join(rows)


def flatness(before: list[PageFigures], after: list[PageFigures]) -> str:
    """Per page: after / before for p99, CPU, statements and buffers (goal: ≤ 1 ×, noise aside)."""
    rows = ["| page | p99 × | app CPU × | statements | buffers |", "|---|---|---|---|---|"]
    prior = {f.name: f for f in before}
    for f in after:
        b = prior.get(f.name)
        if b is None:
            continue
        rows.append(f"| {f.name} | {f.pct(0.99) / max(b.pct(0.99), 1e-9):.2f} | "
                    f"{f.cpu_ms / max(b.cpu_ms, 1e-9):.2f} | {b.statements} → {f.statements} | "
                    f"{b.buffers} → {f.buffers} |")  # fmt: skip
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--warmup", type=int, default=WARMUP)
    parser.add_argument("--control", default="", help="ids of subjects the growth left alone")
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    control = [int(i) for i in opts.control.split(",") if i]
    print(table("pages", measure(opts.postgres_url, requests=opts.requests,
                                 warmup=opts.warmup, control=control)))  # fmt: skip
    print(f"# load {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
