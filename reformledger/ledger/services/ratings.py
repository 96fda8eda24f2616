"""Changes for the ratings part of the work cycle, each with its audit record."""

__all__: list[str] = []
