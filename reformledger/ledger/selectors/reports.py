"""Reads for the reports part of the work cycle."""

__all__: list[str] = []
