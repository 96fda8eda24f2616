"""Faults under load on the production stack: Locust plays the office's day with the
writers' weight raised while app server 2 is killed (SIGKILL) and started again, and
Redis (cache and queue, nothing on disk) is restarted. Afterwards the stack's database
must hold every write the site accepted exactly once, nothing it did not accept except
what the kill cut, an audit chain that verifies, and one message per notice to each
messenger robot (docs/operations.md "Load and fault testing", decision 0024).

A write the kill cut: its request was in flight on app2 when app2 died, so nginx
answered 502 (or the connection dropped: status 0), though the transaction may have
committed just before. Such a write may be in the database once or not at all; any other
refused write (a form refused, a report returned twice) must have left nothing.
"""

import collections
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"
#: How long Locust runs, how many users, and when the faults come (seconds into the run).
RUN_SECONDS = 80
USERS = 16
KILL_APP_AT = 30
RESTART_REDIS_AT = 55
#: Answers of a request the kill cut: nginx's for a dead upstream, or no answer at all.
CUT = {0, 502, 503, 504}
#: Seconds to wait after the run for the outbox to be empty (the sweep runs each minute).
DELIVERY_WAIT = 100
ROBOT_NAME = "Fault test robot"

ROBOTS_SCRIPT = """
from reformledger.accounts.models import User
from reformledger.ledger import permissions
from reformledger.notifications import messengers
from reformledger.notifications.models import MessengerRobot

office = User.objects.get(username="office")
units = {}
for name in ("huiyang", "fgj", "hy_office"):
    liaison = User.objects.get(username=name)
    for task in permissions.visible_tasks(liaison).select_related("lead_unit"):
        if task.is_open and permissions.can(liaison, "report", task):
            units[task.lead_unit.pk] = task.lead_unit
for unit in units.values():
    fields = messengers.RobotFields(
        name=NAME, platform="wecom", webhook_url=BASE + unit.code, topics=("returned",)
    )
    robot = MessengerRobot.objects.filter(unit=unit, name=NAME).first()
    if robot is None:
        robot = messengers.messenger_create(unit=unit, by=office, fields=fields)
    else:
        robot = messengers.messenger_update(robot=robot, by=office, fields=fields)
        messengers.messenger_set_active(robot=robot, by=office, active=True)
    print(unit.code, unit.pk, robot.pk)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _app_env(stack, **extra) -> dict[str, str]:
    """The environment of a management command on the stack's database."""
    from reformledger.demo.data import BUSINESS_DATE

    env = dict(os.environ, DATABASE_URL=stack.database_url, **extra)
    env["RL_BUSINESS_DATE"] = BUSINESS_DATE.isoformat()
    # The heads this stack published, not those of other databases in the checkout's var/.
    env["RL_AUDIT_HEAD_FILE"] = str(stack.state_dir / "audit-heads.jsonl")
    env.pop("HUEY_IMMEDIATE", None)
    return env


def _configure_robots(stack, receiver_port: int) -> dict[int, int]:
    """A WeCom robot pointing at the receiver on every unit the liaisons report for,
    through the messenger service (as the office would add it): {unit id: robot id}."""
    base = f"http://127.0.0.1:{receiver_port}/cgi-bin/webhook/send?key=fault-"
    script = f"NAME = {ROBOT_NAME!r}\nBASE = {base!r}\n{ROBOTS_SCRIPT}"
    done = subprocess.run(  # noqa: S603 - the project's own command
        [str(BIN / "reformledger"), "shell", "-c", script],
        env=_app_env(stack),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("HZ")]
    assert rows, f"no unit to give a robot:\n{done.stdout}"
    return {int(unit): int(robot) for _code, unit, robot in rows}


def _faults(stack, began: float, log: list[str], back: dict[str, float]) -> None:
    """Kill app2 and restart Redis at their times; what the script said goes to `log`,
    the (wall clock) time each was back to `back`."""
    for at, subcommand in ((KILL_APP_AT, "restart-app 2"), (RESTART_REDIS_AT, "restart-redis")):
        time.sleep(max(0.0, began + at - time.monotonic()))
        started = time.monotonic() - began
        done = stack.run(subcommand)
        back[subcommand] = time.time()
        log.append(
            f"{subcommand} at {started:.0f} s, back after {time.monotonic() - began - started:.0f}"
            f" s (exit {done.returncode}): {done.stdout.strip()} {done.stderr.strip()}"
        )


