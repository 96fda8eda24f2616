"""The encrypted envelope of a backup (backup_encryption), byte by byte: small chunks
make an archive of many, so each kind of damage is named at its chunk."""

import io
import os
import tracemalloc

import pytest

from reformledger.audit.backup_encryption import (
    HEADER_BYTES,
    MAGIC,
    DecryptingReader,
    EncryptingWriter,
    EnvelopeError,
    decrypted_chunks,
    key_id,
)

KEY = b"3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"
CHUNK = 1000
#: A chunk on disk: its frame (5 bytes), the ciphertext and the GCM tag (16 bytes).
SEALED = 5 + CHUNK + 16
PLAIN = os.urandom(5 * CHUNK + 123)  # five full chunks and a short final one


def _sealed(plain: bytes = PLAIN, key: bytes = KEY, chunk: int = CHUNK) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key, chunk_bytes=chunk)
    for start in range(0, len(plain), 333):  # as tar writes: in pieces of any size
        writer.write(plain[start : start + 333])
    writer.close()
    return out.getvalue()


def _opened(data: bytes, key: bytes = KEY) -> bytes:
    return b"".join(decrypted_chunks(io.BytesIO(data), key, "ledger.tar.enc"))


def _refusal(data: bytes, key: bytes = KEY) -> str:
    with pytest.raises(EnvelopeError) as caught:
        _opened(data, key)
    return str(caught.value)


def test_what_is_written_reads_back_and_shows_nothing_of_itself():
    data = _sealed()

    assert data.startswith(MAGIC)
    assert PLAIN[:64] not in data
    assert _opened(data) == PLAIN
    assert len(data) == HEADER_BYTES + 5 * SEALED + 5 + 123 + 16
    # Two archives of the same content share no ciphertext (salt and nonces are random).
    assert _sealed()[HEADER_BYTES:] != data[HEADER_BYTES:]


def test_an_empty_stream_and_one_of_whole_chunks_each_end_with_a_final_chunk():
    assert _opened(_sealed(b"")) == b""
    whole = os.urandom(3 * CHUNK)
    assert _opened(_sealed(whole)) == whole


def test_one_flipped_byte_anywhere_names_the_chunk_it_is_in():
    data = _sealed()
    for chunk in range(1, 7):
        start = HEADER_BYTES + (chunk - 1) * SEALED
        size = SEALED if chunk < 6 else 5 + 123 + 16
        # The final flag, a length byte (not the final chunk's: a length past the end
        # of the file reads as the file cut short), the ciphertext, the tag's last byte.
        for inside in (0, 3 if chunk < 6 else 0, 5, size // 2, size - 1):
            flipped = bytearray(data)
            flipped[start + inside] ^= 0x40

            message = _refusal(bytes(flipped))

            assert f"altered or damaged: chunk {chunk} (from byte {start})" in message


def test_a_flipped_byte_in_the_middle_is_altered_at_its_chunk():
    data = bytearray(_sealed())
    middle = len(data) // 2
    data[middle] ^= 0x01
    chunk = 1 + (middle - HEADER_BYTES) // SEALED

    message = _refusal(bytes(data))

    assert f"ledger.tar.enc was altered or damaged: chunk {chunk} (from byte" in message


def test_a_flipped_byte_in_the_header_is_altered_or_damaged():
    data = _sealed()
    for position in range(len(MAGIC), HEADER_BYTES):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        assert "altered or damaged" in _refusal(bytes(flipped)), position


def test_an_archive_cut_short_anywhere_is_named_so():
    data = _sealed()
    boundary = HEADER_BYTES + 2 * SEALED  # after chunk 2, which is not the final one
    assert "it ends after chunk 2 (at byte" in _refusal(data[:boundary])
    assert "cut short: it ends inside chunk 3" in _refusal(data[: boundary + 3])  # in the frame
    assert "cut short: it ends inside chunk 3" in _refusal(data[: boundary + 100])
    assert "cut short: it ends inside chunk 6" in _refusal(data[:-1])
    assert "cut short: it ends inside its header" in _refusal(data[:20])
    assert "it ends after chunk 0" in _refusal(data[:HEADER_BYTES])


def test_bytes_after_the_final_chunk_are_refused():
    assert "goes on after its final chunk (6" in _refusal(_sealed() + b"\0")


def test_chunks_swapped_are_refused():
    data = _sealed()
    one = slice(HEADER_BYTES, HEADER_BYTES + SEALED)
    two = slice(HEADER_BYTES + SEALED, HEADER_BYTES + 2 * SEALED)
    swapped = data[: one.start] + data[two] + data[one] + data[two.stop :]

    assert "altered or damaged: chunk 1" in _refusal(swapped)


def test_the_wrong_key_names_the_key_the_archive_was_made_with():
    other = b"0" * 64

    message = _refusal(_sealed(), key=other)

    assert (
        f"encrypted with backup key {key_id(KEY)}, not with this key ({key_id(other)})" in message
    )


def test_a_plain_archive_is_not_taken_for_an_encrypted_one():
    assert "is not an encrypted Reform Ledger backup" in _refusal(b"\x1f\x8b" + PLAIN)


def test_memory_stays_flat_whatever_the_size():
    """Writing and reading 32 MiB through 1 MiB chunks holds about a chunk at a time."""
    piece = os.urandom(64 * 1024)
    tracemalloc.start()
    try:
        sink = _Counting()
        writer = EncryptingWriter(sink, KEY)
        for _ in range(512):
            writer.write(piece)
        writer.close()
        _, written_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size > 32 * 1024 * 1024
    assert written_peak < 8 * 1024 * 1024


def test_the_reader_gives_the_plaintext_as_a_stream():
    reader = DecryptingReader(io.BytesIO(_sealed()), KEY, "ledger.tar.enc")
    got = b""
    while piece := reader.read(777):
        got += piece
    assert got == PLAIN


class _Counting(io.RawIOBase):
    """A sink that keeps only how much was written."""

    def __init__(self):
        super().__init__()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)
