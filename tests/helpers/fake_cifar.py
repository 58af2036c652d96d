"""Write tiny CIFAR-10 batch sets in the official pickle format, for loader and split tests."""
import pickle

import numpy as np

NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_fake_cifar10(folder, per_batch=20, seed=0, bytes_keys=False):
    """Create ``folder/cifar-10-batches-py`` with 5 training batches and a test batch.

    Returns (X_train, y_train, X_test, y_test) as the loader should return them: images of shape
    (N, 32, 32, 3), built independently of the loader from per-channel planes.
    """
    rng = np.random.default_rng(seed)
    target = folder / "cifar-10-batches-py"
    target.mkdir(parents=True)
    key = (lambda s: s.encode()) if bytes_keys else (lambda s: s)
    images, labels = [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        red, green, blue = (rng.integers(0, 256, (per_batch, 32, 32), dtype=np.uint8) for _ in range(3))
        y = rng.integers(0, 10, per_batch).tolist()
        rows = np.concatenate([red.reshape(per_batch, -1), green.reshape(per_batch, -1),
                               blue.reshape(per_batch, -1)], axis=1)  # official layout: R plane, G, B
        batch = {key("batch_label"): name, key("labels"): y, key("data"): rows,
                 key("filenames"): [f"{name}_{i}.png" for i in range(per_batch)]}
        with open(target / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
        images.append(np.stack([red, green, blue], axis=-1))
        labels.append(np.array(y))
    with open(target / "batches.meta", "wb") as f:
        pickle.dump({key("label_names"): NAMES}, f, protocol=2)
    return (np.concatenate(images[:5]), np.concatenate(labels[:5]), images[5], labels[5])
