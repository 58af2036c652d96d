"""Hidden tests for the image features: compared with the reference solution on random images.

Never released. Expected values come from the reference color_histogram_hsv, hog_feature and
extract_features_by_name, run in float64 on the same numbers the student's code receives.

Bin edges. Both features put every pixel into exactly one bin, so a pixel whose hue or orientation
lies on a bin edge can land on either side depending on rounding (float32 code, another but equal
formula). Every random image is therefore redrawn, pixel by pixel, until no such pixel is left:
- hues: no hue within 1e-6 * (xmax - xmin) of a bin edge (xmin included when it is not 0). Uint8 images meet exact edges
  often (hue 25.5 = 0.1 * 255 needs only (g - b) / (max - min) = 0.6); hue 0 (gray pixels, or red
  pixels with g == b) is exact in every implementation and stays.
- orientations: no pixel with a gradient of magnitude m whose orientation is within
  max(1e-3, 0.05 / m) degrees of a multiple of 20 (0 and 180 included), except in the first and last
  row, where gy is 0 by definition and the orientation is exactly 0 or 180 (bin 0) in any correct code.
  float32 gradients are off by about 5e-5, which turns the orientation by about 3e-3 / m degrees.

Tolerances: histograms to 1e-6 relative (counts are then exact; float32 densities differ in the 7th
digit). HOG to 1e-5 relative, entries below 1e-4 of the largest compared against that: float32
arithmetic all the way lands within 6e-7 (measured over 20 seeds of these images). Every bug these
tests target (wrong grayscale weights, signed orientations, shifted bin edges, sums instead of
means, transposed cells, counts instead of a density, hue not scaled by xmax, features stacked in
the wrong order) moves entries by 1% or more.
"""
import numpy as np
from matplotlib.colors import hsv_to_rgb, rgb_to_hsv

from autograder.testing import Diagnosis, as_array, assert_close, check, graded, scaled

NOTEBOOK = "features.ipynb"
MODULE = "features"
HIST = MODULE + ".color_histogram_hsv"
HOG = MODULE + ".hog_feature"
EXTRACT = MODULE + ".extract_features"
BY_NAME = MODULE + ".extract_features_by_name"

HUE_MARGIN = 1e-6  # of the range xmax - xmin
ANGLE_MARGIN = (1e-3, 0.05)  # degrees: max(1e-3, 0.05 / magnitude)


# -- drawing images away from bin edges ------------------------------------------------------------

def _draw(rng, shape, dtype, high):
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, int(high) + 1, shape).astype(dtype)
    return rng.uniform(0, high, shape).astype(dtype)


def _hues_near_edges(im, nbin, xmin, xmax):
    """(H, W) mask of pixels whose hue is within HUE_MARGIN of a bin edge (other than 0 and xmax)."""
    hue = rgb_to_hsv(np.asarray(im, dtype=np.float64) / xmax)[..., 0] * xmax
    edges = np.linspace(xmin, xmax, nbin + 1)
    edges = edges[(edges != 0) & (edges != xmax)]  # hue 0 is exact, and no hue reaches xmax
    distance = np.min(np.abs(hue[..., None] - edges), axis=-1, initial=np.inf)
    return distance < HUE_MARGIN * (xmax - xmin)


def _colour_image(rng, shape, dtype=np.uint8, high=255, nbin=10, xmin=0, xmax=255):
    im = _draw(rng, shape, dtype, high)
    for _ in range(100):
        near = _hues_near_edges(im, nbin, xmin, xmax)
        if not near.any():
            return im
        im[near] = _draw(rng, (int(near.sum()), 3), dtype, high)
    raise RuntimeError("could not draw an image with no hue on a bin edge")


def _orientations_near_edges(im):
    """(H, W) mask of pixels whose gradient orientation is too close to a bin edge (see above)."""
    im = np.asarray(im, dtype=np.float64)
    gray = im if im.ndim == 2 else 0.299 * im[..., 0] + 0.587 * im[..., 1] + 0.114 * im[..., 2]
    gx, gy = np.zeros(gray.shape), np.zeros(gray.shape)
    gx[:, 1:-1] = gray[:, 2:] - gray[:, :-2]
    gy[1:-1, :] = gray[2:, :] - gray[:-2, :]
    magnitude = np.hypot(gx, gy)
    angle = np.degrees(np.arctan2(gy, gx)) % 180.0
    distance = np.abs(angle - 20.0 * np.round(angle / 20.0))
    margin = np.maximum(ANGLE_MARGIN[0], ANGLE_MARGIN[1] / np.maximum(magnitude, 1e-12))
    near = (distance < margin) & (magnitude > 0)
    near[[0, -1], :] = False  # gy == 0 by definition there: exactly 0 or 180 degrees, bin 0
    return near


