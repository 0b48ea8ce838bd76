"""The hand-made half of docs/dev/reach.md: titles the code cannot give, the main reads, and for
each capability without a page, a command or an API endpoint, which of them its user needs and
why — ("page cli api": the surfaces wanted, "" none; the reason in one line)."""

# ruff: noqa: E501  (one line a decision, as the table shows it)
from __future__ import annotations

SURFACES = {"page": "页面", "cli": "命令行", "api": "接口", "job": "任务／后台运行"}

# Entry points left out of the table, each with its reason.
SKIPPED_ENTRIES = {
    "xinyong demo": "loads the demo region by calling the actions themselves: not a way to them",
    "xinyong jobs worker": "the runner of queued background runs: shown as 后台运行",
    "xinyong init": "first set-up of an installation (admin account, catalog): not a way to them",
    "xinyong serve": "starts the server (loads the catalog on the way): not a way to an action",
}

# Reads that matter to their users but write no query log of their own.
MAIN_READS: dict[str, str] = {
    "measures.joint_check.check": "联合奖惩核查",
    "lists.public.public_page": "红黑名单公开查询",
    "workqueue.queue_page": "待办事项（工作队列）",
}

# Titles for capabilities whose audit code does not name them (logged reads, building blocks).
TITLES: dict[str, str] = {
    "archive.writes.add_record": "新增信用记录",
    "commitments.breach.revoke_for_false_materials": "提供虚假材料：撤销修复并记录违诺",
    "commitments.signed.apply_for_repair": "以信用承诺申请信用修复",
    "content.move": "内容流转（提交审核、发布、退回、撤回）",
    "disclosure.access.read_archive": "读取完整信用档案",
    "disclosure.access.read_archive_page": "读取完整信用档案（分页）",
    "evaluation.access.read_evaluation": "读取信用评价",
    "evaluation.engine.run_embedded": "信用评价运行（内置引擎）",
    "exchange.intake.import_package": "导入交换包",
    "exchange.intake.receive": "接收交换包（接口）",
    "exchange.intake.store": "保存收到的交换包",
    "financing.institutions.stored": "登记或取回金融机构",
    "financing.whitelist.opt_in": "重新加入白名单",
    "jobs.record": "记录批处理任务运行",
    "jobs.run_recorded": "运行批处理任务",
    "lists.history.record_step": "记录名单程序步骤",
    "measures.replay.replay_check": "核查日志复核",
    "measures.screening_run.log_matches": "名单比对命中记入查询日志",
    "measures.screening_run.screen": "名单比对",
    "related_parties.graph": "关联关系图谱",
    "repair.outcomes.put_into_effect": "信用修复决定生效（记录新版本）",
    "repair.outcomes.restore": "撤销修复后恢复公示",
    "runs.store.finish": "后台运行结束",
    "scenarios.verify.verify": "信易+场景核验",
}

