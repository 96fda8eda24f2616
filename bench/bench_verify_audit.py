"""Benchmark: how long `verify_audit` takes over a million audit records, and its memory.

Run with `.venv/bin/python bench/bench_verify_audit.py [--records N]`. For each database
(a throwaway SQLite file in a temporary directory; and PostgreSQL too when DATABASE_URL
is set, in a throwaway database `<name>_bench_audit` on that server, dropped after)
it migrates an empty database, writes N records with a correct chain (hashes computed
here, as `audit.record` would, and inserted in bulk batches), then runs
`reformledger verify_audit` in a process of its own and reports its wall time and peak
resident memory, and, from a second untimed walk in this process, the peak Python
allocation of the walk (tracemalloc): both stay flat as N grows, since the chain is
read a batch at a time. A line of JSON per database is appended to
`bench/results/verify_audit.jsonl`.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERBS = [
    ("task.updated", "ledger.task"),
    ("report.submitted", "ledger.progressreport"),
    ("plan.approved", "ledger.plan"),
    ("evidence.downloaded", "ledger.evidence"),
    ("access.denied", ""),
    ("auth.login", ""),
]


def _records(n: int, actor_id: int, batch: int):
    """Batches of unsaved AuditRecords forming one valid chain."""
    from reformledger.audit import services
    from reformledger.audit.models import AuditRecord

    algorithm = services.chain_algorithm()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = services.GENESIS
    rows = []
    for i in range(n):
        verb, obj_type = VERBS[i % len(VERBS)]
        row = {
            "at": start + dt.timedelta(milliseconds=37 * i),
            "actor_id": actor_id if i % 3 else None,
            "actor_label": "bench" if i % 3 else "system",
            "address": f"10.0.{i % 250}.{i % 200}",
            "verb": verb,
            "outcome": "denied" if verb == "access.denied" else "success",
            "obj_type": obj_type,
            "obj_id": str(i % 20000) if obj_type else "",
            "obj_repr": f"2025-{i % 20000:05d} 改革任务 {i % 20000}" if obj_type else "",
            "ctx_type": obj_type,
            "ctx_id": str(i % 20000) if obj_type else "",
            "changes": {"percent": [i % 100, (i + 7) % 100]} if i % 2 else {},
            "reason": "按计划推进" if i % 5 == 0 else "",
            "prev_hash": prev,
        }
        prev = services.digest(services.canonical_row(row), algorithm)
        rows.append(AuditRecord(**row, hash=prev, algorithm=algorithm))
        if len(rows) == batch:
            yield rows
            rows = []
    if rows:
        yield rows


def child(backend: str, n: int, batch: int) -> dict:
    """Build and verify in this process (started by `main`, one per database)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from reformledger.audit.models import AuditRecord
    from reformledger.audit.selectors import walk_chain

    actor = get_user_model().objects.create(username="bench", full_name="基准测试")
    began = time.perf_counter()
    for rows in _records(n, actor.pk, batch):
        with transaction.atomic():
            AuditRecord.objects.bulk_create(rows, batch_size=batch)
    build = time.perf_counter() - began
    count = AuditRecord.objects.count()
    connection.close()

    began = time.perf_counter()
    verify = subprocess.run(  # noqa: S603 - our own command on our own throwaway database
        # The bench's own database: a head published from another (var/) is not its own.
        [sys.executable, str(ROOT / "manage.py"), "verify_audit", "--no-published-head"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    seconds = time.perf_counter() - began
    # ru_maxrss of waited-for children, in kilobytes on Linux: verify_audit's own peak.
    verify_rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    # The incremental check (`verify_audit --since`) from the head before the last 1%.
    back = max(1, count // 100)
    since_id, since_hash = AuditRecord.objects.order_by("-id").values_list("id", "hash")[back]
    connection.close()
    began = time.perf_counter()
    incremental = subprocess.run(  # noqa: S603 - our own command on our own throwaway database
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "verify_audit",
            "--no-published-head",
            "--since",
            f"{since_id}:{since_hash}",
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    since_seconds = time.perf_counter() - began

    tracemalloc.start()
    report = walk_chain()
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    return {
        "backend": backend,
        "records": count,
        "build_s": round(build, 1),
        "verify_s": round(seconds, 1),
        "rate_per_s": round(count / seconds) if seconds else None,
        "verify_peak_rss_mib": round(verify_rss_mib, 1),
        "walk_traced_peak_mib": round(traced_peak / 2**20, 1),
        "exit_status": verify.returncode,
        "incremental_records": count - since_id + 1,
        "incremental_s": round(since_seconds, 2),
        "incremental_exit_status": incremental.returncode,
        "intact": report.intact,
        "output": (verify.stdout + verify.stderr).strip().splitlines()[:3],
    }


def _child_main(args) -> None:
    with tempfile.TemporaryDirectory(prefix="rl-bench-audit-") as var_dir:
        os.environ["RL_VAR_DIR"] = var_dir
        if args.child == "sqlite":
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        result = child(args.child, args.records, args.batch)
        from django.db import connections

        connections.close_all()
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def _pg_throwaway(url: str, name: str, create: bool) -> str:
    """Create (or drop) database `name` on the server of `url`; its URL."""
    import psycopg
    from psycopg import sql

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000, help="records per bulk insert")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child_main(args)
        return

    runs = [("sqlite", dict(os.environ))]
    pg_url = os.environ.get("DATABASE_URL", "")
    pg_name = ""
    if pg_url:
        pg_name = pg_url.rsplit("/", 1)[1].split("?")[0] + "_bench_audit"
        runs.append(
            ("postgresql", {**os.environ, "DATABASE_URL": _pg_throwaway(pg_url, pg_name, True)})
        )
    results = []
    try:
        for backend, env in runs:
            done = subprocess.run(  # noqa: S603 - this script, as a child per database
                [
                    sys.executable,
                    __file__,
                    "--child",
                    backend,
                    "--records",
                    str(args.records),
                    "--batch",
                    str(args.batch),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"the {backend} run failed")
            results.append(json.loads(line[len("RESULT ") :]))
    finally:
        if pg_name:
            _pg_throwaway(pg_url, pg_name, False)

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    with (results_dir / "verify_audit.jsonl").open("a", encoding="utf-8") as out:
        for r in results:
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            out.write(json.dumps({"at": stamp, **r}, ensure_ascii=False) + "\n")
            print(f"verify_audit over {r['records']:,} records ({r['backend']})")
            print(f"  build (hash + bulk insert)  {r['build_s']:8.1f} s")
            print(
                f"  verify_audit                {r['verify_s']:8.1f} s"
                f"  ({r['rate_per_s']:,} records/s, exit status {r['exit_status']})"
            )
            print(
                f"  verify_audit --since (1%)   {r['incremental_s']:8.2f} s"
                f"  ({r['incremental_records']:,} records, "
                f"exit status {r['incremental_exit_status']})"
            )
            print(f"  verify_audit peak RSS       {r['verify_peak_rss_mib']:8.1f} MiB")
            print(
                f"  walk peak Python alloc      {r['walk_traced_peak_mib']:8.1f} MiB (tracemalloc)"
            )
            print(f"  chain intact                {r['intact']}")
            for text in r["output"]:
                print(f"    | {text}")


if __name__ == "__main__":
    main()
