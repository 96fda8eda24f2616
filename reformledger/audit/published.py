"""The audit chain's head published outside the database (审计链头外部留存).

Whoever can rewrite the database can cut records off the end of the trail and leave a
chain that holds by itself. A head written somewhere they cannot reach proves the
cut: `publish_head` writes the current head (id, hash, algorithm, the record's time,
the time of publication) to the system log (RL_AUDIT_SYSLOG_ADDRESS, facility auth)
and as one JSON line to an append-only file (RL_AUDIT_HEAD_FILE), from the command
`publish_audit_head` and from the task queue every RL_AUDIT_PUBLISH_MINUTES.
`verify_audit` and the auditor's verification then check the chain against the last
line of that file (`published_break`).

A publication writes nothing to the database and is not itself an audit record: a
record would move the head it publishes, so every run would find a new head to publish
and the trail would grow by one record per run forever, whether anything happened or
not. The system log and the file are the evidence of each publication
(docs/decisions/0023-encrypted-backups-and-published-audit-head.md).
"""

import datetime as dt
import fcntl
import json
import logging
import logging.handlers
import os
import socket
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from reformledger.audit.selectors import Break, Head, chain_head

#: How far from its end the head file is read for its last line (a line is ~200 bytes).
_TAIL_BYTES = 64 * 1024
_FIELDS = ("id", "hash", "algorithm", "at", "published")


class HeadFileError(Exception):
    """The head file cannot be read, or one of its lines is not a published head."""


