"""The encrypted envelope of a backup archive (备份加密).

`reformledger backup` writes its tar archive through `EncryptingWriter`, and
`reformledger restore` reads it back through `decrypted_chunks`: the whole archive
stream is encrypted with AES-256-GCM in chunks, so memory stays flat whatever its size
and every byte is authenticated before it is used.

    header   magic "RLBACKUP", version, chunk size, key id, salt, nonce prefix, check
    chunk    final flag (1 byte), ciphertext length (4 bytes), ciphertext + GCM tag
    ...      (the last chunk, and only it, has the final flag set)

Keys come from the operator's backup key (RL_BACKUP_KEY_FILE) through HKDF-SHA256,
one per purpose: the archive's encryption key (salted per archive), the header's
check and the manifest's signature (`signing_key`). Chunk `n` (from 0) is encrypted
under the nonce `prefix || n` with the header and its own frame (final flag, length)
as associated data, so a chunk moved, dropped, altered or cut off, a header changed,
or a final chunk missing all fail to decrypt, and each is named: the wrong key (with
the id of the key the archive was made with), an altered or damaged chunk (with its
number), an archive cut short. docs/decisions/0023-*.md says why.
"""

import hashlib
import hmac
import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"RLBACKUP"
VERSION = 1
ALGORITHM = "AES-256-GCM"
#: Plaintext bytes per chunk: memory holds about one chunk while writing or reading.
CHUNK_BYTES = 1024 * 1024
#: The largest chunk a reader accepts from a header (a damaged header cannot make it
#: read without bound).
MAX_CHUNK_BYTES = 64 * 1024 * 1024
TAG_BYTES = 16
#: magic, version, chunk size, key id, salt, nonce prefix; then the 16-byte check.
_FIELDS = struct.Struct(">8sBI8s16s8s")
_CHECK_BYTES = 16
HEADER_BYTES = _FIELDS.size + _CHECK_BYTES
#: Each chunk's frame: final flag, ciphertext length (with its tag).
_FRAME = struct.Struct(">BI")
#: A chunk's nonce is the archive's 8-byte prefix and a 4-byte counter.
_MAX_CHUNKS = 2**32


class EnvelopeError(Exception):
    """An encrypted archive that cannot be read; the message names why."""


def key_id(key: bytes) -> str:
    """A short name of the key (not the key): which key made or signed an archive."""
    return hashlib.sha256(b"reformledger-backup-key:" + key).hexdigest()[:16]


def _derive(key: bytes, purpose: bytes, salt: bytes | None = None) -> bytes:
    info = b"reformledger backup: " + purpose
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def signing_key(key: bytes) -> bytes:
    """The key that signs a manifest (HMAC-SHA256), derived from the backup key."""
    return _derive(key, b"manifest signature (HMAC-SHA256)")


@dataclass(frozen=True)
class Header:
    """The envelope's header, as read (its check not yet tested against a key)."""

    version: int
    chunk_bytes: int
    key_id: str
    salt: bytes
    nonce_prefix: bytes
    check: bytes
    raw: bytes

    @staticmethod
    def _check(key: bytes, fields: bytes, salt: bytes) -> bytes:
        mac = hmac.new(_derive(key, b"header check", salt), fields, hashlib.sha256)
        return mac.digest()[:_CHECK_BYTES]

    @classmethod
    def make(cls, key: bytes, chunk_bytes: int = CHUNK_BYTES) -> "Header":
        salt, prefix = os.urandom(16), os.urandom(8)
        fields = _FIELDS.pack(MAGIC, VERSION, chunk_bytes, bytes.fromhex(key_id(key)), salt, prefix)
        check = cls._check(key, fields, salt)
        return cls(VERSION, chunk_bytes, key_id(key), salt, prefix, check, fields + check)

    def verify(self, key: bytes, name: str) -> None:
        """Raise EnvelopeError unless the archive was made with `key` and its header is
        intact: a wrong key names the key the archive was made with."""
        fields = self.raw[: _FIELDS.size]
        if hmac.compare_digest(self._check(key, fields, self.salt), self.check):
            return
        ours = key_id(key)
        if self.key_id != ours:
            # The right key with only the header's key id damaged still checks out.
            own = fields[:13] + bytes.fromhex(ours) + fields[21:]
            if not hmac.compare_digest(self._check(key, own, self.salt), self.check):
                raise EnvelopeError(
                    f"{name} was encrypted with backup key {self.key_id}, not with this key "
                    f"({ours}): restore with the key that made it (--key-file /path/to/that.key). "
                    "Nothing was restored."
                )
        raise EnvelopeError(
            f"{name} was altered or damaged: its header does not match the key that made "
            "it. Nothing was restored; use another copy of the backup."
        )

    def aead(self, key: bytes) -> AESGCM:
        return AESGCM(_derive(key, b"archive encryption (AES-256-GCM)", self.salt))

    def nonce(self, counter: int) -> bytes:
        return self.nonce_prefix + counter.to_bytes(4, "big")


