"""Benchmark: how fast the dashboard reads a 20,000-task ledger on SQLite.

Run with `.venv/bin/python bench/bench_dashboard.py [--tasks N] [--year Y]`. It makes a
fresh SQLite database in a temporary directory (RL_VAR_DIR, set before Django starts),
runs `generate`, then adds what the dashboard reads and `generate` does not write —
a rating scale, 12 monthly periods, a rating per task per period and progress reports
(most tasks report every month, some stop) — with `bulk_create`. It times each
dashboard selector and the whole page (the test Client signed in as `gen_office`),
counts their queries, and prints wall time and peak memory (Python allocations
traced per step; the process's peak RSS at the end). A line of JSON is appended to
`bench/results/dashboard.jsonl` (ignored by git). `--database-url` runs it on an
empty PostgreSQL database instead.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADES = [
    ("ahead", "A", "完成或超前", "#1b7f3b"),
    ("on_schedule", "B", "按计划推进", "#74b816"),
    ("slightly_behind", "C", "稍有滞后", "#f2b705"),
    ("seriously_behind", "D", "严重滞后", "#f76707"),
    ("stalled", "E", "停滞", "#c92a2a"),
]
BATCH = 5000


def _cycle_rows(office, year: int, seed: int) -> dict[str, int]:
    """Scale, periods, ratings and reports for every task of the generated ledger."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from reformledger.ledger.choices import ReportStatus, TaskStatus
    from reformledger.ledger.models import (
        Period,
        ProgressReport,
        Rating,
        RatingGrade,
        RatingScale,
        Task,
    )
    from reformledger.ledger.services.summaries import summaries_rebuild

    rng = random.Random(seed)
    author = get_user_model().objects.get(username="gen_office")
    with transaction.atomic():
        scale = RatingScale.objects.create(office=office, year=year)
        grades = [
            RatingGrade.objects.create(scale=scale, level=lv, letter=lt, name=nm, colour=c)
            for lv, lt, nm, c in GRADES
        ]
        periods = [
            Period.objects.create(
                office=office,
                year=year,
                number=m,
                start=dt.date(year, m, 1),
                end=dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1),
                report_due=dt.date(year + m // 12, m % 12 + 1, 5),
                # January to November closed, December open (the business date's month).
                status="closed" if m < 12 else "open",
            )
            for m in range(1, 13)
        ]
        ids = list(Task.objects.filter(office=office, year=year).values_list("pk", flat=True))
        # Some tasks closed, some blocked, a few carried over: the status chart has parts.
        Task.objects.filter(pk__in=ids[::7]).update(status=TaskStatus.CLOSED)
        Task.objects.filter(pk__in=ids[3::31]).update(status=TaskStatus.BLOCKED)
        Task.objects.filter(pk__in=ids[5::97]).update(status=TaskStatus.CARRIED_OVER)
        level = {pk: rng.choice([0, 1, 1, 1, 2]) for pk in ids}
        stops = {pk: rng.choice([13] * 6 + list(range(4, 13))) for pk in ids}
        now = timezone.now()
        n_ratings = n_reports = 0
        for number, period in enumerate(periods, start=1):
            ratings, reports = [], []
            for pk in ids:
                level[pk] = min(4, max(0, level[pk] + rng.choice([-1, 0, 0, 0, 1])))
                grade = grades[level[pk]]
                ratings.append(Rating(task_id=pk, period=period, suggested=grade, computed_at=now))
                if number < stops[pk]:
                    submitted = dt.datetime.combine(period.report_due, dt.time(10))
                    reports.append(
                        ProgressReport(
                            task_id=pk,
                            period=period,
                            status=ReportStatus.ACCEPTED,
                            done="按计划推进",
                            percent=min(100, number * 8),
                            author=author,
                            submitted_at=timezone.make_aware(submitted),
                            days_late=0,
                        )
                    )
            Rating.objects.bulk_create(ratings, batch_size=BATCH)
            ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
            n_ratings += len(ratings)
            n_reports += len(reports)
        # Written in bulk, the closed periods get their summary rows as closing them would.
        for period in periods:
            summaries_rebuild(period)
    return {"periods": len(periods), "ratings": n_ratings, "reports": n_reports}


