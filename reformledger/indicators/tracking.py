"""Whether an indicator is on track (进度): the arithmetic of the path, without queries.

The path of a year runs in a straight line from its start at the beginning of the year
(1 January) to the year's target at its end (31 December). The start is the last
actual of the previous year; without one, the baseline; without a baseline either,
the target itself (the path is then flat: the indicator is judged against the target
all year).

An actual is behind when it lies on the wrong side of the path at its period's end —
below it for "higher is better", above it for "lower is better" — by more than the
tolerance: 1% of the change the year plans (|target − start|), and never less than
half of the last digit the indicator shows (so a figure rounded as it is displayed
never flips the verdict). A year that plans no change uses the second rule alone.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reformledger.indicators.choices import Direction, Track

#: Share of the year's planned change an actual may lag by and still be on track.
TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Actual:
    """An actual value at the end of a period: reported (with its row), or computed for
    a ratio from its parts' values of the same period (`row` is None)."""

    period: object  # ledger Period
    value: Decimal
    status: str  # ValueStatus: for a ratio, checked only when both parts are
    row: object | None = None  # the IndicatorValue, for a reported indicator


def year_fraction(day: dt.date, year: int) -> Decimal:
    """How far through `year` the end of `day` is: 0 before it starts, 1 at its end."""
    if day.year < year:
        return Decimal(0)
    if day.year > year:
        return Decimal(1)
    days = 366 if calendar.isleap(year) else 365
    return Decimal(day.timetuple().tm_yday) / Decimal(days)


def path_at(start: Decimal, target: Decimal, day: dt.date, year: int) -> Decimal:
    """The path's value at the end of `day`."""
    return start + (target - start) * year_fraction(day, year)


def tolerance(start: Decimal, target: Decimal, decimals: int) -> Decimal:
    """How far an actual may lag the path and still be on track (see the module)."""
    shown = Decimal(1).scaleb(-int(decimals)) / 2
    return max(abs(target - start) * TOLERANCE, shown)


def judge(*, direction: str, actual: Decimal, path: Decimal, allowed: Decimal) -> Track:
    """On track or behind: `actual` against `path` for `direction`, within `allowed`."""
    lower = direction == Direction.LOWER
    behind = actual > path + allowed if lower else actual < path - allowed
    return Track.BEHIND if behind else Track.ON_TRACK


def ratio(numerator: Decimal, denominator: Decimal, scale: Decimal) -> Decimal | None:
    """numerator / denominator × scale, or None when the denominator is zero."""
    if not denominator:
        return None
    return numerator / denominator * scale
