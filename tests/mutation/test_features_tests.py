"""Mutation tests for the graded feature tests (source/assignment1/tests/{public,hidden}_features.py).

Each case writes a student folder holding a variant of the reference features.py, grades it with the
real grader (sandbox included, public and hidden tests, reference solution available) and checks the
verdict:

- correct variants (float32 arithmetic, other vectorizations, the reference's own batch code called
  on one image) get full points on every test;
- buggy variants (realistic student mistakes) lose points on the function they break, with at least
  one of its tests "failed" or "error", and keep full points on every other function
  (the three graded functions are tested independently: extract_features through the provided
  row_means and channel_means features);
- the released stubs, and stubs whose regions were just deleted, earn nothing.

Variants are the reference text with exact reference lines replaced; a replacement asserts that the
old text is present, so an edit to the reference breaks these tests loudly instead of making them
vacuous. A last test checks that the reference's batch versions agree with its per-image functions.
"""
import contextlib
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.engine.discovery import load_tests
from autograder.authoring.release import STUB_RAISE_RE, strip_solutions

from mutation_helpers import (Bug, assert_full_marks, SOURCE_DIR, TESTS_DIR, assert_bug_caught, describe,
                              grade_folder, reference_imports_isolated)

REFERENCE_FILE = SOURCE_DIR / "features.py"
HIST = "features.color_histogram_hsv"
HOG = "features.hog_feature"
EXTRACT = "features.extract_features"
ALL_FUNCTIONS = (HIST, HOG, EXTRACT)
POINTS = {HIST: 5, HOG: 7, EXTRACT: 3}

# -- exact lines of the reference solution that the variants replace --------------------------------

HSV = "    hsv = rgb_to_hsv(im / xmax) * xmax  # (H, W, 3)\n"
NP_HIST = "    hist, _ = np.histogram(hsv[:, :, 0], bins=bin_edges, density=normalized)\n"
HIST_BODY = HSV + "    bin_edges = np.linspace(xmin, xmax, nbin + 1)\n" + NP_HIST + "    return hist\n"
HOG_FLOAT = "    im = im.astype(np.float64)\n"
GRAY = ("    gray = im if im.ndim == 2 else 0.299 * im[:, :, 0] + 0.587 * im[:, :, 1] + 0.114 * im[:, :, 2]"
        "  # (H, W)\n")
GRADIENTS = ("    gx[:, 1:-1] = gray[:, 2:] - gray[:, :-2]\n"
             "    gy[1:-1, :] = gray[2:, :] - gray[:-2, :]\n")
ORIENTATION = "    orientation = np.degrees(np.arctan2(gy, gx)) % 180.0  # (H, W), in [0, 180]\n"
BINS = ("    bins = np.minimum((orientation // (180.0 / HOG_BINS)).astype(np.intp), HOG_BINS - 1)"
        "  # 180 -> last bin\n")
CELL_MEAN = "        histogram[:, :, b] = votes.reshape(rows, HOG_CELL, cols, HOG_CELL).mean(axis=(1, 3))\n"
HOG_RETURN = "    return histogram.ravel()\n"
HOG_SOLUTION_START = HOG_FLOAT + GRAY
EXTRACT_RETURN = "            progress.update(stop - start)\n    return features\n"
EXTRACT_STOP = "            stop = min(start + chunk, num_images)\n"
EXTRACT_START = "    # Which functions can take the whole batch, and every function's output size (from image 0).\n"


def reference_source():
    return REFERENCE_FILE.read_text()


def edited(*changes):
    """The reference features.py with each (old, new[, count]) applied; ``old`` must occur exactly
    ``count`` times (default 1)."""
    text = reference_source()
    for change in changes:
        old, new, count = (*change, 1) if len(change) == 2 else change
        found = text.count(old)
        assert found == count, (f"reference features.py changed: expected {count} occurrence(s) of "
                                f"{old!r}, found {found}; update this mutation")
        text = text.replace(old, new)
    return text


def write_student(folder, text):
    (Path(folder) / "features.py").write_text(text)
    return Path(folder)


@contextlib.contextmanager
def features_import_isolated():
    """The grader imports the reference ``features`` in this process; restore sys.modules after."""
    saved = sys.modules.pop("features", None)
    try:
        yield
    finally:
        sys.modules.pop("features", None)
        if saved is not None:
            sys.modules["features"] = saved


@pytest.fixture(scope="module")
def graded_tests():
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in ALL_FUNCTIONS]
    totals = {f: sum(t.points for t in tests if t.function == f) for f in ALL_FUNCTIONS}
    assert totals == POINTS, "points per function changed (the notebook's grade cells hold these)"
    for function in ALL_FUNCTIONS:
        mine = [t for t in tests if t.function == function]
        assert any(t.hidden for t in mine) and any(not t.hidden for t in mine), function
    with reference_imports_isolated(), features_import_isolated():
        yield tests


