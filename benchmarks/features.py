"""How long does featurizing CIFAR-10 images take: batched reference vs. a per-image loop vs. scikit-image?

Usage: python benchmarks/features.py [--dir CIFAR10_FOLDER] [--num-images 10000] [--repeat 3]

Times the reference of source/assignment1/features.py on the first --num-images CIFAR-10 training
images (uint8, 32x32x3), all in one run of this script:

    batched   extract_features(imgs, [hog_feature, color_histogram_hsv]), which calls the functions'
              batch versions (hog_features, color_histograms_hsv) on the whole array
    loop      the same call with per-image wrappers that hide the batch versions, so extract_features
              loops over the images, calling hog_feature and color_histogram_hsv once per image
    skimage   skimage.feature.hog on each grayscale image (9 orientations, 8x8 cells, 1x1 blocks), the
              HOG part only, for comparison (skipped when scikit-image is not installed)

Target: batched at least 10x faster than the loop. The batched and looped results are compared
(identical histograms; HOG equal up to pixels within ~1e-5 degrees of a bin edge). Times are the
best of --repeat runs for the batched version and of one run for the slow ones. The folder comes
from --dir, else CIFAR10_DIR; it may be cifar-10-batches-py itself or its parent. Nothing is asserted.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from cs_datasets import DatasetError, cifar10_available, load_cifar10, resolve_cifar10_dir

PROG = "features.py"
SOURCE = Path(__file__).resolve().parent.parent / "source" / "assignment1"


def fail(message):
    sys.exit(f"{PROG}: error: {message}")


def best_of(repeats, fn):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", help="cifar-10-batches-py folder or its parent (default: $CIFAR10_DIR)")
    parser.add_argument("--num-images", type=int, default=10000, help="images to featurize (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the batched version (default 3)")
    args = parser.parse_args(argv)
    if args.num_images < 1 or args.repeat < 1:
        fail("--num-images and --repeat must be at least 1")
    root = args.dir or os.environ.get("CIFAR10_DIR")
    if not root:
        fail("no CIFAR-10 folder: pass --dir or set CIFAR10_DIR (get it with `python -m cs_datasets download cifar10`)")
    folder = resolve_cifar10_dir(root)
    if not cifar10_available(folder):
        fail(f"CIFAR-10 batches not found in {folder}")
    try:
        imgs = load_cifar10(folder)[0][:args.num_images]  # (N, 32, 32, 3) uint8
    except DatasetError as exc:
        fail(str(exc).splitlines()[0])

    sys.path.insert(0, str(SOURCE))
    import features  # the reference solution

    def per_image_hog(im):
        return features.hog_feature(im)

    def per_image_hist(im):
        return features.color_histogram_hsv(im)

    n = len(imgs)
    features.extract_features(imgs[:100], [features.hog_feature, features.color_histogram_hsv])  # warm-up
    batched, batched_out = best_of(args.repeat, lambda: features.extract_features(
        imgs, [features.hog_feature, features.color_histogram_hsv]))
    hog_batched, _ = best_of(args.repeat, lambda: features.hog_features(imgs))
    hist_batched, _ = best_of(args.repeat, lambda: features.color_histograms_hsv(imgs))
    looped, looped_out = best_of(1, lambda: features.extract_features(imgs, [per_image_hog, per_image_hist]))
    hog_looped, _ = best_of(1, lambda: features.extract_features(imgs, [per_image_hog]))
    hist_looped, _ = best_of(1, lambda: features.extract_features(imgs, [per_image_hist]))

    hog_differs = np.abs(batched_out[:, :144] - looped_out[:, :144]) > 1e-6 * np.max(looped_out[:, :144])
    hist_same = np.array_equal(batched_out[:, 144:], looped_out[:, 144:])

    print(f"featurizing {n} CIFAR-10 images (HOG 144 + hue histogram 10 = 154 features each)")
    print(f"  batched (extract_features, batch versions): {batched:7.3f} s  ({batched / n * 1e6:6.1f} us/image)")
    print(f"  per-image loop (extract_features):          {looped:7.3f} s  ({looped / n * 1e6:6.1f} us/image)")
    print(f"  speed-up of the batched version:            {looped / batched:7.1f}x  (target >= 10x)")
    print(f"    HOG alone:            batched {hog_batched:6.3f} s, loop {hog_looped:6.3f} s: "
          f"{hog_looped / hog_batched:5.1f}x")
    print(f"    hue histogram alone:  batched {hist_batched:6.3f} s, loop {hist_looped:6.3f} s: "
          f"{hist_looped / hist_batched:5.1f}x")
    print(f"  batched == loop: histograms {'identical' if hist_same else 'DIFFERENT'}; "
          f"HOG entries differing: {int(hog_differs.sum())} of {hog_differs.size}")

    try:
        from skimage.feature import hog as skimage_hog
    except ImportError:
        print("  scikit-image is not installed: skipping skimage.feature.hog")
    else:
        gray = 0.299 * imgs[..., 0].astype(np.float64) + 0.587 * imgs[..., 1] + 0.114 * imgs[..., 2]

        def skimage_all():
            return np.array([skimage_hog(g, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1),
                                         block_norm="L1", feature_vector=True) for g in gray])

        def normalized(out):  # skimage's L1 normalization of each cell, with its epsilon
            cells = out[:, :144].reshape(n, -1, 9)
            return (cells / (cells.sum(axis=2, keepdims=True) + 1e-5)).reshape(n, -1)

        sk_time, sk_out = best_of(1, skimage_all)
        print(f"  skimage.feature.hog, per image (HOG only):  {sk_time:7.3f} s  ({sk_time / n * 1e6:6.1f} us/image): "
              f"{sk_time / hog_batched:.1f}x the batched HOG, {sk_time / hog_looped:.2f}x the per-image HOG")
        for label, out in (("per-image", looped_out), ("batched", batched_out)):
            gap = np.abs(normalized(out) - sk_out)
            print(f"    {label:9s} reference vs skimage after the same per-cell L1 normalization: largest "
                  f"difference {gap.max():.1e}, entries above 1e-6: {int((gap > 1e-6).sum())} of {gap.size}")
    print(f"  ({os.cpu_count()} CPUs, Python {sys.version.split()[0]}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
