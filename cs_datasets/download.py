"""Download and unpack the official CIFAR-10 archive (python version), safely and resumably.

Only the standard library talks to the network (``urllib``); ``tqdm`` draws the progress bar.
Every problem a user can fix (offline, interrupted download, bad checksum, damaged archive) is
raised as a :class:`~cs_datasets.errors.DatasetError` whose message is a single line.

The archive goes to ``download_parent(root)``; it is written as ``<archive>.part`` first and
renamed only after its MD5 checksum matched, so a file without ``.part`` is always a good one.
"""
import hashlib
import http.client
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from .errors import DatasetError
from .locations import CIFAR10_FOLDER, download_parent, resolve_cifar10_dir

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"

ARCHIVE_NAME = "cifar-10-python.tar.gz"
EXPECTED_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch", "batches.meta")

_CHUNK = 1 << 16  # 64 KiB: small enough for a smooth progress bar, big enough to be fast
_MB = 1024 * 1024


def download_cifar10(root=None, url=None, md5=None, progress=True, timeout=30.0):
    """Make sure CIFAR-10 is on disk and return its ``cifar-10-batches-py`` folder.

    ``root`` is interpreted as in :func:`cs_datasets.locations.resolve_cifar10_dir`. ``url`` and
    ``md5`` default to the ``CIFAR10_URL`` / ``CIFAR10_MD5`` environment variables, then to the
    official values; explicit arguments win. A complete folder is returned without any network
    access, and an archive that is already present with the right checksum is only extracted.
    ``timeout`` (seconds) applies to connecting and to each read.
    """
    url = url or os.environ.get("CIFAR10_URL") or CIFAR10_URL
    md5 = (md5 or os.environ.get("CIFAR10_MD5") or CIFAR10_MD5).strip().lower()

    existing = resolve_cifar10_dir(root)
    if is_complete(existing):
        return existing
    parent = download_parent(root)
    target = parent / CIFAR10_FOLDER
    if is_complete(target):
        return target

    parent.mkdir(parents=True, exist_ok=True)
    archive = parent / ARCHIVE_NAME
    if not (archive.is_file() and file_md5(archive) == md5):
        fetch_archive(url, archive, md5, progress=progress, timeout=timeout)
    extract_archive(archive, parent)
    return target


def is_complete(folder):
    """True if ``folder`` holds every CIFAR-10 batch file plus ``batches.meta``."""
    folder = Path(folder)
    return all((folder / name).is_file() for name in EXPECTED_FILES)


def file_md5(path):
    """Hex MD5 of a file, read in chunks so the 160 MB archive never sits in memory."""
    # usedforsecurity=False: MD5 is only an integrity check here, and FIPS systems refuse it otherwise.
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_archive(url, archive, md5, progress=True, timeout=30.0):
    """Download ``url`` into ``archive`` via ``<archive>.part``, verify it, then rename it into place."""
    archive = Path(archive)
    part = archive.with_name(archive.name + ".part")
    _download_to_part(url, part, progress=progress, timeout=timeout)
    _verify_md5(part, md5)
    # Atomic rename: the archive name only ever refers to a verified file.
    os.replace(part, archive)


def _download_to_part(url, part, progress, timeout):
    """Fetch ``url`` into ``part``, resuming from the bytes already there when the server allows it."""
    offset = part.stat().st_size if part.is_file() else 0
    response = _open(url, part, offset, timeout)
    if response is None:  # the .part already holds the whole file
        return
    with response:
        offset = _resume_offset(response, offset)
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        _copy_body(url, response, part, offset, total, progress)


