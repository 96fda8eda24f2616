"""The queue's jobs of this app, where `run_huey` looks for them (see `jobs`)."""

from reformledger.exchange.jobs import HUEY

if HUEY:
    from reformledger.exchange.jobs import queued_import, reap_lost_imports

    __all__ = ["queued_import", "reap_lost_imports"]
