"""Nothing of indicators is registered in Django admin: indicators, targets and values are
ledger content, changed only through their pages and services, and the admin site is
where the system administrator works, who reads no ledger content."""
