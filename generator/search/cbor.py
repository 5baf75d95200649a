"""The part of CBOR (RFC 8949) that Pagefind's index files use: integers, text, bytes, arrays, maps.

Each file is gzip of b"pagefind_dcd" then one CBOR value; generator/search/index.py rewrites the
filter files and the metadata in a fixed order.
"""

from __future__ import annotations

import gzip
import struct

MAGIC = b"pagefind_dcd"


def loads(data: bytes, i: int = 0):
    """The value at data[i:] and the offset after it."""
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise ValueError(f"CBOR: unsupported item {head:#x} at {i - 1}")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        raw = data[i:i + n]
        return (bytes(raw) if major == 2 else raw.decode("utf-8")), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = loads(data, i)
            items.append(item)
        return items, i
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, i = loads(data, i)
            mapping[key], i = loads(data, i)
        return mapping, i
    if major == 7 and n in (20, 21, 22):
        return {20: False, 21: True, 22: None}[n], i
    raise ValueError(f"CBOR: unsupported item {head:#x} at {i - 1}")


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("CBOR: integer too large")


def dumps(value) -> bytes:
    if isinstance(value, bool) or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(dumps(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(dumps(k) + dumps(v) for k, v in value.items())
    raise TypeError(f"CBOR: cannot write {type(value).__name__}")


def read(packed: bytes):
    """The value in one of Pagefind's index files (gzip of MAGIC and one CBOR value)."""
    data = gzip.decompress(packed)
    if not data.startswith(MAGIC):
        raise ValueError("not a Pagefind index file")
    value, end = loads(data, len(MAGIC))
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the value")
    return value


def pack(data: bytes) -> bytes:
    """gzip with no time stamp in its header, so the same data give the same bytes."""
    return gzip.compress(data, mtime=0)
