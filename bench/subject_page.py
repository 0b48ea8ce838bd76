"""Subject page benchmark: what one GET /subjects/{code} costs for a subject with few or many
records (issue 17: "the subject page costs the same for a subject with 10 × the records").

One fresh PostgreSQL database (`xinyong_bench_subject_page`), three enterprises with `--sizes`
penalties each (default 50, 500, 5,000; the national layout of bench/collect.py, decisions spread
over the last 1,000 days, the severity MIX), loaded by `xinyong collect` as a department would,
then ANALYZE (as autovacuum would). Each page is requested `--requests` times in process
(TestClient, after two untimed warm-ups) and measured per request:

- the server's CPU: this process's `time.process_time` (the app and the test client run here);
- the PostgreSQL server's CPU (/proc utime + stime of every server process, bench/procstats.py);
- the statements sent (a SQLAlchemy `before_cursor_execute` counter on the app's engine);
- the rows shown and the page's size.

    .venv/bin/python bench/subject_page.py --postgres-url postgresql://…/postgres
    .venv/bin/python bench/subject_page.py --sizes 50,500 --requests 5 --postgres-url …

CPU, not wall time, is the figure: on a shared machine the wall time measures the neighbours.
Prints one markdown row per size (for bench/RESULTS.md) and the ratio of the largest to the
smallest (goal: ≈ 1, the page pages each section instead of rendering every record).
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from collect import BIN, HEADERS, MIX, TODAY, uscc
from procstats import postgres_cpu
from sqlalchemy import event, make_url, text

from xinyong import clock
from xinyong.db import migrate
from xinyong.db.session import make_engine

logging.getLogger("httpx").setLevel(logging.WARNING)

DATABASE = "xinyong_bench_subject_page"


def fresh_postgres(base: str) -> str:
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f"CREATE DATABASE {DATABASE} ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return make_url(base).set(database=DATABASE).render_as_string(hide_password=False)


def write_file(path: Path, sizes: list[int], seed: int) -> list[str]:
    """One CSV with `sizes[i]` penalties of enterprise i; returns the enterprises' codes."""
    rng = random.Random(seed)
    authority = uscc(rng, "11990100")
    codes = [uscc(rng) for _ in sizes]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        n = 0
        for code, size in zip(codes, sizes, strict=True):
            for kind in rng.choices(MIX, weights=[m[0] for m in MIX], k=size):
                decided = TODAY - timedelta(days=rng.randrange(0, 1000))
                n += 1
                writer.writerow([
                    f"示范{code[8:16]}有限公司", "法人及非法人组织", code, "王伟", "", "",
                    f"示罚〔{decided.year}〕{n}号", "未按规定公示年度报告",
                    "经查，当事人未按规定公示年度报告，违反了相关规定。",
                    "《中华人民共和国行政处罚法》第九条",
                    kind[1], kind[2], kind[3], decided.isoformat(),
                    (decided + timedelta(days=365)).isoformat(), "示范区市场监督管理局",
                    authority, "示范区市场监督管理局", authority, kind[4], kind[5],
                ])  # fmt: skip
    return codes


def load(url: str, path: Path) -> None:
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": TODAY.isoformat()}
    provider = uscc(random.Random(1), "11990100")
    migrate.upgrade(url)
    xinyong = str(BIN / "xinyong")
    subprocess.run([xinyong, "providers", "add", provider, "基准测试局"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run([xinyong, "collect", str(path), "--class", "penalty", "--provider", provider,
                    "--json"], env=env, check=True, capture_output=True)  # fmt: skip
    import psycopg  # noqa: PLC0415

    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("VACUUM ANALYZE records")


def measure(url: str, codes: list[str], sizes: list[int], requests: int) -> list[dict[str, Any]]:
    """Per subject: CPU ms (this process, PostgreSQL), statements and page size per request."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from xinyong.config import Settings  # noqa: PLC0415
    from xinyong.web.app import create_app  # noqa: PLC0415

    os.environ["XINYONG_TODAY"] = TODAY.isoformat()
    app = create_app(Settings(database_url=url))
    statements = [0]

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        statements[0] += 1

    out = []
    with TestClient(app) as client:
        for code, size in zip(codes, sizes, strict=True):
            path = f"/subjects/{code}"
            for _ in range(2):  # warm-up: templates, catalog, plans
                assert client.get(path).status_code == 200
            statements[0] = 0
            server, own = postgres_cpu(url), time.process_time()
            for _ in range(requests):
                resp = client.get(path)
                assert resp.status_code == 200, (path, resp.status_code)
            own, server = time.process_time() - own, postgres_cpu(url) - server
            rows = len(re.findall(r"<summary>", resp.text))
            out.append({"records": size, "app_ms": own / requests * 1000,
                        "pg_ms": server / requests * 1000, "statements": statements[0] / requests,
                        "rows": rows, "kb": len(resp.content) / 1024})  # fmt: skip
    app.state.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,5000", help="records of each subject")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per subject")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--postgres-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL"))
    opts = parser.parse_args()
    if not opts.postgres_url:
        parser.error("--postgres-url (or XINYONG_BENCH_POSTGRES_URL) is required")
    sizes = [int(s) for s in opts.sizes.split(",")]
    url = fresh_postgres(opts.postgres_url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "penalties.csv"
        codes = write_file(path, sizes, opts.seed)
        load(url, path)
    found = measure(url, codes, sizes, opts.requests)
    print("| date | benchmark | records of the subject | app CPU ms | PostgreSQL CPU ms | "
          "statements | rows shown | page KB |\n|---|---|---|---|---|---|---|---|")  # fmt: skip
    for f in found:
        print(
            f"| {clock.today()} | bench/subject_page.py | {f['records']:,} | {f['app_ms']:.1f} "
            f"| {f['pg_ms']:.1f} | {f['statements']:.0f} | {f['rows']} | {f['kb']:.0f} |"
        )
    first, last = found[0], found[-1]
    print(f"# {last['records']:,} vs {first['records']:,} records: app CPU "
          f"{last['app_ms'] / first['app_ms']:.2f} ×, PostgreSQL CPU "
          f"{last['pg_ms'] / max(first['pg_ms'], 1e-9):.2f} ×; load {os.getloadavg()[0]:.1f}",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
