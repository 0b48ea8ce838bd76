"""Closed vocabularies fixed by law or by design. Values are the code names of GLOSSARY.md."""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    """主体类别."""

    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    PUBLIC_INSTITUTION = "public_institution"
    SOCIAL_ORG = "social_org"
    GOVERNMENT = "government"
    PERSON = "person"

    @property
    def label(self) -> str:
        return SUBJECT_KIND_LABELS[self]


SUBJECT_KIND_LABELS: dict[SubjectKind, str] = {
    SubjectKind.ENTERPRISE: "企业",
    SubjectKind.INDIVIDUAL_BUSINESS: "个体工商户",
    SubjectKind.PUBLIC_INSTITUTION: "事业单位",
    SubjectKind.SOCIAL_ORG: "社会组织",
    SubjectKind.GOVERNMENT: "机关",
    SubjectKind.PERSON: "自然人",
}


class SubjectStatus(StrEnum):
    """登记状态."""

    ACTIVE = "active"  # 存续
    CANCELLED = "cancelled"  # 注销
    REVOKED = "revoked"  # 吊销
    MOVED_OUT = "moved_out"  # 迁出
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "active": "存续",
            "cancelled": "注销",
            "revoked": "吊销",
            "moved_out": "迁出",
            "unknown": "未知",
        }[self.value]


class Severity(StrEnum):
    """失信信息 severity under 信用修复管理办法 (2025)."""

    MINOR = "minor"  # 轻微
    GENERAL = "general"  # 一般
    SERIOUS = "serious"  # 严重

    @property
    def label(self) -> str:
        return {"minor": "轻微", "general": "一般", "serious": "严重"}[self.value]


class ListKind(StrEnum):
    """Kinds of list."""

    SERIOUS = "serious"  # 严重失信主体名单
    WATCH = "watch"  # 重点关注名单
    RED = "red"  # 守信激励名单
    IMPORTED = "imported"  # decided elsewhere (courts, market regulators), arrives by collection


class Role(StrEnum):
    """User roles."""

    ADMIN = "admin"  # 信用办管理员
    PROVIDER_CLERK = "provider_clerk"  # 报送部门经办人
    OFFICER = "officer"  # 认定部门工作人员
    AUDITOR = "auditor"  # 审计员
    BANK = "bank"  # 金融机构
    ENTERPRISE = "enterprise"  # 企业账户
    SYSTEM = "system"  # 业务系统 (API client)
    PARTNER = "partner"  # 信易+合作方 (service window, landlord, transport operator)

    @property
    def label(self) -> str:
        return {
            "admin": "信用办管理员",
            "provider_clerk": "报送部门经办人",
            "officer": "认定部门工作人员",
            "auditor": "审计员",
            "bank": "金融机构",
            "enterprise": "企业账户",
            "system": "业务系统",
            "partner": "信易+合作方",
        }[self.value]


class RecordStatus(StrEnum):
    """State of one record version."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # 撤销 / 删除 (with a reason)
    REPAIRED = "repaired"  # 已修复

    @property
    def label(self) -> str:
        return {"active": "有效", "repaired": "已修复", "withdrawn": "已撤销"}[self.value]


class Disclosure(StrEnum):
    """公开属性 of an information class."""

    PUBLIC = "public"  # 可向社会公开
    SHARED = "shared"  # 特定范围内公开（政务共享）
    PRIVATE = "private"  # 不可公开


class RepairStatus(StrEnum):
    """Where a repair (or early-exit) application stands (repair/procedure.py moves it)."""

    SUBMITTED = "submitted"  # 待受理
    ACCEPTED = "accepted"  # 已受理，待决定
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    APPROVED = "approved"  # 准予修复
    REFUSED = "refused"  # 不予修复
    REVOKED = "revoked"  # 撤销修复（违诺）

    @property
    def label(self) -> str:
        return {
            "submitted": "待受理",
            "accepted": "已受理",
            "not_accepted": "不予受理",
            "approved": "准予修复",
            "refused": "不予修复",
            "revoked": "已撤销修复",
        }[self.value]


class RepairTarget(StrEnum):
    """What a repair application is about."""

    RECORD = "record"  # a dishonesty record: repair
    LIST_ENTRY = "list_entry"  # a list entry decided on this platform: early exit


class CommitmentStatus(StrEnum):
    SIGNED = "signed"  # 已作出
    KEPT = "kept"  # 核查：已履行
    BREACHED = "breached"  # 核查：未履行或不实

    @property
    def label(self) -> str:
        return {"signed": "待核查", "kept": "已履行", "breached": "未履行或不实"}[self.value]


class RowOutcome(StrEnum):
    """What collection did with one source row (batch_rows.outcome, a chunk's counts)."""

    NEW = "new"  # 新增
    UPDATED = "updated"  # 更正（新版本）
    UNCHANGED = "unchanged"  # 未变化
    REJECTED = "rejected"  # 退回


class ScreeningOutcome(StrEnum):
    """What 名单比对 found for one row (`measures.screening`)."""

    HIT = "hit"  # 命中
    POSSIBLE_HIT = "possible_hit"  # 疑似命中（须复核）
    CLEAN = "clean"  # 未命中
    INVALID_CODE = "invalid_code"  # 代码有误
    NO_INPUT = "no_input"  # 无代码无名称


class ObjectionStatus(StrEnum):
    OPEN = "open"  # 异议处理中
    ANSWERED = "answered"  # 已答复

    @property
    def label(self) -> str:
        return {"open": "处理中", "answered": "已答复"}[self.value]


class ObjectionOutcome(StrEnum):
    """The provider's answer to an objection (objections.answer)."""

    CORRECTED = "corrected"  # 更正: a new record version with the changed fields
    DELETED = "deleted"  # 删除: a withdrawn version with the reason
    KEPT = "kept"  # 维持: the record stands, with reasons

    @property
    def label(self) -> str:
        return {"corrected": "更正", "deleted": "删除", "kept": "维持"}[self.value]


class RegistrationStatus(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"submitted": "待核实", "verified": "已核实", "rejected": "不予核实"}[self.value]


class BatchStatus(StrEnum):
    """A collection batch (collection/batches.py)."""

    PROCESSING = "processing"  # chunks being written (a rerun resumes it)
    DONE = "done"
    DRY_RUN = "dry_run"  # checked only, nothing stored


class RunStatus(StrEnum):
    """A background run of a long procedure (xinyong/runs): queued → running → succeeded | failed,
    or → refused when its starter may no longer act at claim time (deactivated, lost the role).
    `INTERRUPTED` is never stored: a running run whose heartbeat is older than
    `runs.STALE_AFTER` before now is shown so (its runner died)."""

    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 运行中
    SUCCEEDED = "succeeded"  # 已完成
    FAILED = "failed"  # 失败
    REFUSED = "refused"  # 未运行 (the starter could no longer act when a runner claimed it)
    INTERRUPTED = "interrupted"  # 中断 (computed from the heartbeat and now)

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "运行中", "succeeded": "已完成", "failed": "失败",
                "refused": "未运行（已拒绝）", "interrupted": "中断"}[self.value]  # fmt: skip

    @property
    def active(self) -> bool:
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)


