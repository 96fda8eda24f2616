"""The demo's 2016 pilots (改革试点), grassroots innovations (基层创新) and indicators
(指标), as plain data (`pilots.py` plays them).

The report: Huizhou holds 18 national and 44 provincial reform pilots; it names the
national social credit system pilot ("three builds, five applications" 三个建设、五个
应用), the national new-urbanisation pilot (the residence permit system), the
national water-ecology city pilot (64 projects in its three-year period, 3 billion
yuan completed) and the culture card (文化惠民卡制度, accepted first in its group and
third in the eastern region); it gives each county a municipal pilot, its brand
(一县区一品牌), and names seven; it shut down 336 state-owned zombie enterprises (a
closure rate of 74%) and its risk compensation fund got 66 firms 350 million yuan of
loans. Beyond the pilots the report names, the pilots' names, approval numbers,
dates, reviewers' findings, the innovations and the indicators' monthly path are
illustrative: real-sounding programmes of the time, not a record of Huizhou's.

Money is in 万元 (10,000 yuan) as the ledger keeps it: 3 billion yuan is 300,000.

The water-ecology pilot ran 2014–2016, but the ledger keeps periods from 2016 on
only; investment is reported per ledger period, so the demo reports the three
years' completed investment across the 2016 periods (the simplest honest choice:
the amounts are the pilot's, the months they fall in are the demo's). Its
sub-projects' amounts are spread by `water_projects()` so that they add up to
exactly 300,000; every figure the pages show is then summed from the rows.
"""

import datetime as dt
import zlib
from dataclasses import dataclass

from reformledger.demo.data import d

#: The body that grants municipal pilots (市级改革试点).
CITY_GROUP = "中共惠州市委全面深化改革领导小组"


def stable(text: str) -> int:
    return zlib.crc32(text.encode())


# --- pilots -------------------------------------------------------------------------


@dataclass(frozen=True)
class MidTerm:
    """The office opens the mid-term review (中期评估) on `opened`; the reviewer's
    findings are recorded on `reviewed`."""

    opened: dt.date
    reviewed: dt.date
    reviewer: str
    findings: str


@dataclass(frozen=True)
class Accepted:
    """The office opens the acceptance (验收) on `opened`; the accepting body's verdict
    is recorded on `accepted`; the pilot is concluded (总结) on `concluded` if given,
    with its experience written up."""

    opened: dt.date
    accepted: dt.date | None = None
    body: str = ""
    rank_text: str = ""
    group_rank: int | None = None
    region: str = ""
    region_rank: int | None = None
    file: str = ""
    concluded: dt.date | None = None
    experience: str = ""


@dataclass(frozen=True)
class Pilot:
    """A pilot of the registry and what happens to it in 2016.

    The office registers it on `registered` (an application, 申报), records its
    approval (批复) on `approved` (its approval document dated `approved_on`), and
    starts it on `started` (None: approved, not yet under way at the year end).
    `host`, `helping`: unit codes; `tasks`: codes of the city's 2016 tasks it is
    carried out through; `leader`: a responsible city leader of `data.LEADERS`."""

    code: str
    name: str
    level: str
    granting_body: str
    host: str
    start: dt.date
    end: dt.date
    goals: str
    approval_no: str
    approved_on: dt.date
    registered: dt.date
    approved: dt.date
    started: dt.date | None
    helping: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    leader: str = ""
    brand: str = ""
    mid_term: MidTerm | None = None
    acceptance: Accepted | None = None


#: The day the office builds its pilot registry (建立试点台账, task 2016-036) from the
#: approvals it holds.
REGISTRY_ON = d(1, 20)
STARTED_ON = d(1, 22)

WATER = "N03"
CULTURE = "N04"

