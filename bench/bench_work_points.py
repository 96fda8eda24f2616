"""Benchmark: reading a year's work points into drafts, next to python-docx alone.

Run with `.venv/bin/python bench/bench_work_points.py [--items N]`. It makes a fresh
SQLite database in a temporary directory (RL_VAR_DIR, set before Django starts) with
a city, its office and the departments the document names, builds a Word document
of N items under ten headings (each with its units in brackets and two deadlines),
then measures, each in a forked child process:

- the bare lower bound: python-docx opening the file and reading every paragraph's
  text, nothing else;
- reading the document into items (numbering, titles, units, deadlines, targets);
- the whole check the job runs: reading, matching every unit, comparing with the
  ledger, and building the preview the page shows;
- confirming it: the programme, the document, the points and N tasks through
  `task_create`, each audited.

A line of JSON is appended to `bench/results/work_points.jsonl` (ignored by git).
"""

import argparse
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_exchange import measure  # noqa: E402 - the forked, memory-measuring runner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300)
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

        settings.MEDIA_ROOT = Path(var_dir) / "media"
        call_command("migrate", verbosity=0)
        rows = run(args)

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "work_points.jsonl").open("a", encoding="utf-8") as out:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        out.write(json.dumps({"at": at, "items": args.items, "rows": rows}) + "\n")


def _world():
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from reformledger.ledger.models import ReformArea
    from reformledger.orgs import services as orgs
    from reformledger.orgs.choices import Role, UnitKind

    with transaction.atomic():
        city = orgs.unit_create(by=None, code="HZ", name="惠州市", kind=UnitKind.CITY)
        office = orgs.unit_create(
            by=None, code="HZ-GGB", name="市委改革办", kind=UnitKind.OFFICE, parent=city
        )
        city.refresh_from_db()
        for code, name, kind in (
            ("HZ-FGJ", "市发展改革局", UnitKind.DEPARTMENT),
            ("HZ-CZJ", "市财政局", UnitKind.DEPARTMENT),
            ("HZ-HY", "惠阳区", UnitKind.COUNTY),
            ("HZ-BL", "博罗县", UnitKind.COUNTY),
        ):
            orgs.unit_create(by=None, code=code, name=name, kind=kind, parent=city)
            city.refresh_from_db()
        ReformArea.objects.create(code="economy", name="经济体制改革", order=1)
        user = get_user_model().objects.create_user(username="bench", password="x" * 20)
        office.refresh_from_db()
        orgs.membership_grant(by=None, user=user, unit=office, role=Role.OFFICE_ADMIN)
    return user, office


def run(args) -> dict:
    from django.utils.translation import activate
    from docx import Document

    from reformledger.ledger.documents.work_points import read_work_points
    from reformledger.ledger.services import work_points
    from reformledger.ledger.tests.work_points_documents import many_items

    activate("zh-hans")
    user, office = _world()
    data = many_items(args.items)
    year = 2022

    def bare():
        document = Document(io.BytesIO(data))
        return {"paragraphs": sum(1 for p in document.paragraphs if p.text)}

    def reading():
        read = read_work_points(data, "要点.docx", year=year)
        return {"items": len(read.items), "headings": len(read.headings)}

    def checking():
        check = work_points.work_points_check(
            data=data, file_name="要点.docx", office=office, year=year, by=user
        )
        preview = check.preview(office)
        return {"drafts": len(preview["drafts"]), "errors": len(preview["errors"])}

    def confirming():
        counts = work_points.work_points_import(
            data=data, file_name="要点.docx", office=office, year=year, by=user
        )
        return {"created": counts["created"]}

    print(f"\na Word document of {args.items} items ({len(data) / 1024:.0f} KiB), SQLite\n")
    print(f"{'':40}{'time':>9}{'peak':>10}{'ratio to bare':>16}")
    out: dict[str, dict] = {}
    base = measure(bare)
    print(f"{'python-docx reading the paragraphs':40}{base[0]:8.3f}s{base[1]:8.1f}MiB{'x1.0':>16}")
    out["bare python-docx"] = {"s": base[0], "mib": base[1], **base[2]}
    for label, fn in (
        ("read into items", reading),
        ("read, match, compare, preview", checking),
        ("confirm: write the tasks", confirming),
    ):
        began = time.perf_counter()
        seconds, mib, res = measure(fn)
        seconds = seconds or time.perf_counter() - began
        out[label] = {"s": seconds, "mib": mib, "bare_s": base[0], **res}
        print(f"{label:40}{seconds:8.3f}s{mib:8.1f}MiB{'x' + format(seconds / base[0], '.1f'):>16}"
              f"   {res}")  # fmt: skip
    return out


if __name__ == "__main__":
    main()
