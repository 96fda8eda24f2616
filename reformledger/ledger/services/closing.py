"""Changes for the closing part of the work cycle, each with its audit record."""

__all__: list[str] = []