#: The national pilots the report names (国家级试点), with their 2016.
NAMED_NATIONAL = [
    Pilot(
        code="N01",
        name="国家社会信用体系建设试点",
        level="national",
        granting_body="国家发展改革委、中国人民银行",
        host="HZ-FGJ",
        helping=("HZ-RMYH", "HZ-GSJ", "HZ-JRJ", "HZ-ZWB"),
        start=dt.date(2015, 1, 1),
        end=dt.date(2017, 12, 31),
        goals=(
            "建设社会信用体系建设试点城市：推进信用机构、信用信息系统、信用制度“三个建设”，"
            "在政府管理、民生、金融、市场监管、区域合作“五个应用”方面积累可推广的经验。"
        ),
        approval_no="发改财金〔2015〕1104号",
        approved_on=dt.date(2015, 5, 18),
        registered=REGISTRY_ON,
        approved=REGISTRY_ON,
        started=STARTED_ON,
        tasks=("2016-013", "2016-026"),
        leader="高拟定",
        mid_term=MidTerm(
            opened=d(6, 20),
            reviewed=d(7, 14),
            reviewer="国家发展改革委财金司中期评估组",
            findings=(
                "机构、系统、制度“三个建设”基本完成，市公共信用信息管理系统已归集48个部门"
                "信用信息；政府管理、民生、金融、市场监管、区域合作“五个应用”积累了可推广的"
                "经验。信用信息在行政审批中的查询使用尚未全覆盖，须在试点期内补齐。"
            ),
        ),
    ),
    Pilot(
        code="N02",
        name="国家新型城镇化综合试点",
        level="national",
        granting_body="国家发展改革委等11部委",
        host="HZ-FGJ",
        helping=("HZ-GAJ", "HZ-RSJ", "HZ-ZJJ", "HZ-JYJ", "HZ-GTJ"),
        start=dt.date(2015, 11, 1),
        end=dt.date(2017, 12, 31),
        goals=(
            "全面实施居住证制度，以居住证为载体提供基本公共服务，拓宽农业转移人口市民化"
            "通道；建立城镇化投融资机制，推进城乡一体化发展。"
        ),
        approval_no="发改规划〔2015〕2665号",
        approved_on=dt.date(2015, 11, 13),
        registered=REGISTRY_ON,
        approved=REGISTRY_ON,
        started=STARTED_ON,
        tasks=("2016-014", "2016-015", "2016-055"),
        leader="何示意",
    ),
    Pilot(
        code=WATER,
        name="全国水生态文明城市建设试点",
        level="national",
        granting_body="水利部",
        host="HZ-SWJ",
        # The counties and zones that build its sub-projects help on it.
        helping=(
            "HZ-HBJ",
            "HZ-ZJJ",
            "HZ-CZJ",
            "HZ-HC",
            "HZ-HY",
            "HZ-BL",
            "HZ-HD",
            "HZ-LM",
            "HZ-DYW",
            "HZ-ZK",
        ),
        start=dt.date(2014, 1, 1),
        end=dt.date(2016, 12, 31),
        goals=(
            "三年试点期内建设水资源保障、水环境治理、水生态修复、水文化建设等64个项目，"
            "完成投资30亿元，建立最严格水资源管理制度，形成水生态文明建设的惠州模式。"
        ),
        approval_no="水资源函〔2014〕147号",
        approved_on=dt.date(2014, 5, 6),
        registered=REGISTRY_ON,
        approved=REGISTRY_ON,
        started=STARTED_ON,
        tasks=("2016-016", "2016-045"),
        leader="高拟定",
        # The province put its mid-term review back to October (data.REVISION).
        mid_term=MidTerm(
            opened=d(10, 10),
            reviewed=d(10, 27),
            reviewer="广东省水利厅中期评估组",
            findings=(
                "64个试点项目全部开工，投资完成进度符合试点实施方案；最严格水资源管理制度"
                "考核体系基本建立。潼湖湿地等生态修复项目须加快进度，确保试点期末全部完工。"
            ),
        ),
        # The pilot period ended with the year; the ministry's acceptance comes in 2017.
        acceptance=Accepted(opened=d(12, 28)),
    ),
    Pilot(
        code=CULTURE,
        name="国家公共文化服务体系示范项目“文化惠民卡制度”",
        level="national",
        granting_body="文化部、财政部",
        host="HZ-WGX",
        helping=("HZ-CZJ", "HZ-XCB"),
        start=dt.date(2014, 1, 1),
        end=dt.date(2016, 12, 31),
        goals=(
            "以“文化惠民卡”整合公共文化资源，由群众持卡自主选择文化服务、政府按使用量"
            "补贴供给方，创新公共文化服务供给方式，形成可推广的制度设计成果。"
        ),
        approval_no="文公共发〔2013〕49号",
        approved_on=dt.date(2013, 12, 20),
        registered=REGISTRY_ON,
        approved=REGISTRY_ON,
        started=STARTED_ON,
        tasks=("2016-017",),
        leader="朱设想",
        mid_term=MidTerm(
            opened=d(3, 1),
            reviewed=d(3, 24),
            reviewer="广东省文化厅专家组",
            findings=(
                "文化惠民卡发放和使用办法基本完善，持卡人数和文化场馆接入数达到示范项目"
                "中期目标；基层文化服务点的刷卡终端须在验收前全部到位。"
            ),
        ),
        acceptance=Accepted(
            opened=d(9, 1),
            accepted=d(11, 24),
            body="文化部、财政部国家公共文化服务体系示范区（项目）创建工作验收组",
            rank_text="小组第一、全国（东部地区）第三",
            group_rank=1,
            region="东部地区",
            region_rank=3,
            file="文化惠民卡制度示范项目验收结果通知",
            concluded=d(12, 20),
            experience=(
                "以“文化惠民卡”为载体，变“政府端菜”为“群众点菜”：群众持卡自主选择，"
                "政府按使用量向服务供给方补贴，公共文化资源向基层和群众需求集中。"
                "制度设计成果以小组第一、全国（东部地区）第三的成绩通过评审验收，"
                "编入《改革试点在惠州》。"
            ),
        ),
    ),
]

