"""Platform commands: init, serve, db, catalog, audit, users, providers. 平台管理命令。"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx
from xinyong.enums import Role

ADMIN_PASSWORD_FILE = "admin-password.txt"  # noqa: S105 — a file name, not a password

db_app = typer.Typer(help="数据库迁移 / database migrations.", no_args_is_help=True)
catalog_app = typer.Typer(help="公共信用信息目录 / the catalog.", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 / audit log.", no_args_is_help=True)
users_app = typer.Typer(help="用户管理 / users.", no_args_is_help=True)
providers_app = typer.Typer(help="报送部门 / providers (departments).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """应用数据库迁移 / apply migrations."""
    from xinyong.db import migrate  # noqa: PLC0415

    migrate.upgrade(ctx.settings().database_url, revision)
    ctx.err.print("数据库已是最新结构 / database is up to date")
    from xinyong.cli.keys import migrate_keyring  # noqa: PLC0415

    migrate_keyring()  # an installation from before the keyring's list keeps its keys trusted


@db_app.command("check")
def db_check() -> None:
    """检查表定义与迁移是否一致 / fail if tables and migrations differ (alembic check)."""
    from xinyong.db import migrate  # noqa: PLC0415

    migrate.check(ctx.settings().database_url)
    ctx.err.print("表定义与迁移一致 / no differences")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """按表定义自动生成迁移 / autogenerate a migration."""
    from xinyong.db import migrate  # noqa: PLC0415

    migrate.revision(ctx.settings().database_url, message)


@catalog_app.command("check")
def catalog_check(
    directory: Annotated[Path | None, typer.Option(help="目录文件夹 / catalog folder")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
) -> None:
    """校验全部目录文件 / validate every catalog file."""
    from xinyong import catalog  # noqa: PLC0415

    s = ctx.settings()
    report = catalog.check(directory or s.catalog_dir, s.catalog_override_dir, today=ctx.today())
    from xinyong.reports import load_domains  # noqa: PLC0415

    domains = load_domains(directory or s.catalog_dir, s.catalog_override_dir)
    from xinyong.evaluation import load_models, supervision  # noqa: PLC0415 — evaluation models

    loaded = catalog.load_catalog(directory or s.catalog_dir, s.catalog_override_dir)
    models = load_models(directory or s.catalog_dir, loaded, s.catalog_override_dir)
    supervision.load_rules(directory or s.catalog_dir, s.catalog_override_dir)
    from xinyong.financing import catalog as financing_catalog  # noqa: PLC0415
    from xinyong.scenarios import catalog as scenario_catalog  # noqa: PLC0415

    found_dir = directory or s.catalog_dir
    counts = {
        **report.counts,
        "evaluation_models": len(models.models),
        "whitelist_rules": len(
            financing_catalog.load(found_dir, s.catalog_override_dir).whitelist_rules
        ),
        "scenarios": len(scenario_catalog.load(found_dir, s.catalog_override_dir).scenarios),
    }
    from xinyong import indicators  # noqa: PLC0415 — the CLI's --help starts without it

    definitions = indicators.load(directory or s.catalog_dir, s.catalog_override_dir)
    if json_out:
        ctx.print_json(report.as_dict() | {"counts": counts})
        return
    ctx.err.print(f"目录校验通过 / catalog OK：版本 {report.version[:16]}")
    for kind, count in counts.items():
        ctx.err.print(f"  {kind}: {count}")
    ctx.err.print(f"  report_domains: {len(domains.domains)}")
    ctx.err.print(f"  indicators: {len(definitions.indicators)}")
    for warning in report.warnings:
        ctx.err.print(f"  [yellow]提示[/yellow] {warning}")


@audit_app.command("verify")
def audit_verify() -> None:
    """校验审计日志哈希链 / verify the SM3 hash chain; exit 1 naming the first broken row.

    Retention checkpoints are checked against the office's SM2 keyring when a key is present:
    each with the key its key id names (the current key or one retired by `xinyong keys rotate`).
    """
    from xinyong import audit  # noqa: PLC0415
    from xinyong.keyring import office_keyring  # noqa: PLC0415

    keys = office_keyring(ctx.settings())
    with ctx.db() as session:
        report = audit.verify_chain(session, keys or None)
    if report.ok:
        ctx.err.print(f"审计链完整 / chain intact：已校验 {report.checked} 行")
        return
    ctx.err.print(
        f"[red]审计链断裂 / chain broken[/red] 第一处：row {report.broken_id} — {report.problem}"
    )
    raise typer.Exit(1)


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[Role, typer.Option(help="角色 / role")],
    password: Annotated[str | None, typer.Option(help="不填则随机生成 / random if omitted")] = None,
    name: Annotated[str | None, typer.Option(help="姓名 / display name")] = None,
    provider: Annotated[
        str | None, typer.Option(help="所属部门统一社会信用代码 / provider USCC")
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="企业账户绑定的主体代码 / subject code")
    ] = None,
    credit_office: Annotated[
        bool, typer.Option("--credit-office", help="信用办本身的认定工作人员（无所属部门）")
    ] = False,
) -> None:
    """新建用户 / create a user."""
    from xinyong import auth, providers, subjects  # noqa: PLC0415

    secret = password or auth.new_password()
    with ctx.db() as session:
        provider_id = providers.get_by_uscc(session, provider).id if provider else None
        subject_id = subjects.get_by_code(session, subject).id if subject else None
        auth.create_user(
            session,
            username,
            secret,
            role,
            display_name=name,
            provider_id=provider_id,
            subject_id=subject_id,
            credit_office=credit_office,
            actor=ctx.operator(),
        )
    ctx.err.print(f"已创建用户 / created {username}（{role.label}）")
    if password is None:
        print(f"password: {secret}")


Username = Annotated[str, typer.Argument(help="用户名 / username")]
Reason = Annotated[str, typer.Option("--reason", help="理由（必填）/ reason")]


def _set_active(username: str, reason: str, *, active: bool) -> None:
    from xinyong.auth import accounts  # noqa: PLC0415

    with ctx.db() as session:
        user = accounts.get_user(session, _user_id(session, username), actor=ctx.operator())
        accounts.set_active(session, user, active, reason, actor=ctx.operator())
    ctx.err.print(f"已{'重新启用' if active else '停用'}用户 {username}" +
                  ("" if active else "（不能再登录，已登录的会话已结束）"))  # fmt: skip


def _user_id(session: Any, username: str) -> int:
    from xinyong import auth  # noqa: PLC0415
    from xinyong.auth.accounts import UserNotFound  # noqa: PLC0415

    user = auth.find_user(session, username)
    if user is None:
        raise UserNotFound(f"未找到用户名为“{username}”的用户")
    return user.id


@users_app.command("deactivate")
def users_deactivate(username: Username, reason: Reason) -> None:
    """停用用户（不能再登录）/ deactivate a user."""
    _set_active(username, reason, active=False)


@users_app.command("activate")
def users_activate(username: Username, reason: Reason) -> None:
    """重新启用用户 / reactivate a user."""
    _set_active(username, reason, active=True)


@users_app.command("password")
def users_password(username: Username, reason: Reason) -> None:
    """重置用户密码（新密码只显示一次）/ reset a user's password."""
    from xinyong.auth import accounts  # noqa: PLC0415

    with ctx.db() as session:
        user = accounts.get_user(session, _user_id(session, username), actor=ctx.operator())
        password = accounts.reset_password(session, user, reason, actor=ctx.operator())
    ctx.err.print(f"已重置用户 {username} 的密码，该用户已登录的会话已结束")
    print(f"password: {password}")


