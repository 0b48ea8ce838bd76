"""`xinyong evaluate` and `xinyong export parquet` end to end on a fresh SQLite demo region."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl

from tests.test_cli import _run, cli_env

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
            "SELECT count(*) FROM evaluation_results r JOIN evaluation_runs u ON u.id = r.run_id "
            "WHERE u.model_id = 'enterprise'"
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