#: The other national pilots: (code, name, granting body, host, from year, to year,
#: approval number, approval date, tasks, state). Illustrative (see the module's text).
#: The state at the year end: "under_way", "mid_term", or "new" (applied in 2016,
#: approved and started during the year), or "approved" (approved, not yet started).
# fmt: off
OTHER_NATIONAL = [
    ("N05", "国家智慧城市试点",
     "住房城乡建设部、科技部", "HZ-JXJ", 2014, 2017,
     "建办科函〔2014〕218号", dt.date(2014, 4, 8), ("2016-009",), "under_way"),
    ("N06", "国家信息惠民试点城市",
     "国家发展改革委等12部委", "HZ-JXJ", 2014, 2017,
     "发改高技〔2014〕1274号", dt.date(2014, 6, 16), ("2016-010",), "mid_term"),
    ("N07", "国家公立医院综合改革试点城市",
     "国家卫生计生委、财政部", "HZ-WJJ", 2015, 2017,
     "国卫体改函〔2015〕185号", dt.date(2015, 5, 8), ("2016-051",), "mid_term"),
    ("N08", "国家分级诊疗试点城市",
     "国家卫生计生委、国家中医药管理局", "HZ-WJJ", 2016, 2017,
     "国卫医函〔2016〕1053号", dt.date(2016, 9, 12), ("2016-052",), "new"),
    ("N09", "全国农村集体产权制度改革试点",
     "农业部、中央农办", "HZ-NYJ", 2015, 2017,
     "农经发〔2015〕8号", dt.date(2015, 7, 20), ("2016-066",), "under_way"),
    ("N10", "司法体制改革试点",
     "中央政法委", "HZ-ZFW", 2015, 2017,
     "中政委〔2015〕12号", dt.date(2015, 3, 30), ("2016-063",), "mid_term"),
    ("N11", "国家养老服务业综合改革试点",
     "民政部、国家发展改革委", "HZ-MZJ", 2014, 2017,
     "民函〔2014〕222号", dt.date(2014, 8, 1), (), "under_way"),
    ("N12", "全国社区治理和服务创新实验区（惠城区）",
     "民政部", "HZ-HC", 2015, 2018,
     "民函〔2015〕106号", dt.date(2015, 4, 2), ("2016-057",), "under_way"),
    ("N13", "国家知识产权示范城市",
     "国家知识产权局", "HZ-KJJ", 2015, 2018,
     "国知发管字〔2015〕64号", dt.date(2015, 11, 2), ("2016-065",), "under_way"),
    ("N14", "国家现代农业示范区（博罗县）",
     "农业部", "HZ-BL", 2015, 2018,
     "农计发〔2015〕22号", dt.date(2015, 1, 15), (), "under_way"),
    ("N15", "国家电子商务示范城市",
     "国家发展改革委、商务部等8部委", "HZ-JXJ", 2015, 2017,
     "发改高技〔2015〕2433号", dt.date(2015, 10, 26), (), "under_way"),
    ("N16", "国家小微企业创业创新基地城市示范",
     "财政部、工业和信息化部、科技部", "HZ-JXJ", 2016, 2018,
     "财建〔2016〕361号", dt.date(2016, 6, 14), ("2016-008",), "new"),
    ("N17", "国家农村一二三产业融合发展试点（博罗县）",
     "国家发展改革委、农业部", "HZ-BL", 2016, 2018,
     "发改农经〔2016〕2574号", dt.date(2016, 11, 21), (), "approved"),
    ("N18", "国家新能源汽车推广应用城市（珠三角城市群）",
     "财政部、科技部等4部委", "HZ-JXJ", 2016, 2020,
     "财建〔2016〕7号", dt.date(2016, 2, 3), (), "new"),
]
# fmt: on

