"""Shared harness of the real-browser tests (``tests/e2e/test_browser_*.py``); it holds no tests.

The tests drive Debian's chromium through its chromedriver (apt packages ``chromium`` and
``chromium-driver``) with Selenium. Both paths are handed to Selenium explicitly, so Selenium
Manager never runs and nothing is downloaded while the tests run. When either program is missing,
the browser tests skip with one line naming the packages; they never skip for any other reason.

What it offers:

* ``chromium_paths()`` -> ``(browser, driver)``, each a path or ``None``;
  ``require_chromium()`` -> the same pair, or skips the calling test with ``SKIP_REASON``.
* the ``browser`` fixture (module scope): a headless Chrome WebDriver, 1400x900, quit at the end.
  A test module uses it with ``browser = browser_session.browser``.
* ``jupyter_lab(root, env=None, extra_args=())``: a context manager that runs JupyterLab from
  this venv on ``root`` (localhost, a free port, a random token, its own config, runtime and home
  folders, ``window.jupyterapp`` exposed) and yields a ``LabServer`` with ``.url(path)``, ``.root``,
  ``.log_text()``, ``.open(driver, path)`` (loads a page signed in: use it rather than
  ``driver.get(lab.url(...))``, see its docstring) and ``.api(path)``; the server and every
  kernel it started are stopped on the way out.
* ``wait_for(driver, css, timeout)``, ``wait_until(driver, js, timeout)``,
  ``screenshot(driver, name)``, ``open_notebook(driver, lab, path)`` (waits until the kernel is
  idle), ``run_command(driver, command, args)`` (``window.jupyterapp.commands.execute``).

Time budget: each browser test should take under about 60 s, and all the browser tests together
must finish in under 5 minutes on 2 cores. Start one server per module (a module-scoped fixture)
rather than one per test, and wait on conditions, never with sleeps.
"""
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "browser-screenshots"
SKIP_REASON = "chromium not installed: apt-get install chromium chromium-driver (the browser tests need both)"
WINDOW = (1400, 900)
SERVER_TIMEOUT = 60  # seconds for JupyterLab to answer
DEFAULT_TIMEOUT = 30  # seconds for an element, a condition or a command

_BROWSERS = ("chromium", "chromium-browser")
_BROWSER_PLACES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")
_DRIVERS = ("chromedriver",)
_DRIVER_PLACES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


# ----------------------------------------------------------------------------------------------
# The browser
# ----------------------------------------------------------------------------------------------

def _find(names, places):
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in places if os.path.isfile(p) and os.access(p, os.X_OK)), None)


def chromium_paths():
    """``(browser, driver)``: the chromium and chromedriver executables, found on PATH or in
    Debian's usual places; either is ``None`` when it is not installed."""
    return _find(_BROWSERS, _BROWSER_PLACES), _find(_DRIVERS, _DRIVER_PLACES)


def require_chromium():
    """``chromium_paths()`` when both programs are there; otherwise skips the calling test (or
    fixture) with the one line ``SKIP_REASON``."""
    browser, driver = chromium_paths()
    if not (browser and driver):
        pytest.skip(SKIP_REASON)
    return browser, driver


def new_browser():
    """A headless Chrome WebDriver on Debian's chromium (the caller quits it). Skips when chromium
    or chromedriver is missing.

    The browser resolves no host name but 127.0.0.1 and localhost, so a test never depends on the
    internet (nbgrader's manual-grading page, for one, asks a CDN for MathJax; here that script
    fails at once, as it would offline). ``driver.get_log("browser")`` returns the console's
    messages."""
    browser_path, driver_path = require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-search-engine-choice-screen",
                # Offline, whatever the machine's network: pages reach 127.0.0.1 and nothing else.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console errors: driver.get_log("browser")
    service = Service(executable_path=driver_path)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(SERVER_TIMEOUT)
    driver.set_script_timeout(DEFAULT_TIMEOUT)
    return driver


