"""Changes for the reports part of the work cycle, each with its audit record."""

__all__: list[str] = []
