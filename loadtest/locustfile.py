"""A reform office's working day against the site, through its front (nginx), for
Locust: `make load`, and the fault test (tests/stack/test_faults.py).

Who does what (the demo's logins, password Reform#2016):

- City leader (`leader`, no second factor), many: the home page, the dashboard, the
  ledger with filters and its second page, task pages.
- Office leaders (`director`, `deputy`, one session each: they give a TOTP code,
  computed from the demo's published key, and a code is good once): the same reading,
  the rating board, and confirming or overriding a suggested rating.
- Unit liaisons (`huiyang`, `fgj`, `hy_office`): their work list, a task's reports and
  report form, and filing a progress report with an evidence file (a draft, or sent to
  the office).
- The office (`office`): the inbox of submitted reports, returning one to its unit with
  a reason (the unit gets a notice, and its messenger robots a message), the rating
  board of the period, and the ledger exported to Excel.

Requests are named by kind ("page: dashboard", "write: report", ...) so Locust's
statistics come per kind; loadtest/report.py reads them and checks the goals.

Every write carries a unique marker (in the report's text and its evidence file's
name, in a return's reason). With RL_LOAD_WRITES set, each write attempt is appended
to that file as one JSON line: marker, kind, HTTP status, whether the site accepted
it, and the app server that answered (X-RL-Server). A check can then compare the
accepted writes with the database.

Environment: RL_LOAD_WRITES (the JSON-lines file; none: not written), RL_LOAD_RUN (a
prefix of every marker; default: a new one), RL_LOAD_WRITER_WEIGHT (weight of the
liaisons, 3; the city leader's is 6), RL_LOAD_OFFICE_WEIGHT (the office's, 1),
RL_LOAD_WAIT ("min,max" seconds between a user's actions, "3,10"), RL_LOAD_PASSWORD.
"""

# The random choices only vary the simulated people's clicks; nothing secret.
# ruff: noqa: S311

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time
import uuid

import urllib3
from locust import HttpUser, between, events, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

PASSWORD = os.environ.get("RL_LOAD_PASSWORD", "Reform#2016")
RUN = os.environ.get("RL_LOAD_RUN") or f"LOAD{time.strftime('%m%d%H%M%S')}"
WRITES = os.environ.get("RL_LOAD_WRITES", "")
WRITER_WEIGHT = int(os.environ.get("RL_LOAD_WRITER_WEIGHT", "3"))
OFFICE_WEIGHT = int(os.environ.get("RL_LOAD_OFFICE_WEIGHT", "1"))
WAIT_MIN, WAIT_MAX = (float(x) for x in os.environ.get("RL_LOAD_WAIT", "3,10").split(","))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TASK_LINK = re.compile(r'href="/ledger/tasks/(\d+)/"')
REPORT_LINK = re.compile(r'href="/ledger/tasks/(\d+)/report/(?:\?period=(\d+))?"')
PERIOD_LINK = re.compile(r'href="\?period=(\d+)"')
DECIDE_FORM = re.compile(r'action="/ledger/ratings/(\d+)/decide/"')
GRADE_OPTION = re.compile(r'<option value="(\d+)"')
PERIOD_OPTION = re.compile(r'<option value="(\d+)"(?: selected)?>([^<]*)</option>')
COMPUTE_FORM = re.compile(r'action="/ledger/ratings/periods/(\d+)/compute/"')
RETURN_FORM = re.compile(r'formaction="/ledger/reports/(\d+)/return/"')
SUCCESS = 'class="alert alert-success'

_writes_lock = threading.Lock()
_otp_steps: dict[str, int] = {}
_otp_lock = threading.Lock()


def marker(kind: str) -> str:
    """A marker no other write of any run carries: the run's prefix and a random part."""
    return f"{RUN}-{kind}-{uuid.uuid4().hex[:12]}"