@pytest.fixture(scope="module")
def browser():
    """A headless chromium WebDriver shared by the tests of one module; always quit at the end."""
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name):
    """Save the page as ``build/browser-screenshots/<name>`` (``.png`` added when missing) and
    return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (name if name.endswith(".png") else name + ".png")
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"chromium could not save the screenshot {path}")
    return path


def _timeout_message(driver, what):
    try:
        shot = screenshot(driver, "timeout-" + re.sub(r"[^\w.-]+", "_", what)[:60])
        return f"{what} (page {driver.current_url}; screenshot {shot})"
    except Exception as exc:  # noqa: BLE001 - the timeout matters more than the screenshot
        return f"{what} (no screenshot: {exc})"


def wait_for(driver, css, timeout=DEFAULT_TIMEOUT, visible=True):
    """The first element matching the CSS selector ``css`` once it is there (and visible, unless
    ``visible=False``); raises ``TimeoutException`` after ``timeout`` seconds, with a screenshot."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    located = EC.visibility_of_element_located if visible else EC.presence_of_element_located
    condition = located((By.CSS_SELECTOR, css))
    try:
        return WebDriverWait(driver, timeout).until(condition)
    except TimeoutException:
        raise TimeoutException(_timeout_message(driver, f"no {'visible ' if visible else ''}element {css!r} "
                                                        f"after {timeout} s")) from None


