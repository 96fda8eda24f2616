"""Changes for the periods part of the work cycle, each with its audit record."""

__all__: list[str] = []