def record_write(**fields) -> None:
    """Append one write attempt to RL_LOAD_WRITES (one JSON line; a lock per process)."""
    if not WRITES:
        return
    line = json.dumps({"run": RUN, "at": round(time.time(), 3), **fields}, ensure_ascii=False)
    with _writes_lock, open(WRITES, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def totp(username: str, step: int) -> str:
    """The demo account's code for a 30-second step (RFC 6238, SHA-1, six digits), from
    the published demo key (reformledger.accounts.otp.demo_key)."""
    key = bytes.fromhex(hashlib.sha1(f"reform-ledger-demo:{username}".encode()).hexdigest())  # noqa: S324
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def next_step(username: str) -> int:
    """A time step whose code this process has not used for `username` yet (a code is
    accepted once; the server takes one step either side of now)."""
    with _otp_lock:
        step = max(int(time.time()) // 30, _otp_steps.get(username, -1) + 1)
        _otp_steps[username] = step
        return step


class ReformUser(HttpUser):
    """A signed-in person of the office's day; subclasses say who and what they do."""

    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)
    usernames: tuple[str, ...] = ()
    second_factor = False
    _counters: dict[str, itertools.count] = {}

    def on_start(self) -> None:
        self.client.verify = False  # the stack's certificate is self-signed
        counter = ReformUser._counters.setdefault(type(self).__name__, itertools.count())
        self.username = self.usernames[next(counter) % len(self.usernames)]
        self.token = ""
        self.tasks_seen: list[int] = []
        self.sign_in()

    # --- helpers -------------------------------------------------------------------

    def remember(self, html: str) -> None:
        found = CSRF.search(html)
        if found:
            self.token = found.group(1)
        self.tasks_seen = list(dict.fromkeys(TASK_LINK.findall(html) + self.tasks_seen))[:60]

    def sign_in(self) -> bool:
        page = self.client.get("/login/", name="auth: sign-in form")
        self.remember(page.text)
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.token,
            },
            headers={"Referer": f"{self.host}/login/"},
            name="auth: sign-in",
            catch_response=True,
        ) as answer:
            if "/account/otp/verify/" in answer.url and self.second_factor:
                answer.success()
                return self.give_code(answer.text)
            if answer.status_code != 200 or "/login/" in answer.url:
                answer.failure(f"not signed in as {self.username} ({answer.status_code})")
                return False
            self.remember(answer.text)
            return True

    def give_code(self, html: str) -> bool:
        self.remember(html)
        for _try in range(3):
            code = totp(self.username, next_step(self.username))
            with self.client.post(
                "/account/otp/verify/",
                data={"token": code, "csrfmiddlewaretoken": self.token},
                headers={"Referer": f"{self.host}/account/otp/verify/"},
                name="auth: second factor",
                catch_response=True,
            ) as answer:
                if "/account/otp/verify/" not in answer.url and answer.status_code == 200:
                    self.remember(answer.text)
                    return True
                # A code used already (another sign-in of the same step): the next one.
                answer.success()
                self.remember(answer.text)
            time.sleep(2)
        return False

    def page(self, path: str, name: str):
        """GET a page; a page that lands on the sign-in form (the session ended, e.g. the
        server lost it) is a failure, and the user signs in again."""
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code == 200 and (
                answer.url.split("?")[0].endswith("/login/") or "/account/otp/" in answer.url
            ):
                answer.failure("signed out")
                self.sign_in()
                return None
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
                return None
            self.remember(answer.text)
            return answer

    def post_act(self, path: str, data: dict, name: str, kind: str, mark: str, **extra) -> bool:
        """POST an act that redirects to a page telling its outcome; accepted when that
        page says success. Recorded in RL_LOAD_WRITES either way."""
        started = time.time()
        status, server, accepted = 0, "", False
        try:
            with self.client.post(
                path,
                data={**data, "csrfmiddlewaretoken": self.token},
                headers={"Referer": f"{self.host}{path}"},
                name=name,
                catch_response=True,
            ) as answer:
                history = answer.history or [answer]
                status = history[0].status_code
                server = history[0].headers.get("X-RL-Server", "")
                accepted = status == 302 and answer.status_code == 200 and SUCCESS in answer.text
                if status >= 500 or status == 0:
                    answer.failure(f"HTTP {status}")
                else:
                    answer.success()  # refused acts (taken already, conflicts) are answers
                if answer.status_code == 200:
                    self.remember(answer.text)
        finally:
            record_write(
                kind=kind,
                marker=mark,
                status=status,
                accepted=accepted,
                server=server,
                user=self.username,
                started=round(started, 3),
                **extra,
            )
        return accepted

    def read_ledger(self) -> None:
        choice = random.random()
        if choice < 0.4:
            self.page("/ledger/", "page: ledger list")
        elif choice < 0.7:
            query = random.choice(
                [
                    "?status=in_progress",
                    "?year=2017",
                    "?is_key=true",
                    "?overdue=true",
                    "?q=%E6%94%B9%E9%9D%A9",  # 改革
                    "?year=2016&status=closed",
                ]
            )
            self.page(f"/ledger/{query}", "page: ledger list (filtered)")
        else:
            self.page("/ledger/?page=2", "page: ledger list (page 2)")

    def read_task(self) -> None:
        if not self.tasks_seen:
            self.read_ledger()
        if self.tasks_seen:
            self.page(f"/ledger/tasks/{random.choice(self.tasks_seen)}/", "page: task")


