"""Messages between the grader and the sandboxed child: a JSON header plus numeric arrays.

One message on the wire:  8-byte big-endian length of the JSON header, the header, then each array
as a ``.npy`` blob (its length is listed in ``header["blobs"]``). Arrays are read back with
``allow_pickle=False``, so nothing the child sends can run code or carry an object with rigged
methods: the grader only ever receives plain numbers.

Values inside the header are encoded as:
  numbers, strings, booleans, None  -> themselves
  numpy arrays and numpy scalars    -> {"blob": i}
  list / tuple                      -> {"list": [...]} / {"tuple": [...]}
  dict with string keys             -> {"dict": {...}}
"""
import io
import json
import os
import select
import struct
import time

import numpy as np

MAX_HEADER_BYTES = 4 << 20
MAX_MESSAGE_BYTES = 1 << 30


class ProtocolError(Exception):
    """The other side sent something that is not a valid message (or nothing in time)."""


class Timeout(ProtocolError):
    """No complete message arrived before the deadline."""


def encode(value, blobs):
    """Encode ``value`` for the header, appending arrays to ``blobs``; raises TypeError otherwise."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        return value if not isinstance(value, float) or np.isfinite(value) else {"blob": _blob(value, blobs)}
    if isinstance(value, (np.ndarray, np.generic)):
        return {"blob": _blob(value, blobs)}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, blobs) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(v, blobs) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: encode(v, blobs) for k, v in value.items()}}
    raise TypeError(f"{type(value).__name__} is not a number, numpy array, list, tuple or dict")


def _blob(value, blobs):
    array = np.asarray(value)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"array of dtype {array.dtype} is not numeric")
    blobs.append(np.array(array, copy=True, subok=False))  # a plain ndarray, never a subclass
    return len(blobs) - 1


def decode(value, arrays):
    """Inverse of ``encode``; arrays come back as plain numpy arrays (0-d for scalars)."""
    if isinstance(value, dict):
        if set(value) == {"blob"}:
            return arrays[int(value["blob"])]
        if set(value) == {"tuple"}:
            return tuple(decode(v, arrays) for v in value["tuple"])
        if set(value) == {"list"}:
            return [decode(v, arrays) for v in value["list"]]
        if set(value) == {"dict"}:
            return {str(k): decode(v, arrays) for k, v in value["dict"].items()}
        raise ProtocolError(f"unknown value encoding with keys {sorted(value)[:3]}")
    if isinstance(value, list):
        raise ProtocolError("bare list in message")
    return value


def pack(header, blobs):
    """Bytes of one message."""
    parts = []
    for array in blobs:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        parts.append(buffer.getvalue())
    header = dict(header, blobs=[len(p) for p in parts])
    head = json.dumps(header, allow_nan=False).encode()
    return struct.pack(">Q", len(head)) + head + b"".join(parts)


def _read_exact(fd, n, deadline):
    chunks, remaining = [], n
    while remaining:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            raise Timeout("no answer in time")
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            raise Timeout("no answer in time")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ProtocolError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd, deadline=None):
    """Read one message from the file descriptor ``fd``; returns (header, arrays)."""
    (length,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if length > MAX_HEADER_BYTES:
        raise ProtocolError(f"header of {length} bytes is too large")
    try:
        header = json.loads(_read_exact(fd, length, deadline))
        sizes = [int(s) for s in header.get("blobs", [])]
    except (ValueError, TypeError, AttributeError) as exc:
        raise ProtocolError(f"header is not valid JSON: {exc}") from None
    if not isinstance(header, dict) or sum(sizes) > MAX_MESSAGE_BYTES or any(s < 0 for s in sizes):
        raise ProtocolError("malformed header")
    arrays = []
    for size in sizes:
        try:
            array = np.load(io.BytesIO(_read_exact(fd, size, deadline)), allow_pickle=False)
        except ValueError as exc:
            raise ProtocolError(f"array is not a plain numeric .npy: {exc}") from None
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biufc":
            raise ProtocolError("array is not numeric")
        arrays.append(array)
    return header, arrays


def write_message(fd, header, blobs=()):
    data = pack(header, list(blobs))
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
