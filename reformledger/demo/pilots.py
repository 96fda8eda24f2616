"""The demo's 2016 pilots (改革试点), grassroots innovations (基层创新) and indicators
(指标), played day by day through their services.

`cycle.py` hands each month to `Play.month` before it plays the reports and ratings of
the month before (so the investment and indicator figures of a period go in while the
period is still open, as they would: the office closes a period some twenty days after
its reports fall due), and month 13 — January 2017 — for December's figures. The
play: the office builds its pilot registry in January from the approvals it holds
(18 national, 44 provincial pilots), records the approvals that come in during the
year and starts them, gives each county its brand (一县区一品牌, March), opens the
mid-term reviews and records their findings, opens the acceptances, records the
culture card's (first in its group, third in the eastern region) and concludes it.
The water-ecology pilot's host lists its 64 sub-projects and reports the investment
each completed in every period; the office defines its indicators and their 2016
targets, the owner units report the values and the office checks them. Counties
propose innovations; the office accepts, returns or declines them, declares one a
replicable experience, and two other counties adopt it. `pilots_data.py` holds the
story.

Dates. Unlike the cycle, which dates its rows after each act, every act here is done
on its own day through `core.clock.pinned` (as `live.py` does), so the services check
it (an approval not in the future, a period already begun) and stamp it as of that
day. The services' notices, stamped with the real time by the notifications app, are
given the act's moment and read the next morning, and the cycle's "demo.dated"
record counts them. The audit trail keeps the real time of the load.

Figures. Nothing shown as a total is typed: the investment completed is the sum of
the sub-projects' reports, and the water-ecology indicators report what the rows say
on the day (sub-projects started, investment completed to date); the closure rate of
zombie enterprises is a ratio indicator computed from its two parts.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.core.files.base import ContentFile
from django.db.models import Sum
from django.utils import timezone

from reformledger.core.clock import pinned
from reformledger.demo import data, documents
from reformledger.demo import pilots_data as story
from reformledger.demo.cycle import _head_of, _heads, at, stable
from reformledger.indicators import services as indicators
from reformledger.indicators.models import Indicator, IndicatorValue
from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.models import Notification
from reformledger.pilots import services
from reformledger.pilots.models import Innovation, InvestmentReport, Pilot, SubProject

__all__ = ["Play"]

YEAR = data.YEAR
#: Units whose demo liaison acts for them; every other unit's head does.
LIAISONS = {"HZ-FGJ": "fgj", "HZ-HY": "huiyang"}


def day_of(month: int, day: int) -> dt.date:
    """`day` of `month` of the demo year; month 13 is January 2017."""
    if month == 13:
        return dt.date(YEAR + 1, 1, day)
    return data.d(month, day)


class Play:
    """One play of the year's pilots, innovations and indicators on the ledger the
    cycle is playing."""

    def __init__(self, cycle) -> None:
        self.cycle = cycle
        self.users = cycle.users
        self.units = cycle.loader.units
        self.people = cycle.loader.people
        self.city = cycle.city
        self.periods = cycle.periods[self.city.pk]
        self.heads = _heads()
        self.tasks = {t.code: t for t in Task.objects.filter(office=self.city, year=YEAR)}
        self.pilots: dict[str, Pilot] = {}
        self.subs: dict[str, list[tuple[SubProject, story.SubProject]]] = {}
        self.indicators: dict[str, Indicator] = {}
        self.innovations: dict[int, Innovation] = {}
        self.acts: dict[dt.date, list[Callable[[], None]]] = defaultdict(list)
        self._plan()

    # --- the calendar ------------------------------------------------------------

    def _on(self, day: dt.date, act: Callable, *args) -> None:
        self.acts[day].append(partial(act, *args))

    def _plan(self) -> None:
        """Put every act of the story on its day, in the order the story lists them."""
        for spec in story.PILOTS:
            self._on(spec.registered, self._register, spec)
            self._on(spec.approved, self._approve, spec)
            if spec.started:
                self._on(spec.started, self._start, spec)
            if spec.mid_term:
                self._on(spec.mid_term.opened, self._open_mid_term, spec)
                self._on(spec.mid_term.reviewed, self._review, spec)
            if spec.acceptance:
                a = spec.acceptance
                self._on(a.opened, self._open_acceptance, spec)
                if a.accepted:
                    self._on(a.accepted, self._accept, spec)
                if a.concluded:
                    self._on(a.concluded, self._conclude, spec)
        self._on(story.SUB_PROJECTS_ON[story.WATER], self._sub_projects, story.WATER)
        self._on(story.SUB_PROJECTS_ON[story.PPP_PILOT], self._sub_projects, story.PPP_PILOT)
        for n in range(1, 13):
            self._on(day_of(n + 1, 2 + stable(f"inv/{n}") % 3), self._invest, n)
        self._on(story.INDICATORS_ON, self._define_indicators)
        self._on(story.NEXT_TARGETS_ON, self._next_targets)
        for spec in story.INDICATORS:
            for n in sorted(spec.values or {}) if not spec.computed else spec.periods:
                reported = day_of(n + 1, 6 + stable(f"{spec.code}/{n}") % 3)
                self._on(reported, self._report_value, spec, n)
                self._on(reported + dt.timedelta(days=3), self._check_value, spec, n)
        for i, spec in enumerate(story.INNOVATIONS):
            self._on(spec.proposed, self._propose, i, spec)
            if spec.decision:
                self._on(spec.decided, self._decide, i, spec)
            if spec.declared:
                self._on(spec.declared, self._declare, i, spec)
            for adoption in spec.adoptions:
                self._on(adoption.on, self._adopt, i, adoption)

    def month(self, month: int) -> None:
        """Play `month` day by day (13: January 2017)."""
        day = day_of(month, 1)
        while day.month == (1 if month == 13 else month):
            # The day's acts in the story's order, three minutes apart from 9 o'clock.
            for i, act in enumerate(self.acts.pop(day, [])):
                self._do(act, at(day, 9 + min(i // 20, 8), (i * 3) % 60))
            day += dt.timedelta(days=1)
        if month == 13 and self.acts:
            raise ValueError(f"pilot acts outside the play: {sorted(self.acts)}")

    def _do(self, act: Callable[[], None], moment: dt.datetime) -> None:
        """Do `act` on its business moment; its notices are sent then and read the next
        morning."""
        since = timezone.now()
        with pinned(moment):
            act()
        self._notices(since, moment)

    # --- who acts ----------------------------------------------------------------------

    def _unit_user(self, code: str):
        """Who acts for a unit: its demo liaison, or its head."""
        return self.users[LIAISONS.get(code) or _head_of(code, self.heads)]

    @property
    def staff(self):
        return self.users["office"]

    def _leader(self, spec: story.Pilot):
        """National pilots are the director's, the others the deputy's."""
        return self.users["director" if spec.level == "national" else "deputy"]

    # --- pilots --------------------------------------------------------------------------

    def _register(self, spec: story.Pilot) -> None:
        self.pilots[spec.code] = services.pilot_register(
            office=self.city,
            by=self.staff,
            code=spec.code,
            name=spec.name,
            level=spec.level,
            granting_body=spec.granting_body,
            host_unit=self.units[spec.host],
            start=spec.start,
            end=spec.end,
            goals=spec.goals,
            helping_units=[self.units[c] for c in spec.helping],
            leader=self.people[spec.leader] if spec.leader else None,
            brand=spec.brand,
            tasks=[self.tasks[c] for c in spec.tasks],
        )
        self._count("pilots")

    def _approve(self, spec: story.Pilot) -> None:
        self.pilots[spec.code] = services.pilot_approve(
            pilot=self.pilots[spec.code],
            by=self._leader(spec),
            approval_no=spec.approval_no,
            approved_on=spec.approved_on,
        )

    def _start(self, spec: story.Pilot) -> None:
        self.pilots[spec.code] = services.pilot_start(pilot=self.pilots[spec.code], by=self.staff)

    def _open_mid_term(self, spec: story.Pilot) -> None:
        self.pilots[spec.code] = services.pilot_open_mid_term(
            pilot=self.pilots[spec.code], by=self.staff
        )

    def _review(self, spec: story.Pilot) -> None:
        m = spec.mid_term
        services.pilot_review(
            pilot=self.pilots[spec.code],
            by=self.staff,
            reviewed_on=m.reviewed,
            reviewer=m.reviewer,
            findings=m.findings,
        )
        self._count("mid-term reviews")

    def _open_acceptance(self, spec: story.Pilot) -> None:
        self.pilots[spec.code] = services.pilot_open_acceptance(
            pilot=self.pilots[spec.code], by=self.staff
        )

    def _accept(self, spec: story.Pilot) -> None:
        a = spec.acceptance
        files = []
        if a.file:
            task = self.tasks[spec.tasks[0]]
            files.append(ContentFile(documents.text_file(a.file, task), name=f"{a.file}.txt"))
        services.pilot_record_acceptance(
            pilot=self.pilots[spec.code],
            by=self._leader(spec),
            accepting_body=a.body,
            accepted_on=a.accepted,
            result="passed",
            rank_text=a.rank_text,
            group_rank=a.group_rank,
            region=a.region,
            region_rank=a.region_rank,
            files=files,
        )
        self._count("acceptances")

    def _conclude(self, spec: story.Pilot) -> None:
        self.pilots[spec.code] = services.pilot_conclude(
            pilot=self.pilots[spec.code],
            by=self._leader(spec),
            experience=spec.acceptance.experience,
        )
        self._count("pilots concluded")

    # --- sub-projects and investment ---------------------------------------------------

    def _sub_projects(self, code: str) -> None:
        """The host unit lists the pilot's sub-projects with their planned investment."""
        pilot = self.pilots[code]
        by = self._unit_user(pilot.host_unit.code)
        rows = story.water_projects() if code == story.WATER else story.PPP_PROJECTS
        self.subs[code] = [
            (
                services.sub_project_create(
                    pilot=pilot,
                    by=by,
                    code=row.code,
                    name=row.name,
                    host_unit=self.units[row.host],
                    planned_investment=Decimal(row.planned),
                ),
                row,
            )
            for row in rows
        ]
        self._count("sub-projects", len(rows))

    def _invest(self, n: int) -> None:
        """The host units report the investment each sub-project completed in period
        `n` (本期完成投资)."""
        period = self.periods[n]
        for code, rows in self.subs.items():
            by = self._unit_user(self.pilots[code].host_unit.code)
            for sub, row in rows:
                amount = row.completed.get(n)
                if not amount:
                    continue
                services.investment_report(
                    sub_project=sub, period=period, amount=Decimal(amount), by=by
                )
                self._count("investment reports")

    # --- indicators ----------------------------------------------------------------------

    def _define_indicators(self) -> None:
        """The office defines the indicators, their 2016 targets and their links; a
        ratio after its parts."""
        for spec in sorted(story.INDICATORS, key=lambda s: s.ratio is not None):
            fields = {}
            if spec.ratio:
                fields = {
                    "kind": "ratio",
                    "numerator": self.indicators[spec.ratio[0]],
                    "denominator": self.indicators[spec.ratio[1]],
                    "scale": spec.scale,
                }
            indicator = indicators.indicator_create(
                office=self.city,
                by=self.staff,
                code=spec.code,
                name=spec.name,
                measure=spec.measure,
                owner_unit=self.units[spec.owner],
                direction=spec.direction,
                baseline=spec.baseline,
                baseline_year=spec.baseline_year,
                source=spec.source,
                tasks=[self.tasks[c] for c in spec.tasks],
                pilots=[self.pilots[c] for c in spec.pilots],
                **fields,
            )
            if spec.target is not None:
                indicators.indicator_set_target(
                    indicator=indicator, by=self.staff, year=YEAR, target=Decimal(spec.target)
                )
            self.indicators[spec.code] = indicator
            self._count("indicators")

    def _next_targets(self) -> None:
        """The office sets the indicators' targets of the next year."""
        for spec in story.INDICATORS:
            if spec.target_next is not None:
                indicators.indicator_set_target(
                    indicator=self.indicators[spec.code],
                    by=self.staff,
                    year=YEAR + 1,
                    target=Decimal(spec.target_next),
                )

    def _value_of(self, spec: story.Indicator, n: int) -> Decimal:
        """The value the owner unit reports for period `n`: as the story says, or what
        the water-ecology pilot's rows say to the end of the period."""
        if not spec.computed:
            return Decimal(spec.values[n])
        reports = InvestmentReport.objects.filter(
            sub_project__pilot=self.pilots[story.WATER], period__end__lte=self.periods[n].end
        )
        if spec.computed == "started":
            return Decimal(reports.values("sub_project").distinct().count())
        return reports.aggregate(total=Sum("amount"))["total"] or Decimal(0)

    def _report_value(self, spec: story.Indicator, n: int) -> None:
        indicators.indicator_report(
            indicator=self.indicators[spec.code],
            period=self.periods[n],
            value=self._value_of(spec, n),
            by=self._unit_user(spec.owner),
        )
        self._count("indicator values")

    def _check_value(self, spec: story.Indicator, n: int) -> None:
        value = IndicatorValue.objects.get(
            indicator=self.indicators[spec.code], period=self.periods[n]
        )
        indicators.indicator_check(value=value, by=self.staff)

    # --- grassroots innovations ------------------------------------------------------------

    def _propose(self, i: int, spec: story.Innovation) -> None:
        self.innovations[i] = services.innovation_propose(
            office=self.city,
            unit=self.units[spec.unit],
            by=self._unit_user(spec.unit),
            year=YEAR,
            title=spec.title,
            problem=spec.problem,
            actions=spec.actions,
            results=spec.results,
        )
        self._count("innovations")

    def _decide(self, i: int, spec: story.Innovation) -> None:
        innovation, by = self.innovations[i], self.users["deputy"]
        if spec.decision == "accept":
            self.innovations[i] = services.innovation_accept(
                innovation=innovation,
                by=by,
                reason=spec.reason,
                pilot=self.pilots[spec.pilot] if spec.pilot else None,
                task=self.tasks[spec.task] if spec.task else None,
            )
        elif spec.decision == "return":
            self.innovations[i] = services.innovation_return(
                innovation=innovation, by=by, reason=spec.reason
            )
        elif spec.decision == "decline":
            self.innovations[i] = services.innovation_decline(
                innovation=innovation, by=by, reason=spec.reason
            )
        else:
            raise ValueError(f"unknown decision {spec.decision!r}")

    def _declare(self, i: int, spec: story.Innovation) -> None:
        self.innovations[i] = services.innovation_declare(
            innovation=self.innovations[i], by=self.users["director"], experience=spec.experience
        )
        self._count("replicable experiences")

    def _adopt(self, i: int, adoption: story.Adoption) -> None:
        services.innovation_adopt(
            innovation=self.innovations[i],
            unit=self.units[adoption.unit],
            by=self._unit_user(adoption.unit),
            adopted_on=adoption.on,
            result=adoption.result,
        )
        self._count("adoptions")

    # --- bookkeeping ----------------------------------------------------------------------

    def _count(self, kind: str, n: int = 1) -> None:
        self.cycle.made[kind] += n

    def _notices(self, since: dt.datetime, sent: dt.datetime) -> None:
        """Give the notices the last act wrote the act's moment; each is read the next
        morning."""
        new = Notification.objects.filter(created_at__gte=since)
        rows = list(new.select_related("recipient").order_by("pk"))
        if not rows:
            return
        new.update(created_at=sent)
        next_day = timezone.localdate(sent) + dt.timedelta(days=1)
        for notice in rows:
            notices.notification_read(notification=notice, by=notice.recipient)
            Notification.objects.filter(pk=notice.pk).update(
                read_at=at(next_day, 9 + stable(notice.key) % 3, 40)
            )
        self.cycle.made["notices"] += len(rows)
        self.cycle.dated["notices"] += len(rows)
