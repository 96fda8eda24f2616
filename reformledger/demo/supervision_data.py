"""The demo's 2016 supervision work (督查督办), as plain data (`supervision.py` plays it).

The report names the office's means of chasing what lags: the director and deputy
each follow key tasks (挂钩联系), the office holds supervision meetings on hard
problems (督查推进专会), and the leading group met 3 times in 2016, reviewed 12
reform documents and at each meeting put about three key tasks to collective review
(集体会诊: 肯定成绩、指出问题、分析原因、督促改进). Numbered supervision orders
(督办单) that climb from blue to orange to red are the system's own addition.

The tasks put to review are the ones `supervision.selectors.review_candidates`
ranks first on the meeting's day (worst rating, then escalated orders): the play
checks it. Orders climb by the daily run alone, so an order's level at the year end
follows from its deadline and the day it was answered; `expect` says what that is,
and the play checks it too. Dates are 2016 unless they say otherwise; people named
here are the invented people of `data.py`.
"""

import datetime as dt
from dataclasses import dataclass

from reformledger.demo.data import d

# --- what happens to an order or an action item ------------------------------------


@dataclass(frozen=True)
class Reply:
    """The unit answers (答复) on `day`, with an evidence file named `evidence` if
    given; by the unit's liaison, or its head where it has no demo liaison."""

    day: dt.date
    body: str
    evidence: str = ""


@dataclass(frozen=True)
class Accept:
    """The office leader accepts the answer (办结) on `day`."""

    day: dt.date
    note: str = ""


@dataclass(frozen=True)
class SendBack:
    """The office leader returns the answer on `day` with `reason`, to be answered
    again by `deadline`."""

    day: dt.date
    reason: str
    deadline: dt.date


@dataclass(frozen=True)
class Item:
    """An action item (督办事项) set by a meeting or a review: `key` names it for the
    orders that chase it. Its task is the reviewed one, or the meeting's first one
    unless `task` says otherwise."""

    key: str
    unit: str
    demand: str
    deadline: dt.date
    events: tuple = ()
    task: str = ""


@dataclass(frozen=True)
class Review:
    """A key task put to collective review, in four parts, with the improvements
    required as action items."""

    task: str
    achievements: str
    problems: str
    causes: str
    improvements: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class GroupMeeting:
    """A leading-group meeting (领导小组会议): the documents it reviewed (keys of
    DOCUMENTS) and its collective reviews. `units`: the units whose heads attend
    as guests (列席), beside those drafting a document or leading a reviewed task."""

    held_on: dt.date
    documents: tuple[str, ...]
    reviews: tuple[Review, ...]
    summary: str


@dataclass(frozen=True)
class Document:
    """A reform document in the office's registry: registered (起草) on `registered`,
    sent for review on `submitted`, issued (印发) on `issued` with the next number
    of the leading group's series; None: not yet."""

    key: str
    title: str
    unit: str
    task: str
    registered: dt.date
    submitted: dt.date | None = None
    issued: dt.date | None = None


@dataclass(frozen=True)
class SupervisionMeeting:
    """A supervision meeting (督查推进专会) on a hard problem: `units` send their heads."""

    held_on: dt.date
    topic: str
    tasks: tuple[str, ...]
    units: tuple[str, ...]
    minutes: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Order:
    """A supervision order (督办单) issued on `issued` by the office leader `by` (a demo
    username) on a task (`task`, a code) or an action item (`item`, a key); numbered
    in the order of issue. `expect`: its level and status on 31 December."""

    issued: dt.date
    by: str
    basis: str
    demand: str
    deadline: dt.date
    expect: tuple[str, str]
    task: str = ""
    item: str = ""
    level: str = "blue"
    events: tuple = ()


# --- leader links (挂钩联系) ----------------------------------------------------------

#: The day the office linked every key task to the director or the deputy, the day
#: after the linking system's work plan (task 2016-032, 3月15日).
LINKED_ON = d(3, 16)

#: Office leader (demo username) -> the key tasks of the city ledger they follow.
LINKS = {
    "director": (
        "2016-001",
        "2016-007",
        "2016-008",
        "2016-013",
        "2016-014",
        "2016-016",
        "2016-026",
        "2016-030",
        "2016-045",
    ),
    "deputy": (
        "2016-009",
        "2016-011",
        "2016-012",
        "2016-017",
        "2016-018",
        "2016-019",
        "2016-051",
        "2016-060",
    ),
}

#: Links changed during the year: (task, new leader, day). After its second poor
#: rating the director took over the public hospitals reform himself.
RELINKS = [("2016-051", "director", d(9, 5))]

# --- the registry of reform documents (改革文件) ---------------------------------------

#: The number of the leading group's documents: prefix, then the year's number.
DOCUMENT_SERIES = "惠市改发〔2016〕{n}号"

