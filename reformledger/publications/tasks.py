"""The queue's jobs of this app, where `run_huey` looks for them (see `jobs`)."""

from reformledger.publications.jobs import HUEY

if HUEY:
    from reformledger.publications.jobs import queued_generation

    __all__ = ["queued_generation"]