def wait_until(driver, script, *args, timeout=DEFAULT_TIMEOUT, what=None):
    """Run the JavaScript ``script`` (a function body: ``return ...``, with ``arguments[i]`` the
    ``args``) until it returns something truthy, and return that; raises ``TimeoutException``
    after ``timeout`` seconds, naming ``what`` (default: the script) and with a screenshot."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script, *args))
    except TimeoutException:
        message = _timeout_message(driver, f"{what or repr(script)}: not true after {timeout} s")
        raise TimeoutException(message) from None


# ----------------------------------------------------------------------------------------------
# JupyterLab
# ----------------------------------------------------------------------------------------------

def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_IPC_WORKS = []  # the probe's answer, once per test process


def _ipc_kernels_work(runtime_dir, env):
    """Can a python3 kernel started with ``env`` talk over IPC sockets in ``runtime_dir`` (as the
    server's kernels would)? Starts one kernel, runs one line in it, shuts it down; asked once per test process.
    Any failure means no."""
    if not _IPC_WORKS:
        _IPC_WORKS.append(_probe_ipc(runtime_dir, env))
    return _IPC_WORKS[0]


def _probe_ipc(runtime_dir, env):
    try:
        from jupyter_client import KernelManager

        manager = KernelManager(transport="ipc", kernel_name="python3",
                                connection_file=os.path.join(runtime_dir, f"kernel-probe-{os.getpid()}.json"))
        manager.start_kernel(env=env)
        try:
            client = manager.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=30)
                reply = client.execute_interactive("6 * 7", timeout=30, output_hook=lambda msg: None)
                return reply["content"]["status"] == "ok"
            finally:
                client.stop_channels()
        finally:
            manager.shutdown_kernel(now=True)
            manager.cleanup_resources()
    except Exception:  # noqa: BLE001 - fall back to TCP, silently
        return False


def _isolated_env(base, env):
    """The server's environment: this venv first on PATH, and config, data, runtime and home under
    ``base``, so the user's own Jupyter settings never apply. The venv's own config and extensions
    (``.venv/etc/jupyter``, ``.venv/share/jupyter``) are found through sys.prefix and still load."""
    out = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "JUPYTER_PLATFORM_DIRS",
                 "JUPYTERLAB_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_TOKEN",
                 "JUPYTER_ALLOW_INSECURE_WRITES", "PYTHONSTARTUP"):
        out.pop(name, None)
    folders = {name: base / name for name in ("home", "config", "data", "runtime", "ipython")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    out.update(HOME=str(folders["home"]), JUPYTER_CONFIG_DIR=str(folders["config"]),
               JUPYTER_DATA_DIR=str(folders["data"]), JUPYTER_RUNTIME_DIR=str(folders["runtime"]),
               IPYTHONDIR=str(folders["ipython"]), PYTHONUNBUFFERED="1",
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    # JupyterLab asks in a toast whether to fetch news until this is decided; say no up front.
    settings = folders["config"] / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    out.update(env or {})
    return out


class LabServer:
    """A running JupyterLab (see ``jupyter_lab``)."""

    def __init__(self, root, port, token, log_path, process, transport):
        self.root = Path(root)
        self.port = port
        self.token = token
        self.base_url = f"http://127.0.0.1:{port}/"
        self.log_path = log_path
        self.process = process
        self.transport = transport  # "ipc" or "tcp": how its kernels talk to it
        self._signed_in = set()  # browser sessions holding a login cookie for the whole server

    def url(self, path="lab", **query):
        """The address of ``path`` on this server (``"lab"``, ``"formgrader/manage_students"``,
        ``"lab/tree/x.ipynb"``...) with the token and any other ``query`` parameters."""
        query = {**query, "token": self.token}
        return self.base_url + path.lstrip("/") + "?" + urllib.parse.urlencode(query)

    def open(self, driver, path="lab", **query):
        """Load ``path`` (see ``url``) in the browser ``driver``, signed in to this server.

        Signs in once per browser session at the server's own status page, so the login cookie
        covers the whole server: nbgrader's pages, when the token reaches them first, set it for
        their own folder only (``/formgrader/gradebook/...``) and their calls to
        ``/formgrader/api`` are then refused."""
        if driver.session_id not in self._signed_in:
            driver.get(self.url("api/status"))
            cookies = driver.get_cookies()
            if not any(c.get("name", "").startswith("username-") and c.get("path") == "/" for c in cookies):
                raise RuntimeError(f"signing in to {self.base_url} set no login cookie for '/'")
            self._signed_in.add(driver.session_id)
        driver.get(self.url(path, **query))

    def api(self, path, method="GET", body=None, timeout=10):
        """Call the server's REST API (``api/kernels``...) with the token; returns the decoded JSON
        (``None`` for an empty answer)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path.lstrip("/"), data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def log_text(self):
        """Everything the server has written to its log so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def _wait_until_up(server, deadline):
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {server.process.returncode} before answering; "
                               f"its log:\n{server.log_text()[-4000:]}")
        try:
            status = server.api("api/status", timeout=5)
            if isinstance(status, dict):
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"jupyter lab did not answer on {server.base_url} within {SERVER_TIMEOUT} s; "
                               f"its log:\n{server.log_text()[-4000:]}")
        time.sleep(0.2)


def _processes_mentioning(text):
    """Ids of the processes whose command line contains ``text`` (here: a folder only the kernels
    of our server name)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _stop(server, runtime_dir):
    """Stop the server (asking first, then its whole process group) and any kernel it left."""
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(Exception):
            server.api("api/shutdown", method="POST", timeout=5)  # also shuts its kernels down
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=5)
            break
        except subprocess.TimeoutExpired:
            continue
    # Kernels run in sessions of their own; theirs is the only command line naming our runtime folder.
    if os.path.isdir("/proc"):
        for pid in _processes_mentioning(str(runtime_dir) + os.sep):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def jupyter_lab(root, env=None, extra_args=()):
    """Run JupyterLab from this venv on the folder ``root`` for the duration of the ``with``.

    Listens on a free port of 127.0.0.1 with a random token, opens no browser, runs with
    ``cwd=root`` (so an ``nbgrader_config.py`` there is read, as when an instructor starts it in
    the course folder), exposes the app as ``window.jupyterapp``, fetches no news, checks for no
    updates and asks no package index about extensions. Config, data, runtime and home folders are
    fresh ones under a temporary folder; the venv's extensions (nbgrader's lab and server
    extensions among them) still load. Kernels use IPC sockets when a probe kernel works over
    them here (no ipykernel warning about unencrypted TCP), TCP otherwise (``.transport`` says
    which). ``env``: extra environment variables; ``extra_args``: more command-line options.

    Yields a ``LabServer``; the server and its kernels are stopped on the way out, also when the
    body fails. Raises ``RuntimeError`` with the server's log when it does not answer in 60 s.
    """
    root = Path(root).resolve()
    base = Path(tempfile.mkdtemp(prefix="jlab-"))  # short: IPC socket paths must stay < 108 bytes
    try:
        server_env = _isolated_env(base, env)
        runtime_dir = server_env["JUPYTER_RUNTIME_DIR"]
        transport = "ipc" if _ipc_kernels_work(runtime_dir, server_env) else "tcp"
        port, token = _free_port(), secrets.token_hex(24)
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                   f"--ServerApp.root_dir={root}", "--expose-app-in-browser", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False", *extra_args]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI runs as root
        if transport == "ipc":
            command.append("--KernelManager.transport=ipc")
        log_path = base / "jupyter-lab.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=root, env=server_env, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        server = LabServer(root, port, token, log_path, process, transport)
        try:
            _wait_until_up(server, time.monotonic() + SERVER_TIMEOUT)
            yield server
        finally:
            _stop(server, runtime_dir)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# JupyterLab in the browser