def _gradient_image(rng, shape, dtype=np.uint8, high=255):
    """A random image; pixels next to an orientation on a bin edge are redrawn until there is none."""
    im = _draw(rng, shape, dtype, high)
    for _ in range(200):
        near = _orientations_near_edges(im)
        if not near.any():
            return im
        rows, cols = np.nonzero(near)
        for di, dj in ((0, 1), (0, -1), (1, 0), (-1, 0)):  # the pixels its gradient comes from
            r, c = np.clip(rows + di, 0, shape[0] - 1), np.clip(cols + dj, 0, shape[1] - 1)
            im[r, c] = _draw(rng, (len(r),) + tuple(shape[2:]), dtype, high)
    raise RuntimeError("could not draw an image with no orientation on a bin edge")


# -- colour histograms -------------------------------------------------------------------------------

def _compare_hist(student, reference, im, what, **kwargs):
    """``what`` says which case in words; the message names the keyword arguments given, never their
    values (hidden messages quote no input)."""
    expected = reference.module(MODULE).color_histogram_hsv(np.asarray(im, dtype=np.float64), **kwargs)
    got = student.call(HIST, im, **kwargs)
    given = f"given {', '.join(sorted(kwargs))}" if kwargs else "with the defaults"
    assert_close(got, expected, f"color_histogram_hsv {what}, {given}", rtol=1e-6, floor=1e-9)


@graded(HIST, points=1)
def histogram_matches_reference_on_uint8_images(student, reference, rng):
    for nbin in (10, 7, 16):
        im = _colour_image(rng, (32, 32, 3), nbin=nbin)
        _compare_hist(student, reference, im, "of a random uint8 image", nbin=nbin)
    im = _colour_image(rng, (20, 12, 3), nbin=10)
    _compare_hist(student, reference, im, "of a random non-square uint8 image", normalized=False)


@graded(HIST, points=1)
def histogram_matches_reference_on_float_images(student, reference, rng):
    for dtype in (np.float64, np.float32):
        im = _colour_image(rng, (32, 32, 3), dtype=dtype, high=255.0)
        _compare_hist(student, reference, im, f"of a random {np.dtype(dtype).name} image")
    im = _colour_image(rng, (16, 24, 3), dtype=np.float64, high=1.0, nbin=8, xmax=1)
    _compare_hist(student, reference, im, "of a random image with values up to xmax", nbin=8, xmax=1)
    _compare_hist(student, reference, im, "of a random image with values up to xmax", nbin=8, xmax=1,
                  normalized=False)
    im = _colour_image(rng, (32, 32, 3), nbin=12, xmin=40)
    _compare_hist(student, reference, im, "counting only hues from xmin up", nbin=12, xmin=40)


@graded(HIST, points=1)
def histogram_of_known_hues(student, rng):
    # Pixels built from HSV with hues at bin centres: their counts are known by construction.
    for nbin, xmax in ((10, 255), (20, 255), (5, 1)):
        centres = (np.arange(nbin) + 0.5) / nbin  # hue as a fraction of the range
        chosen = rng.integers(0, nbin, (16, 16))
        hsv = np.stack([centres[chosen], rng.uniform(0.3, 1.0, (16, 16)), rng.uniform(0.3, 1.0, (16, 16))], axis=-1)
        im = hsv_to_rgb(hsv) * xmax  # (16, 16, 3) floats
        counts = np.bincount(chosen.ravel(), minlength=nbin).astype(np.float64)
        got = student.call(HIST, im, nbin=nbin, xmax=xmax, normalized=False)
        assert_close(got, counts, "counts of an image with known hues, given nbin and xmax", rtol=1e-6,
                     floor=1e-9)
        got = student.call(HIST, im, nbin=nbin, xmax=xmax)
        assert_close(got, counts / 256 / (xmax / nbin), "density of an image with known hues, given nbin and "
                     "xmax", rtol=1e-6, floor=1e-9)


# -- HOG -------------------------------------------------------------------------------------------

def _hog_with(im, gray=None, gradients="centred", **steps):
    """HOG as the docstring defines it, with one step done the way a known mistake does it."""
    gray = np.asarray(im, dtype=np.float64) if gray is None else gray
    if gray.ndim == 3:
        gray = 0.299 * gray[:, :, 0] + 0.587 * gray[:, :, 1] + 0.114 * gray[:, :, 2]
    gx, gy = np.zeros(gray.shape), np.zeros(gray.shape)
    if gradients == "centred":
        gx[:, 1:-1] = gray[:, 2:] - gray[:, :-2]
        gy[1:-1, :] = gray[2:, :] - gray[:-2, :]
    elif gradients == "forward":
        gx[:, :-1] = np.diff(gray, axis=1)
        gy[:-1, :] = np.diff(gray, axis=0)
    else:  # np.gradient: halved centred differences, one-sided at the borders
        gy, gx = np.gradient(gray)
    return _hog_from_gradients(gx, gy, **steps)