def grade(graded_tests, folder, text):
    return grade_folder(graded_tests, write_student(folder, text))


# -- the reference and its stubs ---------------------------------------------------------------------

def test_reference_gets_full_points(graded_tests, tmp_path):
    results = grade(graded_tests, tmp_path, reference_source())
    lost = [r for r in results if r.status != "passed"]
    assert not lost, describe(lost)
    assert sum(r.points for r in results) == sum(POINTS.values())


def test_released_stubs_earn_nothing_and_say_not_implemented(graded_tests, tmp_path):
    results = grade(graded_tests, tmp_path, strip_solutions(reference_source(), "features.py"))
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)
    assert all(r.status == "not_implemented" for r in results), describe(results)


def test_stubs_with_deleted_regions_earn_nothing(graded_tests, tmp_path):
    # A student who deletes `raise NotImplementedError()`: every function returns None.
    stubs = STUB_RAISE_RE.sub("pass", strip_solutions(reference_source(), "features.py"))
    results = grade(graded_tests, tmp_path, stubs)
    assert sum(r.points for r in results) == 0, describe(results, lambda r: r.points)


# -- correct variants: full points everywhere --------------------------------------------------------

HOG_ADD_AT = (
    "    magnitude = np.hypot(gx, gy)\n"
    "    angle = np.arctan2(gy, gx) % np.pi  # radians, [0, pi]\n"
    "    bins = np.clip(np.floor(angle / (np.pi / 9)).astype(int), 0, 8)\n"
    "    rows, cols = im.shape[0] // 8, im.shape[1] // 8\n"
    "    cell_r = np.arange(im.shape[0])[:, None] // 8 + 0 * np.arange(im.shape[1])[None, :]\n"
    "    cell_c = np.arange(im.shape[1])[None, :] // 8 + 0 * np.arange(im.shape[0])[:, None]\n"
    "    keep = (cell_r < rows) & (cell_c < cols)\n"
    "    histogram = np.zeros((rows, cols, 9))\n"
    "    np.add.at(histogram, (cell_r[keep], cell_c[keep], bins[keep]), magnitude[keep] / 64.0)\n"
    "    return histogram.reshape(-1)\n"
    "    ### END SOLUTION\n")

CORRECT = {
    "hog_and_hist_float32_throughout": lambda: edited(
        (HOG_FLOAT, "    im = im.astype(np.float32)\n"),
        ("    gx = np.zeros(gray.shape)\n    gy = np.zeros(gray.shape)\n",
         "    gx = np.zeros_like(gray)\n    gy = np.zeros_like(gray)\n"),
        (HSV, "    hsv = rgb_to_hsv(np.asarray(im, dtype=np.float32) / np.float32(xmax)) * np.float32(xmax)\n")),
    # The reference's own batch code (float32 orientations, bincount) called on one image.
    "per_image_calls_the_batch_versions": lambda: edited(
        (HIST_BODY, "    return color_histograms_hsv(im[None], nbin, xmin, xmax, normalized)[0]\n"),
        (HOG_SOLUTION_START, "    return hog_features(im[None])[0]\n" + HOG_SOLUTION_START)),
    "hog_with_np_add_at_in_radians": lambda: edited(
        (edited_tail(), HOG_ADD_AT)),
    "extract_features_builds_rows_and_stacks_them": lambda: edited(
        (EXTRACT_START,
         "    rows = [np.concatenate([np.ravel(fn(im)) for fn in feature_fns])\n"
         "            for im in tqdm(imgs, disable=not verbose)]\n"
         "    return np.array(rows, dtype=np.float64)\n" + EXTRACT_START)),
}


def edited_tail():
    """The reference hog_feature from its magnitude line to the end of its solution region."""
    text = reference_source()
    start = text.index("    magnitude = np.sqrt(gx ** 2 + gy ** 2)  # (H, W)\n")
    end = text.index("    ### END SOLUTION\n", start) + len("    ### END SOLUTION\n")
    return text[start:end]


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_implementation_gets_full_points(graded_tests, tmp_path, variant):
    results = grade(graded_tests, tmp_path, CORRECT[variant]())
    assert_full_marks(variant, results)


# -- buggy variants: lose points where the bug is, and nowhere else ----------------------------------