#: The provincial pilots (省级试点): (code, name, granting body, host, from year, to year,
#: tasks, state); approval numbers and dates follow from the granting body and year.
#: Illustrative (see the module's text). States as in OTHER_NATIONAL, and "concluded"
#: (accepted and concluded in 2016) or "acceptance" (waiting for the province's verdict).
# fmt: off
PROVINCIAL = [
    ("P01", "广东省商事制度改革试点",
     "广东省工商局", "HZ-GSJ", 2014, 2016, ("2016-012",), "acceptance"),
    ("P02", "广东省“互联网+政务服务”改革试点",
     "广东省编办", "HZ-ZWB", 2016, 2017, ("2016-009",), "under_way"),
    ("P03", "广东省“一门式一网式”政务服务模式改革试点",
     "广东省编办", "HZ-ZWB", 2015, 2017, ("2016-010",), "mid_term"),
    ("P04", "广东省基本公共服务均等化综合改革试点",
     "广东省发展改革委", "HZ-FGJ", 2014, 2017, ("2016-018",), "mid_term"),
    ("P05", "广东省权责清单管理制度改革试点",
     "广东省编办", "HZ-BB", 2015, 2016, ("2016-011",), "concluded"),
    ("P06", "广东省国有企业分类监管改革试点",
     "广东省国资委", "HZ-GZW", 2015, 2017, ("2016-044",), "under_way"),
    ("P07", "广东省国有“僵尸企业”出清重组试点",
     "广东省国资委", "HZ-GZW", 2015, 2017, ("2016-007",), "under_way"),
    ("P08", "广东省中小微企业贷款风险补偿试点",
     "广东省金融办", "HZ-JRJ", 2015, 2018, ("2016-008",), "under_way"),
    ("P09", "广东省企业投资项目审批制度改革试点",
     "广东省发展改革委", "HZ-FGJ", 2015, 2017, ("2016-038", "2016-028"), "under_way"),
    ("P10", "广东省全面推行河长制试点",
     "广东省水利厅", "HZ-SWJ", 2016, 2017, ("2016-045",), "new"),
    ("P11", "广东省环境监管网格化管理试点",
     "广东省环境保护厅", "HZ-HBJ", 2015, 2017, ("2016-046",), "under_way"),
    ("P12", "广东省生态保护红线划定试点",
     "广东省环境保护厅", "HZ-HBJ", 2015, 2017, ("2016-047",), "under_way"),
    ("P13", "广东省基层综合性文化服务中心建设试点",
     "广东省文化厅", "HZ-WGX", 2015, 2017, ("2016-048",), "under_way"),
    ("P14", "广东省传统媒体和新兴媒体融合发展试点",
     "广东省委宣传部", "HZ-XCB", 2015, 2017, ("2016-050",), "under_way"),
    ("P15", "广东省家庭医生签约服务试点",
     "广东省卫生计生委", "HZ-WJJ", 2016, 2017, ("2016-052",), "new"),
    ("P16", "广东省义务教育均衡优质标准化发展试点",
     "广东省教育厅", "HZ-JYJ", 2015, 2018, ("2016-053",), "under_way"),
    ("P17", "广东省户籍制度改革试点",
     "广东省公安厅", "HZ-GAJ", 2015, 2017, ("2016-055",), "mid_term"),
    ("P18", "广东省行业协会商会与行政机关脱钩试点",
     "广东省民政厅", "HZ-MZJ", 2016, 2017, ("2016-056",), "under_way"),
    ("P19", "广东省网格化社会治理创新试点",
     "广东省委政法委", "HZ-ZFW", 2015, 2017, ("2016-057",), "under_way"),
    ("P20", "广东省基层党组织建设“头雁工程”试点",
     "广东省委组织部", "HZ-ZZB", 2016, 2018, ("2016-058",), "under_way"),
    ("P21", "广东省纪检派驻机构改革试点",
     "广东省纪委", "HZ-JW", 2015, 2016, ("2016-060",), "mid_term"),
    ("P22", "广东省市县巡察工作试点",
     "广东省委巡视工作领导小组", "HZ-JW", 2016, 2017, ("2016-061",), "under_way"),
    ("P23", "广东省重大行政决策程序规范化试点",
     "广东省法制办", "HZ-FZJ", 2015, 2017, ("2016-062",), "under_way"),
    ("P24", "广东省基层协商民主建设试点",
     "广东省委组织部、广东省民政厅", "HZ-MZJ", 2016, 2017, ("2016-064",), "approved"),
    ("P25", "广东省高新技术企业培育试点",
     "广东省科技厅", "HZ-KJJ", 2016, 2018, ("2016-065",), "under_way"),
    ("P26", "广东省人才发展体制机制改革试点",
     "广东省委组织部", "HZ-ZZB", 2016, 2018, ("2016-067",), "under_way"),
    ("P27", "广东省不动产统一登记试点",
     "广东省国土资源厅", "HZ-GTJ", 2015, 2016, ("2016-040",), "mid_term"),
    ("P28", "广东省农村土地承包经营权确权登记颁证试点",
     "广东省农业厅", "HZ-NYJ", 2015, 2017, ("2016-041",), "under_way"),
    ("P29", "广东省中期财政规划管理试点",
     "广东省财政厅", "HZ-CZJ", 2016, 2018, ("2016-042",), "under_way"),
    ("P30", "广东省政府和社会资本合作（PPP）推广试点",
     "广东省财政厅", "HZ-CZJ", 2015, 2017, ("2016-043",), "under_way"),
    ("P31", "广东省国有文艺院团改革试点",
     "广东省文化厅", "HZ-WGX", 2015, 2017, ("2016-049",), "under_way"),
    ("P32", "广东省机关事业单位养老保险制度改革试点",
     "广东省人力资源社会保障厅", "HZ-RSJ", 2015, 2017, ("2016-054",), "under_way"),
    ("P33", "广东省农村电子商务试点",
     "广东省商务厅", "HZ-HD", 2016, 2017, (), "new"),
    ("P34", "广东省教育综合改革试点",
     "广东省教育厅", "HZ-JYJ", 2015, 2018, (), "under_way"),
    ("P35", "广东省全民参保登记试点",
     "广东省人力资源社会保障厅", "HZ-RSJ", 2015, 2016, (), "mid_term"),
    ("P36", "广东省农村人居环境综合整治试点",
     "广东省住房城乡建设厅", "HZ-LM", 2016, 2018, (), "approved"),
    ("P37", "广东省统筹城乡社会救助体系试点",
     "广东省民政厅", "HZ-MZJ", 2015, 2017, (), "under_way"),
    ("P38", "广东省公共法律服务体系建设试点",
     "广东省司法厅", "HZ-ZFW", 2016, 2018, (), "under_way"),
    ("P39", "广东省科技金融结合试点（仲恺高新区）",
     "广东省科技厅", "HZ-ZK", 2015, 2017, ("2016-024",), "under_way"),
    ("P40", "广东省产业园区扩能增效试点",
     "广东省经济和信息化委", "HZ-JXJ", 2015, 2017, (), "under_way"),
    ("P41", "广东省海洋综合管理试点（大亚湾区）",
     "广东省海洋与渔业厅", "HZ-DYW", 2015, 2017, (), "under_way"),
    ("P42", "广东省绿色建筑推广试点",
     "广东省住房城乡建设厅", "HZ-ZJJ", 2015, 2017, (), "under_way"),
    ("P43", "广东省“三旧”改造试点",
     "广东省国土资源厅", "HZ-GTJ", 2014, 2017, (), "mid_term"),
    ("P44", "广东省供销合作社综合改革试点",
     "广东省供销社", "HZ-NYJ", 2015, 2017, (), "under_way"),
]
# fmt: on

#: The experience written up for the provincial pilots concluded in 2016.
CONCLUDED_EXPERIENCE = {
    "P05": "形成权责清单动态调整、网上公开和运行监督的工作机制，2016年版市级权责清单"
    "与2015年版相比减少行政审批事项15项、增加公共服务事项38项，经验已在各县（区）推广。",
}

#: Document prefixes of the granting bodies' approvals (first body named).
PREFIXES = {
    "广东省工商局": "粤工商",
    "广东省编办": "粤机编办",
    "广东省发展改革委": "粤发改",
    "广东省国资委": "粤国资",
    "广东省金融办": "粤金",
    "广东省水利厅": "粤水",
    "广东省环境保护厅": "粤环",
    "广东省文化厅": "粤文",
    "广东省委宣传部": "粤宣",
    "广东省卫生计生委": "粤卫",
    "广东省教育厅": "粤教",
    "广东省公安厅": "粤公",
    "广东省民政厅": "粤民",
    "广东省委政法委": "粤政法",
    "广东省委组织部": "粤组",
    "广东省纪委": "粤纪",
    "广东省委巡视工作领导小组": "粤巡",
    "广东省法制办": "粤府法",
    "广东省科技厅": "粤科",
    "广东省国土资源厅": "粤国土资源",
    "广东省农业厅": "粤农",
    "广东省财政厅": "粤财",
    "广东省人力资源社会保障厅": "粤人社",
    "广东省商务厅": "粤商务",
    "广东省住房城乡建设厅": "粤建",
    "广东省司法厅": "粤司",
    "广东省经济和信息化委": "粤经信",
    "广东省海洋与渔业厅": "粤海渔",
    "广东省供销社": "粤供销",
}

