"""Benchmark: Excel export and import of a province-scale ledger, next to bare openpyxl.

Run with `.venv/bin/python bench/bench_exchange.py [--tasks N]`. It makes a fresh
SQLite database in a temporary directory (RL_VAR_DIR, set before Django starts),
generates a ledger of N tasks (`reformledger generate`), then measures, each in a
forked child process so that one measurement's memory does not hide another's:

- the official ledger export (xlsx, styled) and the CSV export, against a bare
  openpyxl write-only pass writing the same rows' values (fetched the same way);
- the task list export (tasks and milestones);
- importing that task list back (nothing changes: read, check, compare), and
  importing it with 1% of the titles edited (those tasks updated through the
  service, audited), against a bare openpyxl read-only pass over the same file;
- how long a zip bomb, a billion-laughs sheet and a renamed text file take to be
  refused.

Time is wall time; memory is the child's peak resident size above what it started
with (VmHWM, reset at fork through /proc/self/clear_refs, minus its RSS then). A
line of JSON is appended to `bench/results/exchange.jsonl` (ignored by git).
"""

import argparse
import contextlib
import ctypes
import datetime as dt
import gc
import io
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _reset_peak() -> bool:
    """Reset this process's peak RSS (Linux: 5 > clear_refs): a forked child otherwise
    inherits its parent's high-water mark."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(fn):
    """Run `fn` in a forked child; return (seconds, peak MiB above the start, result)."""
    from django.db import connections

    connections.close_all()
    # Hand freed memory back to the system first: a child reusing its parent's freed
    # (but still resident) heap would look as if it needed no memory at all.
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        _reset_peak()
        start_rss = _rss_kib()
        began = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:  # report it instead of a broken pipe
            result = {"error": str(exc)[:300]}
        seconds = time.perf_counter() - began
        peak = _peak_kib()
        payload = json.dumps([seconds, max(peak - start_rss, 0) / 1024, result]).encode()
        with os.fdopen(write, "wb") as out:
            out.write(payload)
        connections.close_all()
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rl-bench-") as var_dir:
        os.environ["RL_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.RL_UPLOAD_MAX_BYTES = 64 * 1024 * 1024  # the whole province in one file
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        from reformledger.demo.generator import generate

        # In a child, so the parent stays small and later measurements start clean.
        measure(lambda: generate(tasks=args.tasks, units=args.units, year=2030) and None)
        print(f"generate --tasks {args.tasks}: {time.perf_counter() - began:.1f} s")
        rows = run(args)

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "exchange.jsonl").open("a", encoding="utf-8") as out:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        out.write(json.dumps({"at": at, "tasks": args.tasks, "rows": rows}) + "\n")


def run(args) -> dict:
    import openpyxl
    from django.contrib.auth import get_user_model
    from django.utils.translation import activate

    from reformledger.exchange.errors import ImportRefused
    from reformledger.ledger.documents import ledger_workbook as ledger_export
    from reformledger.ledger.documents import task_list
    from reformledger.ledger.models import Task
    from reformledger.ledger.permissions import visible_tasks
    from reformledger.ledger.services import imports as services
    from reformledger.orgs.models import Unit

    activate("zh-hans")
    user = get_user_model().objects.get(username="gen_office")
    office = Unit.objects.filter(kind="office", code__startswith="GEN").first()
    year = 2030
    tasks = visible_tasks(user).filter(year=year).order_by("year", "code")
    n = tasks.count()
    out: dict[str, dict] = {}

    def ledger_xlsx():
        data, count = ledger_export.write_ledger(tasks, title="示范省2030年台账")
        return {"rows": count, "bytes": len(data)}

    def ledger_csv():
        data, count = ledger_export.write_ledger_csv(tasks)
        return {"rows": count, "bytes": len(data)}

    def bare_write():
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("ledger")
        through = Task.helping_units.through
        helping: dict[int, list[str]] = {}
        for task_id, name in through.objects.filter(task__in=tasks.values("pk")).values_list(
            "task_id", "unit__name"
        ):
            helping.setdefault(task_id, []).append(name)
        for i, row in enumerate(
            tasks.values_list(
                "pk",
                "code",
                "title",
                "area__name",
                "lead_unit__name",
                "responsible_leader__name",
                "is_key",
                "start_date",
                "deadline",
                "deliverable_kind",
                "status",
            ).iterator(chunk_size=2000),
            start=1,
        ):
            ws.append([i, *row[1:5], "、".join(helping.get(row[0], [])), *row[5:]])
        buf = io.BytesIO()
        wb.save(buf)
        return {"bytes": len(buf.getvalue())}

    def task_list_xlsx():
        data = task_list.write_task_list(tasks, office=office, year=year)
        return {"bytes": len(data)}

    print(f"\n{n} tasks of {year} (SQLite, one process per measurement)\n")
    print(f"{'':34}{'time':>9}{'peak':>10}{'bare openpyxl':>16}{'ratio':>14}")
    bare = measure(bare_write)
    for label, fn in (
        ("export ledger (xlsx, styled)", ledger_xlsx),
        ("export ledger (CSV)", ledger_csv),
    ):
        seconds, mib, res = measure(fn)
        out[label] = {"s": seconds, "mib": mib, "bare_s": bare[0], "bare_mib": bare[1], **res}
        print(
            f"{label:34}{seconds:8.2f}s{mib:8.1f}MiB{bare[0]:8.2f}s {bare[1]:5.1f}MiB"
            f"  x{seconds / bare[0]:.1f} / x{mib / max(bare[1], 0.1):.1f}"
        )
    seconds, mib, res = measure(task_list_xlsx)
    out["export task list"] = {"s": seconds, "mib": mib, **res}
    print(f"{'export task list (with milestones)':34}{seconds:8.2f}s{mib:8.1f}MiB")

    folder = Path(os.environ["RL_VAR_DIR"])

    def files():
        data = task_list.write_task_list(tasks, office=office, year=year)
        (folder / "list.xlsx").write_bytes(data)
        (folder / "edited.xlsx").write_bytes(_edit_titles(data, every=100))
        return {}

    measure(files)  # made in a child too: building them would leave the parent large
    data = (folder / "list.xlsx").read_bytes()
    edited = (folder / "edited.xlsx").read_bytes()

    def bare_read(payload=data):
        wb = openpyxl.load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
        cells = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
        return {"cells": cells}

    def do_import(payload):
        def go():
            return services.task_list_import(
                data=payload, file_name="bench.xlsx", office=office, year=year, by=user
            )

        return go

    bare = measure(bare_read)
    for label, payload in (
        ("import back, nothing changes", data),
        ("import with 1% of titles edited", edited),
    ):
        seconds, mib, res = measure(do_import(payload))
        out[label] = {"s": seconds, "mib": mib, "bare_s": bare[0], "bare_mib": bare[1], **res}
        print(
            f"{label:34}{seconds:8.2f}s{mib:8.1f}MiB{bare[0]:8.2f}s {bare[1]:5.1f}MiB"
            f"  x{seconds / bare[0]:.1f} / x{mib / max(bare[1], 0.1):.1f}   {res}"
        )
    print(f"  (file: {len(data) / 2**20:.1f} MiB, {bare[2]['cells']:,} cells)")

    print("\nrefusals (before any spreadsheet parsing):")
    for label, payload, name in _bad_files(data):

        def refuse(payload=payload, name=name):
            try:
                services.task_list_import(
                    data=payload, file_name=name, office=office, year=year, by=user
                )
            except ImportRefused as exc:
                return exc.errors[0].message
            return "accepted?!"

        seconds, mib, message = measure(refuse)
        out[f"refuse {label}"] = {"s": seconds, "mib": mib}
        print(f"  {label:30}{seconds * 1000:8.1f} ms  {message[:60]}")
    return out


def _edit_titles(data: bytes, every: int) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row in range(3, ws.max_row + 1, every):
        ws.cell(row, 2).value = f"{ws.cell(row, 2).value}（修订）"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bad_files(good: bytes):
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename), zipfile.ZIP_DEFLATED)
        with dst.open("xl/media/zeros.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(1024):  # 1 GiB of zeros, about 1 MiB packed
                part.write(chunk)
    laughs = io.BytesIO()
    entity = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(laughs, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if body.startswith(b"<?xml"):
                    body = body.replace(b"?>", b"?>" + entity, 1)
                else:
                    body = entity + body
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
    return [
        ("zip bomb (1 GiB of zeros)", bomb.getvalue(), "bomb.xlsx"),
        ("billion laughs in sheet1.xml", laughs.getvalue(), "laughs.xlsx"),
        ("text renamed .xlsx", "编号,名称\n".encode() * 1000, "text.xlsx"),
        ("macro workbook (.xlsm)", good, "macro.xlsm"),
    ]


if __name__ == "__main__":
    main()
