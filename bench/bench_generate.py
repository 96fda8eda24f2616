"""Benchmark: how long `generate` takes to write a province-scale ledger on SQLite.

Run with `.venv/bin/python bench/bench_generate.py [--tasks N] [--units M]`. It makes
a fresh SQLite database in a temporary directory (RL_VAR_DIR, set before Django
starts), migrates it, generates the ledger and prints the wall time and the peak
resident memory of the process. A line of JSON is appended to
`bench/results/generate.jsonl` (ignored by git) so runs can be compared.
"""

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--units", type=int, default=200)
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
        from django.core.management import call_command
        from django.db import connections

        from reformledger.demo.generator import generate

        call_command("migrate", verbosity=0)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        counts = generate(tasks=args.tasks, units=args.units, seed=args.seed)
        wall = time.perf_counter() - began
        # ru_maxrss is in kilobytes on Linux: the high-water mark of the whole process.
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db_mib = sum(f.stat().st_size for f in Path(var_dir).glob("*.sqlite3*")) / 2**20
        connections.close_all()

    print(f"generate --tasks {args.tasks} --units {args.units} --seed {args.seed} (SQLite)")
    print("  " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    print(f"  wall time      {wall:8.2f} s  ({args.tasks / wall:,.0f} tasks/s)")
    print(f"  peak RSS       {peak_mib:8.1f} MiB (before generate: {rss_before / 1024:.1f} MiB)")
    print(f"  database size  {db_mib:8.1f} MiB")

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "generate.jsonl").open("a", encoding="utf-8") as out:
        row = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tasks": args.tasks,
            "units": args.units,
            "seconds": round(wall, 2),
            "peak_rss_mib": round(peak_mib, 1),
            "db_mib": round(db_mib, 1),
            "counts": counts,
        }
        out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
