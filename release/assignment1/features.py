"""Image features: a histogram of hues and a histogram of oriented gradients (HOG).

A linear classifier on raw pixels compares an image with one template per class. Features describe
an image by what it contains instead of where each pixel is: which colours occur (the hue
histogram, blind to position and shape) and which way its edges run in each part of the image (HOG,
blind to colour). A classifier trained on these numbers can separate classes that the raw pixels
cannot.

Conventions:
- An image ``im`` is an array of shape (H, W, 3): RGB values from 0 to 255, either uint8 or float.
  ``hog_feature`` also accepts a grayscale image of shape (H, W).
- A batch ``imgs`` has shape (N, H, W, 3).
- A feature function maps one image to a 1-d array of F numbers.

``extract_features`` turns a batch of images into the (N, F) matrix a classifier trains on. A
feature function may also have a ``batch`` attribute: a function of the whole batch ``imgs`` that
returns the same (N, F) numbers at once (much faster than a Python loop over 60,000 images).
``color_histogram_hsv`` and ``hog_feature`` get theirs, ``color_histograms_hsv`` and
``hog_features``, at the end of this file. Writing those two is optional and ungraded.
"""
import numpy as np
from matplotlib.colors import rgb_to_hsv
from tqdm.auto import tqdm

HOG_CELL = 8  # cells of 8x8 pixels
HOG_BINS = 9  # unsigned orientations 0..180 degrees in bins of 20 degrees
_CHUNK = 32  # images per block in the batch versions: small blocks stay in the processor's cache


def _check_image(im, where, gray_ok=False):
    """``im`` as an ndarray of shape (H, W, 3) (or (H, W) when ``gray_ok``); a one-line error otherwise."""
    im = np.asarray(im)
    if im.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected an image of numbers, got dtype {im.dtype}")
    if not (im.ndim == 3 and im.shape[2] == 3) and not (gray_ok and im.ndim == 2):
        wanted = "(H, W, 3) or (H, W)" if gray_ok else "(H, W, 3)"
        raise ValueError(f"{where}: expected one image of shape {wanted}, got shape {im.shape}")
    return im


def _check_batch(imgs, where, gray_ok=False):
    """``imgs`` as an ndarray of shape (N, H, W, 3) (or (N, H, W) when ``gray_ok``)."""
    imgs = np.asarray(imgs)
    if imgs.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected images of numbers, got dtype {imgs.dtype}")
    if not (imgs.ndim == 4 and imgs.shape[3] == 3) and not (gray_ok and imgs.ndim == 3):
        wanted = "(N, H, W, 3) or (N, H, W)" if gray_ok else "(N, H, W, 3)"
        raise ValueError(f"{where}: expected a batch of images of shape {wanted}, got shape {imgs.shape}")
    return imgs


