"""A stand-in for the WeCom and DingTalk robot webhooks, for tests: an HTTP server on
loopback that answers as the platforms do and records every request.

- WeCom (`/cgi-bin/webhook/send?key=…`): takes `{"msgtype": "markdown", "markdown":
  {"content": …}}`, answers `{"errcode": 0, "errmsg": "ok"}`.
- DingTalk (`/robot/send?access_token=…`): takes `{"msgtype": "markdown", "markdown":
  {"title": …, "text": …}}`; for a token given a secret (`sign_with`), the address
  must carry `timestamp` (ms, within an hour) and `sign` (URL-encoded base64 of
  HMAC-SHA256, key the secret, over "<timestamp>\\n<secret>"), else errcode 310000
  ("sign not match"), as DingTalk answers.
- A body that is not UTF-8 JSON of that shape: errcode 40035. Scripted faults
  (`fail_next`): an errcode, an HTTP status, a delay.

In a test::

    with RobotReceiver() as receiver:
        url = receiver.wecom_url("k1")
        ...
        assert len(receiver.accepted("k1")) == 1

As a process of its own (the load and fault tests count deliveries per notice across
a Redis restart), writing one JSON line per request to the log::

    python -m reformledger.notifications.testing --port 8765 --log robots.jsonl \\
        [--dingtalk-secret TOKEN=SEC…] [--errcode N | --status N] [--delay S]

Standard library only: it imports nothing of Django or of the project.
"""

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
#: DingTalk refuses a signature whose timestamp is further than this from its clock.
SIGN_WINDOW_MS = 60 * 60 * 1000


@dataclass
class Received:
    """One request the receiver got, and what it answered."""

    platform: str  # "wecom", "dingtalk" or "" (an unknown path)
    path: str
    query: dict[str, str]
    raw: bytes
    body: dict | None
    status: int
    answer: dict
    at: float = field(default_factory=time.time)

    @property
    def key(self) -> str:
        """The robot the request was for: WeCom's key or DingTalk's access token."""
        return self.query.get("key") or self.query.get("access_token", "")

    @property
    def accepted(self) -> bool:
        return self.status == 200 and self.answer.get("errcode") == 0

    @property
    def title(self) -> str:
        markdown = (self.body or {}).get("markdown") or {}
        return markdown.get("title", "")

    @property
    def content(self) -> str:
        """The markdown text: WeCom's `content`, DingTalk's `text`."""
        markdown = (self.body or {}).get("markdown") or {}
        return markdown.get("content") or markdown.get("text") or ""

    def as_json(self) -> dict:
        return {
            "at": self.at,
            "platform": self.platform,
            "key": self.key,
            "status": self.status,
            "errcode": self.answer.get("errcode"),
            "accepted": self.accepted,
            "title": self.title,
            "content": self.content,
        }


@dataclass
class Fault:
    """One scripted answer: an errcode (HTTP 200), an HTTP status, or a delay first."""

    errcode: int | None = None
    status: int | None = None
    delay: float = 0.0


def dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class RobotReceiver:
    """The server, its records and its faults. `start()` / `stop()`, or a `with` block."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, log: str | None = None):
        self.requests: list[Received] = []
        self.secrets: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.always: Fault | None = None
        self.delay = 0.0
        self._lock = threading.Lock()
        self._log = open(log, "a", encoding="utf-8") if log else None  # noqa: SIM115
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- Set-up ---

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def wecom_url(self, key: str) -> str:
        return f"{self.base}{WECOM_PATH}?key={urllib.parse.quote(key)}"

    def dingtalk_url(self, token: str) -> str:
        return f"{self.base}{DINGTALK_PATH}?access_token={urllib.parse.quote(token)}"

    def sign_with(self, token: str, secret: str) -> None:
        """Require DingTalk's signature with `secret` on requests for `token`."""
        self.secrets[token] = secret

    def fail_next(self, *faults: Fault) -> None:
        """Answer the next requests with these faults, one each, then normally again."""
        with self._lock:
            self.faults.extend(faults)

    def start(self) -> "RobotReceiver":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._log:
            self._log.close()

    def __enter__(self) -> "RobotReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- What came ---

    def of(self, key: str) -> list[Received]:
        """Every request for the robot `key` (WeCom key or DingTalk token)."""
        with self._lock:
            return [r for r in self.requests if r.key == key]

    def accepted(self, key: str | None = None) -> list[Received]:
        """The requests answered errcode 0 (all robots, or robot `key`)."""
        with self._lock:
            return [r for r in self.requests if r.accepted and (key is None or r.key == key)]

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list[Received]:
        """Wait until `count` requests were accepted; returns them (maybe fewer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.accepted()) < count:
            time.sleep(0.02)
        return self.accepted()

    # --- Answering ---

    def _answer(self, path: str, query: dict[str, str], raw: bytes) -> tuple[str, int, dict, dict]:
        platform = {WECOM_PATH: "wecom", DINGTALK_PATH: "dingtalk"}.get(path, "")
        body = None
        with contextlib.suppress(UnicodeDecodeError, ValueError):
            body = json.loads(raw.decode("utf-8"))
        if not platform:
            return platform, 404, body, {"errcode": 404, "errmsg": "no such robot path"}
        if not _shaped(platform, body):
            return platform, 200, body, {"errcode": 40035, "errmsg": "invalid message"}
        token = query.get("access_token", "")
        if (
            platform == "dingtalk"
            and token in self.secrets
            and not _signed(self.secrets[token], query)
        ):
            return platform, 200, body, {"errcode": 310000, "errmsg": "sign not match"}
        with self._lock:
            fault = self.faults.pop(0) if self.faults else self.always
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status:
                return platform, fault.status, body, {"errcode": -1, "errmsg": "server error"}
            if fault.errcode is not None:
                return platform, 200, body, {"errcode": fault.errcode, "errmsg": "refused"}
        if self.delay:
            time.sleep(self.delay)
        return platform, 200, body, {"errcode": 0, "errmsg": "ok"}

    def _record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)
            if self._log:
                self._log.write(json.dumps(received.as_json(), ensure_ascii=False) + "\n")
                self._log.flush()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                platform, status, body, answer = receiver._answer(parts.path, query, raw)
                receiver._record(Received(platform, parts.path, query, raw, body, status, answer))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # A sender that gave up waiting (its time-out) has closed the socket.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, format, *args):
                pass  # quiet: the records say what came

        return Handler


def _shaped(platform: str, body) -> bool:
    if not isinstance(body, dict) or body.get("msgtype") != "markdown":
        return False
    markdown = body.get("markdown")
    if not isinstance(markdown, dict):
        return False
    if platform == "wecom":
        return isinstance(markdown.get("content"), str) and bool(markdown["content"])
    return all(isinstance(markdown.get(k), str) and markdown[k] for k in ("title", "text"))


def _signed(secret: str, query: dict[str, str]) -> bool:
    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
    if not timestamp.isdigit() or not sign:
        return False
    if abs(int(timestamp) - int(time.time() * 1000)) > SIGN_WINDOW_MS:
        return False
    return hmac.compare_digest(sign, dingtalk_sign(secret, timestamp))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A stand-in for WeCom/DingTalk robot webhooks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument(
        "--dingtalk-secret",
        action="append",
        default=[],
        metavar="TOKEN=SECRET",
        help="require DingTalk's signature for this access token",
    )
    parser.add_argument("--errcode", type=int, help="answer every request with this errcode")
    parser.add_argument("--status", type=int, help="answer every request with this HTTP status")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args(argv)
    receiver = RobotReceiver(args.host, args.port, log=args.log)
    for pair in args.dingtalk_secret:
        token, _, secret = pair.partition("=")
        receiver.sign_with(token, secret)
    if args.errcode is not None or args.status is not None:
        receiver.always = Fault(errcode=args.errcode, status=args.status)
    receiver.delay = args.delay
    print(f"robot receiver on {receiver.base}", flush=True)
    try:
        receiver._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver._server.server_close()


if __name__ == "__main__":
    main()
