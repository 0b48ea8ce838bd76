"""Checks that need no database: catalog, signing key, data folder, report slots, settings,
the clock. Each takes the settings (and what it reads besides) and returns one `Check`."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from xinyong import catalog as catalog_pkg
from xinyong import clock, keyring, signing
from xinyong.config import Environment, Settings
from xinyong.doctor.model import Check, error, ok, warn
from xinyong.errors import XinyongError
from xinyong.jobs import MIN_RETENTION_YEARS
from xinyong.reports import slots as report_slots

GIB = 1024**3
FREE_WARN = 2 * GIB  # below this the data folder's disk is getting full
FREE_ERROR = 200 * 1024**2  # below this uploads, logs and SQLite's journal fail soon
DEFAULT_SECRET = Settings.model_fields["secret_key"].default
DEMO_REGION_CODE: str = Settings.model_fields["region_code"].default  # 示范区 (`xinyong demo`)


ENVIRONMENT_TITLES = {Environment.PRODUCTION: "正式安装", Environment.DEMO: "演示/试用安装",
                      Environment.TEST: "测试/开发安装"}  # fmt: skip


def wall_clock() -> datetime:
    """The machine's real time, whatever XINYONG_TODAY says (the clock check compares it)."""
    return datetime.fromtimestamp(time.time(), tz=UTC)


def is_demo(settings: Settings) -> bool:
    """Not a production installation: what `XINYONG_ENVIRONMENT` says (demo or test)."""
    return not settings.production


def environment_doubt(settings: Settings) -> str | None:
    """Where the old guess (a region other than the 示范区 is production) disagrees with
    `XINYONG_ENVIRONMENT` — a warning, never a decision."""
    demo_region = settings.region_code == DEMO_REGION_CODE
    if settings.production and demo_region:
        return (f"XINYONG_ENVIRONMENT=production，但地区代码仍是示范区的 {DEMO_REGION_CODE}："
                "设置本地区的 XINYONG_REGION_CODE")  # fmt: skip
    if not settings.production and not demo_region:
        return (f"XINYONG_ENVIRONMENT={settings.environment}，但地区代码是 "
                f"{settings.region_code}（不是示范区）：正式环境请设 "
                "XINYONG_ENVIRONMENT=production，doctor 才按正式环境检查")  # fmt: skip
    return None


def catalog_files(settings: Settings) -> Check:
    title = "目录文件"
    try:
        loaded = catalog_pkg.load_catalog(settings.catalog_dir, settings.catalog_override_dir)
    except XinyongError as exc:
        return error("catalog", title, f"目录文件无法加载：{exc.message}",
                     "按提示修正目录文件后运行 `xinyong catalog check`",
                     catalog_dir=str(settings.catalog_dir))  # fmt: skip
    override = settings.catalog_override_dir
    where = f"{settings.catalog_dir}" + (f"（本地覆盖 {override}）" if override else "")
    return ok("catalog", title, f"已加载 {where}，版本 {loaded.version[:16]}，"
              f"信息类 {len(loaded.info_classes)} 个",
              version=loaded.version, info_classes=len(loaded.info_classes))  # fmt: skip


def _mode_problem(path: Path) -> str | None:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return f"权限为 {mode:o}，同组或其他用户可读"
    if path.stat().st_uid != os.geteuid():
        return "文件属主不是运行本命令的用户"
    return None


