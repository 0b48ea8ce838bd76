"""The office's Issuer from settings: its SM2 key (loaded once per file version), name, URLs."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from xinyong import signing
from xinyong.catalog import Catalog
from xinyong.config import Settings
from xinyong.errors import ConfigurationError
from xinyong.reports.domains import load_domains
from xinyong.reports.issue import Issuer, Renderer


@lru_cache(maxsize=4)
def _key(path: Path, mtime: float) -> signing.SigningKey:
    return signing.load_signing_key(path.read_bytes())


def office_key(settings: Settings) -> signing.SigningKey:
    path = settings.signing_key_path
    if not path.is_file():
        raise ConfigurationError(
            f"找不到信用办的 SM2 签名密钥 {path}：请运行 `xinyong init`（创建演示密钥），"
            "或用 XINYONG_SIGNING_KEY 指向正式密钥（PKCS#8 PEM）",
            code="reports.key_missing",
        )
    return _key(path, path.stat().st_mtime)


DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # `xinyong serve` without --host/--port


def issuer_for(
    settings: Settings,
    catalog: Catalog,
    base_url: str | None = None,
    renderer: Renderer | None = None,
) -> Issuer:
    """`base_url`: where the verification page is reached (the web passes the request's);
    `renderer`: e.g. `pool.RenderPool.render` (None: render in the calling thread)."""
    domains = load_domains(settings.catalog_dir, settings.catalog_override_dir, catalog=catalog)
    base = settings.public_base_url or base_url or DEFAULT_BASE_URL
    return Issuer(office_key(settings), settings.report_issuer, base, domains, renderer)
