"""The evaluation report to the province (《改革全面评估报告》), as content: every figure
from the ledger as of the publication's frozen period, the office's words in between.

Chapters: overview (tasks by area and rating, closings, carry-overs); one section per
reform area (its tasks with their rating path, results and problems); pilots (by level,
acceptance, investment); the special and third-party evaluations (scores, findings,
recommendations); indicators (target against actual); supervision (orders, the leading
group's collective reviews); the cards; problems and next year's plans; and the annex
with the full task table.
"""

from collections import Counter
from decimal import Decimal

from django.utils.translation import override

from reformledger.evaluation.choices import EvaluationKind
from reformledger.indicators.choices import Track
from reformledger.ledger.choices import TaskStatus
from reformledger.pilots.choices import PilotLevel, PilotStatus
from reformledger.publications.content import data
from reformledger.publications.content.blocks import Content, Section
from reformledger.publications.content.common import (
    area_key,
    cut,
    day,
    front,
    percent,
    place,
    yi,
)
from reformledger.supervision.choices import OrderLevel

FIXED_SECTIONS = [
    Section("overview", "总体评价", "对全年改革工作的总体评价（写在总体情况之前）"),
    Section("pilots", "改革试点评价", "试点工作的评价"),
    Section("evaluations", "专项评估和第三方评估评价", "评估发现的共性问题和整改要求"),
    Section("indicators", "指标完成情况评价", ""),
    Section("supervision", "督查督办评价", ""),
    Section("cards", "年度考核评价", ""),
    Section("problems", "存在问题", "全年改革中存在的主要问题"),
    Section("next_year", "下一步打算", "明年改革工作的思路和计划"),
]


def sections(areas: list) -> list[Section]:
    """The report's narrative sections: the fixed ones and one per reform area of the
    year's tasks (`areas`), in the order they appear in the report."""
    per_area = [Section(area_key(a), f"{_area(a.name)}评价", "") for a in areas]
    return [FIXED_SECTIONS[0], *per_area, *FIXED_SECTIONS[1:]]


def _status(f: data.TaskFacts) -> str:
    if f.closing is not None:
        return "已销账"
    if f.carried:
        return "结转下年"
    return str(TaskStatus(f.task.status).label)


def _path(letters: list[str]) -> str:
    """The rating path with repeats folded: BBBBA -> B→A."""
    folded = [x for i, x in enumerate(letters) if i == 0 or letters[i - 1] != x]
    return "→".join(folded) or "—"


def _area(name: str) -> str:
    return name if name.endswith("领域") else f"{name}领域"


def build(publication, year: data.Year, narratives: dict[str, str]) -> Content:
    with override("zh-hans"):
        return _build(publication, year, narratives)