def _hog_from_gradients(gx, gy, orientation="unsigned", bins="floor", order="rows"):
    magnitude = np.sqrt(gx ** 2 + gy ** 2)
    degrees = np.degrees(np.arctan2(gx, gy) if orientation == "swapped" else np.arctan2(gy, gx))
    if orientation == "signed":
        degrees = degrees % 360.0
    elif orientation == "negative_shifted":
        degrees = np.where(degrees < 0, degrees + 180.0, degrees)
    else:
        degrees = degrees % 180.0
    if bins == "centred":
        index = np.floor((degrees + 10.0) / 20.0).astype(np.intp) % 9
    elif bins == "digitize":
        index = np.minimum(np.digitize(degrees, np.linspace(0, 180, 10)), 8)
    else:
        index = np.minimum((degrees // 20.0).astype(np.intp), 8)
    rows, cols = gx.shape[0] // 8, gx.shape[1] // 8
    magnitude, index = magnitude[:rows * 8, :cols * 8], index[:rows * 8, :cols * 8]
    histogram = np.stack([np.where(index == b, magnitude, 0.0).reshape(rows, 8, cols, 8).mean(axis=(1, 3))
                          for b in range(9)], axis=2)
    return (histogram.transpose(1, 0, 2) if order == "columns" else histogram).ravel()


def _hog_mistakes(im, expected):
    """Known HOG mistakes, as the features they give on ``im``."""
    image = np.asarray(im)
    found = [scaled(expected, 64.0, "cell_sums_instead_of_means", "every entry is 64 times too large: "
                    "average the 8x8 cell's gradient magnitudes instead of summing them"),
             Diagnosis("signed_orientation", "orientations run over 0..360 degrees: HOG here is unsigned, "
                       "orientation % 180, so a gradient and its opposite share a bin",
                       _hog_with(im, orientation="signed")),
             Diagnosis("negative_angles_not_folded", "an orientation of exactly 180 degrees must fold to 0: "
                       "take the angle % 180 instead of adding 180 to negative angles",
                       _hog_with(im, orientation="negative_shifted")),
             Diagnosis("gx_gy_swapped", "the orientation is arctan2(gx, gy): arctan2 takes the vertical "
                       "component first, arctan2(gy, gx)", _hog_with(im, orientation="swapped")),
             Diagnosis("bins_centred_on_multiples_of_20", "the bins are centred on multiples of 20: bin b "
                       "holds [20 b, 20 (b + 1))", _hog_with(im, bins="centred")),
             Diagnosis("bin_index_off_by_one", "every vote lands one bin too high (np.digitize counts "
                       "from 1): bin b holds [20 b, 20 (b + 1))", _hog_with(im, bins="digitize")),
             Diagnosis("cells_in_column_major_order", "the cells come out column by column: flatten them "
                       "row by row, cell (r, c) at (r * (W // 8) + c) * 9", _hog_with(im, order="columns")),
             Diagnosis("forward_differences", "the gradients are forward differences: use centred ones, "
                       "gray[:, j + 1] - gray[:, j - 1]", _hog_with(im, gradients="forward")),
             Diagnosis("np_gradient", "np.gradient halves the differences and is one-sided at the borders: "
                       "use gray[:, j + 1] - gray[:, j - 1], zero in the first and last column",
                       _hog_with(im, gradients="np.gradient"))]
    if image.ndim == 3:
        found.append(Diagnosis("gray_is_channel_mean", "the gray image is the mean of the channels; use "
                               "the weights 0.299 R + 0.587 G + 0.114 B",
                               _hog_with(im, gray=image.astype(np.float64).mean(axis=2))))
    elif image.dtype == np.uint8:
        wrapped = np.zeros(image.shape)
        wrapped_y = np.zeros(image.shape)
        wrapped[:, 1:-1] = image[:, 2:] - image[:, :-2]  # uint8 arithmetic: wraps around below 0
        wrapped_y[1:-1, :] = image[2:, :] - image[:-2, :]
        found.append(Diagnosis("uint8_not_converted", "the differences of a uint8 image wrap around "
                               "below 0 instead of going negative: convert the image to float first",
                               _hog_from_gradients(wrapped, wrapped_y)))
    return found


def _compare_hog(student, reference, im, what):
    expected = reference.module(MODULE).hog_feature(np.asarray(im, dtype=np.float64))
    got = as_array(student.call(HOG, im), f"hog_feature {what}", shape=expected.shape)
    assert_close(got, expected, f"hog_feature {what}", rtol=1e-5, floor=1e-4 * float(np.max(expected)),
                 diagnoses=_hog_mistakes(im, expected))


@graded(HOG, points=1)
def hog_matches_reference_on_uint8_images(student, reference, rng):
    for _ in range(3):
        _compare_hog(student, reference, _gradient_image(rng, (32, 32, 3)), "of a random 32x32 uint8 image")
    # A 2-d uint8 image is gray already: its differences wrap around unless converted to float.
    _compare_hog(student, reference, _gradient_image(rng, (24, 32)), "of a random 24x32 uint8 grayscale image")


@graded(HOG, points=1)
def hog_matches_reference_on_float_and_odd_sized_images(student, reference, rng):
    _compare_hog(student, reference, _gradient_image(rng, (32, 32, 3), np.float64, 255.0),
                 "of a random float64 image")
    _compare_hog(student, reference, _gradient_image(rng, (32, 32, 3), np.float32, 255.0),
                 "of a random float32 image")
    _compare_hog(student, reference, _gradient_image(rng, (37, 21, 3)),
                 "of a 37x21 image (pixels beyond the last full cell are ignored)")
    _compare_hog(student, reference, _gradient_image(rng, (24, 40), np.float64, 1.0),
                 "of a 24x40 grayscale (2-d) image")


@graded(HOG, points=1)
def hog_of_gratings_at_known_orientations(student, rng):
    # gray = s * (cos(phi) * j + sin(phi) * i): every inner pixel has the gradient 2 s (cos phi, sin phi),
    # so it votes 2 s in bin floor((phi mod 180) / 20); phi at bin centres, signed and unsigned.
    i, j = np.mgrid[0:32, 0:32].astype(np.float64)
    for phi in (10.0, 50.0, 90.0, 130.0, 170.0, -30.0, -110.0, 250.0):
        rad = np.radians(phi)
        values = 3.0 * (np.cos(rad) * j + np.sin(rad) * i)
        values += 10.0 - values.min()
        got = as_array(student.call(HOG, np.repeat(values[:, :, None], 3, axis=2)),
                       "hog_feature of a ramp at a known orientation", shape=(144,))
        cells = got.reshape(4, 4, 9)
        inner = cells[1:3, 1:3]  # cells without border pixels
        expected = np.zeros(9)
        expected[int((phi % 180.0) // 20.0)] = 6.0  # 2 * s with s = 3
        for r in range(2):
            for c in range(2):
                assert_close(inner[r, c], expected, "an inner cell of hog_feature for a ramp at a known "
                             "orientation (the bin holding the ramp's angle modulo 180 degrees)", rtol=1e-6,
                             floor=1e-9)


@graded(HOG, points=1)
def hog_averages_cells_in_row_major_order(student, reference, rng):
    # One textured 8x8 patch per image, in a different cell each time, on a non-square image: the
    # feature must move with the patch exactly as the reference's does.
    for row, col in ((0, 2), (2, 1), (1, 4)):
        im = np.full((24, 40, 3), 60, dtype=np.uint8)
        patch = _gradient_image(rng, (8, 8, 3))
        im[8 * row:8 * row + 8, 8 * col:8 * col + 8] = patch
        for _ in range(50):  # the patch's own border pixels get gradients against the background
            near = _orientations_near_edges(im)
            if not near.any():
                break
            im[near] = rng.integers(0, 256, (int(near.sum()), 3))
        _compare_hog(student, reference, im, "of a non-square image with one textured cell")


# -- extract_features --------------------------------------------------------------------------------

def _compare_extract(student, reference, imgs, names, what):
    expected = reference.module(MODULE).extract_features_by_name(imgs, names)
    got = as_array(student.call(BY_NAME, imgs, names), f"extract_features {what}", shape=expected.shape)
    assert_close(got, expected, f"extract_features {what}", rtol=1e-9, floor=1e-9)


@graded(EXTRACT, points=1)
def extract_features_matches_reference(student, reference, rng):
    imgs = rng.integers(0, 256, (7, 16, 12, 3), dtype=np.uint8)
    for names in (["channel_means", "row_means"], ["row_means", "channel_means", "row_means"],
                  ["row_means"]):
        _compare_extract(student, reference, imgs, names, "with features " + ", ".join(names))


@graded(EXTRACT, points=1)
def extract_features_one_image_float_input_and_progress_bar(student, reference, rng):
    imgs = rng.uniform(0, 255, (1, 10, 6, 3)).astype(np.float32)
    _compare_extract(student, reference, imgs, ["row_means", "channel_means"], "of a single float32 image")
    imgs = rng.uniform(0, 255, (4, 9, 5, 3))
    expected = reference.module(MODULE).extract_features_by_name(imgs, ["channel_means", "row_means"])
    got = student.call(BY_NAME, imgs, ["channel_means", "row_means"], verbose=True)
    check(np.shape(got) == expected.shape,
          "extract_features with verbose=True should return the same shape as without",
          f"got {np.shape(got)}, expected {expected.shape}")
    assert_close(got, expected, "extract_features with verbose=True", rtol=1e-9, floor=1e-9)
