"""The framing of study.h5.journal, read the way io/journal.cpp reads it.

A journal is an 8-byte header, ``RUNGSJ2\\n``, then frames of
``[u32 magic][u32 length][u32 CRC-32 of magic, length and payload][payload]`` (little
endian). Journals of the first format, ``RUNGSJ1\\n``, have frames of
``[u32 length][u32 CRC-32 of the payload]``.

A crash only ever spoils the end: a torn last frame (SIGKILL) or a tail of zeros (power
loss). Such a tail is ignored; a bad frame with a valid frame after it is damage, and
:func:`read_frames` raises :class:`~rungs.RungsError` rather than guess. This module never
writes: the running study's rank 0 owns the file.
"""
import struct
import zlib

from .errors import RungsError

HEADER = b"RUNGSJ2\n"
HEADER_V1 = b"RUNGSJ1\n"
MAGIC = 0x4A52A5D3
MAX_RECORD = 64 << 20
_MAGIC_BYTES = struct.pack("<I", MAGIC)
_FRAME_HEADER = 12


class Frames:
    """What a journal holds: its records (payload bytes, in order), how many bytes of a
    torn or zeroed tail were ignored, and the format version (0 for an empty journal)."""

    def __init__(self, records, ignored_bytes, version):
        self.records = records
        self.ignored_bytes = ignored_bytes
        self.version = version

    def __repr__(self):
        return (f"Frames({len(self.records)} records, ignored_bytes={self.ignored_bytes}, "
                f"version={self.version})")


def frame(payload):
    """The bytes of one current-format frame holding `payload` (for tests and tools)."""
    head = struct.pack("<II", MAGIC, len(payload))
    return head + struct.pack("<I", zlib.crc32(payload, zlib.crc32(head))) + payload


def _frame_at(data, at):
    """(payload, size) of the valid frame at `at`, or None."""
    if len(data) - at < _FRAME_HEADER:
        return None
    magic, length, crc = struct.unpack_from("<III", data, at)
    if magic != MAGIC or length > MAX_RECORD or len(data) - at - _FRAME_HEADER < length:
        return None
    payload = data[at + _FRAME_HEADER:at + _FRAME_HEADER + length]
    if zlib.crc32(payload, zlib.crc32(data[at:at + 8])) != crc:
        return None
    return payload, _FRAME_HEADER + length


def _read_v2(data, where):
    records, good = [], len(HEADER)
    while (found := _frame_at(data, good)) is not None:
        records.append(found[0])
        good += found[1]
    # A valid frame after the first bad one means the bad one is damage, not a torn tail.
    at = data.find(_MAGIC_BYTES, good + 1)
    while at != -1:
        if _frame_at(data, at) is not None:
            raise RungsError(f"{where}: damaged record at byte {good} followed by valid "
                             "records; refusing to guess")
        at = data.find(_MAGIC_BYTES, at + 1)
    return records, good


def _read_v1(data):
    # No magic: damage cannot be told from a torn tail, so the first bad frame ends it.
    records, good = [], len(HEADER_V1)
    while len(data) - good >= 8:
        length, crc = struct.unpack_from("<II", data, good)
        if length == 0 and crc == 0 and not data[good:].strip(b"\0"):
            break  # a tail of zeros
        if length > MAX_RECORD or len(data) - good - 8 < length:
            break
        payload = data[good + 8:good + 8 + length]
        if zlib.crc32(payload) != crc:
            break
        records.append(payload)
        good += 8 + length
    return records, good


def read_frames(data, where="journal"):
    """The records of a journal's bytes `data`. An empty, short or all-zero file holds none
    (a journal killed before its header was on disk). Raises RungsError naming `where` for
    what is not a rungs journal and for damage before the last valid record."""
    data = bytes(data)
    if len(data) < len(HEADER) or not data.strip(b"\0"):
        return Frames([], len(data), 0)
    if data.startswith(HEADER):
        records, good = _read_v2(data, where)
        return Frames(records, len(data) - good, 2)
    if data.startswith(HEADER_V1):
        records, good = _read_v1(data)
        return Frames(records, len(data) - good, 1)
    raise RungsError(f"{where}: not a rungs journal")
