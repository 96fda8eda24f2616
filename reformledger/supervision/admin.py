"""Nothing of supervision is registered in Django admin: orders, meetings and reviews are
ledger content, changed only through their pages and services, and the admin site is
where the system administrator works, who reads no ledger content."""