BUGS = {
    # -- colour histogram
    "hist_hue_not_scaled_by_xmax": Bug(
        lambda: edited((HSV, "    hsv = rgb_to_hsv(im / xmax)  # (H, W, 3)\n")), broken=HIST),
    "hist_counts_over_total_instead_of_density": Bug(
        lambda: edited((NP_HIST, "    hist, _ = np.histogram(hsv[:, :, 0], bins=bin_edges)\n"
                                 "    if normalized:\n        hist = hist / hist.sum()\n")),
        broken=HIST, must_fail=("histogram_is_a_density_over_the_bins",)),
    "hist_ignores_normalized": Bug(
        lambda: edited((NP_HIST, NP_HIST.replace("density=normalized", "density=True"))), broken=HIST),
    "hist_bins_over_the_data_range": Bug(
        lambda: edited((NP_HIST, "    hist, _ = np.histogram(hsv[:, :, 0], bins=nbin, density=normalized)\n")),
        broken=HIST),
    "hist_of_saturation_instead_of_hue": Bug(
        lambda: edited((NP_HIST, NP_HIST.replace("hsv[:, :, 0]", "hsv[:, :, 1]"))), broken=HIST),
    # -- HOG
    # A 2-d uint8 image is its own gray: without the conversion its differences wrap around.
    "hog_uint8_gray_image_not_converted_to_float": Bug(
        lambda: edited((HOG_FLOAT, "")), broken=HOG, must_fail=("hog_matches_reference_on_uint8_images",)),
    "hog_gray_is_the_mean_of_the_channels": Bug(
        lambda: edited((GRAY, "    gray = im if im.ndim == 2 else im.mean(axis=2)\n")),
        broken=HOG, must_fail=("hog_vertical_edge_votes_in_the_horizontal_gradient_bin",)),
    "hog_gray_weight_typo_0144": Bug(
        lambda: edited((GRAY, GRAY.replace("0.114 * im", "0.144 * im"))), broken=HOG),
    "hog_signed_orientation_0_to_360": Bug(
        lambda: edited((ORIENTATION, ORIENTATION.replace("% 180.0", "% 360.0"))), broken=HOG,
        must_fail=("hog_of_ramps_and_a_horizontal_edge",)),
    "hog_negative_angles_shifted_but_180_not_folded": Bug(
        lambda: edited((ORIENTATION, "    orientation = np.degrees(np.arctan2(gy, gx))\n"
                                     "    orientation[orientation < 0] += 180.0\n")),
        broken=HOG, must_fail=("hog_vertical_edge_votes_in_the_horizontal_gradient_bin",)),
    "hog_gx_and_gy_swapped_in_arctan2": Bug(
        lambda: edited((ORIENTATION, ORIENTATION.replace("np.arctan2(gy, gx)", "np.arctan2(gx, gy)"))),
        broken=HOG),
    "hog_bins_centred_on_multiples_of_20": Bug(
        lambda: edited((BINS, "    bins = np.floor((orientation + 10.0) / 20.0).astype(np.intp) % HOG_BINS\n")),
        broken=HOG),
    # np.digitize numbers the bins from 1: every vote lands one bin too high (the last one clipped).
    "hog_bin_index_off_by_one_with_digitize": Bug(
        lambda: edited((BINS, "    bins = np.minimum(np.digitize(orientation, np.linspace(0, 180, HOG_BINS + 1)), "
                              "HOG_BINS - 1)\n")),
        broken=HOG),
    "hog_sums_instead_of_averaging_cells": Bug(
        lambda: edited((CELL_MEAN, CELL_MEAN.replace(".mean(", ".sum("))), broken=HOG),
    "hog_cells_flattened_column_major": Bug(
        lambda: edited((HOG_RETURN, "    return histogram.transpose(1, 0, 2).ravel()\n")), broken=HOG,
        must_fail=("hog_averages_cells_in_row_major_order",)),
    "hog_forward_differences": Bug(
        lambda: edited((GRADIENTS, "    gx[:, :-1] = np.diff(gray, axis=1)\n    gy[:-1, :] = np.diff(gray, axis=0)\n")),
        broken=HOG),
    "hog_np_gradient_halves_and_one_sided_borders": Bug(
        lambda: edited((GRADIENTS, "    gy, gx = np.gradient(gray)\n")), broken=HOG),
    # -- extract_features
    "extract_stacks_features_in_reverse_order": Bug(
        lambda: edited((EXTRACT_RETURN, EXTRACT_RETURN.replace(
            "return features",
            "return np.hstack([features[:, ends[k]:ends[k + 1]] for k in range(len(sizes))][::-1])"))),
        broken=EXTRACT, must_fail=("extract_features_stacks_features_in_order",)),
    "extract_returns_features_by_column": Bug(
        lambda: edited((EXTRACT_RETURN, EXTRACT_RETURN.replace("return features", "return features.T"))),
        broken=EXTRACT),
    "extract_forgets_the_last_image": Bug(
        lambda: edited((EXTRACT_STOP, EXTRACT_STOP.replace("num_images)", "num_images - 1)"))),
        broken=EXTRACT),
}


