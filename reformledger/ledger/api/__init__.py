"""The ledger's part of /api/v1/: tasks and plans (`tasks`), progress reports, ratings
and closing requests (`cycle`), on the API plumbing of `reformledger.api`."""
