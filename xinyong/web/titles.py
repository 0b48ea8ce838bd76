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
# Form fields by the name their <input> posts (and the pages' query parameters), for the error
# page of a refused form ("提交的内容不完整或格式不正确（理由）"): the label the form shows, never
# the English name. tests/web/test_form_labels.py walks every route and fails on a name missing.
FORM_FIELDS = {
    "action": "操作", "active": "启用", "after": "导出游标", "again": "再次输入新密码",
    "agreed": "约谈结果", "amount": "金额", "amount_max": "最高额度（万元）",
    "amount_min": "最低额度（万元）", "answer": "答复", "approve": "决定", "badge": "执法证号",
    "body_md": "正文", "choice": "白名单推荐", "code": "代码", "commit": "信用承诺",
    "contact": "联系方式", "credit_loan": "信用贷款", "decision_number": "决定文号",
    "delivered_on": "送达日期", "department": "部门", "detail": "说明", "display_name": "姓名",
    "domains": "报告内容", "download": "下载结果", "dry_run": "只校验，不入库",
    "evidence": "证据材料", "facts": "事实", "false_statement": "虚假承诺",
    "field": "更正的数据项", "file": "文件", "first_loan": "首贷",
    "follow_up_on": "跟踪回访日期", "fulfilment": "履行状态", "grades": "可申请的评价等级",
    "granted_on": "放款日期", "grantee": "被授权方", "grounds": "异议事实和理由",
    "held_on": "约谈日期", "info_class": "信息类", "institution_id": "金融机构",
    "is_match": "是否同一主体", "joined": "参加白名单推送", "key": "指标", "kind": "类别",
    "list_type": "名单类型", "matter": "核查事项", "matures_on": "到期日", "method": "核验方式",
    "month": "月份", "name": "名称", "national_list": "国家名单格式", "need_id": "融资需求编号",
    "new": "新密码", "next": "登录后前往的页面", "no_punishment_in_force": "无正在执行的失信惩戒",
    "note": "说明", "notice_number": "告知书文号", "objection": "异议内容",
    "obligations": "已履行法定义务的声明", "occurred_on": "发生日期", "old": "原密码",
    "outcome": "结论", "participants": "参加人员", "password": "密码",
    "pasted": "粘贴的代码或名称", "period_end": "结束日期", "period_start": "开始日期",
    "provider": "报送部门", "purpose": "用途", "q": "关键词", "rate_type": "利率类型",
    "reason": "理由", "refusal_code": "未获批原因", "region": "地区",
    "region_code": "行政区划代码", "related": "有利害关系的主体", "result": "结果",
    "role": "角色", "scenario": "场景", "scopes": "授权范围", "section": "栏目",
    "sector": "行业", "seed": "随机种子", "size": "企业规模", "source": "来源",
    "source_date": "来源日期", "statement": "陈述内容", "subject": "企业账户绑定的主体代码",
    "subject_code": "主体代码", "subject_id": "信用主体", "summary": "摘要",
    "template_id": "承诺模板", "term_max_months": "最长期限（月）",
    "term_min_months": "最短期限（月）", "term_months": "期限（月）", "title": "标题",
    "truth": "信息真实的承诺", "unperformed": "未履行内容", "username": "用户名",
    "uscc": "统一社会信用代码", "valid_until": "有效期至", "value": "数值",
    "verified": "核实结果", "years": "年限",
    # the query parameters of the pages' filter forms and page links
    "added": "新增提示", "authority": "决定机关", "basis": "依据", "before": "翻页位置",
    "from": "决定日期自", "job": "任务", "log_id": "查询记录编号", "model": "评价模型",
    "number": "报告编号", "operator": "操作人", "page": "页码", "q_before": "翻页位置",
    "repeat": "重复提交提示", "saved": "保存提示", "status": "状态", "tab": "栏目",
    "target_id": "对象编号", "target_type": "对象类型", "to": "决定日期至", "who": "查询方",
}  # fmt: skip


def form_field_label(catalog: Catalog, name: str) -> str | None:
    """The label a form shows for the field `name` posts: FORM_FIELDS, or — for a repair
    material's upload field, named by its catalog id — the material's title. None: unknown."""
    return FORM_FIELDS.get(name) or _catalog_title(catalog, "material", name)


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
