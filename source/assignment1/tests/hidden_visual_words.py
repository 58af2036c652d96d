"""Hidden tests for visual_words.py: the three functions against the reference on random data.

Never released. extract_patches must give exactly the reference's patches (the draws are
documented); kmeans_codebook the reference's centres to 1e-9 relative to their scale (float64
sums in another order differ by rounding only; float32 input is converted first, as the docstring
says); bow_encode the reference's histograms exactly (counts over the same nearest codewords: the
test's codebooks are the reference's own k-means centres on patches of the same images, so no two
codewords are within rounding of a tie for these patches). Loops: one (over the iterations) in
kmeans_codebook, one (over grid positions) in bow_encode.
"""
import numpy as np

from autograder.testing import Diagnosis, as_array, assert_close, assert_max_loops, graded

NOTEBOOK = "features.ipynb"
MODULE = "visual_words"
MODULE_FILE = "visual_words.py"
PATCHES = MODULE + ".extract_patches"
KMEANS = MODULE + ".kmeans_codebook"
ENCODE = MODULE + ".bow_encode"


def _images(rng, n, height, width, dtype=np.uint8):
    return rng.integers(0, 256, (n, height, width, 3)).astype(dtype)


@graded(PATCHES, points=1)
def extract_patches_match_reference(student, reference, rng):
    ref = reference.module(MODULE)
    for n, height, width, p, m, dtype, what in ((6, 14, 11, 5, 40, np.uint8, "uint8 images, not square"),
                                                (2, 6, 6, 6, 5, np.float32, "patches as large as the images"),
                                                (3, 10, 12, 1, 20, np.float64, "patches of a single pixel")):
        imgs, seed = _images(rng, n, height, width, dtype), int(rng.integers(0, 10 ** 6))
        expected = ref.extract_patches(imgs, p, m, seed)
        got = as_array(student.call(PATCHES, imgs, p, m, seed), f"extract_patches ({what})", shape=expected.shape)
        blocks = expected.reshape(m, p, p, 3)
        assert_close(got, expected, f"the patches of extract_patches ({what})", rtol=0,
                     floor=1e-9, diagnoses=[Diagnosis("patch_channels_first", "each patch is flattened row, then "
                                                      "column, then channel", blocks.transpose(0, 3, 1, 2).reshape(m, -1))])


def _patch_data(ref, rng, m, d_side, dtype=np.float64):
    imgs = _images(rng, 8, 16, 16)
    return ref.normalize_patches(ref.extract_patches(imgs, d_side, m, int(rng.integers(0, 1000)))).astype(dtype)


@graded(KMEANS, points=1)
def kmeans_codebook_matches_reference(student, reference, rng):
    ref = reference.module(MODULE)
    for m, side, k, iters, dtype, what in ((300, 3, 7, 5, np.float64, "many rows"),
                                           (120, 2, 12, 8, np.float32, "float32 rows"),
                                           (40, 4, 40, 2, np.float64, "as many centres as rows")):
        X, seed = _patch_data(ref, rng, m, side, dtype), int(rng.integers(0, 1000))
        expected = ref.kmeans_codebook(X, k, iters, seed)
        got = as_array(student.call(KMEANS, X, k, iters, seed), f"kmeans_codebook ({what})", shape=expected.shape)
        start = X.astype(np.float64)[np.random.RandomState(seed).choice(m, k, replace=False)]
        assert_close(got, expected, f"the centres of kmeans_codebook ({what})", rtol=1e-9, floor=1e-9 * float(np.max(np.abs(expected))),
                     diagnoses=[Diagnosis("kmeans_never_updates", "the centres never move from their start: each "
                                          "iteration moves every centre to the mean of its rows", start)])


@graded(KMEANS, points=1, fresh=True)
def kmeans_codebook_has_one_loop(student, reference, rng):
    X = _patch_data(reference.module(MODULE), rng, 60, 2)
    as_array(student.call(KMEANS, X, 5, 2, 0), "kmeans_codebook", shape=(5, 12))
    assert_max_loops(student, MODULE_FILE, "kmeans_codebook", 1)


@graded(ENCODE, points=1)
def bow_encode_matches_reference(student, reference, rng):
    ref = reference.module(MODULE)
    for n, size, p, stride, k, what in ((5, 16, 4, 3, 10, "a stride below the patch side"),
                                        (3, 12, 6, 2, 6, "large patches"), (2, 9, 3, 1, 4, "a stride of one pixel")):
        imgs = _images(rng, n, size, size)
        codebook = ref.kmeans_codebook(ref.normalize_patches(ref.extract_patches(imgs, p, 200, 1)), k, 5, 2)
        expected = ref.bow_encode(imgs, codebook, p, stride)
        got = as_array(student.call(ENCODE, imgs, codebook, p, stride), f"bow_encode ({what})", shape=expected.shape)
        grid = ((size - p) // stride + 1) ** 2
        assert_close(got, expected, f"the histograms of bow_encode ({what})", rtol=0,
                     floor=1e-9, diagnoses=[Diagnosis("histogram_not_normalized", "divide each histogram by the "
                                                      "number of patches of the image", grid * expected)])


@graded(ENCODE, points=1, fresh=True)
def bow_encode_loops_over_grid_positions_at_most(student, reference, rng):
    ref = reference.module(MODULE)
    imgs = _images(rng, 3, 8, 8)
    codebook = ref.kmeans_codebook(ref.normalize_patches(ref.extract_patches(imgs, 4, 30, 0)), 3, 2, 0)
    as_array(student.call(ENCODE, imgs, codebook, 4, 2), "bow_encode", shape=(3, 3))
    assert_max_loops(student, MODULE_FILE, "bow_encode", 1)
