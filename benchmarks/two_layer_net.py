"""Speed of one forward + backward pass of the reference TwoLayerNet (source/assignment1).

One call of ``TwoLayerNet.loss(X, y)`` on a 200-example minibatch of CIFAR-10-sized inputs
(D = 3072, C = 10; H = 100 and H = 500 hidden units; float64; reg = 0.1, so the L2 penalty and its
gradient are included), divided by the time of the five matrix products such a pass cannot avoid:

    forward:  X @ W1       (N, D)(D, H)      hidden @ W2        (N, H)(H, C)
    backward: hidden.T @ dscores (H, N)(N, C)   dscores @ W2.T  (N, C)(C, H)   X.T @ dhidden (D, N)(N, H)

Target: at most 2x, i.e. the layers, the softmax, the ReLU masks and the penalty together cost less
than the products. Every time is the best of several runs (time.perf_counter). The BLAS uses one
thread unless --blas-threads says otherwise (set before numpy loads), so the figures do not depend
on how busy the other cores are. Nothing is asserted.

    .venv/bin/python benchmarks/two_layer_net.py [--repeat 20] [--blas-threads 1]
"""
import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NUM_EXAMPLES, DIM, NUM_CLASSES, REG = 200, 3 * 32 * 32, 10, 0.1
HIDDEN_SIZES = (100, 500)


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per timing; the best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads (default 1; 0 leaves the environment's setting)")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.blas_threads:  # must happen before numpy loads its BLAS
    for variable in BLAS_THREAD_VARIABLES:
        os.environ[variable] = str(ARGS.blas_threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(REPO / "source" / "assignment1"))
from assignments import format_seconds, time_function  # noqa: E402
from classifiers.fc_net import TwoLayerNet  # noqa: E402


def products(X, W1, W2, hidden, dscores, dhidden):
    """The five matrix products of one forward + backward pass, each timed on its own."""
    return [("X @ W1", lambda: X @ W1), ("hidden @ W2", lambda: hidden @ W2),
            ("hidden.T @ dscores", lambda: hidden.T @ dscores),
            ("dscores @ W2.T", lambda: dscores @ W2.T), ("X.T @ dhidden", lambda: X.T @ dhidden)]


def measure(rng, hidden_dim, repeat):
    # Centred pixel-like inputs, as in the notebook after the mean image is subtracted.
    X = rng.uniform(-128.0, 128.0, (NUM_EXAMPLES, DIM))
    y = rng.integers(0, NUM_CLASSES, NUM_EXAMPLES)
    net = TwoLayerNet(DIM, hidden_dim, NUM_CLASSES, weight_scale=1e-3, reg=REG)
    W1, W2 = net.params["W1"], net.params["W2"]
    hidden = np.maximum(0.0, X @ W1 + net.params["b1"])  # (N, H)
    dscores = rng.standard_normal((NUM_EXAMPLES, NUM_CLASSES))  # (N, C)
    dhidden = (dscores @ W2.T) * (hidden > 0)  # (N, H)

    whole = time_function(net.loss, X, y, repeat=repeat)
    parts = [(name, time_function(fn, repeat=repeat)) for name, fn in
             products(X, W1, W2, hidden, dscores, dhidden)]
    total = sum(t for _, t in parts)
    print(f"H = {hidden_dim}: X {X.shape}, W1 {W1.shape}, W2 {W2.shape}, float64, reg = {REG}")
    print("  " + ", ".join(f"{name} {format_seconds(t)}" for name, t in parts))
    print(f"  five products {format_seconds(total)}; loss(X, y) {format_seconds(whole)}"
          f" = {whole / total:4.2f}x the products   (target <= 2x)")


def main(args):
    rng = np.random.default_rng(args.seed)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default (one per core)")
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, BLAS threads: {threads}, "
          f"load average {os.getloadavg()[0]:.1f}")
    for hidden_dim in HIDDEN_SIZES:
        measure(rng, hidden_dim, args.repeat)


if __name__ == "__main__":
    main(ARGS)
