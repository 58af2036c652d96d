"""Mutation tests for the graded tests of visual_words.py (source/assignment1/tests/
{public,hidden}_visual_words.py): correct styles keep every point, each planted mistake costs
points in its own function only and gets the message that names it where one is recognised, the
released stubs earn nothing.
"""
import pytest

from autograder.engine.discovery import load_tests

from mutation_helpers import (Bug, SOURCE_DIR, TESTS_DIR, assert_bug_caught, assert_full_marks,
                              assert_stubs_earn_nothing, edited_text, grade_module)

PATCHES = "visual_words.extract_patches"
KMEANS = "visual_words.kmeans_codebook"
ENCODE = "visual_words.bow_encode"
FUNCTIONS = (PATCHES, KMEANS, ENCODE)
POINTS = {PATCHES: 2, KMEANS: 4, ENCODE: 3}
REFERENCE = (SOURCE_DIR / "visual_words.py").read_text()

CUT = "    patches = blocks.reshape(num_patches, -1).astype(np.float64)\n"
DRAW_ROWS = "    rows = rng.randint(0, height - patch_size + 1, num_patches)  # (M,)\n"
DRAW_COLS = "    cols = rng.randint(0, width - patch_size + 1, num_patches)  # (M,)\n"
START = "    codebook = X[np.random.RandomState(seed).choice(num_rows, k, replace=False)].copy()  # (k, D)\n"
ASSIGN = "        assigned = nearest_codewords(X, codebook)  # (M,)\n"
UPDATE = ("        sums = np.zeros_like(codebook)\n"
          "        np.add.at(sums, assigned, X)\n"
          "        counts = np.bincount(assigned, minlength=k)  # (k,)\n"
          "        chosen = counts > 0\n"
          "        codebook[chosen] = sums[chosen] / counts[chosen, None]  # empty clusters keep their centre\n")
WINDOWS = ("    windows = np.lib.stride_tricks.sliding_window_view(imgs, (patch_size, patch_size), axis=(1, 2))\n"
           "    windows = windows[:, ::stride, ::stride]\n"
           "    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(num_images, -1, 3 * patch_size ** 2)  # (N, L, D)\n")
WORDS = "    words = nearest_codewords(normalize_patches(patches.reshape(-1, patches.shape[2])), codebook)\n"
HISTOGRAMS = "    histograms = counts.reshape(num_images, k) / words.shape[1]\n"
# One loop, over the grid positions (np.ndindex walks the rows and columns of the grid).
GRID_LOOP = ("    rows = range(0, imgs.shape[1] - patch_size + 1, stride)\n"
             "    cols = range(0, imgs.shape[2] - patch_size + 1, stride)\n"
             "    patches = np.stack([imgs[:, rows[i]:rows[i] + patch_size, cols[j]:cols[j] + patch_size]\n"
             "                        .reshape(num_images, -1) for i, j in np.ndindex(len(rows), len(cols))], axis=1)\n")

# The TODO's other single loop: itertools.product over the corners themselves.
PRODUCT_LOOP = ("    import itertools\n"
                "    rows = range(0, imgs.shape[1] - patch_size + 1, stride)\n"
                "    cols = range(0, imgs.shape[2] - patch_size + 1, stride)\n"
                "    patches = np.stack([imgs[:, r:r + patch_size, c:c + patch_size].reshape(num_images, -1)\n"
                "                        for r, c in itertools.product(rows, cols)], axis=1)\n")
# What the TODO says counts as two loops: the columns' loop inside the rows' loop.
NESTED_LOOPS = ("    patches = []\n"
                "    for r in range(0, imgs.shape[1] - patch_size + 1, stride):\n"
                "        for c in range(0, imgs.shape[2] - patch_size + 1, stride):\n"
                "            patches.append(imgs[:, r:r + patch_size, c:c + patch_size].reshape(num_images, -1))\n"
                "    patches = np.stack(patches, axis=1)\n")


def edited(*changes):
    return edited_text(REFERENCE, "visual_words.py", *changes)


@pytest.fixture(scope="module")
def graded_tests():
    tests = [t for t in load_tests(TESTS_DIR, include_hidden=True) if t.function in FUNCTIONS]
    assert {f: sum(t.points for t in tests if t.function == f) for f in FUNCTIONS} == POINTS
    return tests


def grade(graded_tests, folder, source):
    return grade_module(graded_tests, folder, "visual_words.py", source)


def test_released_stubs_earn_nothing(graded_tests, tmp_path):
    assert_stubs_earn_nothing(graded_tests, tmp_path, "visual_words.py", REFERENCE)