# Each capability that lacks a page, a command or an endpoint: the surfaces its user needs
# ("page cli api"; what it has already need not be named) and why, in one line.
RUN = "经后台运行启动（/admin/jobs、/admin/runs、POST /api/v1/runs），不另设入口"
PART = "其所属操作的一个步骤，经该操作到达，不单独设入口"
OFFICE_PAGE = "信用办管理员在后台页面操作、运维用命令行；业务系统不管理账户和密钥，不设接口"
SELF = "主体本人登录后在“我的信用”页面办理；企业不持有接口密钥，不设命令行和接口"
INTENDED: dict[str, tuple[str, str]] = {
    "audit.retention.purge_before": ("", "定时任务 retention：命令行 xinyong jobs run retention，页面和接口" + RUN[2:]),
    "financing.market.answer_need": ("", "随放贷结果办结（/bank/、POST /api/v1/financing/outcomes）；命令行不需要"),
    "financing.market.publish_product": ("", "银行在工作台发布贷款产品，数量少、需人工把关，不设命令行和接口"),
    "financing.market.publish_need": ("", SELF.replace("不设命令行和接口", "不设命令行")),
    "financing.outcomes.record_outcome": ("", "银行在工作台或由信贷系统经接口反馈；运维不代银行反馈，不设命令行"),
    "auth.accounts.set_active": ("", OFFICE_PAGE),
    "auth.accounts.change_password": ("", "本人在页面修改自己的密码；运维重置用 xinyong users password"),
    "auth.accounts.reset_password": ("", OFFICE_PAGE),
    "auth.clients.add_client": ("", OFFICE_PAGE),
    "auth.clients.rotate_client_key": ("", OFFICE_PAGE),
    "auth.clients.revoke_client": ("", OFFICE_PAGE),
    "auth.clients.create_api_client": ("", OFFICE_PAGE),
    "auth.sessions.create_user": ("", OFFICE_PAGE),
    "auth.sessions.log_in": ("", "登录只属于页面；命令行和接口各有其身份（运维、接口密钥）"),
    "catalog.versions.record_version": ("", "目录由页面“重新加载”或启动时加载；xinyong catalog check 只检查"),
    "commitments.breach.record_verification": ("", "认定部门在后台页面核查承诺（承诺页面归 walk2）；暂不设命令行和接口"),
    "commitments.signed.sign": ("", SELF),
    "commitments.signed.apply_for_repair": ("", SELF),
    "consent.grants.grant": ("", "授权是主体本人的意思表示：页面和接口（本人会话）足够，运维不代为授权"),
    "consent.grants.revoke": ("", "同授权：由本人在页面或接口撤回"),
    "content.create": ("", "信用资讯由工作人员在页面编写审核，不设命令行和接口"),
    "content.update": ("", "同上"),
    "content.move": ("", "同上"),
    "content.attach": ("", "同上"),
    "disclosure.access.read_archive": ("", "被分页读取 read_archive_page 取代，各入口都走分页读取"),
    "disclosure.access.read_archive_page": ("", "完整档案只给有权的机构（页面、接口），命令行不做逐人查询"),
    "disclosure.reclassify.run": ("", RUN),
    "evaluation.access.read_evaluation": ("", "评价结果在页面和接口查看；运维批量运行用 xinyong evaluate"),
    "evaluation.engine.start_run": ("page", "信用办需在 /admin/evaluation 发起评价运行（较长，应为后台运行，归 runs2）；接口不需要"),
    "evaluation.engine.run_embedded": ("page", "同上：start_run 的内置引擎部分"),
    "exchange.intake.store": ("", RUN + "；页面上传同样走后台运行"),
    "exchange.intake.receive": ("", "上级平台的系统经接口推送；运维导入用 xinyong exchange import"),
    "exchange.intake.import_package": ("", RUN),
    "exchange.manual.export_zip": ("", "命令行 xinyong exchange export 写目录；接口 GET /api/v1/exchange/changes 供拉取"),
    "exchange.manual.import_upload": ("", RUN + "；命令行用 xinyong exchange import"),
    "financing.institutions.register": ("", OFFICE_PAGE),
    "financing.institutions.add_user": ("", OFFICE_PAGE),
    "financing.market.withdraw_need": ("", SELF.replace("不设命令行和接口", "不设命令行")),
    "financing.whitelist.opt_out": ("", SELF),
    "financing.whitelist.opt_in": ("", SELF),
    "financing.whitelist.generate": ("", "信用办在页面生成、运维用命令行；银行经推送获得，不设接口"),
    "financing.whitelist.review": ("", "审核是信用办人员的判断，只在页面"),
    "financing.whitelist.push": ("", "同审核：只在页面"),
    "indicators.dashboard.refresh_now": ("", "定时任务 xinyong jobs run dashboard 即命令行入口；接口不需要"),
    "indicators.manual.enter_value": ("", "手工指标由信用办在页面录入"),
    "inspections.plans.add_inspector": ("", "检查人员名录在页面和命令行维护"),
    "inspections.plans.record_result": ("", "检查人员在页面或由执法系统经接口记录；运维不代为记录，不设命令行"),
    "interviews.record_interview": ("", "约谈由工作人员在页面记录"),
    "interviews.record_follow_up": ("", "同上"),
    "jobs.run_recorded": ("", "命令行 xinyong jobs run；页面和接口经后台运行"),
    "jobs.record": ("", PART + "（任务、后台运行）"),
    "keyring.actions.rotate": ("", "签名私钥在服务器文件中，只由运维在服务器上用命令行轮换"),
    "keyring.actions.trust": ("", "受信任的公钥文件在服务器上，由运维用命令行登记；系统状态页面只显示密钥环"),
    "keyring.actions.untrust": ("", "同登记：运维在服务器上用命令行停止信任；系统状态页面只显示密钥环"),
    "run_uploads.expire": ("", "保存期限任务 retention 的一部分（命令行 xinyong jobs run retention、批处理任务页面立即运行）"),
    "runs.store.refuse": ("", "运行程序领取时自动判断，不是人发起的动作；结果和原因在后台运行页面、接口和命令行显示"),
    "lists.evidence.attach_evidence": ("", "名单程序由认定部门人员在页面或命令行逐步办理；暂不设接口（部门检查归 lists2）"),
    "lists.evidence.record_delivery": ("", "同上"),
    "lists.procedure.propose_entry": ("", "同名单程序"),
    "lists.procedure.send_prior_notice": ("", "同名单程序"),
    "lists.procedure.record_statement": ("", "同名单程序"),
    "lists.procedure.approve_entry": ("", "同名单程序"),
    "lists.procedure.decide_entry": ("", "同名单程序"),
    "lists.procedure.publish_entry": ("", "同名单程序"),
    "lists.public.file_publicity_objection": ("", "公众在公示页面提出异议"),
    "lists.revalidation.recompute_validity": ("", "一次性更正，页面和命令行足够"),
    "measures.feedback.record_feedback": ("", "实施反馈来自业务系统（接口）或核查页面"),
    "measures.replay.replay_check": ("", "审计员在页面、运维在命令行复核"),
    "measures.screening.remember_decision": ("", "复核比对结果是人的判断：页面和接口"),
    "objections.file_objection": ("", SELF),
    "providers.update": ("", "信用办在页面、运维用命令行 xinyong providers update 维护；业务系统不管理报送单位"),
    "registrations.submit": ("", SELF),
    "registrations.verify": ("", "核验自愿注册由工作人员在页面办理"),
    "related_parties.graph": ("", "两步关联关系供工作人员在页面研判"),
    "repair.intake.file_application": ("", SELF),
    "reports.issue.revoke": ("", "撤销报告是信用办的决定：页面和命令行"),
    "runs.store.start": ("", "命令行直接运行任务（xinyong jobs run），不需排队"),
    "runs.store.again": ("cli", "运维重新运行中断的后台运行需要命令行（归 runs2）"),
    "runs.store.finish": ("", "后台运行的结束，由运行器记录"),
    "scenarios.verify.register_partner": ("", OFFICE_PAGE),
    "scenarios.verify.verify": ("", "合作方在手机页面或经接口核验"),
    "subjects.registry.register": ("", "主体随信用记录归集登记（register_many）；不单独登记"),
    "subjects.registry.register_many": ("", PART + "（归集、交换）"),
    "subjects.registry.register_unverified": ("", PART + "（暂未核验代码的主体随归集登记）"),
    "lists.public.public_page": ("", "业务系统按主体核查（POST /api/v1/checks）；公开名单供公众浏览"),
    "workqueue.queue_page": ("", "工作队列给工作人员看（页面），日报任务汇总；业务系统不需要"),
}  # fmt: skip
