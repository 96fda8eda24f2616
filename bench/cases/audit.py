"""`verify_audit` over the ledger's audit trail, whole and incremental, each beside its
bare lower bound.

- "verify_audit, whole trail": `audit.selectors.walk_chain` (what `verify_audit` runs)
  against the same rows read through a cursor in the same keyset batches and one
  SHA-256 per row over its stored text joined as it comes, in plain Python (no
  canonical JSON, no link check): reading and hashing alone;
- "verify_audit, last 1% (incremental)": `walk_chain(since=...)` from the head before
  the last 1% of records (what `verify_audit --since` / `--incremental` runs), against
  the same bound over those rows.

The trail grows with the ledger (about 30 records a task), so growth is not judged. The
first run on each ledger prints the record count and records per second, from which a
million records can be extrapolated (`bench/bench_verify_audit.py --records 1000000`
measures it directly).
"""

import hashlib
import time

from bench.harness import Case, Ledger

BATCH = 5000


def _count(ledger: Ledger) -> int:
    from reformledger.audit.models import AuditRecord

    if "audit_records" not in ledger.facts:
        ledger.facts["audit_records"] = AuditRecord.objects.count()
    return ledger.facts["audit_records"]


def _start_of_last_percent(ledger: Ledger) -> tuple[int, str]:
    """The head before the last 1% of records: (id, hash)."""
    from reformledger.audit.models import AuditRecord

    key = ("audit_since", _count(ledger))
    if key not in ledger.facts:
        back = max(1, _count(ledger) // 100)
        row = AuditRecord.objects.order_by("-id").values_list("id", "hash")[back : back + 1]
        ledger.facts[key] = tuple(row[0])
    return ledger.facts[key]


def _say(ledger: Ledger, label: str, records: int, seconds: float) -> None:
    """Print the rate once per ledger and case: records per second, and a million's time."""
    key = ("audit_said", label, ledger.vendor)
    if key in ledger.facts or not seconds:
        return
    ledger.facts[key] = True
    rate = records / seconds
    print(
        f"    {label} ({ledger.vendor}, {ledger.tasks:,} tasks): {records:,} records, "
        f"{rate:,.0f} records/s → 1,000,000 in about {1_000_000 / rate:.1f} s"
    )


def _walk(ledger: Ledger, since: tuple[int, str] | None = None) -> int:
    from reformledger.audit.selectors import walk_chain

    began = time.perf_counter()
    report = walk_chain(since=since)
    if not report.intact:  # a broken chain must not pass for a fast one
        raise AssertionError(f"the chain is broken: {report.broken}")
    label = "incremental walk" if since else "whole walk"
    _say(ledger, label, report.count, time.perf_counter() - began)
    return report.count


def _bound(ledger: Ledger, first_id: int = 0) -> int:
    """The same rows, read in the same batches through a cursor, one SHA-256 each over
    the row's stored text: the floor of reading and hashing in Python."""
    from django.db import connection

    from reformledger.audit.models import AuditRecord

    columns = ", ".join(connection.ops.quote_name(f.column) for f in AuditRecord._meta.fields)
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608
    sha256 = hashlib.sha256
    count, last = 0, first_id - 1
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                sha256("|".join(map(str, row)).encode()).hexdigest()
            count += len(rows)
            last = rows[-1][0]
    return count


CASES = [
    Case(
        name="verify_audit, whole trail",
        run=_walk,
        bound=_bound,
        goal=5.0,
        limit_s=None,
        growth=None,
        memory=True,
        memory_goal=4.0,
        repeat=3,
    ),
    Case(
        name="verify_audit, last 1% (incremental)",
        run=lambda ledger: _walk(ledger, since=_start_of_last_percent(ledger)),
        bound=lambda ledger: _bound(ledger, first_id=_start_of_last_percent(ledger)[0]),
        goal=5.0,
        growth=None,
    ),
]
