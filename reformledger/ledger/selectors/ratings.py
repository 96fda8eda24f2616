"""Reads for the ratings part of the work cycle."""

__all__: list[str] = []
