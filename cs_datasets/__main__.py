"""Command line: ``python -m cs_datasets download cifar10 [--dir DIR] [--url URL] [--md5 MD5]``
and ``python -m cs_datasets info``."""
import argparse
import sys

from .errors import DatasetError


def _parser():
    p = argparse.ArgumentParser(prog="python -m cs_datasets", description="Course datasets.")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("download", help="download and verify a dataset")
    d.add_argument("name", choices=["cifar10"])
    d.add_argument("--dir", default=None,
                   help="where to put cifar-10-batches-py (default: $CIFAR10_DIR, else the user cache)")
    d.add_argument("--url", default=None, help="mirror address of cifar-10-python.tar.gz")
    d.add_argument("--md5", default=None, help="expected md5 of the archive (with --url)")
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_parser("info", help="say where data lives and what is there")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "download":
            from .download import download_cifar10
            folder = download_cifar10(args.dir, url=args.url, md5=args.md5, progress=not args.quiet)
            print(f"CIFAR-10 ready in {folder}")
        else:
            from .cifar10 import cifar10_available
            from .locations import cache_home, resolve_cifar10_dir
            folder = resolve_cifar10_dir()
            print(f"user cache: {cache_home()}")
            print(f"CIFAR-10:   {folder} ({'present' if cifar10_available() else 'missing'})")
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