def _measure(label: str, fn, repeat: int = 5) -> dict:
    """Run `fn` `repeat` times for the wall time (first, median, best), then once more
    with its queries captured and its Python allocations traced (peak)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row = {
        "step": label,
        "first_ms": round(times[0] * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "best_ms": round(min(times) * 1000, 1),
        "queries": len(ctx.captured_queries),
        "peak_alloc_mib": round(peak / 2**20, 2),
    }
    print(
        f"  {label:22s} {row['first_ms']:8.1f} {row['median_ms']:8.1f} {row['best_ms']:8.1f}"
        f"  {row['queries']:3d}  {row['peak_alloc_mib']:7.2f}"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="an empty PostgreSQL database to use instead of SQLite (kept; a second run "
        "reuses its rows)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="use and keep the database in DIR; a second run reuses it and skips the set-up",
    )
    args = parser.parse_args()

    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        var_dir = args.keep or tmp
        # Settings read RL_VAR_DIR when Django starts, so it must be set first.
        os.environ["RL_VAR_DIR"] = var_dir
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        # The ledger is read in December of its year, as the bench fixture's is.
        os.environ.setdefault("RL_BUSINESS_DATE", f"{args.year}-12-20")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.test.utils import setup_test_environment

        from reformledger.core.clock import business_today
        from reformledger.demo.generator import generate
        from reformledger.ledger.models import Rating, Task
        from reformledger.ledger.selectors import reference_dates
        from reformledger.orgs.models import Unit
        from reformledger.web import dashboard as d

        call_command("migrate", verbosity=0)
        # The page renders with hashed static names, as in production.
        call_command("collectstatic", interactive=False, verbosity=0)
        began = time.perf_counter()
        if Unit.objects.filter(code="GEN-GGB").exists():  # a kept database, set up before
            counts = {"tasks": Task.objects.count(), "ratings": Rating.objects.count()}
            from reformledger.ledger.models import Period
            from reformledger.ledger.services.summaries import summaries_rebuild

            for period in Period.objects.filter(office__code="GEN-GGB", year=args.year):
                summaries_rebuild(period)
        else:
            counts = generate(tasks=args.tasks, units=args.units, seed=args.seed, year=args.year)
            office = Unit.objects.get(code="GEN-GGB")
            counts |= _cycle_rows(office, args.year, args.seed)
        setup_secs = time.perf_counter() - began
        db_mib = sum(f.stat().st_size for f in Path(var_dir).glob("*.sqlite3*")) / 2**20
        vendor = connections["default"].vendor
        print(f"dashboard on generate --tasks {args.tasks} --year {args.year} ({vendor})")
        print("  " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        print(f"  set-up {setup_secs:.1f} s" + (f", database {db_mib:.1f} MiB" if db_mib else ""))

        user = get_user_model().objects.get(username="gen_office")
        today = business_today()
        year = args.year
        dates = reference_dates(today)
        scope = d.dashboard_scope(user, year, dates)
        over = d.ratings_over_periods(scope)
        latest = over.periods[-1]
        units = d.lead_units(scope)
        status = d.task_status(scope)
        steps = [
            ("years", lambda: d.dashboard_years(user)),
            ("reference dates", lambda: reference_dates(today)),
            ("scope", lambda: d.dashboard_scope(user, year, dates)),
            ("status", lambda: d.task_status(scope)),
            ("ratings_over_periods", lambda: d.ratings_over_periods(scope)),
            ("ratings_by_area", lambda: d.ratings_by_area(scope, latest)),
            ("lead_units", lambda: d.lead_units(scope)),
            ("ratings_by_unit", lambda: d.ratings_by_unit(scope, latest, units)),
            ("overdue_milestones", lambda: d.overdue_milestones(scope)),
            ("staleness", lambda: d.staleness(scope, units)),
            ("key_task_paths", lambda: d.key_task_paths(scope, over.periods, status.key)),
            ("dashboard (all)", lambda: d.dashboard(user, year=year, today=today)),
        ]
        print("  step                   first   median     best  (ms, 5 runs)  queries  peak MiB")
        rows = [_measure(label, fn) for label, fn in steps]

        setup_test_environment()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower())
        client.force_login(user, backend=backend)
        size = {}

        def page():
            response = client.get("/dashboard/", {"year": year})
            assert response.status_code == 200, response.status_code
            size["kib"] = len(response.content) / 1024

        rows.append(_measure("page GET /dashboard/", page))
        print(f"  page size {size['kib']:.0f} KiB")
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of the process (set-up included) {peak_mib:.1f} MiB")
        connections.close_all()

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "dashboard.jsonl").open("a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "tasks": args.tasks,
                    "database": vendor,
                    "counts": counts,
                    "steps": rows,
                    "page_kib": round(size["kib"], 1),
                    "peak_rss_mib": round(peak_mib, 1),
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
