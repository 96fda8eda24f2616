"""Benchmark: the year-end evaluation report (《改革全面评估报告》), figures, Word and PDF.

Run with `.venv/bin/python bench/bench_publications.py [--tasks N] [--skip-demo]
[--skip-pdf]`. It makes a fresh SQLite database in a temporary directory (RL_VAR_DIR,
set before Django starts), loads the Huizhou demo (`load_demo`, its 2016 report) and
generates a ledger of N tasks (`generate`, then the periods closed and a rating per task
per period with bench_dashboard's `_cycle_rows`, then `publication_create`). For each
report it times the three steps of a generation and, in the same run, each step's bare
lower bound, and prints the ratio:

1. assemble (every figure from the database) against plain SQL through a cursor: one
   GROUP BY over the ratings (area, period, letter) and the task rows of the annex;
2. render (the official layout, docx bytes) against python-docx alone writing as many
   paragraphs and table rows with the same cells (no layout, fonts or charts);
3. the PDF as `services._make_pdf` makes it (LibreOffice, the page texts, the contents'
   page numbers, LibreOffice again) against LibreOffice converting a one-page docx
   (its start-up).

Time is wall time (the best of `--repeat` runs for steps 1–2, one run for step 3).
Memory is measured in a forked child running the step once more: its peak resident
size above what it started with (VmHWM, reset through /proc/self/clear_refs) — which,
unlike tracemalloc, counts lxml's trees — and, for the PDF, the peak RSS of its child
processes (LibreOffice, poppler) from getrusage(RUSAGE_CHILDREN). A line of JSON is
appended to `bench/results/publications.jsonl` (ignored by git). `--database-url`
runs it on an empty PostgreSQL database instead.
"""

import argparse
import datetime as dt
import io
import json
import os
import pickle
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --- measuring -------------------------------------------------------------------------
def _rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _reset_peak() -> None:
    """Reset this process's peak RSS (Linux: 5 > clear_refs): a forked child otherwise
    inherits its parent's high-water mark."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _forked(fn) -> dict:
    """Run `fn` once in a forked child: its result, wall time, the child's peak RSS above
    its start, the peak RSS of the processes it started, and its query count."""
    fd, path = tempfile.mkstemp(prefix="rl-bench-")
    os.close(fd)
    pid = os.fork()
    if pid == 0:  # the child: a database connection of its own, then the step
        code = 1
        try:
            from django.db import connection, connections
            from django.test.utils import CaptureQueriesContext

            # The parent's connections are dropped unclosed (closing would end the
            # parent's session too) and kept referenced until os._exit.
            inherited = [c.connection for c in connections.all(initialized_only=True)]
            for c in connections.all(initialized_only=True):
                c.connection = None
            connection.ensure_connection()
            _reset_peak()
            start = _rss_kib()
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                result = fn()
                wall = time.perf_counter() - began
            out = {
                "result": result,
                "wall": wall,
                "peak_kib": max(0, _peak_kib() - start),
                "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                "queries": len(ctx.captured_queries),
            }
            with open(path, "wb") as f:
                pickle.dump(out, f)
            code = 0
            del inherited
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    try:
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("the measuring child failed (its traceback is above)")
        with open(path, "rb") as f:
            return pickle.load(f)  # noqa: S301 - our own child's file
    finally:
        os.unlink(path)


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    """The first and the best wall time of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return times[0], min(times), result


def _step(label: str, fn, repeat: int) -> tuple[dict, object]:
    """Time `fn` (`repeat` runs) and measure its memory and queries in a forked child
    (which runs it once more and gives nothing back)."""
    first, best, result = _timed(fn, repeat)
    child = _forked(lambda: fn() and None)
    row = {
        "step": label,
        "first_s": round(first, 3),
        "best_s": round(best, 3),
        "peak_rss_mib": round(child["peak_kib"] / 1024, 1),
        "queries": child["queries"],
    }
    return row, result


# --- what a report holds ---------------------------------------------------------------
def _shape(content: dict) -> dict:
    """Counts of the content's blocks: paragraphs (headings, text), tables, their rows
    and cells, charts (each also a table of its figures)."""
    shape = {"paragraphs": 0, "tables": 0, "rows": 0, "cells": 0, "charts": 0}
    for block in content["blocks"]:
        kind = block["t"]
        if kind in ("h", "p", "n"):
            shape["paragraphs"] += 1
        elif kind == "table":
            shape["tables"] += 1
            shape["rows"] += 1 + len(block["rows"])
            shape["cells"] += len(block["header"]) * (1 + len(block["rows"]))
        elif kind == "chart":
            shape["charts"] += 1
            shape["tables"] += 1
            shape["rows"] += 1 + len(block["categories"])
            shape["cells"] += (1 + len(block["series"])) * (1 + len(block["categories"]))
    return shape


