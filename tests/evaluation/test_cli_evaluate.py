"""`xinyong evaluate` and `xinyong export parquet` end to end on a fresh SQLite demo region."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl

from tests.cli import run_cli as _run
from tests.test_cli import cli_env

__all__ = ["cli_env"]


def test_evaluate_json_counts_every_graded_subject(cli_env: dict[str, str]) -> None:
    result = _run(cli_env, "evaluate", "--model", "enterprise", "--as-of", "2026-11-23", "--json")
    summary = json.loads(result.stdout)
    assert set(summary) == {"model", "version", "as_of", "subjects", "grades", "seconds"}
    assert summary["model"] == "enterprise"
    assert summary["as_of"] == "2026-11-23"
    assert list(summary["grades"]) == ["A", "B", "C", "D"]
    assert sum(summary["grades"].values()) == summary["subjects"] > 0
    db = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM evaluation_results WHERE run_id = "
            "(SELECT max(id) FROM evaluation_runs WHERE model_id = 'enterprise')"  # this run's
        ).fetchone()[0]
    assert stored == summary["subjects"]


def test_every_model_runs_and_the_snapshot_holds_the_fact_table(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    every = json.loads(_run(cli_env, "evaluate", "--json").stdout)
    assert {s["model"] for s in every} == {
        "enterprise",
        "individual_business",
        "social_org",
        "public_institution",
        "government",
    }
    out = tmp_path / "snap"
    manifest = json.loads(_run(cli_env, "export", "parquet", str(out), "--json").stdout)
    facts = pl.read_parquet(out / "facts.parquet")
    subjects = pl.read_parquet(out / "subjects.parquet")
    assert facts.height == manifest["facts"] > 0
    assert subjects.height == sum(s["subjects"] for s in every)
    assert set(facts.columns) == {
        "subject_id",
        "keys",
        "ref",
        "on",
        "until",
        "status",
        "severity",
        "published",
        "numbers",
        "label",
    }


def test_inspections_plan_then_redraw_reproduces_exactly(cli_env: dict[str, str]) -> None:
    db = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        uscc, region = conn.execute(
            "SELECT p.uscc, s.region_code FROM providers p, subjects s "
            "WHERE s.region_code IS NOT NULL LIMIT 1"
        ).fetchone()
    for n in range(3):
        _run(
            cli_env,
            "inspections",
            "inspector",
            f"检查员{n}",
            "--badge",
            f"CLI{n}",
            "--department",
            uscc,
        )
    made = json.loads(
        _run(
            cli_env,
            "inspections",
            "plan",
            "CLI-01",
            "--title",
            "命令行抽查",
            "--department",
            uscc,
            "--sector",
            "market_regulation",
            "--region",
            region[:4],
            "--from",
            "2026-11-23",
            "--to",
            "2026-12-31",
            "--json",
        ).stdout
    )
    assert made["drawn"] > 0
    again = json.loads(_run(cli_env, "inspections", "redraw", "CLI-01", "--json").stdout)
    assert again["identical"] is True
    assert again["seed"] == made["seed"]
    assert len(again["drawn"]) == made["drawn"]
