"""The Huizhou 2016 demo ledger as plain data (惠州市2016年改革台账演示数据).

Every figure comes from the Southern Daily report of 2017-03-29 in
`shared/seed/000_c096f58044701480.txt` (see DOMAIN.md, "The Huizhou 2016 demo").
Units and reforms are real; every person is invented and plainly fictional.
`loader.py` turns these structures into rows through the services.

A task is a dict with the keys `code`, `title`, `area`, `lead` and, optionally,
`desc`, `office` (a unit code; the city office by default), `system`, `point`
(a work-point number), `source` (own by default), `deliverable` (policy by
default), `key`, `leader` (the name of a responsible city leader), `helping`
and `depends` (lists of codes), `parent`, `start`, `deadline` (2016-01-15 and
2016-12-31 by default), `plan` (a key of PLAN_STATES; approved by default) and
`milestones` (a list of (title, planned date, weight, is key, expected
evidence); a template chosen by the deliverable kind otherwise).
"""

import datetime as dt

YEAR = 2016
#: The demo's business date (业务日期): the day its 2017 ledger is live on (`live.py`).
#: `make run` serves the demo with RL_BUSINESS_DATE set to it, unless the operator set
#: that variable (empty: the real date).
BUSINESS_DATE = dt.date(2017, 4, 3)
#: The one password every demo login shares; complex enough for the validators.
DEMO_PASSWORD = "Reform#2016"  # noqa: S105 - a published demo password, not a secret

CITY_OFFICE = "HZ-GGB"
COUNTY_OFFICE = "HZ-HY-GGB"


def d(month: int, day: int) -> dt.date:
    """A date in the demo year."""
    return dt.date(YEAR, month, day)


DEFAULT_START = d(1, 15)
DEFAULT_DEADLINE = d(12, 31)

# --- units -------------------------------------------------------------------

#: (code, parent code, kind, name, short name). Parents come before children.
UNITS = [
    ("HZ", None, "city", "惠州市", ""),
    ("HZ-GGB", "HZ", "office", "中共惠州市委全面深化改革领导小组办公室", "市委改革办"),
    ("HZ-SWB", "HZ", "department", "中共惠州市委办公室", "市委办"),
    ("HZ-ZZB", "HZ", "department", "中共惠州市委组织部", "市委组织部"),
    ("HZ-XCB", "HZ", "department", "中共惠州市委宣传部", "市委宣传部"),
    ("HZ-ZFW", "HZ", "department", "中共惠州市委政法委员会", "市委政法委"),
    ("HZ-JW", "HZ", "department", "中共惠州市纪律检查委员会", "市纪委"),
    ("HZ-BB", "HZ", "department", "中共惠州市委机构编制委员会办公室", "市编办"),
    ("HZ-FGJ", "HZ", "department", "惠州市发展和改革局", "市发展改革局"),
    ("HZ-JXJ", "HZ", "department", "惠州市经济和信息化局", "市经信局"),
    ("HZ-CZJ", "HZ", "department", "惠州市财政局", "市财政局"),
    ("HZ-GZW", "HZ", "department", "惠州市人民政府国有资产监督管理委员会", "市国资委"),
    ("HZ-JRJ", "HZ", "department", "惠州市人民政府金融工作局", "市金融工作局"),
    ("HZ-GSJ", "HZ", "department", "惠州市工商行政管理局", "市工商局"),
    # Renamed in 2016 (see RENAMES); no short name, so the label follows the name.
    ("HZ-ZWB", "HZ", "department", "惠州市行政服务中心管理办公室", ""),
    ("HZ-GAJ", "HZ", "department", "惠州市公安局", "市公安局"),
    ("HZ-MZJ", "HZ", "department", "惠州市民政局", "市民政局"),
    ("HZ-RSJ", "HZ", "department", "惠州市人力资源和社会保障局", "市人社局"),
    ("HZ-ZJJ", "HZ", "department", "惠州市住房和城乡规划建设局", "市住建局"),
    ("HZ-GTJ", "HZ", "department", "惠州市国土资源局", "市国土资源局"),
    ("HZ-HBJ", "HZ", "department", "惠州市环境保护局", "市环保局"),
    ("HZ-SWJ", "HZ", "department", "惠州市水务局", "市水务局"),
    ("HZ-NYJ", "HZ", "department", "惠州市农业局", "市农业局"),
    ("HZ-KJJ", "HZ", "department", "惠州市科学技术局", "市科技局"),
    ("HZ-WGX", "HZ", "department", "惠州市文化广电新闻出版局", "市文广新局"),
    ("HZ-JYJ", "HZ", "department", "惠州市教育局", "市教育局"),
    ("HZ-WJJ", "HZ", "department", "惠州市卫生和计划生育局", "市卫生计生局"),
    ("HZ-FZJ", "HZ", "department", "惠州市人民政府法制局", "市法制局"),
    ("HZ-RMYH", "HZ", "department", "中国人民银行惠州市中心支行", "人行惠州中心支行"),
    ("HZ-HC", "HZ", "county", "惠城区", ""),
    ("HZ-HY", "HZ", "county", "惠阳区", ""),
    ("HZ-BL", "HZ", "county", "博罗县", ""),
    ("HZ-HD", "HZ", "county", "惠东县", ""),
    ("HZ-LM", "HZ", "county", "龙门县", ""),
    ("HZ-DYW", "HZ", "zone", "大亚湾经济技术开发区", "大亚湾区"),
    ("HZ-ZK", "HZ", "zone", "仲恺高新技术产业开发区", "仲恺高新区"),
    # A county office keeps its own county ledger in the same system.
    (
        "HZ-HY-GGB",
        "HZ-HY",
        "office",
        "中共惠州市惠阳区委全面深化改革领导小组办公室",
        "惠阳区委改革办",
    ),
    ("HZ-HY-XW", "HZ-HY", "town", "新圩镇", ""),
    ("HZ-HY-ZL", "HZ-HY", "town", "镇隆镇", ""),
]

COUNTIES = ("HZ-HC", "HZ-HY", "HZ-BL", "HZ-HD", "HZ-LM", "HZ-DYW", "HZ-ZK")

#: (code, new name, date, reason): unit history the demo shows (单位名称沿革).
RENAMES = [
    (
        "HZ-ZWB",
        "惠州市政务服务管理办公室",
        d(7, 1),
        "推进“互联网+政务服务”和“一门式一网式”改革，整合行政服务中心与网上办事大厅职能。",
    ),
]

# --- people and logins -------------------------------------------------------

