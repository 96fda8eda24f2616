"""How the demo's 2016 tasks ran through the year, as plain data (`cycle.py` plays it).

Every task whose plan is approved reports monthly and is rated monthly. By default a
task reaches each milestone a few days before its planned date (within the planned
month), reports on time, and is closed (销账) at the year end. `CYCLE` lists the
tasks that ran otherwise: milestones reached early (rated A, closed during the year),
late (C, or D for a key milestone or a month overdue), reports skipped for months
(E), or not finished and carried over into 2017.

Dates are 2016 unless they say otherwise; a milestone is named by its position in
the task's plan (0 = the first).
"""

import datetime as dt

from reformledger.demo.data import d
from reformledger.demo.supervision_data import GROUP_MEETINGS

#: The day the year is carried over (结转) into 2017, after the last period closed.
CARRY_OVER_ON = dt.date(2017, 1, 16)

#: Per task code:
#: - "reach": {milestone index: the day it was reached, or None for not in 2016};
#:   indexes not given keep the default (on time);
#: - "close": the day the closing was approved, or None: not closed, carried over;
#:   absent: closed at the year end;
#: - "skip": periods (months) for which the unit filed no report;
#: - "late": {period: days after the due date the report went in}.
CYCLE: dict[str, dict] = {
    # --- finished early, closed during the year (rated A once ahead) ------------
    "2016-037": {"reach": {0: d(2, 15), 1: d(4, 22), 2: d(6, 28)}, "close": d(7, 15)},
    "2016-060": {"reach": {0: d(3, 18), 1: d(5, 30), 2: d(6, 20)}, "close": d(7, 22)},
    "2016-032": {"reach": {0: d(3, 15), 1: d(6, 28), 2: d(7, 29)}, "close": d(8, 16)},
    "2016-039": {"reach": {0: d(3, 22), 1: d(7, 20), 2: d(8, 10)}, "close": d(9, 9)},
    "2016-038": {"reach": {0: d(3, 20), 1: d(7, 15), 2: d(8, 26)}, "close": d(9, 20)},
    "2016-015": {"reach": {0: d(4, 5), 1: d(7, 25), 2: d(8, 30)}, "close": d(9, 26)},
    "2016-033": {"reach": {0: d(3, 24), 1: d(7, 18), 2: d(9, 12)}, "close": d(10, 14)},
    "2016-058": {"reach": {0: d(3, 24), 1: d(7, 21), 2: d(9, 23)}, "close": d(10, 19)},
    "2016-031": {
        "reach": {0: d(3, 18), 1: d(6, 30), 2: d(8, 31), 3: d(9, 20)},
        "close": d(10, 21),
    },
    "2016-008": {
        "reach": {0: d(3, 28), 1: d(5, 26), 2: d(8, 22), 3: d(9, 28)},
        "close": d(10, 27),
    },
    "2016-054": {
        "reach": {0: d(4, 8), 1: d(7, 6), 2: d(9, 26), 3: d(10, 10)},
        "close": d(11, 4),
    },
    "2016-045": {"reach": {0: d(5, 1), 1: d(8, 12), 2: d(9, 29)}, "close": d(11, 10)},
    "2016-040": {"reach": {0: d(3, 23), 1: d(7, 22), 2: d(10, 14)}, "close": d(11, 11)},
    "2016-011": {
        "reach": {0: d(4, 27), 1: d(6, 28), 2: d(8, 30), 3: d(10, 28)},
        "close": d(11, 18),
    },
    "2016-043": {"reach": {0: d(3, 18), 1: d(7, 20), 2: d(10, 25)}, "close": d(11, 22)},
    "2016-021": {
        "reach": {0: d(3, 4), 1: d(6, 17), 2: d(9, 10), 3: d(10, 28)},
        "close": d(11, 25),
    },
    "2016-010": {
        "reach": {0: d(4, 6), 1: d(7, 14), 2: d(9, 30), 3: d(10, 31)},
        "close": d(11, 29),
    },
    "2016-046": {"reach": {0: d(3, 22), 1: d(7, 25), 2: d(10, 20)}, "close": d(11, 30)},
    "2016-005": {
        "reach": {0: d(5, 3), 1: d(7, 20), 2: d(10, 8), 3: d(11, 2)},
        "close": d(12, 9),
    },
    "2016-017": {"reach": {3: d(11, 18)}},
    # --- a milestone a few weeks late (C), or a key one late (D) ------------------
    "2016-002": {"reach": {0: d(6, 1), 1: d(8, 15)}},
    "2016-003": {"reach": {0: d(6, 2), 2: d(11, 3)}},
    "2016-004": {"reach": {0: d(6, 10), 1: d(8, 5)}},
    "2016-006": {"reach": {0: d(6, 3), 1: d(8, 9)}, "late": {4: 6}},
    "2016-007": {"reach": {0: d(4, 8)}},
    "2016-009": {"reach": {0: d(4, 6), 2: d(11, 2)}},
    "2016-012": {"reach": {0: d(4, 15), 1: d(8, 2)}},
    "2016-013": {"reach": {0: d(4, 6), 1: d(7, 6), 2: d(10, 8)}},
    "2016-014": {"reach": {1: d(7, 4), 2: d(10, 11)}},
    "2016-018": {"reach": {0: d(4, 19)}},
    "2016-019": {"reach": {1: d(7, 8), 2: d(10, 12)}},
    "2016-020": {"reach": {1: d(7, 12), 2: d(10, 20)}, "late": {7: 3}},
    "2016-022": {"reach": {1: d(7, 25), 2: d(10, 3)}},
    "2016-023": {"reach": {1: d(7, 15), 2: d(10, 5)}},
    "2016-025": {"reach": {1: d(7, 2), 2: d(10, 9)}},
    "2016-026": {"reach": {0: d(6, 6), 2: d(11, 5)}},
    "2016-027": {"reach": {0: d(6, 8), 2: d(11, 4)}},
    "2016-028": {"reach": {0: d(6, 3), 1: d(9, 8)}},
    "2016-029": {"reach": {0: d(6, 3), 1: d(9, 5)}},
    "2016-030": {"reach": {0: d(4, 6), 1: d(8, 3)}},
    "2016-034": {"reach": {0: d(8, 4)}},
    "2016-036": {"reach": {0: d(4, 8)}},
    "2016-041": {"reach": {1: d(7, 19), 2: d(10, 10)}},
    "2016-042": {"reach": {0: d(5, 9), 1: d(8, 1)}},
    "2016-047": {"reach": {0: d(5, 4), 1: d(8, 2), 2: d(11, 15)}},
    "2016-048": {"reach": {0: d(4, 20)}, "late": {3: 4}},
    "2016-050": {"reach": {0: d(4, 8)}},
    "2016-051": {"reach": {0: d(5, 6), 1: d(8, 3), 2: d(11, 8)}},
    "2016-052": {"reach": {0: d(4, 12), 1: d(8, 5)}},
    "2016-055": {"reach": {0: d(5, 3), 1: d(8, 8)}},
    "2016-057": {"reach": {0: d(4, 5)}},
    "2016-059": {"reach": {0: d(5, 5), 1: d(8, 1), 2: d(11, 2)}, "late": {5: 8}},
    "2016-016": {"reach": {0: d(2, 26), 1: d(5, 27), 2: d(10, 26), 3: d(12, 15)}},
    "HY2016-01": {"reach": {0: d(6, 8)}},
    # --- the leading group met on the days of supervision_data.GROUP_MEETINGS ---------
    "2016-035": {"reach": {i: meeting.held_on for i, meeting in enumerate(GROUP_MEETINGS)}},
    # --- stalled for months (E), then back --------------------------------------
    "2016-062": {"reach": {0: d(6, 15), 1: d(8, 2)}, "skip": {2, 3, 4, 5}},
    "2016-024": {"skip": {3, 4, 5}},
    "2016-064": {"skip": {7, 8, 9, 10}},
    # --- not finished in 2016: carried over into 2017 ------------------------------
    "2016-044": {"reach": {0: d(5, 10), 1: d(8, 20), 2: None, 3: None}, "close": None},
    "2016-049": {
        "reach": {1: d(10, 20), 2: None, 3: None},
        "skip": {6, 7, 8, 9},
        "close": None,
    },
    "2016-053": {"reach": {1: d(9, 12), 2: None}, "close": None, "late": {8: 9}},
    "HY2016-02": {
        "reach": {1: d(11, 15), 2: None, 3: None},
        "skip": {7, 8, 9, 10},
        "close": None,
    },
}

