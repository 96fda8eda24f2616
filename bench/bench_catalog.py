"""Benchmark: the public search over a 5,000-item edition of the lists, and comparing two
such editions, each next to its bare lower bound.

Run with `.venv/bin/python bench/bench_catalog.py [--items N] [--departments D]`. It makes
a fresh SQLite database in a temporary directory (RL_VAR_DIR, set before Django starts;
`--database-url` uses an empty PostgreSQL database instead), writes two published
editions of a city's lists (2015 and 2016, N items each, as bulk rows: power items of
the ten types with a few sub-items, public services, spread over D departments; 2016
drops, adds, renames, moves and edits some of 2015's), then times:

- the public search page (`/public/`, the test Client without signing in, the page
  cache emptied before each run so every run renders): a name fragment, a type filter,
  page 1 and a deep page; and the same page served from the cache;
- its bare lower bound: the same search in plain SQL — the page's rows joined to their
  type and department, and the count — through the database cursor;
- `compare_editions(2015, 2016)`, against its bare lower bound: both editions' rows
  read with one SQL query each and joined on (list, code) in a dict.

It prints the median of each (and the first and best), the ratio to the bound and the
number of queries, and appends a line of JSON to `bench/results/catalog.jsonl`.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000
WORDS = ("许可", "核准", "备案", "登记", "处罚", "检查", "确认", "征收", "奖励", "审批", "服务")


def _build(items: int, n_departments: int, seed: int) -> dict:
    """Two published editions of the city's lists, as bulk rows."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from reformledger.catalog.choices import EditionStatus, ListKind, PartStatus
    from reformledger.catalog.models import Edition, Item, ItemType, Part
    from reformledger.orgs import services as orgs
    from reformledger.orgs.choices import UnitKind

    rng = random.Random(seed)
    user = get_user_model().objects.create_user(username="bench_office", password=None)
    city = orgs.unit_create(by=None, code="BC", name="基准市", kind=UnitKind.CITY)
    office = orgs.unit_create(
        by=None, code="BC-GGB", name="市委改革办", kind=UnitKind.OFFICE, parent=city
    )
    units = []
    for d in range(n_departments):
        city.refresh_from_db()
        units.append(
            orgs.unit_create(
                by=None,
                code=f"BC-D{d:02d}",
                name=f"市第{d + 1}局",
                kind=UnitKind.DEPARTMENT,
                parent=city,
            )
        )
    types = list(ItemType.objects.order_by("position"))
    services = items // 5
    powers = items - services

    def rows_of(year: int) -> list[dict]:
        """The items of an edition as plain values (2016: 2015 with changes)."""
        out = []
        for i in range(items):
            kind = ListKind.POWER if i < powers else ListKind.SERVICE
            n = i if kind == ListKind.POWER else i - powers
            out.append(
                {
                    "key": i,
                    "list_kind": kind,
                    "code": f"{'P' if kind == ListKind.POWER else 'S'}-{n + 1:05d}",
                    "name": f"{WORDS[n * 7 % len(WORDS)]}事项{n + 1}号",
                    "department": n % n_departments,
                    "item_type": types[n % len(types)] if kind == ListKind.POWER else None,
                    "basis": f"《条例》第{n % 97 + 1}条",
                    "level": "市级",
                }
            )
        if year == 2016:
            for row in out:
                r = rng.random()
                if r < 0.03:
                    row["drop"] = True
                elif r < 0.08:
                    row["name"] += "（调整）"
                elif r < 0.10:
                    row["department"] = (row["department"] + 1) % n_departments
                elif r < 0.13:
                    row["basis"] += "、第二款"
                elif r < 0.14:
                    row["level"] = "县级"
            out = [r for r in out if not r.get("drop")]
            for k in range(items - len(out)):
                out.append(
                    {
                        **out[k],
                        "code": f"N-{k + 1:05d}",
                        "name": f"新增服务{k + 1}号",
                        "list_kind": ListKind.SERVICE,
                        "item_type": None,
                    }
                )
        return out

    editions = {}
    with transaction.atomic():
        previous = None
        for year in (2015, 2016):
            edition = Edition.objects.create(
                office=office,
                jurisdiction=city,
                year=year,
                title=f"基准市权责清单和公共服务事项清单（{year}年版）",
                status=EditionStatus.PUBLISHED,
                previous=previous,
                document_no=f"基府〔{year}〕1号",
                document_title=f"基准市人民政府关于公布{year}年清单的通知",
                published_on=dt.date(year, 6, 30),
                published_by=user,
                created_by=user,
            )
            parts = {
                (u, k): Part.objects.create(
                    edition=edition, department=units[u], list_kind=k, status=PartStatus.REVIEWED
                )
                for u in range(n_departments)
                for k in ListKind.values
            }
            objs = [
                Item(
                    part=parts[(r["department"], r["list_kind"])],
                    edition=edition,
                    department=units[r["department"]],
                    list_kind=r["list_kind"],
                    position=pos,
                    code=r["code"],
                    name=r["name"],
                    item_type=r["item_type"],
                    basis=r["basis"],
                    body=units[r["department"]].name,
                    level=r["level"],
                    responsibilities="1.受理责任。2.审查责任。3.决定责任。",
                    accountability="不履行或不正确履行职责的，依法追责。",
                )
                for pos, r in enumerate(rows_of(year), start=1)
            ]
            Item.objects.bulk_create(objs, batch_size=BATCH)
            editions[year] = edition
            previous = edition
    return {"old": editions[2015], "new": editions[2016], "type": types[0]}


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return times


