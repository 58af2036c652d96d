"""Public tests for the image features: `autograder check` runs these on your own machine.

They use images whose answers are known by construction: single colours with known hues, edges and
ramps with known gradients. The grader also runs hidden tests that compare your code with the
reference solution on random images.

Tolerances: the answers below are exact up to floating-point rounding; 1e-6 relative error allows
float32 arithmetic, while every mistake these tests look for changes an entry by 1% or more.
"""
import numpy as np

from autograder.testing import Diagnosis, as_array, assert_close, check, graded

NOTEBOOK = "features.ipynb"
MODULE = "features"
HIST = MODULE + ".color_histogram_hsv"
HOG = MODULE + ".hog_feature"
EXTRACT = MODULE + ".extract_features"
BY_NAME = MODULE + ".extract_features_by_name"

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def _filled(height, width, colour):
    return np.tile(np.array(colour, dtype=np.uint8), (height, width, 1))  # (height, width, 3)


def _hist(student, im, **kwargs):
    nbin = kwargs.get("nbin", 10)
    return as_array(student.call(HIST, im, **kwargs), f"color_histogram_hsv with {kwargs or 'defaults'}",
                    shape=(nbin,))


@graded(HIST, points=1)
def histogram_is_a_density_over_the_bins(student, rng):
    im = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    for nbin in (10, 6):
        hist = _hist(student, im, nbin=nbin)
        width = 255.0 / nbin
        check(np.all(hist >= 0), f"color_histogram_hsv(nbin={nbin}) has negative entries")
        check(abs(np.sum(hist) * width - 1.0) < 1e-6,
              f"color_histogram_hsv(nbin={nbin}) times the bin width sums to {np.sum(hist) * width:.6g}; "
              f"a density sums to 1 (np.histogram(..., density=True))", diagnosis="histogram_not_a_density")
        counts = _hist(student, im, nbin=nbin, normalized=False)
        check(abs(np.sum(counts) - 32 * 32) < 1e-6,
              f"with normalized=False the counts of a 32x32 image sum to {np.sum(counts):.6g}; expected 1024", diagnosis="normalized_ignored")
        assert_close(hist, counts / width / (32 * 32), f"color_histogram_hsv(nbin={nbin}) as a density", rtol=1e-6)


@graded(HIST, points=1)
def histogram_puts_pure_colours_in_known_bins(student):
    # Hues on the 0..255 scale: red 0 (bin 0), green 85 (bin 3), blue 170 (bin 6) of 10 bins of 25.5;
    # gray pixels have hue 0. Left half red, then a quarter green, then a quarter blue or gray.
    im = np.concatenate([_filled(8, 8, RED), _filled(8, 4, GREEN), _filled(8, 4, BLUE)], axis=1)  # (8, 16, 3)
    expected = np.zeros(10)
    expected[[0, 3, 6]] = [64, 32, 32]
    assert_close(_hist(student, im, normalized=False), expected, "counts of a red/green/blue image", rtol=1e-6)
    assert_close(_hist(student, im), expected / 128 / 25.5, "density of a red/green/blue image", rtol=1e-6)
    gray = np.concatenate([_filled(8, 8, RED), _filled(8, 8, (90, 90, 90))], axis=1)
    assert_close(_hist(student, gray, normalized=False), np.eye(10)[0] * 128,
                 "counts of a red and gray image (gray has hue 0)", rtol=1e-6)
    # Floats on a 0..1 scale with xmax=1: the same colours, the same bins.
    assert_close(_hist(student, im / 255.0, xmax=1, normalized=False), expected,
                 "counts of the red/green/blue image scaled to 0..1 with xmax=1", rtol=1e-6)


def _hog(student, im):
    rows, cols = im.shape[0] // 8, im.shape[1] // 8
    return as_array(student.call(HOG, im), f"hog_feature of a {im.shape} image", shape=(rows * cols * 9,))


