"""How long does loading the whole of CIFAR-10 take, from the pickles and from the .npz cache?

Usage: python benchmarks/load_cifar10.py [--dir CIFAR10_FOLDER] [--pickle-repeats N] [--cache-repeats N]

The folder comes from --dir, else the CIFAR10_DIR environment variable. It may be the
cifar-10-batches-py folder itself or its parent. Reported times are the best of the repeats, taken with
a warm OS file cache (the files are read once before timing).
"""
import argparse
import os
import sys
import time

from cs_datasets import DatasetError, cifar10_available, load_cifar10, resolve_cifar10_dir
from cs_datasets.cifar10 import CACHE_FILE, TEST_BATCH, TRAIN_BATCHES

PROG = "load_cifar10.py"


def fail(message):
    sys.exit(f"{PROG}: error: {message}")


def best_of(repeats, fn):
    """Best (smallest) wall time of ``repeats`` calls, the list of all times and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def check_shapes(arrays):
    X_train, y_train, X_test, y_test = arrays
    shapes = (X_train.shape, y_train.shape, X_test.shape, y_test.shape)
    expected = ((50000, 32, 32, 3), (50000,), (10000, 32, 32, 3), (10000,))
    if shapes != expected:
        fail(f"unexpected array shapes {shapes}; expected {expected}")


def cache_is_fresh(folder):
    cache = folder / CACHE_FILE
    if not cache.exists():
        return False
    newest = max((folder / name).stat().st_mtime for name in TRAIN_BATCHES + (TEST_BATCH,))
    return cache.stat().st_mtime >= newest


def fmt(seconds):
    return f"{seconds * 1000:8.1f} ms" if seconds < 1 else f"{seconds:8.2f} s "


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", help="cifar-10-batches-py folder or its parent (default: $CIFAR10_DIR)")
    parser.add_argument("--pickle-repeats", type=int, default=3, help="timed loads from the pickles (default 3)")
    parser.add_argument("--cache-repeats", type=int, default=5, help="timed loads from the cache (default 5)")
    args = parser.parse_args(argv)
    if args.pickle_repeats < 1 or args.cache_repeats < 1:
        fail("--pickle-repeats and --cache-repeats must be at least 1")

    root = args.dir or os.environ.get("CIFAR10_DIR")
    if not root:
        fail("no CIFAR-10 folder: pass --dir or set CIFAR10_DIR (get it with `python -m cs_datasets download cifar10`)")
    folder = resolve_cifar10_dir(root)
    if not cifar10_available(folder):
        fail(f"CIFAR-10 batches not found in {folder}")

    try:
        # Warm-up: read every batch once so both timings see the same (warm) OS file cache.
        check_shapes(load_cifar10(folder, use_cache=False))
        pickle_best, pickle_times, arrays = best_of(args.pickle_repeats,
                                                    lambda: load_cifar10(folder, use_cache=False))
        check_shapes(arrays)

        build_start = time.perf_counter()
        had_cache = cache_is_fresh(folder)
        check_shapes(load_cifar10(folder, use_cache=True))  # builds the cache when missing or stale
        build_time = time.perf_counter() - build_start
        if not cache_is_fresh(folder):
            fail(f"could not write the cache {folder / CACHE_FILE} (read-only folder?); nothing to compare")

        cache_best, cache_times, arrays = best_of(args.cache_repeats,
                                                  lambda: load_cifar10(folder, use_cache=True))
        check_shapes(arrays)
    except DatasetError as exc:
        fail(str(exc).splitlines()[0])

    print(f"CIFAR-10 full load (50,000 train + 10,000 test images) from {folder}")
    print(f"  pickles (use_cache=False):  {fmt(pickle_best)}  best of {args.pickle_repeats}"
          f"  [{', '.join(f'{t:.2f}' for t in pickle_times)} s]")
    print(f"  cache   (use_cache=True):   {fmt(cache_best)}  best of {args.cache_repeats}"
          f"  [{', '.join(f'{t:.3f}' for t in cache_times)} s]")
    print(f"  first use_cache=True call:  {fmt(build_time)}  "
          f"({'cache already present' if had_cache else 'built the cache'}, "
          f"{(folder / CACHE_FILE).stat().st_size / 2**20:.0f} MiB)")
    print(f"  speed-up of the cache:      {pickle_best / cache_best:8.1f}x")
    print(f"  ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
