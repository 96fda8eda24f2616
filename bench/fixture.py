"""The ledgers the side-by-side harness measures: a year of an office's work at scale.

`build(tasks)` writes (or finds, already written) one office's ledger of `tasks` tasks for
`YEAR`: the units, people and tasks of `reformledger.demo.generator.generate` (plans of 3–5
milestones), twelve monthly periods (January to November closed, December open — the
business date is `BUSINESS_DATE`), a rating scale, a progress report for most tasks in
most months (about nine a task: some stop reporting), a suggested rating for every task
in every period, those of the closed periods confirmed, and a few tasks closed, blocked or
carried over.

The rows are written in bulk, but the audit trail is the one the services would have
written for the same acts — `task.created` (the task's audited fields), `plan.approved`,
`period.created`, `report.submitted` and `report.accepted`, `rating.computed`,
`rating.confirmed`, `task.status`, `period.closed` — each record hashed into the chain as
`audit.services.record` does (`canonical_row`, `digest`), so `verify_audit` and the
history pages meet a trail of real size and shape.

A built ledger is kept (SQLite: `var/bench/<size>/`, PostgreSQL: database
`rl_bench_<size>`) and reused while `FIXTURE_VERSION` stays the same; each use migrates
it (new tables of a newer checkout) and rebuilds the closed periods' summaries.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

from bench.harness import Ledger

#: Bump when what `build` writes changes: kept ledgers of another version are rebuilt.
FIXTURE_VERSION = 1
YEAR = 2030
BUSINESS_DATE = dt.date(YEAR, 12, 20)
OFFICE_CODE = "GEN-GGB"
USERNAME = "gen_office"
#: Rows written per bulk insert, and tasks handled per round (memory stays flat).
BATCH = 2000
CHUNK = 5000
GRADES = [
    ("ahead", "A", "完成或超前", "#1b7f3b"),
    ("on_schedule", "B", "按计划推进", "#74b816"),
    ("slightly_behind", "C", "稍有滞后", "#f2b705"),
    ("seriously_behind", "D", "严重滞后", "#f76707"),
    ("stalled", "E", "停滞", "#c92a2a"),
]


def units_for(tasks: int) -> int:
    """Units grow with the ledger: 200 up to 20,000 tasks, one per hundred tasks beyond."""
    return max(200, tasks // 100)


class Trail:
    """Appends audit records to the chain in bulk, hashed as `audit.services.record` does.

    The rows go in through the database cursor (COPY on PostgreSQL): the model layer's
    bulk insert would spend longer preparing a million records than hashing them."""

    COLUMNS = (
        "at", "actor_id", "actor_label", "address", "verb", "outcome", "obj_type", "obj_id",
        "obj_repr", "ctx_type", "ctx_id", "changes", "reason", "prev_hash", "hash", "algorithm",
    )  # fmt: skip

    def __init__(self, actor) -> None:
        from django.db import connection

        from reformledger.audit import services as audit
        from reformledger.audit.models import AuditRecord

        self.audit, self.connection = audit, connection
        self.table = AuditRecord._meta.db_table
        self.actor_id, self.actor_label = actor.pk, actor.get_username()
        self.algorithm = audit.chain_algorithm()
        last = AuditRecord.objects.order_by("-id").values_list("hash", flat=True).first()
        self.prev = last or audit.GENESIS
        self.pending: list[tuple] = []
        self.count = 0

    def add(self, verb, at, obj_type, obj_id, obj_repr, ctx_type, ctx_id, changes) -> None:
        row = {
            "at": at,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "address": "",
            "verb": verb,
            "outcome": "success",
            "obj_type": obj_type,
            "obj_id": str(obj_id),
            "obj_repr": obj_repr[:255],
            "ctx_type": ctx_type,
            "ctx_id": str(ctx_id),
            "changes": changes,
            "reason": "",
            "prev_hash": self.prev,
        }
        self.prev = self.audit.digest(self.audit.canonical_row(row), self.algorithm)
        row["changes"] = json.dumps(changes, ensure_ascii=False)
        if self.connection.vendor != "postgresql":
            row["at"] = self.connection.ops.adapt_datetimefield_value(at)
        self.pending.append((*row.values(), self.prev, self.algorithm))
        if len(self.pending) >= BATCH * 5:
            self.flush()

    def flush(self) -> None:
        columns = ", ".join(self.COLUMNS)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in self.pending:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({columns}) VALUES ({marks})",  # noqa: S608
                    self.pending,
                )
        self.count += len(self.pending)
        self.pending = []


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for first in range(0, len(ids), CHUNK):
        yield ids[first : first + CHUNK]


def _at(day: dt.date, seconds: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)


def _write(tasks: int, seed: int = 1, units: int | None = None) -> dict[str, int]:
    """Write the ledger into an empty (migrated) database; what was written, by kind."""
    from django.db import transaction

    from reformledger.audit import services as audit
    from reformledger.demo.generator import generate
    from reformledger.ledger.choices import PeriodStatus, ReportStatus, TaskStatus
    from reformledger.ledger.models import (
        Period,
        Plan,
        ProgressReport,
        Rating,
        RatingGrade,
        RatingScale,
        Task,
    )
    from reformledger.ledger.services.tasks import AUDITED_TASK_FIELDS
    from reformledger.orgs.models import Unit

    counts = generate(tasks=tasks, units=units or units_for(tasks), seed=seed, year=YEAR)
    office = Unit.objects.get(code=OFFICE_CODE)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=USERNAME)
    rng = random.Random(seed)
    trail = Trail(user)
    start = dt.date(YEAR, 1, 1)

    with transaction.atomic():
        ids = list(
            Task.objects.filter(office=office, year=YEAR)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The tasks as `task_create` records them, then their plans as `plan_approve` does.
        for chunk in _chunks(ids):
            rows = (
                Task.objects.filter(pk__in=chunk)
                .select_related(
                    "area", "system", "work_point", "lead_unit", "responsible_leader", "parent"
                )
                .prefetch_related("helping_units", "depends_on")
                .order_by("pk")
            )
            for n, task in enumerate(rows):
                snap = audit.snapshot(task, AUDITED_TASK_FIELDS)
                changes = {k: [None, v] for k, v in snap.items()}
                trail.add(
                    "task.created",
                    _at(start, n),
                    "ledger.task",
                    task.pk,
                    str(task),
                    "ledger.task",
                    task.pk,
                    changes,
                )
            plans = Plan.objects.filter(task_id__in=chunk).values_list("pk", "task_id", "revision")
            for n, (plan_id, task_id, revision) in enumerate(plans):
                trail.add(
                    "plan.approved",
                    _at(start, n),
                    "ledger.plan",
                    plan_id,
                    f"r{revision}",
                    "ledger.task",
                    task_id,
                    {},
                )

        scale = RatingScale.objects.create(office=office, year=YEAR)
        grades = [
            RatingGrade.objects.create(scale=scale, level=lv, letter=lt, name=nm, colour=c)
            for lv, lt, nm, c in GRADES
        ]
        periods = [
            Period.objects.create(
                office=office,
                year=YEAR,
                number=m,
                start=dt.date(YEAR, m, 1),
                end=dt.date(YEAR + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1),
                report_due=dt.date(YEAR + m // 12, m % 12 + 1, 5),
            )
            for m in range(1, 13)
        ]
        trail.add(
            "period.created",
            _at(start, 0),
            "orgs.unit",
            office.pk,
            str(office),
            "orgs.unit",
            office.pk,
            {
                "year": [None, YEAR],
                "periods": [None, [p.label for p in periods]],
                "report_due_days": [None, 5],
            },
        )
        codes = dict(Task.objects.filter(pk__in=ids).values_list("pk", "code"))
        level = {pk: rng.choice([0, 1, 1, 1, 2]) for pk in ids}
        stops = {pk: rng.choice([13] * 6 + list(range(4, 13))) for pk in ids}
        n_ratings = n_reports = 0
        for number, period in enumerate(periods, start=1):
            closed = number < 12
            computed = _at(period.end, 0)
            decided = _at(period.report_due + dt.timedelta(days=3), 0)
            submitted = _at(period.report_due, 0)
            for chunk in _chunks(ids):
                reports, ratings = [], []
                for pk in chunk:
                    if number < stops[pk] and (closed or rng.random() < 0.5):
                        reports.append(
                            ProgressReport(
                                task_id=pk,
                                period=period,
                                status=ReportStatus.ACCEPTED if closed else ReportStatus.SUBMITTED,
                                done="按计划推进，完成阶段性工作。",
                                percent=min(100, number * 8),
                                author=user,
                                submitted_at=submitted,
                                days_late=0,
                                decided_by=user if closed else None,
                                decided_at=decided if closed else None,
                            )
                        )
                    level[pk] = min(4, max(0, level[pk] + rng.choice([-1, 0, 0, 0, 1])))
                    grade = grades[level[pk]]
                    ratings.append(
                        Rating(
                            task_id=pk,
                            period=period,
                            suggested=grade,
                            computed_at=computed,
                            status="confirmed" if closed else "suggested",
                            final=grade if closed else None,
                            decided_by=user if closed else None,
                            decided_at=decided if closed else None,
                        )
                    )
                ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
                Rating.objects.bulk_create(ratings, batch_size=BATCH)
                n_reports += len(reports)
                n_ratings += len(ratings)
                for n, report in enumerate(reports):
                    label = f"{codes[report.task_id]} · {period.label}"
                    trail.add(
                        "report.submitted",
                        submitted + dt.timedelta(seconds=n),
                        "ledger.progressreport",
                        report.pk,
                        label,
                        "ledger.task",
                        report.task_id,
                        {"status": ["draft", "submitted"], "days_late": [None, 0]},
                    )
                    if closed:
                        trail.add(
                            "report.accepted",
                            decided + dt.timedelta(seconds=n),
                            "ledger.progressreport",
                            report.pk,
                            label,
                            "ledger.task",
                            report.task_id,
                            {"status": ["submitted", "accepted"]},
                        )
                for n, rating in enumerate(ratings):
                    label = f"{codes[rating.task_id]} · {period.label} · {rating.suggested.letter}"
                    trail.add(
                        "rating.computed",
                        computed + dt.timedelta(seconds=n),
                        "ledger.rating",
                        rating.pk,
                        label,
                        "ledger.task",
                        rating.task_id,
                        {
                            "suggested": [None, rating.suggested.letter],
                            "period": [None, period.label],
                        },
                    )
                    if closed:
                        trail.add(
                            "rating.confirmed",
                            decided + dt.timedelta(seconds=n),
                            "ledger.rating",
                            rating.pk,
                            label,
                            "ledger.task",
                            rating.task_id,
                            {
                                "rating": [None, rating.suggested.letter],
                                "period": [None, period.label],
                                "confirmed_together": [None, len(ids)],
                            },
                        )
            if closed:
                Period.objects.filter(pk=period.pk).update(
                    status=PeriodStatus.CLOSED, closed_at=decided, closed_by=user
                )
                trail.add(
                    "period.closed",
                    decided,
                    "ledger.period",
                    period.pk,
                    period.label,
                    "ledger.period",
                    period.pk,
                    {
                        "status": ["open", "closed"],
                        "ratings_suggested": [None, 0],
                        "ratings_confirmed": [None, len(ids)],
                        "ratings_overridden": [None, 0],
                    },
                )
        # Some tasks closed, some blocked, a few carried over: the status chart has parts.
        for status, picked in (
            (TaskStatus.CLOSED, ids[::7]),
            (TaskStatus.BLOCKED, ids[3::31]),
            (TaskStatus.CARRIED_OVER, ids[5::97]),
        ):
            Task.objects.filter(pk__in=picked).update(status=status)
            for n, pk in enumerate(picked):
                trail.add(
                    "task.status",
                    _at(BUSINESS_DATE, n),
                    "ledger.task",
                    pk,
                    codes[pk],
                    "ledger.task",
                    pk,
                    {"status": [TaskStatus.IN_PROGRESS.value, status.value]},
                )
        trail.flush()
    counts |= {
        "periods": 12,
        "reports": n_reports,
        "ratings": n_ratings,
        "audit records": trail.count,
    }
    return counts


def _summarise(period_ids: list[int]) -> None:
    """The closed periods' summary rows, where the checkout keeps them."""
    try:
        from reformledger.ledger.services.summaries import summaries_rebuild
    except ImportError:
        return
    from reformledger.ledger.models import Period

    for period in Period.objects.filter(pk__in=period_ids, status="closed").order_by("number"):
        summaries_rebuild(period)


