"""Credit reports: content (已修复, 未发现), signature, revocation, expiry, PDF, QR, openssl."""

from __future__ import annotations

import base64
import dataclasses
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.workflows import make_penalty, make_user
from xinyong import archive, audit, consent, reports, signing
from xinyong.audit import Actor
from xinyong.catalog import Catalog, CatalogError
from xinyong.config import REPO_ROOT
from xinyong.db.tables import Subject
from xinyong.enums import RecordStatus, Role, SubjectKind
from xinyong.errors import Forbidden
from xinyong.reports import ReportKind, Request, Verdict, seal
from xinyong.reports.issue import report_number
from xinyong.reports.pdf import chinese_numeral
from xinyong.reports.pool import RenderPool

SYSTEM = Actor.system("测试")
ADMIN = Actor(kind="user", id=None, label="信用办管理员", role=Role.ADMIN)


@pytest.fixture(scope="module")
def issuer() -> reports.Issuer:
    return reports.Issuer(
        key=signing.generate_key(),
        name="示范区社会信用体系建设领导小组办公室",
        base_url="http://127.0.0.1:8000",
        config=reports.load_domains(REPO_ROOT / "catalogs"),
    )


def _issue(
    session: Session,
    subject: Subject,
    asked: Request,
    *,
    actor: Actor,
    issuer: reports.Issuer,
    catalog: Catalog,
    today: date,
) -> reports.Issued:
    return reports.issue(
        session, subject, asked, actor=actor, issuer=issuer, catalog=catalog, today=today
    )


def _self(session: Session, subject: Subject) -> Actor:
    return make_user(session, Role.ENTERPRISE, subject=subject)[0]


def _text(data: bytes, tmp_path: Path) -> str:
    (tmp_path / "r.pdf").write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True
    )
    return "".join(out.stdout.decode().split())  # table cells wrap: compare without whitespace


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