#: Reports the office returned once, with its reason; the unit corrected them and
#: submitted again. (task code, period, reason, what the unit changed: "evidence" =
#: attached the missing file, "done" or "problems" = added the sentence that follows)
RETURNED = [
    (
        "2016-009",
        3,
        "报告称已完成“完成需求分析和建设方案”节点，但未附建设方案，请补充佐证材料后重新报送。",
        "evidence",
        "惠州市“互联网+政务服务”平台建设方案（送审稿）",
    ),
    (
        "2016-051",
        4,
        "完成百分比与施工方案节点权重不一致，请核实后重新报送。",
        "done",
        "已按施工方案节点权重重新核算完成百分比。",
    ),
    (
        "2016-041",
        6,
        "节点已滞后，请补充说明整改措施和完成时限。",
        "problems",
        "整改措施：部分村组土地边界存在争议，已抽调技术人员逐村核实，7月中旬前完成。",
    ),
    (
        "2016-012",
        8,
        "本月工作内容过于笼统，请写明商事登记改革的具体进展（办理时限、新增市场主体数量）。",
        "done",
        "企业设立登记平均办理时限压缩至3个工作日，本月新增市场主体4120户。",
    ),
    (
        "HY2016-01",
        5,
        "请附新圩镇考核方案印发文件，并说明各村（社区）的考核指标分解情况。",
        "evidence",
        "新圩镇表格化捆绑式绩效考核实施方案及各村（社区）考核指标分解表",
    ),
]