# The mistake each planted bug should be named as (autograder/engine/diagnosis.py and the hidden tests):
# the proof that every diagnosis fires on the bug it describes.
DIAGNOSES = {
    "hist_counts_over_total_instead_of_density": "histogram_not_a_density",
    "hist_ignores_normalized": "normalized_ignored",
    "hist_bins_over_the_data_range": "histogram_not_a_density",
    "hog_uint8_gray_image_not_converted_to_float": "uint8_not_converted",
    "hog_gray_is_the_mean_of_the_channels": "gray_is_channel_mean",
    "hog_signed_orientation_0_to_360": "signed_orientation",
    "hog_negative_angles_shifted_but_180_not_folded": "negative_angles_not_folded",
    "hog_gx_and_gy_swapped_in_arctan2": "gx_gy_swapped",
    "hog_bins_centred_on_multiples_of_20": "bins_centred_on_multiples_of_20",
    "hog_bin_index_off_by_one_with_digitize": "bin_index_off_by_one",
    "hog_sums_instead_of_averaging_cells": "cell_sums_instead_of_means",
    "hog_cells_flattened_column_major": "cells_in_column_major_order",
    "hog_forward_differences": "forward_differences",
    "hog_np_gradient_halves_and_one_sided_borders": "np_gradient",
    "extract_stacks_features_in_reverse_order": "features_in_reverse_order",
    "extract_returns_features_by_column": "transposed",
    "extract_forgets_the_last_image": "last_image_missing",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_buggy_implementation_loses_points_on_the_broken_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    results = grade(graded_tests, tmp_path, bug.source())
    assert_bug_caught(variant, bug, results, DIAGNOSES.get(variant, ""))


# -- the reference's batch versions agree with its per-image functions -------------------------------

def test_batch_versions_match_the_per_image_reference():
    with features_import_isolated():
        sys.path.insert(0, str(SOURCE_DIR))
        try:
            import features
        finally:
            sys.path.remove(str(SOURCE_DIR))
        rng = np.random.default_rng(6)
        imgs = rng.integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
        hists = np.array([features.color_histogram_hsv(im, nbin=12) for im in imgs])
        np.testing.assert_array_equal(features.color_histograms_hsv(imgs, nbin=12), hists)
        counts = np.array([features.color_histogram_hsv(im, normalized=False) for im in imgs])
        np.testing.assert_array_equal(features.color_histograms_hsv(imgs, normalized=False), counts)
        part = np.array([features.color_histogram_hsv(im, nbin=7, xmin=40) for im in imgs])
        np.testing.assert_array_equal(features.color_histograms_hsv(imgs, nbin=7, xmin=40), part)
        unit = imgs / 255.0
        np.testing.assert_array_equal(features.color_histograms_hsv(unit, xmax=1),
                                      [features.color_histogram_hsv(im, xmax=1) for im in unit])
        hogs = np.array([features.hog_feature(im) for im in imgs])
        # float32 orientations: a pixel within ~1e-5 degrees of a bin edge may change bins (rare).
        batch = features.hog_features(imgs)
        assert np.mean(np.abs(batch - hogs) > 1e-4 * hogs.max()) < 1e-3
        odd = rng.uniform(0, 1, (5, 37, 21))
        np.testing.assert_allclose(features.hog_features(odd), [features.hog_feature(im) for im in odd],
                                   rtol=1e-5, atol=1e-6)
        both = features.extract_features(imgs, [features.hog_feature, features.color_histogram_hsv])
        assert both.shape == (40, 154)
        assert np.array_equal(both[:, 144:], features.color_histograms_hsv(imgs))


def test_reference_hog_agrees_with_scikit_image():
    """An outside check of the conventions: skimage.feature.hog uses the same centred gradients,
    unsigned orientations and bins; with one cell per block it L1-normalizes each cell (plus 1e-5)."""
    skimage_feature = pytest.importorskip("skimage.feature")
    with features_import_isolated():
        sys.path.insert(0, str(SOURCE_DIR))
        try:
            import features
        finally:
            sys.path.remove(str(SOURCE_DIR))
        rng = np.random.default_rng(7)
        for shape in ((32, 32, 3), (40, 24, 3)):
            im = rng.integers(0, 256, shape, dtype=np.uint8)
            gray = 0.299 * im[..., 0].astype(np.float64) + 0.587 * im[..., 1] + 0.114 * im[..., 2]
            theirs = skimage_feature.hog(gray, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1),
                                         block_norm="L1", feature_vector=True)
            mine = features.hog_feature(im).reshape(-1, 9)
            mine = mine / (mine.sum(axis=1, keepdims=True) + 1e-5)
            np.testing.assert_allclose(mine.ravel(), theirs, atol=1e-6)