#: The county brands (一县区一品牌): municipal pilots the city gave each county and
#: zone, as the report names them. (code, brand, name, host, tasks, state)
# fmt: off
BRANDS = [
    ("M01", "表格化捆绑式绩效考核",
     "惠阳区表格化捆绑式绩效考核模式试点", "HZ-HY",
     ("2016-019", "2016-029"), "mid_term"),
    ("M02", "项目审批制度改革",
     "博罗县项目审批制度改革试点", "HZ-BL",
     ("2016-020", "2016-028"), "under_way"),
    ("M03", "两图工作法",
     "大亚湾区“两图工作法”试点", "HZ-DYW",
     ("2016-021", "2016-029"), "mid_term"),
    ("M04", "农村金融改革创新",
     "惠东县深化农村金融改革创新试点", "HZ-HD",
     ("2016-022",), "under_way"),
    ("M05", "强村固组",
     "惠城区“强村固组”工程试点", "HZ-HC",
     ("2016-023", "2016-027"), "under_way"),
    ("M06", "科技金融体制改革",
     "仲恺高新区科技金融体制改革试点", "HZ-ZK",
     ("2016-024",), "under_way"),
    ("M07", "PPP城乡生活垃圾一体化处理",
     "龙门县以PPP模式构建城乡生活垃圾一体化处理体系试点", "HZ-LM",
     ("2016-025", "2016-043"), "under_way"),
]
# fmt: on
#: The municipal pilots: applied for in March, approved by the leading group's office
#: document, started in April, for two years.
BRANDS_APPLIED = d(3, 4)
BRANDS_APPROVED = d(3, 25)
BRANDS_APPROVAL = "惠市改〔2016〕5号"
BRANDS_STARTED = d(4, 1)


def _mid_term(code: str, name: str, reviewer: str) -> MidTerm:
    month = 6 + stable(f"mid/{code}") % 4
    return MidTerm(
        opened=d(month, 6),
        reviewed=d(month, 20 + stable(f"rev/{code}") % 8),
        reviewer=reviewer,
        findings=(
            f"{name}按试点方案推进，阶段目标基本完成；"
            "部分配套制度尚未出台，须在试点期内完善并做好经验总结。"
        ),
    )


def _dated(code: str, state: str, approved_on: dt.date) -> dict:
    """Registration, approval and start of a pilot: those approved before 2016 go into
    the registry as it is built; those of 2016 are applied for, approved on their
    approval's day and started a few weeks later."""
    if approved_on.year < 2016:
        return {"registered": REGISTRY_ON, "approved": REGISTRY_ON, "started": STARTED_ON}
    applied = max(d(1, 25), approved_on - dt.timedelta(days=40 + stable(code) % 30))
    started = None if state == "approved" else approved_on + dt.timedelta(days=14)
    return {"registered": applied, "approved": approved_on, "started": started}


def _national() -> list[Pilot]:
    out = list(NAMED_NATIONAL)
    for code, name, body, host, y0, y1, number, approved_on, tasks, state in OTHER_NATIONAL:
        out.append(
            Pilot(
                code=code,
                name=name,
                level="national",
                granting_body=body,
                host=host,
                start=dt.date(y0, 1, 1),
                end=dt.date(y1, 12, 31),
                goals=f"按照{body}批复的试点方案，在试点期内完成{name}各项任务，形成可复制推广的制度成果。",
                approval_no=number,
                approved_on=approved_on,
                tasks=tasks,
                mid_term=_mid_term(code, name, f"{body.split('、')[0]}评估组")
                if state == "mid_term"
                else None,
                **_dated(code, state, approved_on),
            )
        )
    return out


def _provincial() -> list[Pilot]:
    out = []
    for code, name, body, host, y0, y1, tasks, state in PROVINCIAL:
        first = body.split("、")[0]
        if y0 < 2016:
            approved_on = dt.date(y0 - 1, 3 + stable(code) % 9, 1 + stable(f"day/{code}") % 27)
        else:
            approved_on = d(2 + stable(code) % 8, 1 + stable(f"day/{code}") % 27)
        number = f"{PREFIXES[first]}〔{approved_on.year}〕{10 + stable(f'no/{code}') % 190}号"
        acceptance = None
        if state in ("acceptance", "concluded"):
            acceptance = Accepted(
                opened=d(10, 17),
                accepted=d(12, 9) if state == "concluded" else None,
                body=f"{first}验收组" if state == "concluded" else "",
                concluded=d(12, 23) if state == "concluded" else None,
                experience=(CONCLUDED_EXPERIENCE[code] if state == "concluded" else ""),
            )
        out.append(
            Pilot(
                code=code,
                name=name,
                level="provincial",
                granting_body=body,
                host=host,
                start=dt.date(y0, 1, 1),
                end=dt.date(y1, 12, 31),
                goals=f"按照{body}批复的试点方案，在试点期内完成{name}各项任务，形成可复制推广的制度成果。",
                approval_no=number,
                approved_on=approved_on,
                tasks=tasks,
                mid_term=_mid_term(code, name, f"{first}评估组")
                if state in ("mid_term", "acceptance", "concluded")
                else None,
                acceptance=acceptance,
                **_dated(code, state, approved_on),
            )
        )
    return out


def _municipal() -> list[Pilot]:
    out = []
    for code, brand, name, host, tasks, state in BRANDS:
        out.append(
            Pilot(
                code=code,
                name=name,
                level="municipal",
                granting_body=CITY_GROUP,
                host=host,
                start=d(3, 1),
                end=dt.date(2017, 12, 31),
                goals=(
                    f"市级改革工作试点（一县区一品牌）：打造“{brand}”改革品牌，"
                    "取得关键性突破，形成可在全市复制推广的经验。"
                ),
                approval_no=BRANDS_APPROVAL,
                approved_on=BRANDS_APPROVED,
                registered=BRANDS_APPLIED,
                approved=BRANDS_APPROVED,
                started=BRANDS_STARTED,
                tasks=tasks,
                brand=brand,
                mid_term=_mid_term(code, name, "市委改革办评估组") if state == "mid_term" else None,
            )
        )
    return out


