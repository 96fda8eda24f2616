"""The side-by-side harness: a case times the product's way of doing one thing and, in
the same run, its bare lower bound (the same work in plain SQL or the bare library),
and the table prints the ratio.

A case module (`bench/cases/<name>.py`) defines `CASES`, a list of `Case`. `bench/scale.py`
builds or reuses the ledgers (`bench/fixture.py`), then for each database, size and case:

1. calls `case.before(ledger)` if given (untimed, before every timed run of either side);
2. runs `case.run(ledger)` once to warm caches, once with its queries counted, then
   `repeat` times, timed (wall clock);
3. does the same for `case.bound(ledger)`;
4. with `memory=True`, runs each side once more in a forked child and reads its peak
   resident size above what the child started with (VmHWM, reset at fork), so one
   measurement's memory does not hide another's and lxml's trees are counted;
5. prints medians, spread, the ratio, the goal, peak memory and queries.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

#: The size at which the goals are judged, and the one growth is measured against.
GOAL_SIZE = 20_000


@dataclass
class Ledger:
    """What a built ledger offers the cases: one office's ledger of `tasks` tasks for
    `year`, twelve monthly periods (`period_ids`, January first; the first eleven
    closed, December open), a year of progress reports and ratings, and the audit
    trail the services would have written for them. `username` is the office's staff
    member, who sees the whole ledger. `workdir` is a scratch directory for files."""

    tasks: int
    vendor: str  # "sqlite" or "postgresql"
    office_id: int
    year: int
    period_ids: list[int]
    workdir: Path
    username: str = "gen_office"
    facts: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def user(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=self.username)

    @cached_property
    def office(self):
        from reformledger.orgs.models import Unit

        return Unit.objects.get(pk=self.office_id)

    @cached_property
    def client(self):
        """A test Client signed in as `username` (no OTP prompt: force_login)."""
        from django.test import Client

        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(self.user)
        return client

    @property
    def open_period_id(self) -> int:
        return self.period_ids[-1]

    @property
    def closed_period_ids(self) -> list[int]:
        return self.period_ids[:-1]

    def get(self, url: str, **extra) -> bytes:
        """GET `url` as `username`; the body (streamed bodies read whole). Fails loudly on
        anything but 200 so a broken page cannot pass for a fast one."""
        response = self.client.get(url, **extra)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        return response.content


@dataclass
class Case:
    """One measure: `run` is the product's way, `bound` the bare lower bound of the same
    work. `goal` is the largest ratio run/bound accepted at `GOAL_SIZE` tasks; `growth`
    the largest ratio of `run`'s time at the largest size to its time at `GOAL_SIZE`
    (None where the work itself grows with the ledger, as an export's does). `limit_s`
    is an absolute goal in seconds at `GOAL_SIZE` where the issue sets one."""

    name: str
    run: Callable[[Ledger], Any]
    bound: Callable[[Ledger], Any] | None = None
    goal: float | None = None
    growth: float | None = None
    limit_s: float | None = None
    memory: bool = False
    memory_goal: float | None = None
    repeat: int = 5
    warm: bool = True  # False: no warm-up run (a slow case; the counted run warms it)
    before: Callable[[Ledger], None] | None = None
    sizes: tuple[int, ...] | None = None  # only these sizes (None: every size)


@dataclass
class Result:
    case: str
    vendor: str
    tasks: int
    times: list[float]
    bound_times: list[float]
    queries: int | None
    peak_mib: float | None = None
    bound_peak_mib: float | None = None
    error: str = ""
    goal: float | None = None
    growth: float | None = None
    limit_s: float | None = None
    memory_goal: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def bound_median(self) -> float | None:
        return statistics.median(self.bound_times) if self.bound_times else None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.bound_median:
            return None
        return self.median / self.bound_median

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "vendor": self.vendor,
            "tasks": self.tasks,
            "median_s": self.median,
            "times_s": self.times,
            "bound_median_s": self.bound_median,
            "bound_times_s": self.bound_times,
            "ratio": self.ratio,
            "goal": self.goal,
            "limit_s": self.limit_s,
            "growth": self.growth,
            "memory_goal": self.memory_goal,
            "queries": self.queries,
            "peak_mib": self.peak_mib,
            "bound_peak_mib": self.bound_peak_mib,
            "error": self.error,
        }


# --- memory of one call, in a forked child ------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def in_child(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run `fn` in a forked child: (seconds, peak MiB above the child's start, result)."""
    from django.db import connections

    connections.close_all()
    # Hand freed memory back first: a child reusing its parent's freed (but resident)
    # heap would look as if it needed no memory at all.
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        _reset_peak()
        start = _rss_kib()
        began = time.perf_counter()
        try:
            result = fn()
            result = result if isinstance(result, int | float | str | None) else None
        except Exception as exc:  # report it instead of a broken pipe
            result = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        seconds = time.perf_counter() - began
        payload = json.dumps([seconds, max(_peak_kib() - start, 0) / 1024, result])
        with os.fdopen(write, "wb") as out:
            out.write(payload.encode())
        connections.close_all()
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    seconds, peak, result = json.loads(data)
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError(result["error"])
    return seconds, peak, result


# --- timing -----------------------------------------------------------------------


def _timed(fn: Callable[[], Any], before: Callable[[], None] | None, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        if before:
            before()
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return times


def _count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def measure(case: Case, ledger: Ledger, *, repeat: int | None = None) -> Result:
    """Time `case` on `ledger`: a warm-up run of each side, then `repeat` timed runs
    (at most the case's own number: a slow case keeps its one run)."""
    repeat = min(repeat, case.repeat) if repeat else case.repeat
    result = Result(
        case=case.name,
        vendor=ledger.vendor,
        tasks=ledger.tasks,
        times=[],
        bound_times=[],
        queries=None,
        goal=case.goal,
        growth=case.growth,
        limit_s=case.limit_s,
        memory_goal=case.memory_goal,
    )
    before = (lambda: case.before(ledger)) if case.before else None
    run = lambda: case.run(ledger)  # noqa: E731
    bound = (lambda: case.bound(ledger)) if case.bound else None
    try:
        if case.warm:
            if before:
                before()
            run()  # a warm-up run: caches filled, what a case sets up once done
        if before:
            before()
        result.queries = _count_queries(run)
        result.times = _timed(run, before, repeat)
        if bound:
            if case.warm:
                if before:
                    before()
                bound()
            result.bound_times = _timed(bound, before, repeat)
        if case.memory:
            if before:
                before()
            result.peak_mib = in_child(run)[1]
            if bound:
                if before:
                    before()
                result.bound_peak_mib = in_child(bound)[1]
    except Exception as exc:  # one broken case must not hide the others
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    return result


# --- the table ------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _spread(times: list[float]) -> str:
    if len(times) < 2:
        return "-"
    return f"{_ms(min(times))}–{_ms(max(times))}"


def verdicts(results: list[Result]) -> dict[tuple[str, str, int], list[str]]:
    """What each result misses of its goals: the ratio and absolute limit at GOAL_SIZE,
    memory, and growth from GOAL_SIZE to the largest size measured."""
    misses: dict[tuple[str, str, int], list[str]] = {}
    at_goal = {(r.case, r.vendor): r for r in results if r.tasks == GOAL_SIZE}
    for r in results:
        key = (r.case, r.vendor, r.tasks)
        out = misses.setdefault(key, [])
        if r.error:
            out.append("error")
            continue
        if r.tasks == GOAL_SIZE:
            if r.goal is not None and r.ratio is not None and r.ratio > r.goal:
                out.append(f"ratio {r.ratio:.1f}× > {r.goal:g}×")
            if r.limit_s is not None and r.median is not None and r.median > r.limit_s:
                out.append(f"{_ms(r.median)} > {r.limit_s:g} s")
            if (
                r.memory_goal is not None
                and r.peak_mib is not None
                and r.bound_peak_mib
                and r.peak_mib > r.memory_goal * r.bound_peak_mib
            ):
                out.append(f"memory {r.peak_mib / r.bound_peak_mib:.1f}× > {r.memory_goal:g}×")
        base = at_goal.get((r.case, r.vendor))
        if r.tasks > GOAL_SIZE and r.growth is not None and base and base.median and r.median:
            grown = r.median / base.median
            if grown > r.growth:
                out.append(f"growth {grown:.2f}× > {r.growth:g}×")
    return misses


def table(results: list[Result]) -> str:
    """The side-by-side table, one line per case, database and size."""
    misses = verdicts(results)
    at_goal = {(r.case, r.vendor): r for r in results if r.tasks == GOAL_SIZE}
    head = (
        "case",
        "db",
        "tasks",
        "median",
        "spread",
        "lower bound",
        "ratio",
        "goal",
        "growth",
        "peak MiB",
        "queries",
        "verdict",
    )
    rows = [head]
    for r in results:
        goal = []
        if r.goal is not None:
            goal.append(f"≤{r.goal:g}×")
        if r.limit_s is not None:
            goal.append(f"≤{r.limit_s:g} s")
        base = at_goal.get((r.case, r.vendor))
        grown = (
            f"{r.median / base.median:.2f}×"
            if r.tasks > GOAL_SIZE and base and base.median and r.median
            else "-"
        )
        peak = "-"
        if r.peak_mib is not None:
            peak = f"{r.peak_mib:.0f}"
            if r.bound_peak_mib is not None:
                peak += f" / {r.bound_peak_mib:.0f}"
        miss = misses.get((r.case, r.vendor, r.tasks), [])
        rows.append(
            (
                r.case,
                "PG" if r.vendor == "postgresql" else "SQLite",
                f"{r.tasks:,}",
                _ms(r.median),
                _spread(r.times),
                _ms(r.bound_median),
                f"{r.ratio:.1f}×" if r.ratio is not None else "-",
                " ".join(goal) or "-",
                grown,
                peak,
                str(r.queries) if r.queries is not None else "-",
                r.error or ("; ".join(miss) if miss else "ok"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
