"""Nothing of pilots is registered in Django admin: pilots, their reviews, acceptances,
sub-projects, investment reports, innovations and adoptions are ledger content, changed
only through their pages and services, and the admin site is where the system
administrator works, who reads no ledger content."""
