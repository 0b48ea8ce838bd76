"""A CLI people enjoy: Chinese titles for --matter/--class, one Chinese line for usage mistakes
and a missing database, log lines in the log file (stderr only with --verbose), light --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli import run_cli as _run
from tests.test_cli import cli_env  # noqa: F401  (module fixture)
from xinyong.config import REPO_ROOT


def _answer(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    body: dict[str, object] = json.loads(result.stdout)
    body.pop("check_id")  # each check is logged under its own id
    return body


def test_check_accepts_the_matter_title(cli_env: dict[str, str]) -> None:  # noqa: F811
    code = json.loads(_run(cli_env, "lists", "entries", "--json").stdout)[0]["subject_code"]
    by_title = _run(cli_env, "check", code, "--matter", "招标投标", "--json")
    by_code = _run(cli_env, "check", code, "--matter", "bidding", "--json")
    assert _answer(by_title) == _answer(by_code)
    assert _answer(by_code)["matter"] == "bidding"
    assert by_title.stderr == ""  # no log lines in the command's output


def test_check_replay_rebuilds_a_logged_check(cli_env: dict[str, str]) -> None:  # noqa: F811
    code = json.loads(_run(cli_env, "lists", "entries", "--json").stdout)[0]["subject_code"]
    asked = json.loads(_run(cli_env, "check", code, "--matter", "bidding", "--json").stdout)
    again = _run(cli_env, "check", "replay", asked["check_id"])
    assert again.stdout.strip().endswith("digest matches")
    assert json.loads(again.stdout[: again.stdout.rindex("}") + 1]) == asked
    missing = _run(cli_env, "check", "replay", "0" * 32, check=False)
    assert missing.returncode != 0
    assert "未找到核查" in missing.stderr


def test_a_wrong_matter_lists_the_valid_ones(cli_env: dict[str, str]) -> None:  # noqa: F811
    result = _run(cli_env, "check", "91110000100000000A", "--matter", "招投标", check=False)
    assert result.returncode == 1
    assert "核查事项“招投标”不存在，可选：" in result.stderr
    assert "bidding（招标投标）" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_collect_accepts_the_class_title(cli_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    empty = tmp_path / "x.csv"
    empty.write_text("a\n", encoding="utf-8")
    wrong = _run(cli_env, "collect", str(empty), "--class", "处罚", "--provider", "x", check=False)
    assert "信息类“处罚”不存在，可选：" in wrong.stderr
    assert "penalty（行政处罚信息）" in wrong.stderr or "penalty（" in wrong.stderr


def test_usage_mistakes_are_one_chinese_line(cli_env: dict[str, str]) -> None:  # noqa: F811
    missing = _run(cli_env, "check", check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].startswith("错误：缺少参数 CODE。")
    assert "Traceback" not in missing.stderr
    group = _run(cli_env, "clients", check=False)
    assert group.returncode == 2
    assert "错误：缺少子命令。" in group.stderr
    assert "Traceback" not in group.stderr + group.stdout


def test_missing_database_says_run_init(tmp_path: Path) -> None:
    env = {
        "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}",
        "XINYONG_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = _run(env, "lists", "entries", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"错误（cli.database_missing）：数据库 sqlite:///{tmp_path / 'none.db'} 不存在："
        "请先运行 `xinyong init`"
    )


def test_log_lines_go_to_the_log_file_and_to_stderr_only_with_verbose(
    cli_env: dict[str, str],  # noqa: F811
) -> None:
    log = Path(cli_env["XINYONG_DATA_DIR"]) / "logs" / "xinyong.log"
    quiet = _run(cli_env, "catalog", "check")
    assert "catalog loaded" not in quiet.stderr
    assert "catalog loaded" in log.read_text(encoding="utf-8")
    loud = _run(cli_env, "--verbose", "catalog", "check")
    assert "catalog loaded" in loud.stderr


def test_help_imports_no_heavy_module() -> None:
    probe = (
        "import sys, xinyong.cli; "
        "print(','.join(m for m in ('sqlalchemy', 'polars', 'pydantic', 'xinyong.catalog',"
        " 'xinyong.db', 'structlog') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout.strip()
    assert loaded == ""


def test_check_replay_uses_the_catalog_version_the_log_names(
    cli_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    """`init` recorded the shipped catalog with its files; the platform now loads a changed one
    (an override with another legal basis): the replay rebuilds under the logged version."""
    code = json.loads(_run(cli_env, "lists", "entries", "--json").stdout)[0]["subject_code"]
    asked = json.loads(_run(cli_env, "check", code, "--matter", "procurement", "--json").stdout)
    override = tmp_path / "override" / "measures"
    override.mkdir(parents=True)
    shipped = (REPO_ROOT / "catalogs" / "measures" / "national_basic.yaml").read_text("utf-8")
    changed = shipped.replace("article: 第二十二条,", "article: 第二十二条第一款,", 1)
    assert changed != shipped
    (override / "national_basic.yaml").write_text(changed, encoding="utf-8")
    env = {**cli_env, "XINYONG_CATALOG_OVERRIDE_DIR": str(override.parent)}
    now = json.loads(_run(env, "catalog", "check", "--json").stdout)["version"]
    assert not now.startswith(asked["catalog_version"])  # the platform runs another version
    done = json.loads(_run(env, "check", "replay", asked["check_id"], "--json").stdout)
    assert done["matches"]
    assert done["catalog_version"] == done["logged_catalog_version"] == asked["catalog_version"]
    assert done["answer"] == asked


def test_evaluate_start_up_imports_only_what_it_uses() -> None:
    """`xinyong evaluate`'s modules (issue 12, its fixed cost): no web framework, no Jinja (the
    list notice compiles its template on first use) and only the table modules it touches."""
    probe = (
        "import sys, xinyong.cli, xinyong.evaluation.engine; "
        "print(','.join(m for m in ('fastapi', 'starlette', 'uvicorn', 'jinja2', 'reportlab',"
        " 'xinyong.web', 'xinyong.db.tables.inspections', 'xinyong.db.tables.scenarios',"
        " 'xinyong.db.tables.reports', 'xinyong.db.tables.content') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout.strip()
    assert loaded == ""


def test_start_up_holds_the_collector_until_the_command_reads_its_settings(
    tmp_path: Path,
) -> None:
    """`main` holds the garbage collector through the imports; reading the settings (every
    command that works does, after its imports) freezes what start-up made and resumes it."""
    probe = (
        "import gc; from xinyong.cli import context; "
        "context.hold_collector(); held = gc.isenabled(); context.settings(); "
        "print(held, gc.isenabled(), gc.get_freeze_count() > 0)"
    )
    env = {**os.environ, "XINYONG_DATA_DIR": str(tmp_path)}  # its log file
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        check=True,
    ).stdout.strip()
    assert shown == "False True True"
