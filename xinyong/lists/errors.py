"""Errors of the list procedure, each with a code and a Chinese message for a clerk."""

from __future__ import annotations

from xinyong.errors import Conflict, DueProcessError, InvalidInput


class ImportedListNotDecidedHere(DueProcessError):
    code = "lists.imported_type"


class EntryAlreadyOpen(Conflict):
    code = "lists.entry_open"


class StepOutOfOrder(DueProcessError):
    code = "lists.step_out_of_order"


class StatementPeriodOpen(DueProcessError):
    code = "lists.statement_period_open"


class StatementPeriodOver(DueProcessError):
    code = "lists.statement_period_over"


class ApprovalMissing(DueProcessError):
    code = "lists.approval_missing"


class EarlyExitRefused(DueProcessError):
    code = "lists.early_exit_refused"


class MissingText(InvalidInput):
    code = "lists.missing_text"
