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
from numpy.lib import format as npformat

# Every size a message announces is checked against these caps before anything is allocated for
# it, so a forged length costs the reader nothing. The largest honest answer of the course (a
# feature matrix of a few thousand images) is well under a megabyte.
MAX_HEADER_BYTES = 4 << 20
MAX_MESSAGE_BYTES = 64 << 20
MAX_ARRAYS = 10_000


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
    """Exactly ``n`` bytes (``n`` already checked against the caps), read into one buffer."""
    buffer = bytearray(n)
    view, done = memoryview(buffer), 0
    while done < n:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            raise Timeout("no answer in time")
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            raise Timeout("no answer in time")
        got = os.readv(fd, [view[done:done + min(n - done, 1 << 20)]])
        if not got:
            raise ProtocolError("the other side closed the connection")
        done += got
    return buffer


def read_message(fd, deadline=None):
    """Read one message from the file descriptor ``fd``; returns (header, arrays)."""
    (length,) = struct.unpack(">Q", _read_exact(fd, 8, deadline))
    if length > MAX_HEADER_BYTES:
        raise ProtocolError(f"header of {length} bytes is too large")
    try:
        header = json.loads(bytes(_read_exact(fd, length, deadline)))
        announced = header.get("blobs", [])
        if not isinstance(announced, list) or len(announced) > MAX_ARRAYS:
            raise ProtocolError("malformed header")
        sizes = [int(s) for s in announced]
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise ProtocolError(f"header is not valid JSON: {exc}") from None
    if any(s < 0 for s in sizes):
        raise ProtocolError("malformed header")
    if sum(sizes) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {sum(sizes)} bytes is larger than the {MAX_MESSAGE_BYTES >> 20} MiB allowed")
    return header, [_parse_npy(_read_exact(fd, size, deadline)) for size in sizes]


def _parse_npy(buffer):
    """The array in one ``.npy`` blob, as a view of ``buffer`` (no copy). Its header must announce
    a numeric dtype and exactly as many bytes as follow it: nothing is allocated from a forged shape."""
    stream = io.BytesIO(buffer)  # only the few header bytes are read through it
    try:
        version = npformat.read_magic(stream)
        read_header = {(1, 0): npformat.read_array_header_1_0, (2, 0): npformat.read_array_header_2_0}
        if version not in read_header:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran, dtype = read_header[version](stream)
    except (ValueError, TypeError, SyntaxError, RecursionError) as exc:
        raise ProtocolError(f"array is not a plain numeric .npy: {exc}") from None
    if dtype.kind not in "biufc" or dtype.hasobject:
        raise ProtocolError("array is not numeric")
    count = 1
    for n in shape:
        count *= int(n)
    offset = stream.tell()
    if count * dtype.itemsize != len(buffer) - offset:
        raise ProtocolError("array size does not match its header")
    array = np.frombuffer(buffer, dtype=dtype, count=count, offset=offset)
    return array.reshape(shape[::-1]).transpose() if fortran else array.reshape(shape)


def write_message(fd, header, blobs=(), deadline=None):
    """Write one message to ``fd``. With a ``deadline`` (a ``time.monotonic()`` value) the
    descriptor is made non-blocking and Timeout is raised when the other side has not taken the
    whole message by then: a reader that stops reading cannot hold the writer."""
    view = memoryview(pack(header, list(blobs)))
    if deadline is not None:
        os.set_blocking(fd, False)
    while view:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([], [fd], [], wait)[1]:
                raise Timeout("the other side did not read in time")
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[written:]