PILOTS: list[Pilot] = [*_national(), *_provincial(), *_municipal()]
assert sum(p.level == "national" for p in PILOTS) == 18
assert sum(p.level == "provincial" for p in PILOTS) == 44
assert len({p.code for p in PILOTS}) == len(PILOTS)


# --- sub-projects and investment ---------------------------------------------------


@dataclass(frozen=True)
class SubProject:
    """A sub-project with its planned investment and what it completed in each 2016
    period (period number -> 万元)."""

    code: str
    name: str
    host: str
    planned: int
    completed: dict[int, int]


#: The water-ecology pilot's 64 projects of its three-year period, by host unit.
WATER_PROJECTS = {
    "HZ-HC": [
        "西枝江惠城段综合整治工程",
        "惠州西湖水环境提升工程",
        "金山湖生态修复工程",
        "水口污水处理厂二期工程",
        "江北片区截污管网完善工程",
        "横江沥河涌综合整治工程",
        "马安镇农村饮水安全巩固提升工程",
        "红花湖水源保护工程",
        "东江惠城段堤防加固工程",
        "东江水文化公园建设工程",
    ],
    "HZ-HY": [
        "淡水河惠阳段综合整治工程",
        "沙田水库扩容工程",
        "惠阳区第二污水处理厂扩建工程",
        "淡水河支流河涌截污工程",
        "秋长街道生态河道建设工程",
        "镇隆镇农村饮水安全工程",
        "永湖镇小流域综合治理工程",
        "惠阳城区排涝泵站改造工程",
        "淡水河水文化景观带工程",
    ],
    "HZ-BL": [
        "东江博罗段堤防达标加固工程",
        "罗浮山水生态保护工程",
        "沙河综合整治工程",
        "博罗县城污水处理厂提标改造工程",
        "石湾镇截污管网工程",
        "显岗水库除险加固工程",
        "公庄河小流域综合治理工程",
        "湖镇镇农村饮水安全工程",
        "博罗县城区雨污分流工程",
        "园洲镇生态湿地建设工程",
    ],
    "HZ-HD": [
        "西枝江惠东段综合整治工程",
        "白盆珠水库水源保护工程",
        "惠东县第二污水处理厂工程",
        "平山街道截污管网工程",
        "吉隆河综合整治工程",
        "多祝镇农村饮水安全工程",
        "稔平半岛供水工程",
        "惠东县城区防洪排涝工程",
        "巽寮湾海岸带生态修复工程",
    ],
    "HZ-LM": [
        "增江龙门段综合整治工程",
        "天堂山水库水源保护工程",
        "龙门县城污水处理厂二期工程",
        "永汉镇截污管网工程",
        "龙门县农村饮水安全巩固提升工程",
        "路溪河小流域综合治理工程",
        "龙门县城区堤防加固工程",
        "南昆山水生态保护工程",
    ],
    "HZ-DYW": [
        "大亚湾西区污水处理厂工程",
        "岩前河综合整治工程",
        "响水河综合整治工程",
        "霞涌河生态修复工程",
        "大亚湾区雨污分流工程",
        "大亚湾红树林湿地修复工程",
    ],
    "HZ-ZK": [
        "潼湖湿地生态修复工程",
        "仲恺高新区第三污水处理厂工程",
        "陈江河综合整治工程",
        "沥林镇截污管网工程",
        "潼湖流域水环境综合整治工程",
        "仲恺高新区城区排涝工程",
    ],
    "HZ-SWJ": [
        "惠州市水资源监控能力建设工程",
        "东江惠州段饮用水源地保护工程",
        "惠州市城乡供水一体化工程",
        "惠州市水土保持监测网络建设工程",
        "惠州市水生态文明宣传教育基地",
        "最严格水资源管理制度考核平台建设",
    ],
}

#: The water-ecology pilot's completed investment over its period (30亿元), 万元.
WATER_TOTAL = 300_000
WATER_COUNT = 64


