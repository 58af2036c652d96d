"""Shared pieces of the security tests: insist on isolation, and a control sandbox without it.

Security tests fail, never skip, where the isolation they prove is missing: a green `make test` on
a machine that cannot isolate would otherwise hide exactly the case where grading is insecure.
Each attack test pairs with a control that runs the same attack with the defence off and shows
that it then succeeds, so a test cannot pass because its attack was broken.
"""
import warnings
from unittest import mock

import pytest

from autograder.sandbox import Sandbox, isolation_available, runner


def require_isolation():
    if not isolation_available():
        pytest.fail("this machine cannot isolate student code (user namespaces, pivot_root, seccomp): "
                    "the protection under test is missing here, and `autograder grade` refuses to run",
                    pytrace=False)


class UnisolatedSandbox(Sandbox):
    """The control: the same child program and limits, without namespaces or the new root."""

    def __init__(self, workdir, **kwargs):
        with warnings.catch_warnings(), mock.patch.object(runner, "isolation_available", lambda *a: False):
            warnings.simplefilter("ignore", RuntimeWarning)
            super().__init__(workdir, insecure=True, **kwargs)
