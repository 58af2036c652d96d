"""A submission's Python files as the interpreter reads them (trusted: reads bytes, never runs them).

A static check must read the text Python executes, not the text a UTF-8 reader would show. Python
decodes a source file by its byte-order mark or its coding cookie (PEP 263: ``# -*- coding: utf-7
-*-`` on line 1 or 2), UTF-8 otherwise, and turns ``\\r\\n`` and ``\\r`` into line ends. A UTF-7 or
Latin-1 file read as UTF-8 can hide a whole line of code in what looks like a comment. A file
that cannot be decoded, or is too large to analyse within the grader's bounds, is never skipped:
the caller refuses it (a failed loop check, a "not compared" line) with the reason given here.
"""
import io
import tokenize
from pathlib import Path

# Larger files are refused unread: the worst code costs the parser about 0.5 KB of memory per byte
# (260 KiB of one call per line took a process to 127 MB and 5 s); the course's largest module is
# under 20 KiB.
MAX_SOURCE_BYTES = 128 << 10


class Unreadable(ValueError):
    """A file a static check cannot read as Python would; the message is the reason, in a few
    words ("it is larger than 128 KiB")."""


def decode_python(data):
    """The text Python executes for a file holding ``data`` (bytes), line ends as ``\\n``; raises
    ``Unreadable`` when its declared encoding is unknown or its bytes do not decode."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing" in str(exc.msg):
            raise Unreadable("it is not valid utf-8 and declares no other encoding") from None
        raise Unreadable(f"its encoding declaration is not one Python accepts ({exc.msg})") from None
    try:
        text = data.decode(encoding)  # "utf-8-sig" drops the byte-order mark, as Python does
    except (UnicodeDecodeError, LookupError):
        raise Unreadable(f"it is not valid {encoding}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_python(path, limit=None):
    """``decode_python`` of the file at ``path``, refused (``Unreadable``) above ``limit`` bytes
    (default ``MAX_SOURCE_BYTES``) before anything is read."""
    limit = MAX_SOURCE_BYTES if limit is None else limit
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise Unreadable(f"it is larger than {limit // 1024} KiB ({size // 1024} KiB)")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew since stat
        raise Unreadable(f"it is larger than {limit // 1024} KiB")
    return decode_python(data)
