"""`python -m cs_datasets download cifar10` as a user runs it, offline."""
import socket
import subprocess
import sys


def _closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/cifar-10-python.tar.gz"


def test_unreachable_download_prints_one_line_and_exits_nonzero(tmp_path):
    url = _closed_port_url()
    result = subprocess.run([sys.executable, "-m", "cs_datasets", "download", "cifar10",
                             "--dir", str(tmp_path), "--url", url, "--quiet"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert url in lines[0] and "Traceback" not in result.stderr