# --- lower bounds ----------------------------------------------------------------------
def _sql_bound(publication):
    """Plain SQL through a cursor: one GROUP BY over the ratings of the year's tasks up to
    the period (per area, period and letter in force), and the annex's task rows."""
    from django.db import connection

    from reformledger.ledger.models import Period, Rating, RatingGrade, ReformArea, Task
    from reformledger.orgs.models import Unit

    r, t, p, g = (m._meta.db_table for m in (Rating, Task, Period, RatingGrade))
    a, u = ReformArea._meta.db_table, Unit._meta.db_table
    office, year, period = publication.office_id, publication.year, publication.period
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.area_id, p.number, COALESCE(gf.letter, gs.letter), COUNT(*) "  # noqa: S608
            f"FROM {r} r JOIN {t} t ON t.id = r.task_id JOIN {p} p ON p.id = r.period_id "
            f"JOIN {g} gs ON gs.id = r.suggested_id LEFT JOIN {g} gf ON gf.id = r.final_id "
            f"WHERE t.office_id = %s AND t.year = %s AND t.status <> 'cancelled' "
            f"AND p.office_id = %s AND p.year = %s AND p.start <= %s GROUP BY 1, 2, 3",
            [office, year, office, year, period.start],
        )
        counts = cursor.fetchall()
        cursor.execute(
            f"SELECT t.code, t.title, a.name, u.name, t.is_key, t.deadline, t.status "  # noqa: S608
            f"FROM {t} t LEFT JOIN {a} a ON a.id = t.area_id JOIN {u} u ON u.id = t.lead_unit_id "
            f"WHERE t.office_id = %s AND t.year = %s AND t.status <> 'cancelled' "
            f"ORDER BY t.code, t.id",
            [office, year],
        )
        tasks = cursor.fetchall()
    return counts, tasks


