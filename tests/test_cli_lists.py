"""`xinyong lists propose|notice|deliver|statement|decide|publish|exit` on a fresh SQLite file:
every step through the domain actions, refused steps as one Chinese line with exit status 1."""

from __future__ import annotations

import json

import pytest

from tests.cli import run_cli as _run
from tests.test_cli import cli_env  # noqa: F401  (the module fixture)


def _today(env: dict[str, str], day: str) -> dict[str, str]:
    return {**env, "XINYONG_TODAY": day}


def test_a_whole_listing_and_an_early_exit_on_the_command_line(cli_env: dict[str, str]) -> None:  # noqa: F811
    code = json.loads(_run(cli_env, "subjects", "list", "--limit", "40", "--json").stdout)[-1][
        "code"
    ]
    env = _today(cli_env, "2026-11-23")
    made = json.loads(
        _run(
            env,
            "lists",
            "propose",
            code,
            "--type",
            "tax_serious_violation",
            "--facts",
            "经查，该单位虚开增值税专用发票",
            "--json",
        ).stdout
    )
    entry = str(made["id"])
    assert made["stage"] == "proposed"
    refused = _run(env, "lists", "decide", entry, "--number", "税认〔2026〕1号", check=False)
    assert refused.returncode == 1
    assert "当前状态为“已提出”" in refused.stderr
    assert "Traceback" not in refused.stderr
    noticed = json.loads(
        _run(env, "lists", "notice", entry, "--number", "税告〔2026〕1号", "--json").stdout
    )
    assert noticed["statement_deadline"] == "2026-11-30"
    _run(env, "lists", "deliver", entry, "--method", "direct")
    early = _run(env, "lists", "decide", entry, "--number", "税认〔2026〕1号", check=False)
    assert "陈述申辩期尚未届满（截止 2026-11-30）" in early.stderr
    later = _today(cli_env, "2026-12-01")
    decided = json.loads(
        _run(later, "lists", "decide", entry, "--number", "税认〔2026〕1号", "--json").stdout
    )
    assert decided["valid_until"] == "2029-12-01"
    _run(later, "lists", "publish", entry)
    listed = json.loads(
        _run(later, "lists", "entries", "--type", "tax_serious_violation", "--json").stdout
    )
    assert code in {r["subject_code"] for r in listed}
    out = json.loads(
        _run(
            later,
            "lists",
            "exit",
            entry,
            "--kind",
            "early",
            "--reason",
            "已缴清税款、滞纳金和罚款",
            "--basis",
            "税务机关确认书",
            "--json",
        ).stdout
    )
    assert out["stage"] == "exited"
    gone = json.loads(
        _run(later, "lists", "entries", "--type", "tax_serious_violation", "--json").stdout
    )
    assert code not in {r["subject_code"] for r in gone}
    fixed = _run(later, "lists", "recompute-validity")  # entries decided by today's rule: none
    assert "已更正 0 条" in fixed.stderr


@pytest.mark.parametrize("args", [["lists", "show", "999999"]])
def test_unknown_entry_is_one_chinese_line(cli_env: dict[str, str], args: list[str]) -> None:  # noqa: F811
    result = _run(cli_env, *args, check=False)
    assert result.returncode == 1
    assert "未找到编号为 999999 的名单认定" in result.stderr
