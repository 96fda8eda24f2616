"""Rating one period: `ratings_compute_period` of the open period (every ratable task's
suggestion computed and upserted, one audit record) beside its bare lower bound.

The bound does the same reads and writes in plain SQL: one query reading the period's
tasks with their approved milestones and latest report, a plain A–E rule on them in
Python, and one executemany upsert of a rating per task (suggestion, reasons and facts
as JSON) into a scratch table shaped like the ratings table, so the ledger's own
ratings are left as the product wrote them. Both sides leave a suggestion computed
again as it was untouched, as the service does: after the warm-up run, each timed run
is a period computed again, which is what an office does as reports come in.
"""

import json

from bench.harness import Case, Ledger

SCRATCH = "bench_rating_bound"


def _rate(ledger: Ledger):
    from reformledger.ledger.models import Period
    from reformledger.ledger.services.ratings import ratings_compute_period

    return ratings_compute_period(period=Period.objects.get(pk=ledger.open_period_id)).computed


def _scratch(cursor, vendor: str) -> None:
    jsonb = "jsonb" if vendor == "postgresql" else "text"
    stamp = "timestamptz" if vendor == "postgresql" else "datetime"
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {SCRATCH} (task_id bigint NOT NULL, "
        f"period_id bigint NOT NULL, suggested_id bigint NOT NULL, reasons {jsonb} NOT NULL, "
        f"facts {jsonb} NOT NULL, computed_at {stamp} NOT NULL, status varchar(12) NOT NULL, "
        "override_reason text NOT NULL, UNIQUE (task_id, period_id))"
    )


def _bound(ledger: Ledger) -> int:
    from django.db import connection
    from django.utils import timezone

    from reformledger.ledger.services.ratings import excluded_differs

    vendor = connection.vendor
    with connection.cursor() as cursor:
        _scratch(cursor, vendor)
        cursor.execute(
            "SELECT g.level, g.id FROM ledger_ratinggrade g JOIN ledger_ratingscale s "
            "ON s.id = g.scale_id WHERE s.office_id = %s AND s.year = %s",
            [ledger.office_id, ledger.year],
        )
        grades = dict(cursor.fetchall())
        cursor.execute(
            'SELECT number, "end" FROM ledger_period WHERE id = %s', [ledger.open_period_id]
        )
        number, on = cursor.fetchone()
        cursor.execute(
            "SELECT t.id, t.start_date, t.status, m.title, m.planned_date, m.weight, "
            "m.reached_on, (SELECT r.percent FROM ledger_progressreport r JOIN ledger_period p "
            "ON p.id = r.period_id WHERE r.task_id = t.id AND p.number <= %s "
            "AND r.status IN ('submitted', 'accepted') ORDER BY p.number DESC LIMIT 1) "
            "FROM ledger_task t LEFT JOIN ledger_plan pl ON pl.task_id = t.id "
            "AND pl.status = 'approved' LEFT JOIN ledger_milestone m ON m.plan_id = pl.id "
            'WHERE t.office_id = %s AND t.year = %s ORDER BY t.id, m."order"',
            [number, ledger.office_id, ledger.year],
        )
        tasks: dict[int, dict] = {}
        for task_id, start, status, title, planned, weight, reached, percent in cursor:
            task = tasks.setdefault(
                task_id, {"start": str(start), "status": status, "percent": percent, "m": []}
            )
            if title is not None:
                task["m"].append((title, str(planned), weight, str(reached) if reached else None))
        rows = []
        on_text = str(on)
        levels = sorted(grades)
        for task_id, task in tasks.items():
            planned = sum(w for _t, day, w, _r in task["m"] if day <= on_text)
            behind = planned - (task["percent"] or 0)
            level = levels[min(max(behind // 20, 0), len(levels) - 1)]
            facts = {
                "planned": planned,
                "behind": behind,
                "reported_percent": task["percent"],
                "milestones": [
                    {"title": t, "planned_date": d, "weight": w, "reached_on": r}
                    for t, d, w, r in task["m"]
                ],
            }
            rows.append(
                (
                    task_id,
                    ledger.open_period_id,
                    grades[level],
                    json.dumps([{"text": "behind", "params": {"n": behind}}]),
                    json.dumps(facts),
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    "suggested",
                    "",
                )
            )
        value = "CAST(%s AS jsonb)" if vendor == "postgresql" else "%s"
        moved = excluded_differs(SCRATCH, ["suggested_id", "reasons", "facts"])
        cursor.executemany(
            f"INSERT INTO {SCRATCH} VALUES (%s, %s, %s, {value}, {value}, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (task_id, period_id) DO UPDATE SET suggested_id = excluded.suggested_id, "
            "reasons = excluded.reasons, facts = excluded.facts, "
            f"computed_at = excluded.computed_at WHERE {moved}",
            rows,
        )
    return len(rows)


CASES = [
    Case(
        name="rating one period",
        run=_rate,
        bound=_bound,
        limit_s=2.0,
        growth=None,
        repeat=3,
    ),
]
