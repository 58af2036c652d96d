"""What the complete isolation of issue 33 costs: the start of a sandboxed child, and its calls.

    .venv/bin/python benchmarks/sandbox_start.py [--rounds 20] [--calls 500]

Each round starts a child (namespaces, new root, memory cgroup, system-call filter, numpy import),
makes one call and closes it (kill, wait, cgroup removal), once with every defence and once with
the defences that issue 33 added turned off (``Sandbox(defences_off=...)``: no memory cgroup, no
IPC namespace, the inherited session keyring, the old no-fork filter instead of the allow-list, no
death with the grader, a kill of the launcher's process group only, writes without a deadline):
the sandbox as it was before, but for its UTS and cgroup namespaces, which cannot be turned off.
The two kinds alternate, so both see the same load. Then ``--calls`` calls of a small numpy
function in one child of each kind, in alternating blocks of 50. Medians are printed (of the
rounds; of the blocks' mean call times), with the ratio of the two.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from autograder.sandbox import Sandbox, isolation_available  # noqa: E402
from autograder.sandbox.runner import DEFENCES  # noqa: E402

STUDENT = "import numpy as np\n\n\ndef scores(X, W):\n    return np.maximum(X @ W, 0).sum(axis=1)\n"
KINDS = {"complete isolation": (), "issue 33's defences off": DEFENCES}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    if not isolation_available():
        raise SystemExit("error: this machine cannot isolate student code; nothing to compare")
    folder = Path(tempfile.mkdtemp(prefix="sandbox-start-"))
    (folder / "student.py").write_text(STUDENT)
    X, W = np.random.default_rng(0).standard_normal((2, 50, 50))
    starts = {kind: [] for kind in KINDS}
    Sandbox(folder).close()  # the isolation probe, once, outside the timings
    for _ in range(args.rounds):
        for kind, off in KINDS.items():
            began = time.perf_counter()
            with Sandbox(folder, defences_off=off) as sandbox:
                sandbox.call("student.scores", X, W)
            starts[kind].append(time.perf_counter() - began)
    # Calls: one child of each kind, open together, in alternating blocks of 50 calls.
    sandboxes = {kind: Sandbox(folder, defences_off=off) for kind, off in KINDS.items()}
    blocks = {kind: [] for kind in KINDS}
    try:
        for _ in range(max(1, args.calls // 50)):
            for kind, sandbox in sandboxes.items():
                sandbox.call("student.scores", X, W)
                began = time.perf_counter()
                for _ in range(50):
                    sandbox.call("student.scores", X, W)
                blocks[kind].append((time.perf_counter() - began) / 50)
    finally:
        for sandbox in sandboxes.values():
            sandbox.close()
    calls = {kind: statistics.median(times) for kind, times in blocks.items()}
    for kind in KINDS:
        print(f"{kind}: start + one call + close {statistics.median(starts[kind]) * 1000:.0f} ms median "
              f"of {args.rounds} (range {min(starts[kind]) * 1000:.0f}-{max(starts[kind]) * 1000:.0f}); "
              f"one call {calls[kind] * 1000:.2f} ms (median of blocks)")
    full, before = (statistics.median(starts[kind]) for kind in KINDS)
    print(f"ratio, complete / without: start {full / before:.2f}x, "
          f"call {calls['complete isolation'] / calls[list(KINDS)[1]]:.2f}x")


if __name__ == "__main__":
    main()
