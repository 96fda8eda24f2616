"""`loadtest/report.py`, the verdict of `make load`: the table it prints from Locust's CSV
and the goals it fails on (any 5xx, a page's p95 above the limit)."""

import importlib.util
import io
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "loadtest" / "report.py"
HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


@pytest.fixture(scope="module")
def report():
    spec = importlib.util.spec_from_file_location("load_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(kind: str, name: str, count: int, fails: int, p50: int, p95: int, p99: int) -> str:
    return (
        f"{kind},{name},{count},{fails},{p50},{p50},1,{p99},1000,2.5,0.0,"
        f"{p50},{p50},{p50},{p50},{p95},{p95},{p99},{p99},{p99},{p99},{p99}"
    )


def _write(tmp_path: Path, rows: list[str], failures: list[str] = ()) -> str:
    prefix = tmp_path / "load"
    Path(f"{prefix}_stats.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    Path(f"{prefix}_failures.csv").write_text(
        "\n".join(["Method,Name,Error,Occurrences", *failures]) + "\n"
    )
    return str(prefix)


def _run(report, prefix: str) -> tuple[int, str]:
    out = io.StringIO()
    code = report.summarise(prefix, 500, out=out)
    return code, out.getvalue()


def test_a_run_within_the_goals_passes_and_prints_each_kind(report, tmp_path):
    prefix = _write(
        tmp_path,
        [
            _row("GET", "page: dashboard", 120, 0, 90, 310, 480),
            _row("POST", "write: report", 30, 0, 200, 900, 1500),
            _row("POST", "auth: sign-in", 50, 0, 400, 2000, 2500),
            _row("", "Aggregated", 200, 0, 120, 800, 2000),
        ],
    )
    code, text = _run(report, prefix)
    assert code == 0
    assert "page: dashboard" in text and "write: report" in text
    assert "Goals met" in text
    assert "0 5xx answers" in text


def test_a_page_slower_than_the_goal_fails_and_is_named(report, tmp_path):
    prefix = _write(
        tmp_path,
        [
            _row("GET", "page: task", 80, 0, 200, 650, 900),
            # Writes are not held to the page goal.
            _row("POST", "write: report", 30, 0, 900, 3000, 4000),
            _row("", "Aggregated", 110, 0, 300, 1200, 3000),
        ],
    )
    code, text = _run(report, prefix)
    assert code == 1
    assert "page: task: p95 650 ms > 500 ms" in text
    assert "write: report: p95" not in text


def test_any_5xx_fails_the_run_and_is_counted(report, tmp_path):
    prefix = _write(
        tmp_path,
        [
            _row("POST", "write: report", 30, 3, 200, 400, 450),
            _row("GET", "page: my work", 30, 1, 100, 200, 300),
            _row("", "Aggregated", 60, 4, 150, 400, 450),
        ],
        [
            "POST,write: report,CatchResponseError('HTTP 502'),2",
            "GET,page: my work,\"HTTPError('503 Server Error: Service Unavailable for url: x')\",1",
            "POST,write: report,\"ConnectionError(RemoteDisconnected('closed'))\",1",
        ],
    )
    code, text = _run(report, prefix)
    assert code == 1
    assert "of which 3 5xx answers and 1 without an answer" in text
    assert "3 answers were 5xx" in text


def test_a_run_without_statistics_is_named(report, tmp_path):
    code, text = _run(report, str(tmp_path / "missing"))
    assert code == 2
    assert "No Locust statistics" in text