#: City leaders named as responsible leaders (责任领导); they have no login.
#: (name, title, unit code)
LEADERS = [
    ("何示意", "市委常委、常务副市长", "HZ"),
    ("罗演算", "副市长", "HZ"),
    ("高拟定", "副市长", "HZ"),
    ("林演绎", "市委常委、组织部部长", "HZ"),
    ("胡假名", "市委常委、市纪委书记", "HZ"),
    ("朱设想", "市委常委、宣传部部长", "HZ"),
    ("徐样稿", "市委常委、政法委书记", "HZ"),
]

#: One login per role of DOMAIN.md, each linked to a person.
#: username, full name, title, role, unit of the role, unit of the person, Django staff
ACCOUNTS = [
    ("office", "李演示", "综合科科长", "office_admin", "HZ-GGB", "HZ-GGB", False),
    ("director", "张示范", "主任", "office_leader", "HZ-GGB", "HZ-GGB", False),
    ("deputy", "王样例", "副主任", "office_leader", "HZ-GGB", "HZ-GGB", False),
    ("huiyang", "赵模拟", "改革联络员", "unit_reporter", "HZ-HY", "HZ-HY", False),
    ("huiyang_head", "陈试用", "区委书记", "unit_head", "HZ-HY", "HZ-HY", False),
    ("hy_office", "马仿真", "专职副主任", "office_admin", "HZ-HY-GGB", "HZ-HY-GGB", False),
    # The county office's leader: confirms its ratings, closes its periods and closings.
    ("hy_director", "岑拟范", "主任", "office_leader", "HZ-HY-GGB", "HZ-HY-GGB", False),
    ("fgj", "刘虚构", "体改科科长、改革联络员", "unit_reporter", "HZ-FGJ", "HZ-FGJ", False),
    ("fgj_head", "杨假定", "局长", "unit_head", "HZ-FGJ", "HZ-FGJ", False),
    (
        "leader",
        "黄范例",
        "市委副书记、市委全面深化改革领导小组副组长",
        "city_leader",
        "HZ",
        "HZ",
        False,
    ),
    ("evaluator", "周演练", "第三方评估组组长", "evaluator", "HZ-GGB", "HZ-GGB", False),
    # The other two outside evaluation teams' logins (demo/evaluation_data.py).
    ("evaluator2", "吕评议", "第三方评估组组长", "evaluator", "HZ-GGB", "HZ-GGB", False),
    ("evaluator3", "施评鉴", "第三方评估组组长", "evaluator", "HZ-GGB", "HZ-GGB", False),
    ("sysadmin", "吴示例", "系统管理员", "system_admin", "HZ", "HZ-GGB", True),
    ("auditor", "郑测评", "审计管理员", "auditor", "HZ", "HZ-GGB", False),
    ("secadmin", "孙样本", "安全管理员", "security_admin", "HZ", "HZ-GGB", False),
]

#: The head (一把手, or the deputy who signs for the reform work) of each other unit that
#: leads a 2016 task: they sign its closing requests (销账签字) and get its late-report
#: reminders. (username, full name, title, unit code); each logs in with DEMO_PASSWORD.
UNIT_HEADS = [
    ("swb_head", "曹示稿", "市委副秘书长、办公室主任", "HZ-SWB"),
    ("zzb_head", "严范文", "常务副部长", "HZ-ZZB"),
    ("xcb_head", "华例证", "常务副部长", "HZ-XCB"),
    ("zfw_head", "金拟稿", "常务副书记", "HZ-ZFW"),
    ("jw_head", "魏演草", "常务副书记", "HZ-JW"),
    ("bb_head", "陶样板", "主任", "HZ-BB"),
    ("jxj_head", "姜试笔", "局长", "HZ-JXJ"),
    ("czj_head", "戚假设", "局长", "HZ-CZJ"),
    ("gzw_head", "谢虚位", "主任", "HZ-GZW"),
    ("jrj_head", "邹模板", "局长", "HZ-JRJ"),
    ("gsj_head", "喻范式", "局长", "HZ-GSJ"),
    ("zwb_head", "柏示图", "主任", "HZ-ZWB"),
    ("gaj_head", "窦样式", "局长", "HZ-GAJ"),
    ("mzj_head", "章拟态", "局长", "HZ-MZJ"),
    ("rsj_head", "云试样", "局长", "HZ-RSJ"),
    ("zjj_head", "苏假拟", "局长", "HZ-ZJJ"),
    ("gtj_head", "潘虚设", "局长", "HZ-GTJ"),
    ("hbj_head", "葛模式", "局长", "HZ-HBJ"),
    ("swj_head", "奚范样", "局长", "HZ-SWJ"),
    ("nyj_head", "范示本", "局长", "HZ-NYJ"),
    ("kjj_head", "彭演本", "局长", "HZ-KJJ"),
    ("wgx_head", "郎样品", "局长", "HZ-WGX"),
    ("jyj_head", "鲁试卷", "局长", "HZ-JYJ"),
    ("wjj_head", "韦假例", "局长", "HZ-WJJ"),
    ("fzj_head", "昌虚例", "局长", "HZ-FZJ"),
    ("hc_head", "苗例文", "区委书记", "HZ-HC"),
    ("bl_head", "凤拟例", "县委书记", "HZ-BL"),
    ("hd_head", "花演样", "县委书记", "HZ-HD"),
    ("lm_head", "方试例", "县委书记", "HZ-LM"),
    ("dyw_head", "俞假样", "党工委书记", "HZ-DYW"),
    ("zk_head", "任虚本", "党工委书记", "HZ-ZK"),
]

#: The same rows as ACCOUNTS, for loading: (username, full name, title, role, unit of the
#: role, unit of the person, Django staff).
HEAD_ACCOUNTS = [
    (username, name, title, "unit_head", unit, unit, False)
    for username, name, title, unit in UNIT_HEADS
]

#: A second role held by a demo login: the office director is also the head (一把手) of
#: the office, so he signs the closing requests of the tasks the office itself leads.
#: (username, role, unit code, title)
EXTRA_ROLES = [("director", "unit_head", "HZ-GGB", "主任")]

#: Invented officers named as the responsible person of milestones.
OFFICERS = ["钱示例", "冯虚拟", "褚设例", "卫演练", "蒋拟名", "沈样张", "韩范本", "秦假托"]

# --- reference data ----------------------------------------------------------

