"""`make bench`: every case of `bench/cases/` beside its bare lower bound, at 2,000, 20,000
and 100,000 tasks, on SQLite and on PostgreSQL, as one table.

    .venv/bin/python bench/scale.py [--sizes 2000,20000,100000] [--databases sqlite,postgresql]
                                    [--cases dashboard,verify] [--repeat N] [--rebuild]
                                    [--growth-only]

Each database and size runs in a process of its own (settings are read once, when Django
starts): it builds the ledger or reuses the one kept from an earlier run
(`bench/fixture.py`: SQLite under `var/bench/`, PostgreSQL in `rl_bench_<size>` on
`--pg-url`), then measures each case (`bench/harness.py`). The parent prints the table —
medians, spread, lower bound, ratio, the goal at 20,000 tasks, growth from 20,000 to
the largest size, peak memory, queries, and what misses its goal — and appends the
results as JSON lines to `bench/results/scale.jsonl` (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

SIZES = (2_000, 20_000, 100_000)
DATABASES = ("sqlite", "postgresql")
PG_URL = "postgres://postgres@127.0.0.1:5432"


def _workdir(vendor: str, tasks: int) -> Path:
    return ROOT / "var" / "bench" / f"{vendor}-{tasks}"


def _pg_name(tasks: int) -> str:
    return f"rl_bench_{tasks}"


def _pg_admin(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _pg_exists(pg_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def _environment(vendor: str, tasks: int, pg_url: str) -> dict[str, str]:
    from bench.fixture import BUSINESS_DATE

    env = dict(os.environ)
    workdir = _workdir(vendor, tasks)
    env |= {
        "DJANGO_SETTINGS_MODULE": "reformledger.config.settings",
        "RL_VAR_DIR": str(workdir),
        "RL_BUSINESS_DATE": BUSINESS_DATE.isoformat(),
        "PYTHONPATH": str(ROOT),
    }
    if vendor == "postgresql":
        env["DATABASE_URL"] = f"{pg_url}/{_pg_name(tasks)}"
    else:
        env.pop("DATABASE_URL", None)
        env["RL_SQLITE_NAME"] = "ledger.sqlite3"
    return env


def _prepare(vendor: str, tasks: int, pg_url: str, rebuild: bool) -> None:
    """Drop a kept ledger when asked; make PostgreSQL's database where there is none."""
    workdir = _workdir(vendor, tasks)
    if vendor == "postgresql":
        name = _pg_name(tasks)
        if rebuild:
            _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not _pg_exists(pg_url, name):
            _pg_admin(pg_url, f'CREATE DATABASE "{name}"')
            (workdir / "fixture.json").unlink(missing_ok=True)
    elif rebuild and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)


def _load_cases(wanted: list[str]) -> list[harness.Case]:
    from bench import cases

    return [
        case
        for case in cases.all_cases()
        if not wanted or any(w.lower() in case.name.lower() for w in wanted)
    ]


def child(args) -> None:
    """One database and size: build or reuse the ledger, measure the cases, write JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.fixture import build

    setup_test_environment()  # the test Client's "testserver" host, e-mail kept locally
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    workdir = Path(os.environ["RL_VAR_DIR"])
    began = time.perf_counter()
    ledger = build(args.size, connection.vendor, workdir)
    if not (workdir / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    ready = time.perf_counter() - began
    facts = ledger.facts.get("counts", {})
    print(
        f"  {connection.vendor} {args.size:,} tasks ready in {ready:.0f} s "
        f"(written in {ledger.facts.get('seconds', '?')} s): "
        + ", ".join(
            f"{n:,} {k}" for k, n in facts.items() if k in ("reports", "ratings", "audit records")
        ),
        flush=True,
    )
    results = []
    for case in _load_cases(args.cases):
        if case.sizes and args.size not in case.sizes:
            continue
        if args.growth_only and args.size > harness.GOAL_SIZE and case.growth is None:
            continue
        result = harness.measure(case, ledger, repeat=args.repeat)
        results.append(result.as_json())
        ratio = f"{result.ratio:.1f}×" if result.ratio is not None else "-"
        median = f"{result.median * 1000:,.0f} ms" if result.median is not None else "-"
        print(f"    {case.name}: {median}, ratio {ratio} {result.error}", flush=True)
    Path(args.out).write_text(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--cases", default="", help="only cases whose name holds one of these")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs of each side")
    parser.add_argument("--rebuild", action="store_true", help="write the ledgers anew")
    parser.add_argument(
        "--growth-only",
        action="store_true",
        help="above 20,000 tasks, only the cases with a growth goal (pages, the dashboard)",
    )
    parser.add_argument("--pg-url", default=os.environ.get("RL_BENCH_PG_URL", PG_URL))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if args.child:
        child(args)
        return

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    rows: list[harness.Result] = []
    for vendor in databases:
        for size in sizes:
            print(f"== {vendor}, {size:,} tasks", flush=True)
            _prepare(vendor, size, args.pg_url, args.rebuild)
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
                out_path = out.name
            command = [sys.executable, __file__, "--child", "--size", str(size), "--out", out_path]
            if args.cases:
                command += ["--cases", ",".join(args.cases)]
            if args.repeat:
                command += ["--repeat", str(args.repeat)]
            if args.growth_only:
                command.append("--growth-only")
            env = _environment(vendor, size, args.pg_url)
            done = subprocess.run(command, env=env, check=False)  # noqa: S603
            if done.returncode:
                print(f"  the {vendor} run at {size:,} tasks failed (exit {done.returncode})")
                continue
            for item in json.loads(Path(out_path).read_text()):
                rows.append(_result(item))
            Path(out_path).unlink(missing_ok=True)
    rows.sort(key=lambda r: (r.case, r.vendor, r.tasks))
    print()
    print(harness.table(rows))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with (results / "scale.jsonl").open("a", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps({"at": at, **r.as_json()}) + "\n")


def _result(item: dict) -> harness.Result:
    return harness.Result(
        case=item["case"],
        vendor=item["vendor"],
        tasks=item["tasks"],
        times=item["times_s"],
        bound_times=item["bound_times_s"],
        queries=item["queries"],
        peak_mib=item["peak_mib"],
        bound_peak_mib=item["bound_peak_mib"],
        error=item["error"],
        goal=item["goal"],
        growth=item.get("growth"),
        limit_s=item["limit_s"],
        memory_goal=item.get("memory_goal"),
    )


if __name__ == "__main__":
    main()