DOCUMENTS = [
    # Reviewed at the first meeting.
    Document(
        "supply-side",
        "惠州市供给侧结构性改革“去降补”五个行动计划",
        "HZ-FGJ",
        "2016-001",
        registered=d(3, 28),
        submitted=d(4, 12),
        issued=d(4, 27),
    ),
    Document(
        "online-services",
        "惠州市推进“互联网+政务服务”改革实施方案",
        "HZ-ZWB",
        "2016-009",
        registered=d(3, 30),
        submitted=d(4, 12),
        issued=d(5, 12),
    ),
    Document(
        "residence-permit",
        "惠州市居住证实施办法",
        "HZ-GAJ",
        "2016-015",
        registered=d(4, 6),
        submitted=d(4, 14),
        issued=d(7, 25),
    ),
    Document(
        "green-yellow",
        "惠州市改革工作年度考核“绿、黄”牌评价办法（试行）",
        "HZ-GGB",
        "2016-033",
        registered=d(3, 25),
        submitted=d(4, 14),
        issued=d(7, 18),
    ),
    # Reviewed at the second meeting.
    Document(
        "river-chief",
        "惠州市全面推行河长制工作方案",
        "HZ-SWJ",
        "2016-045",
        registered=d(5, 3),
        submitted=d(7, 8),
        issued=d(8, 12),
    ),
    Document(
        "project-landing",
        "惠州市推进狠抓项目落地全流程改革实施方案",
        "HZ-FGJ",
        "2016-028",
        registered=d(6, 6),
        submitted=d(7, 8),
        issued=d(9, 8),
    ),
    Document(
        "business-environment",
        "惠州市构建市场化法治化营商环境体系实施方案",
        "HZ-FGJ",
        "2016-026",
        registered=d(6, 8),
        submitted=d(7, 12),
        issued=d(11, 5),
    ),
    Document(
        "power-lists",
        "惠州市市级权责清单和服务清单（2016年版）",
        "HZ-BB",
        "2016-011",
        registered=d(6, 29),
        submitted=d(7, 12),
        issued=d(10, 28),
    ),
    # Reviewed at the third meeting; two wait for 2017.
    Document(
        "work-delivery",
        "惠州市推进提高效率狠抓工作落实全过程改革的若干措施",
        "HZ-SWB",
        "2016-029",
        registered=d(10, 10),
        submitted=d(11, 14),
        issued=d(12, 16),
    ),
    Document(
        "inspection",
        "惠州市全面深化改革督查考评办法",
        "HZ-GGB",
        "2016-030",
        registered=d(10, 12),
        submitted=d(11, 14),
        issued=d(12, 16),
    ),
    Document(
        "soe-classification",
        "惠州市国有企业功能界定与分类监管实施意见",
        "HZ-GZW",
        "2016-044",
        registered=d(8, 22),
        submitted=d(11, 16),
    ),
    Document(
        "troupes",
        "惠州市深化国有文艺院团改革实施方案",
        "HZ-WGX",
        "2016-049",
        registered=d(10, 21),
        submitted=d(11, 16),
    ),
    # Still being drafted at the year end.
    Document(
        "talent",
        "惠州市深化人才发展体制机制改革的实施意见",
        "HZ-ZZB",
        "2016-067",
        registered=d(10, 10),
    ),
    Document(
        "collective-property",
        "惠州市深化农村集体产权制度改革试点方案",
        "HZ-NYJ",
        "2016-066",
        registered=d(11, 2),
    ),
    Document(
        "associations",
        "惠州市推进行业协会商会与行政机关脱钩实施方案",
        "HZ-MZJ",
        "2016-056",
        registered=d(12, 5),
        submitted=d(12, 20),
    ),
]

# --- the leading group (领导小组) and its three meetings ----------------------------------

#: Who sits in the leading group: its head (an invented name, as every person of the
#: demo), the city leaders of `data.LEADERS` and `data.ACCOUNTS`, and the office.
GROUP_MEMBERS = (
    "组长贺演例（市委书记，主持）；副组长黄范例（市委副书记）；"
    "成员何示意、罗演算、高拟定、林演绎、胡假名、朱设想、徐样稿；"
    "市委改革办主任张示范、副主任王样例"
)

