"""The story of the 2016 evaluations (改革评估), played in January–March 2017.

As the report says: "按省的要求，去年惠州开展了各领域改革全面评估工作、重点改革任务专项
评估（17项）、第三方评估（“商事制度改革”“基本公共服务均等化综合改革”“文化惠民卡制度”
3项）。评估工作已经完成，并形成了《惠州市改革全面评估报告》". The office's own team does
the comprehensive evaluation across every reform area and the 17 special evaluations of
the year's 17 key tasks; three outside teams, each
with its own login, do the three third-party evaluations. Names of teams and people
are invented, as all names of the demo are.
"""

import datetime as dt


#: Every act of the story happens on a day of January–March 2017.
def d(month: int, day: int) -> dt.date:
    return dt.date(2017, month, day)


TEAMS_FORMED = d(1, 5)
CREATED = d(1, 9)
STARTED = d(1, 10)
SCORING = d(2, 6)
TRACKED = d(3, 28)

#: The office's own team and the three outside teams: (key, name, kind, organisation,
#: usernames of its members). The demo's `evaluator` (周演练) leads the first outside team.
TEAMS = [
    ("office", "市委改革办评估组", "internal", "", ["office", "deputy"]),
    ("business", "南粤改革发展研究院评估组", "third_party", "南粤改革发展研究院", ["evaluator"]),
    (
        "services",
        "岭南公共政策评估中心评估组",
        "third_party",
        "岭南公共政策评估中心",
        ["evaluator2"],
    ),
    ("culture", "东江文化发展研究所评估组", "third_party", "东江文化发展研究所", ["evaluator3"]),
]

COMPREHENSIVE_TITLE = "2016年度各领域改革全面评估"

#: The 17 special evaluations (专项评估): the task each evaluates.
SPECIAL_TASKS = [
    "2016-001",
    "2016-007",
    "2016-008",
    "2016-009",
    "2016-011",
    "2016-012",
    "2016-013",
    "2016-014",
    "2016-016",
    "2016-017",
    "2016-018",
    "2016-019",
    "2016-026",
    "2016-030",
    "2016-045",
    "2016-051",
    "2016-060",
]

#: The three third-party evaluations (第三方评估): (team key, title, task, pilot code,
#: survey results as (item, respondents, satisfied)).
THIRD_PARTY = [
    (
        "business",
        "商事制度改革第三方评估",
        "2016-012",
        "P01",
        [
            ("企业开办便利度", 1200, 1086),
            ("“先照后证”改革成效", 1200, 1031),
            ("企业年报公示服务", 1200, 1002),
        ],
    ),
    (
        "services",
        "基本公共服务均等化综合改革第三方评估",
        "2016-018",
        "P04",
        [
            ("基本公共教育", 2000, 1712),
            ("基本医疗卫生", 2000, 1655),
            ("基本社会保障", 2000, 1738),
            ("公共文化体育", 2000, 1768),
        ],
    ),
    (
        "culture",
        "“文化惠民卡制度”第三方评估",
        "2016-017",
        "N04",
        [
            ("持卡群众满意度", 1500, 1392),
            ("文化场馆服务满意度", 1500, 1347),
        ],
    ),
]

#: Units whose self-assessment in the comprehensive evaluation is written (the others
#: are assessed on the ledger's record alone).
COMPREHENSIVE_SELF = ["HZ-FGJ", "HZ-HY", "HZ-GSJ", "HZ-WGX", "HZ-ZWB", "HZ-BL", "HZ-SWJ", "HZ-GZW"]

#: Findings of the comprehensive evaluation: (unit code or None, task code or None,
#: finding, recommendation, tracked as an action item with this deadline or None).
COMPREHENSIVE_FINDINGS = [
    (
        None,
        None,
        "各领域改革总体推进有力，67项年度改革任务大部分按期销账，“五大体系化改革”串珠成链、"
        "形成合力；但部分改革“重部署、轻落地”，群众获得感仍待提升。",
        "把改革落地见效作为2017年评估的主要指标，建立改革成效第三方评价常态机制。",
        None,
    ),
    # The two findings tracked as action items name their unit only: an action item set
    # in 2017 on a 2016 task would send a 2016 task's notice in 2017.
    (
        "HZ-GZW",
        None,
        "国有“僵尸企业”出清进度不均衡，部分企业职工安置和债务处置滞后。",
        "制定剩余“僵尸企业”一企一策处置方案，2017年6月底前完成职工安置。",
        d(6, 30),
    ),
    (
        "HZ-SWJ",
        None,
        "水生态文明城市建设试点部分生态修复项目进度滞后，潼湖湿地项目未按期完工。",
        "倒排工期加快潼湖湿地等滞后项目建设，确保试点验收前全部完工。",
        d(9, 30),
    ),
    (
        "HZ-ZWB",
        "2016-009",
        "“互联网+政务服务”网上办事深度不足，部分事项仍需群众多次跑腿。",
        "梳理高频事项，推动更多事项全流程网上办理。",
        None,
    ),
]

#: The finding every special evaluation writes of its task (its unit named), and one
#: recommendation; the third-party findings are their own.
SPECIAL_FINDING = "改革任务按施工方案推进，主要节点按期完成，形成了制度成果；个别节点推进偏慢。"
SPECIAL_RECOMMENDATION = "总结提炼改革经验，巩固制度成果，防止改革成效“回潮”。"

THIRD_PARTY_FINDINGS = {
    "business": (
        "商事登记“先照后证”“多证合一”落地见效，企业开办时间明显压缩；事中事后监管衔接"
        "仍有短板，部门间信息共享不够及时。",
        "加快市场监管信息平台与各部门系统对接，完善“双随机一公开”抽查机制。",
    ),
    "services": (
        "城乡基本公共服务标准体系初步建立，财政投入向农村和欠发达地区倾斜；"
        "城乡之间医疗、教育资源差距仍然明显。",
        "推进优质医疗、教育资源向县区和农村下沉，建立基本公共服务标准动态调整机制。",
    ),
    "culture": (
        "“文化惠民卡”变“政府端菜”为“群众点菜”，持卡群众和接入场馆持续增加，"
        "示范项目以小组第一的成绩通过验收；农村地区使用率偏低。",
        "扩大农村地区文化服务供给，推动惠民卡与基层综合性文化服务中心融合。",
    ),
}

#: The comprehensive evaluation goes back to the team once before it is closed.
RETURN_REASON = "“群众满意度”评分理由未引用满意度调查数据，请补充后重新提交。"
