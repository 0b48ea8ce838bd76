"""信用码: a QR code (inline SVG) that opens the subject's public page."""

from __future__ import annotations

from urllib.parse import quote

import segno
from markupsafe import Markup


def base_url(configured: str | None, request_base: str) -> str:
    """The configured public base URL, else the address this request came to."""
    return (configured or request_base).rstrip("/")


def public_url(base_url: str, code: str) -> str:
    """The subject's public page; `code` is the public (masked for persons) code."""
    return f"{base_url.rstrip('/')}/subjects/{quote(code)}"


def svg(url: str, *, scale: int = 4, title: str = "信用码") -> Markup:
    """Inline SVG, error correction M, with a title for screen readers."""
    qr = segno.make(url, error="m", micro=False)
    svg_text = qr.svg_inline(scale=scale, title=title, svgclass="qr", border=2, omitsize=True)
    return Markup(svg_text)  # noqa: S704 — segno output, the title is escaped by segno