def _open(url, part, offset, timeout):
    """Send the GET (with a ``Range`` header when resuming); return the response, or None if nothing is left."""
    request = urllib.request.Request(url, headers={"User-Agent": "cs_datasets"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        # 416 on a resume means the previous run already received every byte; the checksum decides.
        if error.code == 416 and offset:
            return None
        raise DatasetError(_unreachable_message(url, error, part.parent)) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        # URLError, socket.timeout and ConnectionError are all OSErrors; HTTPException covers bad replies.
        raise DatasetError(_unreachable_message(url, error, part.parent)) from None


def _resume_offset(response, offset):
    """Return where the body starts: ``offset`` for a matching 206 reply, else 0 (start over)."""
    if offset and response.status == 206:
        content_range = response.headers.get("Content-Range", "")
        # "bytes START-END/TOTAL": trust the reply only if it starts exactly where our file ends.
        if content_range.startswith(f"bytes {offset}-"):
            return offset
    return 0


def _copy_body(url, response, part, offset, total, progress):
    """Append the response body to ``part`` (or overwrite it when ``offset`` is 0) with a progress bar."""
    mode = "ab" if offset else "wb"
    written = offset
    with open(part, mode) as out, tqdm(
        total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
        desc=ARCHIVE_NAME, disable=not progress,
    ) as bar:
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (http.client.HTTPException, OSError) as error:
                out.flush()
                raise DatasetError(_interrupted_message(url, part, written, error)) from None
            if not chunk:
                break
            out.write(chunk)
            written += len(chunk)
            bar.update(len(chunk))
    # http.client returns a short body without complaint when the peer closes early, so count.
    if total is not None and written < total:
        raise DatasetError(_interrupted_message(url, part, written, "connection closed early"))


def _verify_md5(path, expected):
    """Raise DatasetError (after deleting ``path``) if the file's MD5 is not ``expected``."""
    got = file_md5(path)
    if got != expected:
        path.unlink(missing_ok=True)
        raise DatasetError(
            f"checksum of the downloaded {ARCHIVE_NAME} did not match (expected {expected}, got {got}); "
            f"the file was removed, run this command again to download it afresh."
        )


def extract_archive(archive, parent):
    """Unpack ``archive`` so that ``parent/cifar-10-batches-py`` appears complete or not at all.

    The archive is extracted into a temporary sibling folder, checked, and renamed into place; the
    temporary folder is removed whatever happens. An incomplete ``cifar-10-batches-py`` already in
    ``parent`` is replaced by the freshly extracted one.
    """
    archive, parent = Path(archive), Path(parent)
    # Same parent as the target, so the final rename never crosses file systems and stays atomic.
    staging = Path(tempfile.mkdtemp(prefix=".cifar10-extract-", dir=parent))
    try:
        _safe_extract(archive, staging)
        extracted = staging / CIFAR10_FOLDER
        missing = [name for name in EXPECTED_FILES if not (extracted / name).is_file()]
        if missing:
            raise DatasetError(
                f"{archive} does not contain {CIFAR10_FOLDER}/{missing[0]}; "
                f"it is not the CIFAR-10 python archive, delete it and run this command again."
            )
        _move_into_place(extracted, parent / CIFAR10_FOLDER, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(extracted, target, staging):
    """Rename ``extracted`` to ``target``; an old incomplete ``target`` is moved into ``staging`` first."""
    if target.exists() or target.is_symlink():
        # os.replace cannot overwrite a non-empty folder, so park the old one where cleanup removes it.
        old = staging / "previous"
        os.replace(target, old)
        try:
            os.replace(extracted, target)
        except OSError:
            os.replace(old, target)  # put the user's folder back rather than leave nothing
            raise
    else:
        os.replace(extracted, target)


def _safe_extract(archive, destination):
    """Extract a tar.gz into ``destination``, refusing absolute paths, ``..`` and links."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()  # reads the whole archive, so corruption shows up here
            for member in members:
                _check_member(archive, member)
            if hasattr(tarfile, "data_filter"):
                # Python >= 3.10.12 / 3.11.4: a second, standard line of defence (also drops odd modes).
                tar.extractall(destination, members=members, filter="data")
            else:
                tar.extractall(destination, members=members)
    except DatasetError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        # gzip.BadGzipFile is an OSError; a truncated stream gives EOFError.
        raise DatasetError(
            f"could not extract {archive}: {_one_line(error)}; the archive is damaged, "
            f"delete it and run this command again."
        ) from None


def _check_member(archive, member):
    """Raise DatasetError for a tar entry that could write outside the destination or is not plain data."""
    path = PurePosixPath(member.name)
    unsafe = (
        path.is_absolute()
        or member.name.startswith(("/", "\\"))
        or ".." in path.parts
        or not (member.isfile() or member.isdir())  # links, devices, fifos
    )
    if unsafe:
        raise DatasetError(
            f"{archive} contains an unsafe entry {member.name!r} (absolute path, '..' or link); "
            f"refusing to extract it, delete the archive and run this command again."
        )


def _unreachable_message(url, error, folder):
    """One-line explanation for a failed connection, with the manual-download fallback."""
    return (
        f"could not reach {url}: {_reason(error)}. Are you offline? Download {ARCHIVE_NAME} by hand "
        f"and put it in {folder}, then run this command again."
    )


def _interrupted_message(url, part, written, error):
    """One-line explanation for a download cut off midway; the .part file is kept for resuming."""
    return (
        f"download of {url} was interrupted after {written / _MB:.1f} MB ({_reason(error)}); "
        f"the partial file {part} was kept, run this command again to resume."
    )


def _reason(error):
    """Short human reason for a network error (URLError wraps the real one in ``.reason``)."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        error = error.reason
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, http.client.IncompleteRead):
        return "connection closed early"
    return _one_line(error) or type(error).__name__


def _one_line(value):
    """``str(value)`` with all whitespace runs (including newlines) collapsed, so messages stay one line."""
    return " ".join(str(value).split())