def _queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _line(label: str, times: list[float], bound: list[float] | None, queries: int) -> dict:
    median = statistics.median(times)
    row = {
        "step": label,
        "first_ms": round(times[0] * 1000, 2),
        "median_ms": round(median * 1000, 2),
        "best_ms": round(min(times) * 1000, 2),
        "queries": queries,
    }
    text = (
        f"  {label:34s} {row['first_ms']:8.1f} {row['median_ms']:8.1f} {row['best_ms']:8.1f}"
        f"  {queries:3d}"
    )
    if bound:
        row["bound_median_ms"] = round(statistics.median(bound) * 1000, 2)
        row["ratio"] = round(median / statistics.median(bound), 1)
        text += f"  {row['bound_median_ms']:8.2f}  x{row['ratio']}"
    print(text)
    return row


def _bare_search(edition_id: int, q: str, type_id: int | None, page: int, size: int):
    """The search page's rows and count in plain SQL (the page's joins and order)."""
    from django.db import connection

    from reformledger.catalog.models import Item, ItemType
    from reformledger.orgs.models import Unit

    item, kind, unit = Item._meta.db_table, ItemType._meta.db_table, Unit._meta.db_table
    where = ["i.edition_id = %s"]
    params: list = [edition_id]
    if q:
        where.append("(i.name LIKE %s OR i.code LIKE %s)")
        params += [f"%{q}%", f"%{q}%"]
    if type_id:
        where.append("i.item_type_id = %s")
        params.append(type_id)
    clause = " AND ".join(where)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {item} i WHERE {clause}", params)  # noqa: S608
        count = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT i.id, i.code, i.name, i.list_kind, i.parent_id, t.name, u.name "  # noqa: S608
            f"FROM {item} i LEFT JOIN {kind} t ON t.id = i.item_type_id "
            f"JOIN {unit} u ON u.id = i.department_id WHERE {clause} "
            f"ORDER BY i.list_kind, u.path, i.position, i.id LIMIT %s OFFSET %s",
            [*params, size, (page - 1) * size],
        )
        rows = cursor.fetchall()
    return count, rows


