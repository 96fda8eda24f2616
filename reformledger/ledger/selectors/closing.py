"""Reads for the closing part of the work cycle."""

__all__: list[str] = []