def _stamp_path(workdir: Path) -> Path:
    return workdir / "fixture.json"


def build(tasks: int, vendor: str, workdir: Path, *, rebuild: bool = False) -> Ledger:
    """The ledger of `tasks` tasks in the configured database: found, or written now.
    `workdir` holds its stamp (the version and counts written) and the cases' files."""
    import time

    from django.core.management import call_command
    from django.db import connection

    from reformledger.orgs.models import Unit

    workdir.mkdir(parents=True, exist_ok=True)
    stamp = _stamp_path(workdir)
    call_command("migrate", verbosity=0)
    known = json.loads(stamp.read_text()) if stamp.exists() else {}
    office = Unit.objects.filter(code=OFFICE_CODE).first()
    if rebuild or known.get("version") != FIXTURE_VERSION or office is None:
        if office is not None:
            raise SystemExit(
                f"The {vendor} database of the {tasks:,}-task ledger holds another version of "
                "it; run again with --rebuild (it is dropped and written anew)."
            )
        began = time.perf_counter()
        counts = _write(tasks)
        known = {
            "version": FIXTURE_VERSION,
            "tasks": tasks,
            "counts": counts,
            "seconds": round(time.perf_counter() - began, 1),
        }
        stamp.write_text(json.dumps(known))
    if not known.get("analysed"):
        # The planner's statistics of the tables as written: without them PostgreSQL
        # guesses row counts and may pick a plan no real database would run.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        known["analysed"] = True
        stamp.write_text(json.dumps(known))
    return ledger_of(tasks, vendor, workdir, known)


def ledger_of(tasks: int, vendor: str, workdir: Path, facts: dict) -> Ledger:
    """The `Ledger` the cases read, for the ledger written in this database; the closed
    periods' summaries rebuilt (a newer checkout may keep more of them)."""
    from reformledger.ledger.models import Period
    from reformledger.orgs.models import Unit

    office = Unit.objects.get(code=OFFICE_CODE)
    period_ids = list(
        Period.objects.filter(office=office, year=YEAR)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    _summarise(period_ids)
    return Ledger(
        tasks=tasks,
        vendor=vendor,
        office_id=office.pk,
        year=YEAR,
        period_ids=period_ids,
        workdir=workdir,
        username=USERNAME,
        facts=facts,
    )