def _spread(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, in whole 万元, adding up to `total`
    exactly (the remainder goes to the largest share)."""
    shares = [total * w // sum(weights) for w in weights]
    shares[shares.index(max(shares))] += total - sum(shares)
    return shares


def water_projects() -> list[SubProject]:
    """The 64 projects, each with its planned investment and its completion spread
    over the months from its start (all started by May: milestone "64个试点项目全部
    开工") to December; the completions add up to WATER_TOTAL exactly."""
    rows = [(host, name) for host, names in WATER_PROJECTS.items() for name in names]
    assert len(rows) == WATER_COUNT
    totals = _spread(WATER_TOTAL, [20 + stable(name) % 180 for _host, name in rows])
    out = []
    for i, ((host, name), total) in enumerate(zip(rows, totals, strict=True), start=1):
        first = 1 + stable(f"start/{name}") % 5
        months = list(range(first, 13))
        monthly = _spread(total, [3 + stable(f"{name}/{m}") % 7 for m in months])
        planned = round(total * (100 + stable(f"plan/{name}") % 25) / 100, -1)
        out.append(
            SubProject(
                code=f"SST-{i:02d}",
                name=name,
                host=host,
                planned=int(planned),
                completed=dict(zip(months, monthly, strict=True)),
            )
        )
    return out


#: 龙门县's PPP waste brand has three sub-projects of its own: (code, name, planned,
#: completed per period from April).
PPP_PILOT = "M07"
PPP_PROJECTS = [
    SubProject(
        "PPP-01",
        "龙门县城乡生活垃圾收运体系建设（PPP）",
        "HZ-LM",
        18_600,
        {4: 900, 5: 1_100, 6: 1_300, 7: 800, 8: 900, 9: 1_000, 10: 700, 11: 600, 12: 500},
    ),
    SubProject(
        "PPP-02",
        "龙门县生活垃圾焚烧发电厂（PPP）",
        "HZ-LM",
        32_000,
        {6: 1_500, 7: 2_000, 8: 1_800, 9: 1_600, 10: 1_400, 11: 1_200},
    ),
    SubProject(
        "PPP-03",
        "镇村生活垃圾转运站建设",
        "HZ-LM",
        4_800,
        {5: 400, 6: 600, 7: 500, 8: 500, 9: 400, 10: 400, 11: 300},
    ),
]

#: Sub-projects are listed a few days after their pilot starts; investment for a
#: period is reported on a day between the 2nd and the 4th of the next month.
SUB_PROJECTS_ON = {WATER: d(1, 25), PPP_PILOT: d(4, 8)}


# --- grassroots innovations --------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    unit: str
    on: dt.date
    result: str


@dataclass(frozen=True)
class Innovation:
    """A grassroots innovation proposed by `unit` on `proposed`; decided on `decided`
    by the office (`decision`: accept, return, decline; "" none yet), linked to a
    pilot or a task when accepted; declared a replicable experience on `declared`,
    then adopted by other units."""

    unit: str
    proposed: dt.date
    title: str
    problem: str
    actions: str
    results: str
    decision: str = ""
    decided: dt.date | None = None
    reason: str = ""
    pilot: str = ""
    task: str = ""
    declared: dt.date | None = None
    experience: str = ""
    adoptions: tuple[Adoption, ...] = ()


INNOVATIONS = [
    Innovation(
        unit="HZ-DYW",
        proposed=d(3, 8),
        title="“两图工作法”：以作战图、路线图推动重点工作落实",
        problem="重点工作责任不清、节点不明，推进情况难以一目了然，督查考核缺乏依据。",
        actions=(
            "每项重点工作绘制“作战图”（目标、责任人、完成标准）和“路线图”（时间节点、"
            "推进步骤），挂图作战、按图督查，完成一项标注一项。"
        ),
        results="全区42项重点工作全部上图，按期完成率由去年的71%提高到93%。",
        decision="accept",
        decided=d(3, 22),
        reason="纳入大亚湾区市级改革试点统筹推进。",
        pilot="M03",
        declared=d(9, 26),
        experience=(
            "“两图工作法”把每项重点工作画成作战图和路线图，明确目标、责任人、完成标准和"
            "时间节点，挂图作战、按图督查、对图考核，适用于各县（区）和市直部门的重点工作"
            "落实，可在全市复制推广。"
        ),
        adoptions=(
            Adoption("HZ-HD", d(10, 20), "县重点项目和民生实事全部上图，挂图作战，按图督查。"),
            Adoption("HZ-LM", d(11, 15), "在全县重点项目建设中推行作战图、路线图，按月对图通报。"),
        ),
    ),
    Innovation(
        unit="HZ-HY",
        proposed=d(4, 12),
        title="镇（街道）绩效考核“一表通”",
        problem="镇（街道）考核项目多、台账重复，考核结果与干部个人绩效脱节。",
        actions="以一张表格列明各镇（街道）年度任务、责任人和考核分值，镇、部门和干部个人绩效捆绑考核。",
        results="考核台账由27本减为1张表，新圩镇先行推开。",
        decision="accept",
        decided=d(4, 26),
        reason="并入惠阳区表格化捆绑式绩效考核模式试点。",
        pilot="M01",
    ),
    Innovation(
        unit="HZ-HC",
        proposed=d(6, 15),
        title="村级集体经济“股份合作+物业经营”模式",
        problem="部分村集体经济薄弱，村民小组党组织凝聚力不强。",
        actions="以村集体土地和物业入股组建股份经济合作社，统一经营，收益按股分红。",
        results="试点村集体年收入平均增长18%。",
        decision="accept",
        decided=d(7, 5),
        reason="作为“强村固组”工程的一项具体措施推进。",
        task="2016-023",
    ),
    Innovation(
        unit="HZ-BL",
        proposed=d(5, 10),
        title="重大项目审批“代办员”制度",
        problem="企业不熟悉审批流程，往返多个部门，项目落地慢。",
        actions="为每个重大项目指定一名代办员，全程代办立项、用地、规划、环评等审批手续。",
        results="重大项目审批平均用时缩短约四成。",
        decision="return",
        decided=d(5, 24),
        reason=(
            "与市级重大项目代办服务制度（2016-039）内容相近，请突出博罗县的做法与成效，"
            "补充审批时限压缩的统计数据后重新报送。"
        ),
    ),
    Innovation(
        unit="HZ-ZK",
        proposed=d(8, 9),
        title="科技企业知识产权质押融资“政银保”合作模式",
        problem="轻资产科技企业缺少抵押物，银行贷款难。",
        actions="政府设立风险补偿资金，银行、保险机构按比例分担知识产权质押贷款风险。",
        results="首批23家科技企业获得知识产权质押贷款。",
        decision="accept",
        decided=d(8, 30),
        reason="纳入仲恺高新区科技金融体制改革试点。",
        pilot="M06",
    ),
    Innovation(
        unit="HZ-LM",
        proposed=d(10, 12),
        title="农村生活垃圾分类“积分兑换”",
        problem="农村垃圾分类参与率低。",
        actions="村民分类投放垃圾积分，积分可兑换生活用品。",
        results="试点村垃圾分类参与率达到65%。",
        decision="decline",
        decided=d(10, 28),
        reason="已纳入龙门县PPP城乡生活垃圾一体化处理试点统筹推进，不再单列为基层创新。",
    ),
    Innovation(
        unit="HZ-HD",
        proposed=d(11, 21),
        title="“信用村、信用户”评定助推金融扶贫",
        problem="贫困户缺乏信用记录和抵押物，难以获得贷款。",
        actions="开展信用村、信用户评定，评定结果与小额信贷额度、利率挂钩。",
        results="全县评定信用户1.2万户，发放扶贫小额信贷1.6亿元。",
    ),
]


# --- indicators --------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """An indicator of the city office; values per 2016 period (number -> value),
    reported by the owner unit's demo login early in the next month and checked by the
    office. `computed`: the values come from the pilot's rows at the time of reporting
    (sub-projects started, investment completed), never typed here."""

    code: str
    name: str
    measure: str
    owner: str
    target: int | None = None
    target_next: int | None = None  # the 2017 target, set in January 2017
    values: dict[int, int] | None = None
    direction: str = "higher"
    baseline: int | None = None
    baseline_year: int | None = None
    source: str = ""
    tasks: tuple[str, ...] = ()
    pilots: tuple[str, ...] = ()
    ratio: tuple[str, str] | None = None  # (numerator code, denominator code)
    scale: int = 1
    computed: str = ""  # "started" / "invested": counted from the water pilot's rows
    periods: tuple[int, ...] = ()  # the periods a computed indicator is reported on


INDICATORS = [
    Indicator(
        code="GQ-01",
        name="国有“僵尸企业”户数",
        measure="户",
        owner="HZ-GZW",
        # Reported each quarter beside the closures: the rate divides values of one period.
        values={3: 454, 6: 454, 9: 454, 12: 454},
        source="市国资委“僵尸企业”处置台账",
        tasks=("2016-007",),
    ),
    Indicator(
        code="GQ-02",
        name="关停国有“僵尸企业”户数",
        measure="户",
        owner="HZ-GZW",
        baseline=0,
        baseline_year=2015,
        target=318,
        target_next=400,
        values={3: 41, 6: 128, 9: 236, 12: 336},
        source="关停企业清单、注销材料",
        tasks=("2016-007", "2016-002"),
        pilots=("P07",),
    ),
    Indicator(
        code="GQ-03",
        name="国有“僵尸企业”关停率",
        measure="%",
        owner="HZ-GZW",
        baseline=0,
        baseline_year=2015,
        target=70,
        target_next=88,
        ratio=("GQ-02", "GQ-01"),
        scale=100,
        tasks=("2016-007",),
        pilots=("P07",),
    ),
    Indicator(
        code="JR-01",
        name="风险补偿基金支持企业获得贷款户数",
        measure="家",
        owner="HZ-JRJ",
        baseline=0,
        baseline_year=2015,
        target=60,
        target_next=120,
        values={8: 14, 9: 27, 10: 41, 11: 53, 12: 66},
        source="合作银行放款清单",
        tasks=("2016-008",),
        pilots=("P08",),
    ),
    Indicator(
        code="JR-02",
        name="风险补偿基金支持企业获得贷款金额",
        measure="万元",
        owner="HZ-JRJ",
        baseline=0,
        baseline_year=2015,
        target=30_000,
        target_next=60_000,
        values={8: 6_800, 9: 13_500, 10: 21_000, 11: 27_600, 12: 35_000},
        source="贷款统计表、银行确认函",
        tasks=("2016-008",),
        pilots=("P08",),
    ),
    Indicator(
        code="ST-01",
        name="水生态文明城市建设试点开工项目数",
        measure="个",
        owner="HZ-SWJ",
        baseline=0,
        baseline_year=2015,
        target=WATER_COUNT,
        computed="started",
        periods=(3, 5),
        source="试点项目开工台账（子项目投资报告）",
        tasks=("2016-016",),
        pilots=(WATER,),
    ),
    Indicator(
        code="ST-02",
        name="水生态文明城市建设试点累计完成投资",
        measure="万元",
        owner="HZ-SWJ",
        baseline=0,
        baseline_year=2015,
        target=WATER_TOTAL,
        computed="invested",
        periods=(3, 6, 9, 12),
        source="试点子项目投资报告汇总",
        tasks=("2016-016",),
        pilots=(WATER,),
    ),
    # Two that ended the year behind their path (the dashboard's "off track").
    Indicator(
        code="CZ-01",
        name="居住证发放量",
        measure="万张",
        owner="HZ-GAJ",
        target=120,
        target_next=150,
        baseline=0,
        baseline_year=2015,
        values={6: 38, 9: 61, 12: 96},
        source="居住证信息系统",
        tasks=("2016-015",),
        pilots=("N02",),
    ),
    Indicator(
        code="BDC-01",
        name="不动产登记平均办结时限",
        measure="工作日",
        owner="HZ-GTJ",
        direction="lower",
        target=10,
        target_next=7,
        baseline=30,
        baseline_year=2015,
        values={6: 22, 12: 15},
        source="不动产登记信息平台",
        tasks=("2016-040",),
        pilots=("P27",),
    ),
    Indicator(
        code="ZW-01",
        name="政务服务事项网上办理率",
        measure="%",
        owner="HZ-ZWB",
        target=60,
        target_next=80,
        baseline=20,
        baseline_year=2015,
        values={6: 38, 12: 63},
        source="网上办事大厅统计",
        tasks=("2016-009",),
        pilots=("P03",),
    ),
]

#: The office defines the indicators and their 2016 targets on this day.
INDICATORS_ON = d(1, 26)
#: ... and sets the 2017 targets (`target_next`) on this day of January 2017 (illustrative
#: figures: the report gives no 2017 targets).
NEXT_TARGETS_ON = dt.date(2017, 1, 20)