def _count(conn, sql: str, pattern: str) -> collections.Counter:
    """Each marker of this run (`<run>-<kind>-<12 hex>`) found by `sql`, and how often."""
    found = collections.Counter()
    for (text,) in conn.execute(sql, [f"%{pattern}%"]):
        at = text.find(pattern)
        found[text[at : at + len(pattern) + 12]] += 1
    return found


def test_accepted_writes_survive_an_app_server_kill_and_a_redis_restart(stack, tmp_path):
    run = f"FAULT{uuid.uuid4().hex[:8]}"
    writes_file = tmp_path / "writes.jsonl"
    robots_log = tmp_path / "robots.jsonl"
    receiver_port = _free_port()
    receiver = subprocess.Popen(  # noqa: S603 - the project's own receiver
        [
            sys.executable, "-m", "reformledger.notifications.testing",
            "--port", str(receiver_port), "--log", str(robots_log),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        robots = _configure_robots(stack, receiver_port)

        # --- the run, with the faults during it ------------------------------------------
        began = time.monotonic()
        fault_log: list[str] = []
        back: dict[str, float] = {}
        faults = threading.Thread(target=_faults, args=(stack, began, fault_log, back), daemon=True)
        faults.start()
        locust = subprocess.run(  # noqa: S603 - Locust from the project's virtualenv
            [
                str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless",
                "-u", str(USERS), "-r", "8", "-t", f"{RUN_SECONDS}s",
                "--host", stack.url, "--only-summary", "--csv", str(tmp_path / "load"),
                "--stop-timeout", "10",
            ],
            cwd=ROOT,
            env=dict(
                os.environ,
                RL_LOAD_RUN=run,
                RL_LOAD_WRITES=str(writes_file),
                RL_LOAD_WRITER_WEIGHT="10",
                RL_LOAD_OFFICE_WEIGHT="3",
                RL_LOAD_WAIT="0.5,2",
            ),
            capture_output=True,
            text=True,
            timeout=RUN_SECONDS + 120,
        )  # fmt: skip
        faults.join(timeout=120)
        summary = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "loadtest" / "report.py"), str(tmp_path / "load")],
            capture_output=True,
            text=True,
        )
        print("\n".join(fault_log))
        print(summary.stdout)
        assert len(fault_log) == 2 and "exit 0" in fault_log[0] and "exit 0" in fault_log[1]
        assert writes_file.exists(), locust.stderr[-3000:]

        writes = [json.loads(line) for line in writes_file.read_text().splitlines()]
        by_kind = collections.Counter(
            (w["kind"], w["status"], w["accepted"], w["server"]) for w in writes
        )
        print("Writes (kind, status, accepted, app server): count")
        for key, n in sorted(by_kind.items(), key=str):
            print(f"  {key}: {n}")
        reports = {w["marker"]: w for w in writes if w["kind"] == "report"}
        returns = {w["marker"]: w for w in writes if w["kind"] == "return"}
        cut = [w for w in writes if w["status"] in CUT]
        print(f"Writes cut (status 0 or 502-504, allowed during the kill): {len(cut)}")
        assert sum(w["accepted"] for w in reports.values()) >= 8, "too few reports to prove much"
        assert any(w["accepted"] for w in returns.values()), "no report was returned"
        assert {w["server"] for w in writes if w["accepted"]} >= {"app1", "app2"}
        # nginx sends work to app2 again once it is back.
        assert any(w["server"] == "app2" and w["started"] > back["restart-app 2"] for w in writes)

        # --- the outbox empties: every message posted (the sweep re-queues lost jobs) ---
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            deadline = time.monotonic() + DELIVERY_WAIT
            while True:
                pending = conn.execute(
                    "SELECT count(*) FROM notifications_delivery"
                    " WHERE robot_id = ANY(%s) AND status = 'pending'",
                    [list(robots.values())],
                ).fetchone()[0]
                if not pending or time.monotonic() > deadline:
                    break
                time.sleep(2)
            evidence = _count(
                conn, "SELECT original_name FROM ledger_evidence WHERE original_name LIKE %s",
                f"{run}-report-",
            )  # fmt: skip
            reasons = _count(
                conn,
                "SELECT reason FROM audit_auditrecord WHERE verb = 'report.returned'"
                " AND reason LIKE %s",
                f"{run}-return-",
            )
            deliveries = conn.execute(
                "SELECT robot_id, status, body FROM notifications_delivery"
                " WHERE robot_id = ANY(%s) AND body LIKE %s",
                [list(robots.values()), f"%{run}-return-%"],
            ).fetchall()
            # The unit each returned report's task is led by: its robots are told.
            unit_of = dict(
                conn.execute(
                    "SELECT r.id, t.lead_unit_id FROM ledger_progressreport r"
                    " JOIN ledger_task t ON t.id = r.task_id WHERE r.id = ANY(%s)",
                    [[int(w["report"]) for w in returns.values()]],
                ).fetchall()
            )

        # --- every accepted write once; nothing else but what the kill cut ---------------
        problems = []
        for mark, write in {**reports, **returns}.items():
            found = (evidence if write["kind"] == "report" else reasons)[mark]
            if write["accepted"] and found != 1:
                problems.append(f"accepted {write['kind']} {mark} is in the database {found}x")
            elif not write["accepted"] and found and write["status"] not in CUT:
                problems.append(
                    f"{write['kind']} {mark} answered {write['status']} but is in the database"
                )
            elif found > 1:
                problems.append(f"{write['kind']} {mark} is in the database {found}x")
        strangers = (set(evidence) | set(reasons)) - reports.keys() - returns.keys()
        problems += [f"{mark} is in the database but was never sent" for mark in strangers]
        landed_cut = [w["marker"] for w in cut if (evidence | reasons)[w["marker"]]]
        for w in cut:
            landed = "in the database" if w["marker"] in landed_cut else "not in the database"
            print(f"  cut: {w['kind']} {w['marker']} answered {w['status']}, {landed}")
        print(f"Of the cut writes, in the database all the same: {len(landed_cut)}")

        # --- one message per notice to each robot ---------------------------------------
        received = collections.Counter()
        for line in robots_log.read_text().splitlines() if robots_log.exists() else []:
            entry = json.loads(line)
            if entry["accepted"] and f"{run}-return-" in entry["content"]:
                at = entry["content"].find(f"{run}-return-")
                received[entry["content"][at : at + len(run) + 20]] += 1
        told = collections.Counter()
        for robot, status, body in deliveries:
            at = body.find(f"{run}-return-")
            mark = body[at : at + len(run) + 20]
            told[mark] += 1
            if status != "sent":
                problems.append(f"the message of {mark} is {status}")
            if robots.get(unit_of.get(int(returns.get(mark, {}).get("report", 0)))) != robot:
                problems.append(f"the message of {mark} went to robot {robot}, not its unit's")
        # Returns of reports of units with a robot (the office also returns the demo's
        # reports of other units, whose groups have none).
        robot_units = {
            m for m in reasons if unit_of.get(int(returns.get(m, {}).get("report", 0))) in robots
        }
        problems += [f"return {m} has no message in the outbox" for m in robot_units - set(told)]
        problems += [
            f"return {m} reached the robots {received[m]}x, written {told[m]}x"
            for m in set(told) | set(received)
            if received[m] != told[m]
        ]
        print(
            f"Returns in the database: {len(reasons)}, {len(robot_units)} of them for units with"
            f" a robot; messages written {sum(told.values())}, "
            f"received {sum(received.values())}"
        )

        # --- the audit chain ---------------------------------------------------------------
        verified = subprocess.run(  # noqa: S603
            [str(BIN / "reformledger"), "verify_audit"],
            env=_app_env(stack),
            capture_output=True,
            text=True,
            timeout=300,
        )
        print(verified.stdout[-500:])
        if verified.returncode:
            problems.append(f"verify_audit failed: {verified.stdout[-1000:]}{verified.stderr}")
        assert not problems, "\n".join(problems)
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