@graded(HOG, points=1)
def hog_has_144_values_and_is_zero_on_a_uniform_image(student, rng):
    feature = _hog(student, rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    check(np.all(feature >= 0), "hog_feature has negative entries; magnitudes are never negative")
    check(np.any(feature > 0), "hog_feature of a random image is all zeros")
    assert_close(_hog(student, _filled(32, 32, (120, 30, 200))), np.zeros(144),
                 "hog_feature of a uniform image (no gradients anywhere)", floor=1e-9)


@graded(HOG, points=1)
def hog_vertical_edge_votes_in_the_horizontal_gradient_bin(student):
    # Columns 0..15 dark, 16..31 bright. Only columns 15 and 16 have a gradient, gx = +-v, gy = 0:
    # orientation 0 (or 180, the same unsigned orientation), bin 0. Each of the cells in cell columns 1
    # and 2 holds 8 such pixels: 8 * v / 64 = v / 8 in bin 0.
    for left, right, what in [((0, 0, 0), (100, 100, 100), "dark to bright"),
                              ((100, 100, 100), (0, 0, 0), "bright to dark"),
                              ((0, 0, 0), RED, "black to red")]:
        im = np.concatenate([_filled(32, 16, left), _filled(32, 16, right)], axis=1)
        v = abs(0.299 * (right[0] - left[0]) + 0.587 * (right[1] - left[1]) + 0.114 * (right[2] - left[2]))
        expected = np.zeros((4, 4, 9))  # (cell row, cell column, bin)
        expected[:, 1, 0] = expected[:, 2, 0] = v / 8
        assert_close(_hog(student, im), expected.ravel(), f"hog_feature of a vertical edge, {what} "
                     f"(gray = 0.299 R + 0.587 G + 0.114 B)", rtol=1e-6, floor=1e-9)


def _ramp_expected(height, width, interior_bin, slope_x, slope_y):
    """HOG of gray[i, j] = slope_y * i + slope_x * j by construction: interior pixels have gradient
    (2 slope_x, 2 slope_y) in ``interior_bin``; the first and last column keep only gy (90 degrees,
    bin 4), the first and last row only gx (0 degrees, bin 0), the four corners nothing."""
    votes = np.zeros((height, width, 9))
    votes[:, :, interior_bin] = 2 * np.hypot(slope_x, slope_y)
    votes[:, [0, -1], :] = 0
    votes[:, [0, -1], 4] = 2 * abs(slope_y)
    votes[[0, -1], :, :] = 0
    votes[[0, -1], :, 0] = 2 * abs(slope_x)
    votes[[0, 0, -1, -1], [0, -1, 0, -1], :] = 0
    cells = votes.reshape(height // 8, 8, width // 8, 8, 9).mean(axis=(1, 3))  # (cell rows, cell columns, 9)
    return cells.ravel()


@graded(HOG, points=1)
def hog_of_ramps_and_a_horizontal_edge(student):
    i, j = np.mgrid[0:32, 0:32].astype(np.float64)
    gray = lambda values: np.repeat(values[:, :, None], 3, axis=2)  # R = G = B, so gray = the value
    # Brightness growing down and to the right: gradient (2s, 2s) at 45 degrees, bin 2.
    assert_close(_hog(student, gray(3.0 * (i + j))), _ramp_expected(32, 32, 2, 3.0, 3.0),
                 "hog_feature of a ramp rising at 45 degrees", rtol=1e-6, floor=1e-9)
    # Growing to the right and up: gradient (2s, -2s) at -45 degrees, unsigned 135, bin 6.
    assert_close(_hog(student, gray(3.0 * (j - i) + 100.0)), _ramp_expected(32, 32, 6, 3.0, -3.0),
                 "hog_feature of a ramp at -45 degrees (unsigned orientation 135)", rtol=1e-6, floor=1e-9)
    # A horizontal edge: gradient pointing down, 90 degrees, bin 4; cells in cell rows 1 and 2.
    edge = np.where(i >= 16, 80.0, 0.0)
    expected = np.zeros((4, 4, 9))
    expected[1, :, 4] = expected[2, :, 4] = 80.0 / 8
    assert_close(_hog(student, gray(edge)), expected.ravel(), "hog_feature of a horizontal edge",
                 rtol=1e-6, floor=1e-9)
    assert_close(_hog(student, edge), expected.ravel(), "hog_feature of a 2-d (grayscale) horizontal edge",
                 rtol=1e-6, floor=1e-9)


@graded(EXTRACT, points=1)
def extract_features_stacks_features_in_order(student, rng):
    # The provided features row_means (H values) and channel_means (3 values), by name.
    imgs = rng.integers(0, 256, (5, 8, 6, 3), dtype=np.uint8)
    rows = imgs.reshape(5, 8, -1).mean(axis=2)  # (5, 8)
    channels = imgs.reshape(5, -1, 3).mean(axis=1)  # (5, 3)
    got = student.call(BY_NAME, imgs, ["row_means", "channel_means"])
    expected = np.hstack([rows, channels])
    answer = as_array(got, "extract_features(imgs, [row_means, channel_means])")
    if answer.shape == expected.shape and np.allclose(answer[:-1], expected[:-1], rtol=1e-9, atol=0):
        check(np.allclose(answer[-1], expected[-1], rtol=1e-9, atol=0), "extract_features: every row is "
              "right but the last image's: the loop over the images stops one short",
              diagnosis="last_image_missing")
    assert_close(got, expected, "extract_features(imgs, [row_means, channel_means])", rtol=1e-9,
                 diagnoses=[Diagnosis("features_in_reverse_order", "the features are in the reverse order: "
                                      "stack them in the order of feature_fns", np.hstack([channels, rows]))])
    got = student.call(BY_NAME, imgs, ["channel_means", "row_means"])
    assert_close(got, np.hstack([channels, rows]), "extract_features(imgs, [channel_means, row_means])",
                 rtol=1e-9)
