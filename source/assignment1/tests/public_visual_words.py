"""Public tests for visual_words.py (bag of visual words): `autograder check` runs these.

Answers known by construction: patches drawn as the docstring prescribes; k-means from its
documented start, its fixed points and a cluster that stays empty; histograms of images built from
the codewords themselves. The grader also runs hidden tests that compare all three functions with
the reference on random data, and checks that k-means and the encoder use no loops over the data.
"""
import numpy as np

from autograder.testing import Diagnosis, as_array, assert_close, check, graded

NOTEBOOK = "features.ipynb"
MODULE = "visual_words"
PATCHES = MODULE + ".extract_patches"
KMEANS = MODULE + ".kmeans_codebook"
ENCODE = MODULE + ".bow_encode"


def _images(rng, n=4, height=9, width=7):
    return rng.integers(0, 256, (n, height, width, 3)).astype(np.uint8)


def _documented_patches(imgs, p, m, seed, last_row_and_column=True):
    """(blocks (m, p, p, 3), flattened (m, D)) drawn as the docstring says; without
    ``last_row_and_column``, with the usual off-by-one (randint's upper end excluded twice)."""
    n, height, width, _ = imgs.shape
    extra = 1 if last_row_and_column else 0
    draws = np.random.RandomState(seed)
    which = draws.randint(0, n, m)
    rows, cols = draws.randint(0, height - p + extra, m), draws.randint(0, width - p + extra, m)
    blocks = np.stack([imgs[w, r:r + p, c:c + p, :] for w, r, c in zip(which, rows, cols)])
    return blocks, blocks.reshape(m, -1).astype(np.float64)


@graded(PATCHES, points=1)
def extract_patches_cuts_the_documented_patches(student, rng):
    imgs, p, m, seed = _images(rng), 3, 12, int(rng.integers(0, 1000))
    got = as_array(student.call(PATCHES, imgs, p, m, seed), "extract_patches(imgs, 3, 12, seed)", shape=(m, p * p * 3))
    check(got.dtype == np.float64, f"extract_patches returned dtype {got.dtype}; the docstring asks for float64",
          diagnosis="patches_not_float")
    blocks, expected = _documented_patches(imgs, p, m, seed)
    assert_close(got, expected, "the patches of extract_patches (images 9 x 7, side 3)", rtol=0, floor=1e-9, diagnoses=[
        Diagnosis("patch_channels_first", "each patch is flattened channel by channel: flatten the (p, p, 3) "
                  "block as it is, row, then column, then channel", blocks.transpose(0, 3, 1, 2).reshape(m, -1)),
        Diagnosis("last_position_never_drawn", "a patch may start at row H - p and column W - p: randint's upper "
                  "end is excluded, so it is H - p + 1", _documented_patches(imgs, p, m, seed, False)[1])])


def _fixed_point_error(X, centres):
    """How far the centres are from k-means' fixed point: each one the mean of its rows."""
    d2 = np.sum(centres ** 2, axis=1)[None, :] - 2.0 * X @ centres.T
    assigned = np.argmin(d2, axis=1)
    worst = 0.0
    for j in range(len(centres)):
        if np.any(assigned == j):
            worst = max(worst, float(np.max(np.abs(X[assigned == j].mean(axis=0) - centres[j]))))
    return worst


@graded(KMEANS, points=1)
def kmeans_starts_from_the_seeded_rows_and_ends_at_a_fixed_point(student, rng):
    centers = rng.normal(0.0, 10.0, (4, 5))
    X = np.concatenate([c + rng.normal(0.0, 0.5, (30, 5)) for c in centers])  # 4 blobs of 30
    seed = int(rng.integers(0, 1000))
    start = as_array(student.call(KMEANS, X, 4, 0, seed), "kmeans_codebook(X, 4, num_iters=0, seed)", shape=(4, 5))
    expected_start = X[np.random.RandomState(seed).choice(len(X), 4, replace=False)]
    assert_close(start, expected_start, "kmeans_codebook with num_iters=0 (the starting centres)", rtol=0, floor=1e-12,
                 diagnoses=[Diagnosis("kmeans_start_ignores_seed", "start from the rows "
                                      "np.random.RandomState(seed).choice(M, k, replace=False), in that order", X[:4])])
    final = as_array(student.call(KMEANS, X, 4, 50, seed), "kmeans_codebook(X, 4, num_iters=50, seed)", shape=(4, 5))
    check(np.all(np.isfinite(final)), "kmeans_codebook returned nan or inf centres: a cluster that no row chose "
          "must keep its centre", diagnosis="empty_cluster_nan")
    check(_fixed_point_error(X, final) < 1e-9, "after 50 iterations the centres of kmeans_codebook are not the "
          "means of the rows nearest to them: the update step moves each centre to the mean of its rows")