def _bare_compare(old_id: int, new_id: int) -> int:
    """Both editions' rows, one query each, joined on (list, code) in a dict."""
    from django.db import connection

    from reformledger.catalog.models import Item

    columns = (
        "id, list_kind, parent_id, code, name, department_id, item_type_id, basis, body, "
        "level, responsibilities, accountability, serves, provides, time_limit, fees, contact"
    )
    sides = []
    with connection.cursor() as cursor:
        for edition_id in (old_id, new_id):
            cursor.execute(
                f"SELECT {columns} FROM {Item._meta.db_table} WHERE edition_id = %s",  # noqa: S608
                [edition_id],
            )
            sides.append({(r[1], r[3]): r for r in cursor.fetchall()})
    old, new = sides
    changed = sum(1 for key, row in new.items() if key in old and old[key][4:] != row[4:])
    return changed + len(old.keys() - new.keys()) + len(new.keys() - old.keys())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", metavar="URL", help="an empty PostgreSQL database instead of SQLite"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        os.environ["RL_VAR_DIR"] = tmp
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformledger.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.core.cache import caches
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.test.utils import setup_test_environment

        from reformledger.catalog.compare import compare_editions

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        began = time.perf_counter()
        built = _build(args.items, args.departments, args.seed)
        setup_secs = time.perf_counter() - began
        old, new, first_type = built["old"], built["new"], built["type"]
        vendor = connections["default"].vendor
        print(
            f"public lists: two editions of {args.items} items, {args.departments} departments"
            f" ({vendor}); set-up {setup_secs:.1f} s"
        )

        setup_test_environment()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.RL_PUBLIC_RATE = "0"  # the benchmark is one busy client
        size = settings.RL_PUBLIC_PAGE_SIZE
        client = Client()
        cache = caches["public"]
        deep = max(1, args.items // size - 10)
        searches = [
            ("name fragment, page 1", {"q": "许可"}, "许可", None, 1),
            ("type filter, page 1", {"type": first_type.code}, "", first_type.pk, 1),
            ("everything, page 1", {}, "", None, 1),
            (f"everything, page {deep}", {"page": str(deep)}, "", None, deep),
        ]
        print(
            f"  {'step':34s}    first   median     best  queries  bound ms  ratio"
            f"   ({args.repeat} runs, ms)"
        )
        rows = []
        for label, params, q, type_id, page in searches:

            def rendered(params=params):
                cache.clear()
                response = client.get("/public/", params)
                assert response.status_code == 200, response.status_code

            def bare(q=q, type_id=type_id, page=page):
                _bare_search(new.pk, q, type_id, page, size)

            rendered()
            times = _time(rendered, args.repeat)
            bound = _time(bare, args.repeat)
            cache.clear()
            rows.append(_line(f"GET /public/ {label}", times, bound, _queries(rendered)))

        def cached():
            response = client.get("/public/", {"q": "许可"})
            assert response.status_code == 200

        cached()
        rows.append(
            _line("GET /public/ from the cache", _time(cached, args.repeat), None, _queries(cached))
        )

        def compare():
            compare_editions(old, new)

        def bare_compare():
            _bare_compare(old.pk, new.pk)

        comparison = compare_editions(old, new)
        repeat = max(3, args.repeat // 3)
        rows.append(
            _line(
                "compare_editions(2015, 2016)",
                _time(compare, repeat),
                _time(bare_compare, repeat),
                _queries(compare),
            )
        )
        print(f"  changes: {dict(comparison.counts)}")
        print(f"  {comparison.sentence()}")

        def edition_page():
            cache.clear()
            assert client.get(f"/public/editions/{new.pk}/").status_code == 200

        rows.append(
            _line(
                "GET /public/editions/<2016>/ (cold)",
                _time(edition_page, repeat),
                None,
                _queries(edition_page),
            )
        )
        connections.close_all()

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    with (results / "catalog.jsonl").open("a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "items": args.items,
                    "database": vendor,
                    "steps": rows,
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