def read_header(source: BinaryIO, name: str) -> Header | None:
    """The envelope's header at the start of `source`, or None when `source` does not
    start with the envelope's magic (a plain archive). Leaves `source` after it."""
    head = source.read(HEADER_BYTES)
    if not head.startswith(MAGIC):
        return None
    if len(head) < HEADER_BYTES:
        raise EnvelopeError(
            f"{name} was cut short: it ends inside its header (at byte {len(head)}). "
            "Nothing was restored; use another copy of the backup."
        )
    _magic, version, chunk_bytes, kid, salt, prefix = _FIELDS.unpack(head[: _FIELDS.size])
    if version != VERSION:
        raise EnvelopeError(
            f"{name} has envelope version {version}, which this version of Reform Ledger "
            f"does not read (it reads version {VERSION}): it was written by a newer "
            "version, or its header was altered or damaged."
        )
    if not 0 < chunk_bytes <= MAX_CHUNK_BYTES:
        raise EnvelopeError(
            f"{name} was altered or damaged: its header names a chunk size of "
            f"{chunk_bytes} bytes. Nothing was restored; use another copy of the backup."
        )
    return Header(version, chunk_bytes, kid.hex(), salt, prefix, head[_FIELDS.size :], head)


def archive_header(path: Path) -> Header | None:
    """The header of the archive at `path`, or None for a plain (unencrypted) one."""
    with Path(path).open("rb") as source:
        return read_header(source, str(path))


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what is written to it into `out`, a chunk at
    a time; `close()` writes the final chunk (and does not close `out`)."""

    def __init__(self, out: BinaryIO, key: bytes, *, chunk_bytes: int = CHUNK_BYTES):
        super().__init__()
        self._out, self._chunk = out, chunk_bytes
        self._header = Header.make(key, chunk_bytes)
        self._aead = self._header.aead(key)
        self._buffer = bytearray()
        self._counter = 0
        self._position = 0
        out.write(self._header.raw)

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def write(self, data) -> int:
        self._buffer += data
        self._position += len(data)
        # Strictly more than a chunk: what is left at close() is the final chunk.
        while len(self._buffer) > self._chunk:
            self._seal(bytes(self._buffer[: self._chunk]), final=False)
            del self._buffer[: self._chunk]
        return len(data)

    def _seal(self, plain: bytes, *, final: bool) -> None:
        if self._counter >= _MAX_CHUNKS:
            raise EnvelopeError("The archive is too large for its chunk size.")
        frame = _FRAME.pack(int(final), len(plain) + TAG_BYTES)
        sealed = self._aead.encrypt(
            self._header.nonce(self._counter), plain, self._header.raw + frame
        )
        self._out.write(frame + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._out.flush()
        super().close()


def decrypted_chunks(source: BinaryIO, key: bytes, name: str) -> Iterator[bytes]:
    """The plaintext of the encrypted archive `source`, a chunk at a time, each chunk
    authenticated before it is given out. Raises EnvelopeError naming what is wrong: a
    plain archive, the wrong key, an altered or damaged chunk (its number, from 1), an
    archive cut short; only after the final chunk is the whole archive proven."""
    header = read_header(source, name)
    if header is None:
        raise EnvelopeError(f"{name} is not an encrypted Reform Ledger backup.")
    header.verify(key, name)
    aead = header.aead(key)
    offset = HEADER_BYTES
    for counter in range(_MAX_CHUNKS):
        number = counter + 1
        frame = source.read(_FRAME.size)
        if not frame:
            raise EnvelopeError(
                f"{name} was cut short: it ends after chunk {counter} (at byte {offset}), "
                "which is not the archive's final chunk. Nothing was restored; use another "
                "copy of the backup."
            )
        final, length = _FRAME.unpack(frame) if len(frame) == _FRAME.size else (0, 0)
        if len(frame) == _FRAME.size and (
            final > 1 or not TAG_BYTES <= length <= header.chunk_bytes + TAG_BYTES
        ):
            raise _altered(name, number, offset)
        sealed = source.read(length) if length else b""
        if len(frame) < _FRAME.size or len(sealed) < length:
            end = offset + len(frame) + len(sealed)
            raise EnvelopeError(
                f"{name} was cut short: it ends inside chunk {number} (at byte {end}). "
                "Nothing was restored; use another copy of the backup."
            )
        try:
            plain = aead.decrypt(header.nonce(counter), sealed, header.raw + frame)
        except InvalidTag:
            raise _altered(name, number, offset) from None
        offset += len(frame) + length
        yield plain
        if final:
            if source.read(1):
                raise EnvelopeError(
                    f"{name} was altered or damaged: it goes on after its final chunk "
                    f"({number}, ending at byte {offset}). Nothing was restored."
                )
            return
    raise _altered(name, _MAX_CHUNKS, offset)


def _altered(name: str, number: int, offset: int) -> EnvelopeError:
    return EnvelopeError(
        f"{name} was altered or damaged: chunk {number} (from byte {offset}) does not "
        "decrypt with the key that made the archive. Nothing was restored; use another "
        "copy of the backup."
    )


def decrypt_file(path: Path, target: Path, key: bytes) -> None:
    """Decrypt the archive at `path` into the new file `target` (mode 0600), a chunk at
    a time. `target` is removed again if anything fails."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with Path(path).open("rb") as source, os.fdopen(fd, "wb") as out:
            for plain in decrypted_chunks(source, key, str(path)):
                out.write(plain)
    except BaseException:
        Path(target).unlink(missing_ok=True)
        raise


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plaintext of an encrypted archive (for tarfile's
    stream modes); reading to its end proves the whole archive."""

    def __init__(self, source: BinaryIO, key: bytes, name: str):
        super().__init__()
        self._chunks = decrypted_chunks(source, key, name)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n
