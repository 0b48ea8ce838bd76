"""The checks that read files and settings: each one's good and bad case."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from xinyong import keyring, signing
from xinyong.audit import Actor
from xinyong.config import Environment, Settings
from xinyong.doctor import files
from xinyong.doctor.model import Status
from xinyong.reports import slots as report_slots


def test_catalog_loads_with_its_version(healthy: Settings) -> None:
    check = files.catalog_files(healthy)
    assert check.status == Status.OK
    assert len(check.facts["version"]) == 64
    assert check.facts["version"][:16] in check.detail


def test_a_broken_catalog_is_an_error_naming_the_file(healthy: Settings, tmp_path: Path) -> None:
    override = tmp_path / "override"
    (override / "lists").mkdir(parents=True)
    (override / "lists" / "broken.yaml").write_text("list_types: [\n", encoding="utf-8")
    check = files.catalog_files(healthy.model_copy(update={"catalog_override_dir": override}))
    assert check.status == Status.ERROR
    assert "broken.yaml" in check.detail
    assert "xinyong catalog check" in check.advice


def test_the_signing_key_shows_its_sm3_fingerprint(healthy: Settings) -> None:
    check = files.signing_key(healthy)
    assert check.status == Status.OK
    key = signing.load_signing_key(healthy.signing_key_path.read_bytes())
    assert check.facts["fingerprint_sm3"] == signing.sm3_hex(key.public_key.spki_der())
    assert check.facts["fingerprint_sm3"] in check.detail


def test_a_missing_key_is_an_error(healthy: Settings, tmp_path: Path) -> None:
    check = files.signing_key(healthy.model_copy(update={"signing_key": tmp_path / "none.pem"}))
    assert check.status == Status.ERROR
    assert "XINYONG_SIGNING_KEY" in check.advice


def test_a_key_others_can_read_is_an_error(healthy: Settings) -> None:
    os.chmod(healthy.signing_key_path, 0o644)
    check = files.signing_key(healthy)
    assert check.status == Status.ERROR
    assert "chmod 600" in check.advice


def test_a_public_key_of_another_pair_is_an_error(healthy: Settings) -> None:
    other = signing.generate_key().public_key.public_pem()
    signing.public_key_path(healthy.signing_key_path).write_bytes(other)
    assert files.signing_key(healthy).status == Status.ERROR


def test_the_keyring_is_listed_and_a_broken_retired_key_is_an_error(
    healthy: Settings, session: Session
) -> None:
    assert files.signing_key(healthy).facts["retired_keys"] == []
    done = keyring.rotate(session, healthy.signing_key_path, actor=Actor.system("测试"),
                          now=datetime(2026, 11, 30, tzinfo=UTC))  # fmt: skip
    check = files.signing_key(healthy)
    assert check.status == Status.OK
    assert check.facts["key_id"] == done.new_key_id
    assert check.facts["retired_keys"] == [done.old_key_id]
    assert "已停用的公钥 1 个" in check.detail
    assert files.keyring_trust(healthy).status == Status.OK
    # a file dropped into retired/ by hand: not listed, so not trusted — a warning naming it
    stray = healthy.signing_key_path.parent / "retired" / "0123456789abcdef.pub.pem"
    stray.write_bytes(signing.generate_key().public_key.public_pem())
    check = files.keyring_trust(healthy)
    assert check.status == Status.WARN
    assert "0123456789abcdef.pub.pem" in check.detail
    assert "xinyong keys trust" in check.advice
    stray.unlink()
    # the listed retired key's file damaged: an error (reports it signed no longer verify)
    listed = healthy.signing_key_path.parent / "retired" / f"{done.old_key_id}.pub.pem"
    listed.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    check = files.keyring_trust(healthy)
    assert check.status == Status.ERROR
    assert f"{done.old_key_id}.pub.pem" in check.detail


def test_the_demo_key_in_a_production_installation_is_a_warning(
    production: Settings, healthy: Settings
) -> None:
    # the key `xinyong init` made by itself: XINYONG_SIGNING_KEY unset, the data folder's key
    demo_key = production.model_copy(update={"signing_key": None})
    signing.ensure_key(demo_key.signing_key_path)
    check = files.signing_key(demo_key)
    assert check.status == Status.WARN
    assert check.facts["demo_key"] is True
    trial = healthy.model_copy(update={"signing_key": None})
    assert files.signing_key(trial).status == Status.OK  # the demo region may use it
    assert files.signing_key(production).status == Status.OK  # its own key


def test_the_data_folder_is_writable_with_free_space(healthy: Settings) -> None:
    check = files.data_folder(healthy)
    assert check.status == Status.OK
    assert check.facts["free_bytes"] > 0


def test_a_missing_or_read_only_data_folder_is_an_error(
    healthy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = files.data_folder(healthy.model_copy(update={"data_dir": tmp_path / "nothing"}))
    assert missing.status == Status.ERROR
    locked = tmp_path / "locked"
    locked.mkdir()

    def refused(*_args: object, **_kwargs: object) -> None:  # as the kernel answers a non-owner
        raise PermissionError(13, "Permission denied")

    # Permissions do not bind root (CI runs as root here): the refusal is the kernel's answer
    # to the check's own write, whoever runs the test.
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused)
    check = files.data_folder(healthy.model_copy(update={"data_dir": locked}))
    assert check.status == Status.ERROR
    assert "不可写" in check.detail
    assert "Permission denied" in check.detail


def test_report_slots_count_the_held_ones(healthy: Settings) -> None:
    found = report_slots.for_settings(healthy.data_dir, 1)
    assert files.report_slots_folder(healthy).facts["in_use"] == 0
    with found.held(timeout=1):
        check = files.report_slots_folder(healthy.model_copy(update={"report_slots": 1}))
    assert check.facts["in_use"] == 1
    assert check.status == Status.OK
    assert "正在使用 1 个" in check.detail


def test_more_report_slots_than_cores_is_a_warning(healthy: Settings) -> None:
    many = healthy.model_copy(update={"report_slots": report_slots.default_count() + 5})
    assert files.report_slots_folder(many).status == Status.WARN


def test_settings_of_a_sound_installation(production: Settings) -> None:
    lite = production.model_copy(update={"database_url": "sqlite:///var/x.db"})
    assert files.settings_sanity(lite).status == Status.WARN  # SQLite in production: advised
    pg = production.model_copy(update={"database_url": "postgresql://u@db/xinyong"})
    assert files.settings_sanity(pg).status == Status.OK


def test_retention_below_the_legal_minimum_is_an_error(healthy: Settings) -> None:
    check = files.settings_sanity(healthy.model_copy(update={"query_log_retention_years": 3}))
    assert check.status == Status.ERROR
    assert "XINYONG_QUERY_LOG_RETENTION_YEARS" in check.detail


def test_today_set_in_production_is_a_warning(production: Settings) -> None:
    pg = production.model_copy(update={"database_url": "postgresql://u@db/x",
                                       "today": date(2026, 12, 1)})  # fmt: skip
    check = files.settings_sanity(pg)
    assert check.status == Status.WARN
    assert "XINYONG_TODAY" in check.detail
    demo = pg.model_copy(update={"region_code": "990100", "environment": Environment.DEMO})
    assert files.settings_sanity(demo).status == Status.OK  # a demo may fix its day


def test_the_default_secret_in_production_is_an_error(production: Settings) -> None:
    check = files.settings_sanity(
        production.model_copy(update={"secret_key": files.DEFAULT_SECRET})
    )
    assert check.status == Status.ERROR
    assert "XINYONG_SECRET_KEY" in check.detail


@pytest.mark.parametrize(("offset", "status"), [(8 * 3600, Status.OK), (0, Status.WARN)])
def test_the_clock_gives_beijing_dates(healthy: Settings, offset: int, status: Status) -> None:
    late = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # already 12-01 in Beijing
    check = files.clock_and_zone(healthy, utc_now=late, local_offset=offset)
    assert check.facts["beijing_today"] == date(2026, 12, 1)
    assert check.status == status


def test_a_fixed_today_in_production_differing_from_beijing_is_a_warning(
    production: Settings,
) -> None:
    fixed = production.model_copy(update={"today": date(2026, 1, 1)})
    check = files.clock_and_zone(fixed, utc_now=datetime(2026, 11, 30, tzinfo=UTC),
                                 local_offset=8 * 3600)  # fmt: skip
    assert check.status == Status.WARN
    assert "XINYONG_TODAY" in check.advice


def test_production_is_the_setting_not_a_guess_from_the_region(production: Settings) -> None:
    """XINYONG_ENVIRONMENT decides; the old guess (a real region code is production) only warns
    when it disagrees."""
    pg = production.model_copy(update={"database_url": "postgresql://u@db/x"})
    assert files.settings_sanity(pg).status == Status.OK
    default_secret = pg.model_copy(update={"secret_key": files.DEFAULT_SECRET})
    assert files.settings_sanity(default_secret).status == Status.ERROR
    # the demo region with production set: still production (the secret is an error), plus a doubt
    demo_region = default_secret.model_copy(update={"region_code": "990100"})
    check = files.settings_sanity(demo_region)
    assert check.status == Status.ERROR
    assert "地区代码仍是示范区" in check.detail
    # a real region code left at the default demo environment: a demo, with a warning saying so
    unset = default_secret.model_copy(update={"environment": Environment.DEMO})
    check = files.settings_sanity(unset)
    assert check.status == Status.WARN
    assert check.facts["demo"] is True
    assert "XINYONG_ENVIRONMENT=production" in check.detail
    assert files.settings_sanity(unset.model_copy(update={"region_code": "990100"})).status == (
        Status.OK
    )
