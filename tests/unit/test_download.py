"""Tests for cs_datasets.download against a local HTTP server on 127.0.0.1 (never the real network)."""
import hashlib
import http.server
import io
import pickle
import socket
import tarfile
import threading

import numpy as np
import pytest

from cs_datasets.download import ARCHIVE_NAME, EXPECTED_FILES, download_cifar10
from cs_datasets.errors import DatasetError
from cs_datasets.locations import CIFAR10_FOLDER

IMAGES_PER_BATCH = 4


# ---------------------------------------------------------------- fake archive

def _batch(label, seed):
    """A tiny batch dict shaped like the official Python-2 pickles (bytes keys)."""
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": label.encode(),
        b"labels": [int(x) for x in rng.integers(0, 10, IMAGES_PER_BATCH)],
        b"data": rng.integers(0, 256, (IMAGES_PER_BATCH, 3072), dtype=np.uint8),
        b"filenames": [f"img_{seed}_{i}.png".encode() for i in range(IMAGES_PER_BATCH)],
    }


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _make_archive(members):
    """Bytes of a tar.gz holding ``{name: bytes}``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            _add_bytes(tar, name, data)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def fake_archive():
    """(bytes, md5) of a miniature cifar-10-python.tar.gz in the official layout."""
    members = {}
    for i in range(1, 6):
        members[f"{CIFAR10_FOLDER}/data_batch_{i}"] = pickle.dumps(
            _batch(f"training batch {i} of 5", i), protocol=2)
    members[f"{CIFAR10_FOLDER}/test_batch"] = pickle.dumps(_batch("testing batch 1 of 1", 0), protocol=2)
    meta = {b"label_names": [b"airplane", b"automobile", b"bird", b"cat", b"deer",
                             b"dog", b"frog", b"horse", b"ship", b"truck"],
            b"num_cases_per_batch": IMAGES_PER_BATCH, b"num_vis": 3072}
    members[f"{CIFAR10_FOLDER}/batches.meta"] = pickle.dumps(meta, protocol=2)
    data = _make_archive(members)
    return data, hashlib.md5(data).hexdigest()


# ---------------------------------------------------------------- local server

class _FileServer:
    """Serves one payload at /cifar-10-python.tar.gz on 127.0.0.1, with optional faults.

    ``cut_after``: on the first request, announce the full length but send only this many bytes.
    ``honour_range``: when False, ignore Range headers and always answer 200 with the whole file.
    """

    def __init__(self, payload, cut_after=None, honour_range=True):
        self.payload = payload
        self.cut_after = cut_after
        self.honour_range = honour_range
        self.ranges = []  # Range header of every request (None when absent)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{ARCHIVE_NAME}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def _handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                header = self.headers.get("Range")
                first = not server.ranges
                server.ranges.append(header)
                start = 0
                if header and server.honour_range:
                    start = int(header.split("=", 1)[1].split("-", 1)[0])
                body = server.payload[start:]
                if start:
                    self.send_response(206)
                    total = len(server.payload)
                    self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if first and server.cut_after is not None:
                    body = body[:server.cut_after]  # then the connection closes (HTTP/1.0)
                self.wfile.write(body)

        return Handler


@pytest.fixture
def serve():
    """Factory fixture: ``serve(payload, **faults)`` starts a server, stopped after the test."""
    servers = []

    def start(payload, **faults):
        server = _FileServer(payload, **faults)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("CIFAR10_URL", "CIFAR10_MD5", "CIFAR10_DIR", "CS_DATASETS_HOME"):
        monkeypatch.delenv(name, raising=False)


def _closed_port_url():
    """URL on a port that was just bound and released, so nothing listens there."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/{ARCHIVE_NAME}"


def _get(root, server, md5, **kwargs):
    return download_cifar10(root=root, url=server.url, md5=md5, progress=False, timeout=5, **kwargs)


# ---------------------------------------------------------------- tests

def test_success_downloads_and_extracts(tmp_path, serve, fake_archive):
    data, md5 = fake_archive
    server = serve(data)
    root = tmp_path / "data"
    folder = _get(root, server, md5)
    assert folder == root / CIFAR10_FOLDER
    assert all((folder / name).is_file() for name in EXPECTED_FILES)
    archive = root / ARCHIVE_NAME
    assert hashlib.md5(archive.read_bytes()).hexdigest() == md5
    assert not (root / (ARCHIVE_NAME + ".part")).exists()
    with open(folder / "data_batch_1", "rb") as handle:
        batch = pickle.load(handle, encoding="bytes")
    assert batch[b"data"].shape == (IMAGES_PER_BATCH, 3072)
    assert sorted(p.name for p in root.iterdir()) == sorted([ARCHIVE_NAME, CIFAR10_FOLDER])


def test_env_vars_supply_url_and_md5(tmp_path, serve, fake_archive, monkeypatch):
    data, md5 = fake_archive
    server = serve(data)
    monkeypatch.setenv("CIFAR10_URL", server.url)
    monkeypatch.setenv("CIFAR10_MD5", md5)
    folder = download_cifar10(root=tmp_path, progress=False, timeout=5)
    assert (folder / "test_batch").is_file()


