"""The ledger's part of /api/v1/: tasks and plans (`tasks`), progress reports, ratings
and closing requests (`cycle`), reform areas and systems, periods and rating scales
(`reference`), on the API plumbing of `reformledger.api`; who may do which act is
said per tag in the schema (`docs`)."""
