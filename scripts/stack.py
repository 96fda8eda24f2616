#!/usr/bin/env python3
"""The production stack on this machine's loopback: nginx in front of two app servers,
a Huey consumer, Redis and PostgreSQL, as docs/operations.md "The production stack"
runs them on real servers (`make stack`, `make stack-stop`).

    scripts/stack.py start            migrate, collect static files, load the demo if the
                                      database is empty, start what is not running, wait
                                      until nginx answers /healthz, print the address
    scripts/stack.py stop             stop every process (SIGTERM, waited for)
    scripts/stack.py status           each process: running or not (exit 1 if one is not)
    scripts/stack.py restart-app N    SIGKILL app server N (and its workers), start it again
    scripts/stack.py restart-redis    stop Redis (the caches and the queue are emptied:
                                      it keeps nothing on disk) and start it again

The environment chooses where and on what:
    RL_STACK_DIR           the state folder (var/stack): the rendered nginx configuration,
                           the certificate, the secret key, pid files, logs, the media
    RL_STACK_PORT_BASE     8440: nginx http on it, https on +3, the app servers on +61
                           and +62, their metrics on +81 and +82 (loopback, the
                           operator's), Redis on +70; another base runs a second stack beside
    RL_STACK_DATABASE_URL  postgres://postgres@127.0.0.1:5432/rl_stack (created if missing)
    RL_STACK_WORKERS       gunicorn workers per app server (2)

Standard library only; it runs itself again under the project's .venv.
"""

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
TEMPLATE = ROOT / "deploy" / "nginx" / "reformledger.conf"
#: The checkout's own var/: its collected static files serve every stack of the checkout.
VAR_DIR = ROOT / "var"
APP_SERVERS = 2
#: Seconds a process gets to stop after SIGTERM, and the whole start to answer.
STOP_SECONDS = 30
START_SECONDS = 120
#: Placeholders of the nginx template: {{ name }}.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class StackError(Exception):
    """A step of the stack failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Stack:
    """One stack: its state folder, its ports and its database."""

    dir: Path
    base: int
    database_url: str
    workers: int = 2

    @classmethod
    def from_environment(cls) -> "Stack":
        return cls(
            dir=Path(os.environ.get("RL_STACK_DIR") or ROOT / "var" / "stack").resolve(),
            base=int(os.environ.get("RL_STACK_PORT_BASE") or 8440),
            database_url=os.environ.get("RL_STACK_DATABASE_URL")
            or "postgres://postgres@127.0.0.1:5432/rl_stack",
            workers=int(os.environ.get("RL_STACK_WORKERS") or 2),
        )

    # --- where things are ---------------------------------------------------------

    @property
    def http_port(self) -> int:
        return self.base

    @property
    def https_port(self) -> int:
        return self.base + 3

    @property
    def redis_port(self) -> int:
        return self.base + 70

    def app_port(self, n: int) -> int:
        return self.base + 60 + n

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}"

    @property
    def media_root(self) -> Path:
        return self.dir / "media"

    @property
    def static_root(self) -> Path:
        return VAR_DIR / "static"

    @property
    def cert(self) -> Path:
        return self.dir / "tls" / "cert.pem"

    @property
    def key(self) -> Path:
        return self.dir / "tls" / "key.pem"

    def pidfile(self, name: str) -> Path:
        return self.dir / "run" / f"{name}.pid"

    def log(self, name: str) -> Path:
        return self.dir / "logs" / f"{name}.log"

    @property
    def names(self) -> list[str]:
        """The processes, in the order they start (stop: the reverse)."""
        return ["redis", *(f"app{n}" for n in range(1, APP_SERVERS + 1)), "queue", "nginx"]

    # --- the environment of the app --------------------------------------------------

    def secret_key(self) -> str:
        """Generated once into the state folder (mode 0600), then reused."""
        path = self.dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def app_environment(self, server_id: str = "") -> dict[str, str]:
        """The environment of every process of the app: the settings of the stack."""
        from reformledger.demo.data import BUSINESS_DATE

        env = dict(os.environ)
        env.update(
            {
                "RL_STACK_DIR": str(self.dir),
                "DATABASE_URL": self.database_url,
                "SECRET_KEY": self.secret_key(),
                "RL_PRODUCTION": "1",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": self.url,
                "RL_SITE_URL": self.url,
                "RL_TRUSTED_PROXIES": "127.0.0.1",
                "RL_BUSINESS_DATE": BUSINESS_DATE.isoformat(),
                "RL_VAR_DIR": str(VAR_DIR),
                "RL_MEDIA_ROOT": str(self.media_root),
                # Each stack publishes its own audit heads (verify_audit checks against them).
                "RL_AUDIT_HEAD_FILE": str(self.dir / "audit-heads.jsonl"),
                "RL_CACHE_URL": f"{self.redis_url}/0",
                "RL_DASHBOARD_CACHE_SECONDS": "300",
                "RL_PUBLIC_CACHE_URL": f"{self.redis_url}/1",
                "HUEY_REDIS_URL": f"{self.redis_url}/2",
                "RL_ACCEL_REDIRECT": "/_protected/",
                "RL_LOG_FORMAT": "json",
                "RL_SERVER_ID": server_id,
            }
        )
        for name in ("HUEY_IMMEDIATE", "RL_METRICS_PORT"):
            env.pop(name, None)
        return env

    # --- the processes ---------------------------------------------------------------

    def command(self, name: str) -> list[str]:
        if name == "redis":
            # No persistence: a restart empties it, as the fault tests want.
            return [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", str(self.dir / "run"),
            ]  # fmt: skip
        if name.startswith("app"):
            n = int(name.removeprefix("app"))
            return [
                str(BIN / "gunicorn"), "reformledger.config.wsgi:application",
                "-c", "python:reformledger.config.gunicorn",
                "--bind", f"127.0.0.1:{self.app_port(n)}",
                "--workers", str(self.workers), "--graceful-timeout", "10",
            ]  # fmt: skip
        if name == "queue":
            return [str(BIN / "reformledger"), "run_huey"]
        if name == "nginx":
            conf = self.dir / "nginx" / "nginx.conf"
            return [
                nginx_binary(), "-c", str(conf), "-p", f"{self.dir / 'nginx'}/",
                "-e", str(self.log("nginx-error")),
            ]  # fmt: skip
        raise StackError(f"no process named {name!r}")

    def metrics_port(self, n: int) -> int:
        """App server n's Prometheus metrics, on loopback only (nginx has no route to them)."""
        return self.base + 80 + n

    def environment(self, name: str) -> dict[str, str]:
        # The app servers and the consumer name themselves (X-RL-Server, JSON log lines).
        if name.startswith("app"):
            env = self.app_environment(server_id=name)
            env["RL_METRICS_PORT"] = str(self.metrics_port(int(name.removeprefix("app"))))
            return env
        if name == "queue":
            return self.app_environment(server_id=name)
        return self.app_environment()

    def pid(self, name: str) -> int | None:
        """The running process `name`, or None (no pid file, or its process ended)."""
        try:
            pid = int(self.pidfile(name).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def start_process(self, name: str) -> int:
        log = self.log(name).open("ab")
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} start {name}\n".encode())
        log.flush()
        process = subprocess.Popen(  # noqa: S603 - fixed programs of the stack
            self.command(name),
            cwd=ROOT,
            env=self.environment(name),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session: a signal to the stack's caller never reaches it, and its
            # workers are found (and killed) by the session id.
            start_new_session=True,
        )
        log.close()
        self.pidfile(name).write_text(f"{process.pid}\n")
        return process.pid

    def stop_processes(self, names: list[str], sig: int = signal.SIGTERM) -> list[str]:
        """Stop each of `names` and everything it started, together: `sig` to each (to
        its whole process group for SIGKILL), then wait for all. The names that were
        running are returned; every pid file is gone after."""
        running = {name: pid for name in names if (pid := self.pid(name)) is not None}
        for pid in running.values():
            with contextlib.suppress(ProcessLookupError):
                if sig == signal.SIGKILL:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, sig)
        for pid in running.values():
            if not _wait(lambda pid=pid: not session_members(pid), STOP_SECONDS):
                # A worker that outlived its master (or a master that would not stop).
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                _wait(lambda pid=pid: not session_members(pid), 5)
        for name in names:
            self.pidfile(name).unlink(missing_ok=True)
        return list(running)

    # --- readiness --------------------------------------------------------------------

    def answers(self, name: str) -> bool:
        """Whether `name` does its work: Redis answers PING, an app server its /healthz,
        nginx /healthz over HTTPS with the stack's certificate; the consumer has no port."""
        if name == "redis":
            return _redis_ping(self.redis_port)
        if name.startswith("app"):
            return _healthy(f"http://127.0.0.1:{self.app_port(int(name[3:]))}/healthz")
        if name == "nginx":
            return _healthy(f"{self.url}/healthz", cafile=self.cert)
        return True

    def wait_ready(self, name: str) -> None:
        started = self.pid(name)
        if not _wait(lambda: self.answers(name) or self.pid(name) is None, START_SECONDS):
            raise StackError(f"{name} did not answer in {START_SECONDS} s: see {self.log(name)}")
        if started is None or self.pid(name) is None:
            raise StackError(
                f"{name} stopped as it started: see {self.log(name)}\n" + self.tail(name)
            )

    def tail(self, name: str, lines: int = 20) -> str:
        try:
            return "\n".join(self.log(name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    # --- preparing -----------------------------------------------------------------------

    def prepare(self) -> None:
        for sub in ("run", "logs", "tls", "nginx", "media"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        VAR_DIR.mkdir(exist_ok=True)
        self.dir.chmod(0o700)
        self.secret_key()
        if not self.cert.exists():
            _run(
                [
                    "openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(self.key), "-out", str(self.cert), "-days", "825",
                    "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                ],
                "the self-signed certificate",
            )  # fmt: skip
            self.key.chmod(0o600)
        self.write_nginx_conf()

    def nginx_values(self) -> dict[str, str]:
        body = max(_setting_bytes("RL_UPLOAD_MAX_BYTES"), _setting_bytes("RL_EVIDENCE_MAX_BYTES"))
        servers = "\n".join(
            f"    server 127.0.0.1:{self.app_port(n)} max_fails=1 fail_timeout=5s;"
            for n in range(1, APP_SERVERS + 1)
        )
        return {
            "server_name": "127.0.0.1 localhost",
            "listen_http": f"127.0.0.1:{self.http_port}",
            "listen_https": f"127.0.0.1:{self.https_port}",
            "https_port": str(self.https_port),
            "ssl_certificate": str(self.cert),
            "ssl_certificate_key": str(self.key),
            "static_root": str(self.static_root),
            "media_root": str(self.media_root),
            "app_servers": servers,
            # The largest file either limit admits, and a mebibyte for the form around it.
            "client_max_body_size": f"{body // (1024 * 1024) + 1}m",
            "log_dir": str(self.dir / "logs"),
            "tls_cache": f"rl_stack_{self.base}",
        }

    def write_nginx_conf(self) -> None:
        """The site from deploy/nginx/reformledger.conf, and the main file around it that
        a Debian /etc/nginx/nginx.conf would otherwise be."""
        folder = self.dir / "nginx"
        site = folder / "reformledger.conf"
        site.write_text(render(TEMPLATE.read_text(), self.nginx_values()))
        temp = "\n".join(
            f"    {kind}_temp_path {folder / 'temp' / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "temp").mkdir(exist_ok=True)
        # nginx's workers read the static and media files; as root they must be root too
        # (the files are 0640); as anyone else nginx cannot change user at all.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"# Written by scripts/stack.py: the stack's nginx around the rendered site.\n"
            f"{user}worker_processes 2;\n"
            f"daemon off;\n"
            f"pid {folder / 'nginx.pid'};\n"
            f"error_log {self.log('nginx-error')};\n"
            f"events {{\n    worker_connections 1024;\n}}\n"
            f"http {{\n"
            f"    include /etc/nginx/mime.types;\n"
            f"    default_type application/octet-stream;\n"
            f"    sendfile on;\n"
            f"    tcp_nopush on;\n"
            f"{temp}\n"
            f"    include {site};\n"
            f"}}\n"
        )

    def manage(self, *args: str, capture: bool = False) -> str:
        what = f"reformledger {' '.join(args)}"
        return _run(
            [str(BIN / "reformledger"), *args], what, env=self.app_environment(), capture=capture
        )

    def collectstatic(self) -> None:
        """Collect into the checkout's var/static unless it is newer than every source."""
        manifest = self.static_root / "staticfiles.json"
        sources = [VENV / ".installed", *ROOT.glob("reformledger/*/static/**/*")]
        newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0)
        if manifest.exists() and manifest.stat().st_mtime >= newest:
            print(f"Static files are current ({self.static_root}).")
            return
        print(f"Collecting static files into {self.static_root} ...")
        # The test sessions collect into the same folder, under the same lock (conftest.py).
        with open(VAR_DIR / "collectstatic.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.manage("collectstatic", "--noinput", "--verbosity", "0")


# --- the subcommands ---------------------------------------------------------------------


def start(stack: Stack) -> None:
    began = time.monotonic()
    stack.prepare()
    ensure_database(stack.database_url)
    _check_ports(stack)
    # Redis first: loading the demo already queues e-mails.
    _start(stack, "redis")
    step = time.monotonic()
    stack.manage("migrate", "--noinput", "--verbosity", "0")
    print(f"Migrated ({time.monotonic() - step:.0f} s).")
    stack.collectstatic()
    step = time.monotonic()
    print(stack.manage("load_demo", "--if-empty", capture=True))
    print(f"(load_demo: {time.monotonic() - step:.0f} s)")
    # The app servers and the consumer start together; nginx once they answer.
    _start(stack, *stack.names[1:-1])
    _start(stack, "nginx")
    print(
        f"\nReform Ledger's production stack is running ({time.monotonic() - began:.0f} s):\n\n"
        f"    {stack.url}/\n\n"
        f"nginx (TLS, certificate {stack.cert}) in front of app servers app1 and app2 "
        f"(127.0.0.1:{stack.app_port(1)}, :{stack.app_port(2)}), a Huey consumer, Redis "
        f"(127.0.0.1:{stack.redis_port}) and PostgreSQL ({_masked(stack.database_url)}).\n"
        f"Sign in as one of the demo logins above, e.g. office, password Reform#2016.\n"
        f"Logs: {stack.dir / 'logs'}/   Stop: make stack-stop"
    )


def _start(stack: Stack, *names: str) -> None:
    """Start those of `names` that are not running, together; wait until each answers."""
    began, started = time.monotonic(), {}
    for name in names:
        if stack.pid(name) is not None:
            print(f"{name} is already running (pid {stack.pid(name)}).")
            continue
        if name == "nginx":
            _run([*stack.command("nginx"), "-t", "-q"], "nginx -t (the rendered configuration)")
        started[name] = stack.start_process(name)
    for name, pid in started.items():
        stack.wait_ready(name)
        print(f"{name} started (pid {pid}, {time.monotonic() - began:.0f} s).")


def stop(stack: Stack) -> None:
    # nginx first (no request reaches a stopping server), Redis last (the others use it).
    stopped = [
        *stack.stop_processes(["nginx"]),
        *stack.stop_processes([name for name in stack.names if name not in ("nginx", "redis")]),
        *stack.stop_processes(["redis"]),
    ]
    if stopped:
        print(f"Stopped: {', '.join(stopped)}.")
    else:
        print(f"The stack in {stack.dir} is not running.")


def status(stack: Stack) -> int:
    down = 0
    for name in stack.names:
        pid = stack.pid(name)
        down += pid is None
        state = f"running (pid {pid}, {len(session_members(pid))} processes)" if pid else "stopped"
        print(f"{name:6} {state}")
    if not down:
        print(f"{stack.url}/")
    return 1 if down else 0


def restart_app(stack: Stack, n: int) -> None:
    if not 1 <= n <= APP_SERVERS:
        raise StackError(f"there are app servers 1 to {APP_SERVERS}, not {n}")
    name = f"app{n}"
    killed = stack.stop_processes([name], signal.SIGKILL)
    print(f"{name} {'killed (SIGKILL)' if killed else 'was not running'}.")
    _start(stack, name)


def restart_redis(stack: Stack) -> None:
    stack.stop_processes(["redis"])
    _start(stack, "redis")


# --- helpers ---------------------------------------------------------------------------


def render(template: str, values: dict[str, str]) -> str:
    """`template` with each {{ name }} outside comments replaced (the comments list the
    names); a name without a value is an error."""
    lines = template.splitlines(keepends=True)
    code = [i for i, line in enumerate(lines) if not line.lstrip().startswith("#")]
    missing = {m.group(1) for i in code for m in PLACEHOLDER.finditer(lines[i])} - values.keys()
    if missing:
        raise StackError(f"the nginx template needs values for {', '.join(sorted(missing))}")
    for i in code:
        lines[i] = PLACEHOLDER.sub(lambda m: values[m.group(1)], lines[i])
    return "".join(lines)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise StackError("nginx is not installed (Debian: apt-get install nginx-light)")
    return found


def ensure_database(url: str) -> None:
    """Create the stack's PostgreSQL database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created the database {name}.")
    except psycopg.OperationalError as exc:
        raise StackError(f"PostgreSQL at {_masked(admin)} cannot be reached: {exc}") from exc


def session_members(leader: int | None) -> list[int]:
    """The live processes of the session `leader` started (itself and its workers)."""
    if leader is None:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat and stat[1] == leader and stat[0] != "Z":
            found.append(int(entry.name))
    return found


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, session id) of a process, from /proc/<pid>/stat; None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = text[text.rfind(")") + 2 :].split()
    return fields[0], int(fields[3])


def _alive(pid: int) -> bool:
    """A running (not zombie) process that leads its own session, as the stack's do:
    a pid file left by a crash whose number went to another process reads as gone."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z" and stat[1] == pid


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _healthy(url: str, cafile: Path | None = None) -> bool:
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    # Straight to an app server: as nginx would ask (HTTPS behind a proxy).
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _check_ports(stack: Stack) -> None:
    """Refuse to start beside something else on the stack's ports."""
    ports = {
        "redis": [stack.redis_port],
        **{
            f"app{n}": [stack.app_port(n), stack.metrics_port(n)] for n in range(1, APP_SERVERS + 1)
        },
        "nginx": [stack.http_port, stack.https_port],
    }
    for name, numbers in ports.items():
        if stack.pid(name) is not None:
            continue
        for port in numbers:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    raise StackError(
                        f"port {port} ({name}) is taken by another program: "
                        f"set RL_STACK_PORT_BASE to another base"
                    )


def _setting_bytes(name: str) -> int:
    """A size limit as the settings read it (the environment, else their default)."""
    from reformledger.config import settings

    return int(getattr(settings, name))


def _masked(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def _run(command: list[str], what: str, env=None, capture: bool = False) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise StackError(f"{what} failed:\n{done.stdout}{done.stderr}".rstrip())
    return done.stdout.rstrip() if capture else ""


def main(argv: list[str]) -> int:
    usage = "usage: stack.py start | stop | status | restart-app N | restart-redis"
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    stack = Stack.from_environment()
    command, args = argv[0], argv[1:]
    try:
        if command == "start" and not args:
            start(stack)
        elif command == "stop" and not args:
            stop(stack)
        elif command == "status" and not args:
            return status(stack)
        elif command == "restart-app" and len(args) == 1 and args[0].isdigit():
            restart_app(stack, int(args[0]))
        elif command == "restart-redis" and not args:
            restart_redis(stack)
        else:
            print(usage, file=sys.stderr)
            return 2
    except StackError as exc:
        print(f"stack.py {command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if Path(sys.prefix).resolve() != VENV.resolve() and (BIN / "python").exists():
        os.execv(str(BIN / "python"), [str(BIN / "python"), __file__, *sys.argv[1:]])  # noqa: S606
    sys.exit(main(sys.argv[1:]))
