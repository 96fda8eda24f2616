"""Pilots' own Excel and Word documents: the investment sheet (out and back in), the
registry export and a pilot's one-page summary. They use `exchange` for what every
document shares."""