GROUP_MEETINGS = [
    GroupMeeting(
        held_on=d(4, 22),
        documents=("supply-side", "online-services", "residence-permit", "green-yellow"),
        summary=(
            "会议审议通过《惠州市供给侧结构性改革“去降补”五个行动计划》等4个改革文件，"
            "听取市委改革办关于2016年改革项目清单、施工方案和1—3月进度评价情况的汇报，"
            "对3月评价为C且督办未按期答复的3个重点改革项目进行集体会诊。会议强调，"
            "2016年是“全面改革攻坚年”，各牵头单位要对照施工方案倒排工期，"
            "督办事项必须在期限内答复。"
        ),
        reviews=(
            Review(
                task="2016-018",
                achievements=(
                    "市发展改革局牵头梳理教育、医疗卫生、社会保障、住房保障等8个领域的"
                    "基本公共服务项目，初步摸清城乡差距；4月19日印发综合改革工作方案，"
                    "明确了年度目标和责任分工。"
                ),
                problems=(
                    "工作方案较计划滞后近一个月，3月评价为C；督办〔2016〕2号连续升级至"
                    "红色督办仍未按期答复。城乡标准统一、制度并轨的具体路径尚未明确，"
                    "配合单位职责边界不清。"
                ),
                causes=(
                    "综合改革涉及领域广、配合单位多，牵头单位统筹协调力度不够，"
                    "部门间沟通机制尚未建立；对督办事项重视不够，存在等待观望思想。"
                ),
                improvements=(
                    "建立牵头单位与配合单位的联席会议制度，每月召开一次；5月底前制定"
                    "基本公共服务城乡统一标准清单；今后督办事项须在期限内答复。"
                ),
                items=(
                    Item(
                        "A1",
                        "HZ-FGJ",
                        "建立基本公共服务均等化综合改革联席会议制度，报送制度文本及首次会议纪要。",
                        d(5, 20),
                        (
                            Reply(
                                d(5, 18),
                                "5月13日召开首次联席会议，印发联席会议制度，明确市财政局、"
                                "市教育局等5个配合单位的职责分工。",
                                "基本公共服务均等化综合改革联席会议制度及首次会议纪要",
                            ),
                            Accept(d(5, 20), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A2",
                        "HZ-FGJ",
                        "制定基本公共服务城乡统一标准清单。",
                        d(5, 31),
                        (
                            Reply(
                                d(6, 6),
                                "经联席会议审议，形成涵盖8个领域、62项服务的基本公共服务"
                                "城乡统一标准清单。因征求县（区）意见，较要求时限迟报6天。",
                                "惠州市基本公共服务城乡统一标准清单",
                            ),
                            Accept(d(6, 8), "同意办结。迟报原因已说明，今后注意按时报送。"),
                        ),
                    ),
                ),
            ),
            Review(
                task="2016-007",
                achievements=(
                    "市国资委会同市经信局完成市属国有企业全面排查，4月8日建立国有"
                    "“僵尸企业”处置台账，逐户明确关停、重组、破产等处置方式；"
                    "处置工作方案已于4月14日印发。"
                ),
                problems=(
                    "处置台账较计划滞后24天，督办〔2016〕1号升级为橙色警示后才完成；"
                    "职工安置、债权债务处置等配套政策尚未出台，部分企业资产权属不清。"
                ),
                causes=(
                    "部分企业历史遗留问题复杂、资料缺失；职工安置涉及人社、财政等多个部门，"
                    "政策衔接不够；牵头单位前期对工作难度估计不足。"
                ),
                improvements=(
                    "5月底前会同市人社局、市财政局出台职工安置和资产债务处置配套办法；"
                    "6月底前完成首批关停企业职工安置；每月向市委改革办报送处置进度。"
                ),
                items=(
                    Item(
                        "A3",
                        "HZ-GZW",
                        "会同市人社局、市财政局制定国有“僵尸企业”职工安置和资产债务处置配套办法。",
                        d(5, 31),
                        (
                            Reply(
                                d(5, 27),
                                "已起草职工安置和资产债务处置配套办法，正在按程序报批。",
                            ),
                            SendBack(
                                d(6, 1),
                                "办法未明确职工安置资金来源和市、县分担方式，请补充后重新答复。",
                                d(6, 10),
                            ),
                            Reply(
                                d(6, 8),
                                "已补充安置资金来源：市级国有资本经营预算安排为主，企业资产处置"
                                "收入优先用于职工安置；办法已于6月7日印发。",
                                "国有“僵尸企业”职工安置和资产债务处置办法",
                            ),
                            Accept(d(6, 12), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A4",
                        "HZ-RSJ",
                        "做好首批关停企业职工社会保险关系接续和再就业服务。",
                        d(6, 30),
                        (
                            Reply(
                                d(6, 28),
                                "首批关停企业职工社会保险关系已全部接续，开展专场招聘会2场，"
                                "实现再就业一批。",
                            ),
                            Accept(d(7, 1), "同意办结。"),
                        ),
                    ),
                ),
            ),
            Review(
                task="2016-009",
                achievements=(
                    "完成全市网上办事大厅需求分析和平台建设方案，建立了与省网上办事大厅的"
                    "对接机制，市直部门行政审批事项网上申办工作全面启动。"
                ),
                problems=(
                    "需求分析和建设方案节点滞后8天，3月进展报告未附建设方案被退回，"
                    "督办〔2016〕3号的答复也因整改措施不明确被退回；县（区）平台建设进度"
                    "不一，数据共享交换尚未打通。"
                ),
                causes=(
                    "平台建设涉及的部门业务系统多、数据标准不统一；牵头单位技术力量不足，"
                    "对县（区）指导不够。"
                ),
                improvements=(
                    "7月中旬前完成系统开发部署；6月底前制定全市政务数据共享交换目录；"
                    "市编办配合完成政务服务事项标准化梳理。"
                ),
                items=(
                    Item(
                        "A5",
                        "HZ-ZWB",
                        "制定全市政务服务数据共享交换目录并报送。",
                        d(6, 30),
                        (
                            Reply(
                                d(6, 29),
                                "已制定全市政务服务数据共享交换目录，涵盖市直42个部门的"
                                "共享数据项1260项。",
                                "惠州市政务服务数据共享交换目录",
                            ),
                            Accept(d(7, 4), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A6",
                        "HZ-BB",
                        "完成市、县两级政务服务事项标准化梳理。",
                        d(6, 15),
                        (
                            Reply(
                                d(6, 14),
                                "市、县两级政务服务事项已完成标准化梳理，统一事项名称、"
                                "申请材料和办理时限。",
                            ),
                            Accept(d(6, 17), "同意办结。"),
                        ),
                    ),
                ),
            ),
        ),
    ),
    GroupMeeting(
        held_on=d(7, 22),
        documents=("river-chief", "project-landing", "business-environment", "power-lists"),
        summary=(
            "会议审议通过《惠州市全面推行河长制工作方案》等4个改革文件，听取上半年"
            "改革工作情况汇报，对6月评价为C的3个重点改革项目进行集体会诊。会议要求"
            "体系化推进五大改革，由点扩面、串珠成链；市委改革办加强挂钩联系和督查推进。"
        ),
        reviews=(
            Review(
                task="2016-013",
                achievements=(
                    "试点实施方案已报国家发展改革委，市公共信用信息管理系统一期上线，"
                    "推进机构、系统、制度“三个建设”；在政府管理、金融等领域开展信用应用。"
                ),
                problems=(
                    "“启动试点，推进重点项目”节点滞后15天，6月评价为C；信用信息归集"
                    "覆盖面不足，县（区）和公共事业单位数据尚未接入；联合奖惩缺少实施细则。"
                ),
                causes=(
                    "信用信息共享需多部门配合，部分部门报送积极性不高；联合奖惩涉及国家、"
                    "省层面制度，地方细则需与上级文件衔接。"
                ),
                improvements=(
                    "9月底前出台守信联合激励和失信联合惩戒实施办法；市工商局8月底前推送"
                    "企业信用信息；围绕政府管理、民生、金融、市场监管、区域合作“五个应用”"
                    "总结可推广的经验。"
                ),
                items=(
                    Item(
                        "A7",
                        "HZ-FGJ",
                        "出台守信联合激励和失信联合惩戒实施办法。",
                        d(9, 30),
                        (
                            Reply(
                                d(9, 28),
                                "《惠州市守信联合激励和失信联合惩戒实施办法》已经市政府常务会议"
                                "审议通过并印发。",
                                "惠州市守信联合激励和失信联合惩戒实施办法",
                            ),
                            Accept(d(10, 8), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A8",
                        "HZ-GSJ",
                        "将企业登记、年报和行政处罚信息全部推送至市公共信用信息管理系统。",
                        d(8, 31),
                        (
                            Reply(
                                d(8, 30),
                                "企业登记、年报和行政处罚信息已实现每日自动推送，累计推送"
                                "企业信用信息38万条。",
                            ),
                            Accept(d(9, 2), "同意办结。"),
                        ),
                    ),
                ),
            ),
            Review(
                task="2016-014",
                achievements=(
                    "试点实施方案按期报批，农业转移人口落户条件进一步放宽；《惠州市居住证"
                    "实施办法》已经第一次领导小组会议审议，即将印发实施。"
                ),
                problems=(
                    "“启动试点，推进重点项目”节点滞后13天，6月评价为C；随迁子女入学、"
                    "住房保障等配套政策与居住证挂钩不够，农业转移人口市民化成本分担机制"
                    "尚未建立。"
                ),
                causes=(
                    "配套政策涉及教育、住建、人社等多个部门，牵头单位统筹不够；"
                    "市、县两级财政分担比例尚未达成一致。"
                ),
                improvements=(
                    "居住证实施办法7月底前印发；8月底前研究制定农业转移人口市民化成本"
                    "分担办法；市教育局制定随迁子女入学配套措施。"
                ),
                items=(
                    Item(
                        "A9",
                        "HZ-FGJ",
                        "研究制定农业转移人口市民化成本分担办法。",
                        d(8, 31),
                        (
                            Reply(
                                d(9, 9),
                                "已形成农业转移人口市民化成本分担办法（征求意见稿）。",
                            ),
                            SendBack(
                                d(9, 12),
                                "未明确市、县两级财政分担比例，请与市财政局协商一致后重新答复。",
                                d(9, 30),
                            ),
                            Reply(
                                d(9, 29),
                                "经与市财政局协商，明确义务教育、社会保障等成本市、县按"
                                "3∶7分担，办法已报市政府审定。",
                                "惠州市农业转移人口市民化成本分担办法（送审稿）",
                            ),
                            Accept(d(10, 10), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A10",
                        "HZ-JYJ",
                        "制定持居住证随迁子女接受义务教育的实施细则。",
                        d(9, 15),
                        (
                            Reply(
                                d(9, 14),
                                "实施细则已印发，2016年秋季学期起按积分安排随迁子女入学。",
                            ),
                            Accept(d(9, 19), "同意办结。"),
                        ),
                    ),
                ),
            ),
            Review(
                task="2016-019",
                achievements=(
                    "惠阳区以表格化方式将全区重点工作分解到部门、镇（街道）和干部个人，"
                    "实行捆绑考核；新圩镇先行将考核模式延伸到村（社区）。"
                ),
                problems=(
                    "“启动试点，推进重点项目”节点滞后17天，6月评价为C；考核指标偏重过程、"
                    "结果运用不够，部分镇（街道）表格填报流于形式。"
                ),
                causes=(
                    "考核结果与干部评先评优、选拔任用挂钩的制度尚未建立；"
                    "基层工作人员对考核办法理解不到位。"
                ),
                improvements=(
                    "9月底前完善考核指标体系，增加结果性指标；市委组织部研究考核结果运用"
                    "办法；总结新圩镇做法，在全区镇（街道）推广。"
                ),
                items=(
                    Item(
                        "A11",
                        "HZ-HY",
                        "完善表格化捆绑式绩效考核指标体系，增加结果性指标。",
                        d(9, 30),
                        (
                            Reply(
                                d(9, 26),
                                "已修订考核指标体系，结果性指标占比由30%提高到55%。",
                                "惠阳区表格化捆绑式绩效考核指标体系（修订）",
                            ),
                            Accept(d(9, 30), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A12",
                        "HZ-ZZB",
                        "研究制定绩效考核结果与干部评先评优、选拔任用挂钩的办法。",
                        d(10, 31),
                        (
                            Reply(
                                d(11, 17),
                                "《关于加强绩效考核结果运用的意见》已印发，考核结果作为干部"
                                "评先评优、选拔任用的重要依据。",
                                "关于加强绩效考核结果运用的意见",
                            ),
                            Accept(d(11, 21), "同意办结。"),
                        ),
                    ),
                ),
            ),
        ),
    ),
    GroupMeeting(
        held_on=d(11, 25),
        documents=("work-delivery", "inspection", "soe-classification", "troupes"),
        summary=(
            "会议审议《惠州市全面深化改革督查考评办法》等4个改革文件，其中2个原则通过、"
            "待修改完善后印发，全年共审议重要改革文件12个；对10月评价为D、C的3个"
            "重点改革项目进行集体会诊。会议要求年底前逐项对账销号，未完成的任务"
            "结转2017年并明确完成时限。"
        ),
        reviews=(
            Review(
                task="2016-026",
                achievements=(
                    "《惠州市构建市场化法治化营商环境体系实施方案》于11月5日印发，统筹商事"
                    "制度、“互联网+政务服务”、社会信用、权责清单等改革，体系化改革框架"
                    "基本形成。"
                ),
                problems=(
                    "实施方案经第二次领导小组会议审议后三个多月才印发，“提请审议并印发实施”"
                    "节点滞后20天，10月评价为D；营商环境评价指标体系尚未建立。"
                ),
                causes=(
                    "方案涉及部门多，会签意见反复修改；牵头单位对体系化改革“串珠成链”的"
                    "统筹手段不足。"
                ),
                improvements=(
                    "12月20日前建立营商环境评价指标体系并开展首次评价；市法制局12月中旬前"
                    "完成涉企规范性文件清理；每季度向领导小组报告体系化改革进展。"
                ),
                items=(
                    Item(
                        "A13",
                        "HZ-FGJ",
                        "建立营商环境评价指标体系并开展首次评价，报送评价报告。",
                        d(12, 20),
                    ),
                    Item(
                        "A14",
                        "HZ-FZJ",
                        "完成涉企规范性文件清理，提出废止、修改清单。",
                        d(12, 15),
                        (
                            Reply(
                                d(12, 14),
                                "共清理涉企规范性文件286件，拟废止21件、修改34件，清单已报市政府。",
                                "涉企规范性文件清理结果清单",
                            ),
                            Accept(d(12, 19), "同意办结。"),
                        ),
                    ),
                ),
            ),
            Review(
                task="2016-051",
                achievements=(
                    "《惠州市深化公立医院综合改革实施方案》于11月8日印发，公立医院取消药品"
                    "加成（中药饮片除外）全面实施，分级诊疗、医联体建设同步推进。"
                ),
                problems=(
                    "实施方案较计划滞后一个多月，10月评价为D；取消药品加成后的补偿机制"
                    "未落实，财政补助和医疗服务价格调整不到位；10月督查推进专会确定的"
                    "医保支付政策调整事项逾期未办。"
                ),
                causes=(
                    "补偿机制涉及财政、物价、医保多方，利益调整难度大；配合单位对改革的"
                    "紧迫性认识不足。"
                ),
                improvements=(
                    "市财政局12月15日前落实公立医院财政补助资金；市卫生计生局年底前建立"
                    "公立医院绩效考核制度；市人社局加快调整医保支付政策。"
                ),
                items=(
                    Item(
                        "A15",
                        "HZ-CZJ",
                        "落实公立医院取消药品加成后的财政补助资金。",
                        d(12, 15),
                    ),
                    Item(
                        "A16",
                        "HZ-WJJ",
                        "建立公立医院绩效考核制度。",
                        d(12, 31),
                        (
                            Reply(
                                d(12, 28),
                                "《惠州市公立医院绩效考核办法》已印发，考核结果与院长年薪、"
                                "财政补助挂钩。",
                                "惠州市公立医院绩效考核办法",
                            ),
                        ),
                    ),
                ),
            ),
            Review(
                task="2016-009",
                achievements=(
                    "网上办事大厅完成系统开发部署并于7月上线试运行，“一门式一网式”"
                    "改革在市、县两级铺开，数据共享交换目录已建立。"
                ),
                problems=(
                    "“试运行并优化”节点滞后近一个月，10月评价为C，年内第二次集体会诊；"
                    "部分部门业务系统与平台对接不畅，网上办件量偏低，惠东县网上办事站点"
                    "尚未与市平台对接。"
                ),
                causes=(
                    "部分垂直管理部门业务系统由省级统建，接口开放受限；平台宣传推广不足，"
                    "企业群众知晓率不高。"
                ),
                improvements=(
                    "12月20日前实现平台正式上线运行；惠东县12月5日前完成县级网上办事站点"
                    "与市平台对接；开展平台推广应用活动。"
                ),
                items=(
                    Item(
                        "A17",
                        "HZ-ZWB",
                        "实现网上办事大厅正式上线运行，报送运行数据。",
                        d(12, 20),
                        (
                            Reply(
                                d(12, 15),
                                "网上办事大厅已于12月13日正式上线运行，首周网上办件2.3万件。",
                                "网上办事大厅上线通知及运行数据",
                            ),
                            Accept(d(12, 19), "同意办结。"),
                        ),
                    ),
                    Item(
                        "A18",
                        "HZ-HD",
                        "完成县级网上办事站点与市网上办事大厅的对接。",
                        d(12, 5),
                    ),
                ),
            ),
        ),
    ),
]

# --- supervision meetings (督查推进专会) ----------------------------------------------------

SUPERVISION_MEETINGS = [
    SupervisionMeeting(
        held_on=d(5, 18),
        topic="国有“僵尸企业”处置督查推进专会",
        tasks=("2016-007", "2016-002"),
        units=("HZ-GZW", "HZ-JXJ", "HZ-RSJ", "HZ-CZJ"),
        minutes=(
            "会议听取市国资委关于国有“僵尸企业”处置进展的汇报。处置台账已建立，处置工作"
            "方案已印发，首批关停企业职工安置和处置资金是当前难点。会议要求：市经信局报送"
            "去产能行动计划落实情况；市财政局6月中旬前落实处置专项资金；各单位按第一次"
            "领导小组会议要求推进职工安置配套办法。"
        ),
        items=(
            Item(
                "S1",
                "HZ-JXJ",
                "报送去产能行动计划落实情况及淘汰落后产能企业名单。",
                d(6, 10),
                (
                    Reply(
                        d(6, 8),
                        "已梳理淘汰落后产能企业27家，其中国有“僵尸企业”与处置台账一一对应。",
                        "去产能行动计划落实情况及淘汰落后产能企业名单",
                    ),
                    Accept(d(6, 12), "同意办结。"),
                ),
                task="2016-002",
            ),
            Item(
                "S2",
                "HZ-CZJ",
                "落实国有“僵尸企业”处置专项资金。",
                d(6, 15),
                (
                    Reply(
                        d(6, 20),
                        "处置专项资金1.2亿元已列入市级国有资本经营预算并拨付到位。"
                        "因预算调整需报市人大常委会，较要求时限迟报5天。",
                    ),
                    Accept(d(6, 22), "同意办结。"),
                ),
            ),
        ),
    ),
    SupervisionMeeting(
        held_on=d(9, 14),
        topic="“互联网+政务服务”和“一门式一网式”改革督查推进专会",
        tasks=("2016-009", "2016-010"),
        units=("HZ-ZWB", "HZ-BB", "HZ-BL", "HZ-HD"),
        minutes=(
            "会议听取市政务办关于网上办事大厅试运行和“一门式一网式”改革推进情况的汇报。"
            "平台已试运行，但部分省级统建系统接口未开放，县、镇两级窗口改造进度不一。"
            "会议要求：市政务办协调省级部门开放接口；博罗县10月底前完成县、镇两级窗口"
            "改造，为全市提供经验。"
        ),
        items=(
            Item(
                "S3",
                "HZ-ZWB",
                "协调省级垂直管理部门开放业务系统接口。",
                d(10, 15),
                (
                    Reply(
                        d(10, 14),
                        "经与省有关部门协调，公安、国土等6个省级统建系统已开放接口并完成联调。",
                    ),
                    Accept(d(10, 18), "同意办结。"),
                ),
            ),
            Item(
                "S4",
                "HZ-BL",
                "完成县、镇两级“一门式一网式”服务窗口改造。",
                d(10, 31),
                (
                    Reply(d(10, 28), "县级政务服务中心和17个镇的综合服务窗口已完成改造。"),
                    SendBack(
                        d(11, 1),
                        "未附镇级窗口改造验收材料，请补充后重新答复。",
                        d(11, 10),
                    ),
                    Reply(
                        d(11, 9),
                        "已补充17个镇综合服务窗口改造验收材料。",
                        "博罗县镇级综合服务窗口改造验收材料",
                    ),
                    Accept(d(11, 14), "同意办结。"),
                ),
                task="2016-010",
            ),
        ),
    ),
    SupervisionMeeting(
        held_on=d(10, 19),
        topic="公立医院综合改革督查推进专会",
        tasks=("2016-051", "2016-052"),
        units=("HZ-WJJ", "HZ-CZJ", "HZ-RSJ"),
        minutes=(
            "会议听取市卫生计生局关于公立医院综合改革推进情况的汇报。实施方案送审稿"
            "仍在征求意见，取消药品加成后的补偿机制、医保支付政策调整是难点。会议要求："
            "市卫生计生局10月底前完成实施方案送审稿；市人社局11月底前提出医保支付政策"
            "调整方案。"
        ),
        items=(
            Item(
                "S5",
                "HZ-WJJ",
                "完成公立医院综合改革实施方案送审稿。",
                d(10, 31),
                (
                    Reply(
                        d(11, 4),
                        "实施方案送审稿已完成并报市政府，因吸收省卫生计生委意见迟报4天。",
                        "惠州市深化公立医院综合改革实施方案（送审稿）",
                    ),
                    Accept(d(11, 8), "同意办结。"),
                ),
            ),
            Item(
                "S6",
                "HZ-RSJ",
                "提出与取消药品加成相衔接的医保支付政策调整方案。",
                d(11, 30),
                (
                    Reply(
                        d(12, 27),
                        "医保支付政策调整方案已报市政府，调整后的医疗服务项目纳入医保支付。",
                        "医保支付政策调整方案",
                    ),
                    Accept(d(12, 29), "同意办结。逾期近一个月，已在督办单上记录。"),
                ),
            ),
        ),
    ),
]

# --- supervision orders (督办单), in the order of issue ------------------------------------

ORDERS = [
    Order(
        issued=d(3, 22),
        by="director",
        task="2016-007",
        basis="施工方案节点“摸清国有“僵尸企业”底数，建立处置台账”计划3月15日完成，已逾期。",
        demand="3月31日前建立国有“僵尸企业”处置台账，报送企业名单及处置方式，书面说明滞后原因。",
        deadline=d(3, 31),
        events=(
            Reply(
                d(4, 8),
                "处置台账已于4月8日建立，逐户明确处置方式。滞后原因：部分企业资料缺失，"
                "需逐户核实资产和职工情况。",
                "国有“僵尸企业”处置台账",
            ),
            Accept(d(4, 11), "同意办结。"),
        ),
        expect=("orange", "accepted"),
    ),
    Order(
        issued=d(4, 1),
        by="deputy",
        task="2016-018",
        basis="3月进度评价为C：施工方案节点“制定工作方案”计划3月25日完成，已逾期。",
        demand="4月8日前报送基本公共服务均等化综合改革工作方案。",
        deadline=d(4, 8),
        events=(
            Reply(
                d(4, 25),
                "综合改革工作方案已于4月19日印发。未按期答复督办，系对督办时限重视不够，"
                "已在局内通报并整改。",
                "惠州市基本公共服务均等化综合改革工作方案",
            ),
            Accept(d(4, 27), "同意办结。红色督办逾期答复，记入年度考核。"),
        ),
        expect=("red", "accepted"),
    ),
    Order(
        issued=d(4, 6),
        by="deputy",
        task="2016-009",
        basis="3月进展报告称“完成需求分析和建设方案”，但未附建设方案，节点实际滞后。",
        demand="4月13日前补报平台建设方案，说明节点滞后原因及整改措施。",
        deadline=d(4, 13),
        events=(
            Reply(d(4, 19), "已补报平台建设方案，将加快推进系统开发。"),
            SendBack(d(4, 21), "整改措施未明确完成时限和责任人，请补充后重新答复。", d(4, 28)),
            Reply(
                d(4, 27),
                "已明确整改措施：系统开发7月上旬完成部署，由信息科科长负责，每周调度。",
                "“互联网+政务服务”平台建设方案及整改措施",
            ),
            Accept(d(4, 29), "同意办结。"),
        ),
        expect=("orange", "accepted"),
    ),
    Order(
        issued=d(5, 10),
        by="deputy",
        task="2016-012",
        basis="施工方案节点“制定工作方案”计划3月25日完成，4月15日才完成。",
        demand="5月20日前报送商事登记全程电子化推进情况和后续节点保障措施。",
        deadline=d(5, 20),
        events=(
            Reply(
                d(5, 18),
                "全程电子化登记系统已完成开发，6月1日起在全市试行；后续节点已倒排工期。",
            ),
            Accept(d(5, 20), "同意办结。"),
        ),
        expect=("blue", "accepted"),
    ),
    Order(
        issued=d(5, 16),
        by="deputy",
        task="2016-062",
        basis="2—4月未报送进展报告，进度评价为E。",
        demand="5月23日前书面说明未报送进展的原因，补报工作进展。",
        deadline=d(5, 23),
        events=(
            Reply(
                d(5, 30),
                "重大行政决策程序规定起草工作未停滞，因待省出台相关规定后衔接，暂缓提请审议；"
                "2—4月工作进展已书面报送。",
            ),
            Accept(d(6, 2), "同意办结。请按月报送进展。"),
        ),
        expect=("orange", "accepted"),
    ),
    Order(
        issued=d(6, 8),
        by="director",
        task="2016-026",
        basis="施工方案节点“开展调研，形成初稿”计划5月16日完成，已逾期。",
        demand="6月15日前报送营商环境体系实施方案初稿。",
        deadline=d(6, 15),
        events=(
            Reply(
                d(6, 13),
                "实施方案初稿已于6月6日形成，现报送。",
                "惠州市构建市场化法治化营商环境体系实施方案（初稿）",
            ),
            Accept(d(6, 15), "同意办结。"),
        ),
        expect=("blue", "accepted"),
    ),
    Order(
        issued=d(6, 8),
        by="deputy",
        task="2016-024",
        basis="3—5月未报送进展报告，进度提醒均未阅读。",
        demand="6月15日前补报3—5月进展报告。",
        deadline=d(6, 15),
        events=(
            Reply(d(6, 14), "3—5月工作进展已书面报送市委改革办，6月起按月在台账报送进展。"),
            Accept(d(6, 16), "同意办结。"),
        ),
        expect=("blue", "accepted"),
    ),
    Order(
        issued=d(8, 17),
        by="deputy",
        task="2016-012",
        level="orange",
        basis="7月进度评价为D：关键节点“建立制度机制并试运行”计划7月26日完成，已逾期。",
        demand="8月24日前报送关键节点完成情况及整改措施。",
        deadline=d(8, 24),
        events=(
            Reply(
                d(8, 23),
                "“建立制度机制并试运行”节点已于8月2日完成，企业设立登记平均办理时限压缩至"
                "3个工作日。",
                "商事登记全程电子化试运行情况报告",
            ),
            Accept(d(8, 25), "同意办结。"),
        ),
        expect=("orange", "accepted"),
    ),
    Order(
        issued=d(9, 20),
        by="deputy",
        task="2016-064",
        basis="7—8月未报送进展报告，进度评价为E，进度提醒均未阅读。",
        demand="9月27日前补报进展报告，说明未报送原因。",
        deadline=d(9, 27),
        events=(
            Reply(
                d(11, 28),
                "因牵头科室人员调整，7—10月未报送进展。已明确专人负责，12月5日前补报。",
            ),
            Accept(d(12, 6), "同意办结。红色督办逾期答复，记入年度考核。"),
        ),
        expect=("red", "accepted"),
    ),
    Order(
        issued=d(11, 3),
        by="deputy",
        item="A12",
        basis="第二次领导小组会议集体会诊确定的督办事项，10月31日到期未答复。",
        demand="11月10日前报送绩效考核结果运用办法。",
        deadline=d(11, 10),
        events=(
            Reply(
                d(11, 17),
                "《关于加强绩效考核结果运用的意见》已印发。",
                "关于加强绩效考核结果运用的意见",
            ),
            Accept(d(11, 21), "同意办结。"),
        ),
        expect=("orange", "accepted"),
    ),
    Order(
        issued=d(12, 2),
        by="director",
        item="S6",
        basis="公立医院综合改革督查推进专会确定的督办事项，11月30日到期未答复。",
        demand="12月9日前报送医保支付政策调整方案。",
        deadline=d(12, 9),
        events=(
            Reply(
                d(12, 27),
                "医保支付政策调整方案已报市政府。逾期原因：需与省医保目录调整衔接。",
                "医保支付政策调整方案",
            ),
            Accept(d(12, 29), "同意办结。红色督办逾期答复，记入年度考核。"),
        ),
        expect=("red", "accepted"),
    ),
    Order(
        issued=d(12, 7),
        by="deputy",
        item="A18",
        basis="第三次领导小组会议集体会诊确定的督办事项，12月5日到期未答复。",
        demand="12月12日前完成县级网上办事站点与市平台的对接。",
        deadline=d(12, 12),
        expect=("red", "open"),
    ),
    Order(
        issued=d(12, 16),
        by="director",
        item="A15",
        basis="第三次领导小组会议集体会诊确定的督办事项，12月15日到期未答复。",
        demand="12月23日前落实公立医院财政补助资金。",
        deadline=d(12, 23),
        expect=("orange", "open"),
    ),
    Order(
        issued=d(12, 19),
        by="director",
        task="2016-016",
        basis="年度关键节点“累计完成投资30亿元”需以统计表和审计意见佐证。",
        demand="12月26日前报送试点投资统计表和审计意见。",
        deadline=d(12, 26),
        events=(
            Reply(
                d(12, 23),
                "64个试点项目累计完成投资30亿元，投资统计表和审计意见已报送。",
                "水生态文明城市建设试点投资统计表及审计意见",
            ),
            Accept(d(12, 26), "同意办结。"),
        ),
        expect=("blue", "accepted"),
    ),
    Order(
        issued=d(12, 26),
        by="deputy",
        task="2016-053",
        basis="关键节点“建立制度机制并试运行”滞后一个多月，任务年内无法完成。",
        demand="2017年1月6日前报送未完成原因及2017年推进计划。",
        deadline=dt.date(2017, 1, 6),
        expect=("blue", "open"),
    ),
]
