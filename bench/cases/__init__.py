"""The cases of the side-by-side harness: every module here defines `CASES`, a list of
`bench.harness.Case`, the product's way of doing one thing beside its bare lower bound."""

import importlib
import pkgutil

from bench.harness import Case


def all_cases() -> list[Case]:
    """Every module's cases, modules in name order."""
    found: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += getattr(module, "CASES", [])
    return found
