"""Chinese titles for internal codes on every page: `{{ title("role", u.role) }}`.

Each title comes from the place that owns the code — the catalog (information classes, list
types, repair materials and conditions, registration kinds) or the enum (roles, severities,
list kinds) — and the few workflow states that have no enum yet are named here once. An unknown
code is shown as it is, never hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import pass_context

from xinyong.audit.titles import ACTION_TITLES, SURFACE_TITLES, TARGET_TITLES
from xinyong.catalog import Catalog
from xinyong.enums import (
    CommitmentStatus,
    ContentStatus,
    ListKind,
    NeedStatus,
    ObjectionOutcome,
    ObjectionStatus,
    RecordStatus,
    RegistrationStatus,
    RepairStatus,
    Role,
    Severity,
    WhitelistState,
)
from xinyong.related_parties import ROLE_LABELS

LIST_KINDS = {
    ListKind.SERIOUS: "严重失信主体名单",
    ListKind.WATCH: "重点关注名单",
    ListKind.RED: "守信激励名单",
    ListKind.IMPORTED: "外部认定名单（归集）",
}
# Form fields by the name their <input> posts, for the error page of a refused form ("提交的内容
# 不完整或格式不正确（理由）"): the label the form shows, never the English name.
FORM_FIELDS = {
    "agreed": "约谈结果", "amount": "金额", "answer": "答复", "badge": "执法证号",
    "body_md": "正文", "code": "代码", "contact": "联系方式", "decision_number": "决定文号",
    "delivered_on": "送达日期", "department": "部门", "detail": "说明", "display_name": "姓名",
    "evidence": "证据材料", "facts": "事实", "file": "文件", "follow_up_on": "跟踪回访日期",
    "fulfilment": "履行状态", "grantee": "被授权方", "grounds": "异议事实和理由",
    "held_on": "约谈日期", "info_class": "信息类", "kind": "类别", "list_type": "名单类型",
    "matter": "核查事项", "month": "月份", "name": "名称", "new": "新密码", "note": "说明",
    "notice_number": "告知书文号", "objection": "异议内容", "old": "原密码",
    "participants": "参加人员",
    "password": "密码", "period_end": "结束日期", "period_start": "开始日期",
    "provider": "报送部门", "purpose": "用途", "q": "关键词", "reason": "理由", "region": "地区",
    "result": "结果", "scopes": "授权范围", "sector": "行业", "source": "来源",
    "statement": "陈述内容", "subject_code": "主体代码", "term_months": "期限（月）",
    "title": "标题", "username": "用户名", "uscc": "统一社会信用代码",
    "valid_until": "有效期至", "value": "数值",
}  # fmt: skip
STATES: dict[str, dict[str, str]] = {
    "form_field": FORM_FIELDS,
    "outbox_event": {
        "records.collected": "归集入库",
        "record.versioned": "记录更正",
        "record.created": "记录生成",
        "repair.approved": "修复通过",
        "repair.refused": "不予修复",
        "repair.not_accepted": "修复不予受理",
        "repair.revoked": "修复撤销",
        "objection.answered": "异议答复",
        "list.decided": "名单认定",
        "list.exited": "名单移出",
        "commitment.signed": "承诺签署",
        "commitment.breached": "承诺违诺",
    },
    "party_role": ROLE_LABELS,
    "audit_action": ACTION_TITLES,
    "audit_target": TARGET_TITLES,
    "query_surface": SURFACE_TITLES,
}


def _catalog_title(catalog: Catalog, kind: str, code: str) -> str | None:
    if kind == "info_class":
        info = catalog.info_classes.get(code)
        return info.title if info else None
    if kind == "list_type":
        lt = catalog.list_types.get(code)
        return lt.title if lt else None
    if kind == "material":
        material = catalog.workflows.repair.material(code)
        return material.title if material else None
    if kind == "matter":
        matter = catalog.matters.get(code)
        return matter.title if matter else None
    if kind == "registration_kind":
        found = catalog.workflows.registrations.kind(code)
        return found.title if found else None
    return None


ENUM_TITLES: dict[str, Callable[[str], str]] = {
    "role": lambda code: Role(code).label,
    "severity": lambda code: Severity(code).label,
    "list_kind": lambda code: LIST_KINDS[ListKind(code)],
    "content_status": lambda code: ContentStatus(code).label,
    "whitelist_state": lambda code: WhitelistState(code).label,
    "record_status": lambda code: RecordStatus(code).label,
    "objection_status": lambda code: ObjectionStatus(code).label,
    "objection_outcome": lambda code: ObjectionOutcome(code).label,
    "repair_status": lambda code: RepairStatus(code).label,
    "need_status": lambda code: NeedStatus(code).label,
    "registration_status": lambda code: RegistrationStatus(code).label,
    "commitment_status": lambda code: CommitmentStatus(code).label,
}


def title_of(catalog: Catalog, kind: str, code: Any) -> str:
    """The Chinese title of `code` of the given kind (the code itself when none is known)."""
    if code is None or code == "":
        return "—"
    text = str(code)
    if kind in ENUM_TITLES:
        try:
            return ENUM_TITLES[kind](text)
        except (ValueError, KeyError):
            return text
    if kind in STATES:
        return STATES[kind].get(text, text)
    return _catalog_title(catalog, kind, text) or text


@pass_context
def title(context: Any, kind: str, code: Any) -> str:
    """Jinja global: the title, with the catalog in force for the request."""
    catalog: Catalog = context["request"].app.state.catalogs.current
    return title_of(catalog, kind, code)