# ----------------------------------------------------------------------------------------------

_LAB_READY = "return !!(window.jupyterapp && window.jupyterapp.shell && window.jupyterapp.commands);"

_KERNEL_STATE = """
const app = window.jupyterapp;
if (!app || !app.shell) return null;
const widget = app.shell.currentWidget;
if (!widget || !widget.context || !widget.sessionContext || widget.context.path !== arguments[0]) return null;
if (!widget.context.isReady) return null;
const kernel = widget.sessionContext.session && widget.sessionContext.session.kernel;
if (!kernel) return null;
return kernel.connectionStatus === "connected" && kernel.status === "idle" ? kernel.name : null;
"""


def wait_for_lab(driver, timeout=SERVER_TIMEOUT):
    """Wait until JupyterLab's app (``window.jupyterapp``) has started in the current page."""
    wait_until(driver, _LAB_READY, timeout=timeout, what="JupyterLab started (window.jupyterapp)")
    wait_for(driver, "#jp-main-dock-panel", timeout=timeout)


def open_notebook(driver, lab, path, timeout=SERVER_TIMEOUT):
    """Open the notebook ``path`` (relative to ``lab.root``) in JupyterLab, in a fresh workspace,
    and wait until it is the current tab and its kernel is connected and idle. Returns the
    kernel's name."""
    path = Path(path).as_posix()
    lab.open(driver, "lab/tree/" + urllib.parse.quote(path), reset="")
    wait_for_lab(driver, timeout)
    return wait_until(driver, _KERNEL_STATE, path, timeout=timeout,
                      what=f"{path} open with an idle kernel")


_EXECUTE = """
const [command, args, done] = arguments;
const app = window.jupyterapp;
if (!app) { done({ok: false, error: "window.jupyterapp is missing: is this a JupyterLab page "
                                    + "started with --expose-app-in-browser?"}); return; }
app.commands.execute(command, args || {}).then(
    value => {
        let plain = null;
        try { plain = JSON.parse(JSON.stringify(value === undefined ? null : value)); }
        catch (e) { plain = String(value); }
        done({ok: true, value: plain});
    },
    error => done({ok: false, error: String((error && error.stack) || error)}));
"""


def run_command(driver, command, args=None, timeout=DEFAULT_TIMEOUT):
    """Run the JupyterLab command ``command`` (``"notebook:run-all-cells"``...) with ``args``
    through ``window.jupyterapp.commands.execute`` and wait for it to finish; returns its result
    (as JSON allows; widgets come back as ``None`` or a string). Raises ``RuntimeError`` when the
    command fails."""
    driver.set_script_timeout(timeout)
    try:
        outcome = driver.execute_async_script(_EXECUTE, command, args or {})
    finally:
        driver.set_script_timeout(DEFAULT_TIMEOUT)
    if not outcome or not outcome.get("ok"):
        raise RuntimeError(f"JupyterLab command {command!r} failed: {(outcome or {}).get('error')}")
    return outcome.get("value")
