"""CPU per joint check, in process: the sync path (`measures.check`, SQLite or PostgreSQL) and, on
PostgreSQL, the fast path (`FastCheck`, with the server's CPU beside the client's) over graded
subjects. What it answers: what reading the stored grade (`supervision.grade_statement`, which
keeps only a result of its subject) costs a check. `time.process_time` for this process, /proc
for the PostgreSQL server (bench/procstats.py); steady on a shared machine, where wall time is not.

    python bench/check_grade_cpu.py --checks 3000                 # SQLite in a temporary folder
    python bench/check_grade_cpu.py --checks 3000 --url postgresql://…/postgres   # + fast path
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import procstats
import psycopg
from sqlalchemy import make_url

from xinyong import catalog as catalogs
from xinyong import demo, evaluation, measures, subjects
from xinyong.audit import Actor
from xinyong.config import REPO_ROOT
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role, SubjectKind
from xinyong.measures.fast import FastCheck

TODAY = date(2026, 11, 23)
SYSTEM = Actor(kind="api_client", id=1, label="接口:基准", role=Role.SYSTEM)


def database(url: str | None, folder: Path) -> str:
    if url is None:
        return f"sqlite:///{folder / 'check.db'}"
    name = "xinyong_bench_check_grade"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def load(url: str, n: int, catalog: catalogs.Catalog) -> list[str]:
    """`n` enterprises, each graded once (a stored result: what the check reads)."""
    rng = random.Random(3)
    codes = []
    with transaction(make_sessionmaker(make_engine(url))) as s:
        for i in range(n):
            new = subjects.NewSubject(demo.make_uscc(rng, "9", "1"), f"基准主体{i}有限公司",
                                      SubjectKind.ENTERPRISE)  # fmt: skip
            subject = subjects.register(s, new, actor=Actor.system(), today=TODAY)
            graded = evaluation.evaluate_subject(s, subject, catalog=catalog, today=TODAY)
            assert graded is not None, "a subject the check reads no grade of"
            codes.append(subject.code)
    return codes


def sync_cpu(url: str, codes: list[str], checks: int, catalog: catalogs.Catalog) -> float:
    with transaction(make_sessionmaker(make_engine(url))) as s:
        for code in codes[:50]:  # warm: compiled statements, caches
            measures.check(s, code, "bidding", catalog=catalog, actor=SYSTEM, today=TODAY)
        start = time.process_time()
        for i in range(checks):
            measures.check(s, codes[i % len(codes)], "bidding", catalog=catalog, actor=SYSTEM,
                           today=TODAY)  # fmt: skip
        return (time.process_time() - start) / checks


async def fast_cpu(
    url: str, codes: list[str], checks: int, catalog: catalogs.Catalog
) -> tuple[float, float]:
    fast = FastCheck(url)
    await fast.open()
    try:
        for code in codes[:50]:
            await fast.check(code, "bidding", catalog=catalog, actor=SYSTEM, today=TODAY)
        server, start = procstats.postgres_cpu(url), time.process_time()
        for i in range(checks):
            await fast.check(codes[i % len(codes)], "bidding", catalog=catalog, actor=SYSTEM,
                             today=TODAY)  # fmt: skip
        client = (time.process_time() - start) / checks
        return client, (procstats.postgres_cpu(url) - server) / checks
    finally:
        await fast.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--url", help="a PostgreSQL server (scripts/pg.sh); default SQLite")
    args = parser.parse_args()
    catalog = catalogs.load_catalog(REPO_ROOT / "catalogs")
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.url, Path(tmp))
        migrate.upgrade(url)
        codes = load(url, args.subjects, catalog)
        per = sync_cpu(url, codes, args.checks, catalog)
        print(f"sync check ({make_url(url).get_backend_name()}): {per * 1e6:.0f} µs CPU a check "
              f"(this process, {args.checks} checks)")  # fmt: skip
        if args.url:
            client, server = asyncio.run(fast_cpu(url, codes, args.checks, catalog))
            print(f"fast check (postgresql): {client * 1e6:.0f} µs CPU a check in this process, "
                  f"{server * 1e6:.0f} µs in the server")  # fmt: skip


if __name__ == "__main__":
    main()