def extract_features(imgs, feature_fns, verbose=False):
    """Compute several features of every image and stack them side by side.

    Inputs:
    - imgs: array of shape (N, H, W, 3), N images.
    - feature_fns: list of K feature functions. Function k maps one image ``imgs[i]`` to a 1-d array
      of F_k numbers (F_k must be the same for every image).
    - verbose: show a progress bar (tqdm) while looping over the images.

    Returns:
    - features: float array of shape (N, F_1 + ... + F_K). Row i holds the features of imgs[i]: first
      the F_1 numbers of feature_fns[0], then the F_2 numbers of feature_fns[1], and so on.

    A feature function ``fn`` that has an attribute ``fn.batch`` may be computed for all images at
    once: ``fn.batch(imgs)`` returns the (N, F_k) block directly. Using it is optional; if it raises
    NotImplementedError (an optional batch version not written yet), loop over the images instead.
    """
    imgs = np.asarray(imgs)
    if imgs.ndim == 0:
        raise ValueError("extract_features: expected a batch of images, got a single number")
    num_images = imgs.shape[0]
    if num_images == 0:
        raise ValueError("extract_features: the batch of images is empty")
    # TODO: find each feature's size F_k from the first image, allocate the (N, sum F_k) result, and
    # fill it: for each image i, for each function k, put feature_fns[k](imgs[i]) into its columns.
    # YOUR CODE HERE
    raise NotImplementedError("extract_features is not written yet: write it in features.py")


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Histogram of the hues of an image.

    The image is converted to HSV (hue, saturation, value) with
    ``hsv = matplotlib.colors.rgb_to_hsv(im / xmax) * xmax``, so that the hue ``hsv[..., 0]`` runs
    from xmin to xmax like the pixel values (red 0, green xmax/3, blue 2 xmax/3; gray pixels get hue 0).
    The hues of all H * W pixels are counted in ``nbin`` bins of equal width over [xmin, xmax]:
    ``bin_edges = np.linspace(xmin, xmax, nbin + 1)``, bin b holding bin_edges[b] <= hue <
    bin_edges[b + 1], the last bin also its right edge; hues outside [xmin, xmax] are not counted.
    This is exactly what ``np.histogram(hue, bins=bin_edges, density=normalized)`` does.

    Inputs:
    - im: array of shape (H, W, 3), an RGB image with values from xmin to xmax.
    - nbin: number of bins.
    - xmin, xmax: the range of the pixel values (and of the hues).
    - normalized: if True, return a density: count / (number of pixels counted * bin width), so that
      np.sum(hist * bin_width) == 1. If False, return the counts.

    Returns:
    - hist: array of shape (nbin,).
    """
    im = _check_image(im, "color_histogram_hsv")
    # TODO: convert to HSV as described above and histogram the hue channel with np.histogram.
    # YOUR CODE HERE
    raise NotImplementedError("color_histogram_hsv is not written yet: write it in features.py")


def hog_feature(im):
    """Histogram of oriented gradients (HOG) of an image, after Dalal and Triggs (2005).

    Conventions, step by step:
    1. Grayscale: an RGB image becomes ``gray = 0.299 R + 0.587 G + 0.114 B`` (the ITU-R BT.601
       luma weights), in floating point; a 2-d image is already gray.
    2. Gradients, by centred differences along each axis (rows i go down, columns j go right):
           gx[i, j] = gray[i, j + 1] - gray[i, j - 1]   (zero in the first and last column)
           gy[i, j] = gray[i + 1, j] - gray[i - 1, j]   (zero in the first and last row)
       No division by 2; a border pixel keeps its other gradient component.
    3. Each pixel's magnitude is sqrt(gx**2 + gy**2) and its unsigned orientation, in degrees, is
       ``np.degrees(np.arctan2(gy, gx)) % 180``, in [0, 180): a gradient and its opposite count as the
       same orientation. A gradient pointing right (a vertical edge) has orientation 0, one pointing
       down (a horizontal edge) 90.
    4. Bins: 9 bins of 20 degrees, bin b holding orientations in [20 b, 20 (b + 1)). Each pixel votes
       only for its own bin (no interpolation between bins), with its magnitude as the weight.
    5. Cells: the image is cut into cells of 8x8 pixels, cell (r, c) covering rows 8r .. 8r + 7 and
       columns 8c .. 8c + 7. Pixels beyond the last full cell (when H or W is not a multiple of 8)
       are ignored. Each cell's histogram is the sum of its pixels' votes divided by 64, the average
       vote per pixel. There is no block normalization.
    6. The result is flattened cell by cell in row-major order, 9 bins per cell:
       ``feature[(r * (W // 8) + c) * 9 + b]`` is bin b of cell (r, c).

    Inputs:
    - im: array of shape (H, W, 3) (RGB, 0..255) or (H, W) (grayscale), with H, W >= 8.

    Returns:
    - feature: array of shape ((H // 8) * (W // 8) * 9,); 144 numbers for a 32x32 image.
    """
    im = _check_image(im, "hog_feature", gray_ok=True)
    if im.shape[0] < HOG_CELL or im.shape[1] < HOG_CELL:
        raise ValueError(f"hog_feature: the image is {im.shape[0]}x{im.shape[1]} pixels; HOG needs at "
                         f"least one {HOG_CELL}x{HOG_CELL} cell")
    # TODO: follow steps 1 to 6 above. Whole-array operations per image are enough: np.arctan2,
    # integer bin indices, and a reshape of the (H, W) votes into (rows, 8, cols, 8) to average cells.
    # YOUR CODE HERE
    raise NotImplementedError("hog_feature is not written yet: write it in features.py")


# ------------------------------------------------------------------------------------------------
# Optional (not graded): the same features for a whole batch at once. extract_features uses these
# through the functions' ``batch`` attribute.
# ------------------------------------------------------------------------------------------------

def color_histograms_hsv(imgs, nbin=10, xmin=0, xmax=255, normalized=True):
    """``color_histogram_hsv`` of every image in a batch, without a Python loop over the images.

    Inputs:
    - imgs: array of shape (N, H, W, 3); the other arguments as in color_histogram_hsv.

    Returns:
    - hists: array of shape (N, nbin); row i equals color_histogram_hsv(imgs[i], ...).
    """
    imgs = _check_batch(imgs, "color_histograms_hsv")
    # Optional TODO: the same histograms for all images at once, e.g. with np.bincount.
    # YOUR CODE HERE
    raise NotImplementedError("color_histograms_hsv is not written yet: write it in features.py")


def hog_features(imgs):
    """``hog_feature`` of every image in a batch, without a Python loop over the images.

    The magnitudes and orientations are computed in float32 from float64 gradients, so a pixel whose
    orientation lies within about 1e-5 degrees of a bin edge may vote for the neighbouring bin.

    Inputs:
    - imgs: array of shape (N, H, W, 3) (RGB) or (N, H, W) (grayscale), with H, W >= 8.

    Returns:
    - features: array of shape (N, (H // 8) * (W // 8) * 9); row i equals hog_feature(imgs[i]).
    """
    imgs = _check_batch(imgs, "hog_features", gray_ok=True)
    if imgs.shape[1] < HOG_CELL or imgs.shape[2] < HOG_CELL:
        raise ValueError(f"hog_features: the images are {imgs.shape[1]}x{imgs.shape[2]} pixels; HOG needs "
                         f"at least one {HOG_CELL}x{HOG_CELL} cell")
    # Optional TODO: the same features for all images at once, e.g. with np.bincount.
    # YOUR CODE HERE
    raise NotImplementedError("hog_features is not written yet: write it in features.py")


color_histogram_hsv.batch = color_histograms_hsv
hog_feature.batch = hog_features


# ------------------------------------------------------------------------------------------------
# Provided: simple features, and the name-based entry point the grader uses.
# ------------------------------------------------------------------------------------------------

def channel_means(im):
    """The mean of each colour channel: an array of shape (C,) for an image of shape (H, W, C)."""
    im = np.asarray(im, dtype=np.float64)
    return im.reshape(-1, im.shape[-1]).mean(axis=0)


def row_means(im):
    """The mean brightness of each pixel row: an array of shape (H,) for an image of shape (H, W, C)."""
    im = np.asarray(im, dtype=np.float64)
    return im.reshape(im.shape[0], -1).mean(axis=1)


FEATURE_FUNCTIONS = {"color_histogram_hsv": color_histogram_hsv, "hog_feature": hog_feature,
                     "channel_means": channel_means, "row_means": row_means}


def extract_features_by_name(imgs, names, verbose=False):
    """``extract_features(imgs, [FEATURE_FUNCTIONS[name] for name in names], verbose)``.

    Provided; do not change it. The grader can send your code numbers and strings but no functions,
    so it names the feature functions and calls this.
    """
    unknown = [name for name in names if name not in FEATURE_FUNCTIONS]
    if unknown:
        raise ValueError(f"extract_features_by_name: unknown feature {unknown[0]!r}; "
                         f"choose from {sorted(FEATURE_FUNCTIONS)}")
    return extract_features(imgs, [FEATURE_FUNCTIONS[name] for name in names], verbose=verbose)