#: (code, name, English name)
AREAS = [
    ("economy", "经济体制改革", "Economic system"),
    ("admin", "行政体制改革", "Administrative system"),
    ("ecology", "生态文明体制改革", "Ecological civilisation"),
    ("culture", "文化体制改革", "Cultural system"),
    ("society", "社会体制改革", "Social system"),
    ("party", "党的建设制度改革", "Party building system"),
    ("discipline", "纪律检查体制改革", "Discipline inspection system"),
    ("democracy", "民主法制领域改革", "Democracy and rule of law"),
]

#: The five systemic reforms (五大体系化改革), named as in the report.
#: (code, name, description)
SYSTEMS = [
    (
        "S1",
        "市场化法治化营商环境体系改革",
        "统筹商事制度、“互联网+政务服务”、社会信用、权责清单等改革，营造市场化法治化营商环境。",
    ),
    (
        "S2",
        "基层治理全领域改革",
        "统筹基层党建、网格化服务管理、村（居）民自治和“强村固组”，构建全领域基层治理体系。",
    ),
    (
        "S3",
        "狠抓项目落地全流程改革",
        "围绕项目引进、审批、建设、投产全流程，推动项目早落地、早投产。",
    ),
    (
        "S4",
        "提高效率狠抓工作落实全过程改革",
        "建立任务分解、过程督查、结果考评的全过程落实机制，提高行政效率。",
    ),
    (
        "S5",
        "全面深化改革的体制机制改革",
        "健全“项目清单+施工方案+进度评价+督查考评”的改革落实机制。",
    ),
]

PROGRAMME = {
    "title": "惠州市2016年全面深化改革工作要点",
    "document_no": "惠市改〔2016〕1号",
    "issued_on": d(2, 26),
    "summary": (
        "2016年是惠州“全面改革攻坚年”。根据年度工作要点和“全面改革攻坚年”活动要求，"
        "对全年改革工作进行细化分解，形成“项目清单”，确定年度任务；对各项改革任务制定"
        "配套“施工方案”，明确工作责任。坚持“顶层设计+基层创新”，“整体统筹”和“重点攻坚”"
        "两兼顾，“承接试点”和“基层创新”两手抓。"
    ),
}

#: The work points (工作要点) of 2016, numbered from 1.
POINTS = [
    "深入推进供给侧结构性改革，落实去产能、去库存、去杠杆、降成本、补短板五个行动计划。",
    "深化行政体制改革，推进“互联网+政务服务”和“一门式一网式”政务服务改革，动态调整权责清单和服务清单。",
    "深化国资国企改革，加快处置国有“僵尸企业”。",
    "深化财政金融体制改革，破解中小微企业融资难、融资贵问题。",
    "构建市场化法治化营商环境，深化商事制度改革，推进国家社会信用体系建设试点。",
    "推进国家新型城镇化综合试点，深化农村改革和城乡一体化改革。",
    "深化生态文明体制改革，推进全国水生态文明城市建设试点。",
    "深化文化体制改革，完善现代公共文化服务体系。",
    "深化社会体制改革，推进基本公共服务均等化和基层治理创新。",
    "深化党的建设制度改革、纪律检查体制改革和民主法制领域改革。",
    "抓好国家和省改革试点，赋予各县（区）市级改革试点任务，打造“一县区一品牌”。",
    "健全改革落实机制，实行项目清单、施工方案、进度评价和督查考评。",
]

# --- plans -------------------------------------------------------------------

#: Milestone templates by deliverable kind: (title, share of the task's span,
#: weight, is key, expected evidence). Each template's weights add up to 100.
MILESTONE_TEMPLATES = {
    "policy": [
        ("开展调研，形成初稿", 0.25, 20, False, "调研报告、初稿"),
        ("征求意见并修改完善", 0.5, 25, False, "征求意见汇总表"),
        ("提请审议并印发实施", 0.75, 35, True, "印发文件及文号"),
        ("跟踪落实，总结评估", 1.0, 20, False, "落实情况报告"),
    ],
    "mechanism": [
        ("制定工作方案", 0.2, 20, False, "工作方案"),
        ("建立制度机制并试运行", 0.55, 40, True, "制度文件、运行记录"),
        ("完善机制，总结经验", 1.0, 40, False, "总结报告"),
    ],
    "pilot": [
        ("制定试点实施方案并报批", 0.15, 15, True, "试点方案及批复"),
        ("启动试点，推进重点项目", 0.45, 30, False, "推进台账、现场照片"),
        ("开展中期评估", 0.7, 25, False, "中期评估报告"),
        ("总结提炼可复制推广经验", 1.0, 30, True, "试点总结报告"),
    ],
    "platform": [
        ("完成需求分析和建设方案", 0.2, 15, False, "建设方案"),
        ("完成系统开发部署", 0.5, 35, True, "验收测试报告"),
        ("试运行并优化", 0.75, 25, False, "试运行报告"),
        ("正式上线运行", 1.0, 25, True, "上线通知、运行数据"),
    ],
    "report": [
        ("制定工作方案", 0.2, 20, False, "工作方案"),
        ("组织实施，收集材料", 0.6, 40, False, "工作记录"),
        ("形成报告并报送", 1.0, 40, True, "报告文本及报送函"),
    ],
}

#: How far a task's plan goes through approval, by state name. A "revised" plan is
#: approved at the start and revised during the year (see `cycle_data.REVISION_ON`).
PLAN_STATES = ("approved", "draft", "submitted", "rejected", "revised")

#: The note with which the director returns the one rejected plan.
REJECTION_NOTE = "节点设置过粗，请细化到季度，并明确每个节点的佐证材料。"

#: The one approved plan that is revised (施工方案调整), with its reason and new milestones.
REVISION = {
    "task": "2016-016",
    "reason": "省水利厅将试点中期评估推迟至10月，相应调整中期评估及投资节点的时间。",
    "note": "同意调整。",
    "milestones": [
        ("印发2016年度试点建设计划", d(2, 29), 15, False, "年度建设计划"),
        ("64个试点项目全部开工", d(5, 31), 25, True, "项目开工台账"),
        ("迎接省水利厅中期评估", d(10, 31), 25, True, "中期评估报告"),
        ("累计完成投资30亿元", d(12, 31), 35, True, "投资统计表、审计意见"),
    ],
}

# --- tasks -------------------------------------------------------------------

ALL_COUNTIES = list(COUNTIES)