@needs_poppler
def test_special_report_marks_a_repaired_penalty_and_never_says_clean(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer, tmp_path: Path
) -> None:
    provider = make_provider(session)  # kind market_regulation
    subject = make_subject(session)
    record = make_penalty(session, subject, provider, decision_date=date(2025, 3, 1))
    archive.new_version(
        session, record, reason="信用修复", status=RecordStatus.REPAIRED, actor=SYSTEM
    )
    asked = Request(ReportKind.SPECIAL, ("market_regulation", "tax"), years=3)
    issued = _issue(
        session,
        subject,
        asked,
        actor=_self(session, subject),
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    market, tax = issued.content.findings
    assert (market.violations, market.repaired, market.clean) == (1, 1, False)
    assert "已修复" in market.statement
    assert "未发现" not in market.statement
    assert tax.clean
    assert "未发现违法违规记录" in tax.statement
    text = _text(issued.data, tmp_path)
    assert "已修复" in text
    assert "专项信用报告" in text
    assert "本平台不掌握刑事裁判" in text


@needs_poppler
def test_clean_subject_gets_no_violation_statement_for_each_domain_asked(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer, tmp_path: Path
) -> None:
    subject = make_subject(session)
    other = make_subject(session)
    make_penalty(session, other, make_provider(session))  # someone else's record
    domains = ("market_regulation", "environment", "tax")
    issued = _issue(
        session,
        subject,
        Request(ReportKind.SPECIAL, domains, years=5),
        actor=_self(session, subject),
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    assert [f.domain for f in issued.content.findings] == list(domains)
    assert all(f.clean and "未发现违法违规记录" in f.statement for f in issued.content.findings)
    assert _text(issued.data, tmp_path).count("未发现违法违规记录") >= len(domains)


def test_look_back_period_is_respected(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    provider, subject = make_provider(session), make_subject(session)
    make_penalty(session, subject, provider, decision_date=today - timedelta(days=800))
    me = _self(session, subject)
    one = _issue(
        session,
        subject,
        Request(ReportKind.SPECIAL, ("market_regulation",), years=1),
        actor=me,
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    three = _issue(
        session,
        subject,
        Request(ReportKind.SPECIAL, ("market_regulation",), years=3),
        actor=me,
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    assert one.content.findings[0].clean
    assert three.content.findings[0].violations == 1
    with pytest.raises(Exception, match="1 至 5 年"):
        _issue(
            session,
            subject,
            Request(ReportKind.SPECIAL, ("tax",), years=6),
            actor=me,
            issuer=issuer,
            catalog=catalog,
            today=today,
        )


def test_changing_any_byte_of_the_signed_content_fails(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    subject = make_subject(session)
    issued = _issue(
        session,
        subject,
        Request(ReportKind.PUBLIC),
        actor=SYSTEM,
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    data = issued.data
    key = issuer.key.public_key
    assert reports.verify_file(session, data, key, today=today).verdict == Verdict.AUTHENTIC
    signed_len = data.rfind(seal.MARK)
    for at in (10, signed_len // 3, signed_len // 2, signed_len - 10):
        changed = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        result = reports.verify_file(session, changed, key, today=today)
        assert result.verdict == Verdict.ALTERED, at
        assert reports.check_file(changed, key, today=today).verdict == Verdict.ALTERED
    other = signing.generate_key().public_key
    assert reports.check_file(data, other, today=today).verdict == Verdict.ALTERED


def test_revoked_and_expired_reports(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    subject = make_subject(session)
    issued = _issue(
        session,
        subject,
        Request(ReportKind.PUBLIC),
        actor=SYSTEM,
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    key = issuer.key.public_key
    later = issued.row.valid_until + timedelta(days=1)
    assert reports.verify_file(session, issued.data, key, today=later).verdict == Verdict.EXPIRED
    assert reports.check_file(issued.data, key, today=later).verdict == Verdict.EXPIRED
    with pytest.raises(Forbidden):
        reports.revoke(
            session,
            issued.row.number,
            reason="误出",
            actor=SYSTEM.__class__(kind="user", id=1, label="银行", role=Role.BANK),
        )
    reports.revoke(session, issued.row.number, reason="主体名称录入错误", actor=ADMIN)
    result = reports.verify_file(session, issued.data, key, today=today)
    assert result.verdict == Verdict.REVOKED
    assert "主体名称录入错误" in result.message
    assert reports.verify_number(session, issued.row.number, today=today).verdict == "revoked"
    revoked = audit.list_audit(session, action=audit.AuditAction.REPORT_REVOKED, limit=1)[0]
    assert revoked.reason == "主体名称录入错误"
    assert reports.verify_number(session, "2026" + "0" * 18, today=today).verdict == "unknown"


def test_special_report_needs_a_basis_and_is_logged_with_it(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    subject = make_subject(session)
    bank, _ = make_user(session, Role.BANK)
    asked = Request(ReportKind.SPECIAL, ("tax",), years=2, purpose="贷款审批")
    with pytest.raises(Forbidden):
        _issue(session, subject, asked, actor=bank, issuer=issuer, catalog=catalog, today=today)
    me = _self(session, subject)
    grantee = consent.Grantee.of(bank)
    assert grantee is not None
    row = consent.grant(
        session,
        subject,
        grantee,
        purpose="贷款审批",
        scopes=["special_report"],
        valid_from=today,
        valid_until=today + timedelta(days=30),
        actor=me,
        today=today,
    )
    issued = _issue(
        session, subject, asked, actor=bank, issuer=issuer, catalog=catalog, today=today
    )
    logged = audit.list_queries(session, subject.id)[0]
    assert (logged.basis, logged.consent_id, logged.actor_label) == ("consent", row.id, bank.label)
    assert logged.detail is not None
    assert logged.detail["report"] == issued.row.number
    consent.revoke(session, row.id, actor=me)
    with pytest.raises(Forbidden):
        _issue(session, subject, asked, actor=bank, issuer=issuer, catalog=catalog, today=today)


def test_natural_person_report_only_to_self_or_with_consent(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    person = make_subject(session, kind=SubjectKind.PERSON, name="张三")
    officer, _ = make_user(session, Role.OFFICER)
    for kind in (ReportKind.PUBLIC, ReportKind.SPECIAL):
        with pytest.raises(Forbidden):
            _issue(
                session,
                person,
                Request(kind, ("tax",), purpose="核查"),
                actor=officer,
                issuer=issuer,
                catalog=catalog,
                today=today,
            )


@needs_poppler
@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools")
def test_rendered_page_shows_chinese_and_its_qr_decodes_to_the_verify_url(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer, tmp_path: Path
) -> None:
    subject = make_subject(session, name="示范区诚信建材有限公司")
    issued = _issue(
        session,
        subject,
        Request(ReportKind.PUBLIC),
        actor=SYSTEM,
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(issued.data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert "WenQuanYiMicroHei" in fonts
    assert " yes " in fonts
    subprocess.run(
        ["pdftoppm", "-r", "110", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "公共信用信息报告" in text
    assert "示范区诚信建材有限公司" in text
    assert "建议秉持诚信理念" in _text(issued.data, tmp_path)
    decoded = (
        subprocess.run(["zbarimg", "--raw", "-q", str(page)], capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    assert decoded == f"http://127.0.0.1:8000/reports/verify?number={issued.row.number}"
    assert reports.well_formed(issued.row.number)
    assert len(issued.row.number) == 22


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl")
def test_openssl_verifies_the_signature_extracted_as_the_docs_say(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer, tmp_path: Path
) -> None:
    subject = make_subject(session)
    issued = _issue(
        session,
        subject,
        Request(ReportKind.PUBLIC),
        actor=SYSTEM,
        issuer=issuer,
        catalog=catalog,
        today=today,
    )
    (tmp_path / "report.pdf").write_bytes(issued.data)
    (tmp_path / "office.pub.pem").write_bytes(issuer.key.public_key.public_pem())
    # docs/reports.md, "Verify with openssl": the same shell commands, run as written.
    script = (REPO_ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    block = script.split("```sh\n", 1)[1].split("```", 1)[0]
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
    assert b"Signature Verified Successfully" in done.stdout
    signed = (tmp_path / "signed.bin").read_bytes()
    assert signed == issued.data[: issued.data.rfind(seal.MARK)]
    assert base64.b64encode((tmp_path / "report.sig").read_bytes()) in issued.data
    (tmp_path / "report.pdf").write_bytes(issued.data.replace(b"/Producer", b"/Producex", 1))
    again = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, capture_output=True, check=False
    )
    assert again.returncode != 0


def test_a_bad_domain_catalog_is_refused_naming_file_and_key(
    tmp_path: Path, catalog: Catalog
) -> None:
    bad = tmp_path / "reports"
    bad.mkdir()
    text = (REPO_ROOT / "catalogs" / "reports" / "domains.yaml").read_text(encoding="utf-8")
    (bad / "domains.yaml").write_text(text.replace("max_years: 5", "max_years: 50"), "utf-8")
    with pytest.raises(CatalogError, match="max_years"):
        reports.load_domains(REPO_ROOT / "catalogs", tmp_path)
    (bad / "domains.yaml").write_text(
        text.replace("[penalty, serious_list,", "[penalty, no_such_class,"), "utf-8"
    )
    with pytest.raises(CatalogError, match="no_such_class"):
        reports.load_domains(REPO_ROOT / "catalogs", tmp_path, catalog=catalog)


def test_section_numbers_are_chinese_numerals() -> None:
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 14, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "十四",
        "二十",
        "二十三",
    ]


def test_a_report_rendered_in_the_worker_process_pool_verifies(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    """The web renders and signs in a process pool (started on first use, shut down with the
    app); the transaction — snapshot row, audit — stays with the caller."""
    pool = RenderPool(1)
    assert not _started(pool)
    pooled = dataclasses.replace(issuer, renderer=pool.render)
    try:
        issued = _issue(session, make_subject(session), Request(ReportKind.PUBLIC), actor=SYSTEM,
                        issuer=pooled, catalog=catalog, today=today)  # fmt: skip
        assert _started(pool)
        key = issuer.key.public_key
        assert reports.verify_file(session, issued.data, key, today=today).verdict == (
            Verdict.AUTHENTIC
        )
        assert reports.get(session, issued.row.number).digest == signing.sm3_hex(issued.data)
    finally:
        pool.shutdown()
    assert not _started(pool)
    in_place = RenderPool(0)  # settings report_workers = 0: render in the calling thread
    assert in_place.render(issued.content, issuer.key)[:5] == b"%PDF-"
    assert not _started(in_place)


def _started(pool: RenderPool) -> bool:
    return pool.started


def test_report_number_and_content_carry_beijing_time(
    session: Session, catalog: Catalog, today: date, issuer: reports.Issuer
) -> None:
    """The number's stamp and the printed issue time are Beijing wall-clock time, whether the
    stored time comes back aware or naive (SQLite); 17:30 UTC is 01:30 the next day in Beijing."""
    evening = datetime(2026, 11, 29, 17, 30, 5, tzinfo=UTC)
    assert report_number(evening).startswith("20261130013005")
    naive = evening.replace(tzinfo=None)
    assert report_number(naive).startswith("20261130013005")
    subject = make_subject(session)
    issued = _issue(session, subject, Request(ReportKind.PUBLIC), actor=SYSTEM, issuer=issuer,
                    catalog=catalog, today=today)  # fmt: skip
    shown = issued.content.issued_at
    assert shown.replace(tzinfo=None) == issued.row.issued_at.replace(tzinfo=None) + timedelta(
        hours=8
    )
    assert issued.row.number.startswith(f"{shown:%Y%m%d%H%M%S}")