@providers_app.command("add")
def providers_add(
    uscc: str,
    name: str,
    kind: Annotated[str | None, typer.Option(help="部门类别 / department kind")] = None,
) -> None:
    """登记报送部门（校验其统一社会信用代码）/ register a department."""
    from xinyong import providers  # noqa: PLC0415

    with ctx.db() as session:
        p = providers.add(session, uscc, name, kind=kind, actor=ctx.operator())
        ctx.err.print(f"已登记报送部门 / registered：{p.name} {p.uscc}")


@providers_app.command("update")
def providers_update(
    uscc: str,
    name: Annotated[str | None, typer.Option(help="名称 / name")] = None,
    kind: Annotated[str | None, typer.Option(help="部门类别 / department kind")] = None,
    region: Annotated[str | None, typer.Option(help="行政区划代码 / region code")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="启用或停用 / active or not")
    ] = None,
) -> None:
    """修改报送部门（名称、类别、地区、启用；统一社会信用代码不变）/ edit a department."""
    from xinyong import providers  # noqa: PLC0415

    with ctx.db() as session:
        p = providers.get_by_uscc(session, uscc)
        keep = (p.kind, p.region_code, p.active)
        p = providers.update(session, p, name=p.name if name is None else name,
                             kind=keep[0] if kind is None else kind or None,
                             region_code=keep[1] if region is None else region or None,
                             active=keep[2] if active is None else active,
                             actor=ctx.operator())  # fmt: skip
        state = "启用" if p.active else "停用"
        ctx.err.print(f"已修改报送部门 / updated：{p.name} {p.uscc}（{p.kind or '未分类'}，"
                      f"{p.region_code or '未设地区'}，{state}）")  # fmt: skip


