"""Loan outcomes (贷款结果反馈), 贷中预警 alerts, and the figures by institution and month.

Alerts — how "within a minute" is met: raised in the same transaction as the change. A session
listener notes every new serious record (`records.severity = serious`, a new version included)
and every decided entry on a punishing list (a platform decision, or an imported list record such as
a court defaulter; never the red list); just before that transaction commits, each noted
borrower with an active loan (granted, not matured on today) whose lender still holds the
borrower's consent gets one alert per lender (unique per lender, trigger and loan). Bulk
collection writes records over its own connection: its surface calls `alerts_for_batch`.
`install(context)` turns the listener on for a process (the web app, the CLI).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from xinyong import archive, audit, clock
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import (
    FinancingAlert,
    FinancingNeed,
    Institution,
    ListEntry,
    LoanOutcome,
    Record,
    Subject,
)
from xinyong.enums import ListKind, LoanResult, RecordStatus, Severity
from xinyong.errors import InvalidInput
from xinyong.financing import institutions
from xinyong.financing.catalog import FinancingCatalog
from xinyong.financing.market import RATE_TYPES, amount, answer_need
from xinyong.lists import find_list_type
from xinyong.log import get_logger

log = get_logger(__name__)


def record_outcome(
    session: Session,
    institution: Institution,
    subject: Subject,
    *,
    result: str,
    decided_on: date,
    fin_catalog: FinancingCatalog,
    actor: Actor,
    need: FinancingNeed | None = None,
    product_id: int | None = None,
    amount_wan: Any = None,
    granted_on: date | None = None,
    matures_on: date | None = None,
    rate_type: str | None = None,
    credit_loan: bool | None = None,
    first_loan: bool | None = None,
    refusal_code: str | None = None,
) -> LoanOutcome:
    """A bank user records its decision; a granted loan needs its terms, a refusal its reason."""
    institutions.require_own(session, actor, institution, "只能反馈本机构的贷款结果")
    if need is not None and need.subject_id != subject.id:
        raise InvalidInput("融资需求与企业不符", code="financing.need_mismatch")
    row = LoanOutcome(
        institution_id=institution.id, subject_id=subject.id,
        need_id=need.id if need else None, product_id=product_id, result=result,
        decided_on=decided_on, recorded_by=actor.label,
    )  # fmt: skip
    if result == LoanResult.GRANTED:
        if granted_on is None or rate_type not in RATE_TYPES:
            raise InvalidInput("获批须填写放款日期和利率类型", code="financing.outcome")
        if credit_loan is None or first_loan is None:
            raise InvalidInput("获批须说明是否信用贷款、是否首贷", code="financing.outcome")
        if matures_on is not None and matures_on < granted_on:
            raise InvalidInput("到期日不能早于放款日期", code="financing.outcome")
        row.amount = amount(amount_wan, "放款金额")
        row.granted_on, row.matures_on, row.rate_type = granted_on, matures_on, rate_type
        row.credit_loan, row.first_loan = credit_loan, first_loan
    elif result == LoanResult.REFUSED:
        fin_catalog.refusal_title(refusal_code or "")
        row.refusal_code = refusal_code
    else:
        raise InvalidInput(
            "结果只能是 granted（获批）或 refused（未获批）", code="financing.outcome"
        )
    institutions.stored(
        session,
        row,
        AuditAction.LOAN_OUTCOME_RECORDED,
        target_type="loan_outcome",
        after=outcome_json,
        actor=actor,
    )
    if need is not None:
        answer_need(session, need, LoanResult(result), outcome_id=row.id, decided_on=decided_on,
                    actor=actor)  # fmt: skip
    return row


def outcome_json(row: LoanOutcome) -> dict[str, Any]:
    return {
        "id": row.id,
        "institution_id": row.institution_id,
        "subject_id": row.subject_id,
        "need_id": row.need_id,
        "result": row.result,
        "amount": str(row.amount) if row.amount is not None else None,
        "granted_on": row.granted_on.isoformat() if row.granted_on else None,
        "matures_on": row.matures_on.isoformat() if row.matures_on else None,
        "rate_type": row.rate_type,
        "credit_loan": row.credit_loan,
        "first_loan": row.first_loan,
        "refusal_code": row.refusal_code,
        "decided_on": row.decided_on.isoformat(),
    }


def outcomes_of(session: Session, institution_id: int) -> list[LoanOutcome]:
    stmt = (
        select(LoanOutcome)
        .where(LoanOutcome.institution_id == institution_id)
        .order_by(LoanOutcome.id.desc())
    )
    return list(session.execute(stmt).scalars())


def active_loans(session: Session, subject_ids: Iterable[int], today: date) -> list[LoanOutcome]:
    ids = list(subject_ids)
    if not ids:
        return []
    stmt = select(LoanOutcome).where(
        LoanOutcome.subject_id.in_(ids),
        LoanOutcome.result == LoanResult.GRANTED,
        LoanOutcome.granted_on <= today,
        or_(LoanOutcome.matures_on.is_(None), LoanOutcome.matures_on >= today),
    )
    return list(session.execute(stmt).scalars())


# ---- 贷中预警 ----------------------------------------------------------------------------------

Context = Callable[[], tuple[Catalog, date]]
KEY = "financing_alert_triggers"
_state: dict[str, Any] = {"context": None, "installed": False}


def install(context: Context) -> None:
    """Raise alerts at every commit of every session of this process (`context()` → catalog,
    today)."""
    _state["context"] = context
    if not _state["installed"]:
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _raise_noted)
        _state["installed"] = True


def uninstall() -> None:
    _state["context"] = None


def _dishonest_list(catalog: Catalog, name: str | None) -> str | None:
    """The title of a punishing (not red) list type, or None."""
    found = find_list_type(catalog, name) if name else None
    if found is None or found.kind == ListKind.RED:
        return None
    return found.title


def _trigger(obj: object, catalog: Catalog) -> tuple[int, str, int, str] | None:
    """(subject, kind, id, title) when `obj` is a new serious record or a new dishonesty listing."""
    if isinstance(obj, Record) and obj.is_current and obj.status == RecordStatus.ACTIVE.value:
        if obj.severity == Severity.SERIOUS.value:
            what = f"新增严重失信信息：{obj.decision_number or obj.info_class}"
            return (obj.subject_id, "record", obj.id, what)
        info = catalog.info_classes.get(obj.info_class)
        if info is not None and info.kind == "list_entry":
            name = info.list_type or str(archive.source_row(obj).get("list_name") or "")
            title = _dishonest_list(catalog, name)
            if title is not None:
                return (
                    obj.subject_id,
                    "record",
                    obj.id,
                    f"列入{title}：{obj.decision_number or ''}",
                )
    if isinstance(obj, ListEntry) and obj.decided_on is not None and obj.exited_on is None:
        title = _dishonest_list(catalog, obj.list_type)
        if title is not None:
            return (
                obj.subject_id,
                "list_entry",
                obj.id,
                f"列入{title}：{obj.decision_number or ''}",
            )
    return None


def _note(session: Session, _ctx: Any) -> None:
    if _state["context"] is None:
        return
    catalog, _today = _state["context"]()
    noted = session.info.setdefault(KEY, set())
    for obj in (*session.new, *session.dirty):
        found = _trigger(obj, catalog)
        if found is not None:
            noted.add(found)


def _raise_noted(session: Session) -> None:
    context = _state["context"]
    if context is None or not session.info.get(KEY):
        return
    session.flush()
    noted = session.info.pop(KEY, set())
    try:
        with session.begin_nested():
            raise_alerts(session, noted, today=context()[1])
    except Exception:  # an alert must never block the change that caused it
        log.exception("financing alerts failed", triggers=len(noted))
    session.info.pop(KEY, None)


def raise_alerts(
    session: Session, triggers: Iterable[tuple[int, str, int, str]], *, today: date
) -> list[FinancingAlert]:
    """One alert per (lender, trigger, active loan) whose consent to the borrower holds today."""
    by_subject: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for subject_id, kind, trigger_id, title in triggers:
        by_subject[subject_id].append((kind, trigger_id, title))
    out = []
    for loan in active_loans(session, by_subject, today):
        held = institutions.consents_to(session, loan.subject_id, loan.institution_id, today)
        if not held:
            continue  # consent revoked or expired: the lender is told nothing
        for kind, trigger_id, title in by_subject[loan.subject_id]:
            exists = session.execute(
                select(FinancingAlert.id).where(
                    FinancingAlert.institution_id == loan.institution_id,
                    FinancingAlert.trigger_kind == kind,
                    FinancingAlert.trigger_id == trigger_id,
                    FinancingAlert.outcome_id == loan.id,
                )
            ).first()
            if exists:
                continue
            alert = FinancingAlert(
                institution_id=loan.institution_id, subject_id=loan.subject_id,
                outcome_id=loan.id, trigger_kind=kind, trigger_id=trigger_id, title=title[:300],
                consent_id=held[0].id, raised_at=clock.now(),
            )  # fmt: skip
            session.add(alert)
            session.flush()
            audit.record(
                session, Actor.system("贷中预警"), AuditAction.FINANCING_ALERT_RAISED,
                target_type="financing_alert", target_id=alert.id,
                after={"institution_id": loan.institution_id, "subject_id": loan.subject_id,
                       "trigger": f"{kind}:{trigger_id}"},
            )  # fmt: skip
            out.append(alert)
    return out


def alerts_for_batch(
    session: Session, batch_id: int, *, catalog: Catalog, today: date
) -> list[FinancingAlert]:
    """Bulk collection bypasses the listener: alerts for the serious records and dishonesty
    listings of one batch."""
    lists = [c.id for c in catalog.info_classes.values() if c.kind == "list_entry"]
    stmt = select(Record).where(
        archive.of_batch(session, batch_id),  # the batch's id range: no scan of the archive
        Record.is_current.is_(True),
        Record.status == RecordStatus.ACTIVE.value,
        or_(Record.severity == Severity.SERIOUS.value, Record.info_class.in_(lists)),
    )  # only what `_trigger` can accept: not every record of a 1M-row batch as an ORM object
    rows = session.execute(stmt).scalars()
    return raise_alerts(session, [t for r in rows if (t := _trigger(r, catalog))], today=today)


def alerts_of(session: Session, institution_id: int) -> list[FinancingAlert]:
    stmt = (
        select(FinancingAlert)
        .where(FinancingAlert.institution_id == institution_id)
        .order_by(FinancingAlert.id.desc())
    )
    return list(session.execute(stmt).scalars())


def alert_json(row: FinancingAlert, subject: Subject) -> dict[str, Any]:
    return {
        "id": row.id,
        "subject": {"code": subject.code, "name": subject.name},
        "loan_id": row.outcome_id,
        "trigger": row.trigger_kind,
        "trigger_id": row.trigger_id,
        "title": row.title,
        "raised_at": audit.jsonable(row.raised_at),
    }


# ---- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthFigures:
    institution_id: int
    institution: str
    month: str
    loans: int
    amount: Decimal
    credit_loans: int
    first_loans: int
    refused: int

    @property
    def credit_share(self) -> float:
        return round(self.credit_loans / self.loans, 4) if self.loans else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id,
            "institution": self.institution,
            "month": self.month,
            "loans": self.loans,
            "amount": str(self.amount),
            "credit_loan_share": self.credit_share,
            "credit_loans": self.credit_loans,
            "first_loans": self.first_loans,
            "refused": self.refused,
        }


def figures(session: Session, month: str | None = None) -> list[MonthFigures]:
    """Granted loans by institution and month of `granted_on`; refusals by month decided."""
    rows = session.execute(
        select(
            LoanOutcome.institution_id, LoanOutcome.result, LoanOutcome.granted_on,
            LoanOutcome.decided_on, LoanOutcome.amount, LoanOutcome.credit_loan,
            LoanOutcome.first_loan,
        )
    ).all()  # fmt: skip
    names = dict(session.execute(select(Institution.id, Institution.name)).all())
    acc: dict[tuple[int, str], dict[str, Any]] = {}
    for inst, result, granted_on, decided_on, amt, credit, first in rows:
        day = (granted_on if result == LoanResult.GRANTED else None) or decided_on
        key = (inst, day.strftime("%Y-%m"))
        if month is not None and key[1] != month:
            continue
        a = acc.setdefault(
            key, {"loans": 0, "amount": Decimal(0), "credit": 0, "first": 0, "refused": 0}
        )
        if result == LoanResult.GRANTED:
            a["loans"] += 1
            a["amount"] += amt or Decimal(0)
            a["credit"] += int(bool(credit))
            a["first"] += int(bool(first))
        else:
            a["refused"] += 1
    return [
        MonthFigures(inst, names.get(inst, str(inst)), m, a["loans"], a["amount"], a["credit"],
                     a["first"], a["refused"])
        for (inst, m), a in sorted(acc.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]  # fmt: skip


def count_outcomes(session: Session) -> int:
    return int(session.execute(select(func.count(LoanOutcome.id))).scalar_one())