#: Ratings an office leader set otherwise than suggested, with the written reason.
#: (task code, period, grade letter, reason)
OVERRIDES = [
    (
        "2016-013",
        3,
        "C",
        "试点实施方案已按期报送国家发展改革委，批复时间非我市可控，"
        "节点延误不属责任单位原因，调整为C。",
    ),
    (
        "2016-062",
        5,
        "D",
        "市法制局已书面说明暂缓原因（待省出台重大行政决策程序规定），"
        "起草工作并未停滞，调整为D，限期补报进展。",
    ),
    (
        "2016-050",
        6,
        "C",
        "6月实地督查发现融合发展平台建设实际进度慢于报告所述，调整为C。",
    ),
    (
        "2016-011",
        12,
        "B",
        "任务已于12月重新打开，须按省政府新一批调整事项补充修订清单，尚未完成，调整为B。",
    ),
]

#: The month in which the deputy director decided the ratings (the director away).
DEPUTY_DECIDES = {8}

#: One closing request rejected before the one approved: (task code, day requested,
#: day rejected, reason). The unit then filed again; the task's "close" day stands.
REJECTED_CLOSING = (
    "2016-045",
    d(10, 10),
    d(10, 17),
    "佐证材料仅有工作总结，未附《惠州市全面推行河长制工作方案》印发文件及文号，"
    "请补充后重新申请销账。",
)

#: A closed task reopened, with the reason: (task code, day, reason, what its December
#: report says). It is then not finished in 2016 and is carried over.
REOPENED = (
    "2016-011",
    d(12, 12),
    "省政府12月公布新一批取消和调整的行政审批事项，市级权责清单和服务清单须同步动态调整，"
    "重新打开本任务。",
    "对照省政府新一批取消和调整的行政审批事项，逐项比对市级权责清单，形成修订初稿，"
    "正在征求各部门意见。",
)

#: The next steps of the reopened task's December report.
REOPENED_NEXT = "2017年上半年完成清单修订并公布，按程序重新申请销账。"

#: When the one revised plan (data.REVISION) was revised and its revision approved.
REVISION_ON = d(8, 12)

#: Periods whose report reminders the demo sends: two days before the due date
#: (report due) and two days after it (report late), with the milestone reminders.
REMINDER_PERIODS = (3, 5, 7, 8, 9, 10)

#: Tasks whose people leave every reminder unread (ignored): the staleness page
#: shows them. Other reminders are read the next working day, except some of the
#: unit heads' (one in three).
IGNORING = {"2016-024", "2016-044", "2016-049", "2016-062", "2016-064", "HY2016-02"}

