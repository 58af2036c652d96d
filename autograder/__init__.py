"""Sandboxed, parallel autograder for the course's notebook assignments (built on nbgrader)."""
__version__ = "0.1.0"