CORRECT = {
    "reference": lambda: REFERENCE,
    "patches_cut_one_by_one": lambda: edited(
        ("    offsets = np.arange(patch_size)\n", ""),
        ("    blocks = imgs[which[:, None, None], (rows[:, None] + offsets)[:, :, None], "
         "(cols[:, None] + offsets)[:, None, :]]\n", ""),
        (CUT, "    patches = np.array([imgs[w, r:r + patch_size, c:c + patch_size].ravel()\n"
              "                        for w, r, c in zip(which, rows, cols)], dtype=float)\n")),
    "kmeans_update_by_one_hot_product": lambda: edited(
        (UPDATE, "        one_hot = np.eye(k)[assigned]  # (M, k)\n"
                 "        counts = one_hot.sum(axis=0)\n"
                 "        means = one_hot.T @ X / np.maximum(counts, 1)[:, None]\n"
                 "        codebook = np.where(counts[:, None] > 0, means, codebook)\n")),
    "bow_loop_over_grid_positions_and_add_at": lambda: edited(
        (WINDOWS, GRID_LOOP),
        ("    counts = np.bincount((np.arange(num_images)[:, None] * k + words).ravel(), minlength=num_images * k)\n",
         "    counts = np.zeros((num_images, k))\n"
         "    np.add.at(counts, (np.repeat(np.arange(num_images), words.shape[1]), words.ravel()), 1)\n")),
    "bow_one_loop_over_itertools_product": lambda: edited((WINDOWS, PRODUCT_LOOP)),
}


@pytest.mark.parametrize("variant", list(CORRECT))
def test_correct_styles_get_full_points(graded_tests, tmp_path, variant):
    assert_full_marks(variant, grade(graded_tests, tmp_path, CORRECT[variant]()), sum(POINTS.values()))


BUGS = {
    "patches_flattened_channel_first": Bug(lambda: edited(
        (CUT, "    patches = blocks.transpose(0, 3, 1, 2).reshape(num_patches, -1).astype(np.float64)\n")),
        broken=PATCHES),
    "patches_never_touch_the_last_row_and_column": Bug(lambda: edited(
        (DRAW_ROWS, DRAW_ROWS.replace(" + 1,", ",")), (DRAW_COLS, DRAW_COLS.replace(" + 1,", ","))), broken=PATCHES),
    "patches_left_as_uint8": Bug(lambda: edited((CUT, CUT.replace(".astype(np.float64)", ""))), broken=PATCHES),
    "kmeans_empty_cluster_becomes_nan": Bug(lambda: edited(
        ("        codebook[chosen] = sums[chosen] / counts[chosen, None]  # empty clusters keep their centre\n",
         "        with np.errstate(invalid='ignore', divide='ignore'):\n"
         "            codebook = sums / counts[:, None]\n")), broken=KMEANS),
    "kmeans_empty_cluster_reset_to_zero": Bug(lambda: edited(
        ("        codebook[chosen] = sums[chosen] / counts[chosen, None]  # empty clusters keep their centre\n",
         "        codebook = sums / np.maximum(counts, 1)[:, None]\n")), broken=KMEANS),
    "kmeans_starts_from_the_first_rows": Bug(lambda: edited((START, "    codebook = X[:k].copy()\n")), broken=KMEANS),
    "kmeans_assigns_row_by_row": Bug(lambda: edited(
        (ASSIGN, "        assigned = np.array([np.argmin(np.sum((codebook - x) ** 2, axis=1)) for x in X])\n")),
        broken=KMEANS, must_fail=("kmeans_codebook_has_one_loop",),
        must_pass=("kmeans_codebook_matches_reference",)),
    "bow_counts_not_divided": Bug(lambda: edited((HISTOGRAMS, "    histograms = counts.reshape(num_images, k).astype(float)\n")),
                                  broken=ENCODE),
    "bow_compares_raw_patches": Bug(lambda: edited(
        (WORDS, WORDS.replace("normalize_patches(patches.reshape(-1, patches.shape[2]))",
                              "patches.reshape(-1, patches.shape[2])"))), broken=ENCODE),
    # The grid loop of a correct style, plus a loop over the images: two loops.
    "bow_loops_over_images": Bug(lambda: edited(
        (WINDOWS, GRID_LOOP),
        (WORDS, "    words = np.stack([nearest_codewords(normalize_patches(p), codebook) for p in patches])\n")),
        broken=ENCODE, must_fail=("bow_encode_loops_over_grid_positions_at_most",),
        must_pass=("bow_encode_matches_reference",)),
    # Right histograms, but the two nested loops the TODO warns about: only the loop test fails.
    "bow_nested_row_and_column_loops": Bug(lambda: edited((WINDOWS, NESTED_LOOPS)),
        broken=ENCODE, must_fail=("bow_encode_loops_over_grid_positions_at_most",),
        must_pass=("bow_encode_matches_reference",)),
}

DIAGNOSES = {
    "patches_flattened_channel_first": "patch_channels_first",
    "patches_never_touch_the_last_row_and_column": "last_position_never_drawn",
    "patches_left_as_uint8": "patches_not_float",
    "kmeans_empty_cluster_becomes_nan": "empty_cluster_nan",
    "kmeans_empty_cluster_reset_to_zero": "empty_cluster_zeroed",
    "kmeans_starts_from_the_first_rows": "kmeans_start_ignores_seed",
    "kmeans_assigns_row_by_row": "too_many_loops",
    "bow_counts_not_divided": "histogram_not_normalized",
    "bow_loops_over_images": "too_many_loops",
    "bow_nested_row_and_column_loops": "too_many_loops",
}


@pytest.mark.parametrize("variant", list(BUGS))
def test_planted_mistake_costs_its_own_function(graded_tests, tmp_path, variant):
    bug = BUGS[variant]
    assert_bug_caught(variant, bug, grade(graded_tests, tmp_path, bug.source()), DIAGNOSES.get(variant, ""))