class CityLeader(ReformUser):
    """The city leader reads: dashboard, ledger, tasks."""

    weight = 6
    usernames = ("leader",)

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "page: dashboard")

    @task(1)
    def home(self):
        self.page("/", "page: home")

    @task(4)
    def ledger(self):
        self.read_ledger()

    @task(4)
    def task_page(self):
        self.read_task()


class OfficeLeader(ReformUser):
    """The office's director and deputy: reading, and deciding suggested ratings."""

    fixed_count = 2
    usernames = ("director", "deputy")
    second_factor = True

    def on_start(self) -> None:
        super().on_start()
        # Periods found without a suggestion to decide are not looked at again.
        self.dry_periods: set[str] = set()

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "page: dashboard")

    @task(3)
    def ledger(self):
        self.read_ledger()

    @task(3)
    def task_page(self):
        self.read_task()

    @task(2)
    def decide_rating(self):
        board = self.page("/ledger/ratings/", "page: rating board")
        if board is None:
            return
        # A period of the board's list that is not closed (a closed one has a third part).
        periods = [
            pk
            for pk, label in PERIOD_OPTION.findall(board.text)
            if label.count("·") == 1 and pk not in self.dry_periods
        ]
        if not periods:
            return
        period = random.choice(periods)
        board = self.page(
            f"/ledger/ratings/?period={period}&state=suggested", "page: rating board (suggested)"
        )
        ratings = DECIDE_FORM.findall(board.text) if board is not None else []
        if not ratings:  # every suggestion of the period is decided, or it has none
            self.dry_periods.add(period)
            return
        pk = random.choice(ratings)
        override = re.search(
            rf'action="/ledger/ratings/{pk}/decide/"[^>]*data-testid="override".*?</form>',
            board.text,
            re.DOTALL,
        )
        grades = GRADE_OPTION.findall(override.group(0)) if override else []
        mark = marker("rating")
        if grades and random.random() < 0.3:
            data = {"action": "override", "grade": random.choice(grades), "reason": mark}
        else:
            data = {"action": "confirm"}
        self.post_act(
            f"/ledger/ratings/{pk}/decide/", data, "write: rating", "rating", mark, rating=int(pk)
        )


