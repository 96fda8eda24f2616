"""The demo's 2016 publications (编印), made in early 2017 through their services: the
evaluation report to the province (《惠州市2016年度改革全面评估报告》) and the two
compendiums (《惠州改革进行时·2016》, 《改革试点在惠州·2016》). The office writes the words
around the figures (from the newspaper report the demo reproduces), chooses the
compendium's highlights (the closed key tasks) and generates each document once (the
Word document; the PDF is made from the page, on the queue). The report stays a draft:
the director records its submission upward when the office is done.
"""

import datetime as dt

from django.utils import timezone, translation

from reformledger.accounts.models import User
from reformledger.core.clock import pinned
from reformledger.demo import data
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Task
from reformledger.publications import services
from reformledger.publications.choices import PublicationKind
from reformledger.publications.models import Publication

__all__ = ["play"]

YEAR = 2016

REPORT_WORDS = {
    "overview": (
        "2016年是惠州“全面改革攻坚年”。市委全面深化改革领导小组召开会议3次，审议12个重要改革"
        "文件；年初将年度工作要点细化分解为“项目清单”，为每项任务制定“施工方案”，完成一项、"
        "销账一项。“顶层设计+基层创新”的地方改革模式不断完善，改革落实机制不断健全，“五大"
        "体系化改革”雏形初现，全年任务完成良好。"
    ),
    "pilots": (
        "坚持“承接试点”和“基层创新”两手抓，把上级部署的改革试点作为重要任务来抓，着力试出"
        "样子、走出路子；推进“一县区一品牌”，各县区改革特色逐步显现。"
    ),
    "evaluations": (
        "全年开展专项评估和第三方评估，评估发现的问题已通过整改会议转为整改事项，跟踪落实。"
    ),
    "indicators": "供给侧结构性改革主要指标完成年度目标，个别指标进度滞后，已纳入督办。",
    "supervision": (
        "实行改革任务挂图作战，对滞后任务发出督办单，逾期未答复的逐级升级，并提交领导小组集体评议。"
    ),
    "cards": "年度考核结果已经领导小组审定并向各单位反馈，对黄牌单位明确整改要求。",
    "problems": (
        "一是部分改革任务推进不平衡，少数任务年末评价较低；二是个别单位答复督办不及时；"
        "三是部分试点投资进度滞后于计划。"
    ),
    "next_year": (
        "2017年，继续深化“五大体系化改革”，抓好结转任务和评估整改事项的落实，"
        "推动改革试点形成更多可复制推广的经验。"
    ),
}
REFORM_WORDS = {
    "preface": "本书汇编2016年惠州市已销账改革任务的改革成果，供各地各部门交流借鉴。",
    "systems": (
        "市场化法治化营商环境体系改革、基层治理全领域改革、狠抓项目落地全流程改革、提高效率"
        "狠抓工作落实全过程改革、全面深化改革的体制机制改革等“五大体系化改革”雏形初现。"
    ),
    "highlights": "以下为市委改革办从全年销账的重点改革任务中选出的改革亮点。",
}
PILOT_WORDS = {
    "preface": "本书汇编惠州市承担的国家级、省级和市级改革试点的进展、验收和经验。",
    "national": "国家级改革试点18项，社会信用体系建设、新型城镇化综合试点等积累了可推广的经验。",
    "provincial": "省级改革试点44项，文化惠民卡试点在同批验收中位列第一。",
    "municipal": "推进“一县区一品牌”，各县区结合实际开展改革探索，基层探索亮点迭出。",
    "experiences": "经审核认定的基层改革创新经验，已在全市复制推广。",
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _make(office, kind, by, words: dict[str, str], day: dt.date, **front) -> Publication:
    with pinned(_at(day)):
        pub = services.publication_create(office=office, year=YEAR, kind=kind, by=by, **front)
        for key, text in words.items():
            services.narrative_write(publication=pub, key=key, text=text, by=by)
        if kind == PublicationKind.REFORM_COMPENDIUM:
            highlights = Task.objects.filter(
                office=office, year=YEAR, is_key=True, status=TaskStatus.CLOSED
            ).order_by("code")
            services.highlights_set(
                publication=pub, tasks=list(highlights.values_list("pk", flat=True)), by=by
            )
    with pinned(_at(day, 15)):
        services.generation_request(publication=pub, by=by, make_pdf=False, inline=True)
    return pub


def play(loader) -> None:
    """The three 2016 publications of the city's reform office, each generated once."""
    office = loader.units[data.CITY_OFFICE]
    if Publication.objects.filter(office=office, year=YEAR).exists():
        return
    staff = loader.users.get("office") or User.objects.get(username="office")
    with translation.override("zh-hans"):
        _make(
            office,
            PublicationKind.EVALUATION_REPORT,
            staff,
            REPORT_WORDS,
            dt.date(2017, 2, 20),
            document_no="惠市改办〔2017〕5号",
            issued_on=dt.date(2017, 2, 28),
        )
        _make(office, PublicationKind.REFORM_COMPENDIUM, staff, REFORM_WORDS, dt.date(2017, 3, 6))
        _make(office, PublicationKind.PILOT_COMPENDIUM, staff, PILOT_WORDS, dt.date(2017, 3, 8))
