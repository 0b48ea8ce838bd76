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
NUMERALS = "一二三四五六七八九"
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
        from reportlab import rl_config  # noqa: PLC0415

        rl_config.useA85 = 0  # binary streams: smaller and faster than ASCII85 text
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
        _font_ready = True


def warm_up() -> None:
    """Register the font now (a render worker does so when it starts)."""
    _register_font()


def keywords(content: ReportContent) -> str:
    return (
        f"xinyong-report number={content.number} kind={content.kind.value} "
        f"issued={content.today.isoformat()} valid-until={content.valid_until.isoformat()}"
    )


def render(content: ReportContent) -> bytes:  # noqa: PLR0915 — one linear layout
    _register_font()
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
        # A Paragraph (CJK line breaking) only where the text may not fit on one line: plain
        # strings are an order of magnitude cheaper to lay out.
        fits = int((width / len(columns) - 6) / 8)  # 8-point CJK characters per line

        def cell(text: str) -> object:
            return text if len(text) <= fits and "\n" not in text else p(text, small)

        data = [[cell(c) for c in columns]] + [[cell(v) for v in r] for r in rows]
        t = Table(data, colWidths=[width / len(columns)] * len(columns), repeatRows=1)
        t.setStyle(grid)
        return t

    size = 28 * mm
    drawing = QrCode(content.verify_url, size)

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
        n += 1
        label = chinese_numeral(n)
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


def QrCode(text: str, size: float) -> Any:  # noqa: N802 — a flowable factory
    """The verification URL as a QR code (segno matrix), drawn as one filled path."""
    import segno  # noqa: PLC0415
    from reportlab.platypus import Flowable  # noqa: PLC0415

    matrix = segno.make(text, error="m", micro=False).matrix
    border = 2
    modules = len(matrix) + 2 * border
    unit = size / modules

    class _Qr(Flowable):  # type: ignore[misc]
        def wrap(self, *_: Any) -> tuple[float, float]:
            return size, size

        def draw(self) -> None:
            path = self.canv.beginPath()
            for y, row in enumerate(matrix):
                for x, dark in enumerate(row):
                    if dark:
                        top = size - (y + border + 1) * unit
                        path.rect((x + border) * unit, top, unit, unit)
            self.canv.drawPath(path, stroke=0, fill=1)

    return _Qr()


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 25 → 二十五 (section numbers below 100)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "") if n < 100 else str(n)  # noqa: PLR2004


def _section_title(section: Section) -> str:
    return f"{section.title}（{section.count} 条）" if section.counted else section.title