class ContentStatus(StrEnum):
    """An editorial item (content.py): draft → review → published (→ withdrawn → draft)."""

    DRAFT = "draft"  # 草稿
    REVIEW = "review"  # 待审核
    PUBLISHED = "published"  # 已发布
    WITHDRAWN = "withdrawn"  # 已撤下

    @property
    def label(self) -> str:
        return {"draft": "草稿", "review": "待审核", "published": "已发布", "withdrawn": "已撤下"}[
            self.value
        ]


class WhitelistState(StrEnum):
    """A 信易贷 whitelist (financing/whitelist.py): generated → approved → pushed."""

    GENERATED = "generated"  # 待审核
    APPROVED = "approved"  # 已审核
    PUSHED = "pushed"  # 已推送

    @property
    def label(self) -> str:
        return {"generated": "待审核", "approved": "已审核", "pushed": "已推送"}[self.value]


class NeedStatus(StrEnum):
    """A 信易贷 financing need (financing/market.py): open until the SME withdraws it or a bank
    answers it with a loan outcome — served (granted) or declined (refused; it may still be
    served by another bank, or withdrawn)."""

    OPEN = "open"  # 对接中
    WITHDRAWN = "withdrawn"  # 企业已撤回
    SERVED = "served"  # 已获贷款
    DECLINED = "declined"  # 金融机构未予放款

    @property
    def label(self) -> str:
        return {"open": "对接中", "withdrawn": "已撤回", "served": "已获贷款",
                "declined": "未获放款"}[self.value]  # fmt: skip


class LoanResult(StrEnum):
    """A bank's answer on a loan (financing/outcomes.py)."""

    GRANTED = "granted"  # 获批
    REFUSED = "refused"  # 未获批


class GradeSource(StrEnum):
    """Where the grade a public 信用评价 tab shows comes from (`evaluation.shown`)."""

    STORED = "stored"  # the stored grade, still matching the archive for its as-of date
    LIVE = "live"  # computed from the archive on the page view
    UPDATING = "updating"  # neither: the evaluation is being updated


class ListStep(StrEnum):
    """A step of a list entry's procedure (名单认定程序): the name an entry's history stores
    (`list_entry_steps.step`), a catalog list type's procedure names, the admin form posts to
    (`/admin/lists/{id}/{step}`) and `lists.next_steps` reports (`lists/allowed.py`)."""

    PROPOSAL = "proposal"  # 提出拟列入
    EVIDENCE = "evidence"  # 证据材料
    NOTICE = "notice"  # the action: a prior notice, or publicity for a red list (stored as one)
    PRIOR_NOTICE = "prior_notice"  # 事前告知
    PUBLICITY = "publicity"  # 拟列入公示
    DELIVERY = "delivery"  # 送达
    STATEMENT = "statement"  # 陈述申辩及答复
    PUBLICITY_OBJECTION = "publicity_objection"  # 公示异议 (from the public)
    APPROVAL = "approval"  # 报上一级部门批准
    DECISION = "decision"  # 认定决定
    PUBLICATION = "publication"  # 公布
    EXIT = "exit"  # 移出
    EARLY_EXIT = "early_exit"  # the action's rule for 提前移出 (stored as exit, kind early)