def signing_key(settings: Settings) -> Check:  # noqa: PLR0911 — one return per finding
    title = "SM2 签名密钥"
    path = settings.signing_key_path
    if not path.is_file():
        return error("signing_key", title, f"找不到签名私钥 {path}",
                     "试用：运行 `xinyong init` 创建演示密钥；正式环境：生成正式密钥并设置 "
                     "XINYONG_SIGNING_KEY（见运维指南“签名密钥”）", path=str(path))  # fmt: skip
    try:
        key = signing.load_signing_key(path.read_bytes())
    except (OSError, signing.SigningError) as exc:
        return error("signing_key", title, f"签名私钥 {path} 无法读取：{exc}",
                     "确认文件是 PKCS#8 PEM 格式的 SM2 私钥，且服务用户可读",
                     path=str(path))  # fmt: skip
    public = key.public_key
    fingerprint = signing.sm3_hex(public.spki_der())
    facts: dict[str, object] = {
        "path": str(path),
        "key_id": public.key_id,
        "fingerprint_sm3": fingerprint,
    }
    shown = f"{path}，公钥指纹（SM3）{fingerprint}"
    public_path = signing.public_key_path(path)
    if not public_path.is_file():
        return warn("signing_key", title, f"{shown}；公钥文件 {public_path} 不存在",
                    "导出公钥：`openssl pkey -in 私钥 -pubout -out 公钥`，以便他人离线核验报告",
                    **facts)  # fmt: skip
    try:
        beside = signing.load_verify_key(public_path.read_bytes())
    except (OSError, signing.SigningError) as exc:
        beside = None
        facts["public_problem"] = str(exc)
    if beside != public:
        return error("signing_key", title, f"{shown}；公钥文件 {public_path} 与私钥不匹配",
                     "用私钥重新导出公钥文件（见运维指南“签名密钥”）", **facts)  # fmt: skip
    ring = keyring.load(path, settings.data_dir)
    facts["retired_keys"] = [e.key_id for e in ring.retired]
    shown += f"；密钥环中已停用的公钥 {len(ring.retired)} 个"
    problem = _mode_problem(path)
    if problem is not None:
        return error("signing_key", title, f"{shown}；私钥{problem}",
                     f"改为仅服务用户可读：`chmod 600 {path}`，并由服务用户持有",
                     **facts)  # fmt: skip
    if settings.signing_key is None and settings.production:
        return warn("signing_key", title, f"{shown}；正在使用 `xinyong init` 自动创建的演示密钥",
                    "正式环境请生成信用办的正式密钥并设置 XINYONG_SIGNING_KEY", demo_key=True,
                    **facts)  # fmt: skip
    return ok("signing_key", title, shown, demo_key=settings.signing_key is None, **facts)


def keyring_trust(settings: Settings) -> Check:
    """What the keyring trusts: only the keys its list names; unreadable listed files are
    errors, public-key files it does not list (dropped into keys/ by hand) warnings."""
    title = "密钥环（受信任的公钥）"
    try:
        ring = keyring.office_keyring(settings)
    except (OSError, signing.SigningError) as exc:
        return error("keyring", title, f"密钥环无法读取：{exc}", "先解决“SM2 签名密钥”一项")
    facts: dict[str, object] = {
        "keys": [{"key_id": e.key_id, "name": e.name, "for": sorted(e.purposes),
                  "current": e.current} for e in ring.entries],
        "strays": [str(p) for p in ring.strays], "legacy": ring.legacy,
    }  # fmt: skip
    shown = (f"本办旧密钥 {len(ring.retired)} 个，对方平台公钥 {len(ring.peers)} 个"
             f"（清单 {settings.signing_key_path.parent / keyring.INDEX}）")  # fmt: skip
    if ring.problems:
        bad = "；".join(f"{p}（{why}）" for p, why in ring.problems)
        return error("keyring", title, f"{shown}；清单所列的公钥无法使用：{bad}",
                     "恢复这些文件（备份中有），或用 `xinyong keys untrust KEY-ID` 移出清单",
                     **facts)  # fmt: skip
    if ring.legacy and len(ring.entries) > 1:
        return warn("keyring", title, f"{shown}；尚无密钥环清单，keys/ 中的公钥文件都被信任",
                    "运行 `xinyong keys migrate`（`xinyong db upgrade` 会自动执行）",
                    **facts)  # fmt: skip
    if ring.strays:
        names = "、".join(str(p) for p in ring.strays)
        return warn("keyring", title, f"{shown}；未登记的公钥文件不受信任：{names}",
                    "需要信任时用 `xinyong keys trust 文件 --for reports|packages --name 名称` "
                    "登记（记审计）；否则移走这些文件", **facts)  # fmt: skip
    return ok("keyring", title, shown, **facts)


def data_folder(settings: Settings) -> Check:
    title = "数据目录"
    folder = settings.data_dir
    if not folder.is_dir():
        return error("data_dir", title, f"数据目录 {folder} 不存在",
                     "运行 `xinyong init`，或设置 XINYONG_DATA_DIR 指向已有目录",
                     path=str(folder))  # fmt: skip
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return error("data_dir", title, f"数据目录 {folder} 不可写：{exc.strerror}",
                     "让服务用户拥有该目录：`chown -R 服务用户 目录`",
                     path=str(folder))  # fmt: skip
    usage = shutil.disk_usage(folder)
    free = f"剩余空间 {usage.free / GIB:.1f} GiB（共 {usage.total / GIB:.1f} GiB）"
    facts = {"path": str(folder), "free_bytes": usage.free, "total_bytes": usage.total}
    if usage.free < FREE_ERROR:
        return error("data_dir", title, f"{folder} 可写，{free}", "立即清理磁盘或扩容", **facts)
    if usage.free < FREE_WARN or usage.free < usage.total // 20:
        return warn("data_dir", title, f"{folder} 可写，{free}", "尽快清理磁盘或扩容", **facts)
    return ok("data_dir", title, f"{folder} 可写，{free}", **facts)


