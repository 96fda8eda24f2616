"""The ledger's task list (台账): the page and the API, on the first page and deep in the
list, 100 rows filtered (tasks in progress) and sorted (latest deadline first).

The lower bound of each is the same page's rows and the count of the filtered set in
plain SQL through a cursor, as one would write it for the office's own ledger: the
rows with what each shows (area, system, lead unit), sorted, limited and offset; and a
COUNT(*). The page renders HTML and shows more (totals, each row's rating, the rating
filter's choices, the user's next acts): the goal of 10× leaves room for that.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import override_settings

from bench.harness import Case, Ledger

ROWS = 100
FILTER = "status=in_progress&ordering=-deadline"


def _offset(ledger: Ledger) -> int:
    """5,000 rows in (page 51); a small ledger's deep page is a quarter of the way in."""
    return 5_000 if ledger.tasks >= 20_000 else (ledger.tasks // 4) // ROWS * ROWS


def _page(offset: int) -> int:
    return offset // ROWS + 1


def _ledger_page(offset: int):
    def run(ledger: Ledger) -> bytes:
        url = f"/ledger/?year={ledger.year}&{FILTER}&page={_page(offset)}"
        with override_settings(LEDGER_PAGE_SIZE=ROWS):
            return ledger.get(url)

    return run


def _api_page(offset: int):
    def run(ledger: Ledger) -> bytes:
        url = f"/api/v1/tasks/?year={ledger.year}&{FILTER}&page_size={ROWS}&page={_page(offset)}"
        return ledger.get(url, HTTP_ACCEPT="application/json")

    return run


ROWS_SQL = """
SELECT t.id, t.code, t.title, t.is_key, t.deadline, t.status,
       a.name, s.name, u.name, u.short_name
  FROM ledger_task t
  JOIN ledger_reformarea a ON a.id = t.area_id
  LEFT JOIN ledger_reformsystem s ON s.id = t.system_id
  JOIN orgs_unit u ON u.id = t.lead_unit_id
 WHERE t.office_id = %s AND t.year = %s AND t.status = 'in_progress'
 ORDER BY t.deadline DESC, t.id
 LIMIT %s OFFSET %s
"""
COUNT_SQL = """
SELECT COUNT(*) FROM ledger_task t
 WHERE t.office_id = %s AND t.year = %s AND t.status = 'in_progress'
"""


def _bound(offset_of):
    def bound(ledger: Ledger) -> int:
        offset = offset_of(ledger)
        with connection.cursor() as cursor:
            cursor.execute(ROWS_SQL, [ledger.office_id, ledger.year, ROWS, offset])
            rows = cursor.fetchall()
            cursor.execute(COUNT_SQL, [ledger.office_id, ledger.year])
            (count,) = cursor.fetchone()
        assert len(rows) == min(ROWS, max(count - offset, 0)), (len(rows), count)
        return count

    return bound


def _first(ledger: Ledger) -> int:
    return 0


def _run_at(make, offset_of):
    return lambda ledger: make(offset_of(ledger))(ledger)


CASES = [
    Case(
        name="ledger page 100 rows filtered+sorted",
        run=_run_at(_ledger_page, _first),
        bound=_bound(_first),
        goal=10.0,
        growth=1.5,
    ),
    Case(
        name="ledger page at offset 5,000",
        run=_run_at(_ledger_page, _offset),
        bound=_bound(_offset),
        goal=10.0,
        growth=1.5,
    ),
    Case(
        name="API task list",
        run=_run_at(_api_page, _first),
        bound=_bound(_first),
        goal=10.0,
        growth=1.5,
    ),
    Case(
        name="API task list deep",
        run=_run_at(_api_page, _offset),
        bound=_bound(_offset),
        goal=10.0,
        growth=1.5,
    ),
]
