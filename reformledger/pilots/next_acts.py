"""Pilots' kinds of the next act (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, called in PilotsConfig.ready)."""

from reformledger.pilots.next_acts_innovations import innovation_sources
from reformledger.pilots.next_acts_pilots import pilot_sources

__all__ = ["innovation_sources", "pilot_sources"]
