"""The summary of a Locust run (`make load`): throughput, p50/p95/p99 per kind of
request, the errors, and the count of 5xx answers, read from Locust's CSV files
(`--csv PREFIX` writes PREFIX_stats.csv and PREFIX_failures.csv).

    python loadtest/report.py var/load/load [--page-p95-ms 500]

Exits 1 when a goal is missed: any 5xx answer, or a page (a request whose name starts
with "page:") whose 95th percentile is above --page-p95-ms milliseconds. Exits 2 when
the files are missing or empty. Standard library only.
"""

import argparse
import csv
import re
import sys
from pathlib import Path

#: The status in a failure's text: the locustfile's "HTTP 502", or requests' own
#: "502 Server Error: ..." for requests the locustfile does not check itself.
STATUS = re.compile(r"(?:HTTP |HTTPError\(')(\d{3})\b")
#: A request that got no answer at all (the server went away, a refused connection).
NO_ANSWER = re.compile(r"ConnectionError|RemoteDisconnected|ConnectionRefused|ConnectionReset")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def number(row: dict[str, str], column: str) -> float:
    try:
        return float(row.get(column) or 0)
    except ValueError:  # "N/A" for a kind without answers
        return 0.0


def summarise(prefix: str, page_p95_ms: float, out=sys.stdout) -> int:
    stats_path = Path(f"{prefix}_stats.csv")
    failures_path = Path(f"{prefix}_failures.csv")
    if not stats_path.exists():
        print(f"No Locust statistics at {stats_path}: did the run start?", file=out)
        return 2
    stats = read(stats_path)
    kinds = [r for r in stats if r["Name"] != "Aggregated"]
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    if total is None or not number(total, "Request Count"):
        print(f"{stats_path} holds no request.", file=out)
        return 2
    failures = read(failures_path) if failures_path.exists() else []

    print(
        f"{'Kind of request':34} {'reqs':>7} {'fails':>6} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}",
        file=out,
    )
    missed: list[str] = []
    for row in sorted(kinds, key=lambda r: r["Name"]):
        p95 = number(row, "95%")
        slow = row["Name"].startswith("page:") and p95 > page_p95_ms
        if slow:
            missed.append(f"{row['Name']}: p95 {p95:.0f} ms > {page_p95_ms:.0f} ms")
        print(
            f"{row['Name'][:34]:34} {int(number(row, 'Request Count')):>7} "
            f"{int(number(row, 'Failure Count')):>6} {number(row, 'Requests/s'):>7.2f} "
            f"{number(row, '50%'):>7.0f} {p95:>7.0f} {number(row, '99%'):>7.0f}"
            f"{'  <- above the goal' if slow else ''}",
            file=out,
        )
    print(
        f"{'All requests':34} {int(number(total, 'Request Count')):>7} "
        f"{int(number(total, 'Failure Count')):>6} {number(total, 'Requests/s'):>7.2f} "
        f"{number(total, '50%'):>7.0f} {number(total, '95%'):>7.0f} {number(total, '99%'):>7.0f}",
        file=out,
    )

    server_errors = no_answer = 0
    if failures:
        print("\nErrors:", file=out)
        for row in failures:
            count = int(number(row, "Occurrences"))
            found = STATUS.search(row["Error"])
            if found and found.group(1).startswith("5"):
                server_errors += count
            elif NO_ANSWER.search(row["Error"]):
                no_answer += count
            print(f"  {count:>5}  {row['Name']}: {row['Error'][:110]}", file=out)
    print(
        f"\nThroughput {number(total, 'Requests/s'):.2f} requests/s; "
        f"{int(number(total, 'Failure Count'))} errors, of which {server_errors} 5xx answers "
        f"and {no_answer} without an answer.",
        file=out,
    )
    if server_errors:
        missed.append(f"{server_errors} answers were 5xx")
    if missed:
        print("Goals missed: " + "; ".join(missed) + ".", file=out)
        return 1
    print(f"Goals met: no 5xx, every page's p95 within {page_p95_ms:.0f} ms.", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", help="the --csv prefix Locust was given, e.g. var/load/load")
    parser.add_argument("--page-p95-ms", type=float, default=500.0)
    args = parser.parse_args(argv)
    return summarise(args.prefix, args.page_p95_ms)


if __name__ == "__main__":
    sys.exit(main())
