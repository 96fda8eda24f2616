# The audit trail is never edited through admin; the auditor reads it on its own pages.