@dataclass(frozen=True)
class PublishedHead:
    """One line of the head file: a chain head and when it was published."""

    id: int
    hash: str
    algorithm: str
    at: str
    published: str
    line: int = 0

    def to_json(self) -> str:
        body = {name: getattr(self, name) for name in _FIELDS}
        return json.dumps(body, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Publication:
    """What `publish_head` did: the head, and where it went (or that it was there)."""

    head: PublishedHead | None
    already: bool = False
    file: Path | None = None
    syslog: str = ""
    #: Why the system log did not take it (the file did), "" when it did or is off.
    syslog_error: str = ""


def head_file() -> Path | None:
    """The append-only file of published heads (RL_AUDIT_HEAD_FILE), None when off."""
    name = settings.RL_AUDIT_HEAD_FILE
    return Path(name) if name else None


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _parse(text: str, path: Path, number: int) -> PublishedHead:
    try:
        body = json.loads(text)
        head = PublishedHead(
            id=int(body["id"]),
            hash=str(body["hash"]).lower(),
            algorithm=str(body["algorithm"]),
            at=str(body["at"]),
            published=str(body["published"]),
            line=number,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise HeadFileError(
            f"The published head file {path}, line {number}, is not a published head "
            f"({exc.__class__.__name__}: {exc}): {text[:80]!r}"
        ) from exc
    if head.id < 1 or len(head.hash) != 64 or any(c not in "0123456789abcdef" for c in head.hash):
        raise HeadFileError(
            f"The published head file {path}, line {number}, names no valid record id and "
            f"hash: {text[:80]!r}"
        )
    return head


def last_published_head(path: Path | None = None) -> PublishedHead | None:
    """The last head in the head file (RL_AUDIT_HEAD_FILE unless `path`), or None when
    the file is off, missing or empty. A file that cannot be read, or whose last line
    is not a published head, is a HeadFileError naming the file and the line."""
    path = path if path is not None else head_file()
    if path is None:
        return None
    try:
        with path.open("rb") as fh:
            last, last_number = b"", 0
            # Line by line: memory stays flat as the file grows.
            for number, raw in enumerate(fh, start=1):
                if raw.strip():
                    last, last_number = raw, number
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HeadFileError(
            f"The published head file {path} cannot be read ({exc.strerror})."
        ) from exc
    if not last:
        return None
    try:
        text = last.decode().strip()
    except UnicodeDecodeError as exc:
        raise HeadFileError(
            f"The published head file {path}, line {last_number}, is not UTF-8 text."
        ) from exc
    return _parse(text, path, last_number)


def _tail_head(fh, path: Path) -> PublishedHead | None:
    """The last line of the open head file as a head, None if it is not one."""
    size = os.fstat(fh.fileno()).st_size
    fh.seek(max(0, size - _TAIL_BYTES))
    lines = [line for line in fh.read().splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return _parse(lines[-1].decode(), path, 0)
    except (HeadFileError, UnicodeDecodeError):
        return None


class _SysLog(logging.handlers.SysLogHandler):
    """A syslog handler that lets a failure to send reach the caller."""

    def handleError(self, record):
        raise  # the error emit() is handling


def syslog_address(value: str | None = None) -> str | tuple[str, int] | None:
    """RL_AUDIT_SYSLOG_ADDRESS as SysLogHandler takes it: a socket path ("/dev/log"),
    a (host, port) for UDP, or None when it is empty (off)."""
    value = (settings.RL_AUDIT_SYSLOG_ADDRESS if value is None else value).strip()
    if not value:
        return None
    if value.startswith("/"):
        return value
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(
            f"RL_AUDIT_SYSLOG_ADDRESS={value!r} is neither a socket path nor host:port."
        )
    return host.strip("[]") or "127.0.0.1", int(port)


def _send_syslog(address: str | tuple[str, int], message: str) -> None:
    handler = _SysLog(
        address=address,
        facility=logging.handlers.SysLogHandler.LOG_AUTH,
        socktype=socket.SOCK_DGRAM if isinstance(address, tuple) else None,
    )
    handler.ident = "reformledger-audit: "
    try:
        handler.handle(
            logging.LogRecord("reformledger.audit", logging.INFO, __file__, 0, message, None, None)
        )
    finally:
        handler.close()


def _open_append(path: Path) -> int:
    """The head file opened for appending only (O_APPEND: every write goes to its end,
    also for a file made append-only with `chattr +a`), created mode 0640."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o640)
    except FileExistsError:
        return os.open(path, os.O_RDWR | os.O_APPEND)
    os.fchmod(fd, 0o640)  # whatever the umask
    return fd


def publish_head(*, now: dt.datetime | None = None) -> Publication:
    """Publish the chain's current head to the system log and the head file; a head
    the file already ends with is not written again (`already`). Nothing is written
    to the database."""
    head: Head | None = chain_head()
    if head is None:
        return Publication(head=None)
    moment = now or dt.datetime.now(dt.UTC)
    published = PublishedHead(
        id=head.id,
        hash=head.hash,
        algorithm=head.algorithm,
        at=_utc(head.at),
        published=_utc(moment),
    )
    address = syslog_address()
    path = head_file()
    if path is None:
        return _to_syslog(Publication(head=published), address)
    with os.fdopen(_open_append(path), "r+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # one publisher at a time: cron and the queue
        last = _tail_head(fh, path)
        if last is not None and (last.id, last.hash) == (head.id, head.hash):
            return Publication(head=last, already=True, file=path)
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size:
            fh.seek(size - 1)
            ends_line = fh.read(1) == b"\n"
        else:
            ends_line = True
        # A line cut short (a crash mid-write) is ended first, so the new one reads.
        fh.write((b"" if ends_line else b"\n") + published.to_json().encode() + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
        # Still under the lock: a second publisher sees the line and sends nothing.
        return _to_syslog(Publication(head=published, file=path), address)


def _to_syslog(publication: Publication, address) -> Publication:
    """Send the publication to the system log at `address` (None: off); a failure is
    kept in the result, not raised, since the file (if on) already holds the head."""
    if address is None:
        return publication
    shown = address if isinstance(address, str) else f"{address[0]}:{address[1]} (UDP)"
    try:
        _send_syslog(address, publication.head.to_json())
    except OSError as exc:
        return replace(publication, syslog_error=f"{shown}: {exc.strerror or exc}")
    return replace(publication, syslog=shown)


def published_break(published: PublishedHead) -> Break | None:
    """Why the chain no longer holds the published head (the record cut off, or its
    hash changed), as a Break at that record; None when it is still there unchanged."""
    from reformledger.audit.models import AuditRecord

    found = AuditRecord.objects.filter(id=published.id).values_list("hash", "at", "verb").first()
    short = published.hash[:16]
    if found is None:
        last = chain_head()
        end = _("the chain ends at #%(id)s") % {"id": last.id} if last else _("the trail is empty")
        problem = _(
            "published head #%(id)s (%(hash)s…, published at %(published)s) is missing: "
            "%(end)s — records were removed after publication"
        ) % {"id": published.id, "hash": short, "published": published.published, "end": end}
        return Break(published.id, None, "", problem)
    if found[0] != published.hash:
        problem = _(
            "published head #%(id)s (%(hash)s…, published at %(published)s) differs: the "
            "chain's record #%(id)s has the hash %(now)s… — the trail was rewritten after "
            "publication"
        ) % {
            "id": published.id,
            "hash": short,
            "published": published.published,
            "now": found[0][:16],
        }
        return Break(published.id, found[1], found[2], problem)
    return None
