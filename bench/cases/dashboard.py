"""The dashboard (领导驾驶舱) beside a hand-written dashboard over the raw rows.

- run: GET /dashboard/?year=<year> as the office's staff member (the whole page: its
  ledger charts, which read the closed periods' summary rows and the open period's raw
  rows, and its supervision, pilots, evaluation and assessment sections);
- bound: what the ledger charts show, in plain SQL through a cursor over the raw rows of
  every period — tasks by status, ratings by period and grade over every rating, the
  latest rated period by area and by lead unit, lead units by tasks, overdue milestones by
  lead unit, each unit's open tasks, first start, last report (over every report) and
  reports missing, and the worst key tasks with their rating paths. The bound is what a
  hand-written dashboard costs that keeps no summary: the summary rows are not read.
"""

import datetime as dt

from bench.harness import Case, Ledger

KEY_TASK_LIMIT = 60
LEVELS = ["ahead", "on_schedule", "slightly_behind", "seriously_behind", "stalled"]


def _page(ledger: Ledger) -> bytes:
    return ledger.get(f"/dashboard/?year={ledger.year}")


def _rows(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _bound(ledger: Ledger) -> dict:
    """The ledger charts' figures from the raw rows, in plain SQL (office and year given)."""
    from django.db import connection
    from django.utils import timezone

    from reformledger.core.clock import business_today

    office, year = ledger.office_id, ledger.year
    today = business_today()
    out: dict = {}
    with connection.cursor() as c:
        periods = _rows(
            c,
            'SELECT id, "end", report_due FROM ledger_period WHERE office_id = %s AND year = %s',
            [office, year],
        )
        grades = _rows(
            c,
            "SELECT g.id, g.level FROM ledger_ratinggrade g JOIN ledger_ratingscale s "
            "ON s.id = g.scale_id WHERE s.office_id = %s",
            [office],
        )
        out["status"] = _rows(
            c,
            "SELECT status, is_key, COUNT(*) FROM ledger_task WHERE office_id = %s AND year = %s "
            "GROUP BY status, is_key",
            [office, year],
        )
        # A rating's period is its task's ledger's: no join to the tasks is needed.
        marks = ", ".join(["%s"] * len(periods))
        out["over_periods"] = _rows(
            c,
            "SELECT period_id, COALESCE(final_id, suggested_id), COUNT(*) "  # noqa: S608
            f"FROM ledger_rating WHERE period_id IN ({marks}) GROUP BY 1, 2",
            [p[0] for p in periods],
        )
        rated = {p for p, _g, _n in out["over_periods"]}
        latest = max((p for p in periods if p[0] in rated), key=lambda p: p[1])[0]
        out["by_area"] = _rows(
            c,
            'SELECT t.area_id, a.name, a."order", COALESCE(r.final_id, r.suggested_id), '
            "COUNT(*) FROM ledger_rating r JOIN ledger_task t ON t.id = r.task_id "
            "JOIN ledger_reformarea a ON a.id = t.area_id "
            "WHERE r.period_id = %s AND t.office_id = %s AND t.year = %s GROUP BY 1, 2, 3, 4",
            [latest, office, year],
        )
        out["by_unit"] = _rows(
            c,
            "SELECT t.lead_unit_id, COALESCE(r.final_id, r.suggested_id), COUNT(*) "
            "FROM ledger_rating r JOIN ledger_task t ON t.id = r.task_id "
            "WHERE r.period_id = %s AND t.office_id = %s AND t.year = %s GROUP BY 1, 2",
            [latest, office, year],
        )
        out["lead_units"] = _rows(
            c,
            "SELECT t.lead_unit_id, u.name, u.short_name, COUNT(*) FROM ledger_task t "
            "JOIN orgs_unit u ON u.id = t.lead_unit_id WHERE t.office_id = %s AND t.year = %s "
            "GROUP BY 1, 2, 3, u.path ORDER BY 4 DESC, u.path",
            [office, year],
        )
        out["overdue"] = _rows(
            c,
            "SELECT t.lead_unit_id, COUNT(*), "
            "SUM(CASE WHEN m.planned_date >= %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN m.is_key THEN 1 ELSE 0 END) "
            "FROM ledger_milestone m JOIN ledger_plan p ON p.id = m.plan_id "
            "JOIN ledger_task t ON t.id = p.task_id "
            "WHERE t.office_id = %s AND t.year = %s AND p.status = 'approved' "
            "AND t.status IN ('planning', 'in_progress', 'blocked') "
            "AND m.reached_on IS NULL AND m.planned_date < %s GROUP BY 1",
            [
                today - dt.timedelta(days=30),
                office,
                year,
                today,
            ],
        )
        due = [p for p in periods if p[2] < today]
        last_due, last_end = max(due, key=lambda p: p[1])[:2] if due else (None, today)
        by_then = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
        out["open"] = _rows(
            c,
            "SELECT t.lead_unit_id, COUNT(*), MIN(t.start_date), "
            "SUM(CASE WHEN t.status IN ('in_progress', 'blocked') AND t.start_date <= %s "
            "AND NOT EXISTS (SELECT 1 FROM "
            "ledger_progressreport r WHERE r.task_id = t.id AND r.period_id = %s "
            "AND r.status IN ('submitted', 'accepted') AND r.submitted_at < %s) "
            "THEN 1 ELSE 0 END) "
            "FROM ledger_task t WHERE t.office_id = %s AND t.year = %s "
            "AND t.status IN ('planning', 'in_progress', 'blocked') GROUP BY 1",
            [last_end, last_due, by_then, office, year],
        )
        out["last_report"] = _rows(
            c,
            "SELECT t.lead_unit_id, MAX(r.submitted_at) FROM ledger_progressreport r "
            "JOIN ledger_task t ON t.id = r.task_id WHERE t.office_id = %s AND t.year = %s "
            "AND r.submitted_at < %s GROUP BY 1",
            [office, year, by_then],
        )
        severity = " ".join(f"WHEN {pk} THEN {LEVELS.index(level)}" for pk, level in grades)
        latest_grade = (
            f"SELECT CASE COALESCE(r.final_id, r.suggested_id) {severity} ELSE -1 END "  # noqa: S608
            "FROM ledger_rating r JOIN ledger_period p ON p.id = r.period_id "
            'WHERE r.task_id = t.id ORDER BY p."end" DESC LIMIT 1'
        )
        worst = f"COALESCE(({latest_grade}), -1) DESC, t.code LIMIT {KEY_TASK_LIMIT}"
        keys = _rows(
            c,
            "SELECT t.id, t.code, t.title FROM ledger_task t "  # noqa: S608
            f"WHERE t.office_id = %s AND t.year = %s AND t.is_key ORDER BY {worst}",
            [office, year],
        )
        ids = [k[0] for k in keys] or [0]
        marks = ", ".join(["%s"] * len(ids))
        out["key_paths"] = _rows(
            c,
            "SELECT task_id, period_id, COALESCE(final_id, suggested_id) "  # noqa: S608
            f"FROM ledger_rating WHERE task_id IN ({marks})",
            ids,
        )
    return out


CASES = [
    Case(name="dashboard", run=_page, bound=_bound, goal=2.0, growth=2.0),
]
