"""Speed of the reference SVM and softmax losses (source/assignment1/classifiers).

Two measurements per loss, on random data shaped like the CIFAR-10 splits of the notebooks
(3072 pixel values centred on 0, plus the bias feature: D = 3073; C = 10 classes; float64):

1. naive / vectorized on the 500-example dev set: how much removing the Python loops buys
   (target: at least 50x);
2. one vectorized loss + gradient on the 49,000 training examples, divided by the time of the two
   matrix products it cannot avoid, X @ W (N, D)(D, C) and X.T @ dscores (D, N)(N, C)
   (target: at most 2x, i.e. everything else costs less than the products).

Every time is the best of several runs (time.perf_counter). Nothing is asserted.

    .venv/bin/python benchmarks/linear_losses.py [--repeat 5] [--num-train 49000] [--blas-threads 1]
"""
import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIM, NUM_CLASSES = 3073, 10
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing; the best is kept")
    parser.add_argument("--num-train", type=int, default=49000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads (default: the environment's, else one per core)")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.blas_threads:  # must happen before numpy loads its BLAS
    for variable in BLAS_THREAD_VARIABLES:
        os.environ[variable] = str(ARGS.blas_threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(REPO / "source" / "assignment1"))
from assignments import format_seconds, time_function  # noqa: E402
from classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized  # noqa: E402
from classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized  # noqa: E402

LOSSES = [("SVM", svm_loss_naive, svm_loss_vectorized),
          ("softmax", softmax_loss_naive, softmax_loss_vectorized)]


def cifar_like(rng, num_examples):
    """X (N, 3073) float64: pixel-like values with the mean removed and a bias column of ones;
    y (N,) labels in 0..9; W (3073, 10) small random weights as in the notebooks."""
    X = np.empty((num_examples, DIM))
    X[:, :-1] = rng.uniform(-128.0, 128.0, (num_examples, DIM - 1))
    X[:, -1] = 1.0
    y = rng.integers(0, NUM_CLASSES, num_examples)
    W = 1e-4 * rng.standard_normal((DIM, NUM_CLASSES))
    return W, X, y


def dev_speedups(rng, repeat):
    W, X, y = cifar_like(rng, 500)
    print(f"dev set: X {X.shape}, W {W.shape}, float64")
    for name, naive, vectorized in LOSSES:
        slow = time_function(naive, W, X, y, 5e-6, repeat=max(1, repeat // 2))
        fast = time_function(vectorized, W, X, y, 5e-6, repeat=4 * repeat)
        print(f"  {name:8s} naive {format_seconds(slow):>9s}   vectorized {format_seconds(fast):>9s}"
              f"   speed-up {slow / fast:6.0f}x   (target >= 50x)")


def full_set_overhead(rng, repeat, num_train):
    W, X, y = cifar_like(rng, num_train)
    dscores = rng.standard_normal((num_train, NUM_CLASSES))
    print(f"training set: X {X.shape}, W {W.shape}, float64 ({X.nbytes / 2**30:.2f} GiB)")
    forward = time_function(lambda: X @ W, repeat=repeat)
    backward = time_function(lambda: X.T @ dscores, repeat=repeat)
    products = forward + backward
    print(f"  X @ W {format_seconds(forward)}, X.T @ dscores {format_seconds(backward)}: "
          f"{format_seconds(products)} together")
    for name, _, vectorized in LOSSES:
        whole = time_function(vectorized, W, X, y, 5e-6, repeat=repeat)
        print(f"  {name:8s} loss + gradient {format_seconds(whole):>9s}   "
              f"= {whole / products:4.2f}x the two products   (target <= 2x)")


def main(args):
    rng = np.random.default_rng(args.seed)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default (one per core)")
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, BLAS threads: {threads}, "
          f"load average {os.getloadavg()[0]:.1f}")
    dev_speedups(rng, args.repeat)
    full_set_overhead(rng, args.repeat, args.num_train)


if __name__ == "__main__":
    main(ARGS)