TASKS = [
    # 1. Supply-side structural reform and its five action plans (去降补).
    {
        "code": "2016-001",
        "title": "制定实施供给侧结构性改革实施方案",
        "desc": (
            "出台《惠州市供给侧结构性改革实施方案》及去产能、去库存、去杠杆、降成本、"
            "补短板（“去降补”）五个行动计划，统筹推进供给侧结构性改革。"
        ),
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-FGJ",
        "helping": ["HZ-JXJ", "HZ-CZJ", "HZ-GZW", "HZ-ZJJ", "HZ-JRJ"],
        "leader": "何示意",
        "key": True,
        "start": d(1, 10),
        "milestones": [
            ("起草供给侧结构性改革实施方案", d(2, 29), 20, False, "方案征求意见稿"),
            ("市委常委会审议通过实施方案", d(3, 31), 25, True, "审议纪要、印发文件"),
            ("印发“去降补”五个行动计划", d(4, 30), 25, True, "五个行动计划印发文件"),
            ("开展中期督查", d(9, 30), 15, False, "督查报告"),
            ("全年实施情况总结", d(12, 31), 15, False, "年度总结报告"),
        ],
    },
    {
        "code": "2016-002",
        "title": "制定实施去产能行动计划",
        "desc": "淘汰落后产能，分类处置“僵尸企业”，化解过剩产能。",
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-JXJ",
        "helping": ["HZ-GZW", "HZ-FGJ", "HZ-HBJ"],
        "parent": "2016-001",
        "start": d(2, 15),
    },
    {
        "code": "2016-003",
        "title": "制定实施去库存行动计划",
        "desc": "化解房地产库存，鼓励农业转移人口在城镇购房落户，促进房地产市场平稳健康发展。",
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-ZJJ",
        "helping": ["HZ-GTJ", "HZ-FGJ"],
        "parent": "2016-001",
        "start": d(2, 15),
    },
    {
        "code": "2016-004",
        "title": "制定实施去杠杆行动计划",
        "desc": "防范化解金融风险，降低企业杠杆率，规范地方政府债务管理。",
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-JRJ",
        "helping": ["HZ-CZJ", "HZ-GZW", "HZ-RMYH"],
        "parent": "2016-001",
        "start": d(2, 15),
    },
    {
        "code": "2016-005",
        "title": "制定实施降成本行动计划",
        "desc": "降低企业制度性交易成本、税费负担、社会保险费、财务成本、用电用地成本和物流成本。",
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-FGJ",
        "helping": ["HZ-JXJ", "HZ-CZJ", "HZ-RSJ"],
        "parent": "2016-001",
        "start": d(2, 15),
    },
    {
        "code": "2016-006",
        "title": "制定实施补短板行动计划",
        "desc": "补齐基础设施、公共服务、生态环境和民生领域短板，扩大有效投资。",
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-FGJ",
        "helping": ["HZ-CZJ", "HZ-SWJ", "HZ-JYJ", "HZ-WJJ"],
        "parent": "2016-001",
        "start": d(2, 15),
    },
    # Headline results of the report.
    {
        "code": "2016-007",
        "title": "加快处置国有“僵尸企业”",
        "desc": (
            "按照去产能行动计划，分类处置国有“僵尸企业”：全年关停国有“僵尸企业”336户，"
            "关停率74%，妥善安置职工，依法处置资产债务。"
        ),
        "area": "economy",
        "point": 3,
        "source": "deployed",
        "lead": "HZ-GZW",
        "helping": ["HZ-JXJ", "HZ-CZJ", "HZ-RSJ"],
        "leader": "罗演算",
        "key": True,
        "deliverable": "mechanism",
        "depends": ["2016-002"],
        "start": d(2, 1),
        "milestones": [
            ("摸清国有“僵尸企业”底数，建立处置台账", d(3, 15), 15, False, "企业名单及处置台账"),
            ("印发国有“僵尸企业”处置工作方案", d(4, 15), 20, True, "处置工作方案印发文件"),
            ("完成首批关停企业职工安置", d(6, 30), 20, False, "职工安置方案及备案材料"),
            ("累计关停过半", d(9, 30), 20, False, "关停企业清单"),
            ("全年关停336户，关停率74%", d(12, 31), 25, True, "关停企业清单、注销材料"),
        ],
    },
    {
        "code": "2016-008",
        "title": "设立中小微企业贷款风险补偿基金",
        "desc": (
            "市财政出资设立中小微企业贷款风险补偿基金，引导合作银行扩大对中小微企业的"
            "信贷投放，全年支持66家企业获得融资贷款3.5亿元。"
        ),
        "area": "economy",
        "system": "S1",
        "point": 4,
        "lead": "HZ-JRJ",
        "helping": ["HZ-CZJ", "HZ-JXJ", "HZ-RMYH"],
        "leader": "罗演算",
        "key": True,
        "deliverable": "mechanism",
        "depends": ["2016-005"],
        "start": d(2, 1),
        "milestones": [
            ("制定风险补偿基金管理办法", d(3, 31), 25, True, "管理办法印发文件"),
            ("基金注资到位，遴选合作银行", d(5, 31), 25, False, "注资凭证、合作协议"),
            ("首批企业获得贷款", d(8, 31), 20, False, "放款清单"),
            ("全年支持66家企业获得贷款3.5亿元", d(12, 31), 30, True, "贷款统计表、银行确认函"),
        ],
    },
    {
        "code": "2016-009",
        "title": "推进“互联网+政务服务”改革",
        "desc": (
            "建设全市统一的网上办事大厅和政务服务平台，推动行政审批和公共服务事项网上申办、"
            "网上审批、网上反馈，让数据多跑路、群众少跑腿。"
        ),
        "area": "admin",
        "system": "S1",
        "point": 2,
        "source": "deployed",
        "lead": "HZ-ZWB",
        "helping": ["HZ-BB", "HZ-FGJ", *ALL_COUNTIES],
        "leader": "何示意",
        "key": True,
        "deliverable": "platform",
        "start": d(1, 20),
    },
    {
        "code": "2016-010",
        "title": "推行“一门式一网式”政务服务改革",
        "desc": (
            "推行“一门式一网式”政务服务模式，一个门口受理、一个窗口办结、一张网通办，"
            "实现市、县、镇、村四级政务服务全覆盖。"
        ),
        "area": "admin",
        "system": "S1",
        "point": 2,
        "source": "deployed",
        "lead": "HZ-ZWB",
        "helping": ["HZ-BB", "HZ-MZJ", "HZ-RSJ", *ALL_COUNTIES],
        "deliverable": "platform",
        "depends": ["2016-009"],
        "start": d(2, 1),
    },
    {
        "code": "2016-011",
        "title": "修订2016年版市级权责清单和服务清单",
        "desc": (
            "结合“一门式一网式”政务服务改革，修订形成2016年版市级权责清单和服务清单："
            "与2015年版相比，减少行政审批事项15项，增加公共服务事项38项，并向社会公布。"
        ),
        "area": "admin",
        "system": "S1",
        "point": 2,
        "source": "deployed",
        "lead": "HZ-BB",
        "helping": ["HZ-FZJ", "HZ-ZWB"],
        "leader": "何示意",
        "key": True,
        "depends": ["2016-010"],
        "start": d(3, 1),
        "deadline": d(10, 31),
        "milestones": [
            ("梳理各部门行政职权和公共服务事项", d(4, 30), 25, False, "部门申报汇总表"),
            ("审核精简，形成清单送审稿", d(6, 30), 25, True, "送审稿及审核意见"),
            (
                "与2015年版比对：减少行政审批事项15项、增加公共服务事项38项",
                d(8, 31),
                20,
                False,
                "新旧清单比对表",
            ),
            ("市政府审定并向社会公布", d(10, 31), 30, True, "公布文件及网站截图"),
        ],
    },
    {
        "code": "2016-012",
        "title": "深化商事制度改革",
        "desc": (
            "推进“三证合一、一照一码”、企业住所（经营场所）登记改革和全程电子化登记，"
            "加强事中事后监管。列入第三方评估项目。"
        ),
        "area": "economy",
        "system": "S1",
        "point": 5,
        "source": "deployed",
        "lead": "HZ-GSJ",
        "helping": ["HZ-ZWB", "HZ-FZJ"],
        "leader": "高拟定",
        "key": True,
        "deliverable": "mechanism",
    },
    # National pilots (国家级试点) named in the report.
    {
        "code": "2016-013",
        "title": "推进国家社会信用体系建设试点",
        "desc": (
            "作为国家社会信用体系建设试点城市，推进机构、系统、制度“三个建设”，拓展政府管理、"
            "民生、金融、市场监管、区域合作“五个应用”，积累可推广的经验。"
        ),
        "area": "economy",
        "system": "S1",
        "point": 5,
        "source": "deployed",
        "lead": "HZ-FGJ",
        "helping": ["HZ-RMYH", "HZ-GSJ", "HZ-JRJ", "HZ-ZWB"],
        "leader": "高拟定",
        "key": True,
        "deliverable": "pilot",
    },
    {
        "code": "2016-014",
        "title": "推进国家新型城镇化综合试点",
        "desc": (
            "作为国家新型城镇化综合试点，全面实施居住证制度，拓宽农业转移人口市民化通道，"
            "推进城乡一体化发展。"
        ),
        "area": "economy",
        "point": 6,
        "source": "deployed",
        "lead": "HZ-FGJ",
        "helping": ["HZ-GAJ", "HZ-RSJ", "HZ-ZJJ", "HZ-JYJ", "HZ-GTJ"],
        "leader": "何示意",
        "key": True,
        "deliverable": "pilot",
    },
    {
        "code": "2016-015",
        "title": "全面实施居住证制度",
        "desc": (
            "出台居住证实施办法，以居住证为载体向持证人提供基本公共服务和办事便利，"
            "拓宽农业转移人口市民化通道。"
        ),
        "area": "society",
        "point": 6,
        "source": "deployed",
        "lead": "HZ-GAJ",
        "helping": ["HZ-RSJ", "HZ-JYJ", "HZ-WJJ"],
        "parent": "2016-014",
        "deliverable": "mechanism",
        "start": d(2, 1),
    },
    {
        "code": "2016-016",
        "title": "推进全国水生态文明城市建设试点",
        "desc": (
            "作为全国水生态文明城市建设试点，三年试点期列入建设项目64个，已累计完成投资30亿元；"
            "推进水资源保障、水环境治理、水生态修复和水文化建设。"
        ),
        "area": "ecology",
        "point": 7,
        "source": "deployed",
        "lead": "HZ-SWJ",
        "helping": ["HZ-HBJ", "HZ-ZJJ", "HZ-CZJ", "HZ-HC", "HZ-HY", "HZ-BL", "HZ-HD", "HZ-LM"],
        "leader": "高拟定",
        "key": True,
        "deliverable": "pilot",
        "start": d(1, 10),
        "plan": "revised",
        "milestones": [
            ("印发2016年度试点建设计划", d(2, 29), 15, False, "年度建设计划"),
            ("64个试点项目全部开工", d(5, 31), 25, True, "项目开工台账"),
            ("迎接省水利厅中期评估", d(9, 30), 25, True, "中期评估报告"),
            ("累计完成投资30亿元", d(12, 31), 35, True, "投资统计表、审计意见"),
        ],
    },
    {
        "code": "2016-017",
        "title": "推进“文化惠民卡制度”国家公共文化服务体系示范项目",
        "desc": (
            "以“文化惠民卡”整合公共文化资源，创新公共文化服务供给方式。项目以小组第一、"
            "全国（东部地区）第三的成绩顺利通过评审验收。列入第三方评估项目。"
        ),
        "area": "culture",
        "point": 8,
        "source": "deployed",
        "lead": "HZ-WGX",
        "helping": ["HZ-CZJ", "HZ-XCB"],
        "leader": "朱设想",
        "key": True,
        "deliverable": "pilot",
        "milestones": [
            ("完善文化惠民卡发放和使用办法", d(3, 31), 20, False, "管理办法"),
            ("扩大文化惠民卡覆盖面", d(6, 30), 25, False, "发卡及使用统计"),
            ("完成示范项目自评并申请验收", d(8, 31), 20, True, "自评报告"),
            (
                "通过评审验收（小组第一、全国东部地区第三）",
                d(11, 30),
                35,
                True,
                "验收结果通知",
            ),
        ],
    },
    {
        "code": "2016-018",
        "title": "推进基本公共服务均等化综合改革",
        "desc": (
            "健全基本公共服务体系，推进城乡基本公共服务标准统一、制度并轨。列入第三方评估项目。"
        ),
        "area": "society",
        "point": 9,
        "source": "deployed",
        "lead": "HZ-FGJ",
        "helping": ["HZ-CZJ", "HZ-JYJ", "HZ-WJJ", "HZ-MZJ", "HZ-RSJ"],
        "leader": "黄范例",
        "key": True,
        "deliverable": "mechanism",
    },
    # Municipal pilots given to the counties: one brand per county (一县区一品牌).
    {
        "code": "2016-019",
        "title": "探索表格化捆绑式绩效考核模式（惠阳区）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：以表格化方式分解工作任务，将部门、镇（街道）"
            "和干部个人绩效捆绑考核，压实工作责任。"
        ),
        "area": "party",
        "system": "S4",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-HY",
        "helping": ["HZ-ZZB"],
        "leader": "林演绎",
        "key": True,
        "deliverable": "pilot",
    },
    {
        "code": "2016-020",
        "title": "探索项目审批制度改革（博罗县）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：优化投资项目审批流程，推行并联审批和代办服务，"
            "缩短项目落地时间。"
        ),
        "area": "admin",
        "system": "S3",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-BL",
        "helping": ["HZ-FGJ", "HZ-ZWB", "HZ-GTJ"],
        "deliverable": "pilot",
    },
    {
        "code": "2016-021",
        "title": "推行“两图工作法”（大亚湾区）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：以作战图、路线图挂图作战，明确重点工作的"
            "时间节点、责任人和完成标准，推动工作落实。"
        ),
        "area": "admin",
        "system": "S4",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-DYW",
        "helping": ["HZ-SWB"],
        "deliverable": "pilot",
    },
    {
        "code": "2016-022",
        "title": "深化农村金融改革创新工作（惠东县）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：推进农村信用体系建设和普惠金融服务，"
            "为金融扶贫探索一条新路子。"
        ),
        "area": "economy",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-HD",
        "helping": ["HZ-JRJ", "HZ-RMYH", "HZ-NYJ"],
        "deliverable": "pilot",
    },
    {
        "code": "2016-023",
        "title": "深入推进“强村固组”工程（惠城区）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：壮大村级集体经济，巩固村民小组党组织，"
            "夯实基层治理基础。"
        ),
        "area": "party",
        "system": "S2",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-HC",
        "helping": ["HZ-ZZB", "HZ-NYJ", "HZ-MZJ"],
        "deliverable": "pilot",
    },
    {
        "code": "2016-024",
        "title": "开展科技金融体制改革（仲恺高新区）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：设立科技信贷风险补偿资金和创业投资引导基金，"
            "推动科技与金融深度融合。"
        ),
        "area": "economy",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-ZK",
        "helping": ["HZ-KJJ", "HZ-JRJ"],
        "deliverable": "pilot",
    },
    {
        "code": "2016-025",
        "title": "以PPP模式构建城乡生活垃圾一体化处理体系（龙门县）",
        "desc": (
            "市级改革工作试点（一县区一品牌）：以政府和社会资本合作（PPP）模式建设运营"
            "城乡生活垃圾收运处理设施，实现城乡生活垃圾一体化处理。"
        ),
        "area": "ecology",
        "point": 11,
        "source": "grassroots",
        "lead": "HZ-LM",
        "helping": ["HZ-ZJJ", "HZ-HBJ", "HZ-CZJ"],
        "deliverable": "pilot",
        "depends": ["2016-043"],
    },
    # The five systemic reforms (五大体系化改革), one leading task each.
    {
        "code": "2016-026",
        "title": "构建市场化法治化营商环境体系",
        "desc": (
            "五大体系化改革之一：统筹商事制度、“互联网+政务服务”、社会信用、权责清单等改革，"
            "由点扩面、串珠成链、系统集成。"
        ),
        "area": "economy",
        "system": "S1",
        "point": 5,
        "lead": "HZ-FGJ",
        "helping": ["HZ-GSJ", "HZ-ZWB", "HZ-FZJ", "HZ-BB"],
        "leader": "何示意",
        "key": True,
        "start": d(3, 1),
    },
    {
        "code": "2016-027",
        "title": "推进基层治理全领域改革",
        "desc": (
            "五大体系化改革之一：统筹基层党建、网格化服务管理、村（居）民自治和“强村固组”"
            "等改革，构建全领域基层治理体系。"
        ),
        "area": "society",
        "system": "S2",
        "point": 9,
        "lead": "HZ-ZZB",
        "helping": ["HZ-MZJ", "HZ-ZFW", "HZ-HC"],
        "leader": "林演绎",
        "start": d(3, 1),
    },
    {
        "code": "2016-028",
        "title": "推进狠抓项目落地全流程改革",
        "desc": (
            "五大体系化改革之一：围绕项目引进、审批、建设、投产全流程，推行并联审批、"
            "代办服务和挂图作战，推动项目早落地、早投产。"
        ),
        "area": "economy",
        "system": "S3",
        "point": 2,
        "lead": "HZ-FGJ",
        "helping": ["HZ-ZWB", "HZ-GTJ", "HZ-ZJJ", "HZ-HBJ", "HZ-BL"],
        "deliverable": "mechanism",
        "start": d(3, 1),
    },
    {
        "code": "2016-029",
        "title": "推进提高效率狠抓工作落实全过程改革",
        "desc": (
            "五大体系化改革之一：建立任务分解、过程督查、结果考评的全过程落实机制，"
            "推广表格化管理和“两图工作法”，提高行政效率。"
        ),
        "area": "admin",
        "system": "S4",
        "point": 12,
        "lead": "HZ-SWB",
        "helping": ["HZ-ZZB", "HZ-GGB", "HZ-HY", "HZ-DYW"],
        "deliverable": "mechanism",
        "start": d(3, 1),
    },
    {
        "code": "2016-030",
        "title": "推进全面深化改革的体制机制改革",
        "desc": (
            "五大体系化改革之一：健全改革工作“项目清单+施工方案+进度评价+督查考评”"
            "落实机制，完善领导小组和专项小组工作规则。"
        ),
        "area": "party",
        "system": "S5",
        "point": 12,
        "lead": "HZ-GGB",
        "helping": ["HZ-SWB", "HZ-ZZB"],
        "leader": "黄范例",
        "key": True,
        "deliverable": "mechanism",
        "start": d(1, 10),
    },
    {
        "code": "2016-031",
        "title": "建立改革任务电子台账，实行项目进度ABCDE五级评价",
        "desc": (
            "对年初确定的各项改革任务建立电子台账，实行项目进度ABCDE五级评价管理，"
            "确保按进度推进，完成一项销账一项。"
        ),
        "area": "party",
        "system": "S5",
        "point": 12,
        "lead": "HZ-GGB",
        "deliverable": "platform",
        "depends": ["2016-030"],
        "start": d(1, 10),
    },
    {
        "code": "2016-032",
        "title": "实行改革办主任、副主任挂钩联系重点改革项目制度",
        "desc": (
            "对年度重点改革项目，实行改革办主任、副主任挂钩联系制度，不定期组织召开"
            "重要改革问题督查推进专会。"
        ),
        "area": "party",
        "system": "S5",
        "point": 12,
        "lead": "HZ-GGB",
        "deliverable": "mechanism",
        "start": d(1, 10),
    },
    {
        "code": "2016-033",
        "title": "实施改革工作年度考核“绿、黄”牌评价办法",
        "desc": (
            "对县（区）党政正职和市直部门“一把手”的改革工作进行年度考核，实施“绿、黄”牌"
            "评价办法，引导各级领导干部重视、落实改革工作。"
        ),
        "area": "party",
        "system": "S5",
        "point": 12,
        "lead": "HZ-GGB",
        "helping": ["HZ-ZZB"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-034",
        "title": "开展各领域改革全面评估、专项评估和第三方评估",
        "desc": (
            "按省的要求开展各领域改革全面评估、重点改革任务专项评估（17项）和第三方评估"
            "（“商事制度改革”“基本公共服务均等化综合改革”“文化惠民卡制度”3项），"
            "形成《惠州市改革全面评估报告》，报送省委全面深化改革领导小组。"
        ),
        "area": "party",
        "system": "S5",
        "point": 12,
        "source": "deployed",
        "lead": "HZ-GGB",
        "helping": ["HZ-FGJ", "HZ-GSJ", "HZ-WGX"],
        "deliverable": "report",
        "depends": ["2016-012", "2016-017", "2016-018"],
        "start": d(6, 1),
        "milestones": [
            ("印发全面评估工作方案", d(7, 15), 15, False, "工作方案"),
            ("完成17项重点改革任务专项评估", d(9, 30), 30, True, "专项评估报告（17份）"),
            ("完成3项第三方评估", d(10, 31), 25, True, "第三方评估报告（3份）"),
            (
                "形成《惠州市改革全面评估报告》并报送省委改革领导小组",
                d(12, 15),
                30,
                True,
                "评估报告及报送函",
            ),
        ],
    },
    {
        "code": "2016-035",
        "title": "组织召开市委全面深化改革领导小组会议",
        "desc": (
            "全年召开市委全面深化改革领导小组会议3次，审议12个重要改革文件；每次会议选取3个"
            "左右重点改革项目集体会诊，肯定成绩、指出问题、分析原因、督促改进。"
        ),
        "area": "party",
        "system": "S5",
        "point": 12,
        "lead": "HZ-GGB",
        "helping": ["HZ-SWB"],
        "deliverable": "report",
        "start": d(1, 10),
        "milestones": [
            ("召开2016年第一次领导小组会议", d(4, 30), 30, True, "会议纪要"),
            ("召开2016年第二次领导小组会议", d(7, 31), 30, True, "会议纪要"),
            (
                "召开2016年第三次领导小组会议（全年审议重要改革文件12个）",
                d(11, 30),
                40,
                True,
                "会议纪要",
            ),
        ],
    },
    {
        "code": "2016-036",
        "title": "统筹推进国家和省改革试点",
        "desc": (
            "统筹推进国家改革试点18项、省改革试点44项建设，建立试点台账，定期跟踪推进，"
            "着力试出样子、走出路子。"
        ),
        "area": "party",
        "system": "S5",
        "point": 11,
        "source": "deployed",
        "lead": "HZ-GGB",
        "helping": ["HZ-FGJ"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-037",
        "title": "编印《惠州改革进行时·2015》《改革试点在惠州·2015》",
        "desc": "系统梳理总结近年来重点改革和各级试点工作情况，营造改革的良好氛围。",
        "area": "party",
        "system": "S5",
        "point": 12,
        "lead": "HZ-GGB",
        "helping": ["HZ-XCB"],
        "deliverable": "report",
        "deadline": d(6, 30),
    },
    # Ordinary tasks across the areas.
    {
        "code": "2016-038",
        "title": "推行投资项目并联审批",
        "area": "admin",
        "system": "S3",
        "point": 2,
        "lead": "HZ-FGJ",
        "helping": ["HZ-ZWB", "HZ-GTJ", "HZ-ZJJ", "HZ-HBJ"],
        "deliverable": "mechanism",
        "depends": ["2016-028"],
    },
    {
        "code": "2016-039",
        "title": "建立重大项目代办服务制度",
        "area": "admin",
        "system": "S3",
        "point": 2,
        "lead": "HZ-ZWB",
        "helping": ["HZ-FGJ"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-040",
        "title": "建立不动产统一登记制度",
        "area": "economy",
        "point": 6,
        "source": "deployed",
        "lead": "HZ-GTJ",
        "helping": ["HZ-ZJJ", "HZ-NYJ"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-041",
        "title": "推进农村土地承包经营权确权登记颁证",
        "area": "economy",
        "point": 6,
        "source": "deployed",
        "lead": "HZ-NYJ",
        "helping": ["HZ-GTJ", "HZ-BL", "HZ-HY-XW"],
        "deliverable": "pilot",
    },
    {
        "code": "2016-042",
        "title": "深化预算管理制度改革，编制中期财政规划",
        "area": "economy",
        "point": 4,
        "source": "deployed",
        "lead": "HZ-CZJ",
    },
    {
        "code": "2016-043",
        "title": "推广政府和社会资本合作（PPP）模式",
        "area": "economy",
        "point": 1,
        "source": "deployed",
        "lead": "HZ-CZJ",
        "helping": ["HZ-FGJ"],
        "deliverable": "mechanism",
        "start": d(1, 10),
    },
    {
        "code": "2016-044",
        "title": "推进国有企业分类监管和功能界定",
        "area": "economy",
        "point": 3,
        "source": "deployed",
        "lead": "HZ-GZW",
        "helping": ["HZ-CZJ"],
    },
    {
        "code": "2016-045",
        "title": "探索建立河长制",
        "area": "ecology",
        "point": 7,
        "source": "deployed",
        "lead": "HZ-SWJ",
        "helping": ["HZ-HBJ", "HZ-HC", "HZ-HY"],
        "deliverable": "mechanism",
        "start": d(3, 1),
        "leader": "高拟定",
        "key": True,
    },
    {
        "code": "2016-046",
        "title": "推行环境监管网格化管理",
        "area": "ecology",
        "point": 7,
        "lead": "HZ-HBJ",
        "helping": ["HZ-HC", "HZ-HY", "HZ-BL"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-047",
        "title": "划定并严守生态保护红线",
        "area": "ecology",
        "point": 7,
        "source": "deployed",
        "lead": "HZ-HBJ",
        "helping": ["HZ-GTJ"],
    },
    {
        "code": "2016-048",
        "title": "推进基层综合性文化服务中心建设",
        "area": "culture",
        "point": 8,
        "source": "deployed",
        "lead": "HZ-WGX",
        "helping": ["HZ-CZJ"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-049",
        "title": "深化国有文艺院团改革",
        "area": "culture",
        "point": 8,
        "source": "deployed",
        "lead": "HZ-WGX",
    },
    {
        "code": "2016-050",
        "title": "推动传统媒体和新兴媒体融合发展",
        "area": "culture",
        "point": 8,
        "lead": "HZ-XCB",
        "helping": ["HZ-WGX"],
        "deliverable": "platform",
    },
    {
        "code": "2016-051",
        "title": "深化公立医院综合改革",
        "area": "society",
        "point": 9,
        "source": "deployed",
        "lead": "HZ-WJJ",
        "helping": ["HZ-CZJ", "HZ-RSJ", "HZ-BB"],
        "leader": "罗演算",
        "key": True,
    },
    {
        "code": "2016-052",
        "title": "推进分级诊疗制度建设",
        "area": "society",
        "point": 9,
        "source": "deployed",
        "lead": "HZ-WJJ",
        "helping": ["HZ-RSJ"],
        "deliverable": "mechanism",
        "depends": ["2016-051"],
    },
    {
        "code": "2016-053",
        "title": "推进义务教育均衡优质发展",
        "area": "society",
        "point": 9,
        "lead": "HZ-JYJ",
        "helping": ["HZ-CZJ"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-054",
        "title": "推进机关事业单位养老保险制度改革",
        "area": "society",
        "point": 9,
        "source": "deployed",
        "lead": "HZ-RSJ",
        "helping": ["HZ-CZJ"],
    },
    {
        "code": "2016-055",
        "title": "深化户籍制度改革",
        "area": "society",
        "point": 6,
        "source": "deployed",
        "lead": "HZ-GAJ",
        "helping": ["HZ-RSJ"],
        "parent": "2016-014",
    },
    {
        "code": "2016-056",
        "title": "推进行业协会商会与行政机关脱钩",
        "area": "society",
        "point": 9,
        "source": "deployed",
        "lead": "HZ-MZJ",
        "helping": ["HZ-FGJ", "HZ-GSJ"],
        "deliverable": "mechanism",
        "plan": "submitted",
    },
    {
        "code": "2016-057",
        "title": "创新网格化社会治理",
        "area": "society",
        "system": "S2",
        "point": 9,
        "lead": "HZ-ZFW",
        "helping": ["HZ-MZJ", "HZ-GAJ", "HZ-HC", "HZ-HY"],
        "leader": "徐样稿",
        "deliverable": "mechanism",
    },
    {
        "code": "2016-058",
        "title": "实施基层党组织“头雁工程”",
        "area": "party",
        "system": "S2",
        "point": 10,
        "lead": "HZ-ZZB",
        "helping": ["HZ-HC", "HZ-HY", "HZ-BL", "HZ-HD", "HZ-LM"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-059",
        "title": "完善从严管理干部制度",
        "area": "party",
        "point": 10,
        "source": "deployed",
        "lead": "HZ-ZZB",
    },
    {
        "code": "2016-060",
        "title": "实现市纪委派驻机构全覆盖",
        "area": "discipline",
        "point": 10,
        "source": "deployed",
        "lead": "HZ-JW",
        "helping": ["HZ-BB", "HZ-ZZB"],
        "leader": "胡假名",
        "key": True,
        "deliverable": "mechanism",
    },
    {
        "code": "2016-061",
        "title": "推进市委巡察工作制度化",
        "area": "discipline",
        "point": 10,
        "source": "deployed",
        "lead": "HZ-JW",
        "helping": ["HZ-ZZB"],
        "deliverable": "mechanism",
        "plan": "submitted",
    },
    {
        "code": "2016-062",
        "title": "完善重大行政决策程序",
        "area": "democracy",
        "point": 10,
        "lead": "HZ-FZJ",
        "helping": ["HZ-SWB"],
    },
    {
        "code": "2016-063",
        "title": "推进司法体制改革试点",
        "area": "democracy",
        "point": 10,
        "source": "deployed",
        "lead": "HZ-ZFW",
        "helping": ["HZ-BB"],
        "deliverable": "pilot",
        "plan": "draft",
    },
    {
        "code": "2016-064",
        "title": "推进基层协商民主建设",
        "area": "democracy",
        "point": 10,
        "lead": "HZ-MZJ",
        "helping": ["HZ-HC", "HZ-BL"],
        "deliverable": "mechanism",
    },
    {
        "code": "2016-065",
        "title": "完善科技创新体制，培育高新技术企业",
        "area": "economy",
        "system": "S1",
        "point": 5,
        "lead": "HZ-KJJ",
        "helping": ["HZ-ZK", "HZ-CZJ"],
        "plan": "rejected",
    },
    {
        "code": "2016-066",
        "title": "深化农村集体产权制度改革",
        "area": "economy",
        "point": 6,
        "source": "deployed",
        "lead": "HZ-NYJ",
        "helping": ["HZ-HD", "HZ-LM"],
        "deliverable": "pilot",
        "plan": "draft",
    },
    {
        "code": "2016-067",
        "title": "深化人才发展体制机制改革",
        "area": "party",
        "point": 10,
        "lead": "HZ-ZZB",
        "helping": ["HZ-RSJ", "HZ-KJJ"],
        "plan": "draft",
    },
    # The county ledger of 惠阳区's own reform office.
    {
        "code": "HY2016-01",
        "office": COUNTY_OFFICE,
        "title": "新圩镇先行推广表格化捆绑式绩效考核",
        "desc": "将区级“表格化捆绑式绩效考核模式”延伸到镇（街道），新圩镇先行先试。",
        "area": "party",
        "source": "grassroots",
        "lead": "HZ-HY-XW",
        "helping": ["HZ-HY-ZL"],
        "deliverable": "mechanism",
        "start": d(3, 1),
    },
    {
        "code": "HY2016-02",
        "office": COUNTY_OFFICE,
        "title": "镇隆镇推行“一门式一网式”镇级政务服务",
        "area": "admin",
        "lead": "HZ-HY-ZL",
        "deliverable": "platform",
        "start": d(3, 1),
    },
    {
        "code": "HY2016-03",
        "office": COUNTY_OFFICE,
        "title": "编制惠阳区2016年改革项目清单和施工方案",
        "area": "party",
        "lead": "HZ-HY",
        "helping": ["HZ-HY-XW", "HZ-HY-ZL"],
        "deliverable": "report",
        "plan": "submitted",
    },
]
