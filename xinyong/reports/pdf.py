"""Render a ReportContent as a PDF in Chinese (reportlab, embedded TrueType subset, QR code).

The font is WenQuanYi Micro Hei from the Debian package fonts-wqy-microhei (scripts/pdf.sh,
run by `make install`); reportlab embeds the glyphs used as a subset, so the PDF shows its text
on any machine. The report number, kind and validity also go into the PDF's Keywords (ASCII)
so that offline verification reads them from the signed bytes (reports/seal.py).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xinyong.errors import ConfigurationError
from xinyong.reports.content import ReportContent, Section

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)
FONT = "WenQuanYiMicroHei"
NUMERALS = "一二三四五六七八九十"
_font_lock = threading.Lock()
_font_ready = False


def _register_font() -> None:
    global _font_ready  # noqa: PLW0603 — registered once per process
    with _font_lock:
        if _font_ready:
            return
        from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
        from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

        path = next((p for p in FONT_PATHS if p.is_file()), None)
        if path is None:
            raise ConfigurationError(
                "找不到报告所用的中文字体 wqy-microhei.ttc：请安装 Debian 软件包 fonts-wqy-microhei"
                "（make install 会运行 scripts/pdf.sh 安装）",
                code="reports.font_missing",
            )
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
        _font_ready = True


def keywords(content: ReportContent) -> str:
    return (
        f"xinyong-report number={content.number} kind={content.kind.value} "
        f"issued={content.today.isoformat()} valid-until={content.valid_until.isoformat()}"
    )


def render(content: ReportContent) -> bytes:  # noqa: PLR0915 — one linear layout
    _register_font()
    from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: PLC0415
    from reportlab.graphics.shapes import Drawing  # noqa: PLC0415
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import (  # noqa: PLC0415
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11)
    h1 = ParagraphStyle("h1", parent=body, fontSize=18, leading=24, alignment=1)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    center = ParagraphStyle("center", parent=body, alignment=1)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(safe, style)

    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    width = A4[0] - 36 * mm

    def table(columns: tuple[str, ...], rows: Sequence[Sequence[str]]) -> Table:
        data = [[p(c, small) for c in columns]] + [[p(v, small) for v in r] for r in rows]
        t = Table(data, colWidths=[width / len(columns)] * len(columns), repeatRows=1)
        t.setStyle(grid)
        return t

    qr = QrCodeWidget(content.verify_url, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)

    story: list[object] = [p(content.title, h1), Spacer(1, 4 * mm)]
    head = [
        [p(f"报告编号：{content.number}"), drawing],
        [p(f"生成时间：{content.issued_at.strftime('%Y-%m-%d %H:%M:%S')}（北京时间）"), ""],
        [p(f"有效期至：{content.valid_until.isoformat()}"), ""],
        [p("信用标签：" + "、".join(content.labels)), ""],
    ]
    if content.period_from is not None:
        head.append(
            [p(f"查询期间：{content.period_from.isoformat()} 至 {content.today.isoformat()}"), ""]
        )
    head_table = Table(head, colWidths=[width - size - 4 * mm, size + 4 * mm])
    head_table.setStyle(
        TableStyle([("SPAN", (1, 0), (1, len(head) - 1)), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story += [head_table, p("扫描二维码或访问核验页面，可核验本报告真伪及是否有效。", small)]

    summary = [(s.title, str(s.count) if s.counted else "—") for s in content.sections]
    story += [p("报告概要", h2), table(("栏目", "条数"), tuple(summary))]

    n = 0

    def heading(title: str) -> Paragraph:
        nonlocal n
        label = NUMERALS[n] if n < len(NUMERALS) else str(n + 1)
        n += 1
        return p(f"{label}、{title}", h2)

    story += [heading("基本信息"), table(("项目", "内容"), content.basic)]
    if content.findings:
        found = tuple(
            (f.title, str(f.violations), str(f.repaired), f.statement) for f in content.findings
        )
        story += [
            heading("各领域违法违规情况"),
            table(("领域", "记录数", "其中已修复", "结论"), found),
        ]
    if content.sources:
        held = tuple((s.title, "已归集" if s.held else "未掌握", s.note) for s in content.sources)
        story += [
            heading("信息来源说明（发改财金〔2025〕565号要求的内容）"),
            table(("内容", "本平台", "说明"), held),
        ]
    for section in content.sections:
        story.append(heading(_section_title(section)))
        if section.text is not None:
            story.append(p(section.text))
        elif not section.rows:
            story.append(p("暂无"))
        else:
            story.append(table(section.columns, section.rows))
    story += [
        Spacer(1, 6 * mm),
        p(content.closing, center),
        p(f"出具机构：{content.issuer}（国密 SM2 电子签名）", center),
        p("本报告反映生成时点的信息，是当时的快照；以核验页面的结果为准。", small),
    ]

    buffer = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:  # reportlab is untyped
        canvas.setFont(FONT, 8)
        page = canvas.getPageNumber()
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"报告编号 {content.number} · 第 {page} 页")

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{content.title} {content.number}",
        author=content.issuer,
        subject=content.subject_name,
        keywords=keywords(content),
        invariant=True,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _section_title(section: Section) -> str:
    return f"{section.title}（{section.count} 条）" if section.counted else section.title
