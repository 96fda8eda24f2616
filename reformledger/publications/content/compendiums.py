"""The two annual compendiums, as content: 《惠州改革进行时·YYYY》 (the year's reforms by
area, each closed task with its results and deliverables, the five systemic reforms,
the highlights the office chose) and 《改革试点在惠州·YYYY》 (every pilot by level with
its host, goals, progress, investment, acceptance and experience; the county brands;
the replicable experiences and who adopted them)."""

from django.utils.translation import override

from reformledger.ledger.choices import DeliverableKind
from reformledger.ledger.models import ReformSystem
from reformledger.pilots.choices import PilotLevel, PilotStatus
from reformledger.publications.content import data
from reformledger.publications.content.blocks import Content, Section
from reformledger.publications.content.common import area_key, cut, day, front, place, yi

REFORM_SECTIONS_FIXED = [
    Section("preface", "前言", "编印说明"),
    Section("systems", "五大体系改革综述", ""),
    Section("highlights", "改革亮点综述", "亮点任务由办公室在本页选定"),
]
PILOT_SECTIONS = [
    Section("preface", "前言", "编印说明"),
    Section("national", "国家级试点综述", ""),
    Section("provincial", "省级试点综述", ""),
    Section("municipal", "市级试点（一县区一品牌）综述", ""),
    Section("experiences", "可复制推广经验综述", ""),
]


def reform_sections(areas: list) -> list[Section]:
    return [
        REFORM_SECTIONS_FIXED[0],
        *[Section(area_key(a), f"{a.name}领域综述", "") for a in areas],
        *REFORM_SECTIONS_FIXED[1:],
    ]


def pilot_sections(areas: list) -> list[Section]:
    return PILOT_SECTIONS


def _task_entry(c: Content, number: int, f: data.TaskFacts) -> None:
    t = f.task
    c.h3(number, t.title)
    c.p(f"牵头单位：{t.lead_unit.name}。{cut(t.description, 200)}")
    if f.closing is not None:
        c.p(f"改革成果：{f.closing.summary.strip()}")
        c.p(
            f"成果形式：{DeliverableKind(t.deliverable_kind).label}"
            f"（{f.closing.document_no}，{day(f.closing.document_date)}）；"
            f"{day(f.closing.decided_at.date())}销账。"
        )


def build_reform(publication, year: data.Year, narratives: dict[str, str]) -> Content:
    with override("zh-hans"):
        c = front(publication, narratives)
        y, city = publication.year, place(publication)
        closed = year.closed()
        c.h1("前言")
        c.narrative("preface")
        c.p(
            f"{y}年，{city}推进改革任务{len(year.tasks)}项，截至{year.period.label}期已销账"
            f"{len(closed)}项。本书按改革领域汇编已销账任务的改革成果。"
        )
        by_area = year.by_area()
        for area in [a for a in year.areas if a.pk in by_area]:
            done = [f for f in by_area[area.pk] if f.closing is not None]
            c.h1(f"{area.name}领域改革")
            c.narrative(area_key(area))
            c.p(f"本领域推进改革任务{len(by_area[area.pk])}项，已销账{len(done)}项。")
            for number, f in enumerate(done, start=1):
                _task_entry(c, number, f)
        c.h1("五大体系改革")
        c.narrative("systems")
        tasks_by_system: dict[int, list[data.TaskFacts]] = {}
        for f in year.tasks:
            if f.task.system_id:
                tasks_by_system.setdefault(f.task.system_id, []).append(f)
        for system in ReformSystem.objects.order_by("order", "code"):
            facts = tasks_by_system.get(system.pk, [])
            if not facts:
                continue
            c.h2(system.name)
            c.p(cut(system.description, 300))
            c.table(
                "",
                ["编号", "改革任务", "牵头单位", "状态"],
                [
                    [
                        f.task.code,
                        cut(f.task.title, 40),
                        f.task.lead_unit.name,
                        "已销账" if f.closing else ("结转下年" if f.carried else "推进中"),
                    ]
                    for f in facts
                ],
                [2.0, 7.6, 3.6, 2.4],
                key=f"system-{system.code}",
            )
        chosen = set(publication.highlights.values_list("pk", flat=True))
        highlights = [f for f in year.tasks if f.task.pk in chosen]
        c.h1("改革亮点")
        c.narrative("highlights")
        for number, f in enumerate(highlights, start=1):
            _task_entry(c, number, f)
        return c


def build_pilots(publication, year: data.Year, narratives: dict[str, str]) -> Content:
    with override("zh-hans"):
        c = front(publication, narratives)
        y, city = publication.year, place(publication)
        pilots = data.pilot_facts(publication.office, y, year.as_of)
        c.h1("前言")
        c.narrative("preface")
        c.p(
            f"截至{y}年底，{city}承担各级改革试点{len(pilots)}项。本书汇编各级试点的"
            "承担单位、目标、进展、投资、验收和经验。"
        )
        c.table(
            "各级改革试点",
            ["层级", "试点数", "已验收"],
            [
                [
                    str(lv.label),
                    sum(1 for f in pilots if f.pilot.level == lv),
                    sum(1 for f in pilots if f.pilot.level == lv and f.acceptance is not None),
                ]
                for lv in PilotLevel
            ],
            key="pilots_by_level",
        )
        for level in PilotLevel:
            rows = [f for f in pilots if f.pilot.level == level]
            if not rows:
                continue
            c.h1(f"{level.label}改革试点")
            c.narrative(level.value)  # the sections' keys are the levels
            for number, f in enumerate(rows, start=1):
                p = f.pilot
                c.h3(number, p.name + (f"（{p.brand}）" if p.brand else ""))
                c.p(
                    f"批准单位：{p.granting_body}；承担单位：{p.host_unit.name}；"
                    f"试点期限：{day(p.start)}至{day(p.end)}；进展：{PilotStatus(p.status).label}。"
                )
                c.p(f"试点目标：{cut(p.goals, 300)}")
                if f.projects:
                    c.p(
                        f"子项目{f.projects}个，计划投资{yi(f.planned)}亿元，"
                        f"已完成投资{yi(f.completed)}亿元。"
                    )
                if f.acceptance is not None:
                    a = f.acceptance
                    c.p(
                        f"验收：{a.accepting_body}于{day(a.accepted_on)}验收，"
                        f"结果为{a.get_result_display()}"
                        + (f"，{a.rank_text}" if a.rank_text else "")
                        + "。"
                    )
                if p.experience:
                    c.p(f"经验：{p.experience.strip()}")
        brands = [f for f in pilots if f.pilot.brand]
        c.h1("一县区一品牌")
        c.table(
            "县区改革品牌",
            ["县区", "品牌", "试点"],
            [[f.pilot.host_unit.name, f.pilot.brand, cut(f.pilot.name, 40)] for f in brands],
            [3.4, 5.0, 7.2],
            key="brands",
        )
        c.h1("可复制推广经验")
        c.narrative("experiences")
        for number, innovation in enumerate(data.innovations(publication.office, y), start=1):
            c.h3(number, innovation.title)
            summary = cut(innovation.experience or innovation.results, 300)
            c.p(f"首创单位：{innovation.unit.name}。{summary}")
            adopters = "、".join(a.unit.name for a in innovation.adoptions.all())
            c.p(f"推广单位：{adopters}。" if adopters else "推广单位：暂无。")
        return c
