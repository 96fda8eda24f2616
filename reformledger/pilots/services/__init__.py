"""Every change of state of pilots and innovations, one function per act, each writing
its audit record in the same transaction (STYLE.md)."""