def _build(publication, year: data.Year, narratives: dict[str, str]) -> Content:
    office, y = publication.office, publication.year
    c = front(publication, narratives)
    city = place(publication)
    letters = year.letters
    closed = year.closed()
    carried = [t for t in year.tasks if t.carried]
    key_tasks = [t for t in year.tasks if t.task.is_key]
    counts = year.letter_counts()
    by_area = year.by_area()
    areas = [a for a in year.areas if a.pk in by_area]

    # 一、总体情况 ------------------------------------------------------------------
    c.h1("总体情况")
    c.narrative("overview")
    spread = "、".join(f"{letter}级{counts.get(letter, 0)}项" for letter in letters)
    c.p(
        f"{y}年，{city}共推进改革任务{len(year.tasks)}项，其中重点改革任务{len(key_tasks)}项。"
        f"截至{day(year.as_of)}，已销账{len(closed)}项，"
        f"销账率{percent(len(closed), len(year.tasks))}；"
        f"结转下年{len(carried)}项。年末评价{spread}。"
    )
    header = ["改革领域", "任务数", *[f"{x}级" for x in letters], "已销账"]
    rows = []
    for area in areas:
        tasks = by_area[area.pk]
        n = year.letter_counts(tasks)
        rows.append(
            [
                area.name,
                len(tasks),
                *[n.get(x, 0) for x in letters],
                sum(1 for t in tasks if t.closing),
            ]
        )
    rows.append(["合计", len(year.tasks), *[counts.get(x, 0) for x in letters], len(closed)])
    widths = [3.2, 1.6, *[9.2 / max(len(letters), 1)] * len(letters), 1.6]
    c.table("表1 各领域改革任务年末评价和销账情况", header, rows, widths, key="ratings_by_area")
    c.chart(
        "图1 各领域改革任务年末评价",
        [a.name for a in areas],
        [(f"{x}级", [year.letter_counts(by_area[a.pk]).get(x, 0) for a in areas]) for x in letters],
        stacked=True,
        colours=[year.colours.get(x, "#6c757d") for x in letters],
        category_label="改革领域",
        key="ratings_by_area_chart",
    )
    on_time = sum(1 for t in closed if t.closing.decided_at.date() <= t.task.deadline)
    c.table(
        "表2 改革任务完成情况",
        ["项目", "数量（项）"],
        [
            ["改革任务", len(year.tasks)],
            ["其中：重点改革任务", len(key_tasks)],
            ["已销账", len(closed)],
            ["其中：按期销账", on_time],
            ["结转下年", len(carried)],
        ],
        key="completion",
    )

    # 二、分领域评估 ------------------------------------------------------------------
    c.h1("分领域改革评估")
    for area in areas:
        tasks = by_area[area.pk]
        n = year.letter_counts(tasks)
        c.h2(_area(area.name))
        c.narrative(area_key(area))
        c.p(
            f"本领域改革任务{len(tasks)}项，已销账{sum(1 for t in tasks if t.closing)}项；年末评价"
            + "、".join(f"{x}级{n.get(x, 0)}项" for x in letters)
            + "。"
        )
        c.table(
            f"{_area(area.name)}改革任务",
            ["编号", "改革任务", "牵头单位", "评价轨迹", "年末评价", "状态"],
            [
                [
                    t.task.code,
                    cut(t.task.title, 40),
                    t.task.lead_unit.name,
                    _path(t.path),
                    t.letter or "—",
                    _status(t),
                ]
                for t in tasks
            ],
            [2.0, 5.4, 3.0, 2.6, 1.5, 1.5],
            key=f"tasks-{area.code}",
        )
        results = [t for t in tasks if t.closing is not None]
        if results:
            c.p(
                "主要成果："
                + "；".join(
                    f"{t.task.code}{cut(t.task.title, 24)}（{cut(t.closing.summary, 30)}）"
                    for t in results
                )
                + "。"
            )
        lagging = [t for t in tasks if t.letter in ("C", "D", "E") and t.closing is None]
        if lagging:
            c.p(
                "存在问题："
                + "；".join(
                    f"{t.task.code}{cut(t.task.title, 24)}年末评价{t.letter}级" for t in lagging
                )
                + "。"
            )

    # 三、改革试点 ----------------------------------------------------------------------
    pilots = data.pilot_facts(office, y, year.as_of)
    c.h1("改革试点")
    c.narrative("pilots")
    levels = Counter(f.pilot.level for f in pilots)
    c.p(
        f"截至{y}年底，{city}承担各级改革试点{len(pilots)}项，"
        f"其中国家级{levels.get('national', 0)}项、"
        f"省级{levels.get('provincial', 0)}项、市级{levels.get('municipal', 0)}项。"
    )
    statuses = [s for s in PilotStatus if any(f.pilot.status == s for f in pilots)]
    level_list = [lv for lv in PilotLevel if levels.get(lv.value)]
    c.table(
        "表3 改革试点分级分阶段情况",
        ["层级", "合计", *[str(s.label) for s in statuses]],
        [
            [
                str(lv.label),
                levels[lv.value],
                *[
                    sum(1 for f in pilots if f.pilot.level == lv and f.pilot.status == s)
                    for s in statuses
                ],
            ]
            for lv in level_list
        ]
        + [
            [
                "合计",
                len(pilots),
                *[sum(1 for f in pilots if f.pilot.status == s) for s in statuses],
            ]
        ],
        key="pilots_by_level",
    )
    c.chart(
        "图2 改革试点分级情况",
        [str(lv.label) for lv in level_list],
        [("试点数", [levels[lv.value] for lv in level_list])],
        category_label="层级",
        key="pilots_by_level_chart",
    )
    accepted = [f for f in pilots if f.acceptance is not None]
    if accepted:
        c.table(
            "表4 改革试点验收情况",
            ["试点", "层级", "验收单位", "验收结果", "名次"],
            [
                [
                    cut(f.pilot.name, 30),
                    str(PilotLevel(f.pilot.level).label),
                    f.acceptance.accepting_body,
                    str(f.acceptance.get_result_display()),
                    f.acceptance.rank_text or "—",
                ]
                for f in accepted
            ],
            [5.0, 1.6, 3.6, 2.4, 3.4],
            key="acceptances",
        )
    invested = [f for f in pilots if f.projects]
    if invested:
        c.table(
            "表5 改革试点子项目投资情况（万元）",
            ["试点", "子项目数", "计划投资", "已完成投资", "完成率"],
            [
                [
                    cut(f.pilot.name, 30),
                    f.projects,
                    f.planned,
                    f.completed,
                    percent(int(f.completed), int(f.planned)),
                ]
                for f in invested
            ],
            [6.0, 2.0, 2.6, 2.6, 2.4],
            key="investment",
        )
        for f in invested:
            c.p(f"{f.pilot.name}：{f.projects}个子项目，累计完成投资{yi(f.completed)}亿元。")

    # 四、专项评估和第三方评估 -------------------------------------------------------------
    evaluations = data.evaluations(office, y)
    kinds = Counter(e.kind for e in evaluations)
    c.h1("专项评估和第三方评估")
    c.narrative("evaluations")
    c.p(
        f"{y}年度共开展全面评估{kinds.get(EvaluationKind.COMPREHENSIVE, 0)}项、"
        f"专项评估{kinds.get(EvaluationKind.SPECIAL, 0)}项、"
        f"第三方评估{kinds.get(EvaluationKind.THIRD_PARTY, 0)}项。"
    )
    c.table(
        "表6 评估开展情况",
        ["评估类型", "数量（项）"],
        [[str(k.label), kinds.get(k.value, 0)] for k in EvaluationKind]
        + [["合计", len(evaluations)]],
        key="evaluations_by_kind",
    )
    if evaluations:
        c.table(
            "表7 各项评估得分",
            ["评估", "类型", "状态", "得分"],
            [
                [
                    cut(e.title, 40),
                    str(e.get_kind_display()),
                    str(e.get_status_display()),
                    e.total if e.total is not None else "—",
                ]
                for e in evaluations
            ],
            [8.2, 2.4, 2.4, 2.4],
            key="evaluation_scores",
        )
    found = data.findings(office, y)
    if found:
        c.table(
            "表8 评估发现的问题和建议",
            ["评估", "问题", "建议"],
            [
                [cut(f.evaluation.title, 20), cut(f.text, 60), cut(f.recommendation, 60) or "—"]
                for f in found
            ],
            [4.0, 6.0, 6.0],
            key="findings",
        )

    # 五、改革指标 ----------------------------------------------------------------------
    indicators = data.indicators(office, y)
    c.h1("改革指标完成情况")
    c.narrative("indicators")
    if indicators:
        c.table(
            "表9 改革指标目标和实际",
            ["指标", "单位", "年度目标", "实际完成", "完成情况"],
            [
                [
                    i.name,
                    i.measure,
                    i.facts.target,
                    i.facts.latest.value.quantize(_places(i.decimals)) if i.facts.latest else None,
                    str(Track(i.facts.track).label),
                ]
                for i in indicators
            ],
            [6.4, 1.6, 2.4, 2.4, 3.2],
            key="indicators",
        )

    # 六、督查督办 ----------------------------------------------------------------------
    sup = data.supervision(office, y)
    c.h1("督查督办")
    c.narrative("supervision")
    c.p(
        f"{y}年，召开改革领导小组会议{len(sup.meetings)}次，审议改革文件{sup.documents}件，"
        f"对{len(sup.reviews)}项改革任务开展集体评议，布置整改事项{sup.action_items}项；"
        f"发出督办单{sup.orders}份，已答复{sup.orders_answered}份。"
    )
    c.table(
        "表10 督办单情况",
        ["督办等级", "数量（份）"],
        [[str(level.label), sup.orders_by_level.get(level.value, 0)] for level in OrderLevel]
        + [["合计", sup.orders], ["已答复", sup.orders_answered], ["已办结", sup.orders_accepted]],
        key="orders",
    )
    if sup.meetings:
        c.table(
            "表11 改革领导小组会议",
            ["会次", "日期", "审议文件（件）"],
            [[f"第{m.number}次", m.held_on.isoformat(), m.n_documents] for m in sup.meetings],
            key="meetings",
        )

    # 七、年度考核 ----------------------------------------------------------------------
    cards = data.cards(office, y)
    green = [card for card in cards if card.colour == data.GREEN]
    yellow = [card for card in cards if card.colour == data.YELLOW]
    c.h1("年度考核")
    c.narrative("cards")
    c.p(f"{y}年度共考核{len(cards)}个单位，绿牌{len(green)}个、黄牌{len(yellow)}个。")
    c.table(
        "表12 年度考核结果",
        ["结果", "单位数"],
        [["绿牌", len(green)], ["黄牌", len(yellow)], ["合计", len(cards)]],
        key="cards",
    )
    if yellow:
        c.table(
            "表13 黄牌单位及主要原因",
            ["单位", "得分", "主要原因"],
            [
                [
                    card.unit.name,
                    card.score,
                    cut("；".join(r.text for r in card.reasons.all() if r.triggers_yellow), 80)
                    or "—",
                ]
                for card in yellow
            ],
            [4.0, 2.0, 10.0],
            key="yellow_cards",
        )

    # 八、存在问题和下一步打算 -----------------------------------------------------------
    c.h1("存在问题和下一步打算")
    c.h2("存在问题")
    c.narrative("problems")
    lagging = [t for t in year.tasks if t.letter in ("D", "E")]
    c.p(f"年末评价为D级、E级的任务{len(lagging)}项，结转下年任务{len(carried)}项。")
    c.h2("下一步打算")
    c.narrative("next_year")

    # 附件 --------------------------------------------------------------------------
    c.page_break()
    c.blocks.append({"t": "h", "level": 1, "text": "附件：改革任务台账"})
    c.table(
        "",
        ["编号", "改革任务", "领域", "牵头单位", "重点", "完成时限", "年末评价", "状态"],
        [
            [
                t.task.code,
                cut(t.task.title, 40),
                t.task.area.name if t.task.area else "—",
                t.task.lead_unit.name,
                "是" if t.task.is_key else "",
                t.task.deadline.isoformat(),
                t.letter or "—",
                _status(t),
            ]
            for t in year.tasks
        ],
        [1.8, 4.4, 1.6, 2.6, 0.9, 2.0, 1.2, 1.5],
        key="annex",
    )
    return c


def _places(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)