#: Document numbers (文号) of the results: the issuer's prefix by lead unit; key tasks'
#: results are issued by the city government (惠府).
ISSUERS = {
    "HZ-GGB": "惠市改",
    "HZ-SWB": "惠市委办",
    "HZ-ZZB": "惠市组通",
    "HZ-XCB": "惠市宣",
    "HZ-ZFW": "惠市政法",
    "HZ-JW": "惠市纪",
    "HZ-BB": "惠市编办",
    "HZ-FGJ": "惠市发改",
    "HZ-JXJ": "惠市经信",
    "HZ-CZJ": "惠市财",
    "HZ-GZW": "惠市国资",
    "HZ-JRJ": "惠市金融",
    "HZ-GSJ": "惠市工商",
    "HZ-ZWB": "惠市政务办",
    "HZ-GAJ": "惠市公",
    "HZ-MZJ": "惠市民",
    "HZ-RSJ": "惠市人社",
    "HZ-ZJJ": "惠市住建",
    "HZ-GTJ": "惠市国土资源",
    "HZ-HBJ": "惠市环",
    "HZ-SWJ": "惠市水",
    "HZ-NYJ": "惠市农",
    "HZ-KJJ": "惠市科",
    "HZ-WGX": "惠市文广新",
    "HZ-JYJ": "惠市教",
    "HZ-WJJ": "惠市卫计",
    "HZ-FZJ": "惠市法制",
    "HZ-HC": "惠城府",
    "HZ-HY": "惠阳府",
    "HZ-BL": "博府",
    "HZ-HD": "东府",
    "HZ-LM": "龙府",
    "HZ-DYW": "惠湾管",
    "HZ-ZK": "惠仲管",
    "HZ-HY-XW": "新府",
    "HZ-HY-ZL": "镇府",
}
KEY_ISSUER = "惠府"

# --- words of the reports ------------------------------------------------------------

#: What was done in a month without a milestone reached; {next} is the milestone
#: being worked on, {lead} the lead unit, {helpers} the helping units.
WORKING = [
    "{lead}召开专题推进会，围绕“{next}”细化分工、倒排工期，各项工作按计划推进。",
    "会同{helpers}开展调研座谈，梳理存在问题，推进“{next}”相关工作。",
    "按施工方案推进“{next}”，组织工作专班集中攻坚，形成阶段性成果。",
    "落实领导小组部署，对照节点清单逐项推进“{next}”，每周调度进展。",
    "赴县区开展实地督导，收集基层意见建议，完善“{next}”工作措施。",
]
#: What was done in a month by a task behind plan.
WORKING_BEHIND = [
    "针对“{next}”滞后问题，{lead}召开专题协调会，研究整改措施，加快推进。",
    "加强与{helpers}的沟通协调，集中力量推进“{next}”，争取尽快完成。",
    "向分管领导专题汇报“{next}”推进中的困难，逐项明确解决办法和时限。",
]
#: The first report of a task.
STARTING = "成立工作专班，制定任务分解表，明确各项工作的责任人和完成时限。"
#: A milestone reached in the month: {title}, {month}, {day}, {evidence}.
REACHED = "“{title}”节点已于{month}月{day}日完成，{evidence}已归档备查。"
#: Every milestone reached.
ALL_DONE = "施工方案各节点已全部完成，正在整理成果材料，准备申请销账。"
#: A report filed after months without one.
RESUMED = "（此前{n}个月未按期报送进展报告，本期一并补报。）"
#: Problems of a task behind plan: {title} overdue {days} days, because {cause}.
BEHIND = "“{title}”较计划滞后{days}天，主要原因是{cause}。"
CAUSES = [
    "需报省级部门审批，审批时间较长",
    "涉及部门较多，协调难度较大",
    "专业技术力量不足",
    "配套资金尚未全部到位",
]
#: Problems of a task on schedule (most say none).
MINOR_PROBLEMS = [
    "",
    "",
    "",
    "部分配合单位材料报送不够及时。",
    "基层工作人员对改革政策掌握不够全面，需加强培训。",
]
NEXT = "按施工方案推进“{title}”，确保{month}月{day}日前完成。"
NEXT_CLOSING = "做好总结评估，整理佐证材料，按程序申请销账。"
