"""Bag of visual words: describe an image by which small patches it is made of.

1. Cut many small square patches out of training images at random (``extract_patches``).
2. Group similar patches with k-means; the k cluster centres are the **visual words**, the
   codebook (``kmeans_codebook``).
3. Encode an image as the histogram of the codewords nearest to its patches, taken on a regular
   grid (``bow_encode``): how often each kind of patch occurs, wherever it is.

Conventions:
- A batch of images ``imgs`` has shape (N, H, W, 3): RGB values from 0 to 255, uint8 or float.
- A patch of side p is the block ``im[r:r + p, c:c + p, :]`` flattened in that (row, column,
  channel) order into a row of D = p * p * 3 numbers.
- Before patches are clustered or compared with the codebook they go through ``normalize_patches``
  (provided): each patch loses its mean brightness and is divided by its contrast, so that the
  codebook describes shapes and colour changes rather than how bright a patch is.
- "Nearest" is the smallest squared Euclidean distance; on a tie, the codeword with the lowest index.
"""
import numpy as np

PATCH_EPS = 100.0  # added to each patch's variance (pixel values 0..255): flat patches stay flat


def normalize_patches(patches):
    """Provided. Each row minus its mean, divided by sqrt(its variance + PATCH_EPS).

    - patches: array of shape (M, D). Returns a float64 array of shape (M, D).
    """
    patches = np.asarray(patches, dtype=np.float64)
    centred = patches - patches.mean(axis=1, keepdims=True)
    return centred / np.sqrt(centred.var(axis=1, keepdims=True) + PATCH_EPS)


def extract_patches(imgs, patch_size, num_patches, seed=0):
    """``num_patches`` patches of side ``patch_size`` cut from random images at random places.

    Draw with ``rng = np.random.RandomState(seed)``, in this order: the image of every patch,
    ``rng.randint(0, N, num_patches)``; then its top row, ``rng.randint(0, H - patch_size + 1,
    num_patches)``; then its left column, ``rng.randint(0, W - patch_size + 1, num_patches)``.

    Inputs:
    - imgs: array of shape (N, H, W, 3).
    - patch_size: int p, 1 <= p <= min(H, W).
    - num_patches: int M.
    - seed: int, the seed of the draws (the same seed gives the same patches).

    Returns:
    - patches: float64 array of shape (M, p * p * 3); row m is patch m flattened (see the module
      docstring), not normalized.
    """
    imgs = np.asarray(imgs)
    patches = None
    # TODO: draw the images and the places as the docstring says, then cut the patches out.
    ### BEGIN SOLUTION
    num_images, height, width, _ = imgs.shape
    rng = np.random.RandomState(seed)
    which = rng.randint(0, num_images, num_patches)  # (M,)
    rows = rng.randint(0, height - patch_size + 1, num_patches)  # (M,)
    cols = rng.randint(0, width - patch_size + 1, num_patches)  # (M,)
    offsets = np.arange(patch_size)
    # (M, p, p, 3) by fancy indexing: image, then every row and column of each patch.
    blocks = imgs[which[:, None, None], (rows[:, None] + offsets)[:, :, None], (cols[:, None] + offsets)[:, None, :]]
    patches = blocks.reshape(num_patches, -1).astype(np.float64)
    ### END SOLUTION
    return patches


def nearest_codewords(X, codebook):
    """Provided helper of both functions below: the index of the nearest codeword of every row.

    - X: array of shape (M, D); codebook: array of shape (k, D).
    Returns an int array of shape (M,) (np.argmin's rule: the lowest index on a tie).
    """
    X = np.asarray(X, dtype=np.float64)
    codebook = np.asarray(codebook, dtype=np.float64)
    # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every codeword of a row.
    return np.argmin(np.sum(codebook * codebook, axis=1)[None, :] - 2.0 * X @ codebook.T, axis=1)


def kmeans_codebook(X, k, num_iters=10, seed=0):
    """k-means clustering of the rows of X; returns the k cluster centres (the codebook).

    - Start: the rows ``np.random.RandomState(seed).choice(M, k, replace=False)`` of X, in that order.
    - Then ``num_iters`` times: assign every row to its nearest centre (``nearest_codewords``; the
      assignment step must be vectorized: no Python loop over the rows), then move every centre to
      the mean of the rows assigned to it. A centre that no row chose keeps its place.

    Inputs:
    - X: array of shape (M, D), one (normalized) patch per row; float64 or float32.
    - k: int, 1 <= k <= M.
    - num_iters: int >= 0.
    - seed: int.

    Returns:
    - codebook: float64 array of shape (k, D).
    """
    X = np.asarray(X, dtype=np.float64)
    codebook = None
    # TODO: k-means as the docstring says, with one loop (over the iterations): np.add.at and
    # np.bincount sum the rows of every cluster and count them without a loop.
    ### BEGIN SOLUTION
    num_rows = X.shape[0]
    codebook = X[np.random.RandomState(seed).choice(num_rows, k, replace=False)].copy()  # (k, D)
    for _ in range(num_iters):
        assigned = nearest_codewords(X, codebook)  # (M,)
        sums = np.zeros_like(codebook)
        np.add.at(sums, assigned, X)
        counts = np.bincount(assigned, minlength=k)  # (k,)
        chosen = counts > 0
        codebook[chosen] = sums[chosen] / counts[chosen, None]  # empty clusters keep their centre
    ### END SOLUTION
    return codebook


def bow_encode(imgs, codebook, patch_size, stride):
    """The bag-of-visual-words histogram of every image.

    Patches of side ``patch_size`` are taken at every top-left corner (r, c) with r and c in
    ``range(0, H - patch_size + 1, stride)`` (and the same for W), normalized with
    ``normalize_patches``, and each counts one vote for its nearest codeword. Every histogram is
    divided by its number of patches (it sums to 1).

    Inputs:
    - imgs: array of shape (N, H, W, 3).
    - codebook: array of shape (k, D) with D = patch_size * patch_size * 3.
    - patch_size: int p; stride: int >= 1.

    Returns:
    - histograms: float64 array of shape (N, k); row n sums to 1.
    """
    imgs = np.asarray(imgs, dtype=np.float64)
    codebook = np.asarray(codebook, dtype=np.float64)
    histograms = None
    # TODO: cut out every image's grid of patches, normalize them, find their nearest codewords,
    # and count. At most ONE loop in all (the grader counts every loop and comprehension, also in
    # the helpers you call): a single loop over the grid positions is fine, such as
    # `for r, c in itertools.product(rows, cols)` or `for i, j in np.ndindex(num_rows, num_cols)`,
    # but a loop over the rows with a loop over the columns inside counts as two. No loop over the
    # images or the patches.
    ### BEGIN SOLUTION
    num_images = imgs.shape[0]
    # (N, rows, cols, 3, p, p): every p x p window, then every stride-th one in both directions.
    windows = np.lib.stride_tricks.sliding_window_view(imgs, (patch_size, patch_size), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(num_images, -1, 3 * patch_size ** 2)  # (N, L, D)
    words = nearest_codewords(normalize_patches(patches.reshape(-1, patches.shape[2])), codebook)
    words = words.reshape(num_images, -1)  # (N, L)
    k = codebook.shape[0]
    counts = np.bincount((np.arange(num_images)[:, None] * k + words).ravel(), minlength=num_images * k)
    histograms = counts.reshape(num_images, k) / words.shape[1]
    ### END SOLUTION
    return histograms