def report_slots_folder(settings: Settings) -> Check:
    title = "信用报告并发名额"
    found = report_slots.for_settings(settings.data_dir, settings.report_slots)
    cores = report_slots.usable_cores()
    facts = {"path": str(found.folder), "count": found.count, "in_use": found.in_use()}
    shown = f"{found.folder}：共 {found.count} 个，正在使用 {facts['in_use']} 个"
    parent = found.folder if found.folder.exists() else found.folder.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        return error("report_slots", title, f"{shown}；目录不可写",
                     "让服务用户拥有数据目录下的 run/ 目录", **facts)  # fmt: skip
    if found.count > cores:
        return warn("report_slots", title, f"{shown}；多于本机 {cores} 个核",
                    "XINYONG_REPORT_SLOTS 不宜超过核数减一（留一个核给页面和接口）",
                    **facts)  # fmt: skip
    return ok("report_slots", title, shown, **facts)


def settings_sanity(settings: Settings) -> Check:
    title = "设置"
    demo = is_demo(settings)
    errors, warnings = [], []
    if settings.query_log_retention_years < MIN_RETENTION_YEARS:
        errors.append(f"查询记录保存期限 {settings.query_log_retention_years} 年，少于法定的 "
                      f"{MIN_RETENTION_YEARS} 年（保存期限任务会拒绝运行）：改 "
                      "XINYONG_QUERY_LOG_RETENTION_YEARS")  # fmt: skip
    if not demo and settings.secret_key == DEFAULT_SECRET:
        errors.append("XINYONG_SECRET_KEY 仍是开发默认值：设为足够长的随机值")
    if not demo and settings.today is not None:
        warnings.append(f"正式环境设置了 XINYONG_TODAY={settings.today}（平台的“今天”不随日历"
                        "前进）：删除该设置")  # fmt: skip
    doubt = environment_doubt(settings)
    if doubt is not None:
        warnings.append(doubt)
    base = settings.public_base_url or ""
    if base.startswith("https://") and not settings.https:
        warnings.append(
            "对外地址是 https，但 XINYONG_HTTPS 未开启（Cookie 不带 Secure）：设为 true"
        )
    if not demo and settings.database_url.startswith("sqlite"):
        warnings.append("正式环境使用 SQLite：建议改用 PostgreSQL（XINYONG_DATABASE_URL）")
    facts = {"demo": demo, "environment": str(settings.environment),
             "problems": errors + warnings}  # fmt: skip
    kind = (
        f"{ENVIRONMENT_TITLES[settings.environment]}（{settings.region_name} "
        f"{settings.region_code}，XINYONG_ENVIRONMENT={settings.environment}）"
    )
    if errors:
        return error("settings", title, f"{kind}：" + "；".join(errors + warnings),
                     "按各项提示修改环境变量后重启服务", **facts)  # fmt: skip
    if warnings:
        return warn("settings", title, f"{kind}：" + "；".join(warnings),
                    "按各项提示修改环境变量后重启服务", **facts)  # fmt: skip
    return ok("settings", title, f"{kind}：查询记录保存 {settings.query_log_retention_years} 年",
              **facts)  # fmt: skip


def clock_and_zone(
    settings: Settings, *, utc_now: datetime | None = None, local_offset: int | None = None
) -> Check:
    """Beijing dates: the platform computes them itself (UTC+8); the system's zone matters for
    the times cron and systemd timers fire at."""
    title = "时钟与时区"
    real = utc_now or wall_clock()
    beijing_today: date = clock.in_beijing(real).date()
    offset = local_offset if local_offset is not None else time.localtime().tm_gmtoff
    platform_today = settings.today or beijing_today
    facts = {"utc_now": real.isoformat(timespec="seconds"), "beijing_today": beijing_today,
             "platform_today": platform_today,
             "system_utc_offset_hours": offset / 3600}  # fmt: skip
    shown = (f"北京时间 {clock.in_beijing(real):%Y-%m-%d %H:%M}，平台“今天”{platform_today}，"
             f"系统时区 UTC{offset / 3600:+g}")  # fmt: skip
    if settings.today is not None and settings.today != beijing_today and not is_demo(settings):
        return warn("clock", title, f"{shown}；XINYONG_TODAY 与北京日期不同",
                    "正式环境删除 XINYONG_TODAY", **facts)  # fmt: skip
    if offset != clock.BEIJING.total_seconds():
        return warn("clock", title, f"{shown}；定时任务会按系统时区触发",
                    "建议把系统时区设为北京时间（运维指南“定时任务”），或按 UTC 换算定时任务的时间",
                    **facts)  # fmt: skip
    return ok("clock", title, shown, **facts)
