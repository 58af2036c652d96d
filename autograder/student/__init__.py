"""The student's side of the grader: ``autograder check`` (``check``) and the self-check of a
notebook's graded cell (``selfcheck``)."""
from .selfcheck import SelfCheckFailed, self_check

__all__ = ["SelfCheckFailed", "self_check"]