class UnitLiaison(ReformUser):
    """A unit's liaison: the work list, a task's reports, and filing a report."""

    weight = WRITER_WEIGHT
    usernames = ("huiyang", "fgj", "hy_office")

    def on_start(self) -> None:
        super().on_start()
        self.reportable: list[tuple[int, int | None]] = []
        self.work_list()

    @task(3)
    def work_list(self):
        answer = self.page("/ledger/my-work/", "page: my work")
        if answer is not None:
            found = {(int(t), int(p) if p else None) for t, p in REPORT_LINK.findall(answer.text)}
            self.reportable = sorted(found | set(self.reportable))

    @task(2)
    def task_reports(self):
        if self.reportable:
            pk, _period = random.choice(self.reportable)
            self.page(f"/ledger/tasks/{pk}/reports/", "page: task reports")

    @task(4)
    def file_report(self):
        if not self.reportable:
            return
        # A report sent to the office waits for it (accepted or returned): the liaison
        # tries another of its reports, up to three.
        for pk, period in random.sample(self.reportable, min(3, len(self.reportable))):
            form = self.page(
                f"/ledger/tasks/{pk}/report/" + (f"?period={period}" if period else ""),
                "page: report form",
            )
            if form is None:
                return
            # Every open period the form offers; the task's own list grows as it is seen.
            for other in PERIOD_LINK.findall(form.text):
                if (pk, int(other)) not in self.reportable:
                    self.reportable.append((pk, int(other)))
            chosen = re.search(r'name="period" value="(\d+)"', form.text)
            if chosen is not None and 'name="done"' in form.text:
                break
        else:
            return
        mark = marker("report")
        submit = random.random() < 0.25
        path = f"/ledger/tasks/{pk}/report/"
        data = {
            "period": chosen.group(1),
            "done": f"本期推进情况（{mark}）：完成调研和方案起草，召开专题会议一次。",
            "problems": "",
            "next_steps": "按计划推进。",
            "percent": str(random.randint(10, 90)),
            "csrfmiddlewaretoken": self.token,
            **({"submit": "1"} if submit else {"save": ""}),
        }
        evidence = (
            f"evidence-{mark}.txt",
            f"佐证材料 {mark}\n会议纪要、调研报告。\n".encode(),
            "text/plain",
        )
        started = time.time()
        status, server, accepted = 0, "", False
        try:
            with self.client.post(
                path,
                data=data,
                files={"files": evidence},
                headers={"Referer": f"{self.host}{path}"},
                name="write: report",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                status = answer.status_code
                server = answer.headers.get("X-RL-Server", "")
                accepted = status == 302 and answer.headers.get("Location", "").endswith(
                    f"/ledger/tasks/{pk}/reports/"
                )
                if status >= 500 or status == 0:
                    answer.failure(f"HTTP {status}")
                else:
                    answer.success()  # a refused form (e.g. filed at once elsewhere) answers 200
        finally:
            record_write(
                kind="report",
                marker=mark,
                status=status,
                accepted=accepted,
                server=server,
                user=self.username,
                started=round(started, 3),
                task=pk,
                period=int(chosen.group(1)),
                submit=submit,
            )


class Office(ReformUser):
    """The office's clerk: the inbox (returning reports), ratings, the Excel ledger."""

    weight = OFFICE_WEIGHT
    usernames = ("office",)

    @task(3)
    def inbox_return(self):
        inbox = self.page("/ledger/reports/", "page: reports inbox")
        if inbox is None:
            return
        reports = RETURN_FORM.findall(inbox.text)
        if not reports:
            return
        pk = random.choice(reports)
        mark = marker("return")
        self.post_act(
            f"/ledger/reports/{pk}/return/",
            {"reason": f"请补充佐证材料（{mark}）", "next": "/ledger/reports/"},
            "write: report return",
            "return",
            mark,
            report=int(pk),
        )

    @task(2)
    def rating_board(self):
        board = self.page("/ledger/ratings/", "page: rating board")
        found = COMPUTE_FORM.search(board.text) if board is not None else None
        if found and random.random() < 0.25:
            # The suggestions of the period computed again from the reports filed so far.
            mark = marker("compute")
            self.post_act(
                f"/ledger/ratings/periods/{found.group(1)}/compute/",
                {},
                "write: ratings compute",
                "compute",
                mark,
                period=int(found.group(1)),
            )

    @task(2)
    def ledger(self):
        self.read_ledger()

    @task(1)
    def export(self):
        with self.client.get(
            "/ledger/ledger.xlsx", name="download: ledger xlsx", catch_response=True
        ) as answer:
            if answer.status_code != 200 or not answer.content.startswith(b"PK"):
                answer.failure(f"HTTP {answer.status_code}, not a workbook")


@events.test_start.add_listener
def _announce(environment, **_kwargs):
    print(f"Reform Ledger load run {RUN}; writes to {WRITES or '(not recorded)'}", flush=True)
