"""Benchmark: a workbook of 1,000,000 rows is refused early, in time and memory.

Run with `.venv/bin/python bench/bench_workbook_budget.py [--rows N]`. It writes a
task sheet of N rows (about 7 MB as .xlsx), then measures, each in a forked child
(`bench_exchange.measure`: wall time, peak resident memory above the start):

- `check_xlsx` on the file as written: refused on its declared size, or on its row
  tags counted in the inflated stream;
- the same file with a sheet that lies about its size (declares 10 rows): the
  import reads it and stops at the row budget (`RL_IMPORT_MAX_ROWS`);
- the bare lower bounds beside them: inflating the sheet's XML once (the least work
  that can know its rows), and openpyxl's read-only pass over as many rows as the
  budget allows (what reading to the budget would cost).
"""

import argparse
import io
import os
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def build(rows: int) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("任务")
    ws.append(["任务编号", "改革任务", "牵头单位", "完成时限"])
    # One short number a row, as a hostile file would: it stays under the unpacked
    # size and compression limits (about 7 MB, 40 MB unpacked) however many rows.
    for i in range(rows):
        ws.append([i])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def lying(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D10"', body, count=1)
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rl-bench-") as var_dir:
        os.environ["RL_VAR_DIR"] = var_dir
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from bench_exchange import measure
        from django.conf import settings

        from reformledger.exchange.errors import ImportRefused
        from reformledger.exchange.parsing import open_table
        from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
        from reformledger.ledger.documents.task_list import KINDS

        settings.RL_UPLOAD_MAX_BYTES = 64 * 1024 * 1024
        began = time.perf_counter()
        honest = build(args.rows)
        liar = lying(honest)
        print(
            f"{args.rows} rows: {len(honest) / 2**20:.1f} MiB written in "
            f"{time.perf_counter() - began:.1f} s; budget {settings.RL_IMPORT_MAX_ROWS} rows"
        )

        def refuse(data: bytes, read: bool):
            try:
                check_xlsx(data, "big.xlsx")
                if read:
                    wb = load_workbook(data)
                    for ws in wb.worksheets:
                        found = open_table(ws, KINDS)
                        if found:
                            for _row in found[2]:
                                pass
            except ImportRefused as exc:
                return str(exc)[:80]
            return "not refused"

        def bare_decompress():
            # The least work that can know a sheet's rows: inflating its XML once.
            n = 0
            with zipfile.ZipFile(io.BytesIO(honest)) as z, z.open("xl/worksheets/sheet1.xml") as f:
                while chunk := f.read(1 << 20):
                    n += len(chunk)
            return f"{n / 2**20:.0f} MiB of sheet XML"

        def bare_read():
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(liar), read_only=True)
            ws = wb.worksheets[0]
            ws.reset_dimensions()
            n = 0
            for _row in ws.iter_rows(values_only=True):
                n += 1
                if n > settings.RL_IMPORT_MAX_ROWS:
                    break
            return n

        cases = [
            ("declared size, refused", lambda: refuse(honest, read=False)),
            ("  lower bound: inflate the sheet XML", bare_decompress),
            ("lying size, stopped while read", lambda: refuse(liar, read=True)),
            ("  lower bound: openpyxl read to the budget", bare_read),
        ]
        print(f"{'case':44} {'seconds':>8} {'peak MiB':>9}  result")
        times = []
        for name, fn in cases:
            seconds, peak, result = measure(fn)
            times.append(seconds)
            print(f"{name:44} {seconds:8.3f} {peak:9.1f}  {str(result)[:60]}")
        print(
            f"ratio declared/lower bound: {times[0] / max(times[1], 1e-6):.1f}×; "
            f"lying/lower bound: {times[2] / max(times[3], 1e-6):.2f}×"
        )


if __name__ == "__main__":
    main()
