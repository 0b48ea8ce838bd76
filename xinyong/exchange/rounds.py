"""One round of exchange (`xinyong jobs run exchange`, the 收发信息交换包 button of /admin/jobs):
take in the packages waiting in the inbox (each committed chunk by chunk), then send every
pending change as one signed package to the configured folder and URL (the caller commits)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong import keyring, signing
from xinyong.audit import Actor
from xinyong.auth.scope import require_role
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.exchange import delivery, national


def exchange_round(
    session: Session, *, settings: Settings, catalog: Catalog, calendar: Calendar, actor: Actor,
    today: date, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """Receive the inbox (imports commit per chunk), then send what is pending; the caller
    commits the sent marks right after (a crash in between sends the package again, which the
    receiver's import leaves unchanged).
    For the credit office (the CLI and the runner act as the platform)."""
    require_role(actor, Role.ADMIN)
    received = delivery.receive_inbox(
        session, inbox_dir=settings.exchange_inbox_dir,
        trusted=keyring.office_keyring(settings),
        catalog=catalog, calendar=calendar, actor=actor, today=today,
        layouts=national.load_layouts(settings.catalog_dir, catalog),
    )  # fmt: skip
    target = delivery.Target(folder=settings.exchange_outbox_folder,
                             url=settings.exchange_outbox_url,
                             api_key=settings.exchange_outbox_api_key)  # fmt: skip
    key = signing.ensure_key(settings.signing_key_path)
    sent = delivery.send_pending(session, target=target, catalog=catalog, key=key, now=now)
    return {"received": received, "sent": sent.as_dict(), "pending": delivery.pending(session)}


def summarise(result: dict[str, Any]) -> str:
    """One Chinese line of what a round did."""
    received = result["received"]
    refused = sum(1 for item in received if "refused" in item)
    sent = result["sent"]
    line = f"收到交换包 {len(received)} 个（拒收 {refused} 个），发送变更 {sent['changes']} 条"
    if sent["error"]:
        line += f"，发送失败（已尝试 {sent['attempts']} 次）：{sent['error']}"
    return line + f"，待发送 {result['pending']} 项"