def test_resume_after_connection_cut(tmp_path, serve, fake_archive):
    data, md5 = fake_archive
    half = len(data) // 2
    server = serve(data, cut_after=half)
    part = tmp_path / (ARCHIVE_NAME + ".part")
    with pytest.raises(DatasetError, match="interrupted") as info:
        _get(tmp_path, server, md5)
    assert "again" in str(info.value)
    assert part.stat().st_size == half
    folder = _get(tmp_path, server, md5)
    assert (folder / "batches.meta").is_file()
    assert server.ranges == [None, f"bytes={half}-"]
    assert not part.exists()


def test_server_ignoring_range_restarts_from_zero(tmp_path, serve, fake_archive):
    data, md5 = fake_archive
    server = serve(data, honour_range=False)
    (tmp_path / (ARCHIVE_NAME + ".part")).write_bytes(b"stale bytes from elsewhere")
    folder = _get(tmp_path, server, md5)
    assert server.ranges[0] is not None  # we asked to resume, the server answered 200
    assert (folder / "data_batch_5").is_file()
    assert hashlib.md5((tmp_path / ARCHIVE_NAME).read_bytes()).hexdigest() == md5


def test_wrong_md5_removes_file(tmp_path, serve, fake_archive):
    data, _ = fake_archive
    server = serve(data)
    with pytest.raises(DatasetError) as info:
        _get(tmp_path, server, "0" * 32)
    message = str(info.value)
    assert "checksum" in message and "removed" in message and "0" * 32 in message
    assert list(tmp_path.iterdir()) == []


def test_server_down_gives_one_line_message(tmp_path):
    url = _closed_port_url()
    with pytest.raises(DatasetError) as info:
        download_cifar10(root=tmp_path, url=url, md5="0" * 32, progress=False, timeout=5)
    message = str(info.value)
    assert url in message
    assert "\n" not in message
    assert str(tmp_path) in message  # tells where to put a hand-downloaded file


def test_second_call_is_a_no_op(tmp_path, serve, fake_archive):
    data, md5 = fake_archive
    server = serve(data)
    first = _get(tmp_path, server, md5)
    server.stop()
    url = server.url
    assert download_cifar10(root=tmp_path, url=url, md5=md5, progress=False, timeout=5) == first
    assert len(server.ranges) == 1


def test_archive_placed_by_hand_is_extracted_offline(tmp_path, fake_archive):
    data, md5 = fake_archive
    (tmp_path / ARCHIVE_NAME).write_bytes(data)
    folder = download_cifar10(root=tmp_path, url=_closed_port_url(), md5=md5, progress=False)
    assert all((folder / name).is_file() for name in EXPECTED_FILES)


def test_corrupt_archive_leaves_no_half_written_folder(tmp_path, serve):
    payload = b"definitely not a gzip stream " * 200
    server = serve(payload)
    with pytest.raises(DatasetError) as info:
        _get(tmp_path, server, hashlib.md5(payload).hexdigest())
    assert ARCHIVE_NAME in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == [ARCHIVE_NAME]  # no target, no temp folder


def test_truncated_archive_leaves_no_half_written_folder(tmp_path, serve, fake_archive):
    data, _ = fake_archive
    payload = data[: len(data) * 2 // 3]  # valid gzip start, then cut: fails midway through extraction
    server = serve(payload)
    with pytest.raises(DatasetError, match="could not extract"):
        _get(tmp_path, server, hashlib.md5(payload).hexdigest())
    assert [p.name for p in tmp_path.iterdir()] == [ARCHIVE_NAME]


@pytest.mark.parametrize("bad_name", ["../evil", "/tmp/evil", f"{CIFAR10_FOLDER}/../../evil"])
def test_unsafe_member_is_refused(tmp_path, serve, bad_name):
    payload = _make_archive({bad_name: b"x", f"{CIFAR10_FOLDER}/test_batch": b"y"})
    server = serve(payload)
    root = tmp_path / "root"
    with pytest.raises(DatasetError, match="unsafe"):
        _get(root, server, hashlib.md5(payload).hexdigest())
    assert not (tmp_path / "evil").exists()
    assert [p.name for p in root.iterdir()] == [ARCHIVE_NAME]


def test_symlink_member_is_refused(tmp_path, serve):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        link = tarfile.TarInfo(f"{CIFAR10_FOLDER}/data_batch_1")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    payload = buffer.getvalue()
    server = serve(payload)
    with pytest.raises(DatasetError, match="unsafe"):
        _get(tmp_path, server, hashlib.md5(payload).hexdigest())
    assert [p.name for p in tmp_path.iterdir()] == [ARCHIVE_NAME]


def test_archive_without_cifar_folder_is_rejected(tmp_path, serve):
    payload = _make_archive({"something_else/readme.txt": b"hello"})
    server = serve(payload)
    with pytest.raises(DatasetError, match="does not contain"):
        _get(tmp_path, server, hashlib.md5(payload).hexdigest())
    assert [p.name for p in tmp_path.iterdir()] == [ARCHIVE_NAME]
