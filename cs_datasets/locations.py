"""Where datasets live on disk.

Order of precedence for CIFAR-10: an explicit ``root`` argument, else the ``CIFAR10_DIR`` environment
variable, else the per-user cache folder ``$XDG_CACHE_HOME/cs_datasets`` (``~/.cache/cs_datasets``).
The cache folder can be moved as a whole with ``CS_DATASETS_HOME``.
"""
import os
from pathlib import Path

CIFAR10_FOLDER = "cifar-10-batches-py"


def cache_home():
    """Per-user folder for downloads and caches (created on demand by the callers that write)."""
    explicit = os.environ.get("CS_DATASETS_HOME")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "cs_datasets"


def resolve_cifar10_dir(root=None):
    """Return the ``cifar-10-batches-py`` folder to use.

    ``root`` (or ``CIFAR10_DIR``) may name either the ``cifar-10-batches-py`` folder itself or the
    folder that contains it; both are accepted because both are common in course instructions.
    """
    if root is None:
        root = os.environ.get("CIFAR10_DIR") or cache_home()
    root = Path(root).expanduser()
    if root.name == CIFAR10_FOLDER or (root / "data_batch_1").exists():
        return root
    return root / CIFAR10_FOLDER


def download_parent(root=None):
    """Folder into which the CIFAR-10 archive is downloaded and extracted (it gets ``cifar-10-batches-py``)."""
    folder = resolve_cifar10_dir(root)
    return folder.parent
