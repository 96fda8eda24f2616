"""Benchmark: how long `ratings_compute_period` takes for a province-scale ledger on SQLite.

Run with `.venv/bin/python bench/bench_rate.py [--tasks N] [--year Y] [--month M]`. It
makes a fresh SQLite database in a temporary directory (RL_VAR_DIR, set before Django
starts), generates a ledger of N tasks for a past year, sets up the year's monthly
periods and writes a year of progress reports directly (bulk rows: about nine in ten
tasks report each month), then times the computation of one period's suggestions
twice — the first run inserts every rating, the second updates them — and prints the
wall time, the peak resident memory of the process and, from a third untimed run, the
peak Python allocation of one computation (tracemalloc). A line of JSON is appended
to `bench/results/rate.jsonl`.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _reports(period_rows, task_ids, author_id, rng):
    """Progress report rows: each task reports in most months, its percent rising."""
    from django.utils import timezone

    from reformledger.ledger.choices import ReportStatus
    from reformledger.ledger.models import ProgressReport

    for period_id, number, end in period_rows:
        submitted = timezone.make_aware(dt.datetime.combine(end, dt.time(10)))
        yield [
            ProgressReport(
                task_id=task_id,
                period_id=period_id,
                status=ReportStatus.ACCEPTED,
                done="按计划推进",
                percent=min(100, number * 8 + rng.randint(-10, 10) if number > 1 else 5),
                author_id=author_id,
                submitted_at=submitted,
            )
            for task_id in task_ids
            if rng.random() < 0.9
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--month", type=int, default=12, help="the period to rate (12)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rl-bench-") as var_dir:
        # Settings read RL_VAR_DIR when Django starts, so it must be set first.
        os.environ["RL_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections, transaction
        from django.db.models import Count

        from reformledger.demo.generator import generate
        from reformledger.ledger import services
        from reformledger.ledger.models import Period, ProgressReport, Rating, Task
        from reformledger.orgs.models import Unit

        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        generate(tasks=args.tasks, units=args.units, seed=args.seed, year=args.year)
        office = Unit.objects.get(code="GEN-GGB")
        periods = services.periods_ensure(office=office, year=args.year)
        task_ids = list(
            Task.objects.filter(office=office, year=args.year).values_list("pk", flat=True)
        )
        author_id = get_user_model().objects.values_list("pk", flat=True).first()
        rng = random.Random(args.seed)
        rows = [(p.pk, p.number, p.end) for p in periods]
        with transaction.atomic():
            for batch in _reports(rows, task_ids, author_id, rng):
                ProgressReport.objects.bulk_create(batch, batch_size=2000)
        setup = time.perf_counter() - began
        n_reports = ProgressReport.objects.count()

        period = Period.objects.get(office=office, year=args.year, number=args.month)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        rated = services.ratings_compute_period(period=period).computed
        first = time.perf_counter() - began
        # ru_maxrss is in kilobytes on Linux: the high-water mark of the whole process.
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        began = time.perf_counter()
        services.ratings_compute_period(period=Period.objects.get(pk=period.pk))
        second = time.perf_counter() - began

        # A third run only to measure what the computation itself allocates
        # (tracemalloc slows it down, so it is not timed).
        tracemalloc.start()
        services.ratings_compute_period(period=Period.objects.get(pk=period.pk))
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        grades = dict(
            Rating.objects.filter(period=period)
            .order_by("suggested__letter")
            .values("suggested__letter")
            .annotate(n=Count("pk"))
            .values_list("suggested__letter", "n")
        )
        db_mib = sum(f.stat().st_size for f in Path(var_dir).glob("*.sqlite3*")) / 2**20
        connections.close_all()

    label = f"{args.year}-{args.month:02d}"
    print(f"ratings_compute_period {label}: {args.tasks} tasks, {n_reports} reports (SQLite)")
    print(f"  set-up (generate, periods, reports) {setup:8.1f} s")
    print(f"  first run (insert)  {first:8.2f} s  ({rated:,} rated, {rated / first:,.0f}/s)")
    print(f"  second run (update) {second:8.2f} s")
    print(f"  peak RSS            {peak_mib:8.1f} MiB (before computing: {rss_before / 1024:.1f})")
    print(f"  peak Python alloc   {traced_peak / 2**20:8.1f} MiB (one run, tracemalloc)")
    print(f"  database size       {db_mib:8.1f} MiB")
    print("  grades: " + ", ".join(f"{k} {v}" for k, v in grades.items()))

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "rate.jsonl").open("a", encoding="utf-8") as out:
        row = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tasks": args.tasks,
            "reports": n_reports,
            "period": label,
            "first_s": round(first, 2),
            "second_s": round(second, 2),
            "peak_rss_mib": round(peak_mib, 1),
            "traced_peak_mib": round(traced_peak / 2**20, 1),
            "grades": grades,
        }
        out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