@providers_app.command("list")
def providers_list(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """列出报送部门 / list departments."""
    from xinyong import providers  # noqa: PLC0415

    with ctx.db() as session:
        rows = [
            {"uscc": p.uscc, "name": p.name, "kind": p.kind}
            for p in providers.list_providers(session)
        ]
    if json_out:
        ctx.print_json(rows)
        return
    for r in rows:
        print(f"{r['uscc']}  {r['name']}")


def init() -> None:
    """初始化：建库、迁移、加载目录、创建管理员 / migrate, load catalogs, create the admin."""
    from xinyong import auth, catalog  # noqa: PLC0415
    from xinyong.db import migrate  # noqa: PLC0415

    s = ctx.settings()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(s.database_url)
    cat = ctx.load_catalog()
    with ctx.db() as session:
        catalog.record_version(session, cat, actor=ctx.operator())
        created = None
        if auth.find_user(session, "admin") is None:
            created = auth.new_password()
            auth.create_user(
                session,
                "admin",
                created,
                Role.ADMIN,
                display_name="信用办管理员",
                actor=ctx.operator(),
            )
    from xinyong import signing  # noqa: PLC0415

    key_existed = s.signing_key_path.exists()
    key = signing.ensure_key(s.signing_key_path)
    from xinyong.cli.keys import migrate_keyring  # noqa: PLC0415

    migrate_keyring()
    secret_file = s.data_dir / ADMIN_PASSWORD_FILE
    if created:
        secret_file.write_text(created + "\n", encoding="utf-8")
        secret_file.chmod(0o600)
    created_key = (" 新建签名密钥：正式环境请核对后公布其公钥 / key created" if s.production
                   else " 新建演示密钥 / demo key created")  # fmt: skip
    ctx.err.print(f"数据库 / database：{s.database_url}")
    ctx.err.print(f"目录版本 / catalog version：{cat.version[:16]}")
    ctx.err.print(
        f"签名密钥 / SM2 signing key：{s.signing_key_path}（{key.public_key.key_id}）"
        + ("" if key_existed else created_key)
    )
    if secret_file.exists():
        ctx.err.print(f"管理员登录 / admin login：admin / {secret_file.read_text().strip()}")
    else:
        ctx.err.print("管理员账户已存在 / admin exists (password file not found)")


def serve(
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    host: Annotated[str, typer.Option(help="地址 / host")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="进程数 / worker processes")] = 1,
    runner: Annotated[
        bool,
        typer.Option(
            "--runner/--no-runner",
            help="同时启动后台运行程序 / also start the background runner (xinyong jobs worker)",
        ),
    ] = True,
) -> None:
    """启动网站与接口 / serve the portal, admin and API (and the background runner)."""
    import os  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    from xinyong import catalog  # noqa: PLC0415
    from xinyong.config import get_settings  # noqa: PLC0415

    with ctx.db() as session:  # the version checks will name, with its files (check replay)
        catalog.record_version(session, ctx.load_catalog(), actor=ctx.operator())
    base = ctx.settings().public_base_url or served_at(host, port)
    os.environ["XINYONG_PUBLIC_BASE_URL"] = base  # the 信用码 and links of this server
    get_settings.cache_clear()
    ctx.err.print(f"平台已启动 / serving at {base}/ (API docs {base}/api/docs)")
    background = _start_runner() if runner else None
    try:
        uvicorn.run("xinyong.web.app:create_app", factory=True, host=host, port=port,
                    workers=workers)  # fmt: skip
    finally:
        if background is not None:
            background.terminate()  # it finishes its current step's commit, then exits
            try:
                background.wait(timeout=30)
            except Exception:
                background.kill()


def _start_runner() -> Any:
    """The background runner (`xinyong jobs worker`) as a child process of the server: long
    officer procedures run there, not in the web workers (docs/decisions/0017)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    ctx.err.print("后台运行程序已随网站启动 / background runner started")
    return subprocess.Popen([sys.executable, "-m", "xinyong", "jobs", "worker"])


def served_at(host: str, port: int) -> str:
    """The address a server started with --host/--port is reached at (all interfaces → local)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(audit_app, name="audit")
    app.add_typer(users_app, name="users")
    app.add_typer(providers_app, name="providers")