def _docx_bound(content: dict) -> bytes:
    """python-docx alone: the same paragraphs, and tables with the same cells' text."""
    from docx import Document

    doc = Document()
    for block in content["blocks"]:
        kind = block["t"]
        if kind in ("h", "p", "n"):
            doc.add_paragraph(block["text"])
        elif kind in ("table", "chart"):
            if kind == "table":
                header, rows = block["header"], block["rows"]
            else:
                header = ["", *[name for name, _v in block["series"]]]
                rows = [
                    [c, *[values[i] for _n, values in block["series"]]]
                    for i, c in enumerate(block["categories"])
                ]
            table = doc.add_table(rows=1, cols=len(header))
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = str(text)
            for values in rows:
                for cell, text in zip(table.add_row().cells, values, strict=True):
                    cell.text = str(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _one_page_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("改革全面评估报告")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- one report ------------------------------------------------------------------------
def _pdf_steps(content: dict, docx: bytes, startup: dict | None) -> list[dict]:
    """The PDF as services._make_pdf makes it, each LibreOffice pass in a forked child."""
    from reformledger.exchange import pdf as pdfs
    from reformledger.publications.content.render import render
    from reformledger.publications.services import heading_pages

    first = _forked(lambda: pdfs.docx_to_pdf(docx))
    began = time.perf_counter()
    texts = pdfs.pdf_page_texts(first["result"])
    numbers = heading_pages(content, texts)
    numbered = render(content, page_numbers=numbers)
    between = time.perf_counter() - began
    second = _forked(lambda: pdfs.docx_to_pdf(numbered))
    began = time.perf_counter()
    pages = len(pdfs.pdf_page_texts(second["result"]))
    count = time.perf_counter() - began
    rows = []
    for label, child in (("pdf pass 1", first), ("pdf pass 2", second)):
        rows.append(
            {
                "step": label,
                "first_s": round(child["wall"], 3),
                "best_s": round(child["wall"], 3),
                "children_rss_mib": round(child["children_kib"] / 1024, 1),
            }
        )
    total = first["wall"] + between + second["wall"] + count
    rows.append(
        {
            "step": "pdf (as _make_pdf)",
            "first_s": round(total, 3),
            "best_s": round(total, 3),
            "children_rss_mib": max(r["children_rss_mib"] for r in rows),
            "between_passes_s": round(between, 3),
            "pages": pages,
            "pdf_kib": round(len(second["result"]) / 1024, 1),
            "bound_s": startup["best_s"] if startup else None,
        }
    )
    return rows


def _bench(label: str, publication, *, repeat: int, pdf: bool, startup: dict | None) -> dict:
    from reformledger.publications import services
    from reformledger.publications.content.render import render

    print(f"\n{label}: {publication.title} ({publication.year})")
    rows = []
    assemble, content = _step("assemble", lambda: services.assemble(publication), repeat)
    sql, (counts, tasks) = _step("  bound: plain SQL", lambda: _sql_bound(publication), repeat)
    sql["rows_read"] = len(counts) + len(tasks)
    assemble["bound_s"] = sql["best_s"]
    rows += [assemble, sql]

    docx_row, docx = _step("render (docx)", lambda: render(content), repeat)
    bare, bare_docx = _step("  bound: python-docx", lambda: _docx_bound(content), repeat)
    docx_row["docx_kib"] = round(len(docx) / 1024, 1)
    bare["docx_kib"] = round(len(bare_docx) / 1024, 1)
    docx_row["bound_s"] = bare["best_s"]
    rows += [docx_row, bare]

    if pdf:
        rows += _pdf_steps(content, docx, startup)
    shape = _shape(content)
    _print(rows)
    print("  the report: " + ", ".join(f"{n} {k}" for k, n in shape.items()))
    return {"report": label, "shape": shape, "steps": rows}


def _print(rows: list[dict]) -> None:
    print(
        f"  {'step':22s} {'first s':>9s} {'best s':>9s} {'queries':>7s} {'peak MiB':>9s}"
        f" {'ratio':>7s}  notes"
    )
    for row in rows:
        ratio = ""
        if row.get("bound_s"):
            row["ratio"] = round(row["best_s"] / row["bound_s"], 1)
            ratio = f"{row['ratio']:.1f}x"
        peak = row.get("peak_rss_mib", row.get("children_rss_mib", ""))
        notes = []
        if "children_rss_mib" in row:
            notes.append("peak = LibreOffice's RSS")
        for key, unit in (("docx_kib", "KiB docx"), ("pdf_kib", "KiB pdf"), ("pages", "pages")):
            if key in row:
                notes.append(f"{row[key]} {unit}")
        if "rows_read" in row:
            notes.append(f"{row['rows_read']} rows")
        if "between_passes_s" in row:
            notes.append(f"{row['between_passes_s']} s between the passes")
        print(
            f"  {row['step']:22s} {row['first_s']:9.3f} {row['best_s']:9.3f}"
            f" {row.get('queries', ''):>7} {peak:>9} {ratio:>7}  {'; '.join(notes)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of steps 1-2, demo (3)")
    parser.add_argument(
        "--repeat-big", type=int, default=1, help="runs of steps 1-2, generated ledger (1)"
    )
    parser.add_argument("--skip-demo", action="store_true", help="only the generated ledger")
    parser.add_argument("--skip-pdf", action="store_true", help="no LibreOffice steps")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="an empty PostgreSQL database to use instead of SQLite (it is filled)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        # Settings read RL_VAR_DIR when Django starts, so it must be set first.
        os.environ["RL_VAR_DIR"] = tmp
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from bench_dashboard import _cycle_rows
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections

        from reformledger.demo.generator import generate
        from reformledger.exchange import pdf as pdfs
        from reformledger.orgs.models import Unit
        from reformledger.publications import services
        from reformledger.publications.models import Publication

        call_command("migrate", verbosity=0)
        vendor = connections["default"].vendor
        pdf = not args.skip_pdf
        if pdf and pdfs.soffice_path() is None:
            print("LibreOffice is not installed: the PDF steps are skipped.")
            pdf = False
        startup = None
        if pdf:
            one_page = _one_page_docx()
            _timed(lambda: pdfs.docx_to_pdf(one_page), 1)  # a first start fills the caches
            runs = [_forked(lambda: pdfs.docx_to_pdf(one_page)) for _ in range(3)]
            startup = {
                "step": "bound: LibreOffice, one page",
                "first_s": round(runs[0]["wall"], 3),
                "best_s": round(min(r["wall"] for r in runs), 3),
                "children_rss_mib": round(max(r["children_kib"] for r in runs) / 1024, 1),
            }
            print(
                f"LibreOffice converting a one-page docx (start-up): best of 3 "
                f"{startup['best_s']:.2f} s, peak RSS {startup['children_rss_mib']} MiB"
            )

        reports, setup = [], {}
        if not args.skip_demo:
            began = time.perf_counter()
            call_command("load_demo", stdout=io.StringIO())
            setup["demo_s"] = round(time.perf_counter() - began, 1)
            publication = Publication.objects.select_related("office", "period").get(
                office__code="HZ-GGB", year=2016, kind="evaluation_report"
            )
            print(f"load_demo {setup['demo_s']} s")
            reports.append(
                _bench("demo", publication, repeat=args.repeat, pdf=pdf, startup=startup)
            )

        began = time.perf_counter()
        counts = generate(tasks=args.tasks, units=args.units, seed=args.seed, year=args.year)
        office = Unit.objects.get(code="GEN-GGB")
        counts |= _cycle_rows(office, args.year, args.seed)
        user = get_user_model().objects.get(username="gen_office")
        publication = services.publication_create(
            office=office, year=args.year, kind="evaluation_report", by=user
        )
        publication = Publication.objects.select_related("office", "period").get(pk=publication.pk)
        setup["generated_s"] = round(time.perf_counter() - began, 1)
        print(
            f"\ngenerate --tasks {args.tasks} ({vendor}): "
            + ", ".join(f"{n} {kind}" for kind, n in counts.items())
            + f"; set-up {setup['generated_s']} s"
        )
        reports.append(
            _bench(
                f"generated {args.tasks}",
                publication,
                repeat=args.repeat_big,
                pdf=pdf,
                startup=startup,
            )
        )
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak RSS of the process (set-up included) {peak_mib:.1f} MiB")
        connections.close_all()

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "publications.jsonl").open("a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "tasks": args.tasks,
                    "database": vendor,
                    "counts": counts,
                    "setup": setup,
                    "libreoffice_startup": startup,
                    "reports": reports,
                    "peak_rss_mib": round(peak_mib, 1),
                },
                default=str,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
