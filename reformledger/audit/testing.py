"""Test-suite support for the append-only audit table (never used by the application)."""

from contextlib import contextmanager

from reformledger.audit import triggers


@contextmanager
def flush_lifts_triggers():
    """Let Django's `flush` (run between transactional tests) empty the audit table.

    The triggers refuse DELETE and TRUNCATE, so for the block `flush` drops them
    before its own statements and creates them again after, in its one transaction.
    """
    from django.core.management.commands import flush

    original = flush.sql_flush

    def sql_flush(style, connection, *args, **kwargs):
        statements = original(style, connection, *args, **kwargs)
        if not statements or triggers.TABLE not in connection.introspection.table_names():
            return statements
        vendor = connection.vendor
        return [
            *triggers.drop_statements(vendor, with_function=False),
            *statements,
            *triggers.create_statements(vendor, with_function=False),
        ]

    flush.sql_flush = sql_flush
    try:
        yield
    finally:
        flush.sql_flush = original