@graded(KMEANS, points=1)
def kmeans_keeps_the_centre_of_an_empty_cluster(student):
    # Four copies of (1, 1) and one (11, 11); a seed whose start takes two of the copies. Both
    # centres are (1, 1), so every row goes to centre 0 (the lowest index on a tie): after one
    # iteration centre 0 is the mean (3, 3) and centre 1, chosen by no row, stays at (1, 1).
    X = np.array([[1.0, 1.0]] * 4 + [[11.0, 11.0]])
    seed = next(s for s in range(1000) if np.all(np.random.RandomState(s).choice(5, 2, replace=False) < 4))
    got = as_array(student.call(KMEANS, X, 2, 1, seed), "kmeans_codebook(X, 2, num_iters=1, seed)", shape=(2, 2))
    check(np.all(np.isfinite(got)), "kmeans_codebook gave a nan centre: the mean of no rows is undefined, so a "
          "cluster that no row chose keeps its centre", diagnosis="empty_cluster_nan")
    assert_close(got, np.array([[3.0, 3.0], [1.0, 1.0]]), "kmeans_codebook after one iteration with an empty "
                 "cluster", rtol=0, floor=1e-12, diagnoses=[
                     Diagnosis("empty_cluster_zeroed", "a cluster that no row chose keeps its centre; it is not "
                               "set to 0", np.array([[3.0, 3.0], [0.0, 0.0]])),
                     Diagnosis("ties_to_the_last_centre", "a row as close to two centres goes to the lower index "
                               "(np.argmin's rule)", np.array([[1.0, 1.0], [3.0, 3.0]]))])


def _normalized(patches):
    """The docstring's normalization: each row minus its mean, over sqrt(its variance + 100)."""
    centred = patches - patches.mean(axis=1, keepdims=True)
    return centred / np.sqrt(centred.var(axis=1, keepdims=True) + 100.0)


@graded(ENCODE, points=1)
def bow_encode_counts_the_codewords_an_image_is_made_of(student, rng):
    # Two 8 x 8 images tiled with 4 x 4 blocks q0, q1, q2; the codebook holds those blocks
    # (normalized) and one more. With patches of side 4 and stride 4 every patch is one block.
    q = rng.integers(0, 256, (3, 4, 4, 3)).astype(np.float64)
    tiles = [[(0, 1), (0, 2)], [(2, 2), (2, 1)]]  # per image: its top row of blocks, its bottom row
    imgs = np.stack([np.concatenate([np.concatenate([q[a], q[b]], axis=1) for a, b in image], axis=0)
                     for image in tiles])  # (2, 8, 8, 3)
    codebook = _normalized(np.concatenate([q.reshape(3, -1), rng.integers(0, 256, (1, 48)).astype(np.float64)]))
    got = as_array(student.call(ENCODE, imgs, codebook, 4, 4), "bow_encode(imgs, codebook, 4, 4)", shape=(2, 4))
    expected = np.array([[0.5, 0.25, 0.25, 0.0], [0.0, 0.25, 0.75, 0.0]])
    assert_close(got, expected, "bow_encode on images made of the codewords' own patches", rtol=0, floor=1e-9,
                 diagnoses=[Diagnosis("histogram_not_normalized", "divide each histogram by the number of patches "
                                      "of the image (it sums to 1)", 4 * expected)])
