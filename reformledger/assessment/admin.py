"""Nothing of the assessment is registered in Django admin: rule sets, cards and appeals
are ledger content, changed only through their pages and services, and the admin site is
where the system administrator works, who reads no ledger content."""
