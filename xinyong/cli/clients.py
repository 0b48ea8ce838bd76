"""`xinyong clients add|list|rotate|revoke`: API keys for business systems. 接口客户端。

A key is printed once (stdout) and stored only as its SHA-256.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from xinyong.cli import context as ctx

clients_app = typer.Typer(help="接口客户端与密钥 / API clients and keys.", no_args_is_help=True)
JsonOut = Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")]


def _view(client: Any) -> dict[str, Any]:
    return {
        "name": client.name,
        "key_prefix": client.key_prefix,
        "scopes": list(client.scopes or []),
        "rate_limit": client.rate_limit,
        "provider_id": client.provider_id,
        # an officer key of the credit office itself (a key of no department is not, ADR 0018)
        "credit_office": bool(client.credit_office),
        "active": client.revoked_at is None and client.active,
        "created_at": client.created_at,
        "last_used_at": client.last_used_at,
        "rotated_at": client.rotated_at,
        "revoked_at": client.revoked_at,
    }


def _print_key(name: str, key: str, json_out: bool, view: dict[str, Any]) -> None:
    if json_out:
        ctx.print_json({**view, "key": key})
        return
    print(key)
    ctx.err.print(f"接口客户端“{name}”的密钥（只显示这一次，请妥善保存）/ shown once")


@clients_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="客户端名称 / client name")],
    scopes: Annotated[str, typer.Option(help="权限范围 check,screen,batches / scopes")],
    provider: Annotated[str | None, typer.Option(help="所属部门统一社会信用代码 / USCC")] = None,
    rate_limit: Annotated[str, typer.Option(help="频率限制 / rate limit")] = "120/minute",
    json_out: JsonOut = False,
) -> None:
    """新增接口客户端并生成密钥 / add a client; its key is printed once."""
    from xinyong import auth, providers  # noqa: PLC0415

    with ctx.db() as session:
        provider_id = providers.get_by_uscc(session, provider).id if provider else None
        client, key = auth.add_client(
            session,
            name,
            scopes,
            provider_id=provider_id,
            rate_limit=rate_limit,
            actor=ctx.operator(),
        )
        view = _view(client)
    _print_key(name, key, json_out, view)


@clients_app.command("list")
def list_(json_out: JsonOut = False) -> None:
    """列出接口客户端（不含密钥）/ list clients (never their keys)."""
    from xinyong import auth  # noqa: PLC0415

    with ctx.db() as session:
        rows = [_view(c) for c in auth.list_clients(session)]
    if json_out:
        ctx.print_json(rows)
        return
    for r in rows:
        state = "有效" if r["active"] else f"已停用 {r['revoked_at']:%Y-%m-%d}"
        used = f"{r['last_used_at']:%Y-%m-%d %H:%M}" if r["last_used_at"] else "从未使用"
        print(
            f"{r['name']}  xy_{r['key_prefix']}_…  {','.join(r['scopes']) or '-'}  "
            f"{r['rate_limit']}  {state}  最近使用：{used}"
            + ("  信用办" if r["credit_office"] else "")
        )


@clients_app.command("rotate")
def rotate(name: str, json_out: JsonOut = False) -> None:
    """更换密钥（旧密钥立即失效）/ rotate the key; the old one stops at once."""
    from xinyong import auth, clock  # noqa: PLC0415

    with ctx.db() as session:
        client, key = auth.rotate_client_key(session, name, now=clock.now(), actor=ctx.operator())
        view = _view(client)
    _print_key(name, key, json_out, view)


@clients_app.command("revoke")
def revoke(name: str, json_out: JsonOut = False) -> None:
    """停用接口客户端 / revoke a client's key."""
    from xinyong import auth, clock  # noqa: PLC0415

    with ctx.db() as session:
        view = _view(auth.revoke_client(session, name, now=clock.now(), actor=ctx.operator()))
    if json_out:
        ctx.print_json(view)
        return
    ctx.err.print(f"已停用接口客户端“{name}” / revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(clients_app, name="clients")
